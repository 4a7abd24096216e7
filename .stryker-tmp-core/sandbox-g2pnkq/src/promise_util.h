// Promise-returning methods report every failure, including bad arguments,
// as a rejection rather than a synchronous throw.
#ifndef BOXLITE_NATIVE_PROMISE_UTIL_H
#define BOXLITE_NATIVE_PROMISE_UTIL_H

#include <napi.h>

namespace boxlite {

template <typename Body>
Napi::Value AsPromise(Napi::Env env, Body&& body) {
  try {
    return body(env);
  } catch (const Napi::Error& e) {
    auto deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(e.Value());
    return deferred.Promise();
  }
}

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_PROMISE_UTIL_H
