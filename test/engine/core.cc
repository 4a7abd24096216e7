// Errors, the event queue, worker threads and the runtime handle.
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "engine.h"

namespace engine {

// ---- errors -----------------------------------------------------------------

static const char* display_prefix(int code) {
  static const char* const kPrefixes[] = {
      "",                     "internal error: ",   "box not found: ",  "already exists: ",
      "invalid state: ",      "invalid argument: ", "configuration error: ", "storage error: ",
      "images error: ",       "network error: ",    "Execution error: ",     "stopped: ",
      "engine reported an error: ", "unsupported: ", "database error: ",     "portal error: ",
      "gRPC/tonic error: ",   "gRPC transport error: ", "metadata error: ",  "unsupported engine kind",
      "resource exhausted: ", "session reaped: "};
  return code >= 0 && code <= BL_SESSION_REAPED ? kPrefixes[code] : "";
}

Failure fail(int code, const std::string& detail) {
  if (code == BL_UNSUPPORTED_ENGINE) return {code, display_prefix(code)};  // a unit variant: no detail
  return {code, display_prefix(code) + detail};
}

bl_code set_error(bl_error* err, const Failure& f) {
  if (err) {  // overwrite without freeing, exactly like libboxlite
    err->code = f.code;
    err->message = strdup(f.message.c_str());
  }
  return f.code;
}

size_t valid_utf8_prefix(const unsigned char* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      // ASCII, nearly all output: eight bytes per test while no byte has its high bit set.
      for (uint64_t word; i + 8 <= n; i += 8) {
        std::memcpy(&word, p + i, 8);
        if (word & 0x8080808080808080ull) break;
      }
      while (i < n && p[i] < 0x80) i++;
      continue;
    }
    unsigned c = p[i];
    size_t len = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (len == 0 || i + len > n) return i;
    unsigned lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    for (size_t k = 1; k < len; k++) {
      if (p[i + k] < lo || p[i + k] > hi) return i;
      lo = 0x80, hi = 0xBF;
    }
    i += len;
  }
  return n;
}

bool valid_utf8(const char* s, size_t n) {
  return valid_utf8_prefix(reinterpret_cast<const unsigned char*>(s), n) == n;
}

bool parse_str(const char* s, std::string* out, bl_error* err, bl_code* rc) {
  if (!s) {
    set_error(err, fail(BL_INTERNAL, "null pointer"));
    *rc = BL_INVALID_ARGUMENT;
    return false;
  }
  if (!valid_utf8(s, strlen(s))) {
    set_error(err, fail(BL_INTERNAL, "invalid UTF-8: invalid utf-8 sequence"));
    *rc = BL_INVALID_ARGUMENT;
    return false;
  }
  *out = s;
  return true;
}

CallbackError::CallbackError(const Failure& f) {
  e.code = f.code;
  e.message = f.code == BL_OK ? nullptr : strdup(f.message.c_str());
}
CallbackError::~CallbackError() { free(e.message); }  // the callback may have freed it already

std::string io_error(int err) { return std::string(strerror(err)) + " (os error " + std::to_string(err) + ")"; }

// ---- event queue ------------------------------------------------------------------

void EventQueue::push(std::unique_ptr<Event> ev) {
  std::unique_lock<std::mutex> lk(mu_);
  not_full_.wait(lk, [&] { return closed_ || q_.size() < kCapacity; });
  if (closed_) {
    lk.unlock();  // dropped silently; its destructor frees owned payloads
    return;
  }
  q_.push_back(std::move(ev));
  bool wake = must_wake_locked();
  lk.unlock();
  // Signalled after unlocking: a drainer woken while the lock is still held
  // would only block on it again (a second wake-up per event).
  if (wake) not_empty_.notify_one();
}

bool EventQueue::must_wake_locked() {
  // A drainer that is awake (or already signalled) takes this event with the
  // others before it sleeps again: pop only waits on an empty queue.
  if (sleeping_ == 0 || wake_pending_) return false;
  wake_pending_ = true;
  return true;
}

bool EventQueue::try_push(std::unique_ptr<Event>& ev) {
  std::unique_lock<std::mutex> lk(mu_);
  if (closed_) {
    lk.unlock();
    ev.reset();  // dropped, as push drops it
    return true;
  }
  if (q_.size() >= kCapacity) return false;
  q_.push_back(std::move(ev));
  bool wake = must_wake_locked();
  lk.unlock();
  if (wake) not_empty_.notify_one();  // after unlocking, as in push
  return true;
}

std::unique_ptr<Event> EventQueue::pop(bool wait, const std::optional<std::chrono::steady_clock::time_point>& deadline) {
  std::unique_lock<std::mutex> lk(mu_);
  auto ready = [&] { return closed_ || !q_.empty(); };
  while (wait && !ready()) {
    sleeping_++;
    bool timed_out = false;
    if (deadline) timed_out = not_empty_.wait_until(lk, *deadline) == std::cv_status::timeout;
    else not_empty_.wait(lk);
    sleeping_--;
    // Any return (signalled, spurious, timed out) re-arms the signal for the
    // next push: a drainer that finds the queue empty again sleeps again.
    wake_pending_ = false;
    if (timed_out) break;
  }
  if (closed_ || q_.empty()) return nullptr;
  auto ev = std::move(q_.front());
  q_.pop_front();
  lk.unlock();
  not_full_.notify_one();
  return ev;
}

void EventQueue::close() {
  std::deque<std::unique_ptr<Event>> dropped;
  {
    std::lock_guard<std::mutex> lk(mu_);
    closed_ = true;
    dropped.swap(q_);
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  // `dropped` is destroyed here, outside the lock (payload destructors may take other locks).
}

bool EventQueue::closed() {
  std::lock_guard<std::mutex> lk(mu_);
  return closed_;
}

// ---- worker pool ----------------------------------------------------------------

bool WorkerPool::submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
    // Grow while every worker is busy: a task may block (copies, a full queue).
    if (idle_ == 0 && threads_.size() < 32) threads_.emplace_back([this] { loop(); });
  }
  cv_.notify_one();  // after unlocking, as in EventQueue::push
  return true;
}

void WorkerPool::loop() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    idle_++;
    cv_.wait(lk, [&] { return stopping_ || !tasks_.empty(); });
    idle_--;
    if (tasks_.empty()) return;  // stopping and nothing left
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lk.unlock();
    task();
    task = nullptr;  // release captures before re-taking the lock
    lk.lock();
  }
}

void WorkerPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

// ---- the runtime core -------------------------------------------------------------

Core::~Core() {
  if (lock_fd >= 0) close(lock_fd);
}

void Core::run_async(std::function<void()> task) {
  if (!pool.submit(task)) task();
}

void Core::post_now(std::unique_ptr<Event> ev) {
  if (queue->try_push(ev)) return;
  // Full: a worker waits for room, as a libboxlite task would; the caller goes on.
  auto held = std::make_shared<std::unique_ptr<Event>>(std::move(ev));
  run_async([q = queue, held] { q->push(std::move(*held)); });
}

Failure Core::lookup_locked(const std::string& id_or_name, std::shared_ptr<BoxRecord>* out) {
  out->reset();
  auto it = boxes.find(id_or_name);
  if (it != boxes.end()) {
    *out = it->second;
    return {};
  }
  for (auto& [id, rec] : boxes)
    if (!rec->cfg.name.empty() && rec->cfg.name == id_or_name) {
      *out = rec;
      return {};
    }
  std::vector<std::shared_ptr<BoxRecord>> matches;
  for (auto& [id, rec] : boxes)
    if (id.compare(0, id_or_name.size(), id_or_name) == 0) matches.push_back(rec);
  if (matches.size() == 1) *out = matches[0];
  if (matches.size() <= 1) return {};
  // The text of libboxlite's error, ids listed like Rust's Debug of a Vec<&str>.
  std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
    return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id;
  });
  std::string list;
  for (auto& rec : matches) list += (list.empty() ? "\"" : ", \"") + rec->id + "\"";
  return fail(BL_INVALID_ARGUMENT, "multiple boxes match prefix '" + id_or_name + "': [" + list + "]");
}

Failure Core::lookup(const std::string& id_or_name, std::shared_ptr<BoxRecord>* out) {
  std::lock_guard<std::mutex> lk(mu);
  return lookup_locked(id_or_name, out);
}

std::shared_ptr<BoxRecord> Core::find(const std::string& id_or_name) {
  std::shared_ptr<BoxRecord> rec;
  lookup(id_or_name, &rec);
  return rec;
}

std::shared_ptr<BoxInstance> Core::instance_for(const std::shared_ptr<BoxRecord>& rec) {
  std::lock_guard<std::mutex> lk(mu);
  auto& slot = instances[rec->id];
  auto inst = slot.lock();
  if (!inst) {
    inst = std::make_shared<BoxInstance>();
    inst->rec = rec;
    inst->invalidated = shut_down.load();
    slot = inst;
  }
  return inst;
}

void Core::forget(const std::string& id) {
  std::lock_guard<std::mutex> lk(mu);
  boxes.erase(id);
  auto it = instances.find(id);
  if (it != instances.end() && it->second.expired()) instances.erase(it);
}

void Core::stop_box(const std::shared_ptr<BoxRecord>& rec) {
  kill_box_processes(*rec, std::chrono::seconds(10));
  {
    std::lock_guard<std::mutex> lk(mu);
    auto it = instances.find(rec->id);
    // Like libboxlite, get() keeps returning this (now invalid) instance
    // while any handle to it is alive: free old handles before get().
    if (it != instances.end())
      if (auto inst = it->second.lock()) inst->invalidated = true;
  }
  bool remove_now;
  {
    std::lock_guard<std::mutex> lk(rec->mu);
    if (rec->removed) return;
    rec->status = "stopped";
    boxes_stopped++;
    remove_now = rec->cfg.effective_auto_delete() > 0;
  }
  if (remove_now) remove_box_files(rec);
  else write_box_meta(*rec);
}

void Core::remove_box_files(const std::shared_ptr<BoxRecord>& rec) {
  {
    std::lock_guard<std::mutex> lk(rec->mu);
    rec->removed = true;
  }
  forget(rec->id);
  // The box dir holds only what the engine and the box's commands wrote.
  std::string cmd_dir = rec->dir;
  std::function<void(const std::string&)> rm = [&](const std::string& p) {
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
      chmod(p.c_str(), st.st_mode | S_IRWXU);  // so unreadable dirs still go
      if (DIR* d = opendir(p.c_str())) {
        std::vector<std::string> names;
        while (dirent* e = readdir(d))
          if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names.push_back(e->d_name);
        closedir(d);
        for (auto& n : names) rm(p + "/" + n);
      }
      rmdir(p.c_str());
    } else {
      unlink(p.c_str());
    }
  };
  rm(cmd_dir);
}

static std::string default_home() {
  if (const char* h = getenv("BOXLITE_HOME"); h && *h) return h;
  const char* home = getenv("HOME");
  if (!home || !*home) {
    struct passwd* pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : ".";
  }
  return std::string(home) + "/.boxlite";
}

}  // namespace engine

using namespace engine;

// ---- ABI: version, errors, strings --------------------------------------------------

// $BOXLITE_TEST_ENGINE_VERSION (see engine.h). The returned string stays valid
// until the next call (callers copy it at once, as they must for libboxlite's
// static string anyway).
extern "C" const char* boxlite_version(void) {
  static std::mutex mu;
  static std::string version;
  std::lock_guard<std::mutex> lk(mu);
  const char* requested = getenv("BOXLITE_TEST_ENGINE_VERSION");
  version = requested && *requested ? requested : BL_SUPPORTED_VERSION;
  return version.c_str();
}

extern "C" void boxlite_error_free(bl_error* err) {
  if (!err) return;
  free(err->message);
  err->message = nullptr;
  err->code = BL_OK;
}

extern "C" void boxlite_free_string(char* s) { free(s); }

// ---- ABI: runtime ---------------------------------------------------------------------

extern "C" bl_code boxlite_runtime_new(const char* home_dir, const bl_image_registry* regs, int regs_count,
                                       bl_runtime** out, bl_error* err) {
  if (out) *out = nullptr;
  std::string home;
  bl_code rc;
  if (home_dir) {
    if (!parse_str(home_dir, &home, err, &rc)) return rc;
  } else {
    home = default_home();
  }
  if (regs_count < 0) return set_error(err, fail(BL_INVALID_ARGUMENT, "registries_count must be non-negative"));
  if (regs_count > 0 && !regs) return set_error(err, fail(BL_INVALID_ARGUMENT, "registries is null but registries_count > 0"));
  if (!out) return set_error(err, fail(BL_INVALID_ARGUMENT, "out is null"));
  if (!mkdirs(home)) return set_error(err, fail(BL_STORAGE, "failed to create home dir: " + io_error(errno)));
  char abs[PATH_MAX];
  if (!realpath(home.c_str(), abs)) return set_error(err, fail(BL_STORAGE, "failed to create home dir: " + io_error(errno)));
  if (auto f = take_fault(abs, When::Either, {"runtime_new", "", "", "", ""})) return set_error(err, *f);

  auto core = std::make_shared<Core>();
  core->home = abs;
  std::string lock_path = core->home + "/.lock";
  core->lock_fd = open(lock_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (core->lock_fd < 0) return set_error(err, fail(BL_STORAGE, "failed to open lock file: " + io_error(errno)));
  if (flock(core->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    if (e == EWOULDBLOCK)
      // Both layers of libboxlite's text: runtime/lock.rs, wrapped by rt_impl.rs.
      return set_error(err, fail(BL_INTERNAL, "Failed to acquire runtime lock at " + home +
                                                  ": internal error: Another BoxliteRuntime is already using directory: " +
                                                  home +
                                                  "\nOnly one runtime instance can use a BOXLITE_HOME directory at a time."));
    return set_error(err, fail(BL_STORAGE, "failed to acquire lock: " + io_error(e)));
  }
  std::string boxes_dir = core->home + "/boxes";
  if (!mkdirs(boxes_dir)) return set_error(err, fail(BL_STORAGE, "failed to create boxes dir: " + io_error(errno)));
  // Boxes persist across runtimes; whatever was running died with its runtime.
  if (DIR* d = opendir(boxes_dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      if (auto rec = read_box_meta(boxes_dir + "/" + e->d_name)) {
        rec->status = "stopped";
        core->boxes[rec->id] = rec;
      }
    }
    closedir(d);
  }
  watchdog_runtime_opened();
  *out = new bl_runtime{core};
  return BL_OK;
}

extern "C" int boxlite_runtime_drain(bl_runtime* rt, int timeout_ms, bl_error* err) {
  if (!rt) {
    set_error(err, fail(BL_INVALID_ARGUMENT, "runtime is null"));
    return -1;
  }
  // Hold the queue itself: runtime_free may run meanwhile; a blocked drainer then returns.
  std::shared_ptr<EventQueue> q = rt->core->queue;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout_ms > 0) deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int count = 0;
  for (;;) {
    auto ev = q->pop(timeout_ms != 0, deadline);
    if (!ev) {
      if (timeout_ms == 0 || q->closed()) break;
      if (deadline && std::chrono::steady_clock::now() >= *deadline) break;
      continue;  // spurious wake
    }
    ev->fire();  // queue lock released: the callback may call back into the API
    count++;
  }
  return count;
}

extern "C" void boxlite_runtime_free(bl_runtime* rt) {
  if (!rt) return;
  std::shared_ptr<Core> core = rt->core;
  // Close before deleting the handle: a drainer that read rt->core before
  // blocking is ordered before this point by the queue's lock.
  core->queue->close();  // later events are dropped; blocked drainers and producers return
  delete rt;
  core->shut_down = true;
  std::vector<std::shared_ptr<BoxRecord>> boxes;
  {
    std::lock_guard<std::mutex> lk(core->mu);
    for (auto& [id, rec] : core->boxes) boxes.push_back(rec);
  }
  // A non-detached box does not outlive its runtime.
  for (auto& rec : boxes) {
    bool stop;
    {
      std::lock_guard<std::mutex> lk(rec->mu);
      stop = !rec->cfg.detach && rec->status == "running";
    }
    if (stop) core->stop_box(rec);
  }
  core->pool.shutdown();
  watchdog_runtime_closed();
  if (core->lock_fd >= 0) {
    close(core->lock_fd);  // the home dir is free for the next runtime now
    core->lock_fd = -1;
  }
}

extern "C" bl_code boxlite_runtime_shutdown(bl_runtime* rt, int timeout_secs, bl_done_cb cb, void* ud, bl_error* err) {
  if (!rt) return set_error(err, fail(BL_INVALID_ARGUMENT, "runtime is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  auto core = rt->core;
  CallFault fault = take_call_fault(core->home, {"shutdown", "", "", "", ""});
  if (fault.sync) return set_error(err, *fault.sync);
  auto async_fault = fault.async;
  if (!async_fault) {
    core->shut_down = true;  // synchronously: no new boxes from here on
    std::lock_guard<std::mutex> lk(core->mu);
    for (auto& [id, weak] : core->instances)
      if (auto inst = weak.lock()) inst->invalidated = true;
  }
  core->run_async([core, cb, ud, timeout_secs, async_fault] {
    if (!async_fault) {
      std::vector<std::shared_ptr<BoxRecord>> boxes;
      {
        std::lock_guard<std::mutex> lk(core->mu);
        for (auto& [id, rec] : core->boxes) boxes.push_back(rec);
      }
      auto wait = timeout_secs < 0 ? std::chrono::hours(24 * 365) : std::chrono::seconds(timeout_secs == 0 ? 10 : timeout_secs);
      for (auto& rec : boxes) {
        bool stop;
        {
          std::lock_guard<std::mutex> lk(rec->mu);
          stop = !rec->cfg.detach && rec->status == "running";
        }
        if (stop) {
          kill_box_processes(*rec, std::chrono::duration_cast<std::chrono::milliseconds>(wait));
          core->stop_box(rec);
        }
      }
    }
    Failure f = async_fault ? *async_fault : Failure{};
    core->queue->post([cb, ud, f] {
      CallbackError e(f);
      cb(&e.e, ud);
    });
  });
  return BL_OK;
}

extern "C" bl_code boxlite_runtime_metrics(bl_runtime* rt, bl_runtime_metrics_cb cb, void* ud, bl_error* err) {
  if (!rt) return set_error(err, fail(BL_INVALID_ARGUMENT, "runtime is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  auto core = rt->core;
  CallFault fault = take_call_fault(core->home, {"runtime_metrics", "", "", "", ""});
  if (fault.sync) return set_error(err, *fault.sync);
  auto async_fault = fault.async;
  core->run_async([core, cb, ud, async_fault] {
    int created = core->boxes_created.load(), failed = core->boxes_failed.load();
    // libboxlite derives it from its counters (saturating), not from box states.
    int running = std::max(0, std::max(0, created - core->boxes_stopped.load()) - failed);
    bl_runtime_metrics m{created, failed, running, core->commands.load(), core->exec_errors.load()};
    core->queue->post([cb, ud, m, async_fault]() mutable {
      CallbackError e(async_fault ? *async_fault : Failure{});
      cb(async_fault ? nullptr : &m, &e.e, ud);  // borrowed: a stack value
    });
  });
  return BL_OK;
}

// ---- ABI: REST (objects work; the engine has no REST client) -------------------------------

extern "C" bl_code boxlite_api_key_credential_new(const char* key, bl_credential** out, bl_error* err) {
  if (out) *out = nullptr;
  std::string k;
  bl_code rc;
  if (!parse_str(key, &k, err, &rc)) return rc;
  if (!out) return set_error(err, fail(BL_INVALID_ARGUMENT, "out is null"));
  *out = new bl_credential{k};
  return BL_OK;
}

extern "C" void boxlite_credential_free(bl_credential* cred) { delete cred; }

extern "C" bl_code boxlite_rest_options_new(const char* url, bl_rest_options** out, bl_error* err) {
  if (out) *out = nullptr;
  std::string u;
  bl_code rc;
  if (!parse_str(url, &u, err, &rc)) return rc;
  if (!out) return set_error(err, fail(BL_INVALID_ARGUMENT, "out is null"));
  *out = new bl_rest_options{u, "", ""};
  return BL_OK;
}

extern "C" void boxlite_rest_options_set_credential(bl_rest_options* o, const bl_credential* cred) {
  if (o && cred) o->api_key = cred->api_key;  // cloned: the caller still frees the credential
}

extern "C" void boxlite_rest_options_set_path_prefix(bl_rest_options* o, const char* prefix) {
  if (o && prefix && valid_utf8(prefix, strlen(prefix))) o->prefix = prefix;
}

extern "C" void boxlite_rest_options_free(bl_rest_options* o) { delete o; }

extern "C" bl_code boxlite_rest_runtime_new_with_options(const bl_rest_options* o, bl_runtime** out, bl_error* err) {
  if (out) *out = nullptr;
  if (!o) return set_error(err, fail(BL_INVALID_ARGUMENT, "options is null"));
  if (!out) return set_error(err, fail(BL_INVALID_ARGUMENT, "out is null"));
  return set_error(err, fail(BL_UNSUPPORTED,
                             "the BoxLite test engine has no REST client; load the real libboxlite to reach " + o->url));
}
