#include "box_record.h"

#include "library.h"
#include "runtime_core.h"

namespace boxlite {

BoxRecord::BoxRecord(std::shared_ptr<RuntimeCore> core, bl_box* handle, std::string id)
    : core_(std::move(core)), id_(std::move(id)), handle_(handle) {
  core_->AddBox(this);
}

BoxRecord::~BoxRecord() {
  core_->RemoveBox(this);
  std::lock_guard<std::mutex> lock(mu_);
  FreeLocked();
}

bl_box* BoxRecord::Acquire() {
  std::lock_guard<std::mutex> lock(mu_);
  if (released_ || handle_ == nullptr) return nullptr;
  ++inUse_;
  return handle_;
}

bool BoxRecord::released() {
  std::lock_guard<std::mutex> lock(mu_);
  return released_ || handle_ == nullptr;
}

void BoxRecord::Return() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--inUse_ == 0 && released_) FreeLocked();
}

void BoxRecord::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  released_ = true;
  if (inUse_ == 0) FreeLocked();
}

void BoxRecord::FreeLocked() {
  if (handle_ == nullptr) return;
  core_->api().boxlite_box_free(handle_);
  handle_ = nullptr;
}

}  // namespace boxlite
