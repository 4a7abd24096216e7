// Finding, loading and validating libboxlite at run time.
//
// The addon never links libboxlite: it dlopens it on first use (Runtime.open /
// Runtime.rest), so `require('boxlite-native')` works on machines without it.
#ifndef BOXLITE_NATIVE_LIBRARY_H
#define BOXLITE_NATIVE_LIBRARY_H

#include <memory>
#include <string>

#include "abi/versions.h"
#include "boxlite_abi.h"

namespace boxlite {

// One resolved symbol table per loaded library file. Immutable once built, so
// it is shared freely between threads, runtimes and worker threads.
struct Api {
#define BL_API_FIELD(ret, name, params) ret(*name) params = nullptr;
  BL_ABI_FUNCTIONS(BL_API_FIELD)
  // nullptr when the loaded release lacks them (or, for boxlite_box_info, has
  // it with another signature): see BL_ABI_OPTIONAL_FUNCTIONS.
  BL_ABI_OPTIONAL_FUNCTIONS(BL_API_FIELD)
#undef BL_API_FIELD
  std::string path;     // the path (or soname) it was loaded from
  std::string version;  // boxlite_version()
  abi::Profile profile;
  // Which symbol boxlite_options_add_volume was resolved from (an untested
  // newer release may only have its successor, boxlite_options_add_bind_mount).
  std::string addVolumeSymbol = "boxlite_options_add_volume";

  // What the loaded release can do, for runtime.capabilities and for refusing
  // options it lacks with UnsupportedError.
  bool HasBoxInfoNetwork() const { return profile.layout == abi::InfoLayout::kNetwork; }
  bool HasBoxInfoLifecycle() const { return profile.layout != abi::InfoLayout::kClassic; }
};

struct LoadRequest {
  std::string explicitPath;  // the `libraryPath` option ("" = not given)
  std::string envPath;       // BOXLITE_LIBRARY as seen by the calling JS env
  bool allowUntestedVersion = false;  // BOXLITE_ALLOW_UNTESTED_VERSION=1 (unsafe)
};

struct LoadResult {
  std::shared_ptr<const Api> api;  // null on failure
  std::string error;               // actionable message (EngineError) on failure
};

// Thread-safe; may block (dlopen), so it runs off the JS thread.
LoadResult LoadLibrary(const LoadRequest& request);

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_LIBRARY_H
