#include "ops.h"

#include "box_record.h"
#include "js_box.h"

namespace boxlite {
namespace {

std::string CopyString(const char* s) { return s != nullptr ? std::string(s) : std::string(); }

}  // namespace

void DoneOp::Callback(bl_error* err, void* ud) { static_cast<DoneOp*>(ud)->Complete(err, "operation"); }

BoxOp::~BoxOp() {
  // Not handed to JS (failed, closed, or abandoned at teardown): still ours.
  if (box_ != nullptr) core().api().boxlite_box_free(box_);
}

void BoxOp::Callback(bl_box* box, bl_error* err, void* ud) {
  auto* self = static_cast<BoxOp*>(ud);
  self->box_ = box;
  if (box != nullptr) {
    const Api& api = self->core().api();
    char* id = api.boxlite_box_id(box);
    self->id_ = CopyString(id);
    api.boxlite_free_string(id);
  }
  self->Complete(err, "box operation");
}

Napi::Value BoxOp::Result(Napi::Env env) {
  if (box_ == nullptr) ThrowError(env, BL_INTERNAL, "internal error: libboxlite reported success without a box handle");
  if (!core().IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
  auto record = std::make_shared<BoxRecord>(core().shared_from_this(), box_, id_);
  box_ = nullptr;  // the record owns it now
  return NativeBox::NewInstance(env, std::move(record));
}

BoxInfoData BoxInfoData::From(const bl_box_info& info) {
  BoxInfoData d;
  d.id = CopyString(info.id);
  d.hasName = info.name != nullptr;
  d.name = CopyString(info.name);
  d.image = CopyString(info.image);
  d.status = CopyString(info.status);
  d.running = info.running != 0;
  d.pid = info.pid;
  d.cpus = info.cpus;
  d.memoryMib = info.memory_mib;
  d.autoStop = info.auto_pause;
  d.autoDelete = info.auto_delete;
  d.autoResume = info.auto_resume != 0;
  d.createdAt = info.created_at;
  if (info.network != nullptr) {
    d.hasNetwork = true;
    d.networkDisabled = info.network->mode == 1;
    for (int i = 0; i < info.network->allow_net_count && info.network->allow_net != nullptr; ++i) {
      if (info.network->allow_net[i] != nullptr) d.allowNet.emplace_back(info.network->allow_net[i]);
    }
  }
  return d;
}

Napi::Object BoxInfoData::ToJs(Napi::Env env) const {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", id);
  o.Set("name", hasName ? Napi::Value(Napi::String::New(env, name)) : env.Null());
  o.Set("image", image);
  o.Set("status", status);
  o.Set("running", running);
  o.Set("pid", pid);
  o.Set("cpus", cpus);
  o.Set("memoryMib", memoryMib);
  o.Set("autoStop", autoStop);
  o.Set("autoDelete", autoDelete);
  o.Set("autoResume", autoResume);
  o.Set("createdAt", static_cast<double>(createdAt));
  if (hasNetwork) {
    Napi::Object net = Napi::Object::New(env);
    net.Set("mode", networkDisabled ? "disabled" : "enabled");
    Napi::Array allow = Napi::Array::New(env, allowNet.size());
    for (size_t i = 0; i < allowNet.size(); ++i) allow.Set(static_cast<uint32_t>(i), allowNet[i]);
    net.Set("allowNet", allow);
    o.Set("network", net);
  } else {
    o.Set("network", env.Null());
  }
  return o;
}

void InfoOp::Callback(bl_box_info* info, bl_error* err, void* ud) {
  auto* self = static_cast<InfoOp*>(ud);
  if (info != nullptr) {
    self->info_ = BoxInfoData::From(*info);
    self->core().api().boxlite_free_box_info(info);  // owned by the callback
  }
  self->Complete(err, "box info");
}

void ListOp::Callback(bl_box_info_list* list, bl_error* err, void* ud) {
  auto* self = static_cast<ListOp*>(ud);
  if (list != nullptr) {
    for (int i = 0; i < list->count && list->items != nullptr; ++i) {
      self->items_.push_back(BoxInfoData::From(list->items[i]));
    }
    self->core().api().boxlite_free_box_info_list(list);  // owned by the callback
  }
  self->Complete(err, "list boxes");
}

Napi::Value ListOp::Result(Napi::Env env) {
  Napi::Array arr = Napi::Array::New(env, items_.size());
  for (size_t i = 0; i < items_.size(); ++i) arr.Set(static_cast<uint32_t>(i), items_[i].ToJs(env));
  return arr;
}

void BoxMetricsOp::Callback(bl_box_metrics* metrics, bl_error* err, void* ud) {
  auto* self = static_cast<BoxMetricsOp*>(ud);
  if (metrics != nullptr) self->metrics_ = *metrics;  // borrowed: copy, never free
  self->Complete(err, "box metrics");
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

void RuntimeMetricsOp::Callback(bl_runtime_metrics* metrics, bl_error* err, void* ud) {
  auto* self = static_cast<RuntimeMetricsOp*>(ud);
  if (metrics != nullptr) self->metrics_ = *metrics;  // borrowed: copy, never free
  self->Complete(err, "runtime metrics");
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
