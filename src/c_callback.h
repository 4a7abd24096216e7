// Guards the body of every function libboxlite calls back (it is called from
// Rust frames): a C++ exception must never unwind into them (undefined
// behaviour, typically an abort). The failure is logged; callers keep their
// state consistent because each body finishes its bookkeeping under its own
// locks before anything can throw, or leaves it untouched.
#ifndef BOXLITE_NATIVE_C_CALLBACK_H
#define BOXLITE_NATIVE_C_CALLBACK_H

#include <cstdio>
#include <exception>

namespace boxlite {

template <typename Fn>
void GuardCallback(const char* what, Fn&& fn) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    fprintf(stderr, "boxlite-native: %s callback failed: %s\n", what, e.what());
  } catch (...) {
    fprintf(stderr, "boxlite-native: %s callback failed with an unknown exception\n", what);
  }
}

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_C_CALLBACK_H
