// Internal declarations of the BoxLite test engine (libboxlite-test-engine.so).
//
// THE TEST ENGINE ISOLATES NOTHING. It stands in for libboxlite in tests and
// local development: "boxes" are directories, commands are host processes run
// as the calling user. See README.md beside this file.
//
// The engine mirrors libboxlite's contracts (ABI doc: libboxlite-abi.md):
// every async call validates synchronously, does its work on engine-owned
// threads and posts an event; callbacks only ever run inside
// boxlite_runtime_drain on the caller's thread.
#ifndef BOXLITE_TEST_ENGINE_ENGINE_H
#define BOXLITE_TEST_ENGINE_ENGINE_H

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "abi/v0_9_5.h"
#include "abi/v0_9_7.h"
#include "boxlite_abi.h"

// Two builds of the engine (CMakeLists.txt):
//   libboxlite-test-engine.so          the newest known layout (0.9.7 main since #1031)
//   libboxlite-test-engine-classic.so  BL_ENGINE_CLASSIC: the layout of 0.9.5 and
//                                      the 0.9.7 release (src/abi/v0_9_5.h): a
//                                      9-field CBoxInfo, a synchronous
//                                      boxlite_box_info, no lifecycle setters.
// boxlite_version() reports $BOXLITE_TEST_ENGINE_VERSION when set (default
// 0.9.7), so each supported version's code path in the addon can be run.
#ifndef BL_ENGINE_CLASSIC
#define BL_ENGINE_CLASSIC 0
#endif

// Every ABI symbol, declared from the shared X-macro with C linkage and default
// visibility: a definition whose signature drifts from boxlite_abi.h is then a
// compile error ("conflicting declaration of C function").
#define BL_ENGINE_DECLARE(ret, name, params) \
  extern "C" __attribute__((visibility("default"))) ret name params;
BL_ABI_FUNCTIONS(BL_ENGINE_DECLARE)
#if !BL_ENGINE_CLASSIC
BL_ABI_OPTIONAL_FUNCTIONS(BL_ENGINE_DECLARE)
BL_ENGINE_DECLARE(bl_code, boxlite_advanced_options_set_capabilities_add, (void* opts, const char* const* caps, int count))
#else
BL_ENGINE_DECLARE(bl_code, boxlite_box_info, (bl_box * box, bl_box_info_0_9_5** out, bl_error* err))
#endif
#undef BL_ENGINE_DECLARE

namespace engine {

// ---- errors -----------------------------------------------------------------

// An error as libboxlite reports it: code + full Display text (with prefix).
struct Failure {
  int code = BL_OK;
  std::string message;
  explicit operator bool() const { return code != BL_OK; }
};
Failure fail(int code, const std::string& detail);  // prefixes BoxLite's Display text
// Writes a synchronous error into *err (may be NULL) and returns its code.
bl_code set_error(bl_error* err, const Failure& f);
// The "null pointer"/"invalid UTF-8" quirk of libboxlite's string parsing:
// out_error gets Internal, the function returns InvalidArgument (ABI §1).
bool parse_str(const char* s, std::string* out, bl_error* err, bl_code* rc);
// How many leading bytes of p[0..n) are complete, valid UTF-8 sequences.
size_t valid_utf8_prefix(const unsigned char* p, size_t n);
bool valid_utf8(const char* s, size_t n);

// A callback's error argument: a temporary, message freed after the call.
struct CallbackError {
  bl_error e{BL_OK, nullptr};
  explicit CallbackError(const Failure& f);
  ~CallbackError();
  CallbackError(const CallbackError&) = delete;
  CallbackError& operator=(const CallbackError&) = delete;
};

// ---- the event queue (post-and-drain, ABI §2) ----------------------------------

struct Event {
  virtual ~Event() = default;  // frees owned payloads of a dropped event
  virtual void fire() = 0;
};
template <class F>
struct FnEvent final : Event {
  F fn;
  explicit FnEvent(F&& f) : fn(std::move(f)) {}
  void fire() override { fn(); }
};

template <class F>
std::unique_ptr<Event> make_event(F&& f) {
  return std::make_unique<FnEvent<std::decay_t<F>>>(std::forward<F>(f));
}

class EventQueue {
 public:
  static constexpr size_t kCapacity = 4096;
  // Blocks while full; after close() the event is dropped (destroyed).
  void push(std::unique_ptr<Event> ev);
  // Never blocks: false, with `ev` left untouched, while the queue is full
  // (after close() the event is dropped and true returned, as push does).
  bool try_push(std::unique_ptr<Event>& ev);
  template <class F>
  void post(F&& f) {
    push(make_event(std::forward<F>(f)));
  }
  // nullptr when the deadline passed (or at once when `wait` is false) or the queue closed.
  std::unique_ptr<Event> pop(bool wait, const std::optional<std::chrono::steady_clock::time_point>& deadline);
  void close();
  bool closed();

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<std::unique_ptr<Event>> q_;
  bool closed_ = false;
  // Drainers blocked in pop, and whether one has been signalled since (and
  // not yet run): a burst of events wakes a sleeping drainer once, not once
  // per event (each wake-up is a system call on the producer's thread).
  int sleeping_ = 0;
  bool wake_pending_ = false;
  // Under mu_, after queueing: whether the caller must signal not_empty_.
  bool must_wake_locked();
};

// Engine-owned worker threads for async box/runtime operations.
class WorkerPool {
 public:
  // false once shut down (the caller then runs the task inline).
  bool submit(std::function<void()> task);
  void shutdown();  // runs what is queued, joins every thread
  ~WorkerPool() { shutdown(); }

 private:
  void loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

// ---- fault injection (README.md: "Fault injection") -----------------------------

// Either: an operation without a callback, where every fault is synchronous.
enum class When { Sync, Async, Either };
struct FaultQuery {
  std::string op;
  std::string box_id, box_name, id_or_name, command;
};
// The first matching rule of <home>/.test-engine/faults for this call, consumed.
std::optional<Failure> take_fault(const std::string& home, When when, const FaultQuery& q);
// The fault of a call that has a callback, from one read of the rules (one
// stat of the file, one lock): the first matching `when=sync` rule is
// consumed and returned as `sync`; only when there is none, the first
// matching `when=async` rule as `async`. Exactly what take_fault(Sync) then
// take_fault(Async) gave, at half the cost on every call.
struct CallFault {
  std::optional<Failure> sync, async;
};
CallFault take_call_fault(const std::string& home, const FaultQuery& q);

// ---- boxes ------------------------------------------------------------------------

struct ExecState;
struct Core;

struct BoxConfig {
  std::string image;
  std::string name;  // empty = none
  // libboxlite's defaults (runtime/constants.rs vm_defaults), reported by info.
  int cpus = 1, memory_mib = 1024, disk_gb = 0;
  std::string workdir;
  std::vector<std::pair<std::string, std::string>> env;
  bool network_enabled = true;
  std::vector<std::string> allow_net;
  bool auto_remove = true, detach = false;
  uint32_t auto_pause = 0;        // 0.9.7 main lifecycle options (#1009)
  int64_t auto_delete = -1;       // -1: unset (then auto_remove decides)
  bool auto_resume = true;
  // libboxlite's BoxOptions::effective_auto_delete (runtime/options.rs).
  uint32_t effective_auto_delete() const {
    return auto_delete >= 0 ? static_cast<uint32_t>(auto_delete) : (auto_remove ? 1u : 0u);
  }
  std::vector<std::string> entrypoint, cmd;
};

// A box's persistent record (one per box id, owned by the runtime).
struct BoxRecord {
  std::string id, dir, root;  // dir = <home>/boxes/<id>, root = dir/rootfs
  BoxConfig cfg;
  int64_t created_at = 0;
  std::mutex mu;  // guards the fields below
  std::string status = "configured";
  bool removed = false;
  int commands = 0, exec_errors = 0;
  int64_t create_ms = 0, boot_ms = 0;
  std::vector<std::weak_ptr<ExecState>> execs;
  std::vector<pid_t> orphan_groups;  // exec'd commands that left processes behind
};

// The live box object shared by every handle to one box, like libboxlite's
// LiteBox: stop() through any handle invalidates all of them, and get()
// returns the same instance while a handle to it is alive.
struct BoxInstance {
  std::shared_ptr<BoxRecord> rec;
  std::atomic<bool> invalidated{false};
};

// Marks a box running (exec boots a box implicitly).
void ensure_running(const std::shared_ptr<BoxRecord>& rec);
// Stopped after stop()/shutdown, NotFound once removed.
Failure check_live_handle(const bl_box& box);
// Kills a box's processes and waits (bounded) until they are reaped.
void kill_box_processes(BoxRecord& rec, std::chrono::milliseconds wait);
// A command's process group dies with this process, even by kill -9
// (watchdog.cc): registered once spawned, unregistered once reaped.
void watch_process_group(pid_t pgid);
void unwatch_process_group(pid_t pgid);
// Counted so the watchdog quits when the last runtime is freed.
void watchdog_runtime_opened();
void watchdog_runtime_closed();
void write_box_meta(BoxRecord& rec);
std::shared_ptr<BoxRecord> read_box_meta(const std::string& dir);
bool prepare_box_root(const std::string& root, std::string* error);

// ---- the runtime --------------------------------------------------------------------

struct Core {
  std::string home;  // absolute
  int lock_fd = -1;
  std::shared_ptr<EventQueue> queue = std::make_shared<EventQueue>();
  WorkerPool pool;
  std::atomic<bool> shut_down{false};
  std::mutex mu;
  std::map<std::string, std::shared_ptr<BoxRecord>> boxes;
  std::map<std::string, std::weak_ptr<BoxInstance>> instances;
  // As libboxlite counts them (metrics/runtime_metrics.rs): created on a
  // successful create, stopped on stop, failed on a failed boot; "running"
  // is created - stopped - failed (so configured boxes count as running).
  std::atomic<int> boxes_created{0}, boxes_failed{0}, boxes_stopped{0}, commands{0}, exec_errors{0};

  ~Core();
  // Runs `task` on a worker (inline once the runtime is freed: its event is dropped then).
  void run_async(std::function<void()> task);
  // Queues the event of work done on the calling thread (lookups that touch
  // no disk): no hand-off to a worker first. The caller is never blocked: on
  // a full queue a worker waits for room instead.
  void post_now(std::unique_ptr<Event> ev);
  // libboxlite's lookup (litebox/manager.rs lookup_box): exact id, then exact
  // name, then a unique id prefix; an ambiguous prefix is InvalidArgument.
  // *out stays null when nothing matches.
  Failure lookup(const std::string& id_or_name, std::shared_ptr<BoxRecord>* out);
  Failure lookup_locked(const std::string& id_or_name, std::shared_ptr<BoxRecord>* out);  // mu held
  // lookup() without the ambiguity error (null then too).
  std::shared_ptr<BoxRecord> find(const std::string& id_or_name);
  std::shared_ptr<BoxInstance> instance_for(const std::shared_ptr<BoxRecord>& rec);
  void forget(const std::string& id);  // drops the record after removal
  // Stops a box: kills its processes, invalidates its instance, auto-removes.
  void stop_box(const std::shared_ptr<BoxRecord>& rec);
  void remove_box_files(const std::shared_ptr<BoxRecord>& rec);
};

// Copies (recursive, overwrite, symlinks copied as links) between host paths
// and paths resolved inside a box root; never writes outside the root.
Failure copy_into_box(const std::string& root, const std::string& host_src, const std::string& guest_dst);
Failure copy_out_of_box(const std::string& root, const std::string& guest_src, const std::string& host_dst);
// Resolves `path` (absolute or relative to the root) inside `root`, following
// symlinks with chroot semantics; fails on `..` or link escapes.
bool resolve_in_root(const std::string& root, const std::string& path, std::string* out, std::string* error);
bool mkdirs(const std::string& path);
std::string io_error(int err);  // Rust's io::Error Display: "<strerror> (os error N)"

}  // namespace engine

// The opaque handles of the ABI.
struct bl_runtime {
  std::shared_ptr<engine::Core> core;
};
struct bl_box {
  std::shared_ptr<engine::Core> core;
  std::shared_ptr<engine::BoxInstance> inst;
};
struct bl_options {
  engine::BoxConfig cfg;
};
struct bl_credential {
  std::string api_key;
};
struct bl_rest_options {
  std::string url, prefix, api_key;
};

#endif  // BOXLITE_TEST_ENGINE_ENGINE_H
