// BoxRecord: one owned libboxlite box handle, shared by the JS Box wrapper
// and any exec still running on it.
//
// The handle is freed exactly once: on release() (after stop, to let
// boxlite_get hand out a fresh handle), when the last owner goes away, or by
// the runtime's close — whichever comes first — and never while a call is
// using it (Acquire/Return bracket every use).
#ifndef BOXLITE_NATIVE_BOX_RECORD_H
#define BOXLITE_NATIVE_BOX_RECORD_H

#include <memory>
#include <mutex>
#include <string>

#include "boxlite_abi.h"

namespace boxlite {

class RuntimeCore;

class BoxRecord {
 public:
  BoxRecord(std::shared_ptr<RuntimeCore> core, bl_box* handle, std::string id);
  ~BoxRecord();
  BoxRecord(const BoxRecord&) = delete;
  BoxRecord& operator=(const BoxRecord&) = delete;

  const std::string& id() const { return id_; }
  RuntimeCore& core() const { return *core_; }
  const std::shared_ptr<RuntimeCore>& coreRef() const { return core_; }

  // Null once released. Every non-null Acquire needs one Return.
  bl_box* Acquire();
  bool released();
  void Return();
  // Frees the handle now, or as soon as the last user returns it.
  void Release();

 private:
  void FreeLocked();

  std::shared_ptr<RuntimeCore> core_;
  std::string id_;
  std::mutex mu_;
  bl_box* handle_;
  int inUse_ = 0;
  bool released_ = false;
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_BOX_RECORD_H
