// Work handed from native threads (the drain thread, the close thread) to the
// JS thread through a runtime's one thread-safe function.
#ifndef BOXLITE_NATIVE_EVENTS_H
#define BOXLITE_NATIVE_EVENTS_H

#include <napi.h>

#include <atomic>
#include <string>

#include "boxlite_abi.h"

namespace boxlite {

class RuntimeCore;
struct Api;

// A failure copied out of a borrowed or library-owned bl_error.
struct CapturedError {
  int code = BL_OK;
  std::string message;

  bool failed() const { return code != BL_OK; }
  // From an async callback: the struct is borrowed, copy only.
  void CopyFrom(const bl_error* err, const char* what);
  // From a synchronous call: the RETURN code wins over err->code (ABI §1),
  // and the library-allocated message is freed here.
  static CapturedError FromSync(const Api& api, bl_code rc, bl_error* err, const char* what);
};

class Event {
 public:
  virtual ~Event() = default;
  // On the JS thread with a live env.
  virtual void Dispatch(Napi::Env env, RuntimeCore& core) = 0;
  // The env is going away and the event will never be dispatched (the object
  // is deleted right after). Release bookkeeping only; no JS.
  virtual void Abandon(RuntimeCore& /*core*/) {}
};

// One libboxlite async call: the heap object is the call's user_data, its
// callback fills the result on the drain thread, and the same object travels
// to the JS thread as the event that settles the promise.
class AsyncOp : public Event {
 public:
  AsyncOp(Napi::Env env, RuntimeCore* core) : deferred_(Napi::Promise::Deferred::New(env)), core_(core) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }
  RuntimeCore& core() const { return *core_; }

  // Drain thread: record the error (if any) and hand the op to the JS thread.
  void Complete(const bl_error* err, const char* what);
  bool posted() const { return posted_.load(std::memory_order_acquire); }

  void Dispatch(Napi::Env env, RuntimeCore& core) final;
  void Abandon(RuntimeCore& core) final;
  // Close: libboxlite dropped this call's callback; settle it as stopped.
  void RejectStopped(Napi::Env env);
  // The call failed synchronously: its callback will never run.
  void RejectNow(Napi::Env env, const CapturedError& failure);

 protected:
  // The resolved value; may throw a Napi::Error to reject instead.
  virtual Napi::Value Result(Napi::Env env) { return env.Undefined(); }
  CapturedError error_;

 private:
  Napi::Promise::Deferred deferred_;
  RuntimeCore* core_;
  std::atomic<bool> posted_{false};
};

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_EVENTS_H
