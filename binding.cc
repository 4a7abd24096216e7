// Module registration only; the addon's pieces live in src/.
#include <napi.h>

static Napi::Object Init(Napi::Env /*env*/, Napi::Object exports) { return exports; }

NODE_API_MODULE(boxlite_native, Init)
