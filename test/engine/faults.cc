// Deterministic fault injection: rules read from <home>/.test-engine/faults.
// Format and semantics: README.md, "Fault injection".
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine.h"

namespace engine {
namespace {

struct Rule {
  std::string op, box, command, message;
  When when = When::Sync;
  int code = 0;
  long remaining = 1;  // < 0 = forever
};

struct RuleFile {
  bool present = false;
  ino_t ino = 0;
  off_t size = 0;
  struct timespec mtime {};
  std::vector<Rule> rules;
  std::string path;  // <home>/.test-engine/faults
};

// Keyed by home dir: runtime_new faults are read before any runtime exists.
std::mutex g_mu;
std::map<std::string, RuleFile>& files() {
  static auto* m = new std::map<std::string, RuleFile>();  // never destroyed: safe at exit
  return *m;
}

bool parse_rule(const std::string& line, Rule* r, std::string* why) {
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && isspace(static_cast<unsigned char>(line[pos]))) pos++;
    if (pos >= line.size()) break;
    size_t eq = line.find('=', pos);
    if (eq == std::string::npos) return *why = "expected key=value at '" + line.substr(pos) + "'", false;
    std::string key = line.substr(pos, eq - pos);
    if (key == "message") {  // the rest of the line, verbatim
      r->message = line.substr(eq + 1);
      break;
    }
    size_t end = eq + 1;
    while (end < line.size() && !isspace(static_cast<unsigned char>(line[end]))) end++;
    std::string val = line.substr(eq + 1, end - eq - 1);
    pos = end;
    if (key == "op") r->op = val;
    else if (key == "box") r->box = val;
    else if (key == "command") r->command = val;
    else if (key == "when" && (val == "sync" || val == "async")) r->when = val == "sync" ? When::Sync : When::Async;
    else if (key == "code") r->code = atoi(val.c_str());
    else if (key == "times") r->remaining = val == "forever" ? -1 : atol(val.c_str());
    else return *why = "unknown key or value '" + key + "=" + val + "'", false;
  }
  if (r->op.empty()) return *why = "missing op=", false;
  if (r->code < 1 || r->code > BL_SESSION_REAPED) return *why = "code must be 1..21", false;
  if (r->remaining == 0) return *why = "times must be >= 1 or 'forever'", false;
  if (r->message.empty()) r->message = fail(r->code, "injected fault at " + r->op).message;
  return true;
}

// Re-reads the file when it changed (inode, size or mtime); counters restart then.
RuleFile& load(const std::string& home) {
  RuleFile& f = files()[home];
  if (f.path.empty()) f.path = home + "/.test-engine/faults";  // made once per home, not per call
  const std::string& path = f.path;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (f.present) f = RuleFile{false, 0, 0, {}, {}, f.path};
    return f;
  }
  if (f.present && f.ino == st.st_ino && f.size == st.st_size && f.mtime.tv_sec == st.st_mtim.tv_sec &&
      f.mtime.tv_nsec == st.st_mtim.tv_nsec)
    return f;
  f = RuleFile{true, st.st_ino, st.st_size, st.st_mtim, {}, f.path};
  std::ifstream in(path);
  std::string line;
  for (int n = 1; std::getline(in, line); n++) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    Rule r;
    std::string why;
    if (parse_rule(line, &r, &why)) f.rules.push_back(r);
    else fprintf(stderr, "boxlite test engine: %s:%d: ignored rule: %s\n", path.c_str(), n, why.c_str());
  }
  return f;
}

bool matches_command(const std::string& want, const std::string& command) {
  if (want == command) return true;
  size_t slash = command.rfind('/');
  return slash != std::string::npos && want == command.substr(slash + 1);
}

// The first live rule of `f` for this call and `when`, consumed. g_mu held.
std::optional<Failure> take_locked(RuleFile& f, When when, const FaultQuery& q) {
  for (auto& r : f.rules) {
    if (r.remaining == 0 || r.op != q.op || (when != When::Either && r.when != when)) continue;
    if (!r.box.empty() && r.box != q.box_id && r.box != q.box_name && r.box != q.id_or_name) continue;
    if (!r.command.empty() && !matches_command(r.command, q.command)) continue;
    if (r.remaining > 0) r.remaining--;
    return Failure{r.code, r.message};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Failure> take_fault(const std::string& home, When when, const FaultQuery& q) {
  std::lock_guard<std::mutex> lk(g_mu);
  return take_locked(load(home), when, q);
}

CallFault take_call_fault(const std::string& home, const FaultQuery& q) {
  std::lock_guard<std::mutex> lk(g_mu);
  RuleFile& f = load(home);
  CallFault out;
  out.sync = take_locked(f, When::Sync, q);
  if (!out.sync) out.async = take_locked(f, When::Async, q);
  return out;
}

}  // namespace engine
