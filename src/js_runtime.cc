#include "js_runtime.h"

#include <utility>

#include "addon_data.h"
#include "js_args.h"
#include "library.h"
#include "ops.h"
#include "promise_util.h"
#include "runtime_core.h"

namespace boxlite {
namespace {

struct OptionsDeleter {
  const Api* api;
  void operator()(bl_options* o) const {
    if (o != nullptr) api->boxlite_options_free(o);
  }
};
using OptionsPtr = std::unique_ptr<bl_options, OptionsDeleter>;

struct VolumeSpec {
  std::string hostPath;
  std::string guestPath;
  bool readOnly = false;
};

// Box options read from JS before anything is allocated in libboxlite.
struct BoxSpec {
  std::string image;
  bool hasRootfs = false;
  std::string rootfsPath;
  bool hasName = false;
  std::string name;
  int64_t cpus = 0, memoryMib = 0, diskSizeGb = 0;
  bool hasWorkdir = false;
  std::string workdir;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<VolumeSpec> volumes;
  bool hasNetworkMode = false;
  bool networkDisabled = false;
  std::vector<std::string> allowNet;
  bool hasAutoRemove = false, autoRemove = false;
  bool hasDetach = false, detach = false;
  std::vector<std::string> entrypoint, cmd;
  bool hasAutoStop = false, hasAutoDelete = false, hasAutoResume = false, autoResume = false;
  int64_t autoStop = 0, autoDelete = 0;

  static BoxSpec Parse(Napi::Env env, Napi::Object o) {
    BoxSpec s;
    bool hasImage = OptionalString(o, "image", &s.image);
    s.hasRootfs = OptionalString(o, "rootfsPath", &s.rootfsPath);
    if (hasImage == s.hasRootfs || (hasImage && s.image.empty()) || (s.hasRootfs && s.rootfsPath.empty())) {
      ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("exactly one of image or rootfsPath is required"));
    }
    s.hasName = OptionalString(o, "name", &s.name);
    OptionalInt(o, "cpus", 1, 255, &s.cpus);
    OptionalInt(o, "memoryMib", 1, 2147483647, &s.memoryMib);
    OptionalInt(o, "diskSizeGb", 1, 2147483647, &s.diskSizeGb);
    s.hasWorkdir = OptionalString(o, "workdir", &s.workdir);
    s.env = OptionalStringMap(o, "env");
    Napi::Value volumes = o.Get("volumes");
    if (!volumes.IsUndefined() && !volumes.IsNull()) {
      if (!volumes.IsArray()) ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("volumes must be an array"));
      Napi::Array arr = volumes.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Object v = RequireObject(env, arr.Get(i), "volumes[" + std::to_string(i) + "]");
        VolumeSpec vs;
        if (!OptionalString(v, "hostPath", &vs.hostPath) || !OptionalString(v, "guestPath", &vs.guestPath)) {
          ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("volumes[" + std::to_string(i) + "] needs hostPath and guestPath"));
        }
        OptionalBool(v, "readOnly", &vs.readOnly);
        s.volumes.push_back(std::move(vs));
      }
    }
    Napi::Value network = o.Get("network");
    if (!network.IsUndefined() && !network.IsNull()) {
      Napi::Object n = RequireObject(env, network, "network");
      std::string mode;
      if (OptionalString(n, "mode", &mode)) {
        if (mode != "enabled" && mode != "disabled") {
          ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("network.mode must be 'enabled' or 'disabled'"));
        }
        s.hasNetworkMode = true;
        s.networkDisabled = mode == "disabled";
      }
      s.allowNet = OptionalStringArray(n, "allowNet");
    }
    s.hasAutoRemove = OptionalBool(o, "autoRemove", &s.autoRemove);
    s.hasDetach = OptionalBool(o, "detach", &s.detach);
    s.entrypoint = OptionalStringArray(o, "entrypoint");
    s.cmd = OptionalStringArray(o, "cmd");
    s.hasAutoStop = OptionalInt(o, "autoStop", 0, UINT32_MAX, &s.autoStop);
    s.hasAutoDelete = OptionalInt(o, "autoDelete", 0, UINT32_MAX, &s.autoDelete);
    s.hasAutoResume = OptionalBool(o, "autoResume", &s.autoResume);
    return s;
  }

  // Options the loaded release has no setter for are refused, not dropped.
  void RequireSupported(Napi::Env env, const Api& api) const {
    auto require = [&](bool used, bool present, const char* option, const char* symbol) {
      if (!used || present) return;
      ThrowError(env, BL_UNSUPPORTED,
                 std::string("unsupported: the box option ") + option + " needs " + symbol +
                     ", which the loaded libboxlite " + api.version + " (" + api.profile.build +
                     ") does not have; it appeared in libboxlite 0.9.7 builds of 2026-07-22 on (BoxLite #1009)");
    };
    require(hasAutoStop, api.boxlite_options_set_auto_pause_interval != nullptr, "autoStop",
            "boxlite_options_set_auto_pause_interval");
    require(hasAutoDelete, api.boxlite_options_set_auto_delete_interval != nullptr, "autoDelete",
            "boxlite_options_set_auto_delete_interval");
    require(hasAutoResume, api.boxlite_options_set_auto_resume_enabled != nullptr, "autoResume",
            "boxlite_options_set_auto_resume_enabled");
  }

  // Builds libboxlite options; sets `failure` and returns null when
  // boxlite_options_new fails.
  OptionsPtr Build(const Api& api, CapturedError* failure) const {
    bl_options* raw = nullptr;
    bl_error err{BL_OK, nullptr};
    // A rootfs-only box still needs an image argument; the rootfs replaces it.
    bl_code rc = api.boxlite_options_new(hasRootfs ? "" : image.c_str(), &raw, &err);
    *failure = CapturedError::FromSync(api, rc, &err, "boxlite_options_new");
    OptionsPtr opts(failure->failed() ? nullptr : raw, OptionsDeleter{&api});
    if (!opts) return opts;
    bl_options* o = opts.get();
    if (hasRootfs) api.boxlite_options_set_rootfs_path(o, rootfsPath.c_str());
    if (hasName) api.boxlite_options_set_name(o, name.c_str());
    if (cpus > 0) api.boxlite_options_set_cpus(o, static_cast<int>(cpus));
    if (memoryMib > 0) api.boxlite_options_set_memory(o, static_cast<int>(memoryMib));
    if (diskSizeGb > 0) api.boxlite_options_set_disk_size_gb(o, static_cast<int>(diskSizeGb));
    if (hasWorkdir) api.boxlite_options_set_workdir(o, workdir.c_str());
    for (const auto& kv : env) api.boxlite_options_add_env(o, kv.first.c_str(), kv.second.c_str());
    for (const auto& v : volumes) {
      api.boxlite_options_add_volume(o, v.hostPath.c_str(), v.guestPath.c_str(), v.readOnly ? 1 : 0);
    }
    if (hasNetworkMode) {
      if (networkDisabled) {
        api.boxlite_options_set_network_disabled(o);
      } else {
        api.boxlite_options_set_network_enabled(o);
      }
    }
    for (const auto& host : allowNet) api.boxlite_options_add_network_allow(o, host.c_str());
    // detach=true with the default remove-on-stop fails at create with a
    // Config error (ABI §4); a detached box the caller did not ask to be
    // auto-removed therefore opts out of it.
    if (hasAutoRemove) {
      api.boxlite_options_set_auto_remove(o, autoRemove ? 1 : 0);
    } else if (hasDetach && detach) {
      api.boxlite_options_set_auto_remove(o, 0);
    }
    if (hasDetach) api.boxlite_options_set_detach(o, detach ? 1 : 0);
    if (!entrypoint.empty()) {
      auto args = CStrings(entrypoint);
      api.boxlite_options_set_entrypoint(o, args.data(), static_cast<int>(args.size()));
    }
    if (!cmd.empty()) {
      auto args = CStrings(cmd);
      api.boxlite_options_set_cmd(o, args.data(), static_cast<int>(args.size()));
    }
    // RequireSupported ran first: each setter used here exists.
    if (hasAutoStop) api.boxlite_options_set_auto_pause_interval(o, static_cast<uint32_t>(autoStop));
    if (hasAutoDelete) api.boxlite_options_set_auto_delete_interval(o, static_cast<uint32_t>(autoDelete));
    if (hasAutoResume) api.boxlite_options_set_auto_resume_enabled(o, autoResume ? 1 : 0);
    return opts;
  }
};

std::string RequireId(Napi::Env env, const Napi::Value& v) {
  std::string id = ToCString(env, v, "idOrName");
  if (id.empty()) ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("idOrName must be a non-empty string"));
  return id;
}

class OpenWorker : public Napi::AsyncWorker {
 public:
  OpenWorker(Napi::Env env, bool remote)
      : Napi::AsyncWorker(env, "boxlite:open"), deferred_(Napi::Promise::Deferred::New(env)), remote_(remote) {}
  ~OpenWorker() override {
    if (rt_ != nullptr) api_->boxlite_runtime_free(rt_);  // never handed to a core
  }

  Napi::Promise Promise() const { return deferred_.Promise(); }

  LoadRequest request;
  bool hasHome = false;
  std::string homeDir;
  std::string url;
  bool hasApiKey = false;
  std::string apiKey;
  bool hasPathPrefix = false;
  std::string pathPrefix;

  void Execute() override {
    LoadResult loaded = LoadLibrary(request);
    if (!loaded.api) {
      failure_.code = BL_ENGINE;
      failure_.message = loaded.error;
      return;
    }
    api_ = loaded.api;
    if (remote_) {
      OpenRest();
    } else {
      bl_error err{BL_OK, nullptr};
      bl_code rc = api_->boxlite_runtime_new(hasHome ? homeDir.c_str() : nullptr, nullptr, 0, &rt_, &err);
      failure_ = CapturedError::FromSync(*api_, rc, &err, "boxlite_runtime_new");
    }
    if (failure_.failed() && rt_ != nullptr) {
      api_->boxlite_runtime_free(rt_);
      rt_ = nullptr;
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (failure_.failed() || rt_ == nullptr) {
      if (!failure_.failed()) failure_ = {BL_INTERNAL, "internal error: libboxlite returned no runtime"};
      deferred_.Reject(MakeError(env, failure_.code, failure_.message, ErrorSite::kCompletion));
      return;
    }
    bl_runtime* rt = rt_;
    rt_ = nullptr;  // RuntimeCore::Start owns it from here, even if it throws
    try {
      deferred_.Resolve(NativeRuntime::NewInstance(env, RuntimeCore::Start(env, api_, rt, remote_)));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

 private:
  void OpenRest() {
    const Api& api = *api_;
    bl_error err{BL_OK, nullptr};
    bl_credential* cred = nullptr;
    if (hasApiKey) {
      bl_code rc = api.boxlite_api_key_credential_new(apiKey.c_str(), &cred, &err);
      failure_ = CapturedError::FromSync(api, rc, &err, "boxlite_api_key_credential_new");
      if (failure_.failed()) return;
    }
    bl_rest_options* opts = nullptr;
    bl_code rc = api.boxlite_rest_options_new(url.c_str(), &opts, &err);
    failure_ = CapturedError::FromSync(api, rc, &err, "boxlite_rest_options_new");
    if (!failure_.failed()) {
      // Both are cloned by libboxlite: free ours afterwards.
      if (cred != nullptr) api.boxlite_rest_options_set_credential(opts, cred);
      if (hasPathPrefix) api.boxlite_rest_options_set_path_prefix(opts, pathPrefix.c_str());
      rc = api.boxlite_rest_runtime_new_with_options(opts, &rt_, &err);
      failure_ = CapturedError::FromSync(api, rc, &err, "boxlite_rest_runtime_new_with_options");
      api.boxlite_rest_options_free(opts);
    }
    api.boxlite_credential_free(cred);
  }

  Napi::Promise::Deferred deferred_;
  const bool remote_;
  std::shared_ptr<const Api> api_;
  bl_runtime* rt_ = nullptr;
  CapturedError failure_;
};

void ReadLoadRequest(Napi::Object o, LoadRequest* request) {
  OptionalString(o, "libraryPath", &request->explicitPath);
  OptionalString(o, "envLibraryPath", &request->envPath);
  OptionalBool(o, "allowUntestedVersion", &request->allowUntestedVersion);
}

}  // namespace

Napi::Function NativeRuntime::Define(Napi::Env env) {
  return DefineClass(env, "NativeRuntime",
                     {
                         InstanceMethod<&NativeRuntime::CreateBox>("createBox"),
                         InstanceMethod<&NativeRuntime::GetBox>("getBox"),
                         InstanceMethod<&NativeRuntime::GetInfo>("getInfo"),
                         InstanceMethod<&NativeRuntime::ListBoxes>("listBoxes"),
                         InstanceMethod<&NativeRuntime::RemoveBox>("removeBox"),
                         InstanceMethod<&NativeRuntime::Metrics>("metrics"),
                         InstanceMethod<&NativeRuntime::Close>("close"),
                         InstanceMethod<&NativeRuntime::ReleaseBoxHandles>("releaseBoxHandles"),
                         InstanceAccessor<&NativeRuntime::Closed>("closed"),
                         InstanceAccessor<&NativeRuntime::SpilledOutputBytes>("spilledOutputBytes"),
                         InstanceAccessor<&NativeRuntime::BufferedOutputBytes>("bufferedOutputBytes"),
                         InstanceAccessor<&NativeRuntime::LibraryPath>("libraryPath"),
                         InstanceAccessor<&NativeRuntime::LibraryVersion>("libraryVersion"),
                         InstanceAccessor<&NativeRuntime::Capabilities>("capabilities"),
                     });
}

Napi::Object NativeRuntime::NewInstance(Napi::Env env, std::shared_ptr<RuntimeCore> core) {
  Napi::Object obj = AddonData::Of(env)->runtimeClass.New({});
  NativeRuntime* self = Unwrap(obj);
  self->core_ = std::move(core);
  self->core_->AttachWrapper(self);
  return obj;
}

NativeRuntime::NativeRuntime(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeRuntime>(info) {}

NativeRuntime::~NativeRuntime() {
  if (core_) {
    core_->DetachWrapper();
    core_->CloseUnreferenced();  // no-op once closed
  }
}

RuntimeCore& NativeRuntime::Core(Napi::Env env) {
  if (!core_) ThrowError(env, BL_INVALID_STATE, "invalid state: this runtime object was not opened by boxlite-native");
  return *core_;
}

Napi::Value NativeRuntime::CreateBox(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    RuntimeCore& core = Core(env);
    if (!core.IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    BoxSpec spec = BoxSpec::Parse(env, RequireObject(env, info[0], "box options"));
    spec.RequireSupported(env, core.api());
    CapturedError failure;
    OptionsPtr opts = spec.Build(core.api(), &failure);
    if (failure.failed()) ThrowError(env, failure.code, failure.message);
    return IssueOp<BoxOp>(env, core, "boxlite_create_box", [&](BoxOp* op, bl_error* err) {
      bl_code rc = core.api().boxlite_create_box(core.handle(), opts.get(), &BoxOp::Callback, op, err);
      if (rc == BL_OK) opts.release();  // consumed by create once it returns Ok
      return rc;
    });
  });
}

Napi::Value NativeRuntime::GetBox(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    RuntimeCore& core = Core(env);
    if (!core.IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    std::string id = RequireId(env, info[0]);
    return IssueOp<BoxOp>(env, core, "boxlite_get", [&](BoxOp* op, bl_error* err) {
      return core.api().boxlite_get(core.handle(), id.c_str(), &BoxOp::Callback, op, err);
    });
  });
}

Napi::Value NativeRuntime::GetInfo(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    RuntimeCore& core = Core(env);
    if (!core.IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    std::string id = RequireId(env, info[0]);
    return IssueOp<InfoOp>(env, core, "boxlite_get_info", [&](InfoOp* op, bl_error* err) {
      return core.api().boxlite_get_info(core.handle(), id.c_str(), &InfoOp::Callback, op, err);
    });
  });
}

Napi::Value NativeRuntime::ListBoxes(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    RuntimeCore& core = Core(env);
    if (!core.IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    return IssueOp<ListOp>(env, core, "boxlite_list_info", [&](ListOp* op, bl_error* err) {
      return core.api().boxlite_list_info(core.handle(), &ListOp::Callback, op, err);
    });
  });
}

Napi::Value NativeRuntime::RemoveBox(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    RuntimeCore& core = Core(env);
    if (!core.IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    std::string id = RequireId(env, info[0]);
    bool force = info.Length() > 1 && info[1].ToBoolean().Value();
    return IssueOp<DoneOp>(env, core, "boxlite_remove", [&](DoneOp* op, bl_error* err) {
      return core.api().boxlite_remove(core.handle(), id.c_str(), force ? 1 : 0, &DoneOp::Callback, op, err);
    });
  });
}

Napi::Value NativeRuntime::Metrics(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    RuntimeCore& core = Core(env);
    if (!core.IsOpen()) ThrowError(env, BL_STOPPED, ClosedMessage());
    return IssueOp<RuntimeMetricsOp>(env, core, "boxlite_runtime_metrics", [&](RuntimeMetricsOp* op, bl_error* err) {
      return core.api().boxlite_runtime_metrics(core.handle(), &RuntimeMetricsOp::Callback, op, err);
    });
  });
}

Napi::Value NativeRuntime::ReleaseBoxHandles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (core_ && info.Length() > 0 && info[0].IsString()) core_->ReleaseBoxHandles(info[0].As<Napi::String>().Utf8Value());
  return env.Undefined();
}

Napi::Value NativeRuntime::Close(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value { return Core(env).Close(env); });
}

Napi::Value NativeRuntime::Closed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !core_ || !core_->IsOpen());
}

Napi::Value NativeRuntime::SpilledOutputBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_ ? static_cast<double>(core_->spilledOutputBytes()) : 0.0);
}

Napi::Value NativeRuntime::BufferedOutputBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_ ? static_cast<double>(core_->bufferedOutputBytes()) : 0.0);
}

Napi::Value NativeRuntime::LibraryPath(const Napi::CallbackInfo& info) {
  return core_ ? Napi::Value(Napi::String::New(info.Env(), core_->api().path)) : info.Env().Null();
}

Napi::Value NativeRuntime::LibraryVersion(const Napi::CallbackInfo& info) {
  return core_ ? Napi::Value(Napi::String::New(info.Env(), core_->api().version)) : info.Env().Null();
}

Napi::Value NativeRuntime::Capabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_) return env.Null();
  const Api& api = core_->api();
  Napi::Object c = Napi::Object::New(env);
  c.Set("version", api.version);
  c.Set("build", api.profile.build);
  c.Set("layout", abi::LayoutName(api.profile.layout));
  c.Set("untested", api.profile.untested);
  Napi::Object features = Napi::Object::New(env);
  features.Set("boxInfoNetwork", api.HasBoxInfoNetwork());
  features.Set("boxInfoLifecycle", api.HasBoxInfoLifecycle());
  features.Set("boxInfoByHandle", api.boxlite_box_info != nullptr);
  features.Set("autoStop", api.boxlite_options_set_auto_pause_interval != nullptr);
  features.Set("autoDelete", api.boxlite_options_set_auto_delete_interval != nullptr);
  features.Set("autoResume", api.boxlite_options_set_auto_resume_enabled != nullptr);
  c.Set("features", features);
  Napi::Object symbols = Napi::Object::New(env);
#define BL_SYMBOL_PRESENT(ret, name, params) symbols.Set(#name, api.name != nullptr);
  BL_ABI_OPTIONAL_FUNCTIONS(BL_SYMBOL_PRESENT)
#undef BL_SYMBOL_PRESENT
  symbols.Set("boxlite_options_add_volume", api.addVolumeSymbol);
  c.Set("symbols", symbols);
  return c;
}

Napi::Value OpenRuntime(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    Napi::Object o = info[0].IsUndefined() ? Napi::Object::New(env) : RequireObject(env, info[0], "options");
    auto* worker = new OpenWorker(env, /*remote=*/false);
    try {
      ReadLoadRequest(o, &worker->request);
      worker->hasHome = OptionalString(o, "homeDir", &worker->homeDir);
    } catch (...) {
      delete worker;
      throw;
    }
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

Napi::Value OpenRestRuntime(const Napi::CallbackInfo& info) {
  return AsPromise(info.Env(), [&](Napi::Env env) -> Napi::Value {
    Napi::Object o = RequireObject(env, info[0], "options");
    auto* worker = new OpenWorker(env, /*remote=*/true);
    try {
      ReadLoadRequest(o, &worker->request);
      if (!OptionalString(o, "url", &worker->url) || worker->url.empty()) {
        ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument("url is required"));
      }
      worker->hasApiKey = OptionalString(o, "apiKey", &worker->apiKey);
      worker->hasPathPrefix = OptionalString(o, "pathPrefix", &worker->pathPrefix);
    } catch (...) {
      delete worker;
      throw;
    }
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

}  // namespace boxlite
