// Commands die with the process that runs them.
//
// Each command runs in its own process group (POSIX_SPAWN_SETSID), which
// holds what it starts too (`sh -c 'sleep 300 & wait'`). The engine kills
// those groups when a box stops or the runtime is freed, but a process that
// dies without running any code (kill -9, the OOM killer) kills nothing: its
// commands went on under PID 1, and no later runtime knew about them. A real
// box's processes end with its VM; here they must end with the process.
//
// So the first exec starts a watchdog: a tiny `sh` in its own session, whose
// stdin is one end of a socket pair this process holds (close-on-exec, so no
// command inherits it). The engine tells it each group it starts ("+ PGID")
// and each group it has reaped ("- PGID"; the engine keeps a group's leader
// as a zombie until then, so a registered PGID is never a recycled pid).
// When this process dies, however it dies, the kernel closes its end; the
// watchdog reads end-of-file, SIGKILLs every group still registered and
// exits. When the last runtime is freed normally the watchdog is told to quit
// ("q") and reaped, so a freed engine leaves no process or descriptor behind
// (runtime_free has already stopped the boxes that do not outlive it). A
// command that leaves its process group (setsid, a daemon) escapes; that is
// the limit of this mechanism.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <set>
#include <string>

#include "engine.h"

extern char** environ;

namespace engine {
namespace {

// Reads "+ PGID" / "- PGID" lines; at end of input, kills what is registered;
// "q" quits without killing.
// `case` on the padded list keeps it a pure-shell loop (no fork per line).
constexpr const char* kScript =
    "trap '' HUP INT TERM PIPE; g=' '; "
    "while read -r op pg; do case $op in "
    "q) exit 0;; "
    "+) g=\"$g$pg \";; "
    "-) case $g in *\" $pg \"*) g=\"${g%% $pg *} ${g#* $pg }\";; esac;; "
    "esac; done; "
    "for pg in $g; do kill -s KILL -- \"-$pg\" 2>/dev/null; done";

class Watchdog {
 public:
  void RuntimeOpened() {
    std::lock_guard<std::mutex> lk(mu_);
    runtimes_++;
  }

  // The last runtime gone: the watchdog quits (nothing killed) and is reaped.
  void RuntimeClosed() {
    std::lock_guard<std::mutex> lk(mu_);
    if (runtimes_ > 0) runtimes_--;
    if (runtimes_ > 0) return;
    groups_.clear();
    if (fd_ >= 0) {
      SendAll("q\n");
      close(fd_);
      fd_ = -1;
    }
    if (pid_ > 0) {
      while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
    }
  }

  void Add(pid_t pgid) {
    std::lock_guard<std::mutex> lk(mu_);
    groups_.insert(pgid);
    std::string line = "+ " + std::to_string(pgid) + "\n";
    if (fd_ >= 0 && SendAll(line)) return;
    // None yet, or it is gone (someone killed it): a new one learns every group.
    if (!StartLocked()) return;  // cannot start one: commands still run, unwatched
    std::string all;
    for (pid_t g : groups_) all += "+ " + std::to_string(g) + "\n";
    SendAll(all);
  }

  void Remove(pid_t pgid) {
    std::lock_guard<std::mutex> lk(mu_);
    // A group reaped after the last runtime was freed: no watchdog to tell.
    if (groups_.erase(pgid) == 0 || fd_ < 0) return;
    SendAll("- " + std::to_string(pgid) + "\n");  // a dead watchdog is replaced at the next Add
  }

 private:
  bool SendAll(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      // MSG_NOSIGNAL: a dead watchdog is EPIPE here, never a SIGPIPE for the host process.
      ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  bool StartLocked() {
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
    if (pid_ > 0) {
      waitpid(pid_, nullptr, WNOHANG);  // the one that died: not left a zombie
      pid_ = -1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return false;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    // Its own session: a Ctrl-C or a kill of the host's process group does not reach it.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const char* argv[] = {"sh", "-c", kScript, "boxlite-test-engine-watchdog", nullptr};
    pid_t pid = -1;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(sv[1]);
    if (rc != 0) {
      close(sv[0]);
      return false;
    }
    fd_ = sv[0];
    pid_ = pid;
    return true;
  }

  std::mutex mu_;
  int runtimes_ = 0;
  int fd_ = -1;
  pid_t pid_ = -1;
  std::set<pid_t> groups_;
};

// One per process, never destroyed: it must outlive every runtime and every
// thread that reaps a command, and the kernel closing its socket at process
// exit is what tells the watchdog to act.
Watchdog& TheWatchdog() {
  static Watchdog* const watchdog = new Watchdog;
  return *watchdog;
}

}  // namespace

void watchdog_runtime_opened() { TheWatchdog().RuntimeOpened(); }
void watchdog_runtime_closed() { TheWatchdog().RuntimeClosed(); }
void watch_process_group(pid_t pgid) { TheWatchdog().Add(pgid); }
void unwatch_process_group(pid_t pgid) { TheWatchdog().Remove(pgid); }

}  // namespace engine
