#include "box_info_reader.h"

#include "v0_9_5.h"
#include "v0_9_7.h"

namespace boxlite {
namespace abi {
namespace {

std::string CopyString(const char* s) { return s != nullptr ? std::string(s) : std::string(); }

// The fields every layout shares (same names, types and order up to memory_mib).
template <typename Info>
BoxInfoData ReadCommon(const Info& info) {
  BoxInfoData d;
  d.id = CopyString(info.id);
  d.hasName = info.name != nullptr;
  d.name = CopyString(info.name);
  d.image = CopyString(info.image);
  d.status = CopyString(info.status);
  d.running = info.running != 0;
  d.pid = info.pid;
  d.cpus = info.cpus;
  d.memoryMib = info.memory_mib;
  d.createdAt = info.created_at;
  return d;
}

template <typename Info>
void ReadLifecycle(const Info& info, BoxInfoData* d) {
  d->hasLifecycle = true;
  d->autoStop = info.auto_pause;  // renamed auto_stop upstream after 0.9.7, same slot
  d->autoDelete = info.auto_delete;
  d->autoResume = info.auto_resume != 0;
}

BoxInfoData Read(const bl_box_info_0_9_5& info) { return ReadCommon(info); }

BoxInfoData Read(const bl_box_info_0_9_7_lifecycle& info) {
  BoxInfoData d = ReadCommon(info);
  ReadLifecycle(info, &d);
  return d;
}

BoxInfoData Read(const bl_box_info& info) {
  BoxInfoData d = ReadCommon(info);
  ReadLifecycle(info, &d);
  if (info.network != nullptr) {
    d.hasNetwork = true;
    d.networkDisabled = info.network->mode == 1;
    for (int i = 0; i < info.network->allow_net_count && info.network->allow_net != nullptr; ++i) {
      if (info.network->allow_net[i] != nullptr) d.allowNet.emplace_back(info.network->allow_net[i]);
    }
  }
  return d;
}

template <typename List>
std::vector<BoxInfoData> ReadList(const List& list) {
  std::vector<BoxInfoData> items;
  for (int i = 0; i < list.count && list.items != nullptr; ++i) items.push_back(Read(list.items[i]));
  return items;
}

}  // namespace

BoxInfoData ReadBoxInfo(InfoLayout layout, const void* info) {
  switch (layout) {
    case InfoLayout::kClassic: return Read(*static_cast<const bl_box_info_0_9_5*>(info));
    case InfoLayout::kLifecycle: return Read(*static_cast<const bl_box_info_0_9_7_lifecycle*>(info));
    case InfoLayout::kNetwork: break;
  }
  return Read(*static_cast<const bl_box_info*>(info));
}

std::vector<BoxInfoData> ReadBoxInfoList(InfoLayout layout, const void* list) {
  switch (layout) {
    case InfoLayout::kClassic: return ReadList(*static_cast<const bl_box_info_list_0_9_5*>(list));
    case InfoLayout::kLifecycle: return ReadList(*static_cast<const bl_box_info_list_0_9_7_lifecycle*>(list));
    case InfoLayout::kNetwork: break;
  }
  return ReadList(*static_cast<const bl_box_info_list*>(list));
}

}  // namespace abi
}  // namespace boxlite
