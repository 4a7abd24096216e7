// RuntimeCore: everything one libboxlite runtime handle needs on the native
// side, independent of any JS wrapper's lifetime.
//
// Threads:
//   - the JS thread issues calls, owns every promise and JS reference;
//   - one drain thread loops boxlite_runtime_drain(); libboxlite runs every
//     callback there, and callbacks only copy data and post events;
//   - blocking calls (exec, execution_free) run on the libuv pool;
//   - close runs on its own thread, then posts CloseDone.
// One TypedThreadSafeFunction carries every event to the JS thread. It is
// ref'd only while promises or executions are outstanding, so an idle or
// closed runtime never keeps the process alive.
//
// Shutdown order (RunCloseSequence): refuse new work, wait for in-flight
// blocking calls, runtime_shutdown (local runtimes), free execution handles
// while still draining (their synthetic exits must flow), stop and join the
// drain thread, dispatch what is still queued, free box handles,
// runtime_free. Only then are leftover promises rejected and the TSFN
// released, so no callback can reach freed memory.
#ifndef BOXLITE_NATIVE_RUNTIME_CORE_H
#define BOXLITE_NATIVE_RUNTIME_CORE_H

#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "events.h"
#include "library.h"

namespace boxlite {

class ExecCore;
class BoxRecord;
class NativeRuntime;

void DispatchEvent(Napi::Env env, Napi::Function, RuntimeCore* core, Event* event);

class RuntimeCore : public std::enable_shared_from_this<RuntimeCore> {
 public:
  using Tsfn = Napi::TypedThreadSafeFunction<RuntimeCore, Event, DispatchEvent>;

  // JS thread. Takes ownership of `rt` (freed on failure too).
  static std::shared_ptr<RuntimeCore> Start(Napi::Env env, std::shared_ptr<const Api> api, bl_runtime* rt,
                                            bool remote);
  RuntimeCore(std::shared_ptr<const Api> api, bl_runtime* rt, bool remote);
  ~RuntimeCore();
  RuntimeCore(const RuntimeCore&) = delete;
  RuntimeCore& operator=(const RuntimeCore&) = delete;

  const Api& api() const { return *api_; }
  bl_runtime* handle() const { return rt_; }
  // True from the moment close starts; any thread.
  bool closing() const { return closing_.load(std::memory_order_acquire); }
  // JS thread: closing or closed.
  bool IsOpen() const { return state_ == State::Open; }

  // Any thread. False when the env is tearing down (the event is not queued).
  bool Post(Event* event);
  // Stops and joins the drain thread without closing anything else: for
  // process exit (atexit), where env cleanup never runs.
  void StopDrainForExit();

  // --- JS thread ------------------------------------------------------------
  // Outstanding work keeps the loop and the JS wrapper alive.
  void BeginWork(Napi::Env env);
  void EndWork(Napi::Env env);
  // Async ops awaiting their callback (rejected as stopped if close drops them).
  void TrackOp(Napi::Env env, AsyncOp* op);
  void ForgetOp(Napi::Env env, AsyncOp* op);
  void ForgetAbandonedOp(AsyncOp* op);
  void AttachWrapper(NativeRuntime* wrapper) { wrapper_ = wrapper; }
  void DetachWrapper() { wrapper_ = nullptr; }
  Napi::Promise Close(Napi::Env env);
  // The JS wrapper was garbage-collected without close(): close in the
  // background (no promise, no JS).
  void CloseUnreferenced();

  // Execution streams: the JS listener for an execution's output and exit.
  void SetListener(Napi::Env env, const std::shared_ptr<ExecCore>& exec, Napi::Function listener);
  void DropListener(Napi::Env env, ExecCore* exec);
  // After the exit, an execution is held (its listener, and so its JS
  // objects, strongly; the event loop alive) only while one of its streams
  // has asked for output that is there to be handed over: a read in
  // progress, as a pipe being read holds a child process's stream. Otherwise
  // only its reader holds it, so an Execution dropped with unread output is
  // collected. Call whenever a stream asked, was answered or was discarded.
  void UpdateReadHold(Napi::Env env, ExecCore& exec);
  void DeliverOutput(Napi::Env env, ExecCore& exec);
  void DeliverCloseDone(Napi::Env env);

  // --- output memory shared by every execution of this runtime (any thread) --
  // Past the budget, executions spill to disk instead (ExecCore).
  bool ReserveOutputMemory(size_t bytes);
  void ReleaseOutputMemory(size_t bytes);
  void SetOutputMemoryBudget(uint64_t bytes) { outputMemoryBudget_.store(bytes, std::memory_order_relaxed); }
  // The same for spill files: past this, an execution whose output would
  // spill is ended like one past its own spill cap (ExecCore).
  bool ReserveOutputSpill(uint64_t bytes);
  void ReleaseOutputSpill(uint64_t bytes);
  uint64_t OutputSpillBudget() const { return outputSpillBudget_.load(std::memory_order_relaxed); }
  void SetOutputSpillBudget(uint64_t bytes) { outputSpillBudget_.store(bytes, std::memory_order_relaxed); }
  // Bytes of output ever written to spill files, all executions (for metrics).
  void NoteSpilled(uint64_t bytes) { spilledOutput_.fetch_add(bytes, std::memory_order_relaxed); }
  uint64_t spilledOutputBytes() const { return spilledOutput_.load(std::memory_order_relaxed); }
  // Unread output held in memory now, all executions.
  uint64_t bufferedOutputBytes() const { return outputMemory_.load(std::memory_order_relaxed); }

  // --- blocking work on the libuv pool ----------------------------------------
  // Brackets the body of a pool job that touches libboxlite handles. Called
  // by the job itself when it starts (not when queued: Node cancels queued
  // jobs at env teardown, and a count taken at queue time would then never be
  // given back). False once closing: the job must not touch any handle.
  bool BeginBlocking();
  void EndBlocking();

  // --- registries (any thread) ---------------------------------------------
  void AddExec(const std::shared_ptr<ExecCore>& exec);
  void RemoveExec(ExecCore* exec);
  void AddBox(BoxRecord* box);
  void RemoveBox(BoxRecord* box);
  // Frees every handle to box `id`, including those of JS wrappers that are
  // unreachable but not yet finalized: libboxlite hands out the same spent
  // handle after stop() while any handle to the box is alive.
  void ReleaseBoxHandles(const std::string& id);

 private:
  enum class State { Open, Closing, Closed };

  void DrainLoop();
  void BeginClose();
  void RunCloseSequence();
  void FinishClose(Napi::Env env, bool canCallJs);
  void ReapExecution(Napi::Env env, const std::shared_ptr<ExecCore>& exec);
  static void OnEnvCleanup(void* arg);

  std::shared_ptr<const Api> api_;
  bl_runtime* rt_;
  const bool remote_;
  Tsfn tsfn_;
  napi_env env_ = nullptr;

  std::atomic<bool> closing_{false};
  std::atomic<bool> stopDrain_{false};
  std::mutex drainJoinMu_;  // the close thread and atexit may both join
  std::thread drainThread_;
  std::thread closeThread_;

  // JS thread only.
  State state_ = State::Open;
  bool cleanupHookInstalled_ = false;
  int outstanding_ = 0;
  NativeRuntime* wrapper_ = nullptr;
  std::unordered_set<AsyncOp*> ops_;
  // Executions whose output is not complete yet, with their JS listener.
  struct Listener {
    Napi::FunctionReference fn;
    std::shared_ptr<ExecCore> exec;
    bool readHeld = false;  // UpdateReadHold: a strong reference and a BeginWork
  };
  std::unordered_map<const ExecCore*, Listener> listeners_;
  std::vector<Napi::Promise::Deferred> closeWaiters_;

  std::mutex busyMu_;
  std::condition_variable busyCv_;
  int busy_ = 0;

  // Executions whose callbacks may still fire; their user_data must live
  // until the exit is dispatched and the handle freed, or until runtime_free.
  std::mutex execMu_;
  std::unordered_map<ExecCore*, std::shared_ptr<ExecCore>> execs_;

  std::atomic<uint64_t> outputMemory_{0};
  std::atomic<uint64_t> outputMemoryBudget_{64ull << 20};
  std::atomic<uint64_t> outputSpill_{0};
  std::atomic<uint64_t> outputSpillBudget_{2ull << 30};
  std::atomic<uint64_t> spilledOutput_{0};

  std::mutex boxMu_;
  std::unordered_set<BoxRecord*> boxes_;
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_RUNTIME_CORE_H
