#include "js_execution.h"

#include "addon_data.h"
#include "exec_core.h"
#include "js_args.h"
#include "ops.h"
#include "promise_util.h"
#include "runtime_core.h"

namespace boxlite {
namespace {

const char* const kExitedStdin = "invalid state: the execution has exited; its stdin is closed";

// The C call runs under the execution's handle lock; JS work (settling the
// promise) happens after the lock is released. The handle only disappears
// after the exit was delivered or the runtime started closing, both checked
// before, so "gone" here means a teardown race: report it as invalid state.
template <typename Call>
bl_code CallOnHandle(ExecCore& exec, Call&& call) {
  bl_code rc = BL_INVALID_STATE;
  exec.WithHandle([&](bl_execution* h) { rc = call(h); });
  return rc;
}

Napi::Promise Resolved(Napi::Env env) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Resolve(env.Undefined());
  return deferred.Promise();
}

}  // namespace

Napi::Function NativeExecution::Define(Napi::Env env) {
  return DefineClass(env, "NativeExecution",
                     {
                         InstanceMethod<&NativeExecution::WriteStdin>("writeStdin"),
                         InstanceMethod<&NativeExecution::CloseStdin>("closeStdin"),
                         InstanceMethod<&NativeExecution::Kill>("kill"),
                         InstanceMethod<&NativeExecution::Signal>("signal"),
                         InstanceMethod<&NativeExecution::Resize>("resize"),
                         InstanceMethod<&NativeExecution::WantOutput>("wantOutput"),
                         InstanceMethod<&NativeExecution::DiscardOutput>("discardOutput"),
                         InstanceAccessor<&NativeExecution::Exited>("exited"),
                         InstanceAccessor<&NativeExecution::SpilledBytes>("spilledBytes"),
                     });
}

Napi::Object NativeExecution::NewInstance(Napi::Env env, std::shared_ptr<RuntimeCore> core,
                                          std::shared_ptr<ExecCore> exec) {
  Napi::Object obj = AddonData::Of(env)->executionClass.New({});
  NativeExecution* self = Unwrap(obj);
  self->core_ = std::move(core);
  self->exec_ = std::move(exec);
  return obj;
}

NativeExecution::NativeExecution(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeExecution>(info) {}

NativeExecution::~NativeExecution() {
  if (!exec_ || !core_ || exec_->completeDelivered) return;
  // Only reachable after the exit (the listener reference is weak from
  // then on): drop the unread output, its spill file, and the listener.
  exec_->Discard(ExecCore::kStdout);
  exec_->Discard(ExecCore::kStderr);
  exec_->completeDelivered = true;
  core_->DropListener(Env(), exec_.get());
}

ExecCore& NativeExecution::Exec(Napi::Env env) {
  if (!exec_) ThrowError(env, BL_INVALID_STATE, "invalid state: this execution object was not created by boxlite-native");
  return *exec_;
}

// Synchronous: libboxlite's stdin write only queues onto an unbounded channel
// (ABI §2: "non-blocking in practice"), so it is cheaper than a thread hop.
Napi::Value NativeExecution::WriteStdin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ExecCore& exec = Exec(env);
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("stdin data must be a Buffer or Uint8Array"));
  }
  Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
  if (!core_->IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
  if (exec.exitDelivered) ThrowError(env, BL_INVALID_STATE, kExitedStdin);
  bl_error err{BL_OK, nullptr};
  bl_code rc = BL_OK;
  bool alive = exec.WithHandle([&](bl_execution* h) {
    rc = core_->api().boxlite_execution_stdin_write(h, data.Data(), data.ByteLength(), &err);
  });
  if (!alive) ThrowError(env, BL_INVALID_STATE, kExitedStdin);
  CapturedError failure = CapturedError::FromSync(core_->api(), rc, &err, "boxlite_execution_stdin_write");
  if (failure.failed()) ThrowError(env, failure.code, failure.message);
  return env.Undefined();
}

// Idempotent; a no-op once the execution has exited or the runtime closed
// (stdin is closed then anyway).
Napi::Value NativeExecution::CloseStdin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ExecCore& exec = Exec(env);
  if (!core_->IsOpen() || exec.exitDelivered) return env.Undefined();
  bl_error err{BL_OK, nullptr};
  bl_code rc = BL_OK;
  exec.WithHandle([&](bl_execution* h) { rc = core_->api().boxlite_execution_stdin_close(h, &err); });
  CapturedError failure = CapturedError::FromSync(core_->api(), rc, &err, "boxlite_execution_stdin_close");
  if (failure.failed()) ThrowError(env, failure.code, failure.message);
  return env.Undefined();
}

Napi::Value NativeExecution::Kill(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    ExecCore& exec = Exec(env);
    if (exec.exitDelivered) return Resolved(env);  // nothing left to kill
    if (!core_->IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    return IssueOp<DoneOp>(env, *core_, "boxlite_execution_kill", [&](DoneOp* op, bl_error* err) {
      return CallOnHandle(exec, [&](bl_execution* h) {
        return core_->api().boxlite_execution_kill(h, &DoneOp::Callback, op, err);
      });
    });
  });
}

Napi::Value NativeExecution::Signal(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    ExecCore& exec = Exec(env);
    int sig = RequireInt(env, info[0], "signal");
    if (exec.exitDelivered) return Resolved(env);
    if (!core_->IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    return IssueOp<DoneOp>(env, *core_, "boxlite_execution_signal", [&](DoneOp* op, bl_error* err) {
      return CallOnHandle(exec, [&](bl_execution* h) {
        return core_->api().boxlite_execution_signal(h, sig, &DoneOp::Callback, op, err);
      });
    });
  });
}

// resize(cols, rows): the C call takes rows first.
Napi::Value NativeExecution::Resize(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    ExecCore& exec = Exec(env);
    int cols = RequireInt(env, info[0], "cols");
    int rows = RequireInt(env, info[1], "rows");
    if (exec.exitDelivered) return Resolved(env);
    if (!core_->IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    return IssueOp<DoneOp>(env, *core_, "boxlite_execution_tty_resize", [&](DoneOp* op, bl_error* err) {
      return CallOnHandle(exec, [&](bl_execution* h) {
        return core_->api().boxlite_execution_tty_resize(h, rows, cols, &DoneOp::Callback, op, err);
      });
    });
  });
}

Napi::Value NativeExecution::Exited(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), exec_ && exec_->exitDelivered);
}

Napi::Value NativeExecution::SpilledBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), exec_ ? static_cast<double>(exec_->SpilledTotal()) : 0.0);
}

namespace {

int StreamIndex(Napi::Env env, Napi::Value v) {
  int stream = RequireInt(env, v, "stream");
  if (stream != ExecCore::kStdout && stream != ExecCore::kStderr) {
    ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("stream must be 0 (stdout) or 1 (stderr)"));
  }
  return stream;
}

}  // namespace

// wantOutput(stream): the stream's Readable asked for data (_read); one block
// is delivered through the output listener, asynchronously.
Napi::Value NativeExecution::WantOutput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ExecCore& exec = Exec(env);
  int stream = StreamIndex(env, info[0]);
  if (!exec.completeDelivered && !core_->closing()) {
    exec.Want(stream);
    core_->UpdateReadHold(env, exec);
  } else {
    exec.LetGo(stream);  // nothing more to hand over; what it holds is passed on
  }
  return env.Undefined();
}

// discardOutput(stream): nobody will read this stream any more (its Readable
// was destroyed): drop what is held for it and what still comes.
Napi::Value NativeExecution::DiscardOutput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ExecCore& exec = Exec(env);
  int stream = StreamIndex(env, info[0]);
  if (!exec.completeDelivered && !core_->closing()) {
    exec.Discard(stream);
    core_->UpdateReadHold(env, exec);
  } else {
    exec.LetGo(stream);  // read to its end (or closing): release what it was counted for
  }
  return env.Undefined();
}

}  // namespace boxlite
