// Reads libboxlite's CBoxInfo / CBoxInfoList in whichever layout the loaded
// release uses (abi::InfoLayout) into plain C++ data.
#ifndef BOXLITE_NATIVE_ABI_BOX_INFO_READER_H
#define BOXLITE_NATIVE_ABI_BOX_INFO_READER_H

#include <cstdint>
#include <string>
#include <vector>

#include "versions.h"

namespace boxlite {

struct BoxInfoData {
  std::string id;
  bool hasName = false;
  std::string name;
  std::string image;
  std::string status;
  bool running = false;
  int pid = 0;
  int cpus = 0;
  int memoryMib = 0;
  bool hasLifecycle = false;  // false: this release's CBoxInfo has no lifecycle fields
  uint32_t autoStop = 0;
  uint32_t autoDelete = 0;
  bool autoResume = false;
  int64_t createdAt = 0;
  bool hasNetwork = false;
  bool networkDisabled = false;
  std::vector<std::string> allowNet;
};

namespace abi {

// `info` points at a CBoxInfo of `layout`; never null.
BoxInfoData ReadBoxInfo(InfoLayout layout, const void* info);
// `list` points at a CBoxInfoList of `layout` (items strided by that layout); never null.
std::vector<BoxInfoData> ReadBoxInfoList(InfoLayout layout, const void* list);

}  // namespace abi
}  // namespace boxlite

#endif  // BOXLITE_NATIVE_ABI_BOX_INFO_READER_H
