// Module registration only; the addon's pieces live in src/.
#include <napi.h>

#include "addon.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return boxlite::InitAddon(env, exports); }

NODE_API_MODULE(boxlite_native, Init)
