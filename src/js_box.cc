#include "js_box.h"

#include <cmath>
#include <utility>
#include <vector>

#include "addon_data.h"
#include "box_record.h"
#include "exec_core.h"
#include "js_args.h"
#include "js_execution.h"
#include "ops.h"
#include "promise_util.h"
#include "runtime_core.h"

namespace boxlite {
namespace {

const char* const kReleasedMessage =
    "invalid state: this box handle was released; use runtime.getBox() for a new one";

// An exec request read from JS; owns every string the bl_command points to.
struct ExecSpec {
  std::string command;
  std::vector<std::string> args;
  std::vector<std::string> envPairs;  // k0, v0, k1, v1, ...
  bool hasWorkdir = false;
  std::string workdir;
  bool hasUser = false;
  std::string user;
  double timeoutSecs = 0;
  bool tty = false;
  OutputLimits output;
  // The runtime-wide in-memory output budget (0: leave as is).
  double runtimeOutputMemoryBytes = 0;
  // The runtime-wide spill budget, all executions (0: leave as is).
  double runtimeOutputSpillBytes = 0;

  static ExecSpec Parse(Napi::Env env, Napi::Object o) {
    ExecSpec s;
    if (!OptionalString(o, "command", &s.command) || s.command.empty()) {
      ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("command must be a non-empty string"));
    }
    s.args = OptionalStringArray(o, "args");
    for (auto& kv : OptionalStringMap(o, "env")) {
      s.envPairs.push_back(std::move(kv.first));
      s.envPairs.push_back(std::move(kv.second));
    }
    s.hasWorkdir = OptionalString(o, "workdir", &s.workdir);
    s.hasUser = OptionalString(o, "user", &s.user);
    // Range checks (negative, NaN, infinite) are libboxlite's, with its text.
    OptionalNumber(o, "timeoutSecs", &s.timeoutSecs);
    OptionalBool(o, "tty", &s.tty);
    // Output limits (validated by lib/runtime.ts; byte counts as numbers).
    double bytes = 0;
    if (OptionalNumber(o, "outputMemoryBytes", &bytes) && bytes >= 0) s.output.memoryBytes = static_cast<size_t>(bytes);
    if (OptionalNumber(o, "outputSpillBytes", &bytes) && bytes >= 0) s.output.spillBytes = static_cast<uint64_t>(bytes);
    OptionalString(o, "outputSpillDir", &s.output.spillDir);
    OptionalNumber(o, "runtimeOutputMemoryBytes", &s.runtimeOutputMemoryBytes);
    OptionalNumber(o, "runtimeOutputSpillBytes", &s.runtimeOutputSpillBytes);
    return s;
  }
};

// boxlite_box_exec blocks (guest RPC, maybe a box boot), so it runs on the
// libuv pool; the stream callbacks are registered right there, before any
// output can be produced for JS.
class ExecWorker : public Napi::AsyncWorker {
 public:
  ExecWorker(Napi::Env env, std::shared_ptr<BoxRecord> record, std::shared_ptr<ExecCore> exec, ExecSpec spec)
      : Napi::AsyncWorker(env, "boxlite:exec"),
        deferred_(Napi::Promise::Deferred::New(env)),
        record_(std::move(record)),
        exec_(std::move(exec)),
        spec_(std::move(spec)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    RuntimeCore& core = record_->core();
    if (!core.BeginBlocking()) {
      failure_ = {BL_STOPPED, ClosedMessage()};
      return;
    }
    if (bl_box* box = record_->Acquire()) {
      // Nothing may escape between Begin/EndBlocking and Acquire/Return: a
      // skipped EndBlocking would hang close() forever. (A C++ exception out
      // of the library, e.g. std::system_error when it cannot start a thread,
      // is not supposed to happen across a C ABI, but must not wedge us.)
      try {
        RunExec(core, box);
      } catch (const std::exception& e) {
        failure_ = {BL_INTERNAL, std::string("internal error: boxlite_box_exec threw: ") + e.what()};
      } catch (...) {
        failure_ = {BL_INTERNAL, "internal error: boxlite_box_exec threw an unknown exception"};
      }
      record_->Return();
    } else {
      failure_ = {BL_INVALID_STATE, kReleasedMessage};
    }
    core.EndBlocking();
  }

  void OnOK() override {
    Napi::Env env = Env();
    RuntimeCore& core = record_->core();
    if (failure_.failed()) {
      core.DropListener(env, exec_.get());
      core.EndWork(env);
      deferred_.Reject(MakeError(env, failure_.code, failure_.message, ErrorSite::kCompletion));
      return;
    }
    deferred_.Resolve(NativeExecution::NewInstance(env, record_->coreRef(), exec_));
  }

 private:
  void RunExec(RuntimeCore& core, bl_box* box) {
    const Api& api = core.api();
    std::vector<const char*> args = CStrings(spec_.args);
    std::vector<const char*> env = CStrings(spec_.envPairs);
    bl_command cmd{};
    cmd.command = spec_.command.c_str();
    cmd.args = args.empty() ? nullptr : args.data();
    cmd.argc = static_cast<int>(args.size());
    cmd.env_pairs = env.empty() ? nullptr : env.data();
    cmd.env_count = static_cast<int>(env.size());
    cmd.workdir = spec_.hasWorkdir ? spec_.workdir.c_str() : nullptr;
    cmd.user = spec_.hasUser ? spec_.user.c_str() : nullptr;
    cmd.timeout_secs = spec_.timeoutSecs;
    cmd.tty = spec_.tty ? 1 : 0;

    bl_execution* handle = nullptr;
    bl_error err{BL_OK, nullptr};
    bl_code rc = api.boxlite_box_exec(box, &cmd, &handle, &err);
    failure_ = CapturedError::FromSync(api, rc, &err, "boxlite_box_exec");
    if (failure_.failed()) return;
    if (handle == nullptr) {
      failure_ = {BL_INTERNAL, "internal error: boxlite_box_exec returned no execution"};
      return;
    }
    // Registered before the callbacks exist: their user_data must stay alive
    // until the exit is dispatched or the runtime is freed.
    core.AddExec(exec_);
    rc = exec_->Adopt(api, handle, &err);
    failure_ = CapturedError::FromSync(api, rc, &err, "execution callback registration");
    if (failure_.failed()) {
      if (bl_execution* h = exec_->TakeHandle()) api.boxlite_execution_free(h);
    }
  }

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<BoxRecord> record_;
  std::shared_ptr<ExecCore> exec_;
  ExecSpec spec_;
  CapturedError failure_;
};

// Brackets one use of the box handle (it cannot be freed meanwhile).
class BoxUse {
 public:
  BoxUse(Napi::Env env, BoxRecord& record) : record_(record), box_(record.Acquire()) {
    if (box_ == nullptr) ThrowError(env, BL_INVALID_STATE, kReleasedMessage);
  }
  ~BoxUse() { record_.Return(); }
  BoxUse(const BoxUse&) = delete;
  BoxUse& operator=(const BoxUse&) = delete;
  bl_box* get() const { return box_; }

 private:
  BoxRecord& record_;
  bl_box* box_;
};

}  // namespace

Napi::Function NativeBox::Define(Napi::Env env) {
  return DefineClass(env, "NativeBox",
                     {
                         InstanceAccessor<&NativeBox::Id>("id"),
                         InstanceMethod<&NativeBox::Start>("start"),
                         InstanceMethod<&NativeBox::Stop>("stop"),
                         InstanceMethod<&NativeBox::Info>("info"),
                         InstanceMethod<&NativeBox::Metrics>("metrics"),
                         InstanceMethod<&NativeBox::CopyIn>("copyIn"),
                         InstanceMethod<&NativeBox::CopyOut>("copyOut"),
                         InstanceMethod<&NativeBox::Exec>("exec"),
                         InstanceMethod<&NativeBox::Release>("release"),
                     });
}

Napi::Object NativeBox::NewInstance(Napi::Env env, std::shared_ptr<BoxRecord> record) {
  Napi::Object obj = AddonData::Of(env)->boxClass.New({});
  Unwrap(obj)->record_ = std::move(record);
  return obj;
}

NativeBox::NativeBox(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeBox>(info) {}

BoxRecord& NativeBox::Record(Napi::Env env) {
  if (!record_) ThrowError(env, BL_INVALID_STATE, "invalid state: this box object was not created by boxlite-native");
  if (!record_->core().IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
  return *record_;
}

Napi::Value NativeBox::Id(const Napi::CallbackInfo& info) {
  return record_ ? Napi::Value(Napi::String::New(info.Env(), record_->id())) : info.Env().Null();
}

Napi::Value NativeBox::Start(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    BoxRecord& rec = Record(env);
    BoxUse box(env, rec);
    return IssueOp<DoneOp>(env, rec.core(), "boxlite_start_box", [&](DoneOp* op, bl_error* err) {
      return rec.core().api().boxlite_start_box(box.get(), &DoneOp::Callback, op, err);
    });
  });
}

Napi::Value NativeBox::Stop(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    BoxRecord& rec = Record(env);
    BoxUse box(env, rec);
    return IssueOp<DoneOp>(env, rec.core(), "boxlite_stop_box", [&](DoneOp* op, bl_error* err) {
      return rec.core().api().boxlite_stop_box(box.get(), &DoneOp::Callback, op, err);
    });
  });
}

Napi::Value NativeBox::Info(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    BoxRecord& rec = Record(env);
    BoxUse box(env, rec);
    const Api& api = rec.core().api();
    if (api.boxlite_box_info == nullptr) {
      // Releases before 0.9.7 main #1031 only have a synchronous (blocking)
      // boxlite_box_info: ask the runtime by id instead (v0_9_5.h).
      return IssueOp<InfoOp>(env, rec.core(), "boxlite_get_info", [&](InfoOp* op, bl_error* err) {
        return api.boxlite_get_info(rec.core().handle(), rec.id().c_str(), &InfoOp::Callback, op, err);
      });
    }
    return IssueOp<InfoOp>(env, rec.core(), "boxlite_box_info", [&](InfoOp* op, bl_error* err) {
      return api.boxlite_box_info(box.get(), &InfoOp::Callback, op, err);
    });
  });
}

Napi::Value NativeBox::Metrics(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    BoxRecord& rec = Record(env);
    BoxUse box(env, rec);
    return IssueOp<BoxMetricsOp>(env, rec.core(), "boxlite_box_metrics", [&](BoxMetricsOp* op, bl_error* err) {
      return rec.core().api().boxlite_box_metrics(box.get(), &BoxMetricsOp::Callback, op, err);
    });
  });
}

Napi::Value NativeBox::CopyIn(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    BoxRecord& rec = Record(env);
    std::string src = ToCString(env, info[0], "hostSrc");
    std::string dst = ToCString(env, info[1], "guestDst");
    BoxUse box(env, rec);
    return IssueOp<DoneOp>(env, rec.core(), "boxlite_copy_into", [&](DoneOp* op, bl_error* err) {
      return rec.core().api().boxlite_copy_into(box.get(), src.c_str(), dst.c_str(), &DoneOp::Callback, op, err);
    });
  });
}

Napi::Value NativeBox::CopyOut(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    BoxRecord& rec = Record(env);
    std::string src = ToCString(env, info[0], "guestSrc");
    std::string dst = ToCString(env, info[1], "hostDst");
    BoxUse box(env, rec);
    return IssueOp<DoneOp>(env, rec.core(), "boxlite_copy_out", [&](DoneOp* op, bl_error* err) {
      return rec.core().api().boxlite_copy_out(box.get(), src.c_str(), dst.c_str(), &DoneOp::Callback, op, err);
    });
  });
}

// exec(spec, listener) -> Promise<NativeExecution>. `listener(stdout?, stderr?,
// exitCode?)` may run before the promise settles: output can arrive first.
Napi::Value NativeBox::Exec(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    BoxRecord& rec = Record(env);
    ExecSpec spec = ExecSpec::Parse(env, RequireObject(env, info[0], "exec spec"));
    if (!info[1].IsFunction()) ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("listener must be a function"));
    RuntimeCore& core = rec.core();
    if (rec.released()) ThrowError(env, BL_INVALID_STATE, kReleasedMessage);
    if (spec.runtimeOutputMemoryBytes > 0) core.SetOutputMemoryBudget(static_cast<uint64_t>(spec.runtimeOutputMemoryBytes));
    if (spec.runtimeOutputSpillBytes > 0) core.SetOutputSpillBudget(static_cast<uint64_t>(spec.runtimeOutputSpillBytes));
    auto exec = std::make_shared<ExecCore>(&core, spec.output);
    core.SetListener(env, exec, info[1].As<Napi::Function>());
    core.BeginWork(env);  // ended by the exit, or by a failed exec
    auto* worker = new ExecWorker(env, record_, exec, std::move(spec));
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

// Frees the handle now (once in-flight calls return it). libboxlite hands
// out the same handle while one is alive, so a stopped box needs this before
// runtime.getBox() can return a fresh one.
Napi::Value NativeBox::Release(const Napi::CallbackInfo& info) {
  if (record_) record_->Release();
  return info.Env().Undefined();
}

}  // namespace boxlite
