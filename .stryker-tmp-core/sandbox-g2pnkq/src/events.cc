#include "events.h"

#include "addon_data.h"
#include "library.h"
#include "runtime_core.h"

namespace boxlite {
namespace {

std::string FallbackMessage(const char* what, int code) {
  return std::string(what) + " failed with BoxLite code " + std::to_string(code) + " (no message)";
}

}  // namespace

void CapturedError::CopyFrom(const bl_error* err, const char* what) {
  if (err == nullptr || err->code == BL_OK) {
    code = BL_OK;
    message.clear();
    return;
  }
  code = err->code;
  message = err->message != nullptr ? std::string(err->message) : FallbackMessage(what, code);
}

CapturedError CapturedError::FromSync(const Api& api, bl_code rc, bl_error* err, const char* what) {
  CapturedError result;
  if (rc != BL_OK) {
    result.code = rc;
    result.message = (err != nullptr && err->message != nullptr) ? std::string(err->message)
                                                                 : FallbackMessage(what, rc);
  }
  if (err != nullptr) api.boxlite_error_free(err);
  return result;
}

void AsyncOp::Complete(const bl_error* err, const char* what) {
  error_.CopyFrom(err, what);
  posted_.store(true, std::memory_order_release);
  // After a successful post the JS thread owns (and may already have
  // deleted) this object: touch nothing.
  if (!core_->Post(this)) posted_.store(false, std::memory_order_release);
}

void AsyncOp::Dispatch(Napi::Env env, RuntimeCore& core) {
  core.ForgetOp(env, this);
  if (error_.failed()) {
    deferred_.Reject(MakeError(env, error_.code, error_.message, ErrorSite::kCompletion));
    return;
  }
  try {
    deferred_.Resolve(Result(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  }
}

void AsyncOp::Abandon(RuntimeCore& core) { core.ForgetAbandonedOp(this); }

void AsyncOp::RejectNow(Napi::Env env, const CapturedError& failure) {
  deferred_.Reject(MakeError(env, failure.code, failure.message));
}

void AsyncOp::RejectStopped(Napi::Env env) {
  deferred_.Reject(
      MakeError(env, BL_STOPPED, "stopped: runtime closed before the operation completed", ErrorSite::kCompletion));
}

}  // namespace boxlite
