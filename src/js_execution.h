// NativeExecution: the JS object over one running command (ExecCore).
#ifndef BOXLITE_NATIVE_JS_EXECUTION_H
#define BOXLITE_NATIVE_JS_EXECUTION_H

#include <napi.h>

#include <memory>

namespace boxlite {

class ExecCore;
class RuntimeCore;

class NativeExecution : public Napi::ObjectWrap<NativeExecution> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<RuntimeCore> core, std::shared_ptr<ExecCore> exec);

  explicit NativeExecution(const Napi::CallbackInfo& info);
  // Garbage-collected: nobody can read what is still held for it.
  ~NativeExecution() override;

 private:
  ExecCore& Exec(Napi::Env env);
  Napi::Value WriteStdin(const Napi::CallbackInfo& info);
  Napi::Value CloseStdin(const Napi::CallbackInfo& info);
  Napi::Value Kill(const Napi::CallbackInfo& info);
  Napi::Value Signal(const Napi::CallbackInfo& info);
  Napi::Value Resize(const Napi::CallbackInfo& info);
  Napi::Value Exited(const Napi::CallbackInfo& info);
  Napi::Value SpilledBytes(const Napi::CallbackInfo& info);
  Napi::Value WantOutput(const Napi::CallbackInfo& info);
  Napi::Value DiscardOutput(const Napi::CallbackInfo& info);

  std::shared_ptr<RuntimeCore> core_;
  std::shared_ptr<ExecCore> exec_;
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_JS_EXECUTION_H
