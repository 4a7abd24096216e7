// Box options, lifecycle, info, metrics and copies (ABI §4, §5).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>

#include "engine.h"

using namespace engine;

namespace {

constexpr const char* kInvalidated = "Handle invalidated after stop(). Use runtime.get() to get a new handle.";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// 12 base62 characters, like libboxlite's locally minted ids.
std::string mint_id() {
  static const char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 12; i++) id += kAlphabet[rd() % 62];
  return id;
}

// boxlite_get / boxlite_get_info: libboxlite's C layer wraps a miss once more
// (sdks/c/src/box_handle.rs, info.rs), so the text reads "box not found: Box not found: <x>".
Failure not_found(const std::string& what) { return fail(BL_NOT_FOUND, "Box not found: " + what); }
// boxlite_remove: the core's own NotFound(id_or_name) (runtime/rt_impl.rs resolve_id).
Failure remove_not_found(const std::string& what) { return fail(BL_NOT_FOUND, what); }

// Start, exec, metrics and copy need a live handle (ABI §5, handle caveats).
Failure check_live(const bl_box& box) {
  if (box.inst->invalidated || box.core->shut_down) return fail(BL_STOPPED, kInvalidated);
  std::lock_guard<std::mutex> lk(box.inst->rec->mu);
  if (box.inst->rec->removed) return not_found(box.inst->rec->id);
  return {};
}

Failure create_record(const std::shared_ptr<Core>& core, const BoxConfig& cfg, std::shared_ptr<BoxRecord>* out) {
  if (core->shut_down) return fail(BL_STOPPED, "Cannot create box: runtime has been shut down");
  // 0.9.7's BoxOptions::sanitize_common (runtime/options.rs): Config.
  // (0.10.0 raises InvalidArgument with the same text.)
  // The local runtime's reject_local_lifecycle_policy (runtime/rt_impl.rs).
  if (cfg.auto_pause > 0) return fail(BL_UNSUPPORTED, "AutoPause is only supported by REST runtimes");
  if (cfg.detach && cfg.effective_auto_delete() > 0)
    return fail(BL_CONFIG,
                "remove-on-stop is incompatible with detach=true. Detached boxes should use auto_delete=0 "
                "(or deprecated auto_remove=false) for manual lifecycle control.");
  // The image reference is not parsed before start (an empty or malformed
  // one is stored as given), as in libboxlite.
  int64_t started = now_ms();
  std::lock_guard<std::mutex> lk(core->mu);
  // libboxlite checks a name with its general lookup (rt_impl.rs
  // create_inner): a name equal to an existing box's name, id or unique id
  // prefix is taken; an ambiguous prefix fails with the lookup's own error.
  if (!cfg.name.empty()) {
    std::shared_ptr<BoxRecord> taken;
    if (Failure f = core->lookup_locked(cfg.name, &taken)) return f;
    if (taken) return fail(BL_INVALID_ARGUMENT, "box with name '" + cfg.name + "' already exists");
  }
  auto rec = std::make_shared<BoxRecord>();
  do rec->id = mint_id();
  while (core->boxes.count(rec->id));
  rec->cfg = cfg;
  rec->dir = core->home + "/boxes/" + rec->id;
  rec->root = rec->dir + "/rootfs";
  rec->created_at = time(nullptr);
  std::string why;
  if (!prepare_box_root(rec->root, &why)) return fail(BL_STORAGE, "failed to create box directory: " + why);
  rec->create_ms = now_ms() - started;
  write_box_meta(*rec);
  core->boxes[rec->id] = rec;
  *out = rec;
  return {};
}

char* dup_or_null(const std::string& s) { return s.empty() ? nullptr : strdup(s.c_str()); }

// The CBoxInfo layout this build hands out (engine.h).
#if BL_ENGINE_CLASSIC
using EngineInfo = bl_box_info_0_9_5;
using EngineInfoList = bl_box_info_list_0_9_5;
#else
using EngineInfo = bl_box_info;
using EngineInfoList = bl_box_info_list;
#endif

void fill_info(EngineInfo* info, BoxRecord& rec) {
  std::lock_guard<std::mutex> lk(rec.mu);
  const BoxConfig& c = rec.cfg;
  info->id = strdup(rec.id.c_str());
  info->name = dup_or_null(c.name);
  info->image = strdup(c.image.c_str());
  info->status = strdup(rec.status.c_str());
  info->running = rec.status == "running";
  info->pid = info->running ? getpid() : 0;  // the "VM" is this process
  info->cpus = c.cpus;
  info->memory_mib = c.memory_mib;
  info->created_at = rec.created_at;
#if !BL_ENGINE_CLASSIC
  info->auto_pause = c.auto_pause;
  info->auto_delete = c.effective_auto_delete();  // as libboxlite's runtime/types.rs reports it
  info->auto_resume = c.auto_resume ? 1 : 0;      // default on (auto_resume.unwrap_or(true))
  auto* net = static_cast<bl_network_info*>(calloc(1, sizeof(bl_network_info)));
  net->mode = c.network_enabled ? 0 : 1;
  net->allow_net_count = static_cast<int>(c.allow_net.size());
  net->allow_net = static_cast<char**>(calloc(c.allow_net.size() + 1, sizeof(char*)));
  for (size_t i = 0; i < c.allow_net.size(); i++) net->allow_net[i] = strdup(c.allow_net[i].c_str());
  info->network = net;  // published_ports stays NULL: unknown
#endif
}

void free_info_fields(EngineInfo* info) {
  free(info->id);
  free(info->name);
  free(info->image);
  free(info->status);
#if !BL_ENGINE_CLASSIC
  if (bl_network_info* net = info->network) {
    for (int i = 0; i < net->allow_net_count; i++) free(net->allow_net[i]);
    free(net->allow_net);
    free(net);
  }
#endif
}

struct InfoDeleter {
  void operator()(bl_box_info* i) const { boxlite_free_box_info(i); }
};
struct ListDeleter {
  void operator()(bl_box_info_list* l) const { boxlite_free_box_info_list(l); }
};

// The event answering an info call: `rec`'s info, or `f` (a removed box is NotFound).
std::unique_ptr<Event> info_event(bl_box_info_cb cb, void* ud, Failure f, const std::shared_ptr<BoxRecord>& rec) {
  std::unique_ptr<bl_box_info, InfoDeleter> info;
  if (!f && rec) {
    std::lock_guard<std::mutex> lk(rec->mu);
    if (rec->removed) f = not_found(rec->id);
  }
  if (!f) {
    auto* raw = static_cast<EngineInfo*>(calloc(1, sizeof(EngineInfo)));
    fill_info(raw, *rec);
    // Typed bl_box_info* by the common callback signature; the reader knows the layout.
    info.reset(reinterpret_cast<bl_box_info*>(raw));
  }
  return make_event([cb, ud, f, info = std::move(info)]() mutable {
    CallbackError e(f);
    cb(info.release(), &e.e, ud);  // owned by the callback
  });
}

void post_done(const std::shared_ptr<Core>& core, bl_done_cb cb, void* ud, const Failure& f) {
  core->queue->post([cb, ud, f] {
    CallbackError e(f);
    cb(&e.e, ud);
  });
}

FaultQuery box_query(const char* op, bl_box* box) {
  return {op, box->inst->rec->id, box->inst->rec->cfg.name, "", ""};
}

// Shared shape of the async box-handle operations: validate, consult the
// fault rules, then run `work` on a worker and post its result.
bl_code box_op(const char* op, bl_box* box, bl_done_cb cb, void* ud, bl_error* err, std::function<Failure()> work) {
  if (!box) return set_error(err, fail(BL_INVALID_ARGUMENT, "box handle is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  auto core = box->core;
  CallFault fault = take_call_fault(core->home, box_query(op, box));
  if (fault.sync) return set_error(err, *fault.sync);
  auto af = fault.async;
  core->run_async([core, cb, ud, af, work] { post_done(core, cb, ud, af ? *af : work()); });
  return BL_OK;
}

}  // namespace

namespace engine {
Failure check_live_handle(const bl_box& box) { return check_live(box); }

void ensure_running(const std::shared_ptr<BoxRecord>& rec) {
  {
    std::lock_guard<std::mutex> lk(rec->mu);
    if (rec->status == "running" || rec->removed) return;
    rec->status = "running";  // nothing to boot: the "VM" is this process
  }
  write_box_meta(*rec);
}
}  // namespace engine

// ---- options (ABI §4) -------------------------------------------------------------------

static std::vector<std::string> string_list(const char* const* args, int argc) {
  std::vector<std::string> v;
  for (int i = 0; args && i < argc; i++)
    if (args[i] && valid_utf8(args[i], strlen(args[i]))) v.push_back(args[i]);
  return v;
}
static bool ok_str(const char* s) { return s && valid_utf8(s, strlen(s)); }

extern "C" bl_code boxlite_options_new(const char* image, bl_options** out, bl_error* err) {
  if (out) *out = nullptr;
  std::string img;
  bl_code rc;
  if (!parse_str(image, &img, err, &rc)) return rc;
  if (!out) return set_error(err, fail(BL_INVALID_ARGUMENT, "out is null"));
  *out = new bl_options{};
  (*out)->cfg.image = img;
  return BL_OK;
}
extern "C" void boxlite_options_set_rootfs_path(bl_options* o, const char* path) {
  if (o && ok_str(path)) o->cfg.image = "rootfs:" + std::string(path);  // how libboxlite's info reports it
}
extern "C" void boxlite_options_set_name(bl_options* o, const char* name) {
  if (o && ok_str(name)) o->cfg.name = name;
}
extern "C" void boxlite_options_set_cpus(bl_options* o, int cpus) {
  if (o && cpus > 0) o->cfg.cpus = static_cast<uint8_t>(cpus);  // stored as u8, like libboxlite
}
extern "C" void boxlite_options_set_memory(bl_options* o, int memory_mib) {
  if (o && memory_mib > 0) o->cfg.memory_mib = memory_mib;
}
extern "C" void boxlite_options_set_disk_size_gb(bl_options* o, int gb) {
  if (o && gb > 0) o->cfg.disk_gb = gb;
}
extern "C" void boxlite_options_set_workdir(bl_options* o, const char* dir) {
  if (o && ok_str(dir)) o->cfg.workdir = dir;
}
extern "C" void boxlite_options_add_env(bl_options* o, const char* key, const char* val) {
  if (o && ok_str(key) && ok_str(val)) o->cfg.env.emplace_back(key, val);
}
// Volumes are accepted and ignored: the engine mounts nothing (README.md).
extern "C" void boxlite_options_add_volume(bl_options*, const char*, const char*, int) {}
extern "C" void boxlite_options_set_network_enabled(bl_options* o) {
  if (o) o->cfg.network_enabled = true;
}
extern "C" void boxlite_options_set_network_disabled(bl_options* o) {
  if (o) o->cfg.network_enabled = false;
}
extern "C" void boxlite_options_add_network_allow(bl_options* o, const char* host) {
  if (o && o->cfg.network_enabled && ok_str(host)) o->cfg.allow_net.push_back(host);
}
extern "C" void boxlite_options_set_auto_remove(bl_options* o, int on) {
  if (o) o->cfg.auto_remove = on != 0;
}
extern "C" void boxlite_options_set_detach(bl_options* o, int on) {
  if (o) o->cfg.detach = on != 0;
}
extern "C" void boxlite_options_set_entrypoint(bl_options* o, const char* const* args, int argc) {
  if (o) o->cfg.entrypoint = string_list(args, argc);
}
extern "C" void boxlite_options_set_cmd(bl_options* o, const char* const* args, int argc) {
  if (o) o->cfg.cmd = string_list(args, argc);
}
extern "C" void boxlite_options_free(bl_options* o) { delete o; }

// ---- runtime-level box calls --------------------------------------------------------

extern "C" bl_code boxlite_create_box(bl_runtime* rt, bl_options* opts, bl_box_cb cb, void* ud, bl_error* err) {
  if (!rt) return set_error(err, fail(BL_INVALID_ARGUMENT, "runtime is null"));
  if (!opts) return set_error(err, fail(BL_INVALID_ARGUMENT, "options is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  auto core = rt->core;
  FaultQuery q{"create_box", "", opts->cfg.name, opts->cfg.name, ""};
  CallFault fault = take_call_fault(core->home, q);
  if (fault.sync) return set_error(err, *fault.sync);  // opts not consumed
  auto af = fault.async;
  BoxConfig cfg = std::move(opts->cfg);
  delete opts;  // consumed on an Ok return
  core->run_async([core, cfg, cb, ud, af] {
    Failure f = af ? *af : Failure{};
    std::shared_ptr<BoxRecord> rec;
    if (!f) f = create_record(core, cfg, &rec);
    std::unique_ptr<bl_box> handle;
    // A refused create is not a failed box (libboxlite counts failed boots).
    if (!f) core->boxes_created++, handle.reset(new bl_box{core, core->instance_for(rec)});
    core->queue->post([cb, ud, f, handle = std::move(handle)]() mutable {
      CallbackError e(f);
      cb(handle.release(), &e.e, ud);  // owned by the callback
    });
  });
  return BL_OK;
}

// get / remove / get_info share their argument handling. The box is looked
// up once here, on the calling thread: the fault rules may name it by id or
// name, and get / get_info answer from this lookup (`*looked_up`, the
// ambiguity error or Ok, and `*rec`, null when nothing matches).
static bl_code by_id(const char* op, bl_runtime* rt, const char* id_or_name, bool has_cb, bl_error* err,
                     std::string* id, Failure* looked_up, std::shared_ptr<BoxRecord>* rec,
                     std::optional<Failure>* async_fault) {
  if (!rt) return set_error(err, fail(BL_INVALID_ARGUMENT, "runtime is null"));
  bl_code rc;
  if (!parse_str(id_or_name, id, err, &rc)) return rc;
  if (!has_cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  *looked_up = rt->core->lookup(*id, rec);
  FaultQuery q{op, "", "", *id, ""};
  if (*rec) q.box_id = (*rec)->id, q.box_name = (*rec)->cfg.name;
  CallFault fault = take_call_fault(rt->core->home, q);
  if (fault.sync) return set_error(err, *fault.sync);
  *async_fault = fault.async;
  return BL_OK;
}

// get and get_info read only the runtime's in-memory records (no disk), so
// they are answered from the lookup by_id just made: the event is queued at
// once instead of after a hop through a worker thread (which cost more than
// the lookup). The callback still runs only inside boxlite_runtime_drain.
extern "C" bl_code boxlite_get(bl_runtime* rt, const char* id_or_name, bl_box_cb cb, void* ud, bl_error* err) {
  std::string id;
  Failure f;
  std::shared_ptr<BoxRecord> rec;
  std::optional<Failure> af;
  if (bl_code rc = by_id("get", rt, id_or_name, cb != nullptr, err, &id, &f, &rec, &af)) return rc;
  auto core = rt->core;
  if (af) f = *af;
  std::unique_ptr<bl_box> handle;
  if (!f) {
    if (!rec) f = not_found(id);
    else handle.reset(new bl_box{core, core->instance_for(rec)});
  }
  core->post_now(make_event([cb, ud, f, handle = std::move(handle)]() mutable {
    CallbackError e(f);
    cb(handle.release(), &e.e, ud);
  }));
  return BL_OK;
}

extern "C" bl_code boxlite_remove(bl_runtime* rt, const char* id_or_name, int force, bl_done_cb cb, void* ud,
                                  bl_error* err) {
  std::string id;
  Failure looked_up;  // removal looks again on the worker, where it acts
  std::shared_ptr<BoxRecord> found;
  std::optional<Failure> af;
  if (bl_code rc = by_id("remove", rt, id_or_name, cb != nullptr, err, &id, &looked_up, &found, &af)) return rc;
  auto core = rt->core;
  core->run_async([core, id, force, cb, ud, af] {
    Failure f = af ? *af : Failure{};
    std::shared_ptr<BoxRecord> rec;
    if (!f) f = core->lookup(id, &rec);
    if (!f && !rec) f = remove_not_found(id);
    if (!f) {
      bool running;
      {
        std::lock_guard<std::mutex> lk(rec->mu);
        running = rec->status == "running";
      }
      if (running && !force)
        // libboxlite's text (rt_impl.rs remove_box); the "VM" pid is this process.
        f = fail(BL_INVALID_STATE, "cannot remove box " + rec->id + " with live pid Some(" + std::to_string(getpid()) +
                                       ") (status: Running). Use force=true to stop first");
      else {
        if (running) core->stop_box(rec);  // force: stop first, which also kills its executions
        core->remove_box_files(rec);
      }
    }
    post_done(core, cb, ud, f);
  });
  return BL_OK;
}

extern "C" bl_code boxlite_get_info(bl_runtime* rt, const char* id_or_name, bl_box_info_cb cb, void* ud, bl_error* err) {
  std::string id;
  Failure f;
  std::shared_ptr<BoxRecord> rec;
  std::optional<Failure> af;
  if (bl_code rc = by_id("get_info", rt, id_or_name, cb != nullptr, err, &id, &f, &rec, &af)) return rc;
  if (af) f = *af;
  if (!f && !rec) f = not_found(id);
  rt->core->post_now(info_event(cb, ud, f, f ? nullptr : rec));  // see boxlite_get
  return BL_OK;
}

extern "C" bl_code boxlite_list_info(bl_runtime* rt, bl_box_info_list_cb cb, void* ud, bl_error* err) {
  if (!rt) return set_error(err, fail(BL_INVALID_ARGUMENT, "runtime is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  auto core = rt->core;
  CallFault fault = take_call_fault(core->home, {"list_info", "", "", "", ""});
  if (fault.sync) return set_error(err, *fault.sync);
  auto af = fault.async;
  core->run_async([core, cb, ud, af] {
    std::unique_ptr<bl_box_info_list, ListDeleter> list;
    if (!af) {
      std::vector<std::shared_ptr<BoxRecord>> recs;
      {
        std::lock_guard<std::mutex> lk(core->mu);
        for (auto& [id, rec] : core->boxes) recs.push_back(rec);
      }
      std::sort(recs.begin(), recs.end(), [](auto& a, auto& b) {
        return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id;
      });
      auto* raw = static_cast<EngineInfoList*>(calloc(1, sizeof(EngineInfoList)));
      raw->items = static_cast<EngineInfo*>(calloc(recs.size() + 1, sizeof(EngineInfo)));
      for (auto& rec : recs) fill_info(&raw->items[raw->count++], *rec);
      list.reset(reinterpret_cast<bl_box_info_list*>(raw));
    }
    Failure f = af ? *af : Failure{};
    core->queue->post([cb, ud, f, list = std::move(list)]() mutable {
      CallbackError e(f);
      cb(list.release(), &e.e, ud);
    });
  });
  return BL_OK;
}

extern "C" void boxlite_free_box_info(bl_box_info* info) {
  if (!info) return;
  auto* raw = reinterpret_cast<EngineInfo*>(info);
  free_info_fields(raw);
  free(raw);
}

extern "C" void boxlite_free_box_info_list(bl_box_info_list* list) {
  if (!list) return;
  auto* raw = reinterpret_cast<EngineInfoList*>(list);
  for (int i = 0; i < raw->count; i++) free_info_fields(&raw->items[i]);
  free(raw->items);
  free(raw);
}

// ---- box handles ---------------------------------------------------------------------------

extern "C" char* boxlite_box_id(bl_box* box) { return box ? strdup(box->inst->rec->id.c_str()) : nullptr; }

extern "C" void boxlite_box_free(bl_box* box) { delete box; }

extern "C" bl_code boxlite_start_box(bl_box* box, bl_done_cb cb, void* ud, bl_error* err) {
  if (!box) return set_error(err, fail(BL_INVALID_ARGUMENT, "box handle is null"));
  return box_op("start", box, cb, ud, err, [handle = bl_box{box->core, box->inst}] {
    Failure f = check_live(handle);
    if (!f) ensure_running(handle.inst->rec);
    return f;
  });
}

extern "C" bl_code boxlite_stop_box(bl_box* box, bl_done_cb cb, void* ud, bl_error* err) {
  if (!box) return set_error(err, fail(BL_INVALID_ARGUMENT, "box handle is null"));
  return box_op("stop", box, cb, ud, err, [inst = box->inst, core = box->core] {
    if (inst->invalidated) return Failure{};  // already stopped through this instance
    {
      std::lock_guard<std::mutex> lk(inst->rec->mu);
      if (inst->rec->removed) return not_found(inst->rec->id);
    }
    core->stop_box(inst->rec);
    return Failure{};
  });
}

#if BL_ENGINE_CLASSIC
// 0.9.5 / 0.9.7 release: synchronous, the caller owns *out (boxlite_free_box_info).
extern "C" bl_code boxlite_box_info(bl_box* box, bl_box_info_0_9_5** out, bl_error* err) {
  if (out) *out = nullptr;
  if (!box) return set_error(err, fail(BL_INVALID_ARGUMENT, "box handle is null"));
  if (!out) return set_error(err, fail(BL_INVALID_ARGUMENT, "out_info is null"));
  if (auto f = take_fault(box->core->home, When::Either, box_query("box_info", box))) return set_error(err, *f);
  BoxRecord& rec = *box->inst->rec;
  {
    std::lock_guard<std::mutex> lk(rec.mu);
    if (rec.removed) return set_error(err, not_found(rec.id));
  }
  *out = static_cast<bl_box_info_0_9_5*>(calloc(1, sizeof(bl_box_info_0_9_5)));
  fill_info(*out, rec);
  return BL_OK;
}
#else
extern "C" void boxlite_options_set_auto_pause_interval(bl_options* o, uint32_t seconds) {
  if (o) o->cfg.auto_pause = seconds;
}
extern "C" void boxlite_options_set_auto_delete_interval(bl_options* o, uint32_t seconds) {
  if (o) o->cfg.auto_delete = seconds;
}
extern "C" void boxlite_options_set_auto_resume_enabled(bl_options* o, int on) {
  if (o) o->cfg.auto_resume = on != 0;
}
// Not used by the addon: exported because 0.9.7 main exports it, and its
// presence is how the addon recognises that layout (src/abi/v0_9_7.h).
extern "C" bl_code boxlite_advanced_options_set_capabilities_add(void*, const char* const*, int) { return BL_OK; }

extern "C" bl_code boxlite_box_info(bl_box* box, bl_box_info_cb cb, void* ud, bl_error* err) {
  if (!box) return set_error(err, fail(BL_INVALID_ARGUMENT, "box handle is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  auto core = box->core;
  CallFault fault = take_call_fault(core->home, box_query("box_info", box));
  if (fault.sync) return set_error(err, *fault.sync);
  auto af = fault.async;
  core->run_async([core, rec = box->inst->rec, cb, ud, af] { core->queue->push(info_event(cb, ud, af ? *af : Failure{}, rec)); });
  return BL_OK;
}
#endif

extern "C" bl_code boxlite_box_metrics(bl_box* box, bl_box_metrics_cb cb, void* ud, bl_error* err) {
  if (!box) return set_error(err, fail(BL_INVALID_ARGUMENT, "box handle is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  auto core = box->core;
  CallFault fault = take_call_fault(core->home, box_query("box_metrics", box));
  if (fault.sync) return set_error(err, *fault.sync);
  auto af = fault.async;
  core->run_async([core, handle = bl_box{core, box->inst}, cb, ud, af]() mutable {
    Failure f = af ? *af : check_live(handle);
    bl_box_metrics m{};
    if (!f) {
      BoxRecord& rec = *handle.inst->rec;
      std::lock_guard<std::mutex> lk(rec.mu);
      m.commands_executed = rec.commands;
      m.exec_errors = rec.exec_errors;
      m.create_duration_ms = rec.create_ms;
      m.boot_duration_ms = rec.boot_ms;
    }
    core->queue->post([cb, ud, f, m]() mutable {
      CallbackError e(f);
      cb(f ? nullptr : &m, &e.e, ud);  // borrowed
    });
  });
  return BL_OK;
}

static bl_code copy_op(const char* op, bl_box* box, const char* a, const char* b, bool into, bl_done_cb cb, void* ud,
                       bl_error* err) {
  if (!box) return set_error(err, fail(BL_INVALID_ARGUMENT, "box handle is null"));
  std::string src, dst;
  bl_code rc;
  if (!parse_str(a, &src, err, &rc) || !parse_str(b, &dst, err, &rc)) return rc;
  return box_op(op, box, cb, ud, err, [handle = bl_box{box->core, box->inst}, src, dst, into] {
    if (Failure f = check_live(handle)) return f;
    const std::string& root = handle.inst->rec->root;
    return into ? copy_into_box(root, src, dst) : copy_out_of_box(root, src, dst);
  });
}

extern "C" bl_code boxlite_copy_into(bl_box* box, const char* host_src, const char* guest_dst, bl_done_cb cb, void* ud,
                                     bl_error* err) {
  return copy_op("copy_into", box, host_src, guest_dst, true, cb, ud, err);
}

extern "C" bl_code boxlite_copy_out(bl_box* box, const char* guest_src, const char* host_dst, bl_done_cb cb, void* ud,
                                    bl_error* err) {
  return copy_op("copy_out", box, guest_src, host_dst, false, cb, ud, err);
}
