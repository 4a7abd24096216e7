// Finding, loading and validating libboxlite at run time.
//
// The addon never links libboxlite: it dlopens it on first use (Runtime.open /
// Runtime.rest), so `require('boxlite-native')` works on machines without it.
#ifndef BOXLITE_NATIVE_LIBRARY_H
#define BOXLITE_NATIVE_LIBRARY_H

#include <memory>
#include <string>

#include "boxlite_abi.h"

namespace boxlite {

// One resolved symbol table per loaded library file. Immutable once built, so
// it is shared freely between threads, runtimes and worker threads.
struct Api {
#define BL_API_FIELD(ret, name, params) ret(*name) params = nullptr;
  BL_ABI_FUNCTIONS(BL_API_FIELD)
#undef BL_API_FIELD
  std::string path;     // the path (or soname) it was loaded from
  std::string version;  // boxlite_version()
};

struct LoadRequest {
  std::string explicitPath;  // the `libraryPath` option ("" = not given)
  std::string envPath;       // BOXLITE_LIBRARY as seen by the calling JS env
};

struct LoadResult {
  std::shared_ptr<const Api> api;  // null on failure
  std::string error;               // actionable message (EngineError) on failure
};

// Thread-safe; may block (dlopen), so it runs off the JS thread.
LoadResult LoadLibrary(const LoadRequest& request);

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_LIBRARY_H
