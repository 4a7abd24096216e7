// Giving freed memory back to the OS (glibc). Output passes through this
// process in blocks that are allocated on one thread (drain) and freed on
// another (JS); glibc keeps such memory in per-thread arenas and, after the
// first large block is freed, raises its mmap threshold so later large blocks
// land in those arenas too. Measured on the test engine: 256 MiB of output
// left the server holding +200 MiB after a full GC, and 3 bursts of 100 x
// 4 MiB climbed 848 -> 1123 -> 1315 MiB (README "Limits and guarantees").
//
//   - TuneAllocator (addon load): pins the mmap threshold, so blocks of
//     kMmapThresholdBytes or more are mmap'd and unmapped when freed, instead
//     of staying in an arena. Skipped when the user tunes malloc themselves
//     (MALLOC_MMAP_THRESHOLD_, or a malloc entry in GLIBC_TUNABLES).
//   - ReleaseFreedMemoryAsync (after work ends, debounced by the JS facade):
//     malloc_trim(0) on the libuv pool: every arena hands back its free pages.
// Elsewhere (musl, macOS) both are no-ops: those allocators return memory on
// their own terms.
#ifndef BOXLITE_NATIVE_MEMORY_RELEASE_H
#define BOXLITE_NATIVE_MEMORY_RELEASE_H

#include <napi.h>

#include <cstddef>

namespace boxlite {

constexpr size_t kMmapThresholdBytes = 256u << 10;

// Once per process (idempotent).
void TuneAllocator();

// JS: releaseFreedMemory(): Promise<void>: queues one trim on the pool (at
// most one at a time; a request while one is queued is answered at once).
Napi::Value ReleaseFreedMemory(const Napi::CallbackInfo& info);

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_MEMORY_RELEASE_H
