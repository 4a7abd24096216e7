#include "output_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace boxlite {
namespace {

std::string Describe(const char* what, const std::string& path, int err) {
  return std::string(what) + " " + path + ": " + std::strerror(err);
}

// pwrite/pread until done (both may be partial), retrying on EINTR.
bool WriteAll(int fd, const char* data, size_t len, uint64_t offset) {
  while (len > 0) {
    ssize_t n = pwrite(fd, data, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

bool ReadAll(int fd, char* data, size_t len, uint64_t offset) {
  while (len > 0) {
    ssize_t n = pread(fd, data, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;  // the file shrank under us: not ours any more
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace

OutputSpool::~OutputSpool() { Clear(); }

void OutputSpool::AppendToMemory(const char* data, size_t len) {
  // Taken bytes at the front are dropped once they are the larger part, so
  // the buffer never holds much more than the unread bytes.
  if (memHead_ > 0 && memHead_ >= mem_.size() / 2) {
    mem_.erase(0, memHead_);
    memHead_ = 0;
  }
  mem_.append(data, len);
}

bool OutputSpool::Open(const std::string& dir, uint64_t capacity, std::string* error) {
  std::string path = dir + "/boxlite-output-XXXXXX";
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    *error = Describe("cannot create an output spill file in", dir, errno);
    return false;
  }
  // Unlinked at once: the bytes live exactly as long as the descriptor, so a
  // crash or a kill -9 leaves nothing on disk.
  unlink(name.data());
  fd_ = fd;
  capacity_ = capacity;
  head_ = 0;
  spilled_ = 0;
  return true;
}

bool OutputSpool::AppendToSpill(const std::string& dir, uint64_t capacity, const char* data, size_t len,
                                std::string* error) {
  if (fd_ < 0 && !Open(dir, capacity, error)) return false;
  // Ring: the tail wraps to offset 0, so the file never grows past capacity_
  // however long a slow reader stays behind.
  uint64_t tail = (head_ + spilled_) % capacity_;
  size_t first = static_cast<size_t>(std::min<uint64_t>(len, capacity_ - tail));
  if (!WriteAll(fd_, data, first, tail) || !WriteAll(fd_, data + first, len - first, 0)) {
    *error = std::string("cannot write the output spill file: ") + std::strerror(errno);
    return false;
  }
  spilled_ += len;
  return true;
}

size_t OutputSpool::TakeOldest(std::string& out, size_t most, std::string* error) {
  out.clear();
  if (memoryBytes() > 0) {
    size_t n = std::min(memoryBytes(), most);
    if (memHead_ == 0 && n == mem_.size()) {
      out.swap(mem_);  // all of it: no copy
    } else {
      out.assign(mem_, memHead_, n);
      memHead_ += n;
      if (memHead_ == mem_.size()) {
        // Drained: free the buffer rather than keep its capacity (it is
        // sized by the largest burst, and the execution may live on unread).
        std::string().swap(mem_);
        memHead_ = 0;
      }
    }
    return n;
  }
  if (spilled_ == 0) return 0;
  size_t len = static_cast<size_t>(std::min<uint64_t>(spilled_, most));
  out.resize(len);
  size_t first = static_cast<size_t>(std::min<uint64_t>(len, capacity_ - head_));
  if (!ReadAll(fd_, &out[0], first, head_) || !ReadAll(fd_, &out[first], len - first, 0)) {
    *error = std::string("cannot read the output spill file: ") + std::strerror(errno);
    out.clear();
    return 0;
  }
  head_ = (head_ + len) % capacity_;
  spilled_ -= len;
  // Caught up: give the disk back, but keep the descriptor (a stream hovering
  // around its window would otherwise create and unlink a file per burst).
  // The file is closed with the execution's output (Clear).
  if (spilled_ == 0) {
    head_ = 0;
    if (ftruncate(fd_, 0) != 0) Clear();  // cannot shrink it: start afresh next time
  }
  return 0;
}

size_t OutputSpool::Clear() {
  size_t released = memoryBytes();
  std::string().swap(mem_);
  memHead_ = 0;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  head_ = 0;
  spilled_ = 0;
  return released;
}

}  // namespace boxlite
