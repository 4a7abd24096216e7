#include "memory_release.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace boxlite {
namespace {

std::atomic<bool> trimQueued{false};

class TrimWorker : public Napi::AsyncWorker {
 public:
  explicit TrimWorker(Napi::Env env)
      : Napi::AsyncWorker(env, "boxlite-native:releaseFreedMemory"), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }
  // Cleared when the trim ran, or when the job dies without running (its env
  // was torn down first): the next request must never be refused forever.
  ~TrimWorker() override { trimQueued.store(false, std::memory_order_release); }
  void Execute() override {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    trimQueued.store(false, std::memory_order_release);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }

 private:
  Napi::Promise::Deferred deferred_;
};

#if defined(__GLIBC__)
bool UserTunesMalloc() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) return true;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  return tunables != nullptr && std::strstr(tunables, "glibc.malloc.") != nullptr;
}
#endif

}  // namespace

void TuneAllocator() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    if (!UserTunesMalloc()) mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMmapThresholdBytes));
  });
#endif
}

Napi::Value ReleaseFreedMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__GLIBC__)
  bool expected = false;
  if (trimQueued.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
    auto* worker = new TrimWorker(env);  // deletes itself after OnOK
    Napi::Promise done = worker->Promise();
    worker->Queue();
    return done;
  }
#endif
  // Not supported here, or a trim is already queued (it covers this request).
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Resolve(env.Undefined());
  return deferred.Promise();
}

}  // namespace boxlite
