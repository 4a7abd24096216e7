// ExecCore: one execution's native state: its libboxlite handle and the
// stdout/stderr/exit hand-off from the drain thread to the JS thread.
//
// Output chunks are appended to per-stream buffers under a mutex; at most one
// flush event per execution is in flight, so a burst of small chunks becomes
// one JS call. The JS thread copies out of a second pair of buffers (swapped
// in under the lock), so native memory is reused, never handed over: handing
// it over (zero-copy) made the drain thread fault in fresh pages for every
// hand-off, which cost more than the copy. Exit rides the same buffer state,
// so the JS side always sees every byte before the exit code (libboxlite
// dispatches Exit strictly after the registered streams).
#ifndef BOXLITE_NATIVE_EXEC_CORE_H
#define BOXLITE_NATIVE_EXEC_CORE_H

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "boxlite_abi.h"

namespace boxlite {

class RuntimeCore;
struct Api;

class ExecCore : public std::enable_shared_from_this<ExecCore> {
 public:
  explicit ExecCore(RuntimeCore* core) : core_(core) {}

  // Worker thread, right after boxlite_box_exec: adopt the handle and
  // register stdout, stderr, then exit (ABI §6 order: only streams registered
  // before on_exit are guaranteed to finish before Exit).
  bl_code Adopt(const Api& api, bl_execution* handle, bl_error* err);

  // Hands the handle to whoever frees it (reaper or close); null if gone.
  bl_execution* TakeHandle();

  // Runs fn(handle) under the per-handle lock (libboxlite does not serialize
  // calls on one execution). Returns false, without calling, once the handle
  // is gone.
  template <typename Fn>
  bool WithHandle(Fn&& fn) {
    std::lock_guard<std::mutex> lock(handleMu_);
    if (handle_ == nullptr) return false;
    fn(handle_);
    return true;
  }

  // One hand-off to JS. `out`/`err` point at this execution's JS-side
  // buffers (null when empty); they stay valid until the next TakeOutput.
  struct Output {
    const std::string* out = nullptr;
    const std::string* err = nullptr;
    bool exited = false;
    int exitCode = 0;
  };
  // JS thread: everything buffered so far (and the exit, once it arrived).
  // Swaps the drain side's buffers with the JS side's, so both keep their
  // capacity: a long stream reuses the same memory instead of faulting in
  // fresh pages for every hand-off.
  Output TakeOutput();
  // JS thread, after the exit was delivered: nothing more will be handed off.
  void ReleaseBuffers();

  // Close: stop making the drain thread wait for the JS thread.
  void Wake();

  // JS thread only.
  bool exitDelivered = false;

 private:
  static void OnStdout(const uint8_t* data, size_t len, void* ud);
  static void OnStderr(const uint8_t* data, size_t len, void* ud);
  static void OnExit(int exitCode, void* ud);
  void Append(std::string& buffer, const uint8_t* data, size_t len);
  void ScheduleFlushLocked(std::unique_lock<std::mutex>& lock);

  RuntimeCore* core_;

  std::mutex handleMu_;
  bl_execution* handle_ = nullptr;

  std::mutex bufMu_;
  std::condition_variable bufCv_;
  std::string out_;  // drain side (under bufMu_)
  std::string err_;
  std::string jsOut_;  // JS side: what the last TakeOutput handed over
  std::string jsErr_;
  bool flushPending_ = false;
  bool exited_ = false;
  int exitCode_ = 0;
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_EXEC_CORE_H
