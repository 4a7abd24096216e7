#include "exec_core.h"

#include <chrono>

#include "library.h"
#include "runtime_core.h"

namespace boxlite {
namespace {

// Each buffer starts with this much room so a stream of typical pipe-sized
// chunks does not reallocate on every append.
constexpr size_t kInitialReserve = 16 * 1024;
// Past this many buffered bytes for one execution, the drain thread waits for
// the JS thread to take them: native memory stays bounded when the JS thread
// is busy. (Bytes already handed to a Readable follow Node's usual rules.)
constexpr size_t kHighWaterBytes = 8 * 1024 * 1024;
constexpr auto kThrottleRecheck = std::chrono::milliseconds(50);
// A buffer that grew beyond this during a burst is released, not kept.
constexpr size_t kKeepCapacityBytes = 4 * 1024 * 1024;

class FlushEvent : public Event {
 public:
  explicit FlushEvent(std::shared_ptr<ExecCore> exec) : exec_(std::move(exec)) {}
  void Dispatch(Napi::Env env, RuntimeCore& core) override { core.DeliverOutput(env, *exec_); }

 private:
  std::shared_ptr<ExecCore> exec_;
};

}  // namespace

bl_code ExecCore::Adopt(const Api& api, bl_execution* handle, bl_error* err) {
  {
    std::lock_guard<std::mutex> lock(handleMu_);
    handle_ = handle;
  }
  bl_code rc = api.boxlite_execution_on_stdout(handle, &ExecCore::OnStdout, this, err);
  if (rc != BL_OK) return rc;
  rc = api.boxlite_execution_on_stderr(handle, &ExecCore::OnStderr, this, err);
  if (rc != BL_OK) return rc;
  return api.boxlite_execution_on_exit(handle, &ExecCore::OnExit, this, err);
}

bl_execution* ExecCore::TakeHandle() {
  std::lock_guard<std::mutex> lock(handleMu_);
  bl_execution* handle = handle_;
  handle_ = nullptr;
  return handle;
}

void ExecCore::OnStdout(const uint8_t* data, size_t len, void* ud) {
  auto* self = static_cast<ExecCore*>(ud);
  self->Append(self->out_, data, len);
}

void ExecCore::OnStderr(const uint8_t* data, size_t len, void* ud) {
  auto* self = static_cast<ExecCore*>(ud);
  self->Append(self->err_, data, len);
}

void ExecCore::OnExit(int exitCode, void* ud) {
  auto* self = static_cast<ExecCore*>(ud);
  std::unique_lock<std::mutex> lock(self->bufMu_);
  self->exited_ = true;
  self->exitCode_ = exitCode;
  self->ScheduleFlushLocked(lock);
}

void ExecCore::Append(std::string& buffer, const uint8_t* data, size_t len) {
  if (len == 0 || data == nullptr) return;
  std::unique_lock<std::mutex> lock(bufMu_);
  while (flushPending_ && out_.size() + err_.size() >= kHighWaterBytes && !core_->closing()) {
    bufCv_.wait_for(lock, kThrottleRecheck);
  }
  if (buffer.capacity() < kInitialReserve) buffer.reserve(kInitialReserve);
  buffer.append(reinterpret_cast<const char*>(data), len);
  ScheduleFlushLocked(lock);
}

void ExecCore::ScheduleFlushLocked(std::unique_lock<std::mutex>& lock) {
  if (flushPending_) return;
  flushPending_ = true;
  lock.unlock();
  auto* event = new FlushEvent(shared_from_this());
  if (!core_->Post(event)) delete event;  // env tearing down: nobody to deliver to
}

ExecCore::Output ExecCore::TakeOutput() {
  // The previous hand-off was copied into JS already: recycle its memory,
  // unless one burst made it huge.
  for (std::string* spent : {&jsOut_, &jsErr_}) {
    if (spent->capacity() > kKeepCapacityBytes) {
      std::string().swap(*spent);
    } else {
      spent->clear();
    }
  }
  Output result;
  {
    std::lock_guard<std::mutex> lock(bufMu_);
    out_.swap(jsOut_);
    err_.swap(jsErr_);
    flushPending_ = false;
    result.exited = exited_;
    result.exitCode = exitCode_;
  }
  bufCv_.notify_all();
  if (!jsOut_.empty()) result.out = &jsOut_;
  if (!jsErr_.empty()) result.err = &jsErr_;
  return result;
}

void ExecCore::ReleaseBuffers() {
  std::string().swap(jsOut_);
  std::string().swap(jsErr_);
}

void ExecCore::Wake() { bufCv_.notify_all(); }

}  // namespace boxlite
