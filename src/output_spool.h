// OutputSpool: one output stream's unread bytes, oldest first: in-memory
// chunks and, once memory is full, a ring-buffer file (unlinked at creation, so
// nothing is left behind on any path; truncated whenever the reader caught up,
// closed by Clear or when the spool dies).
//
// Not thread-safe: ExecCore guards it with its buffer mutex. Writes happen on
// the drain thread (a page-cache write, never a wait for JS); reads on the JS
// thread, at most one delivery-sized block at a time, as whole chunks that
// are copied once into JS Buffers.
#ifndef BOXLITE_NATIVE_OUTPUT_SPOOL_H
#define BOXLITE_NATIVE_OUTPUT_SPOOL_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace boxlite {

// One piece of a stream's output, as it arrived (appended to while it has
// room). JS gets copies, packed into Buffers of at most kMaxBytes of data
// (RuntimeCore's ToBuffer).
class OutputChunk {
 public:
  // The most one chunk holds: the size Node reads pipes with, so a reader
  // gets Buffers like a child process's, and far below glibc's mmap threshold
  // (src/memory_release.h): malloc recycles these blocks instead of mapping,
  // faulting in and unmapping each one.
  static constexpr size_t kMaxBytes = 64u << 10;

  explicit OutputChunk(size_t capacity);
  const char* data() const { return block_.get(); }
  char* data() { return block_.get(); }
  size_t size() const { return size_; }
  size_t room() const { return capacity_ - size_; }
  // Appends at most room() bytes; returns how many.
  size_t Append(const char* bytes, size_t len);
  // The caller wrote `len` bytes at data() + size() (at most room()).
  void Grow(size_t len) { size_ += len; }

 private:
  std::unique_ptr<char[]> block_;
  size_t size_ = 0;
  size_t capacity_;
};

// Handed to JS together, oldest first.
using OutputChunks = std::vector<OutputChunk>;

class OutputSpool {
 public:
  OutputSpool() = default;
  ~OutputSpool();
  OutputSpool(const OutputSpool&) = delete;
  OutputSpool& operator=(const OutputSpool&) = delete;

  size_t memoryBytes() const { return memBytes_; }
  uint64_t spilledBytes() const { return spilled_; }
  bool empty() const { return memoryBytes() == 0 && spilled_ == 0; }

  // Appends to memory (one copy, into the newest chunk's room, then new
  // chunks). Only valid while nothing is spilled (order).
  void AppendToMemory(const char* data, size_t len);
  // Appends to the spill file (created on first use in `dir`, a ring of
  // `capacity` bytes). The caller keeps spilledBytes() + len <= capacity.
  // False (with `error` set) if the file cannot be created or written.
  bool AppendToSpill(const std::string& dir, uint64_t capacity, const char* data, size_t len, std::string* error);

  // Moves the oldest bytes into `out` (replacing its contents): from memory
  // if it holds any (whole chunks, without copying them, as many as fit in
  // `most`, which is at least OutputChunk::kMaxBytes), else at most `most`
  // bytes read back from the file into new chunks. Returns how many bytes
  // came out of memory (for accounting).
  size_t TakeOldest(OutputChunks& out, size_t most, std::string* error);

  // Drops everything and closes the file. Returns the memory bytes released.
  size_t Clear();

 private:
  bool Open(const std::string& dir, uint64_t capacity, std::string* error);

  // Oldest first, from memHead_ on (the ones before it were taken). Every
  // chunk but the newest is full, so memory holds the unread bytes plus less
  // than one chunk. A vector, not a deque: empty, it holds no memory at all.
  std::vector<OutputChunk> mem_;
  size_t memHead_ = 0;
  size_t memBytes_ = 0;
  int fd_ = -1;
  uint64_t capacity_ = 0;
  uint64_t head_ = 0;  // ring offset of the oldest spilled byte
  uint64_t spilled_ = 0;
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_OUTPUT_SPOOL_H
