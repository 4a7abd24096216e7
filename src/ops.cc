#include "ops.h"

#include "box_record.h"
#include "c_callback.h"
#include "js_box.h"

namespace boxlite {
namespace {

std::string CopyString(const char* s) { return s != nullptr ? std::string(s) : std::string(); }

}  // namespace

void DoneOp::Callback(bl_error* err, void* ud) noexcept {
  GuardCallback("operation", [&] { static_cast<DoneOp*>(ud)->Complete(err, "operation"); });
}

BoxOp::~BoxOp() {
  // Not handed to JS (failed, closed, or abandoned at teardown): still ours.
  if (box_ != nullptr) core().api().boxlite_box_free(box_);
}

void BoxOp::Callback(bl_box* box, bl_error* err, void* ud) noexcept {
  GuardCallback("BoxOp", [&] {
    auto* self = static_cast<BoxOp*>(ud);
    self->box_ = box;
    if (box != nullptr) {
      const Api& api = self->core().api();
      char* id = api.boxlite_box_id(box);
      self->id_ = CopyString(id);
      api.boxlite_free_string(id);
    }
    self->Complete(err, "box operation");
  });
}

Napi::Value BoxOp::Result(Napi::Env env) {
  if (box_ == nullptr) ThrowError(env, BL_INTERNAL, "internal error: libboxlite reported success without a box handle");
  if (!core().IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
  auto record = std::make_shared<BoxRecord>(core().shared_from_this(), box_, id_);
  box_ = nullptr;  // the record owns it now
  return NativeBox::NewInstance(env, std::move(record));
}

Napi::Object BoxInfoToJs(Napi::Env env, const BoxInfoData& info) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", info.id);
  o.Set("name", info.hasName ? Napi::Value(Napi::String::New(env, info.name)) : env.Null());
  o.Set("image", info.image);
  o.Set("status", info.status);
  o.Set("running", info.running);
  o.Set("pid", info.pid);
  o.Set("cpus", info.cpus);
  o.Set("memoryMib", info.memoryMib);
  // null: the loaded libboxlite's CBoxInfo has no such fields (runtime.capabilities).
  o.Set("autoStop", info.hasLifecycle ? Napi::Value(Napi::Number::New(env, info.autoStop)) : env.Null());
  o.Set("autoDelete", info.hasLifecycle ? Napi::Value(Napi::Number::New(env, info.autoDelete)) : env.Null());
  o.Set("autoResume", info.hasLifecycle ? Napi::Value(Napi::Boolean::New(env, info.autoResume)) : env.Null());
  o.Set("createdAt", static_cast<double>(info.createdAt));
  if (info.hasNetwork) {
    Napi::Object net = Napi::Object::New(env);
    net.Set("mode", info.networkDisabled ? "disabled" : "enabled");
    Napi::Array allow = Napi::Array::New(env, info.allowNet.size());
    for (size_t i = 0; i < info.allowNet.size(); ++i) allow.Set(static_cast<uint32_t>(i), info.allowNet[i]);
    net.Set("allowNet", allow);
    o.Set("network", net);
  } else {
    o.Set("network", env.Null());
  }
  return o;
}

void InfoOp::Callback(bl_box_info* info, bl_error* err, void* ud) noexcept {
  GuardCallback("InfoOp", [&] {
    auto* self = static_cast<InfoOp*>(ud);
    if (info != nullptr) {
      // The pointer is a CBoxInfo of the loaded release's layout.
      self->info_ = abi::ReadBoxInfo(self->core().api().profile.layout, info);
      self->core().api().boxlite_free_box_info(info);  // owned by the callback
    }
    self->Complete(err, "box info");
  });
}

void ListOp::Callback(bl_box_info_list* list, bl_error* err, void* ud) noexcept {
  GuardCallback("ListOp", [&] {
    auto* self = static_cast<ListOp*>(ud);
    if (list != nullptr) {
      self->items_ = abi::ReadBoxInfoList(self->core().api().profile.layout, list);
      self->core().api().boxlite_free_box_info_list(list);  // owned by the callback
    }
    self->Complete(err, "list boxes");
  });
}

Napi::Value ListOp::Result(Napi::Env env) {
  Napi::Array arr = Napi::Array::New(env, items_.size());
  for (size_t i = 0; i < items_.size(); ++i) arr.Set(static_cast<uint32_t>(i), BoxInfoToJs(env, items_[i]));
  return arr;
}

void BoxMetricsOp::Callback(bl_box_metrics* metrics, bl_error* err, void* ud) noexcept {
  GuardCallback("BoxMetricsOp", [&] {
    auto* self = static_cast<BoxMetricsOp*>(ud);
    if (metrics != nullptr) self->metrics_ = *metrics;  // borrowed: copy, never free
    self->Complete(err, "box metrics");
  });
}

Napi::Value BoxMetricsOp::Result(Napi::Env env) {
  const bl_box_metrics& m = metrics_;
  Napi::Object o = Napi::Object::New(env);
  o.Set("cpuPercent", m.cpu_percent);
  o.Set("memoryBytes", static_cast<double>(m.memory_bytes));
  o.Set("commandsExecuted", m.commands_executed);
  o.Set("execErrors", m.exec_errors);
  o.Set("bytesSent", static_cast<double>(m.bytes_sent));
  o.Set("bytesReceived", static_cast<double>(m.bytes_received));
  o.Set("createDurationMs", static_cast<double>(m.create_duration_ms));
  o.Set("bootDurationMs", static_cast<double>(m.boot_duration_ms));
  o.Set("networkBytesSent", static_cast<double>(m.network_bytes_sent));
  o.Set("networkBytesReceived", static_cast<double>(m.network_bytes_received));
  o.Set("networkTcpConnections", m.network_tcp_connections);
  o.Set("networkTcpErrors", m.network_tcp_errors);
  return o;
}

void RuntimeMetricsOp::Callback(bl_runtime_metrics* metrics, bl_error* err, void* ud) noexcept {
  GuardCallback("RuntimeMetricsOp", [&] {
    auto* self = static_cast<RuntimeMetricsOp*>(ud);
    if (metrics != nullptr) self->metrics_ = *metrics;  // borrowed: copy, never free
    self->Complete(err, "runtime metrics");
  });
}

Napi::Value RuntimeMetricsOp::Result(Napi::Env env) {
  const bl_runtime_metrics& m = metrics_;
  Napi::Object o = Napi::Object::New(env);
  o.Set("boxesCreatedTotal", m.boxes_created_total);
  o.Set("boxesFailedTotal", m.boxes_failed_total);
  o.Set("numRunningBoxes", m.num_running_boxes);
  o.Set("totalCommandsExecuted", m.total_commands_executed);
  o.Set("totalExecErrors", m.total_exec_errors);
  return o;
}

}  // namespace boxlite
