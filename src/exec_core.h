// ExecCore: one execution's native state: its libboxlite handle and the
// stdout/stderr/exit hand-off from the drain thread to the JS thread.
//
// Output policy (README "Limits and guarantees"):
//   - The drain thread never waits for a reader that does not read:
//     libboxlite's queue must keep moving (ABI §2). (For a stream being read
//     right now it waits at most 100 ms per chunk for room in the window, so a
//     fast reader is fed from memory; see kMaxWaitForReader.) Each chunk is
//     appended to the stream's OutputSpool:
//     memory while the execution's window (limits.memoryBytes) and the
//     runtime's shared budget allow, else the spill file (limits.spillBytes).
//   - JS pulls: a stream's bytes are handed over only after its Readable
//     asked (Want, from _read), one block per request, so a reader that does
//     not read leaves its output here, bounded, instead of in JS memory.
//   - Past both caps the execution is killed from the drain thread, the
//     bytes that did not fit are counted, and the exit carries a reason.
//     Nothing is dropped silently; a reader that keeps up never overflows.
//   - Ordering: libboxlite's Exit is the barrier. At exit, what is still in
//     memory is handed over without waiting for a request (it is already
//     counted against the window), then the exit code (the process is gone);
//     spilled bytes still wait for the reader, and `complete` follows the
//     last of them. The JS facade resolves wait() at `complete`.
#ifndef BOXLITE_NATIVE_EXEC_CORE_H
#define BOXLITE_NATIVE_EXEC_CORE_H

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "boxlite_abi.h"
#include "output_spool.h"

namespace boxlite {

class RuntimeCore;
struct Api;

struct OutputLimits {
  // Unread output kept in memory for one execution (both streams).
  size_t memoryBytes = 8u << 20;
  // Unread output spilled to disk for one execution (both streams).
  uint64_t spillBytes = 1ull << 30;
  // Where spill files are created (unlinked at once); empty: never spill.
  std::string spillDir;
};

class ExecCore : public std::enable_shared_from_this<ExecCore> {
 public:
  static constexpr int kStdout = 0;
  static constexpr int kStderr = 1;

  ExecCore(RuntimeCore* core, OutputLimits limits) : core_(core), limits_(std::move(limits)) {}
  ~ExecCore();

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

  // One hand-off to JS. Data pointers refer to this execution's JS-side
  // chunks (null when nothing for that stream); valid until the next take.
  struct Output {
    const OutputChunks* data[2] = {nullptr, nullptr};
    bool exited = false;    // the exit code is handed over now (once; output may follow)
    int exitCode = 0;
    std::string reason;     // why the execution was ended (overflow), or empty
    bool complete = false;  // no output will follow (once)
  };
  // JS thread. `everything`: close is tearing down; take all memory, drop
  // the rest (reported in reason) and complete.
  Output TakeOutput(bool everything = false);
  // JS thread: the last hand-off was copied into JS; free its buffers.
  void ReleaseHandedOver();
  // JS thread: the stream's Readable wants one more block.
  void Want(int stream);
  // JS thread: a stream has asked for output and has some to be handed over.
  bool ReadPending();
  // JS thread: the stream's Readable is gone; its bytes are not wanted.
  void Discard(int stream);
  // JS thread: the stream's Readable passed on everything it was handed
  // (read to its end); only the budget accounting changes.
  void LetGo(int stream);

  // Bytes of this execution's output ever written to its spill files (any thread).
  uint64_t SpilledTotal() {
    std::lock_guard<std::mutex> lock(bufMu_);
    return spilledTotal_;
  }

  // JS thread only.
  bool exitDelivered = false;
  bool completeDelivered = false;

 private:
  static void OnStdout(const uint8_t* data, size_t len, void* ud) noexcept;
  static void OnStderr(const uint8_t* data, size_t len, void* ud) noexcept;
  static void OnExit(int exitCode, void* ud) noexcept;
  void Append(int stream, const uint8_t* data, size_t len);
  // Under bufMu_: records the overflow; the caller kills after unlocking.
  void OverflowLocked(const std::string& why, size_t len);
  void KillForOverflow();
  void ScheduleFlushLocked(std::unique_lock<std::mutex>& lock);
  uint64_t RetainedLocked() const;
  // Under bufMu_ (or in the destructor): empty the stream's spool and give
  // its memory and spill bytes back to the runtime's budgets.
  void ClearSpool(int stream);
  // Under bufMu_ (or in the destructor): the JS side let go of what it was handed.
  void ReleaseHeldByJs(int stream);

  RuntimeCore* core_;
  const OutputLimits limits_;

  std::mutex handleMu_;
  bl_execution* handle_ = nullptr;

  std::mutex bufMu_;
  std::condition_variable bufCv_;
  OutputSpool spool_[2];
  std::chrono::steady_clock::time_point lastTake_[2];
  OutputChunks js_[2];  // JS side: what the last TakeOutput handed over, until copied
  // Handed to JS from memory and still counted against the runtime budget
  // (until the stream's Readable asks again, is discarded, or this dies).
  uint64_t heldByJs_[2] = {0, 0};
  bool wanted_[2] = {false, false};
  bool discarded_[2] = {false, false};
  bool flushPending_ = false;
  bool exited_ = false;
  int exitCode_ = 0;
  bool overflowed_ = false;
  std::string reason_;
  uint64_t droppedBytes_ = 0;
  uint64_t spilledTotal_ = 0;  // guarded by bufMu_
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_EXEC_CORE_H
