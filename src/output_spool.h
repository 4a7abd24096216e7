// OutputSpool: one output stream's unread bytes, oldest first: an in-memory
// head and, once memory is full, a ring-buffer file (unlinked at creation, so
// nothing is left behind on any path; truncated whenever the reader caught up,
// closed by Clear or when the spool dies).
//
// Not thread-safe: ExecCore guards it with its buffer mutex. Writes happen on
// the drain thread (a page-cache write, never a wait for JS); reads on the JS
// thread, at most one delivery-sized block at a time.
#ifndef BOXLITE_NATIVE_OUTPUT_SPOOL_H
#define BOXLITE_NATIVE_OUTPUT_SPOOL_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace boxlite {

class OutputSpool {
 public:
  OutputSpool() = default;
  ~OutputSpool();
  OutputSpool(const OutputSpool&) = delete;
  OutputSpool& operator=(const OutputSpool&) = delete;

  size_t memoryBytes() const { return mem_.size() - memHead_; }
  uint64_t spilledBytes() const { return spilled_; }
  bool empty() const { return memoryBytes() == 0 && spilled_ == 0; }

  // Appends to memory. Only valid while nothing is spilled (order).
  void AppendToMemory(const char* data, size_t len);
  // Appends to the spill file (created on first use in `dir`, a ring of
  // `capacity` bytes). The caller keeps spilledBytes() + len <= capacity.
  // False (with `error` set) if the file cannot be created or written.
  bool AppendToSpill(const std::string& dir, uint64_t capacity, const char* data, size_t len, std::string* error);

  // Moves up to `most` of the oldest bytes into `out` (replacing its
  // contents): from memory if it holds any, else from the file. Returns how
  // many bytes came out of memory (for accounting).
  size_t TakeOldest(std::string& out, size_t most, std::string* error);

  // Drops everything and closes the file. Returns the memory bytes released.
  size_t Clear();

 private:
  bool Open(const std::string& dir, uint64_t capacity, std::string* error);

  std::string mem_;
  size_t memHead_ = 0;  // bytes at the front of mem_ already taken
  int fd_ = -1;
  uint64_t capacity_ = 0;
  uint64_t head_ = 0;  // ring offset of the oldest spilled byte
  uint64_t spilled_ = 0;
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_OUTPUT_SPOOL_H
