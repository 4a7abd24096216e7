// Executions (ABI §6, §9): host processes with pipes or a pty, one pump
// thread per execution that reads output, reaps the process and posts every
// event of that execution, so their order is the order they were pushed.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine.h"

extern char** environ;

namespace engine {

// Bytes one read(2) of an output pipe takes at most: the size Node itself
// reads pipes with. Each read gets a buffer of its own, which becomes the
// payload of the event that carries it (no copy when the bytes are valid
// UTF-8), so it is freed by whichever thread drains the event. It stays below
// glibc's mmap threshold (the addon pins it at 256 KiB), so malloc recycles
// these buffers instead of mapping, faulting in and unmapping each one.
constexpr size_t kReadBytes = 64 << 10;

// Output bytes on their way to a stream's callback, owned by exactly one
// place at a time (a read, then the event).
struct OutputBytes {
  std::unique_ptr<char[]> data;
  size_t size = 0;

  static OutputBytes copy_of(const char* p, size_t n) {
    OutputBytes b{std::unique_ptr<char[]>(new char[n]), n};
    if (n) memcpy(b.data.get(), p, n);
    return b;
  }
};

// p[0..n) does not start with a complete, valid sequence (n > 0): the length
// of its maximal invalid subpart (one U+FFFD replaces it), and whether those
// bytes are instead a valid sequence cut off by the end of the data.
static size_t broken_sequence(const unsigned char* p, size_t n, bool* cut) {
  unsigned c = p[0];
  size_t need = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
  *cut = false;
  if (!need) return 1;
  unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80, hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  size_t k = 1;
  while (k < need && k < n && p[k] >= lo && p[k] <= hi) k++, lo = 0x80, hi = 0xBF;
  *cut = k < need && k == n;
  return k;
}

// Output is text after a streaming UTF-8 decoder, like libboxlite's: invalid
// bytes become U+FFFD (one per maximal invalid subpart), a sequence split
// across reads is carried over to the next. `in` is what one read returned
// (empty at the end of the stream, `final`). Valid text with nothing carried,
// nearly all output, comes back as the very buffer that was read: no copy.
static OutputBytes decode_utf8(std::string& carry, OutputBytes in, bool final) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data.get());
  if (carry.empty()) {
    size_t ok = valid_utf8_prefix(p, in.size);
    if (ok == in.size) return in;
    bool cut = false;
    size_t broken = broken_sequence(p + ok, in.size - ok, &cut);
    if (cut && !final) {  // ok + broken == in.size: only the last sequence is split
      carry.assign(in.data.get() + ok, broken);
      in.size = ok;
      return in;
    }
  }
  // Invalid bytes, or a carried sequence to complete: a new text.
  std::string joined = carry;
  if (in.size) joined.append(in.data.get(), in.size);  // none at the end of the stream
  p = reinterpret_cast<const unsigned char*>(joined.data());
  const size_t n = joined.size();
  static const char kReplacement[] = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(n);
  carry.clear();
  for (size_t i = 0; i < n;) {
    size_t ok = valid_utf8_prefix(p + i, n - i);
    out.append(joined, i, ok);
    i += ok;
    if (i == n) break;
    bool cut = false;
    size_t broken = broken_sequence(p + i, n - i, &cut);
    if (cut && !final) {
      carry.assign(joined, i, broken);
      break;
    }
    out += kReplacement;
    i += broken;
  }
  return OutputBytes::copy_of(out.data(), out.size());
}

// Output a stream has posted that the caller has not drained yet. The pump
// stops reading a registered stream's pipe while its window is full, so the
// command blocks on a full pipe, as a real box's command is held back by the
// gRPC flow control between guest and host. Without it the pump read pipes as
// fast as the commands wrote them (`head -c 4M` in a millisecond) and queued
// events without limit: 100 such commands held ~400 MiB in the queue.
constexpr size_t kDefaultOutputWindow = 256 << 10;

// $BOXLITE_TEST_ENGINE_OUTPUT_WINDOW (bytes) overrides the window; 0 turns
// backpressure off (the old behaviour, for comparisons).
static size_t output_window_bytes() {
  static const size_t bytes = [] {
    const char* v = getenv("BOXLITE_TEST_ENGINE_OUTPUT_WINDOW");
    if (!v || !*v) return kDefaultOutputWindow;
    char* end = nullptr;
    unsigned long long n = strtoull(v, &end, 10);
    if (*end) return kDefaultOutputWindow;
    return n == 0 ? SIZE_MAX : static_cast<size_t>(n);
  }();
  return bytes;
}

// Shared by a stream and the events carrying its output: a dropped or freed
// execution cannot leave an event pointing at freed state.
struct OutputWindow {
  std::mutex mu;
  size_t queued = 0;
  int wake_fd = -1;  // the pump's wake pipe; -1 once the execution is gone
  size_t room() {
    std::lock_guard<std::mutex> lk(mu);
    size_t cap = output_window_bytes();
    return queued >= cap ? 0 : cap - queued;
  }
  void add(size_t n) {
    std::lock_guard<std::mutex> lk(mu);
    queued += n;
  }
  void release(size_t n) {
    std::lock_guard<std::mutex> lk(mu);
    bool was_full = queued >= output_window_bytes();
    queued -= n;
    if (was_full && queued < output_window_bytes() && wake_fd >= 0) {
      char b = 1;
      ssize_t r = write(wake_fd, &b, 1);  // non-blocking; a full pipe already means "wake up"
      (void)r;
    }
  }
  void attach(int fd) {
    std::lock_guard<std::mutex> lk(mu);
    wake_fd = fd;
  }
  void detach() {
    std::lock_guard<std::mutex> lk(mu);
    wake_fd = -1;
  }
};

// Held by an output event: gives its bytes back to the window when the event
// is destroyed (after its callback ran, or when a closed queue drops it).
struct WindowCredit {
  std::shared_ptr<OutputWindow> window;
  size_t bytes;
  WindowCredit(std::shared_ptr<OutputWindow> w, size_t n) : window(std::move(w)), bytes(n) { window->add(n); }
  WindowCredit(WindowCredit&& o) noexcept : window(std::move(o.window)), bytes(o.bytes) {}
  WindowCredit(const WindowCredit&) = delete;
  WindowCredit& operator=(const WindowCredit&) = delete;
  WindowCredit& operator=(WindowCredit&&) = delete;
  ~WindowCredit() {
    if (window) window->release(bytes);
  }
};

struct Stream {
  int fd = -1;
  bool registered = false;
  bl_output_cb cb = nullptr;
  void* ud = nullptr;
  // Decoded output waiting for its callback. Not windowed: output of a stream
  // nobody registered is kept, as libboxlite keeps it, so an unregistered
  // stream never blocks the command (the addon registers both at once).
  std::string pending;
  std::string carry;
  std::shared_ptr<OutputWindow> window = std::make_shared<OutputWindow>();
  // How much the pump may read now (decoded UTF-8 may add up to 2 bytes per
  // invalid byte on top, when invalid bytes become U+FFFD). Call with mu held.
  size_t room_locked() const { return registered ? window->room() : SIZE_MAX; }
};

struct ExecState {
  std::shared_ptr<Core> core;
  std::shared_ptr<BoxRecord> box;
  pid_t pid = -1;
  int pidfd = -1, master = -1, in_fd = -1;
  int wake[2] = {-1, -1};
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::thread pump;

  std::mutex mu;  // guards everything below
  std::condition_variable exited_cv;
  Stream out, err;
  bool exit_registered = false, exit_claimed = false;
  bl_exit_cb exit_cb = nullptr;
  void* exit_ud = nullptr;
  std::vector<std::pair<bl_wait_cb, void*>> waits;
  std::vector<std::unique_ptr<Event>> ready;  // kill/signal/resize/faulted-wait callbacks to post
  std::string stdin_buf;
  bool stdin_close_req = false, stdin_closed = false, stdin_broken = false;
  // exited: the exit status was observed (waitid WNOWAIT). The leader stays a
  // zombie until boxlite_execution_free, which keeps its pid, and so its process
  // group, reserved: killing the group can never hit a recycled pid.
  bool exited = false, zombie_reaped = false, finished = false, aborted = false;
  int exit_code = 0;

  ~ExecState() {
    out.window->detach();
    err.window->detach();
    for (int fd : {pidfd, master, in_fd, out.fd, err.fd, wake[0], wake[1]})
      if (fd >= 0) close(fd);
  }
  void notify() {
    char b = 1;
    ssize_t r = write(wake[1], &b, 1);  // a full pipe already means "wake up"
    (void)r;
  }
  void kill_locked(int sig) {  // the command and whatever it started
    if (!exited) killpg(pid, sig);
  }
  void kill_group_locked() {  // box stop: orphans of an exited command too
    if (!zombie_reaped) killpg(pid, SIGKILL);
  }
  void observe_exit_locked() {
    siginfo_t si{};
    if (exited || waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid != pid) return;
    exited = true;
    exit_code = si.si_code == CLD_EXITED ? si.si_status : -si.si_status;
    exited_cv.notify_all();
  }
  void run();
  void read_stream(Stream& s, std::vector<OutputBytes>& got, bool after_exit, size_t room);
  void flush_stdin();
  void collect(std::vector<std::unique_ptr<Event>>& evs, Stream& s, std::vector<OutputBytes>& got);
  void claim_exit_locked(std::vector<std::unique_ptr<Event>>& evs, int code);
  void owed_locked(std::vector<std::unique_ptr<Event>>& evs);
};

// Reads at most `room` bytes. After the exit, "nothing more now" is the end
// of the stream: output of orphaned grandchildren is not part of the execution.
void ExecState::read_stream(Stream& s, std::vector<OutputBytes>& got, bool after_exit, size_t room) {
  std::unique_ptr<char[]> buf;  // handed on with what was read into it, else reused
  for (int round = 0; s.fd >= 0 && room > 0 && round < 16; round++) {
    if (!buf) buf.reset(new char[kReadBytes]);
    const size_t want = std::min(kReadBytes, room);
    ssize_t n = read(s.fd, buf.get(), want);
    if (n > 0) {
      room -= static_cast<size_t>(n);
      // A short read emptied the pipe: poll says when there is more (one
      // read(2) per wake-up fewer, as libuv does). After the exit, reading
      // goes on until "nothing more now", which ends the stream.
      const bool drained = static_cast<size_t>(n) < want && !after_exit;
      // A short read gets a buffer of its own size: a mostly empty 64 KiB
      // buffer per line of a chatty command would hold many times its bytes.
      OutputBytes bytes = static_cast<size_t>(n) >= kReadBytes / 2 ? OutputBytes{std::move(buf), static_cast<size_t>(n)}
                                                                   : OutputBytes::copy_of(buf.get(), static_cast<size_t>(n));
      OutputBytes text = decode_utf8(s.carry, std::move(bytes), false);
      if (text.size) got.push_back(std::move(text));
      if (drained) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && !after_exit) return;
    // EOF, EIO (a pty whose other side closed), or "nothing more now" after the process exited.
    OutputBytes tail = decode_utf8(s.carry, OutputBytes{}, true);
    if (tail.size) got.push_back(std::move(tail));
    close(s.fd);
    s.fd = -1;
  }
}

void ExecState::flush_stdin() {
  std::lock_guard<std::mutex> lk(mu);
  while (in_fd >= 0 && !stdin_buf.empty()) {
    ssize_t n = write(in_fd, stdin_buf.data(), stdin_buf.size());
    if (n > 0) {
      stdin_buf.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {  // EPIPE: the reader is gone (SIGPIPE is blocked on this thread; consume it)
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      struct timespec zero {};
      sigtimedwait(&pipe_set, nullptr, &zero);
      stdin_broken = true;
      stdin_buf.clear();
    }
  }
  if (in_fd >= 0 && stdin_buf.empty() && (stdin_close_req || stdin_broken)) {
    if (master >= 0 && !stdin_broken) {
      ssize_t r = write(in_fd, "\x04", 1);  // a terminal's EOF: the pty itself stays open
      (void)r;
    }
    close(in_fd);
    in_fd = -1;
  }
}

// Hands decoded output to its callback, or keeps it until one is registered.
void ExecState::collect(std::vector<std::unique_ptr<Event>>& evs, Stream& s, std::vector<OutputBytes>& got) {
  if (!s.registered) {
    for (auto& t : got) s.pending.append(t.data.get(), t.size);
    return;
  }
  if (!s.pending.empty()) {
    got.insert(got.begin(), OutputBytes::copy_of(s.pending.data(), s.pending.size()));
    std::string().swap(s.pending);
  }
  for (auto& t : got) {
    WindowCredit credit(s.window, t.size);
    evs.push_back(make_event([cb = s.cb, ud = s.ud, text = std::move(t), credit = std::move(credit)] {
      cb(reinterpret_cast<const uint8_t*>(text.data.get()), text.size, ud);
    }));
  }
}

static size_t sum_size(const std::vector<OutputBytes>& v) {
  size_t n = 0;
  for (auto& t : v) n += t.size;
  return n;
}

void ExecState::run() {
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
  for (;;) {
    pollfd fds[5];
    int nf = 0, i_out = -1, i_err = -1, i_pid = -1;
    size_t room_out, room_err;
    bool was_exited;
    int timeout = -1;
    {
      std::lock_guard<std::mutex> lk(mu);
      room_out = out.room_locked(), room_err = err.room_locked();
      was_exited = exited;
    }
    fds[nf++] = {wake[0], POLLIN, 0};
    // A full window: that pipe is not read (the command blocks on it) until
    // the caller drains and the window's release wakes this thread.
    if (!was_exited) {
      if (out.fd >= 0 && room_out) i_out = nf, fds[nf++] = {out.fd, POLLIN, 0};
      if (err.fd >= 0 && room_err) i_err = nf, fds[nf++] = {err.fd, POLLIN, 0};
    } else if ((out.fd >= 0 && room_out) || (err.fd >= 0 && room_err)) {
      timeout = 0;  // exited: read what is left in the pipes without waiting for more
    }
    if (!was_exited && pidfd >= 0) i_pid = nf, fds[nf++] = {pidfd, POLLIN, 0};
    {
      std::lock_guard<std::mutex> lk(mu);
      if (in_fd >= 0 && !stdin_buf.empty()) fds[nf++] = {in_fd, POLLOUT, 0};
      if (!exited && pidfd < 0) timeout = 10;  // no pidfd: poll the child
      if (!exited && deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now()).count() + 1;
        int ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left, INT32_MAX)));
        timeout = timeout < 0 ? ms : std::min(timeout, ms);
      }
    }
    poll(fds, static_cast<nfds_t>(nf), timeout);
    if (fds[0].revents) {
      char drain[64];
      while (read(wake[0], drain, sizeof drain) > 0) {
      }
    }
    flush_stdin();
    std::vector<OutputBytes> got_out, got_err;
    if (i_out >= 0 && fds[i_out].revents) read_stream(out, got_out, false, room_out);
    if (i_err >= 0 && fds[i_err].revents) read_stream(err, got_err, false, room_err);
    {
      std::lock_guard<std::mutex> lk(mu);
      if (!exited && (pidfd < 0 || (i_pid >= 0 && fds[i_pid].revents))) observe_exit_locked();
      if (!exited && deadline && std::chrono::steady_clock::now() >= *deadline) {
        kill_locked(SIGKILL);  // timeout_secs: the exit code becomes -9
        deadline.reset();
      }
    }
    if (exited && !finished) {
      // Everything the process wrote before exiting is in the pipe now; it is
      // read within the window like the rest (the command can no longer be
      // held back, but what is queued stays bounded).
      {
        std::lock_guard<std::mutex> lk(mu);
        room_out = out.room_locked(), room_err = err.room_locked();
      }
      read_stream(out, got_out, true, room_out - std::min(room_out, sum_size(got_out)));
      read_stream(err, got_err, true, room_err - std::min(room_err, sum_size(got_err)));
    }
    std::vector<std::unique_ptr<Event>> evs;
    bool quit;
    {
      std::lock_guard<std::mutex> lk(mu);
      quit = aborted;  // torn down: no stream events after free
      if (!quit) {
        collect(evs, out, got_out);
        collect(evs, err, got_err);
        finished = exited && out.fd < 0 && err.fd < 0;
        if (finished) claim_exit_locked(evs, exit_code);  // strictly after the streams above
      }
      owed_locked(evs);
    }
    for (auto& e : evs) core->queue->push(std::move(e));
    if (quit) break;
  }
  // Torn down by boxlite_execution_free: kill if still running, wait for the
  // exit, post what is owed (waits, kill callbacks) and the synthetic Exit(-129).
  for (bool killed = false;;) {
    {
      std::lock_guard<std::mutex> lk(mu);
      if (!killed) kill_locked(SIGKILL), killed = true;
      observe_exit_locked();
      if (exited) break;
    }
    pollfd pfd{pidfd, POLLIN, 0};
    poll(&pfd, pidfd >= 0 ? 1 : 0, pidfd >= 0 ? 100 : 5);
  }
  std::vector<std::unique_ptr<Event>> evs;
  {
    std::lock_guard<std::mutex> lk(mu);
    owed_locked(evs);
    claim_exit_locked(evs, -129);
  }
  for (auto& e : evs) core->queue->push(std::move(e));
}

void ExecState::claim_exit_locked(std::vector<std::unique_ptr<Event>>& evs, int code) {
  if (!exit_registered || exit_claimed) return;
  exit_claimed = true;  // exactly once
  evs.push_back(make_event([cb = exit_cb, ud = exit_ud, code] { cb(code, ud); }));
}

void ExecState::owed_locked(std::vector<std::unique_ptr<Event>>& evs) {
  if (exited) {
    for (auto& [cb, ud] : waits)
      evs.push_back(make_event([cb = cb, ud = ud, code = exit_code] {
        CallbackError e(Failure{});
        cb(code, &e.e, ud);
      }));
    waits.clear();
  }
  for (auto& e : ready) evs.push_back(std::move(e));
  ready.clear();
}

void kill_box_processes(BoxRecord& rec, std::chrono::milliseconds wait) {
  std::vector<std::shared_ptr<ExecState>> execs;
  std::vector<pid_t> orphans;
  {
    std::lock_guard<std::mutex> lk(rec.mu);
    for (auto& w : rec.execs)
      if (auto e = w.lock()) execs.push_back(e);
    orphans.swap(rec.orphan_groups);
  }
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (auto& e : execs) {
    std::lock_guard<std::mutex> lk(e->mu);
    e->kill_group_locked();
  }
  for (pid_t leader : orphans) {  // groups whose leader is a zombie we kept for this
    killpg(leader, SIGKILL);
    waitpid(leader, nullptr, 0);
    unwatch_process_group(leader);
  }
  for (auto& e : execs) {
    std::unique_lock<std::mutex> lk(e->mu);
    e->exited_cv.wait_until(lk, deadline, [&] { return e->exited; });
  }
}

// Whether `pid` is a zombie (state Z in /proc/<pid>/stat). Plain read(2):
// libstdc++'s filebuf throws when the read fails, and it does (ESRCH) for a
// process that exits while we look at it; a process gone counts as a zombie.
static bool is_zombie(pid_t pid) {
  char path[32];
  snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n <= 0) return true;
  // The state follows the command name, which is in parentheses and may hold anything but ends at the last ')'.
  const char* paren = static_cast<const char*>(memrchr(buf, ')', static_cast<size_t>(n)));
  if (!paren || paren + 2 >= buf + n) return true;
  return paren[2] == 'Z';
}

// Whether processes other than `pgid` itself are still in that process group.
// It runs at every exit, so it asks each process's group with getpgid(2) and
// reads a stat file only for a member (for the zombie check): opening and
// parsing every /proc/<pid>/stat cost about half a millisecond of CPU per
// execution on a machine running ~90 processes, as much as the rest of an
// `echo hi` on the engine's side.
static bool group_has_members(pid_t pgid) {
  DIR* d = opendir("/proc");
  if (!d) return false;
  bool found = false;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;  // only the pid directories
    pid_t p = static_cast<pid_t>(atoi(e->d_name));
    if (p <= 0 || p == pgid) continue;
    if (getpgid(p) != pgid) continue;  // -1 when it exited meanwhile
    if (!is_zombie(p)) {
      found = true;
      break;
    }
  }
  closedir(d);
  return found;
}

// Reaps the leader, unless its background children live on: like processes a
// command leaves behind in a real box, they run until the box stops.
void release_exec_process(ExecState& st) {
  std::lock_guard<std::mutex> lk(st.mu);
  if (st.zombie_reaped) return;
  bool box_running;
  {
    std::lock_guard<std::mutex> rlk(st.box->mu);
    box_running = st.box->status == "running" && !st.box->removed;
    if (box_running && group_has_members(st.pid)) {
      st.box->orphan_groups.push_back(st.pid);
      st.zombie_reaped = true;  // owned by the box now
      return;
    }
  }
  killpg(st.pid, SIGKILL);
  waitpid(st.pid, nullptr, 0);
  unwatch_process_group(st.pid);
  st.zombie_reaped = true;
}

}  // namespace engine

using namespace engine;

struct bl_execution {
  std::shared_ptr<ExecState> st;
};

namespace {

const std::string kSpawn = "spawn_failed: internal error: ";
const std::string kBuild = "spawn_failed: internal error: build failed: failed to create container: ";

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

bool has_entry(const std::string& file, const std::string& name) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, name.size() + 1, name + ":") == 0) return true;
  return false;
}

// The user exists in the box's etc/passwd (and group in etc/group); numeric ids
// always pass. Commands still run as the host user: the engine isolates nothing.
Failure check_user(const std::string& root, const std::string& spec) {
  size_t colon = spec.find(':');
  std::string user = spec.substr(0, colon), group = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (!user.empty() && !all_digits(user) && !has_entry(root + "/etc/passwd", user))
    return fail(BL_INTERNAL, kSpawn + "User '" + user + "' not found in " + root + "/etc/passwd");
  if (!group.empty() && !all_digits(group) && !has_entry(root + "/etc/group", group))
    return fail(BL_INTERNAL, kSpawn + "Group '" + group + "' not found in " + root + "/etc/group");
  return {};
}

// The executable lookup of the container runtime: the first PATH entry that
// exists wins, and it must be a regular file with an execute bit.
Failure find_executable(const std::string& cmd, const std::string& path_env, const std::string& cwd, std::string* out) {
  auto check = [&](const std::string& shown, const std::string& real) -> std::optional<Failure> {
    struct stat st;
    if (stat(real.c_str(), &st) != 0) return std::nullopt;
    if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
      return fail(BL_INTERNAL, kBuild + "executable '" + cmd + "' at path '\"" + shown + "\"' does not have correct permissions");
    *out = real;
    return Failure{};
  };
  if (cmd.find('/') != std::string::npos) {
    if (auto f = check(cmd, cmd[0] == '/' ? cmd : cwd + "/" + cmd)) return *f;
  } else {
    std::stringstream ss(path_env);
    std::string dir;
    while (std::getline(ss, dir, ':'))
      if (auto f = check((dir.empty() ? "." : dir) + "/" + cmd, (dir.empty() ? cwd : dir) + "/" + cmd)) return *f;
  }
  return fail(BL_INTERNAL, kBuild + "executable '" + cmd + "' not found in $PATH");
}

void set_env(std::vector<std::string>& env, const std::string& key, const std::string& val) {
  for (auto& e : env)
    if (e.compare(0, key.size() + 1, key + "=") == 0) return void(e = key + "=" + val);
  env.push_back(key + "=" + val);
}

struct SpawnFds {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, master = -1;
  ~SpawnFds() {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1], master})
      if (fd >= 0) close(fd);
  }
};

bl_code exec_fail(bl_error* err, const std::shared_ptr<Core>& core, BoxRecord& rec, const Failure& f) {
  core->exec_errors++;
  std::lock_guard<std::mutex> lk(rec.mu);
  rec.exec_errors++;
  return set_error(err, f);
}

ExecState* state(bl_execution* ex) { return ex ? ex->st.get() : nullptr; }

void post_later(ExecState* st, std::unique_ptr<Event> ev) {
  std::lock_guard<std::mutex> lk(st->mu);
  st->ready.push_back(std::move(ev));
}

std::unique_ptr<Event> done_event(bl_done_cb cb, void* ud, const Failure& f) {
  return make_event([cb, ud, f] {
    CallbackError e(f);
    cb(&e.e, ud);
  });
}

FaultQuery exec_query(const char* op, ExecState* st, const std::string& command = "") {
  return {op, st->box->id, st->box->cfg.name, "", command};
}

}  // namespace

extern "C" bl_code boxlite_box_exec(bl_box* box, const bl_command* cmd, bl_execution** out, bl_error* err) {
  if (out) *out = nullptr;
  if (!box) return set_error(err, fail(BL_INVALID_ARGUMENT, "box handle is null"));
  if (!cmd) return set_error(err, fail(BL_INVALID_ARGUMENT, "command is null"));
  if (!out) return set_error(err, fail(BL_INVALID_ARGUMENT, "out is null"));
  if (!cmd->command) return set_error(err, fail(BL_INTERNAL, "null pointer"));
  if (!valid_utf8(cmd->command, strlen(cmd->command))) return set_error(err, fail(BL_INTERNAL, "invalid UTF-8"));
  if (std::isnan(cmd->timeout_secs) || std::isinf(cmd->timeout_secs) || cmd->timeout_secs < 0)
    return set_error(err, fail(BL_INVALID_ARGUMENT, "timeout_seconds must be a non-negative finite number"));
  if (Failure f = check_live_handle(*box)) return set_error(err, f);
  auto core = box->core;
  auto rec = box->inst->rec;
  std::string command = cmd->command;
  if (auto f = take_fault(core->home, When::Either, {"exec", rec->id, rec->cfg.name, "", command}))
    return set_error(err, *f);
  ensure_running(rec);  // exec boots a box implicitly
  core->commands++;
  {
    std::lock_guard<std::mutex> lk(rec->mu);
    rec->commands++;
  }

  auto text = [](const char* s) { return s && valid_utf8(s, strlen(s)); };  // others are skipped silently
  std::string cwd = rec->root, wd = text(cmd->workdir) ? cmd->workdir : rec->cfg.workdir, why;
  if (!wd.empty() && !resolve_in_root(rec->root, wd, &cwd, &why)) return exec_fail(err, core, *rec, fail(BL_INVALID_ARGUMENT, why));
  if (!mkdirs(cwd)) return exec_fail(err, core, *rec, fail(BL_INTERNAL, kSpawn + "workdir " + wd + ": " + io_error(errno)));
  if (text(cmd->user) && *cmd->user)
    if (Failure f = check_user(rec->root, cmd->user)) return exec_fail(err, core, *rec, f);

  std::vector<std::string> env;
  for (char** e = environ; e && *e; e++) env.push_back(*e);
  for (auto& [k, v] : rec->cfg.env) set_env(env, k, v);
  for (int i = 0; cmd->env_pairs && i + 1 < cmd->env_count; i += 2)
    if (text(cmd->env_pairs[i]) && text(cmd->env_pairs[i + 1])) set_env(env, cmd->env_pairs[i], cmd->env_pairs[i + 1]);
  std::string path_env = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (auto& e : env)
    if (e.compare(0, 5, "PATH=") == 0) path_env = e.substr(5);
  std::string exe;
  if (Failure f = find_executable(command, path_env, cwd, &exe)) return exec_fail(err, core, *rec, f);

  std::vector<std::string> args{command};
  for (int i = 0; cmd->args && i < cmd->argc; i++)
    if (text(cmd->args[i])) args.push_back(cmd->args[i]);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  SpawnFds fds;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  bool tty = cmd->tty != 0;
  int rc = 0;
  if (tty) {  // a real pty: the command sees a terminal, stderr is merged into stdout
    char slave[128];
    fds.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fds.master < 0 || grantpt(fds.master) || unlockpt(fds.master) || ptsname_r(fds.master, slave, sizeof slave)) rc = errno;
    struct winsize ws {24, 80, 0, 0};
    if (!rc) ioctl(fds.master, TIOCSWINSZ, &ws);
    if (!rc) rc = posix_spawn_file_actions_addopen(&fa, 0, slave, O_RDWR, 0);  // after setsid: the controlling tty
    posix_spawn_file_actions_adddup2(&fa, 0, 1);
    posix_spawn_file_actions_adddup2(&fa, 0, 2);
  } else {
    if (pipe2(fds.in, O_CLOEXEC) || pipe2(fds.out, O_CLOEXEC) || pipe2(fds.err, O_CLOEXEC)) rc = errno;
    // Larger output pipes (best effort, up to the default pipe-max-size): the
    // real library streams over vsock with deep buffers, and a 64 KiB pipe
    // makes the command stall on every chunk the pump has not read yet.
    if (!rc) {
      fcntl(fds.out[1], F_SETPIPE_SZ, 1 << 20);
      fcntl(fds.err[1], F_SETPIPE_SZ, 1 << 20);
    }
    posix_spawn_file_actions_adddup2(&fa, fds.in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, fds.out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds.err[1], 2);
  }
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);  // Node ignores SIGPIPE; the command must not inherit that
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  if (!rc) rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc) return exec_fail(err, core, *rec, fail(BL_INTERNAL, kSpawn + io_error(rc)));
  watch_process_group(pid);

  auto st = std::make_shared<ExecState>();
  st->core = core;
  st->box = rec;
  st->pid = pid;
#ifdef SYS_pidfd_open
  st->pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#endif
  if (tty) {
    st->master = fds.master;
    st->out.fd = fcntl(fds.master, F_DUPFD_CLOEXEC, 0);
    st->in_fd = fcntl(fds.master, F_DUPFD_CLOEXEC, 0);
    fds.master = -1;
  } else {
    st->in_fd = fds.in[1], st->out.fd = fds.out[0], st->err.fd = fds.err[0];
    fds.in[1] = fds.out[0] = fds.err[0] = -1;
  }
  for (int fd : {st->in_fd, st->out.fd, st->err.fd})
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (pipe2(st->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    killpg(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    unwatch_process_group(pid);
    return exec_fail(err, core, *rec, fail(BL_INTERNAL, kSpawn + io_error(errno)));
  }
  st->out.window->attach(st->wake[1]);
  st->err.window->attach(st->wake[1]);
  // A timeout beyond ~100 years is "none": converting it to clock ticks would
  // overflow and fire at once.
  constexpr double kNoTimeoutAbove = 100.0 * 365 * 24 * 3600;
  if (cmd->timeout_secs > 0 && cmd->timeout_secs < kNoTimeoutAbove)
    st->deadline = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(cmd->timeout_secs));
  {
    std::lock_guard<std::mutex> lk(rec->mu);
    rec->execs.erase(std::remove_if(rec->execs.begin(), rec->execs.end(), [](auto& w) { return w.expired(); }), rec->execs.end());
    rec->execs.push_back(st);
  }
  ExecState* raw = st.get();
  st->pump = std::thread([raw] { raw->run(); });  // joined by boxlite_execution_free
  *out = new bl_execution{st};
  return BL_OK;
}

static bl_code on_output(const char* op, bl_execution* ex, bool is_stdout, bl_output_cb cb, void* ud, bl_error* err) {
  ExecState* st = state(ex);
  if (!st) return set_error(err, fail(BL_INVALID_ARGUMENT, "execution handle is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  if (auto f = take_fault(st->core->home, When::Either, exec_query(op, st))) return set_error(err, *f);
  std::lock_guard<std::mutex> lk(st->mu);
  Stream& s = is_stdout ? st->out : st->err;
  if (s.registered)
    return set_error(err, fail(BL_INVALID_STATE, std::string(is_stdout ? "stdout" : "stderr") +
                                                     " callback already registered or stream unavailable"));
  s.registered = true, s.cb = cb, s.ud = ud;
  st->notify();  // the pump delivers what was buffered
  return BL_OK;
}

extern "C" bl_code boxlite_execution_on_stdout(bl_execution* ex, bl_output_cb cb, void* ud, bl_error* err) {
  return on_output("on_stdout", ex, true, cb, ud, err);
}

extern "C" bl_code boxlite_execution_on_stderr(bl_execution* ex, bl_output_cb cb, void* ud, bl_error* err) {
  return on_output("on_stderr", ex, false, cb, ud, err);
}

extern "C" bl_code boxlite_execution_on_exit(bl_execution* ex, bl_exit_cb cb, void* ud, bl_error* err) {
  ExecState* st = state(ex);
  if (!st) return set_error(err, fail(BL_INVALID_ARGUMENT, "execution handle is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  if (auto f = take_fault(st->core->home, When::Either, exec_query("on_exit", st))) return set_error(err, *f);
  std::lock_guard<std::mutex> lk(st->mu);
  if (st->exit_registered) return set_error(err, fail(BL_INVALID_STATE, "exit callback already registered"));
  st->exit_registered = true, st->exit_cb = cb, st->exit_ud = ud;
  st->notify();
  return BL_OK;
}

extern "C" bl_code boxlite_execution_wait(bl_execution* ex, bl_wait_cb cb, void* ud, bl_error* err) {
  ExecState* st = state(ex);
  if (!st) return set_error(err, fail(BL_INVALID_ARGUMENT, "execution handle is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  CallFault fault = take_call_fault(st->core->home, exec_query("wait", st));
  if (fault.sync) return set_error(err, *fault.sync);
  auto af = fault.async;
  std::lock_guard<std::mutex> lk(st->mu);
  if (af) {
    Failure f = *af;
    st->ready.push_back(make_event([cb, ud, f] {
      CallbackError e(f);
      cb(-1, &e.e, ud);
    }));
  } else {
    st->waits.emplace_back(cb, ud);
  }
  st->notify();
  return BL_OK;
}

// kill / signal / resize: act now, post the callback through the pump.
static bl_code signal_op(const char* op, bl_execution* ex, bl_done_cb cb, void* ud, bl_error* err,
                         const std::function<void(ExecState*)>& act) {
  ExecState* st = state(ex);
  if (!st) return set_error(err, fail(BL_INVALID_ARGUMENT, "execution handle is null"));
  if (!cb) return set_error(err, fail(BL_INVALID_ARGUMENT, "cb is null"));
  CallFault fault = take_call_fault(st->core->home, exec_query(op, st));
  if (fault.sync) return set_error(err, *fault.sync);
  auto af = fault.async;
  if (!af) {
    std::lock_guard<std::mutex> lk(st->mu);
    act(st);
  }
  post_later(st, done_event(cb, ud, af ? *af : Failure{}));
  st->notify();
  return BL_OK;
}

extern "C" bl_code boxlite_execution_kill(bl_execution* ex, bl_done_cb cb, void* ud, bl_error* err) {
  return signal_op("kill", ex, cb, ud, err, [](ExecState* st) { st->kill_locked(SIGKILL); });
}

extern "C" bl_code boxlite_execution_signal(bl_execution* ex, int sig, bl_done_cb cb, void* ud, bl_error* err) {
  if (sig < 1 || sig > 64) return set_error(err, fail(BL_INVALID_ARGUMENT, "signal must be in 1..=64, got " + std::to_string(sig)));
  return signal_op("signal", ex, cb, ud, err, [sig](ExecState* st) {
    if (!st->exited) kill(st->pid, sig);
  });
}

extern "C" bl_code boxlite_execution_tty_resize(bl_execution* ex, int rows, int cols, bl_done_cb cb, void* ud, bl_error* err) {
  if (rows <= 0 || cols <= 0) return set_error(err, fail(BL_INVALID_ARGUMENT, "rows and cols must be greater than 0"));
  return signal_op("resize", ex, cb, ud, err, [rows, cols](ExecState* st) {
    struct winsize ws {static_cast<unsigned short>(rows), static_cast<unsigned short>(cols), 0, 0};
    if (st->master >= 0) ioctl(st->master, TIOCSWINSZ, &ws);  // without a tty there is nothing to resize
  });
}

extern "C" bl_code boxlite_execution_stdin_write(bl_execution* ex, const uint8_t* data, size_t len, bl_error* err) {
  ExecState* st = state(ex);
  if (!st) return set_error(err, fail(BL_INVALID_ARGUMENT, "execution handle is null"));
  if (len == 0) return BL_OK;
  if (!data) return set_error(err, fail(BL_INVALID_ARGUMENT, "data is null"));
  if (auto f = take_fault(st->core->home, When::Either, exec_query("stdin_write", st))) return set_error(err, *f);
  std::lock_guard<std::mutex> lk(st->mu);
  if (st->stdin_closed) return set_error(err, fail(BL_INVALID_STATE, "execution stdin is closed"));
  if (st->exited || st->stdin_broken || st->in_fd < 0) return set_error(err, fail(BL_INTERNAL, "stdin channel closed"));
  st->stdin_buf.append(reinterpret_cast<const char*>(data), len);  // never blocks: the pump writes it
  st->notify();
  return BL_OK;
}

extern "C" bl_code boxlite_execution_stdin_close(bl_execution* ex, bl_error* err) {
  ExecState* st = state(ex);
  if (!st) return set_error(err, fail(BL_INVALID_ARGUMENT, "execution handle is null"));
  if (auto f = take_fault(st->core->home, When::Either, exec_query("stdin_close", st))) return set_error(err, *f);
  std::lock_guard<std::mutex> lk(st->mu);
  st->stdin_closed = st->stdin_close_req = true;
  st->notify();
  return BL_OK;
}

extern "C" void boxlite_execution_free(bl_execution* ex) {
  if (!ex) return;
  ExecState* st = ex->st.get();
  {
    std::lock_guard<std::mutex> lk(st->mu);
    st->stdin_close_req = true;
    st->aborted = true;
    st->notify();
  }
  st->pump.join();
  release_exec_process(*st);
  delete ex;
}
