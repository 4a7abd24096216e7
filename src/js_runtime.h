// NativeRuntime: the JS object over one RuntimeCore, plus the module-level
// openers (library loading and runtime_new run on the libuv pool).
#ifndef BOXLITE_NATIVE_JS_RUNTIME_H
#define BOXLITE_NATIVE_JS_RUNTIME_H

#include <napi.h>

#include <memory>

namespace boxlite {

class RuntimeCore;

class NativeRuntime : public Napi::ObjectWrap<NativeRuntime> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<RuntimeCore> core);

  explicit NativeRuntime(const Napi::CallbackInfo& info);
  ~NativeRuntime() override;

 private:
  RuntimeCore& Core(Napi::Env env);
  Napi::Value CreateBox(const Napi::CallbackInfo& info);
  Napi::Value GetBox(const Napi::CallbackInfo& info);
  Napi::Value GetInfo(const Napi::CallbackInfo& info);
  Napi::Value ListBoxes(const Napi::CallbackInfo& info);
  Napi::Value RemoveBox(const Napi::CallbackInfo& info);
  Napi::Value Metrics(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value ReleaseBoxHandles(const Napi::CallbackInfo& info);
  Napi::Value Closed(const Napi::CallbackInfo& info);
  Napi::Value SpilledOutputBytes(const Napi::CallbackInfo& info);
  Napi::Value BufferedOutputBytes(const Napi::CallbackInfo& info);
  Napi::Value LibraryPath(const Napi::CallbackInfo& info);
  Napi::Value LibraryVersion(const Napi::CallbackInfo& info);
  Napi::Value Capabilities(const Napi::CallbackInfo& info);

  std::shared_ptr<RuntimeCore> core_;
};

// openRuntime({ homeDir?, libraryPath?, envLibraryPath? }) -> Promise<NativeRuntime>
Napi::Value OpenRuntime(const Napi::CallbackInfo& info);
// openRestRuntime({ url, apiKey?, pathPrefix?, libraryPath?, envLibraryPath? }) -> Promise<NativeRuntime>
Napi::Value OpenRestRuntime(const Napi::CallbackInfo& info);

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_JS_RUNTIME_H
