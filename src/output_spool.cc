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

// The least a new chunk holds, so that many small writes nobody reads do not
// cost a chunk (and an allocation) each.
constexpr size_t kMinChunkBytes = 256;

OutputChunk::OutputChunk(size_t capacity) : block_(new char[capacity]), capacity_(capacity) {}

size_t OutputChunk::Append(const char* bytes, size_t len) {
  size_t n = std::min(len, room());
  std::memcpy(data() + size_, bytes, n);
  size_ += n;
  return n;
}

OutputSpool::~OutputSpool() { Clear(); }

void OutputSpool::AppendToMemory(const char* data, size_t len) {
  while (len > 0) {
    if (mem_.size() == memHead_ || mem_.back().room() == 0) {
      // As large as what the stream holds unread: a stream read as fast as
      // it is written gets chunks the size of its writes (one chunk, one
      // Buffer), a backlog gets full ones.
      size_t capacity = std::min(OutputChunk::kMaxBytes, std::max({len, kMinChunkBytes, memBytes_}));
      mem_.emplace_back(capacity);
    }
    size_t n = mem_.back().Append(data, len);
    data += n;
    len -= n;
    memBytes_ += n;
  }
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

size_t OutputSpool::TakeOldest(OutputChunks& out, size_t most, std::string* error) {
  out.clear();
  if (memBytes_ > 0) {
    size_t taken = 0;
    size_t end = memHead_;
    while (end < mem_.size() && (end == memHead_ || taken + mem_[end].size() <= most)) taken += mem_[end++].size();
    out.reserve(end - memHead_);
    for (size_t i = memHead_; i < end; ++i) out.push_back(std::move(mem_[i]));
    memHead_ = end;
    memBytes_ -= taken;
    if (memHead_ == mem_.size()) {
      // Drained: free the list rather than keep its capacity (it is sized by
      // the largest burst, and the execution may live on unread).
      std::vector<OutputChunk>().swap(mem_);
      memHead_ = 0;
    } else if (memHead_ >= mem_.size() / 2) {
      mem_.erase(mem_.begin(), mem_.begin() + static_cast<std::ptrdiff_t>(memHead_));
      memHead_ = 0;
    }
    return taken;
  }
  if (spilled_ == 0) return 0;
  size_t len = static_cast<size_t>(std::min<uint64_t>(spilled_, most));
  out.reserve((len + OutputChunk::kMaxBytes - 1) / OutputChunk::kMaxBytes);
  uint64_t at = head_;
  for (size_t left = len; left > 0;) {
    size_t piece = std::min(left, OutputChunk::kMaxBytes);
    OutputChunk chunk(piece);
    size_t first = static_cast<size_t>(std::min<uint64_t>(piece, capacity_ - at));
    if (!ReadAll(fd_, chunk.data(), first, at) || !ReadAll(fd_, chunk.data() + first, piece - first, 0)) {
      *error = std::string("cannot read the output spill file: ") + std::strerror(errno);
      out.clear();
      return 0;
    }
    chunk.Grow(piece);
    out.push_back(std::move(chunk));
    at = (at + piece) % capacity_;
    left -= piece;
  }
  head_ = at;
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
  size_t released = memBytes_;
  std::vector<OutputChunk>().swap(mem_);
  memHead_ = 0;
  memBytes_ = 0;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  head_ = 0;
  spilled_ = 0;
  return released;
}

}  // namespace boxlite
