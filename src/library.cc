#include "library.h"

#include "abi/v0_9_7.h"

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
  // Two ways forward, both spelled out: most users meet this error on the
  // first run after `npm install`, which never brings libboxlite.
  return std::string("Two ways forward:\n  1. Real boxes: install libboxlite ") + abi::SupportedVersionsText() +
         " (BoxLite's C SDK: the boxlite-c-v<version>-<platform> archives at "
         "https://github.com/boxlite-ai/boxlite/releases) and either set BOXLITE_LIBRARY=/path/to/" + kLibraryFileName +
         ", pass { libraryPath: '/path/to/" + kLibraryFileName +
         "' } to Runtime.open()/Runtime.rest() (CLI: --library PATH), copy it next to the addon" +
         (dir.empty() ? std::string() : " (" + dir + ")") + ", or add its directory to " + kLoaderPathVar +
         ".\n  2. No libboxlite: the test engine bundled with boxlite-native runs the same API as host processes "
         "(it isolates nothing: tests and local development only): Runtime.open({ engine: 'test' }), or "
         "`npx boxlite-native serve --engine test`.";
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
         "). It is not a libboxlite build boxlite-native can use (supported: " + abi::SupportedVersionsText() +
         "). Point libraryPath or BOXLITE_LIBRARY at a supported libboxlite build.";
}

bool HasSymbol(void* handle, const char* name) {
  dlerror();
  return dlsym(handle, name) != nullptr;
}

// Resolves and checks one opened library. Caller holds CacheMutex().
LoadResult Validate(void* handle, const std::string& path, bool allowUntested) {
  auto cached = Cache().find(handle);
  if (cached != Cache().end()) {
    const Api& api = *cached->second;
    std::string refusal;
    abi::Profile unused;
    // Loaded once as untested: later opens without the permission are refused as the first one would be.
    if (api.profile.untested && !allowUntested) {
      abi::SelectProfile(path, api.version, {}, false, &unused, &refusal);
      return {nullptr, refusal};
    }
    return {cached->second, ""};
  }

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
  abi::Markers markers;
  markers.lifecycle = HasSymbol(handle, BL_MARKER_LIFECYCLE);
  markers.capabilities = HasSymbol(handle, BL_MARKER_CAPABILITIES);
  std::string refusal;
  if (!abi::SelectProfile(path, api->version, markers, allowUntested, &api->profile, &refusal)) {
    return {nullptr, refusal};
  }
  // Every supported release exports these with these signatures.
#define BL_RESOLVE(ret, name, params)                                                   \
  if (!Resolve(handle, #name, api->name, &failure)) {                                   \
    if (api->profile.untested && std::string(#name) == "boxlite_options_add_volume" &&  \
        Resolve(handle, "boxlite_options_add_bind_mount", api->name, &failure)) {       \
      /* C SDK migration guide: renamed after 0.9.7, same parameters. */                \
      api->addVolumeSymbol = "boxlite_options_add_bind_mount";                          \
    } else {                                                                            \
      return {nullptr, SymbolMissingMessage(path, #name, failure)};                     \
    }                                                                                   \
  }
  BL_ABI_FUNCTIONS(BL_RESOLVE)
#undef BL_RESOLVE
  // Present or not depending on the release.
#define BL_RESOLVE_OPTIONAL(ret, name, params) Resolve(handle, #name, api->name, &failure);
  BL_ABI_OPTIONAL_FUNCTIONS(BL_RESOLVE_OPTIONAL)
#undef BL_RESOLVE_OPTIONAL
  // Older layouts export a synchronous boxlite_box_info (v0_9_5.h): never call
  // it through the callback signature. Box info then comes from boxlite_get_info.
  if (!api->HasBoxInfoNetwork()) api->boxlite_box_info = nullptr;

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
    return Validate(handle, candidate.path, request.allowUntestedVersion);
  }
  return {nullptr, NotFoundMessage(candidates, configured)};
}

}  // namespace boxlite
