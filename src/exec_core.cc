#include "exec_core.h"

#include <chrono>
#include <cstdint>

#include "c_callback.h"
#include "library.h"
#include "runtime_core.h"

namespace boxlite {
namespace {

// The most handed to a Readable per request (from memory or read back from
// the spill file): large enough that a fast reader is not slowed by the round
// trips, small enough that a Readable is never handed much more than its
// highWaterMark. (At exit, memory goes over unasked in one hand-off: see
// TakeOutput.) Whole chunks: at least one always fits.
constexpr size_t kBlockBytes = 1u << 20;
static_assert(kBlockBytes >= OutputChunk::kMaxBytes, "a request must fit the largest chunk");
// An active reader (asked within this long) whose window is full makes the
// drain thread wait for room, at most kMaxWaitForReader per chunk: the JS
// thread is only busy, and spilling a stream that is being read at full speed
// would cost more than the wait. A paused or absent reader is never waited
// for: its output spills at once.
constexpr auto kReaderActiveFor = std::chrono::milliseconds(100);
constexpr auto kMaxWaitForReader = std::chrono::milliseconds(100);
constexpr auto kWaitRecheck = std::chrono::milliseconds(5);

class FlushEvent : public Event {
 public:
  explicit FlushEvent(std::shared_ptr<ExecCore> exec) : exec_(std::move(exec)) {}
  void Dispatch(Napi::Env env, RuntimeCore& core) override { core.DeliverOutput(env, *exec_); }

 private:
  std::shared_ptr<ExecCore> exec_;
};

// The overflow kill's completion: nothing to report to anyone (the exit
// carries the reason). No user_data, so a callback dropped by runtime_free
// leaks nothing.
void IgnoreKillDone(bl_error* /*err*/, void* /*ud*/) noexcept {}

}  // namespace

ExecCore::~ExecCore() {
  for (int s = 0; s < 2; ++s) {
    ClearSpool(s);
    ReleaseHeldByJs(s);
  }
}

void ExecCore::ClearSpool(int stream) {
  OutputSpool& spool = spool_[stream];
  core_->ReleaseOutputSpill(spool.spilledBytes());
  core_->ReleaseOutputMemory(spool.Clear());
}

void ExecCore::ReleaseHeldByJs(int stream) {
  core_->ReleaseOutputMemory(heldByJs_[stream]);
  heldByJs_[stream] = 0;
}

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

void ExecCore::OnStdout(const uint8_t* data, size_t len, void* ud) noexcept {
  GuardCallback("stdout", [&] { static_cast<ExecCore*>(ud)->Append(kStdout, data, len); });
}

void ExecCore::OnStderr(const uint8_t* data, size_t len, void* ud) noexcept {
  GuardCallback("stderr", [&] { static_cast<ExecCore*>(ud)->Append(kStderr, data, len); });
}

void ExecCore::OnExit(int exitCode, void* ud) noexcept {
  GuardCallback("exit", [&] {
    auto* self = static_cast<ExecCore*>(ud);
    std::unique_lock<std::mutex> lock(self->bufMu_);
    self->exited_ = true;
    self->exitCode_ = exitCode;
    self->ScheduleFlushLocked(lock);
  });
}

uint64_t ExecCore::RetainedLocked() const {
  return spool_[0].memoryBytes() + spool_[1].memoryBytes() + spool_[0].spilledBytes() + spool_[1].spilledBytes();
}

void ExecCore::Append(int stream, const uint8_t* bytes, size_t len) {
  if (len == 0 || bytes == nullptr) return;
  const char* data = reinterpret_cast<const char*>(bytes);
  bool kill = false;
  std::unique_lock<std::mutex> lock(bufMu_);
  if (discarded_[stream]) return;  // its Readable is gone: asked for by nobody
  if (overflowed_) {
    droppedBytes_ += len;
    return;
  }
  OutputSpool& spool = spool_[stream];
  size_t inMemory = spool_[0].memoryBytes() + spool_[1].memoryBytes();
  if (spool.spilledBytes() == 0 && inMemory + len > limits_.memoryBytes && len <= limits_.memoryBytes) {
    auto now = std::chrono::steady_clock::now();
    const auto deadline = now + kMaxWaitForReader;
    while (now < deadline && !core_->closing() && !discarded_[stream] &&
           (wanted_[stream] || now - lastTake_[stream] < kReaderActiveFor)) {
      bufCv_.wait_for(lock, kWaitRecheck);
      inMemory = spool_[0].memoryBytes() + spool_[1].memoryBytes();
      if (inMemory + len <= limits_.memoryBytes) break;
      now = std::chrono::steady_clock::now();
    }
    if (discarded_[stream]) return;
  }
  uint64_t spilled = spool_[0].spilledBytes() + spool_[1].spilledBytes();
  if (spool.spilledBytes() == 0 && inMemory + len <= limits_.memoryBytes && core_->ReserveOutputMemory(len)) {
    spool.AppendToMemory(data, len);
  } else if (!limits_.spillDir.empty() && spilled + len <= limits_.spillBytes && core_->ReserveOutputSpill(len)) {
    std::string error;
    if (!spool.AppendToSpill(limits_.spillDir, limits_.spillBytes, data, len, &error)) {
      core_->ReleaseOutputSpill(len);
      OverflowLocked("resource exhausted: output could not be spilled to disk (" + error + ")", len);
      kill = true;
    } else {
      spilledTotal_ += len;
      core_->NoteSpilled(len);
    }
  } else if (!limits_.spillDir.empty() && spilled + len <= limits_.spillBytes) {
    // Within its own caps, but every execution's spill files together are
    // at the runtime's: the disk is protected like memory is.
    OverflowLocked("resource exhausted: unread output of all executions exceeded the runtime-wide spill limit of " +
                       std::to_string(core_->OutputSpillBudget()) + " bytes",
                   len);
    kill = true;
  } else {
    OverflowLocked("resource exhausted: unread output exceeded the limit of " + std::to_string(limits_.memoryBytes) +
                       " bytes in memory + " + std::to_string(limits_.spillDir.empty() ? 0 : limits_.spillBytes) +
                       " bytes spilled to disk",
                   len);
    kill = true;
  }
  if (wanted_[stream] || kill) ScheduleFlushLocked(lock);
  if (lock.owns_lock()) lock.unlock();
  if (kill) KillForOverflow();
}

void ExecCore::OverflowLocked(const std::string& why, size_t len) {
  overflowed_ = true;
  reason_ = why;
  droppedBytes_ += len;
}

void ExecCore::KillForOverflow() {
  // From the drain thread: libboxlite's kill only queues a task (ABI §6),
  // so this never waits. Its callback has no state to reach.
  WithHandle([&](bl_execution* h) {
    bl_error err{BL_OK, nullptr};
    core_->api().boxlite_execution_kill(h, &IgnoreKillDone, nullptr, &err);
    core_->api().boxlite_error_free(&err);
  });
}

void ExecCore::ScheduleFlushLocked(std::unique_lock<std::mutex>& lock) {
  if (flushPending_) return;
  flushPending_ = true;
  lock.unlock();
  auto* event = new FlushEvent(shared_from_this());
  if (!core_->Post(event)) delete event;  // env tearing down: nobody to deliver to
}

void ExecCore::ReleaseHandedOver() {
  // Not kept for the next hand-off: a kept block (up to the window) per
  // stream of every execution still referenced was the largest per-execution
  // cost (README "Limits and guarantees": memory per execution).
  for (OutputChunks& spent : js_) OutputChunks().swap(spent);
}

void ExecCore::Want(int stream) {
  std::unique_lock<std::mutex> lock(bufMu_);
  // The Readable asks again: it has passed on what it was handed last.
  ReleaseHeldByJs(stream);
  wanted_[stream] = true;
  if (!spool_[stream].empty() || exited_) ScheduleFlushLocked(lock);
}

bool ExecCore::ReadPending() {
  std::lock_guard<std::mutex> lock(bufMu_);
  return (wanted_[kStdout] && !spool_[kStdout].empty()) || (wanted_[kStderr] && !spool_[kStderr].empty());
}

void ExecCore::LetGo(int stream) {
  std::lock_guard<std::mutex> lock(bufMu_);
  ReleaseHeldByJs(stream);
}

void ExecCore::Discard(int stream) {
  std::unique_lock<std::mutex> lock(bufMu_);
  discarded_[stream] = true;
  wanted_[stream] = false;
  ClearSpool(stream);
  ReleaseHeldByJs(stream);
  if (exited_) ScheduleFlushLocked(lock);
}

ExecCore::Output ExecCore::TakeOutput(bool everything) {
  ReleaseHandedOver();
  Output result;
  std::string spillError;
  std::unique_lock<std::mutex> lock(bufMu_);
  flushPending_ = false;
  // At exit with nothing on disk, memory goes to JS unasked: it is already
  // within the window, and wait() must not hang on a reader that never reads
  // a small output.
  const bool flushMemory = everything || (exited_ && spool_[0].spilledBytes() == 0 && spool_[1].spilledBytes() == 0);
  for (int s = 0; s < 2; ++s) {
    OutputSpool& spool = spool_[s];
    if (spool.empty() || !(wanted_[s] || flushMemory)) continue;
    if (!wanted_[s] && spool.memoryBytes() == 0) continue;
    // Asked for: one block per request (_read asks again). Unasked (at exit,
    // nothing spilled): all of memory at once, so wait() needs no reader.
    const size_t most = wanted_[s] ? kBlockBytes : SIZE_MAX;
    wanted_[s] = false;
    lastTake_[s] = std::chrono::steady_clock::now();
    const uint64_t spilledBefore = spool.spilledBytes();
    // Bytes handed over from memory stay counted against the runtime's
    // budget until the Readable asks again (Want) or is gone: a Readable
    // nobody reads holds them, so they are held runtime-wide, not per
    // execution. Bytes read back from the spill file were never counted in
    // memory; they are at most one kBlockBytes block per stream.
    heldByJs_[s] += spool.TakeOldest(js_[s], most, &spillError);
    core_->ReleaseOutputSpill(spilledBefore - spool.spilledBytes());
    if (!js_[s].empty()) result.data[s] = &js_[s];
    if (!spillError.empty()) {
      // The file failed under us: what it held is gone. Say so and end.
      ClearSpool(s);
      if (!overflowed_) OverflowLocked("resource exhausted: " + spillError, 0);
      spillError.clear();
    }
  }
  if (everything) {
    uint64_t left = RetainedLocked();
    if (left > 0) {
      droppedBytes_ += left;
      if (reason_.empty()) reason_ = "stopped: runtime closed with unread output";
    }
    for (int s = 0; s < 2; ++s) ClearSpool(s);
  }
  const bool drained = spool_[0].empty() && spool_[1].empty();
  // The exit code goes to JS as soon as it is known (after what memory held):
  // the process is gone even if its spilled output is still unread.
  if (exited_ && !exitDelivered) {
    result.exited = true;
    result.exitCode = exitCode_;
  }
  if (exited_ && drained) {
    result.complete = true;
    // Nothing more will be spilled or read: close the files now rather than
    // when the JS object is collected.
    for (int s = 0; s < 2; ++s) ClearSpool(s);
  }
  if (result.exited && !reason_.empty()) {
    result.reason = reason_;
    if (droppedBytes_ > 0) {
      result.reason += "; the execution was killed and " + std::to_string(droppedBytes_) +
                       " bytes of output past the limit were discarded";
    }
  }
  lock.unlock();
  bufCv_.notify_all();  // room in the window for a waiting drain thread
  return result;
}

}  // namespace boxlite
