// Per-env state of the addon (one per main thread / worker thread), kept as
// N-API instance data rather than statics so worker threads never share JS
// handles.
#ifndef BOXLITE_NATIVE_ADDON_DATA_H
#define BOXLITE_NATIVE_ADDON_DATA_H

#include <napi.h>

#include <string>

namespace boxlite {

struct AddonData {
  // `(code, message) => BoxliteError`, installed by lib/native.ts once per env.
  Napi::FunctionReference errorFactory;
  Napi::FunctionReference runtimeClass;
  Napi::FunctionReference boxClass;
  Napi::FunctionReference executionClass;

  static AddonData* Of(Napi::Env env) { return env.GetInstanceData<AddonData>(); }
};

// Texts of the addon's own failures. Same shape as libboxlite's messages
// (variant prefix first) so callers can treat both alike.
inline std::string ClosedMessage() { return "stopped: runtime is closed"; }
inline std::string InvalidArgument(const std::string& what) { return "invalid argument: " + what; }

// Where an error is raised decides whether a JS stack is worth capturing.
enum class ErrorSite {
  // Thrown or rejected during a JS call: the caller's frames are the stack.
  kCall,
  // Settled from a native completion (TSFN dispatch, worker OnOK): there are
  // no JS frames to capture, so the (costly) capture is skipped.
  kCompletion,
};

// Builds the typed JS error for a BoxLite code via the JS factory
// `(code, message, captureStack) => Error`. Never throws: a factory that
// throws yields what it threw.
Napi::Value MakeError(Napi::Env env, int code, const std::string& message, ErrorSite site = ErrorSite::kCall);

// Throws the typed JS error (as a C++ Napi::Error, converted at the boundary).
[[noreturn]] void ThrowError(Napi::Env env, int code, const std::string& message);

// A promise already rejected with the typed error.
Napi::Promise RejectedPromise(Napi::Env env, int code, const std::string& message, ErrorSite site);

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_ADDON_DATA_H
