// Box directories: the per-box root with its etc/passwd, metadata that lets
// boxes outlive a runtime, path resolution confined to a box root, and copies.
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine.h"

namespace engine {

bool mkdirs(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); pos++) {
    if (pos < path.size() && path[pos] != '/') continue;
    std::string cur = path.substr(0, pos);
    if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  if (!S_ISDIR(st.st_mode)) return errno = ENOTDIR, false;
  return true;
}

static bool write_file(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    if (!(out << content)) return false;
  }
  return rename(tmp.c_str(), path.c_str()) == 0;
}

// The accounts a fresh box knows: root and nobody like common base images,
// plus the host user the engine really runs commands as.
bool prepare_box_root(const std::string& root, std::string* error) {
  if (!mkdirs(root + "/etc") || !mkdirs(root + "/tmp") || !mkdirs(root + "/root")) {
    *error = io_error(errno);
    return false;
  }
  std::string passwd = "root:x:0:0:root:/root:/bin/sh\n";
  std::string group = "root:x:0:\n";
  if (getuid() != 0) {
    struct passwd* pw = getpwuid(getuid());
    struct group* gr = getgrgid(getgid());
    std::string user = pw ? pw->pw_name : "user" + std::to_string(getuid());
    std::string gname = gr ? gr->gr_name : "group" + std::to_string(getgid());
    passwd += user + ":x:" + std::to_string(getuid()) + ":" + std::to_string(getgid()) + ":" + user + ":/home/" + user + ":/bin/sh\n";
    if (getgid() != 0) group += gname + ":x:" + std::to_string(getgid()) + ":" + user + "\n";
  }
  passwd += "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n";
  group += "nobody:x:65534:\n";
  if (!write_file(root + "/etc/passwd", passwd) || !write_file(root + "/etc/group", group)) {
    *error = io_error(errno);
    return false;
  }
  return true;
}

// ---- metadata --------------------------------------------------------------------

static std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '%' || c == '\n' || c == '\r' || c == '\t') {
      char b[4];
      snprintf(b, sizeof b, "%%%02X", static_cast<unsigned char>(c));
      o += b;
    } else {
      o += c;
    }
  }
  return o;
}

static std::string unesc(const std::string& s) {
  std::string o;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size()) {
      o += static_cast<char>(strtol(s.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      o += s[i];
    }
  }
  return o;
}

void write_box_meta(BoxRecord& rec) {
  std::ostringstream o;
  const BoxConfig& c = rec.cfg;
  std::lock_guard<std::mutex> lk(rec.mu);  // held while writing: concurrent updates land in order
  if (rec.removed) return;
  o << "status=" << rec.status << "\n";
  o << "id=" << esc(rec.id) << "\nname=" << esc(c.name) << "\nimage=" << esc(c.image) << "\ncreated_at=" << rec.created_at
    << "\ncpus=" << c.cpus << "\nmemory_mib=" << c.memory_mib << "\ndisk_gb=" << c.disk_gb << "\nworkdir=" << esc(c.workdir)
    << "\nnetwork=" << c.network_enabled << "\nauto_remove=" << c.auto_remove << "\ndetach=" << c.detach << "\nauto_pause=" << c.auto_pause
    << "\nauto_delete=" << c.auto_delete << "\nauto_resume=" << c.auto_resume << "\n";
  for (auto& [k, v] : c.env) o << "env=" << esc(k) << "\t" << esc(v) << "\n";
  for (auto& h : c.allow_net) o << "allow=" << esc(h) << "\n";
  for (auto& a : c.entrypoint) o << "entrypoint=" << esc(a) << "\n";
  for (auto& a : c.cmd) o << "cmd=" << esc(a) << "\n";
  write_file(rec.dir + "/meta", o.str());
}

std::shared_ptr<BoxRecord> read_box_meta(const std::string& dir) {
  std::ifstream in(dir + "/meta");
  if (!in) return nullptr;
  auto rec = std::make_shared<BoxRecord>();
  BoxConfig& c = rec->cfg;
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "status") rec->status = v;
    else if (k == "id") rec->id = unesc(v);
    else if (k == "name") c.name = unesc(v);
    else if (k == "image") c.image = unesc(v);
    else if (k == "created_at") rec->created_at = atoll(v.c_str());
    else if (k == "cpus") c.cpus = atoi(v.c_str());
    else if (k == "memory_mib") c.memory_mib = atoi(v.c_str());
    else if (k == "disk_gb") c.disk_gb = atoi(v.c_str());
    else if (k == "workdir") c.workdir = unesc(v);
    else if (k == "network") c.network_enabled = v == "1";
    else if (k == "auto_remove") c.auto_remove = v == "1";
    else if (k == "detach") c.detach = v == "1";
    else if (k == "auto_pause") c.auto_pause = static_cast<uint32_t>(strtoul(v.c_str(), nullptr, 10));
    else if (k == "auto_delete") c.auto_delete = atoll(v.c_str());
    else if (k == "auto_resume") c.auto_resume = v == "1";
    else if (k == "allow") c.allow_net.push_back(unesc(v));
    else if (k == "entrypoint") c.entrypoint.push_back(unesc(v));
    else if (k == "cmd") c.cmd.push_back(unesc(v));
    else if (k == "env") {
      size_t tab = v.find('\t');
      if (tab != std::string::npos) c.env.emplace_back(unesc(v.substr(0, tab)), unesc(v.substr(tab + 1)));
    }
  }
  if (rec->id.empty()) return nullptr;
  rec->dir = dir;
  rec->root = dir + "/rootfs";
  return rec;
}

// ---- confinement ---------------------------------------------------------------------

static std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> parts;
  std::stringstream ss(p);
  std::string part;
  while (std::getline(ss, part, '/'))
    if (!part.empty() && part != ".") parts.push_back(part);
  return parts;
}

static std::string join_root(const std::string& root, const std::vector<std::string>& parts) {
  std::string out = root;
  for (auto& p : parts) out += "/" + p;
  return out;
}

bool resolve_in_root(const std::string& root, const std::string& path, std::string* out, std::string* error) {
  std::vector<std::string> done;
  std::deque<std::string> todo;
  for (auto& p : split_path(path)) todo.push_back(p);
  int links = 0;
  while (!todo.empty()) {
    std::string part = todo.front();
    todo.pop_front();
    if (part == "..") {
      if (done.empty()) return *error = "path escapes the box root: " + path, false;
      done.pop_back();
      continue;
    }
    done.push_back(part);
    std::string cur = join_root(root, done);
    struct stat st;
    if (lstat(cur.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) continue;
    if (++links > 40) return *error = "too many levels of symbolic links: " + path, false;
    char target[4096];
    ssize_t n = readlink(cur.c_str(), target, sizeof target - 1);
    if (n < 0) return *error = io_error(errno), false;
    target[n] = 0;
    done.pop_back();
    if (target[0] == '/') done.clear();  // absolute links are rooted at the box root
    auto tparts = split_path(target);
    for (auto it = tparts.rbegin(); it != tparts.rend(); ++it) todo.push_front(*it);
    // A link that climbs above the root is rejected, not clamped.
    size_t depth = done.size();
    for (auto& t : tparts) {
      if (t == "..") {
        if (depth == 0) return *error = "symlink escapes the box root: " + path, false;
        depth--;
      } else {
        depth++;
      }
    }
  }
  *out = join_root(root, done);
  return true;
}

// ---- copies ------------------------------------------------------------------------------

// The parts of copy_tree that need buffers keep them on the heap: copy_tree
// recurses once per directory level, and a 64 KiB buffer in its frame filled
// an 8 MiB thread stack at about 115 levels (the server died on a deep upload).
static Failure copy_link(const std::string& src, const std::string& dst) {
  std::vector<char> target(4096);
  ssize_t n = readlink(src.c_str(), target.data(), target.size() - 1);
  if (n < 0) return fail(BL_INTERNAL, "I/O error: " + io_error(errno));
  target[n] = 0;
  if (symlink(target.data(), dst.c_str()) != 0) return fail(BL_INTERNAL, "I/O error: " + io_error(errno));
  return {};
}

static Failure copy_file(const std::string& src, const std::string& dst, mode_t mode) {
  auto io = [](int e) { return fail(BL_INTERNAL, "I/O error: " + io_error(e)); };
  int in = open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return io(errno);
  int out = open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
  if (out < 0) {
    int e = errno;
    close(in);
    return io(e);
  }
  std::vector<char> buf(1 << 16);
  Failure f;
  for (;;) {
    ssize_t n = read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0) f = io(errno);
      break;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf.data() + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return close(in), close(out), io(errno);
      off += w;
    }
  }
  close(in);
  close(out);
  return f;
}

// Copies src over dst without ever following a symlink at or below dst.
static Failure copy_tree(const std::string& src, const std::string& dst) {
  auto io = [](int e) { return fail(BL_INTERNAL, "I/O error: " + io_error(e)); };
  struct stat s, d;
  if (lstat(src.c_str(), &s) != 0) return io(errno);
  bool dst_exists = lstat(dst.c_str(), &d) == 0;
  if (S_ISDIR(s.st_mode)) {
    if (dst_exists && !S_ISDIR(d.st_mode) && unlink(dst.c_str()) != 0) return io(errno);
    if ((!dst_exists || !S_ISDIR(d.st_mode)) && mkdir(dst.c_str(), 0700) != 0) return io(errno);
    DIR* dir = opendir(src.c_str());
    if (!dir) return io(errno);
    std::vector<std::string> names;
    while (dirent* e = readdir(dir))
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names.push_back(e->d_name);
    closedir(dir);
    for (auto& n : names)
      if (Failure f = copy_tree(src + "/" + n, dst + "/" + n)) return f;
    chmod(dst.c_str(), s.st_mode & 07777);
    return {};
  }
  if (dst_exists && S_ISDIR(d.st_mode)) return io(EISDIR);
  if (dst_exists && unlink(dst.c_str()) != 0) return io(errno);
  if (S_ISLNK(s.st_mode)) return copy_link(src, dst);
  if (!S_ISREG(s.st_mode)) return {};  // devices, fifos, sockets: skipped
  return copy_file(src, dst, s.st_mode);
}

static std::string base_name(const std::string& p) {
  auto parts = split_path(p);
  return parts.empty() ? "" : parts.back();
}

static bool is_dir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

static std::string parent_of(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos || slash == 0 ? "/" : p.substr(0, slash);
}

Failure copy_into_box(const std::string& root, const std::string& host_src, const std::string& guest_dst) {
  struct stat s;
  if (lstat(host_src.c_str(), &s) != 0) return fail(BL_INTERNAL, "I/O error: " + io_error(errno));
  std::string guest = guest_dst, dst, why;
  if (!resolve_in_root(root, guest, &dst, &why)) return fail(BL_INVALID_ARGUMENT, why);
  // A file copied onto a directory (or a path ending in '/') lands inside it.
  if (!S_ISDIR(s.st_mode) && (is_dir(dst) || (!guest.empty() && guest.back() == '/'))) {
    guest += "/" + base_name(host_src);
    if (!resolve_in_root(root, guest, &dst, &why)) return fail(BL_INVALID_ARGUMENT, why);
  }
  if (dst == root && !S_ISDIR(s.st_mode)) return fail(BL_INVALID_ARGUMENT, "cannot copy a file onto the box root");
  if (!mkdirs(parent_of(dst))) return fail(BL_INTERNAL, "I/O error: " + io_error(errno));
  return copy_tree(host_src, dst);
}

Failure copy_out_of_box(const std::string& root, const std::string& guest_src, const std::string& host_dst) {
  std::string src, why;
  if (!resolve_in_root(root, guest_src, &src, &why)) return fail(BL_INVALID_ARGUMENT, why);
  struct stat s;
  if (lstat(src.c_str(), &s) != 0) return fail(BL_INTERNAL, "I/O error: " + io_error(errno));
  std::string dst = host_dst;
  if (!S_ISDIR(s.st_mode) && (is_dir(dst) || (!dst.empty() && dst.back() == '/'))) dst += "/" + base_name(src);
  if (!mkdirs(parent_of(dst))) return fail(BL_INTERNAL, "I/O error: " + io_error(errno));
  return copy_tree(src, dst);
}

}  // namespace engine
