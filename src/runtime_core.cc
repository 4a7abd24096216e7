#include "runtime_core.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "addon_data.h"
#include "box_record.h"
#include "c_callback.h"
#include "exec_core.h"
#include "js_runtime.h"

namespace boxlite {
namespace {

// boxlite_runtime_drain(>0) returns only after the full timeout, so this is
// also the longest close() waits for the drain thread to notice its stop flag.
constexpr int kDrainTimeoutMs = 50;
// Local runtimes stop their non-detached boxes on close (as libboxlite's own
// SDKs do); this bounds how long that may take.
constexpr int kShutdownTimeoutSecs = 10;

// Runs a libboxlite teardown call that must not be skipped halfway. A C++
// exception is not supposed to cross the C ABI, but if the library throws
// anyway, the rest of the teardown (and its bookkeeping) still has to run:
// log it and go on.
template <typename Call>
void TeardownCall(const char* what, Call&& call) {
  try {
    call();
  } catch (const std::exception& e) {
    fprintf(stderr, "boxlite-native: %s threw: %s\n", what, e.what());
  } catch (...) {
    fprintf(stderr, "boxlite-native: %s threw an unknown exception\n", what);
  }
}

class CloseDoneEvent : public Event {
 public:
  void Dispatch(Napi::Env env, RuntimeCore& core) override { core.DeliverCloseDone(env); }
};

// The close thread waits here for boxlite_runtime_shutdown's callback. Lives
// on the close thread's stack until after runtime_free, so a late callback
// still finds it.
struct ShutdownWait {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;

  static void OnDone(bl_error* /*err*/, void* ud) noexcept {
    GuardCallback("shutdown", [&] {
      auto* self = static_cast<ShutdownWait*>(ud);
      std::lock_guard<std::mutex> lock(self->mu);
      self->done = true;
      self->cv.notify_all();
    });
  }
  void WaitFor(std::chrono::seconds limit) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, limit, [this] { return done; });
  }
};

// boxlite_execution_free may block (ABI §6), so it never runs on the JS
// thread, and never on the drain thread (it can wait for the queue).
class ReapWorker : public Napi::AsyncWorker {
 public:
  ReapWorker(Napi::Env env, std::shared_ptr<RuntimeCore> core, std::shared_ptr<ExecCore> exec)
      : Napi::AsyncWorker(env, "boxlite:execution_free"), core_(std::move(core)), exec_(std::move(exec)) {}

  void Execute() override {
    // Once closing, the close sequence frees every handle still registered.
    if (!core_->BeginBlocking()) return;
    if (bl_execution* handle = exec_->TakeHandle()) {
      // A skipped EndBlocking would hang close() forever.
      TeardownCall("boxlite_execution_free", [&] { core_->api().boxlite_execution_free(handle); });
    }
    core_->RemoveExec(exec_.get());
    core_->EndBlocking();
  }
  void OnOK() override {}

 private:
  std::shared_ptr<RuntimeCore> core_;
  std::shared_ptr<ExecCore> exec_;
};

// Output goes to JS copied into Buffers of at most OutputChunk::kMaxBytes of
// data (the size Node itself reads pipes with, served by malloc from
// recycled memory: larger ones would be mmap'd and faulted in afresh), each
// with a spare byte in front of the data: lib/runtime pushes the Buffer from
// offset 1, and the REST attach writes its channel byte into the spare one,
// so [channel] + data goes out as one WebSocket message without copying the
// data a second time (lib/runtime/chunk-headroom.ts). Chunks are packed:
// many small ones (a command writing a little at a time) become few Buffers,
// so JS pays its costs per Buffer (a push, a 'data' event) per 64 KiB, for
// the same one copy.
Napi::Value ToBuffer(Napi::Env env, const OutputChunks* chunks) {
  if (chunks == nullptr) return env.Undefined();
  size_t total = 0;
  for (const OutputChunk& chunk : *chunks) total += chunk.size();
  if (total == 0) return env.Undefined();
  const size_t count = (total + OutputChunk::kMaxBytes - 1) / OutputChunk::kMaxBytes;
  Napi::Array list;
  if (count > 1) list = Napi::Array::New(env, count);
  Napi::Value last;
  size_t from = 0;  // bytes of chunks->at(next) already packed
  auto next = chunks->begin();
  for (size_t i = 0; i < count; ++i) {
    const size_t length = std::min(OutputChunk::kMaxBytes, total - i * OutputChunk::kMaxBytes);
    Napi::Buffer<char> buffer = Napi::Buffer<char>::New(env, length + 1);
    char* to = buffer.Data();
    *to++ = 0;  // the spare byte
    for (size_t left = length; left > 0;) {
      const size_t n = std::min(left, next->size() - from);
      std::memcpy(to, next->data() + from, n);
      to += n;
      left -= n;
      from += n;
      if (from == next->size()) {
        ++next;
        from = 0;
      }
    }
    if (count > 1) list.Set(static_cast<uint32_t>(i), buffer);
    last = buffer;
  }
  return count > 1 ? Napi::Value(list) : last;
}

// listener(stdout?, stderr?, exitCode?, complete, reason?)
void CallListener(Napi::Env env, Napi::FunctionReference& fn, const ExecCore::Output& out,
                  bool giveExit, int exitCode, bool complete) {
  fn.Call({ToBuffer(env, out.data[ExecCore::kStdout]), ToBuffer(env, out.data[ExecCore::kStderr]),
           giveExit ? Napi::Value(Napi::Number::New(env, exitCode)) : env.Undefined(), Napi::Boolean::New(env, complete),
           giveExit && !out.reason.empty() ? Napi::Value(Napi::String::New(env, out.reason)) : env.Undefined()});
}

// Cores whose drain thread may be running. process.exit() skips env cleanup,
// so an atexit hook stops those threads before static destructors run.
std::mutex& LiveMutex() {
  static auto* mu = new std::mutex();
  return *mu;
}
std::unordered_set<RuntimeCore*>& LiveCores() {
  static auto* cores = new std::unordered_set<RuntimeCore*>();
  return *cores;
}

// Shows up in top -H, gdb and /proc/<pid>/task/*/comm.
void NameThisThread(const char* name) {
#if defined(__APPLE__)
  pthread_setname_np(name);
#else
  pthread_setname_np(pthread_self(), name);
#endif
}

}  // namespace

void DispatchEvent(Napi::Env env, Napi::Function /*unused*/, RuntimeCore* core, Event* event) {
  std::unique_ptr<Event> owned(event);
  if (event == nullptr || core == nullptr) return;
  if (env == nullptr) {
    event->Abandon(*core);
    return;
  }
  try {
    event->Dispatch(env, *core);
  } catch (const Napi::Error& e) {
    // A JS listener threw: surface it as an uncaught exception, as Node does
    // for throwing event handlers. (Rethrowing from a TSFN callback would only
    // print a DEP0168 warning and lose the user's error.)
    napi_fatal_exception(env, e.Value());
  } catch (const std::exception& e) {
    // Native failure (e.g. bad_alloc): a JS error, never an unwind through
    // libuv's C frames.
    napi_fatal_exception(env, Napi::Error::New(env, std::string("boxlite-native: ") + e.what()).Value());
  } catch (...) {
    napi_fatal_exception(env, Napi::Error::New(env, "boxlite-native: unknown native exception").Value());
  }
}

std::shared_ptr<RuntimeCore> RuntimeCore::Start(Napi::Env env, std::shared_ptr<const Api> api, bl_runtime* rt,
                                                bool remote) {
  auto core = std::make_shared<RuntimeCore>(std::move(api), rt, remote);
  // The TSFN owns a reference to the core: queued events may outlive every
  // JS wrapper, and the core must outlive them.
  auto* holder = new std::shared_ptr<RuntimeCore>(core);
  try {
    core->tsfn_ = Tsfn::New(
        env, "boxlite:runtime", 0, 1, core.get(),
        [](Napi::Env, std::shared_ptr<RuntimeCore>* h, RuntimeCore*) { delete h; }, holder);
  } catch (...) {
    delete holder;
    throw;  // ~RuntimeCore frees rt
  }
  core->env_ = env;
  core->tsfn_.Unref(env);
  // Registered after the TSFN, so env teardown runs it before the TSFN's own
  // cleanup: the drain thread is stopped while the TSFN is still valid.
  if (napi_add_env_cleanup_hook(env, &RuntimeCore::OnEnvCleanup, core.get()) == napi_ok) {
    core->cleanupHookInstalled_ = true;
  }
  {
    static std::once_flag atexitOnce;
    std::call_once(atexitOnce, [] {
      std::atexit([] {
        std::lock_guard<std::mutex> lock(LiveMutex());
        for (RuntimeCore* c : LiveCores()) c->StopDrainForExit();
      });
    });
    std::lock_guard<std::mutex> lock(LiveMutex());
    LiveCores().insert(core.get());
  }
  core->drainThread_ = std::thread([c = core.get()] { c->DrainLoop(); });
  return core;
}

RuntimeCore::RuntimeCore(std::shared_ptr<const Api> api, bl_runtime* rt, bool remote)
    : api_(std::move(api)), rt_(rt), remote_(remote) {}

RuntimeCore::~RuntimeCore() {
  {
    std::lock_guard<std::mutex> lock(LiveMutex());
    LiveCores().erase(this);
  }
  // Only reached with threads still joinable if Start failed half-way.
  StopDrainForExit();
  if (closeThread_.joinable()) closeThread_.join();
  if (rt_ != nullptr) api_->boxlite_runtime_free(rt_);
}

void RuntimeCore::DrainLoop() {
  NameThisThread("boxlite-drain");
  while (!stopDrain_.load(std::memory_order_acquire)) {
    bl_error err{BL_OK, nullptr};
    int dispatched = api_->boxlite_runtime_drain(rt_, kDrainTimeoutMs, &err);
    api_->boxlite_error_free(&err);
    if (dispatched < 0) break;  // only for a NULL runtime; never spin on it
  }
}

void RuntimeCore::StopDrainForExit() {
  closing_.store(true, std::memory_order_release);
  stopDrain_.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> lock(drainJoinMu_);
  if (drainThread_.joinable()) drainThread_.join();
}

bool RuntimeCore::Post(Event* event) { return tsfn_.NonBlockingCall(event) == napi_ok; }

void RuntimeCore::BeginWork(Napi::Env env) {
  if (state_ == State::Closed) return;
  if (outstanding_++ == 0) {
    tsfn_.Ref(env);
    if (wrapper_ != nullptr) wrapper_->Ref();
  }
}

void RuntimeCore::EndWork(Napi::Env env) {
  if (state_ == State::Closed || outstanding_ == 0) return;
  if (--outstanding_ == 0) {
    tsfn_.Unref(env);
    if (wrapper_ != nullptr) wrapper_->Unref();
  }
}

void RuntimeCore::TrackOp(Napi::Env env, AsyncOp* op) {
  ops_.insert(op);
  BeginWork(env);
}

void RuntimeCore::ForgetOp(Napi::Env env, AsyncOp* op) {
  if (ops_.erase(op) != 0) EndWork(env);
}

void RuntimeCore::ForgetAbandonedOp(AsyncOp* op) { ops_.erase(op); }

Napi::Promise RuntimeCore::Close(Napi::Env env) {
  auto deferred = Napi::Promise::Deferred::New(env);
  if (state_ == State::Closed) {
    deferred.Resolve(env.Undefined());
    return deferred.Promise();
  }
  closeWaiters_.push_back(deferred);
  if (state_ == State::Open) {
    BeginWork(env);  // keep the loop alive until CloseDone
    BeginClose();
  }
  return deferred.Promise();
}

void RuntimeCore::CloseUnreferenced() {
  if (state_ == State::Open) BeginClose();
}

void RuntimeCore::BeginClose() {
  state_ = State::Closing;
  closing_.store(true, std::memory_order_release);
  closeThread_ = std::thread([this] {
    NameThisThread("boxlite-close");
    RunCloseSequence();
    auto* done = new CloseDoneEvent();
    if (!Post(done)) delete done;  // env teardown: OnEnvCleanup finishes instead
  });
}

void RuntimeCore::RunCloseSequence() {
  {
    std::unique_lock<std::mutex> lock(busyMu_);
    busyCv_.wait(lock, [this] { return busy_ == 0; });
  }
  ShutdownWait shutdown;
  if (!remote_) {
    // A REST runtime's boxes belong to the server; only local ones stop.
    bl_error err{BL_OK, nullptr};
    bl_code rc = api_->boxlite_runtime_shutdown(rt_, kShutdownTimeoutSecs, &ShutdownWait::OnDone, &shutdown, &err);
    api_->boxlite_error_free(&err);
    if (rc == BL_OK) shutdown.WaitFor(std::chrono::seconds(kShutdownTimeoutSecs + 5));
  }
  // Free executions while the drain thread still runs: execution_free may
  // push a synthetic Exit and would spin on a full, undrained queue.
  std::vector<std::shared_ptr<ExecCore>> execs;
  {
    std::lock_guard<std::mutex> lock(execMu_);
    for (auto& entry : execs_) execs.push_back(entry.second);
  }
  for (auto& exec : execs) {
    if (bl_execution* handle = exec->TakeHandle()) {
      TeardownCall("boxlite_execution_free", [&] { api_->boxlite_execution_free(handle); });
    }
  }
  stopDrain_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(drainJoinMu_);
    if (drainThread_.joinable()) drainThread_.join();
  }
  // Dispatch whatever was queued after the last drain (e.g. those exits).
  bl_error err{BL_OK, nullptr};
  api_->boxlite_runtime_drain(rt_, 0, &err);
  api_->boxlite_error_free(&err);
  {
    // Held across Release so a record cannot be destroyed meanwhile.
    std::lock_guard<std::mutex> lock(boxMu_);
    for (BoxRecord* box : boxes_) box->Release();
  }
  api_->boxlite_runtime_free(rt_);
  rt_ = nullptr;
}

void RuntimeCore::DeliverCloseDone(Napi::Env env) {
  if (closeThread_.joinable()) closeThread_.join();
  if (state_ != State::Closed) FinishClose(env, true);
}

void RuntimeCore::FinishClose(Napi::Env env, bool canCallJs) {
  // Calls whose callbacks runtime_free dropped will never complete. (Posted
  // ones were dispatched before CloseDone, or get abandoned at teardown.)
  std::vector<AsyncOp*> dropped;
  for (AsyncOp* op : ops_) {
    if (!op->posted()) dropped.push_back(op);
  }
  for (AsyncOp* op : dropped) ops_.erase(op);

  std::vector<std::shared_ptr<ExecCore>> execs;
  {
    std::lock_guard<std::mutex> lock(execMu_);
    for (auto& entry : execs_) execs.push_back(entry.second);
    execs_.clear();
  }
  std::unordered_map<const ExecCore*, Listener> listeners = std::move(listeners_);
  listeners_.clear();

  // Every step below runs even if JS throws (or cannot run, while a worker
  // is terminated); the first error is rethrown at the end.
  std::exception_ptr firstThrow;
  auto guarded = [&firstThrow](auto&& step) {
    try {
      step();
    } catch (...) {
      if (!firstThrow) firstThrow = std::current_exception();
    }
  };
  state_ = State::Closed;
  if (outstanding_ > 0) {
    outstanding_ = 0;
    tsfn_.Unref(env);
    if (wrapper_ != nullptr) guarded([&] { wrapper_->Unref(); });
  }
  if (cleanupHookInstalled_) {
    napi_remove_env_cleanup_hook(env, &RuntimeCore::OnEnvCleanup, this);
    cleanupHookInstalled_ = false;
  }
  {
    std::lock_guard<std::mutex> lock(LiveMutex());
    LiveCores().erase(this);
  }
  std::vector<Napi::Promise::Deferred> waiters = std::move(closeWaiters_);
  closeWaiters_.clear();

  if (canCallJs) {
    for (AsyncOp* op : dropped) guarded([&] { op->RejectStopped(env); });
    // An execution whose Exit never arrived was torn down with the runtime:
    // report it the way execution_free would (-129), after what is still in
    // memory. Spilled bytes nobody read are dropped, and the reason says so.
    for (auto& entry : listeners) {
      ExecCore& exec = *entry.second.exec;
      if (exec.completeDelivered) continue;
      guarded([&] {
        ExecCore::Output out = exec.TakeOutput(/*everything=*/true);
        bool giveExit = !exec.exitDelivered;
        exec.exitDelivered = exec.completeDelivered = true;
        CallListener(env, entry.second.fn, out, giveExit, out.exited ? out.exitCode : -129, true);
        exec.ReleaseHandedOver();
      });
    }
    for (auto& waiter : waiters) guarded([&] { waiter.Resolve(env.Undefined()); });
  }
  for (AsyncOp* op : dropped) delete op;
  tsfn_.Release();
  if (firstThrow) std::rethrow_exception(firstThrow);
}

void RuntimeCore::OnEnvCleanup(void* arg) {
  auto* core = static_cast<RuntimeCore*>(arg);
  core->cleanupHookInstalled_ = false;  // being run; nothing to remove
  if (core->state_ == State::Open) {
    core->state_ = State::Closing;
    core->closing_.store(true, std::memory_order_release);
    core->RunCloseSequence();
  } else if (core->closeThread_.joinable()) {
    core->closeThread_.join();
  }
  if (core->state_ != State::Closed) core->FinishClose(Napi::Env(core->env_), false);
}

void RuntimeCore::SetListener(Napi::Env /*env*/, const std::shared_ptr<ExecCore>& exec, Napi::Function listener) {
  listeners_[exec.get()] = Listener{Napi::Persistent(listener), exec};
}

void RuntimeCore::DropListener(Napi::Env env, ExecCore* exec) {
  auto it = listeners_.find(exec);
  if (it == listeners_.end()) return;
  if (it->second.readHeld) EndWork(env);
  listeners_.erase(it);
}

void RuntimeCore::UpdateReadHold(Napi::Env env, ExecCore& exec) {
  if (!exec.exitDelivered || exec.completeDelivered) return;  // before the exit, the listener is held anyway
  auto it = listeners_.find(&exec);
  if (it == listeners_.end()) return;
  Listener& listener = it->second;
  const bool hold = exec.ReadPending();
  if (hold == listener.readHeld) return;
  listener.readHeld = hold;
  if (hold) {
    listener.fn.Ref();
    BeginWork(env);
  } else {
    listener.fn.Unref();
    EndWork(env);
  }
}

namespace {
// Adds `bytes` to `used` unless that would pass `budget`: one atomic step, so
// concurrent reservations can never overshoot together.
bool TryReserve(std::atomic<uint64_t>& used, const std::atomic<uint64_t>& budget, uint64_t bytes) {
  const uint64_t limit = budget.load(std::memory_order_relaxed);
  uint64_t now = used.load(std::memory_order_relaxed);
  do {
    if (now + bytes > limit) return false;
  } while (!used.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
  return true;
}
}  // namespace

bool RuntimeCore::ReserveOutputMemory(size_t bytes) { return TryReserve(outputMemory_, outputMemoryBudget_, bytes); }

void RuntimeCore::ReleaseOutputMemory(size_t bytes) {
  if (bytes > 0) outputMemory_.fetch_sub(bytes, std::memory_order_relaxed);
}

bool RuntimeCore::ReserveOutputSpill(uint64_t bytes) { return TryReserve(outputSpill_, outputSpillBudget_, bytes); }

void RuntimeCore::ReleaseOutputSpill(uint64_t bytes) {
  if (bytes > 0) outputSpill_.fetch_sub(bytes, std::memory_order_relaxed);
}

void RuntimeCore::DeliverOutput(Napi::Env env, ExecCore& exec) {
  if (exec.completeDelivered) return;
  auto it = listeners_.find(&exec);
  if (it != listeners_.end() && it->second.fn.Value().IsEmpty()) {
    // The Execution was garbage-collected after its exit (the reference is
    // weak by then): nobody can read the rest. Release it now.
    exec.Discard(ExecCore::kStdout);
    exec.Discard(ExecCore::kStderr);
    exec.completeDelivered = true;
    DropListener(env, &exec);
    return;
  }
  ExecCore::Output out = exec.TakeOutput();
  std::exception_ptr thrown;
  if (it != listeners_.end() && (out.data[0] || out.data[1] || out.exited || out.complete)) {
    try {
      CallListener(env, it->second.fn, out, out.exited, out.exitCode, out.complete);
    } catch (...) {
      thrown = std::current_exception();
    }
  }
  exec.ReleaseHandedOver();  // copied into JS Buffers (or nobody listens)
  if (out.exited) {
    exec.exitDelivered = true;
    // The process is gone and libboxlite will call nothing more: free the
    // handle now, and stop keeping the loop alive (unread spilled output
    // must not keep a process from exiting, as an unread pipe would not).
    EndWork(env);
    ReapExecution(env, exec.shared_from_this());
    // From now on only a read in progress keeps this execution (held again
    // below while one is pending: UpdateReadHold): an Execution dropped with
    // unread output must be collectable (NativeExecution's finalizer then
    // discards what is held).
    auto held = listeners_.find(&exec);
    if (held != listeners_.end() && !out.complete) held->second.fn.Unref();
  }
  if (out.complete) {
    exec.completeDelivered = true;
    DropListener(env, &exec);
  } else {
    UpdateReadHold(env, exec);
  }
  if (thrown) std::rethrow_exception(thrown);
}

void RuntimeCore::ReapExecution(Napi::Env env, const std::shared_ptr<ExecCore>& exec) {
  // Once closing, the close sequence frees every handle still registered.
  if (closing()) return;
  auto* worker = new ReapWorker(env, shared_from_this(), exec);
  worker->Queue();
}

bool RuntimeCore::BeginBlocking() {
  std::lock_guard<std::mutex> lock(busyMu_);
  if (closing()) return false;
  ++busy_;
  return true;
}

void RuntimeCore::EndBlocking() {
  std::lock_guard<std::mutex> lock(busyMu_);
  if (--busy_ == 0) busyCv_.notify_all();
}

void RuntimeCore::AddExec(const std::shared_ptr<ExecCore>& exec) {
  std::lock_guard<std::mutex> lock(execMu_);
  execs_[exec.get()] = exec;
}

void RuntimeCore::RemoveExec(ExecCore* exec) {
  std::shared_ptr<ExecCore> last;  // destroyed outside the lock
  std::lock_guard<std::mutex> lock(execMu_);
  auto it = execs_.find(exec);
  if (it == execs_.end()) return;
  last = std::move(it->second);
  execs_.erase(it);
}

void RuntimeCore::AddBox(BoxRecord* box) {
  std::lock_guard<std::mutex> lock(boxMu_);
  boxes_.insert(box);
}

void RuntimeCore::RemoveBox(BoxRecord* box) {
  std::lock_guard<std::mutex> lock(boxMu_);
  boxes_.erase(box);
}

void RuntimeCore::ReleaseBoxHandles(const std::string& id) {
  // Held across Release so a record cannot be destroyed meanwhile.
  std::lock_guard<std::mutex> lock(boxMu_);
  for (BoxRecord* box : boxes_) {
    if (box->id() == id) box->Release();
  }
}

}  // namespace boxlite
