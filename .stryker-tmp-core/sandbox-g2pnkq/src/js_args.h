// Reading JS arguments defensively: wrong types become InvalidArgumentError
// (code 5), never a crash or a silently truncated C string.
#ifndef BOXLITE_NATIVE_JS_ARGS_H
#define BOXLITE_NATIVE_JS_ARGS_H

#include <napi.h>

#include <string>
#include <utility>
#include <vector>

namespace boxlite {

std::string ToCString(Napi::Env env, const Napi::Value& value, const std::string& what);
bool OptionalString(Napi::Object obj, const char* key, std::string* out);
bool OptionalBool(Napi::Object obj, const char* key, bool* out);
// An integer in [min, max]; false when absent.
bool OptionalInt(Napi::Object obj, const char* key, int64_t min, int64_t max, int64_t* out);
bool OptionalNumber(Napi::Object obj, const char* key, double* out);
std::vector<std::string> OptionalStringArray(Napi::Object obj, const char* key);
// A plain { key: value } object of strings, in property order.
std::vector<std::pair<std::string, std::string>> OptionalStringMap(Napi::Object obj, const char* key);
Napi::Object RequireObject(Napi::Env env, const Napi::Value& value, const std::string& what);
int RequireInt(Napi::Env env, const Napi::Value& value, const std::string& what);

// Pointers into a vector of strings, for C APIs taking `const char* const*`.
std::vector<const char*> CStrings(const std::vector<std::string>& strings);

}  // namespace boxlite

#endif  // BOXLITE_NATIVE_JS_ARGS_H
