// boxlite-engine-check: drives libboxlite-test-engine.so through the C ABI the
// way the addon does (one drain loop, callbacks that copy what they get) and
// checks the contracts of the ABI doc. Prints TAP-like lines; exit code 0 only
// when every check passed. Run by test/engine-check.test.ts, and under valgrind.
//
// Usage: boxlite-engine-check [scratch-dir]   (default: a fresh dir under $TMPDIR)
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "boxlite_abi.h"

extern "C" {
#define DECLARE(ret, name, params) ret name params;
BL_ABI_FUNCTIONS(DECLARE)
BL_ABI_OPTIONAL_FUNCTIONS(DECLARE)  // the engine's default build: the newest layout
#undef DECLARE
}

namespace {

int g_failures = 0;
std::string g_scratch;

#define CHECK(cond, ...)                                          \
  do {                                                            \
    if (!(cond)) {                                                \
      g_failures++;                                               \
      fprintf(stderr, "  FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                               \
      fprintf(stderr, "\n");                                      \
    }                                                             \
  } while (0)
#define CHECK_EQ_STR(a, b) CHECK(std::string(a) == std::string(b), "got [%s] want [%s]", std::string(a).c_str(), std::string(b).c_str())
#define CHECK_EQ_INT(a, b) CHECK((a) == (b), "got %lld want %lld", static_cast<long long>(a), static_cast<long long>(b))

using Clock = std::chrono::steady_clock;
long ms_since(Clock::time_point t) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// ---- callback recorders (each copies what it is given, like the addon) ----------

struct Done {
  bool done = false;
  int code = -1;
  std::string msg;
  bool msg_null = true;
};
void done_cb(bl_error* e, void* ud) {
  auto* d = static_cast<Done*>(ud);
  d->done = true, d->code = e->code, d->msg_null = e->message == nullptr, d->msg = e->message ? e->message : "";
  boxlite_error_free(e);  // allowed: the engine frees only what is still set
}

struct BoxResult {
  bool done = false;
  bl_box* box = nullptr;
  int code = -1;
  std::string msg;
};
void box_cb(bl_box* b, bl_error* e, void* ud) {
  auto* r = static_cast<BoxResult*>(ud);
  r->done = true, r->box = b, r->code = e->code, r->msg = e->message ? e->message : "";
}

struct InfoResult {
  bool done = false;
  int code = -1;
  std::string msg, id, name, status, image;
  int running = 0;
};
void info_cb(bl_box_info* i, bl_error* e, void* ud) {
  auto* r = static_cast<InfoResult*>(ud);
  r->done = true, r->code = e->code, r->msg = e->message ? e->message : "";
  if (i) {
    r->id = i->id, r->name = i->name ? i->name : "", r->status = i->status, r->image = i->image, r->running = i->running;
    boxlite_free_box_info(i);
  }
}

struct ListResult {
  bool done = false;
  std::vector<std::string> ids;
};
void list_cb(bl_box_info_list* l, bl_error*, void* ud) {
  auto* r = static_cast<ListResult*>(ud);
  r->done = true;
  for (int i = 0; l && i < l->count; i++) r->ids.push_back(l->items[i].id);
  boxlite_free_box_info_list(l);
}

struct Run {
  std::string out, err, order;  // order: 'o', 'e', 'x' per event
  int exit_code = INT_MIN, exits = 0, out_events = 0;
  bool output_after_exit = false;
  bool waited = false;
  int wait_code = INT_MIN, wait_err = -1;
  std::string wait_msg;
};
void out_cb(const uint8_t* d, size_t n, void* ud) {
  auto* r = static_cast<Run*>(ud);
  if (r->exits) r->output_after_exit = true;
  r->out.append(reinterpret_cast<const char*>(d), n), r->order += 'o', r->out_events++;
}
void err_cb(const uint8_t* d, size_t n, void* ud) {
  auto* r = static_cast<Run*>(ud);
  if (r->exits) r->output_after_exit = true;
  r->err.append(reinterpret_cast<const char*>(d), n), r->order += 'e';
}
void exit_cb(int code, void* ud) {
  auto* r = static_cast<Run*>(ud);
  r->exit_code = code, r->exits++, r->order += 'x';
}
void wait_cb(int code, bl_error* e, void* ud) {
  auto* r = static_cast<Run*>(ud);
  r->waited = true, r->wait_code = code, r->wait_err = e->code, r->wait_msg = e->message ? e->message : "";
}

struct MetricsResult {
  bool done = false;
  int code = -1;
  int commands = -1;
};
void box_metrics_cb(bl_box_metrics* m, bl_error* e, void* ud) {
  auto* r = static_cast<MetricsResult*>(ud);
  r->done = true, r->code = e->code, r->commands = m ? m->commands_executed : -1;
}
void rt_metrics_cb(bl_runtime_metrics* m, bl_error* e, void* ud) {
  auto* r = static_cast<MetricsResult*>(ud);
  r->done = true, r->code = e->code, r->commands = m ? m->total_commands_executed : -1;
}

// Drains until `until` holds (or the timeout), like the addon's drain thread.
bool pump(bl_runtime* rt, const std::function<bool()>& until, int timeout_ms = 15000) {
  auto t0 = Clock::now();
  while (!until()) {
    if (ms_since(t0) > timeout_ms) return false;
    boxlite_runtime_drain(rt, 5, nullptr);
  }
  return true;
}

// ---- small builders -----------------------------------------------------------------

struct Cmd {
  explicit Cmd(std::string c, std::vector<std::string> a = {}) : command(std::move(c)), args(std::move(a)) {}
  std::string command;
  std::vector<std::string> args, env;
  const char* workdir = nullptr;
  const char* user = nullptr;
  double timeout = 0;
  int tty = 0;
  std::vector<const char*> argv, envv;
  bl_command c{};
  const bl_command* get() {
    argv.clear(), envv.clear();
    for (auto& a : args) argv.push_back(a.c_str());
    for (auto& e : env) envv.push_back(e.c_str());
    c = bl_command{command.c_str(), argv.data(), static_cast<int>(argv.size()), envv.data(), static_cast<int>(envv.size()),
                   workdir, user, timeout, tty};
    return &c;
  }
};
Cmd sh(const std::string& script) { return Cmd("sh", {"-c", script}); }

std::string take(bl_error* e) {
  std::string m = e->message ? e->message : "";
  boxlite_error_free(e);
  return m;
}

std::string new_home(const char* tag) {
  static int n = 0;
  std::string h = g_scratch + "/" + tag + "-" + std::to_string(n++);
  mkdir(h.c_str(), 0755);
  return h;
}

bl_runtime* open_runtime(const std::string& home) {
  bl_runtime* rt = nullptr;
  bl_error e{};
  int rc = boxlite_runtime_new(home.c_str(), nullptr, 0, &rt, &e);
  CHECK(rc == BL_OK && rt, "runtime_new: %d %s", rc, take(&e).c_str());
  return rt;
}

bl_box* create(bl_runtime* rt, const char* name, bool auto_remove = true, int* code = nullptr, std::string* msg = nullptr,
               bool detach = false) {
  bl_options* o = nullptr;
  bl_error e{};
  CHECK_EQ_INT(boxlite_options_new("alpine:latest", &o, &e), BL_OK);
  if (name) boxlite_options_set_name(o, name);
  boxlite_options_set_auto_remove(o, auto_remove ? 1 : 0);
  if (detach) boxlite_options_set_detach(o, 1);
  boxlite_options_add_env(o, "BOX_ENV", "from-box");
  BoxResult r;
  CHECK_EQ_INT(boxlite_create_box(rt, o, box_cb, &r, &e), BL_OK);  // consumes o
  CHECK(pump(rt, [&] { return r.done; }), "create callback never came");
  if (code) *code = r.code;
  if (msg) *msg = r.msg;
  if (!code) CHECK(r.code == BL_OK && r.box, "create failed: %s", r.msg.c_str());
  return r.box;
}

bl_execution* exec(bl_box* box, Cmd& cmd, Run* run, bool register_all = true) {
  bl_execution* ex = nullptr;
  bl_error e{};
  int rc = boxlite_box_exec(box, cmd.get(), &ex, &e);
  CHECK(rc == BL_OK && ex, "exec %s: %d %s", cmd.command.c_str(), rc, take(&e).c_str());
  if (ex && register_all) {
    CHECK_EQ_INT(boxlite_execution_on_stdout(ex, out_cb, run, &e), BL_OK);
    CHECK_EQ_INT(boxlite_execution_on_stderr(ex, err_cb, run, &e), BL_OK);
    CHECK_EQ_INT(boxlite_execution_on_exit(ex, exit_cb, run, &e), BL_OK);
  }
  return ex;
}

// Runs to completion: exit is the barrier for complete output.
Run run_cmd(bl_runtime* rt, bl_box* box, Cmd cmd) {
  Run r;
  bl_execution* ex = exec(box, cmd, &r);
  if (!ex) return r;
  CHECK(pump(rt, [&] { return r.exits > 0; }), "no exit for %s", cmd.command.c_str());
  boxlite_execution_free(ex);
  boxlite_runtime_drain(rt, 0, nullptr);
  return r;
}

int exec_error(bl_box* box, Cmd cmd, std::string* msg) {
  bl_execution* ex = reinterpret_cast<bl_execution*>(0x1);
  bl_error e{};
  int rc = boxlite_box_exec(box, cmd.get(), &ex, &e);
  CHECK(ex == nullptr, "*out must be NULL after a failed exec");
  *msg = take(&e);
  if (rc == BL_OK) boxlite_execution_free(ex);
  return rc;
}

void write_faults(const std::string& home, const std::string& rules) {
  std::string dir = home + "/.test-engine";
  mkdir(dir.c_str(), 0755);
  std::string tmp = dir + "/faults.tmp";
  std::ofstream(tmp) << rules;
  rename(tmp.c_str(), (dir + "/faults").c_str());  // a new inode: the engine re-reads it
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Running (not gone, not a zombie waiting for a reaper).
bool alive(pid_t pid) {
  std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

const char* kInvalidated = "stopped: Handle invalidated after stop(). Use runtime.get() to get a new handle.";

// ---- the checks ----------------------------------------------------------------------

void check_basics() {
  CHECK_EQ_STR(boxlite_version(), "0.9.7");
  boxlite_error_free(nullptr);
  bl_error e{BL_INTERNAL, strdup("x")};
  boxlite_error_free(&e);
  boxlite_error_free(&e);
  CHECK(e.code == BL_OK && e.message == nullptr, "error_free resets");
  CHECK_EQ_INT(boxlite_runtime_drain(nullptr, 0, nullptr), -1);
  boxlite_runtime_free(nullptr);
  boxlite_box_free(nullptr);
  boxlite_execution_free(nullptr);
  boxlite_free_box_info(nullptr);
  boxlite_free_box_info_list(nullptr);
  CHECK(boxlite_box_id(nullptr) == nullptr, "box_id(NULL)");
  // The string-parsing quirk: returns InvalidArgument, out_error says Internal.
  bl_options* o = nullptr;
  CHECK_EQ_INT(boxlite_options_new(nullptr, &o, &e), BL_INVALID_ARGUMENT);
  CHECK_EQ_INT(e.code, BL_INTERNAL);
  CHECK_EQ_STR(take(&e), "internal error: null pointer");
  // REST objects work; the runtime itself needs the real library.
  bl_credential* cred = nullptr;
  bl_rest_options* ro = nullptr;
  bl_runtime* rrt = nullptr;
  CHECK_EQ_INT(boxlite_api_key_credential_new("k", &cred, &e), BL_OK);
  CHECK_EQ_INT(boxlite_rest_options_new("http://127.0.0.1:1", &ro, &e), BL_OK);
  boxlite_rest_options_set_credential(ro, cred);
  boxlite_rest_options_set_path_prefix(ro, "/v1");
  boxlite_credential_free(cred);
  CHECK_EQ_INT(boxlite_rest_runtime_new_with_options(ro, &rrt, &e), BL_UNSUPPORTED);
  CHECK(take(&e).rfind("unsupported: ", 0) == 0, "Unsupported prefix");
  CHECK(rrt == nullptr, "no REST runtime");
  boxlite_rest_options_free(ro);
}

void check_runtime_lock() {
  std::string home = new_home("lock");
  bl_runtime* a = open_runtime(home);
  bl_runtime* b = reinterpret_cast<bl_runtime*>(0x1);
  bl_error e{};
  CHECK_EQ_INT(boxlite_runtime_new(home.c_str(), nullptr, 0, &b, &e), BL_INTERNAL);
  CHECK(b == nullptr, "out reset");
  CHECK_EQ_STR(take(&e), "internal error: Failed to acquire runtime lock at " + home +
                             ": internal error: Another BoxliteRuntime is already using directory: " + home +
                             "\nOnly one runtime instance can use a BOXLITE_HOME directory at a time.");
  CHECK_EQ_INT(boxlite_runtime_new(home.c_str(), nullptr, -1, &b, &e), BL_INVALID_ARGUMENT);
  boxlite_error_free(&e);
  boxlite_runtime_free(a);
  b = open_runtime(home);  // the lock is released by free
  boxlite_runtime_free(b);
}

void check_drain_semantics() {
  bl_runtime* rt = open_runtime(new_home("drain"));
  CHECK_EQ_INT(boxlite_runtime_drain(rt, 0, nullptr), 0);
  auto t0 = Clock::now();
  CHECK_EQ_INT(boxlite_runtime_drain(rt, 200, nullptr), 0);
  CHECK(ms_since(t0) >= 195, "drain(200) returned after %ld ms", ms_since(t0));
  MetricsResult m;
  bl_error e{};
  CHECK_EQ_INT(boxlite_runtime_metrics(rt, rt_metrics_cb, &m, &e), BL_OK);
  CHECK(!m.done, "callbacks only run inside drain");
  t0 = Clock::now();
  CHECK_EQ_INT(boxlite_runtime_drain(rt, 300, nullptr), 1);  // keeps going after the event
  CHECK(m.done && m.code == BL_OK, "metrics callback");
  CHECK(ms_since(t0) >= 295, ">0 returns only after the full timeout (%ld ms)", ms_since(t0));
  // NULL callback: rejected synchronously, nothing queued.
  CHECK_EQ_INT(boxlite_runtime_metrics(rt, nullptr, nullptr, &e), BL_INVALID_ARGUMENT);
  CHECK_EQ_STR(take(&e), "invalid argument: cb is null");
  CHECK_EQ_INT(boxlite_runtime_drain(rt, 50, nullptr), 0);
  // drain(-1) blocks until the runtime is freed.
  std::atomic<int> blocked_result{-2};
  std::thread drainer([&] { blocked_result = boxlite_runtime_drain(rt, -1, nullptr); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  CHECK_EQ_INT(blocked_result.load(), -2);
  boxlite_runtime_free(rt);
  drainer.join();
  CHECK_EQ_INT(blocked_result.load(), 0);
}

void check_free_with_queued_events() {
  std::string home = new_home("queued");
  bl_runtime* rt = open_runtime(home);
  bl_box* box = create(rt, "q", false);
  static int fired = 0;
  bl_error e{};
  for (int i = 0; i < 20; i++) {
    CHECK_EQ_INT(boxlite_box_info(box, [](bl_box_info* i, bl_error*, void*) { fired++, boxlite_free_box_info(i); }, nullptr, &e), BL_OK);
    CHECK_EQ_INT(boxlite_get(rt, "q", [](bl_box* b, bl_error*, void*) { fired++, boxlite_box_free(b); }, nullptr, &e), BL_OK);
    CHECK_EQ_INT(boxlite_list_info(rt, [](bl_box_info_list* l, bl_error*, void*) { fired++, boxlite_free_box_info_list(l); }, nullptr, &e), BL_OK);
  }
  Run r;
  Cmd c = sh("echo queued; sleep 5");
  bl_execution* ex = exec(box, c, &r);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let them queue up
  boxlite_runtime_free(rt);  // drops the queued events, payloads freed inside
  CHECK_EQ_INT(fired, 0);
  CHECK_EQ_INT(r.exits, 0);
  boxlite_execution_free(ex);  // the exec outlives its runtime safely
  boxlite_box_free(box);
  CHECK_EQ_INT(fired, 0);
}

void check_boxes() {
  std::string home = new_home("boxes");
  bl_runtime* rt = open_runtime(home);
  bl_box* box = create(rt, "alpha", false);
  char* id = boxlite_box_id(box);
  std::string box_id = id;
  boxlite_free_string(id);
  CHECK(box_id.size() >= 12, "id %s", box_id.c_str());
  struct stat st;
  CHECK(stat((home + "/boxes/" + box_id + "/rootfs/etc/passwd").c_str(), &st) == 0, "box root with etc/passwd");

  BoxResult g1, g2, g3;
  bl_error e{};
  CHECK_EQ_INT(boxlite_get(rt, "alpha", box_cb, &g1, &e), BL_OK);
  CHECK_EQ_INT(boxlite_get(rt, box_id.c_str(), box_cb, &g2, &e), BL_OK);
  CHECK_EQ_INT(boxlite_get(rt, "nope", box_cb, &g3, &e), BL_OK);
  CHECK_EQ_INT(boxlite_get(rt, nullptr, box_cb, &g3, &e), BL_INVALID_ARGUMENT);
  CHECK_EQ_STR(take(&e), "internal error: null pointer");
  pump(rt, [&] { return g1.done && g2.done && g3.done; });
  CHECK(g1.code == BL_OK && g1.box, "get by name");
  CHECK(g2.code == BL_OK && g2.box, "get by id");
  CHECK(g3.code == BL_NOT_FOUND && !g3.box, "get miss");
  CHECK_EQ_STR(g3.msg, "box not found: Box not found: nope");
  boxlite_box_free(g1.box);
  boxlite_box_free(g2.box);

  // libboxlite's lookup (litebox/manager.rs): a unique id prefix finds the box;
  // a prefix several ids share ("" matches all) is InvalidArgument, not a miss.
  BoxResult g4;
  CHECK_EQ_INT(boxlite_get(rt, box_id.substr(0, 5).c_str(), box_cb, &g4, &e), BL_OK);
  pump(rt, [&] { return g4.done; });
  CHECK(g4.code == BL_OK && g4.box, "get by unique id prefix");
  boxlite_box_free(g4.box);
  bl_box* other = create(rt, "beta", false);
  BoxResult g5;
  CHECK_EQ_INT(boxlite_get(rt, "", box_cb, &g5, &e), BL_OK);
  pump(rt, [&] { return g5.done; });
  CHECK(g5.code == BL_INVALID_ARGUMENT && !g5.box, "ambiguous prefix");
  CHECK(g5.msg.rfind("invalid argument: multiple boxes match prefix '': [\"", 0) == 0, "%s", g5.msg.c_str());
  boxlite_box_free(other);
  Done removed_beta;
  CHECK_EQ_INT(boxlite_remove(rt, "beta", 1, done_cb, &removed_beta, &e), BL_OK);
  pump(rt, [&] { return removed_beta.done; });
  CHECK(removed_beta.code == BL_OK, "remove beta");

  int code;
  std::string msg;
  CHECK(create(rt, "alpha", false, &code, &msg) == nullptr, "duplicate name");
  CHECK_EQ_INT(code, BL_INVALID_ARGUMENT);  // libboxlite's create_inner: InvalidArgument, not AlreadyExists
  CHECK_EQ_STR(msg, "invalid argument: box with name 'alpha' already exists");
  CHECK(create(rt, box_id.c_str(), false, &code, &msg) == nullptr, "a name equal to another box's id is taken");
  CHECK_EQ_INT(code, BL_INVALID_ARGUMENT);
  CHECK(create(rt, "det", true, &code, &msg, true) == nullptr, "detach + auto_remove");
  CHECK_EQ_INT(code, BL_CONFIG);
  CHECK(msg.rfind("configuration error: remove-on-stop is incompatible with detach=true", 0) == 0, "%s", msg.c_str());

  InfoResult info;
  CHECK_EQ_INT(boxlite_get_info(rt, "alpha", info_cb, &info, &e), BL_OK);
  pump(rt, [&] { return info.done; });
  CHECK_EQ_STR(info.id, box_id);
  CHECK_EQ_STR(info.name, "alpha");
  CHECK_EQ_STR(info.status, "configured");
  CHECK_EQ_STR(info.image, "alpine:latest");

  // Exec boots the box implicitly.
  Run r = run_cmd(rt, box, sh("echo hi"));
  CHECK_EQ_STR(r.out, "hi\n");
  InfoResult info2;
  CHECK_EQ_INT(boxlite_box_info(box, info_cb, &info2, &e), BL_OK);
  pump(rt, [&] { return info2.done; });
  CHECK_EQ_STR(info2.status, "running");
  CHECK_EQ_INT(info2.running, 1);

  MetricsResult bm, rm;
  CHECK_EQ_INT(boxlite_box_metrics(box, box_metrics_cb, &bm, &e), BL_OK);
  CHECK_EQ_INT(boxlite_runtime_metrics(rt, rt_metrics_cb, &rm, &e), BL_OK);
  pump(rt, [&] { return bm.done && rm.done; });
  CHECK_EQ_INT(bm.commands, 1);
  CHECK_EQ_INT(rm.commands, 1);

  ListResult list;
  CHECK_EQ_INT(boxlite_list_info(rt, list_cb, &list, &e), BL_OK);
  pump(rt, [&] { return list.done; });
  CHECK(list.ids.size() == 1 && list.ids[0] == box_id, "list has the box (%zu)", list.ids.size());

  // remove: a running box needs force; its executions die with it.
  Run sleeper;
  Cmd long_cmd = sh("sleep 30");
  bl_execution* ex = exec(box, long_cmd, &sleeper);
  Done rm1, rm2;
  CHECK_EQ_INT(boxlite_remove(rt, "alpha", 0, done_cb, &rm1, &e), BL_OK);
  pump(rt, [&] { return rm1.done; });
  CHECK_EQ_INT(rm1.code, BL_INVALID_STATE);
  CHECK(rm1.msg.rfind("invalid state: ", 0) == 0, "%s", rm1.msg.c_str());
  CHECK_EQ_INT(boxlite_remove(rt, "alpha", 1, done_cb, &rm2, &e), BL_OK);
  pump(rt, [&] { return rm2.done && sleeper.exits; });
  CHECK_EQ_INT(rm2.code, BL_OK);
  CHECK(rm2.msg_null, "success: message NULL");
  CHECK_EQ_INT(sleeper.exit_code, -9);
  CHECK(stat((home + "/boxes/" + box_id).c_str(), &st) != 0, "box dir removed");
  boxlite_execution_free(ex);
  std::string m2;
  CHECK_EQ_INT(exec_error(box, sh("true"), &m2), BL_STOPPED);
  boxlite_box_free(box);
  BoxResult gone;
  CHECK_EQ_INT(boxlite_get(rt, box_id.c_str(), box_cb, &gone, &e), BL_OK);
  pump(rt, [&] { return gone.done; });
  CHECK_EQ_INT(gone.code, BL_NOT_FOUND);
  boxlite_runtime_drain(rt, 0, nullptr);
  boxlite_runtime_free(rt);
}

void check_stop_and_persistence() {
  std::string home = new_home("stop");
  bl_runtime* rt = open_runtime(home);
  bl_box* box = create(rt, "keep", false);
  run_cmd(rt, box, sh("true"));
  Done stop;
  bl_error e{};
  CHECK_EQ_INT(boxlite_stop_box(box, done_cb, &stop, &e), BL_OK);
  pump(rt, [&] { return stop.done; });
  CHECK_EQ_INT(stop.code, BL_OK);
  std::string msg;
  CHECK_EQ_INT(exec_error(box, sh("true"), &msg), BL_STOPPED);
  CHECK_EQ_STR(msg, kInvalidated);
  Done start, copy;
  MetricsResult m;
  CHECK_EQ_INT(boxlite_start_box(box, done_cb, &start, &e), BL_OK);
  CHECK_EQ_INT(boxlite_copy_into(box, "/etc/hostname", "/x", done_cb, &copy, &e), BL_OK);
  CHECK_EQ_INT(boxlite_box_metrics(box, box_metrics_cb, &m, &e), BL_OK);
  pump(rt, [&] { return start.done && copy.done && m.done; });
  CHECK_EQ_INT(start.code, BL_STOPPED);
  CHECK_EQ_STR(start.msg, kInvalidated);
  CHECK_EQ_INT(copy.code, BL_STOPPED);
  CHECK_EQ_INT(m.code, BL_STOPPED);
  // Like libboxlite, get() returns the same (spent) instance while a handle lives.
  BoxResult same;
  CHECK_EQ_INT(boxlite_get(rt, "keep", box_cb, &same, &e), BL_OK);
  pump(rt, [&] { return same.done; });
  CHECK_EQ_INT(exec_error(same.box, sh("true"), &msg), BL_STOPPED);
  boxlite_box_free(same.box);
  boxlite_box_free(box);
  BoxResult fresh;
  CHECK_EQ_INT(boxlite_get(rt, "keep", box_cb, &fresh, &e), BL_OK);
  pump(rt, [&] { return fresh.done; });
  Run r = run_cmd(rt, fresh.box, sh("echo again"));
  CHECK_EQ_STR(r.out, "again\n");
  // Processes a command leaves behind live on until the box stops, like in a real box.
  Run bg = run_cmd(rt, fresh.box, sh("sleep 60 >/dev/null 2>&1 & echo $!"));
  pid_t orphan = static_cast<pid_t>(atoi(bg.out.c_str()));
  CHECK(orphan > 0 && alive(orphan), "background process survives its exec (%s)", bg.out.c_str());
  Done stop_fresh;
  CHECK_EQ_INT(boxlite_stop_box(fresh.box, done_cb, &stop_fresh, &e), BL_OK);
  pump(rt, [&] { return stop_fresh.done; });
  for (int i = 0; i < 200 && alive(orphan); i++) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(!alive(orphan), "box stop kills what its commands left behind");
  boxlite_box_free(fresh.box);

  // Default auto_remove: stopping removes the box.
  bl_box* temp = create(rt, "temp");
  Done stop2;
  CHECK_EQ_INT(boxlite_stop_box(temp, done_cb, &stop2, &e), BL_OK);
  pump(rt, [&] { return stop2.done; });
  boxlite_box_free(temp);
  InfoResult gone;
  CHECK_EQ_INT(boxlite_get_info(rt, "temp", info_cb, &gone, &e), BL_OK);
  pump(rt, [&] { return gone.done; });
  CHECK_EQ_INT(gone.code, BL_NOT_FOUND);

  // shutdown: create is refused afterwards, handles are invalidated.
  bl_box* live = create(rt, "live", false);
  Done sd;
  CHECK_EQ_INT(boxlite_runtime_shutdown(rt, 0, done_cb, &sd, &e), BL_OK);
  pump(rt, [&] { return sd.done; });
  CHECK_EQ_INT(sd.code, BL_OK);
  int code;
  CHECK(create(rt, "late", false, &code, &msg) == nullptr, "create after shutdown");
  CHECK_EQ_INT(code, BL_STOPPED);
  CHECK_EQ_STR(msg, "stopped: Cannot create box: runtime has been shut down");
  CHECK_EQ_INT(exec_error(live, sh("true"), &msg), BL_STOPPED);
  boxlite_box_free(live);
  boxlite_runtime_free(rt);

  // Boxes with auto_remove=false outlive their runtime.
  rt = open_runtime(home);
  InfoResult kept;
  CHECK_EQ_INT(boxlite_get_info(rt, "keep", info_cb, &kept, &e), BL_OK);
  pump(rt, [&] { return kept.done; });
  CHECK_EQ_INT(kept.code, BL_OK);
  CHECK_EQ_STR(kept.status, "stopped");
  boxlite_runtime_free(rt);
}

void check_exec_streams(bl_runtime* rt, bl_box* box) {
  Run r = run_cmd(rt, box, sh("echo out; echo err >&2; exit 3"));
  CHECK_EQ_STR(r.out, "out\n");
  CHECK_EQ_STR(r.err, "err\n");
  CHECK_EQ_INT(r.exit_code, 3);
  CHECK_EQ_INT(r.exits, 1);
  CHECK(!r.output_after_exit && r.order.back() == 'x', "exit strictly last: %s", r.order.c_str());

  // Many chunks, exact bytes, exit last.
  r = run_cmd(rt, box, sh("i=0; while [ $i -lt 3000 ]; do echo line$i; echo e$i >&2; i=$((i+1)); done"));
  std::string want_out, want_err;
  for (int i = 0; i < 3000; i++) want_out += "line" + std::to_string(i) + "\n", want_err += "e" + std::to_string(i) + "\n";
  CHECK(r.out == want_out, "3000 lines on stdout (%zu bytes)", r.out.size());
  CHECK(r.err == want_err, "3000 lines on stderr (%zu bytes)", r.err.size());
  CHECK(!r.output_after_exit && r.exits == 1, "exit last");

  // Signal exit codes, env, workdir.
  CHECK_EQ_INT(run_cmd(rt, box, sh("kill -TERM $$")).exit_code, -15);
  Cmd env = sh("echo $FOO-$BOX_ENV");
  env.env = {"FOO", "bar", "DANGLING"};
  CHECK_EQ_STR(run_cmd(rt, box, env).out, "bar-from-box\n");
  Cmd wd = Cmd{"pwd"};
  wd.workdir = "/work/dir";
  std::string out = run_cmd(rt, box, wd).out;
  const std::string tail = "/rootfs/work/dir\n";
  CHECK(out.size() > tail.size() && out.compare(out.size() - tail.size(), tail.size(), tail) == 0, "pwd: %s", out.c_str());
  Cmd esc = Cmd{"pwd"};
  esc.workdir = "/../..";
  std::string msg;
  CHECK_EQ_INT(exec_error(box, esc, &msg), BL_INVALID_ARGUMENT);

  // Output produced before a stream is registered is buffered, then delivered in order.
  Run late;
  Cmd hello = sh("echo early; echo late-err >&2");
  bl_execution* ex = exec(box, hello, &late, false);
  bl_error e{};
  CHECK_EQ_INT(boxlite_execution_wait(ex, wait_cb, &late, &e), BL_OK);
  pump(rt, [&] { return late.waited; });
  CHECK_EQ_INT(late.wait_code, 0);
  CHECK_EQ_INT(boxlite_execution_on_stdout(ex, out_cb, &late, &e), BL_OK);
  CHECK_EQ_INT(boxlite_execution_on_stdout(ex, out_cb, &late, &e), BL_INVALID_STATE);
  CHECK_EQ_STR(take(&e), "invalid state: stdout callback already registered or stream unavailable");
  CHECK_EQ_INT(boxlite_execution_on_exit(ex, exit_cb, &late, &e), BL_OK);
  pump(rt, [&] { return late.exits > 0; });
  CHECK_EQ_STR(late.out, "early\n");
  CHECK_EQ_STR(late.order, "ox");
  CHECK_EQ_INT(boxlite_execution_on_stderr(ex, err_cb, &late, &e), BL_OK);
  pump(rt, [&] { return !late.err.empty(); });
  CHECK_EQ_STR(late.err, "late-err\n");
  boxlite_execution_free(ex);  // exit already claimed: no -129
  boxlite_runtime_drain(rt, 20, nullptr);
  CHECK_EQ_INT(late.exits, 1);

  // Invalid UTF-8 becomes U+FFFD; valid multi-byte text survives.
  CHECK_EQ_STR(run_cmd(rt, box, sh("printf 'a\\377b\\303\\251'")).out, "a\xEF\xBF\xBD" "b\xC3\xA9");

  // tty: one stream, a real terminal.
  Cmd t = sh("echo a; echo b >&2; tty");
  t.tty = 1;
  Run tr = run_cmd(rt, box, t);
  CHECK(tr.out.find("a\r\nb\r\n/dev/pts/") == 0, "tty output: %s", tr.out.c_str());
  CHECK_EQ_STR(tr.err, "");
}

void check_stdin_and_signals(bl_runtime* rt, bl_box* box) {
  Run r;
  Cmd cat{"cat"};
  bl_execution* ex = exec(box, cat, &r);
  bl_error e{};
  const char* msg = "hello\nworld\n";
  CHECK_EQ_INT(boxlite_execution_stdin_write(ex, reinterpret_cast<const uint8_t*>(msg), strlen(msg), &e), BL_OK);
  CHECK_EQ_INT(boxlite_execution_stdin_write(ex, nullptr, 0, &e), BL_OK);
  CHECK_EQ_INT(boxlite_execution_stdin_close(ex, &e), BL_OK);
  CHECK_EQ_INT(boxlite_execution_stdin_close(ex, &e), BL_OK);
  CHECK_EQ_INT(boxlite_execution_stdin_write(ex, reinterpret_cast<const uint8_t*>("x"), 1, &e), BL_INVALID_STATE);
  CHECK_EQ_STR(take(&e), "invalid state: execution stdin is closed");
  pump(rt, [&] { return r.exits > 0; });
  CHECK_EQ_STR(r.out, msg);
  CHECK_EQ_INT(r.exit_code, 0);
  CHECK_EQ_INT(boxlite_execution_stdin_write(ex, reinterpret_cast<const uint8_t*>("x"), 1, &e), BL_INVALID_STATE);
  boxlite_error_free(&e);
  boxlite_execution_free(ex);

  // A large stdin round trip through a process that echoes it back.
  Run big;
  ex = exec(box, cat, &big);
  std::string payload;
  for (int i = 0; i < 200000; i++) payload += static_cast<char>('a' + i % 26);
  CHECK_EQ_INT(boxlite_execution_stdin_write(ex, reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), &e), BL_OK);
  CHECK_EQ_INT(boxlite_execution_stdin_close(ex, &e), BL_OK);
  pump(rt, [&] { return big.exits > 0; });
  CHECK(big.out == payload, "200 KB stdin echoed (%zu bytes)", big.out.size());
  boxlite_execution_free(ex);

  // stdin on a process that is gone.
  Run dead;
  Cmd t{"true"};
  ex = exec(box, t, &dead);
  pump(rt, [&] { return dead.exits > 0; });
  CHECK_EQ_INT(boxlite_execution_stdin_write(ex, reinterpret_cast<const uint8_t*>("x"), 1, &e), BL_INTERNAL);
  CHECK_EQ_STR(take(&e), "internal error: stdin channel closed");
  boxlite_execution_free(ex);

  // kill -> -9, signal -> -N, kill after exit is harmless.
  Run k;
  Cmd sleeper{"sleep", {"30"}};
  ex = exec(box, sleeper, &k);
  Done kd;
  CHECK_EQ_INT(boxlite_execution_kill(ex, done_cb, &kd, &e), BL_OK);
  pump(rt, [&] { return k.exits && kd.done; });
  CHECK_EQ_INT(k.exit_code, -9);
  CHECK_EQ_INT(kd.code, BL_OK);
  Done kd2;
  CHECK_EQ_INT(boxlite_execution_kill(ex, done_cb, &kd2, &e), BL_OK);
  pump(rt, [&] { return kd2.done; });
  boxlite_execution_free(ex);

  Run s;
  ex = exec(box, sleeper, &s);
  CHECK_EQ_INT(boxlite_execution_signal(ex, 0, nullptr, nullptr, &e), BL_INVALID_ARGUMENT);  // range before cb
  boxlite_error_free(&e);
  CHECK_EQ_INT(boxlite_execution_signal(ex, 65, done_cb, nullptr, &e), BL_INVALID_ARGUMENT);
  boxlite_error_free(&e);
  CHECK_EQ_INT(boxlite_execution_signal(ex, 15, nullptr, nullptr, &e), BL_INVALID_ARGUMENT);
  CHECK_EQ_STR(take(&e), "invalid argument: cb is null");
  CHECK_EQ_INT(boxlite_execution_tty_resize(ex, 0, 80, done_cb, nullptr, &e), BL_INVALID_ARGUMENT);
  boxlite_error_free(&e);
  Done sd, rd;
  CHECK_EQ_INT(boxlite_execution_tty_resize(ex, 40, 100, done_cb, &rd, &e), BL_OK);
  CHECK_EQ_INT(boxlite_execution_signal(ex, 15, done_cb, &sd, &e), BL_OK);
  pump(rt, [&] { return s.exits && sd.done && rd.done; });
  CHECK_EQ_INT(s.exit_code, -15);
  boxlite_execution_free(ex);

  // tty resize reaches the terminal.
  Run tr;
  Cmd sz = sh("read line; stty size");
  sz.tty = 1;
  ex = exec(box, sz, &tr);
  Done rz;
  CHECK_EQ_INT(boxlite_execution_tty_resize(ex, 33, 111, done_cb, &rz, &e), BL_OK);
  pump(rt, [&] { return rz.done; });
  CHECK_EQ_INT(boxlite_execution_stdin_write(ex, reinterpret_cast<const uint8_t*>("go\n"), 3, &e), BL_OK);
  pump(rt, [&] { return tr.exits > 0; });
  CHECK(tr.out.find("33 111") != std::string::npos, "stty size after resize: %s", tr.out.c_str());
  boxlite_execution_free(ex);

  // timeout_secs kills with SIGKILL.
  Cmd slow{"sleep", {"30"}};
  slow.timeout = 0.3;
  auto t0 = Clock::now();
  Run to = run_cmd(rt, box, slow);
  CHECK_EQ_INT(to.exit_code, -9);
  CHECK(ms_since(t0) >= 280 && ms_since(t0) < 5000, "timeout after %ld ms", ms_since(t0));
  std::string msg2;
  for (double bad : {-1.0, static_cast<double>(NAN), static_cast<double>(INFINITY)}) {
    Cmd c{"true"};
    c.timeout = bad;
    CHECK_EQ_INT(exec_error(box, c, &msg2), BL_INVALID_ARGUMENT);
    CHECK_EQ_STR(msg2, "invalid argument: timeout_seconds must be a non-negative finite number");
  }

  // Free before exit: kill, reap, synthetic Exit(-129), output already queued still dispatches.
  Run fr;
  Cmd f = sh("echo before; sleep 30");
  ex = exec(box, f, &fr);
  pump(rt, [&] { return !fr.out.empty(); });
  auto t1 = Clock::now();
  boxlite_execution_free(ex);
  CHECK(ms_since(t1) < 3000, "free is prompt (%ld ms)", ms_since(t1));
  pump(rt, [&] { return fr.exits > 0; });
  CHECK_EQ_INT(fr.exit_code, -129);
  CHECK_EQ_STR(fr.out, "before\n");
  boxlite_runtime_drain(rt, 50, nullptr);
  CHECK_EQ_INT(fr.exits, 1);

  // A wait registered before free still gets its callback.
  Run fw;
  ex = exec(box, sleeper, &fw, false);
  CHECK_EQ_INT(boxlite_execution_wait(ex, wait_cb, &fw, &e), BL_OK);
  boxlite_execution_free(ex);
  pump(rt, [&] { return fw.waited; });
  CHECK_EQ_INT(fw.wait_code, -9);
}

void check_spawn_failures(bl_runtime* rt, bl_box* box, const std::string& root) {
  std::string msg;
  Cmd bob{"true"};
  bob.user = "bob";
  CHECK_EQ_INT(exec_error(box, bob, &msg), BL_INTERNAL);
  CHECK_EQ_STR(msg, "internal error: spawn_failed: internal error: User 'bob' not found in " + root + "/etc/passwd");
  Cmd grp{"true"};
  grp.user = "root:wheelz";
  CHECK_EQ_INT(exec_error(box, grp, &msg), BL_INTERNAL);
  CHECK_EQ_STR(msg, "internal error: spawn_failed: internal error: Group 'wheelz' not found in " + root + "/etc/group");
  for (const char* ok : {"root", "nobody", "1234", "1234:5678", "root:root"}) {
    Cmd c = sh("id -u");
    c.user = ok;
    Run r = run_cmd(rt, box, c);
    CHECK(r.exit_code == 0, "user %s runs (as the host user)", ok);
  }
  CHECK_EQ_INT(exec_error(box, Cmd{"no-such-binary-xyz"}, &msg), BL_INTERNAL);
  CHECK_EQ_STR(msg,
               "internal error: spawn_failed: internal error: build failed: failed to create container: "
               "executable 'no-such-binary-xyz' not found in $PATH");
  std::string noexec = g_scratch + "/not-executable.sh";
  std::ofstream(noexec) << "echo hi\n";
  chmod(noexec.c_str(), 0644);
  CHECK_EQ_INT(exec_error(box, Cmd{noexec}, &msg), BL_INTERNAL);
  CHECK_EQ_STR(msg, "internal error: spawn_failed: internal error: build failed: failed to create container: executable '" +
                        noexec + "' at path '\"" + noexec + "\"' does not have correct permissions");
  CHECK_EQ_INT(exec_error(box, Cmd{"/tmp"}, &msg), BL_INTERNAL);
  CHECK(msg.find("executable '/tmp' at path '\"/tmp\"' does not have correct permissions") != std::string::npos, "%s",
        msg.c_str());
  bl_command nul{};
  bl_execution* ex = nullptr;
  bl_error e{};
  CHECK_EQ_INT(boxlite_box_exec(box, &nul, &ex, &e), BL_INTERNAL);
  boxlite_error_free(&e);
}

void check_copies(bl_runtime* rt, bl_box* box, const std::string& root) {
  std::string src = g_scratch + "/copy-src";
  mkdir(src.c_str(), 0755);
  mkdir((src + "/sub").c_str(), 0755);
  std::ofstream(src + "/a.txt") << "A";
  std::ofstream(src + "/sub/b.txt") << "B";
  symlink("a.txt", (src + "/link").c_str());
  bl_error e{};
  auto copy = [&](bool into, const std::string& a, const std::string& b) {
    Done d;
    int rc = into ? boxlite_copy_into(box, a.c_str(), b.c_str(), done_cb, &d, &e)
                  : boxlite_copy_out(box, a.c_str(), b.c_str(), done_cb, &d, &e);
    CHECK_EQ_INT(rc, BL_OK);
    pump(rt, [&] { return d.done; });
    return d;
  };
  CHECK_EQ_INT(copy(true, src, "/data").code, BL_OK);
  CHECK_EQ_STR(slurp(root + "/data/a.txt"), "A");
  CHECK_EQ_STR(slurp(root + "/data/sub/b.txt"), "B");
  char target[64] = {0};
  CHECK(readlink((root + "/data/link").c_str(), target, sizeof target - 1) > 0 && std::string(target) == "a.txt",
        "symlink copied as a link");
  Cmd c = sh("cat data/sub/b.txt");  // cwd is the box root
  CHECK_EQ_STR(run_cmd(rt, box, c).out, "B");
  CHECK_EQ_INT(copy(true, src + "/a.txt", "/data/sub/").code, BL_OK);
  CHECK_EQ_STR(slurp(root + "/data/sub/a.txt"), "A");
  std::string out = g_scratch + "/copy-out";
  CHECK_EQ_INT(copy(false, "/data", out).code, BL_OK);
  CHECK_EQ_STR(slurp(out + "/sub/a.txt"), "A");
  // Escapes are refused, nothing is written outside the box root.
  Done d1 = copy(true, src + "/a.txt", "/../../escaped.txt");
  CHECK_EQ_INT(d1.code, BL_INVALID_ARGUMENT);
  CHECK(d1.msg.rfind("invalid argument: ", 0) == 0, "%s", d1.msg.c_str());
  symlink("../../../..", (root + "/up").c_str());
  CHECK_EQ_INT(copy(true, src + "/a.txt", "/up/escaped.txt").code, BL_INVALID_ARGUMENT);
  CHECK_EQ_INT(copy(false, "/up/etc/passwd", out + "/p").code, BL_INVALID_ARGUMENT);
  symlink("/etc", (root + "/abs").c_str());  // absolute links resolve inside the root
  CHECK_EQ_INT(copy(false, "/abs/passwd", out + "/passwd").code, BL_OK);
  CHECK_EQ_STR(slurp(out + "/passwd"), slurp(root + "/etc/passwd"));
  struct stat st;
  CHECK(stat((g_scratch + "/escaped.txt").c_str(), &st) != 0, "no escape");
  CHECK_EQ_INT(copy(true, g_scratch + "/missing", "/x").code, BL_INTERNAL);
  Done np;
  CHECK_EQ_INT(boxlite_copy_into(box, nullptr, "/x", done_cb, &np, &e), BL_INVALID_ARGUMENT);
  boxlite_error_free(&e);
}

void check_concurrency_and_backpressure(bl_runtime* rt, bl_box* box) {
  const int n = 60;
  std::vector<Run> runs(n);
  std::vector<Cmd> cmds;
  std::vector<bl_execution*> execs;
  for (int i = 0; i < n; i++) cmds.push_back(sh("echo n" + std::to_string(i) + "; echo e" + std::to_string(i) + " >&2"));
  for (int i = 0; i < n; i++) execs.push_back(exec(box, cmds[i], &runs[i]));
  pump(rt, [&] {
    for (auto& r : runs)
      if (!r.exits) return false;
    return true;
  });
  for (int i = 0; i < n; i++) {
    CHECK_EQ_STR(runs[i].out, "n" + std::to_string(i) + "\n");
    CHECK_EQ_STR(runs[i].err, "e" + std::to_string(i) + "\n");
    boxlite_execution_free(execs[i]);
  }
  // Nobody drains for a while: producers block at the queue's capacity; nothing is lost.
  Run big;
  Cmd flood = sh("i=0; while [ $i -lt 20000 ]; do echo 0123456789abcdefghijklmnopqrstuvwxyz; i=$((i+1)); done");
  bl_execution* ex = exec(box, flood, &big);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  pump(rt, [&] { return big.exits > 0; });
  CHECK_EQ_INT(big.out.size(), 20000u * 37u);
  boxlite_execution_free(ex);
}

// The output window: while nobody drains, the pump stops reading a command's
// pipe once a window of its output is queued, so a command writing more than
// window + pipe blocks instead of filling the queue; draining lets it finish
// and every byte arrives.
void check_output_window(bl_runtime* rt, bl_box* box, const std::string& root) {
  const std::string marker = root + "/wrote-all";
  unlink(marker.c_str());
  Run r;
  Cmd cmd = sh("head -c 4194304 /dev/zero && : > wrote-all");
  bl_execution* ex = exec(box, cmd, &r);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  CHECK(access(marker.c_str(), F_OK) != 0, "the command wrote 4 MiB with nobody draining: output queued without bound");
  pump(rt, [&] { return r.exits > 0; });
  CHECK_EQ_INT(r.out.size(), 4194304u);
  CHECK_EQ_INT(r.exit_code, 0);
  CHECK(access(marker.c_str(), F_OK) == 0, "the command did not finish once drained");
  boxlite_execution_free(ex);
  unlink(marker.c_str());
}

void check_faults() {
  std::string home = new_home("faults");
  write_faults(home, "op=runtime_new code=12 message=engine reported an error: hypervisor unavailable\n");
  bl_runtime* rt = nullptr;
  bl_error e{};
  CHECK_EQ_INT(boxlite_runtime_new(home.c_str(), nullptr, 0, &rt, &e), BL_ENGINE);
  CHECK_EQ_STR(take(&e), "engine reported an error: hypervisor unavailable");
  rt = open_runtime(home);  // times defaults to 1
  write_faults(home,
               "# comment\n"
               "op=exec when=sync code=20 times=2 command=echo message=resource exhausted: no VM slots\n"
               "op=start when=async code=21 box=f1 message=session reaped: gone\n"
               "op=wait when=async code=9\n"
               "op=create_box when=async code=8 box=bad-image\n"
               "op=get when=sync code=16 times=forever box=rpc\n");
  bl_box* box = create(rt, "f1", false);
  std::string msg;
  CHECK_EQ_INT(exec_error(box, Cmd{"echo", {"x"}}, &msg), BL_RESOURCE_EXHAUSTED);
  CHECK_EQ_STR(msg, "resource exhausted: no VM slots");
  CHECK_EQ_INT(exec_error(box, Cmd{"/bin/echo", {"x"}}, &msg), BL_RESOURCE_EXHAUSTED);
  CHECK_EQ_STR(run_cmd(rt, box, Cmd{"echo", {"x"}}).out, "x\n");  // used up
  CHECK_EQ_STR(run_cmd(rt, box, Cmd{"true"}).out, "");           // other commands never matched
  Done start;
  CHECK_EQ_INT(boxlite_start_box(box, done_cb, &start, &e), BL_OK);
  pump(rt, [&] { return start.done; });
  CHECK_EQ_INT(start.code, BL_SESSION_REAPED);
  CHECK_EQ_STR(start.msg, "session reaped: gone");
  Run w;
  Cmd t{"true"};
  bl_execution* ex = exec(box, t, &w, false);
  CHECK_EQ_INT(boxlite_execution_wait(ex, wait_cb, &w, &e), BL_OK);
  pump(rt, [&] { return w.waited; });
  CHECK_EQ_INT(w.wait_code, -1);
  CHECK_EQ_INT(w.wait_err, BL_NETWORK);
  CHECK_EQ_STR(w.wait_msg, "network error: injected fault at wait");
  boxlite_execution_free(ex);
  int code;
  CHECK(create(rt, "bad-image", false, &code, &msg) == nullptr, "create fault");
  CHECK_EQ_INT(code, BL_IMAGE);
  BoxResult g;
  CHECK_EQ_INT(boxlite_get(rt, "rpc", box_cb, &g, &e), BL_RPC);
  CHECK_EQ_STR(take(&e), "gRPC/tonic error: injected fault at get");
  CHECK_EQ_INT(boxlite_get(rt, "rpc", box_cb, &g, &e), BL_RPC);  // forever
  boxlite_error_free(&e);
  // Every code, at an async point, with a verbatim message.
  std::string rules;
  for (int c = 1; c <= 21; c++) rules += "op=box_info when=async code=" + std::to_string(c) + " message=fault " + std::to_string(c) + "\n";
  write_faults(home, rules);
  for (int c = 1; c <= 21; c++) {
    InfoResult r;
    CHECK_EQ_INT(boxlite_box_info(box, info_cb, &r, &e), BL_OK);
    pump(rt, [&] { return r.done; });
    CHECK_EQ_INT(r.code, c);
    CHECK_EQ_STR(r.msg, "fault " + std::to_string(c));
    CHECK(r.id.empty(), "no payload with an error");
  }
  InfoResult ok;
  CHECK_EQ_INT(boxlite_box_info(box, info_cb, &ok, &e), BL_OK);
  pump(rt, [&] { return ok.done; });
  CHECK_EQ_INT(ok.code, BL_OK);
  write_faults(home, "op=stdin_write code=4 message=invalid state: injected\nop=on_stdout code=1\n");
  Run rr;
  Cmd cat{"cat"};
  ex = exec(box, cat, &rr, false);
  CHECK_EQ_INT(boxlite_execution_stdin_write(ex, reinterpret_cast<const uint8_t*>("x"), 1, &e), BL_INVALID_STATE);
  CHECK_EQ_STR(take(&e), "invalid state: injected");
  CHECK_EQ_INT(boxlite_execution_on_stdout(ex, out_cb, &rr, &e), BL_INTERNAL);
  boxlite_error_free(&e);
  boxlite_execution_free(ex);
  write_faults(home, "");
  boxlite_box_free(box);
  boxlite_runtime_drain(rt, 0, nullptr);
  boxlite_runtime_free(rt);
}

// get / get_info answer from the calling thread (test/engine/README.md), and
// a call with a callback reads its fault rules once: what a caller sees must
// be what two reads and a worker gave.
void check_lookups_and_call_faults() {
  std::string home = new_home("lookups");
  bl_runtime* rt = open_runtime(home);
  bl_box* box = create(rt, "named", false);
  char* raw_id = boxlite_box_id(box);
  std::string id = raw_id;
  boxlite_free_string(raw_id);
  bl_error e{};
  // The callback of a lookup runs only inside drain, never during the call.
  BoxResult miss;
  CHECK_EQ_INT(boxlite_get(rt, "no-such-box", box_cb, &miss, &e), BL_OK);
  CHECK(!miss.done, "get ran its callback before drain");
  CHECK(pump(rt, [&] { return miss.done; }), "no callback for a missing box");
  CHECK_EQ_INT(miss.code, BL_NOT_FOUND);
  CHECK_EQ_STR(miss.msg, "box not found: Box not found: no-such-box");
  InfoResult info_miss;
  CHECK_EQ_INT(boxlite_get_info(rt, "no-such-box", info_cb, &info_miss, &e), BL_OK);
  CHECK(!info_miss.done, "get_info ran its callback before drain");
  CHECK(pump(rt, [&] { return info_miss.done; }), "no callback for a missing box's info");
  CHECK_EQ_INT(info_miss.code, BL_NOT_FOUND);
  CHECK_EQ_STR(info_miss.msg, "box not found: Box not found: no-such-box");
  BoxResult by_name;
  CHECK_EQ_INT(boxlite_get(rt, "named", box_cb, &by_name, &e), BL_OK);
  CHECK(pump(rt, [&] { return by_name.done; }), "no callback for get by name");
  CHECK_EQ_INT(by_name.code, BL_OK);
  CHECK(by_name.box != nullptr, "get by name gives a handle");
  boxlite_box_free(by_name.box);
  InfoResult info;
  CHECK_EQ_INT(boxlite_get_info(rt, id.substr(0, 5).c_str(), info_cb, &info, &e), BL_OK);  // a unique prefix
  CHECK(pump(rt, [&] { return info.done; }), "no callback for get_info by prefix");
  CHECK_EQ_INT(info.code, BL_OK);
  CHECK_EQ_STR(info.id, id);
  CHECK_EQ_STR(info.name, "named");

  // A sync rule wins over an async one listed before it, and leaves it for the next call.
  write_faults(home,
               "op=get when=async code=9 box=" + id + " message=network error: async first\n"
               "op=get when=sync code=16 box=named message=gRPC/tonic error: sync second\n");
  BoxResult g1;
  CHECK_EQ_INT(boxlite_get(rt, id.c_str(), box_cb, &g1, &e), BL_RPC);  // the name rule matches the id too
  CHECK_EQ_STR(take(&e), "gRPC/tonic error: sync second");
  BoxResult g2;
  CHECK_EQ_INT(boxlite_get(rt, "named", box_cb, &g2, &e), BL_OK);  // the id rule matches the name too
  CHECK(pump(rt, [&] { return g2.done; }), "no callback for the async fault");
  CHECK_EQ_INT(g2.code, BL_NETWORK);
  CHECK_EQ_STR(g2.msg, "network error: async first");
  CHECK(g2.box == nullptr, "no handle with an error");
  BoxResult g3;  // both used up
  CHECK_EQ_INT(boxlite_get(rt, "named", box_cb, &g3, &e), BL_OK);
  CHECK(pump(rt, [&] { return g3.done; }), "no callback once the rules are used up");
  CHECK_EQ_INT(g3.code, BL_OK);
  boxlite_box_free(g3.box);
  // Rules written while the runtime is open apply to the next call; a get_info
  // fault names a missing box by the argument as given.
  write_faults(home, "op=get_info when=async code=2 box=ghost message=box not found: injected\n");
  InfoResult ghost;
  CHECK_EQ_INT(boxlite_get_info(rt, "ghost", info_cb, &ghost, &e), BL_OK);
  CHECK(pump(rt, [&] { return ghost.done; }), "no callback for the get_info fault");
  CHECK_EQ_STR(ghost.msg, "box not found: injected");
  write_faults(home, "op=get_info when=sync code=4 times=forever\n");
  InfoResult s1;
  CHECK_EQ_INT(boxlite_get_info(rt, "named", info_cb, &s1, &e), BL_INVALID_STATE);
  CHECK_EQ_STR(take(&e), "invalid state: injected fault at get_info");
  unlink((home + "/.test-engine/faults").c_str());  // removed: no rule applies any more
  InfoResult s2;
  CHECK_EQ_INT(boxlite_get_info(rt, "named", info_cb, &s2, &e), BL_OK);
  CHECK(pump(rt, [&] { return s2.done; }), "no callback once the rules file is gone");
  CHECK_EQ_INT(s2.code, BL_OK);

  // More lookups than the queue holds, nobody draining: the caller is never
  // blocked (the overflow waits on a worker), and every callback arrives.
  const int n = 4096 + 200;
  std::vector<BoxResult> many(n);
  auto t0 = Clock::now();
  for (auto& r : many) CHECK_EQ_INT(boxlite_get(rt, "no-such-box", box_cb, &r, &e), BL_OK);
  CHECK(ms_since(t0) < 5000, "lookups blocked on a full queue: %ld ms", ms_since(t0));
  CHECK(pump(rt, [&] {
    for (auto& r : many)
      if (!r.done) return false;
    return true;
  }), "a lookup's callback never came");
  int not_found = 0;
  for (auto& r : many) not_found += r.code == BL_NOT_FOUND;
  CHECK_EQ_INT(not_found, n);

  boxlite_box_free(box);
  boxlite_runtime_drain(rt, 0, nullptr);
  boxlite_runtime_free(rt);
}

size_t count_entries(const char* dir) {
  size_t n = 0;
  if (DIR* d = opendir(dir)) {
    while (readdir(d)) n++;
    closedir(d);
  }
  return n;
}

// Children of this process still around (zombies included): the engine must reap all.
int count_children() {
  int n = 0;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      if (atoi(e->d_name) <= 0) continue;
      std::string stat = slurp(std::string("/proc/") + e->d_name + "/stat");
      size_t paren = stat.rfind(')');
      if (paren != std::string::npos && atol(stat.c_str() + paren + 4) == getpid()) n++;
    }
    closedir(d);
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t fds_before = count_entries("/proc/self/fd"), threads_before = count_entries("/proc/self/task");
  signal(SIGPIPE, SIG_IGN);  // like Node: the engine must not rely on SIGPIPE's default
  if (argc > 1) {
    g_scratch = argv[1];
    mkdir(g_scratch.c_str(), 0755);
  } else {
    char tmpl[] = "/tmp/boxlite-engine-check-XXXXXX";
    g_scratch = mkdtemp(tmpl);
  }
  std::vector<std::pair<const char*, std::function<void()>>> checks = {
      {"basics: version, errors, REST objects", check_basics},
      {"runtime lock: one runtime per home dir", check_runtime_lock},
      {"drain: 0 / >0 / <0 semantics, NULL cb", check_drain_semantics},
      {"runtime_free drops queued events", check_free_with_queued_events},
      {"boxes: create, get, list, info, remove", check_boxes},
      {"stop invalidation, auto-remove, shutdown, persistence", check_stop_and_persistence},
      {"faults: sync, async, every code, runtime_new", check_faults},
      {"lookups answered in drain, one fault read per call, no blocking on a full queue", check_lookups_and_call_faults},
  };
  std::string home = new_home("exec");
  bl_runtime* rt = open_runtime(home);
  bl_box* box = create(rt, "exec-box", false);
  char* id = boxlite_box_id(box);
  std::string root = home + "/boxes/" + id + "/rootfs";
  boxlite_free_string(id);
  checks.push_back({"exec: streams, exit last, buffering, utf-8, tty", [&] { check_exec_streams(rt, box); }});
  checks.push_back({"exec: stdin, kill, signal, resize, timeout, free", [&] { check_stdin_and_signals(rt, box); }});
  checks.push_back({"exec: spawn failure texts", [&] { check_spawn_failures(rt, box, root); }});
  checks.push_back({"copy_into / copy_out, confinement", [&] { check_copies(rt, box, root); }});
  checks.push_back({"concurrent execs, backpressure", [&] { check_concurrency_and_backpressure(rt, box); }});
  checks.push_back({"output window: a command is held while its output is undrained", [&] { check_output_window(rt, box, root); }});
  int n = 0, failed_checks = 0;
  for (auto& [name, fn] : checks) {
    int before = g_failures;
    fn();
    bool ok = g_failures == before;
    failed_checks += !ok;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++n, name);
    fflush(stdout);
  }
  boxlite_box_free(box);
  boxlite_runtime_free(rt);
  int before = g_failures;
  CHECK_EQ_INT(count_entries("/proc/self/fd"), fds_before);
  CHECK_EQ_INT(count_entries("/proc/self/task"), threads_before);
  CHECK_EQ_INT(count_children(), 0);
  failed_checks += g_failures != before;
  printf("%s %d - no leaked fds, threads or child processes once everything is freed\n", g_failures == before ? "ok" : "not ok", ++n);
  printf("1..%d\n# %d failed check(s), %d failed assertion(s)\n", n, failed_checks, g_failures);
  if (argc <= 1) std::filesystem::remove_all(g_scratch);  // a caller's dir is the caller's to remove
  return g_failures == 0 ? 0 : 1;
}
