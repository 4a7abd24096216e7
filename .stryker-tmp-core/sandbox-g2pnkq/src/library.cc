#include "library.h"

#include <dlfcn.h>

#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace boxlite {
namespace {

#if defined(__APPLE__)
constexpr const char* kLibraryFileName = "libboxlite.dylib";
constexpr const char* kLoaderPathVar = "DYLD_LIBRARY_PATH";
#else
constexpr const char* kLibraryFileName = "libboxlite.so";
constexpr const char* kLoaderPathVar = "LD_LIBRARY_PATH";
#endif

// dlopen handle -> validated symbol table. Process-wide (dlopen handles are
// process-wide too), guarded by a mutex, entries immutable. Heap-allocated and
// never destroyed so no exit-time destructor races a worker thread.
std::mutex& CacheMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}
std::unordered_map<void*, std::shared_ptr<const Api>>& Cache() {
  static auto* cache = new std::unordered_map<void*, std::shared_ptr<const Api>>();
  return *cache;
}

std::string LastDlError() {
  const char* e = dlerror();
  return e ? e : "unknown dlopen error";
}

// The directory of this addon's own .node file (dladdr on one of our symbols).
std::string AddonDirectory() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&AddonDirectory), &info) == 0 || info.dli_fname == nullptr) {
    return "";
  }
  std::string file = info.dli_fname;
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash);
}

struct Attempt {
  std::string source;  // where the candidate came from
  std::string path;
  std::string failure;  // dlerror()
};

std::string HowToFix() {
  std::string dir = AddonDirectory();
  return std::string("To fix: install libboxlite ") + BL_SUPPORTED_VERSION +
         " (BoxLite's C SDK) and either pass { libraryPath: '/path/to/" + kLibraryFileName +
         "' } to Runtime.open()/Runtime.rest(), set BOXLITE_LIBRARY=/path/to/" + kLibraryFileName +
         ", copy it next to the addon" + (dir.empty() ? std::string() : " (" + dir + ")") +
         ", or add its directory to " + kLoaderPathVar + ".";
}

std::string NotFoundMessage(const std::vector<Attempt>& attempts, bool configured) {
  std::string msg = "libboxlite could not be loaded. Tried:";
  for (const Attempt& a : attempts) {
    msg += "\n  - " + a.path + " (" + a.source + "): " + a.failure;
  }
  if (configured) {
    msg += "\nThe path was configured explicitly, so no other location was searched.";
  }
  msg += "\n" + HowToFix();
  return msg;
}

template <typename Fn>
bool Resolve(void* handle, const char* name, Fn& slot, std::string* failure) {
  dlerror();
  void* sym = dlsym(handle, name);
  if (sym == nullptr) {
    *failure = LastDlError();
    return false;
  }
  slot = reinterpret_cast<Fn>(sym);
  return true;
}

std::string SymbolMissingMessage(const std::string& path, const char* symbol, const std::string& failure) {
  return "libboxlite at " + path + " does not export the symbol '" + symbol + "' (" + failure +
         "). It is not a libboxlite build boxlite-native can use: it needs libboxlite " +
         BL_SUPPORTED_VERSION + ". Point libraryPath or BOXLITE_LIBRARY at a libboxlite " +
         BL_SUPPORTED_VERSION + " build.";
}

// Resolves and checks one opened library. Caller holds CacheMutex().
LoadResult Validate(void* handle, const std::string& path) {
  auto cached = Cache().find(handle);
  if (cached != Cache().end()) return {cached->second, ""};

  auto api = std::make_shared<Api>();
  api->path = path;
  std::string failure;
  // The version first: an older or newer library usually also lacks or adds
  // symbols, and "version X is not supported" is the more useful message.
  if (!Resolve(handle, "boxlite_version", api->boxlite_version, &failure)) {
    return {nullptr, SymbolMissingMessage(path, "boxlite_version", failure)};
  }
  const char* version = api->boxlite_version();
  api->version = version ? version : "(null)";
  if (api->version != BL_SUPPORTED_VERSION) {
    return {nullptr, "libboxlite at " + path + " reports version " + api->version +
                         ", but boxlite-native supports exactly libboxlite " + BL_SUPPORTED_VERSION +
                         " (struct layouts and callbacks change between releases). Install libboxlite " +
                         BL_SUPPORTED_VERSION + " and point libraryPath or BOXLITE_LIBRARY at it."};
  }
  // Every symbol below exists in 0.9.7, the only version accepted above, so
  // all of them are required.
#define BL_RESOLVE(ret, name, params)                                \
  if (!Resolve(handle, #name, api->name, &failure)) {                \
    return {nullptr, SymbolMissingMessage(path, #name, failure)};    \
  }
  BL_ABI_FUNCTIONS(BL_RESOLVE)
#undef BL_RESOLVE

  std::shared_ptr<const Api> frozen = std::move(api);
  Cache().emplace(handle, frozen);
  return {frozen, ""};
}

}  // namespace

LoadResult LoadLibrary(const LoadRequest& request) {
  std::vector<Attempt> candidates;
  bool configured = true;
  // A configured path is authoritative: silently falling back to some other
  // libboxlite after a typo would hide the mistake.
  if (!request.explicitPath.empty()) {
    candidates.push_back({"libraryPath option", request.explicitPath, ""});
  } else if (!request.envPath.empty()) {
    candidates.push_back({"BOXLITE_LIBRARY", request.envPath, ""});
  } else {
    configured = false;
    std::string dir = AddonDirectory();
    if (!dir.empty()) candidates.push_back({"next to the addon", dir + "/" + kLibraryFileName, ""});
    candidates.push_back({"dynamic loader search path", kLibraryFileName, ""});
  }

  std::lock_guard<std::mutex> lock(CacheMutex());
  for (Attempt& candidate : candidates) {
    dlerror();
    // RTLD_NOW: fail here, with a message, rather than at the first call.
    // RTLD_LOCAL: its symbols must not satisfy anyone else's lookups.
    // Never dlclose'd: libboxlite owns Tokio threads and thread-local
    // destructors that may outlive any one runtime.
    void* handle = dlopen(candidate.path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      candidate.failure = LastDlError();
      continue;
    }
    return Validate(handle, candidate.path);
  }
  return {nullptr, NotFoundMessage(candidates, configured)};
}

}  // namespace boxlite
