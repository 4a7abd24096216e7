// Builds the module's exports for one env (main thread or worker thread).
#ifndef BOXLITE_NATIVE_ADDON_H
#define BOXLITE_NATIVE_ADDON_H

#include <napi.h>

namespace boxlite {

Napi::Object InitAddon(Napi::Env env, Napi::Object exports);

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_ADDON_H
