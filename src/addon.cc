#include "addon.h"

#include "addon_data.h"
#include "abi/versions.h"
#include "boxlite_abi.h"
#include "js_args.h"
#include "js_box.h"
#include "js_execution.h"
#include "js_runtime.h"
#include "memory_release.h"

namespace boxlite {
namespace {

// setErrorFactory((code: number, message: string) => Error): how every
// failure becomes a typed BoxliteError. Once per env, from lib/native.ts.
Napi::Value SetErrorFactory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("the error factory must be a function"));
  AddonData::Of(env)->errorFactory = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

// createError(code, message): the error native code would raise. Used by the
// benchmark to time the native -> JS error path without an engine.
Napi::Value CreateError(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int code = RequireInt(env, info[0], "code");
  std::string message = ToCString(env, info[1], "message");
  return MakeError(env, code, message);
}

// rejectWithError(code, message): a promise rejected exactly the way a
// completion from libboxlite rejects one (the benchmark's error path).
Napi::Value RejectWithError(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int code = RequireInt(env, info[0], "code");
  std::string message = ToCString(env, info[1], "message");
  return RejectedPromise(env, code, message, ErrorSite::kCompletion);
}

}  // namespace

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  TuneAllocator();
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);  // deleted by N-API when the env goes away
  data->runtimeClass = Napi::Persistent(NativeRuntime::Define(env));
  data->boxClass = Napi::Persistent(NativeBox::Define(env));
  data->executionClass = Napi::Persistent(NativeExecution::Define(env));

  exports.Set("setErrorFactory", Napi::Function::New<SetErrorFactory>(env, "setErrorFactory"));
  exports.Set("openRuntime", Napi::Function::New<OpenRuntime>(env, "openRuntime"));
  exports.Set("openRestRuntime", Napi::Function::New<OpenRestRuntime>(env, "openRestRuntime"));
  exports.Set("createError", Napi::Function::New<CreateError>(env, "createError"));
  exports.Set("rejectWithError", Napi::Function::New<RejectWithError>(env, "rejectWithError"));
  exports.Set("releaseFreedMemory", Napi::Function::New<ReleaseFreedMemory>(env, "releaseFreedMemory"));
  exports.Set("supportedLibraryVersion", Napi::String::New(env, BL_SUPPORTED_VERSION));
  Napi::Array versions = Napi::Array::New(env, abi::SupportedVersions().size());
  for (size_t i = 0; i < abi::SupportedVersions().size(); ++i) {
    versions.Set(static_cast<uint32_t>(i), abi::SupportedVersions()[i]);
  }
  exports.Set("supportedLibraryVersions", versions);
  return exports;
}

}  // namespace boxlite
