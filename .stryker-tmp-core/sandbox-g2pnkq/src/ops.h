// The concrete async calls: each copies its callback payload on the drain
// thread (libboxlite-owned results are freed right there) and turns it into a
// JS value on the JS thread.
#ifndef BOXLITE_NATIVE_OPS_H
#define BOXLITE_NATIVE_OPS_H

#include <memory>
#include <string>
#include <vector>

#include "addon_data.h"
#include "events.h"
#include "library.h"
#include "runtime_core.h"

namespace boxlite {

// Completion without a payload: start, stop, remove, copy, kill, signal, resize.
class DoneOp : public AsyncOp {
 public:
  using AsyncOp::AsyncOp;
  static void Callback(bl_error* err, void* ud);
};

// create / get: the callback owns a box handle; it becomes a JS NativeBox.
class BoxOp : public AsyncOp {
 public:
  using AsyncOp::AsyncOp;
  ~BoxOp() override;
  static void Callback(bl_box* box, bl_error* err, void* ud);

 protected:
  Napi::Value Result(Napi::Env env) override;

 private:
  bl_box* box_ = nullptr;
  std::string id_;
};

struct BoxInfoData {
  std::string id;
  bool hasName = false;
  std::string name;
  std::string image;
  std::string status;
  bool running = false;
  int pid = 0;
  int cpus = 0;
  int memoryMib = 0;
  uint32_t autoStop = 0;
  uint32_t autoDelete = 0;
  bool autoResume = false;
  int64_t createdAt = 0;
  bool hasNetwork = false;
  bool networkDisabled = false;
  std::vector<std::string> allowNet;

  static BoxInfoData From(const bl_box_info& info);
  Napi::Object ToJs(Napi::Env env) const;
};

class InfoOp : public AsyncOp {
 public:
  using AsyncOp::AsyncOp;
  static void Callback(bl_box_info* info, bl_error* err, void* ud);

 protected:
  Napi::Value Result(Napi::Env env) override { return info_.ToJs(env); }

 private:
  BoxInfoData info_;
};

class ListOp : public AsyncOp {
 public:
  using AsyncOp::AsyncOp;
  static void Callback(bl_box_info_list* list, bl_error* err, void* ud);

 protected:
  Napi::Value Result(Napi::Env env) override;

 private:
  std::vector<BoxInfoData> items_;
};

class BoxMetricsOp : public AsyncOp {
 public:
  using AsyncOp::AsyncOp;
  static void Callback(bl_box_metrics* metrics, bl_error* err, void* ud);

 protected:
  Napi::Value Result(Napi::Env env) override;

 private:
  bl_box_metrics metrics_{};
};

class RuntimeMetricsOp : public AsyncOp {
 public:
  using AsyncOp::AsyncOp;
  static void Callback(bl_runtime_metrics* metrics, bl_error* err, void* ud);

 protected:
  Napi::Value Result(Napi::Env env) override;

 private:
  bl_runtime_metrics metrics_{};
};

// Starts one async libboxlite call on the JS thread and returns its promise.
// `call(op, &err)` makes the C call with `op` as user_data. A synchronous
// failure rejects at once (the callback will never run); otherwise the op
// waits in the runtime's registry for its callback.
template <typename Op, typename Call>
Napi::Promise IssueOp(Napi::Env env, RuntimeCore& core, const char* what, Call&& call) {
  auto op = std::make_unique<Op>(env, &core);
  Napi::Promise promise = op->Promise();
  bl_error err{BL_OK, nullptr};
  bl_code rc = call(op.get(), &err);
  CapturedError failure = CapturedError::FromSync(core.api(), rc, &err, what);
  if (failure.failed()) {
    op->RejectNow(env, failure);
    return promise;
  }
  core.TrackOp(env, op.release());
  return promise;
}

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_OPS_H
