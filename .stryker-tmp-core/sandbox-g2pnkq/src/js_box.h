// NativeBox: the JS object over one box handle (BoxRecord).
#ifndef BOXLITE_NATIVE_JS_BOX_H
#define BOXLITE_NATIVE_JS_BOX_H

#include <napi.h>

#include <memory>

namespace boxlite {

class BoxRecord;

class NativeBox : public Napi::ObjectWrap<NativeBox> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<BoxRecord> record);

  explicit NativeBox(const Napi::CallbackInfo& info);

 private:
  BoxRecord& Record(Napi::Env env);
  Napi::Value Id(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Metrics(const Napi::CallbackInfo& info);
  Napi::Value CopyIn(const Napi::CallbackInfo& info);
  Napi::Value CopyOut(const Napi::CallbackInfo& info);
  Napi::Value Exec(const Napi::CallbackInfo& info);
  Napi::Value Release(const Napi::CallbackInfo& info);

  std::shared_ptr<BoxRecord> record_;
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_JS_BOX_H
