#include "addon_data.h"

#include "boxlite_abi.h"

namespace boxlite {

Napi::Value MakeError(Napi::Env env, int code, const std::string& message, ErrorSite site) {
  AddonData* data = AddonData::Of(env);
  if (data != nullptr && !data->errorFactory.IsEmpty()) {
    // Plain N-API on this hot path (every failure crosses it): no escapable
    // scope or C++ exception plumbing around a call that must not throw.
    napi_value factory = data->errorFactory.Value();
    napi_value recv = nullptr;
    napi_value args[3] = {nullptr, nullptr, nullptr};
    napi_value result = nullptr;
    if (napi_get_undefined(env, &recv) == napi_ok && napi_create_int32(env, code, &args[0]) == napi_ok &&
        napi_create_string_utf8(env, message.data(), message.size(), &args[1]) == napi_ok &&
        napi_get_boolean(env, site == ErrorSite::kCall, &args[2]) == napi_ok) {
      if (napi_call_function(env, recv, factory, 3, args, &result) == napi_ok) return Napi::Value(env, result);
      bool pending = false;
      napi_value thrown = nullptr;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
          napi_get_and_clear_last_exception(env, &thrown) == napi_ok) {
        return Napi::Value(env, thrown);  // the factory threw: reject/throw with that
      }
    }
  }
  // No factory (the addon used without lib/native.ts), or it could not run:
  // a plain Error that still carries the numeric code.
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("boxliteCode", Napi::Number::New(env, code));
  return err.Value();
}

void ThrowError(Napi::Env env, int code, const std::string& message) {
  throw Napi::Error(env, MakeError(env, code, message));
}

Napi::Promise RejectedPromise(Napi::Env env, int code, const std::string& message, ErrorSite site) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(MakeError(env, code, message, site));
  return deferred.Promise();
}

}  // namespace boxlite
