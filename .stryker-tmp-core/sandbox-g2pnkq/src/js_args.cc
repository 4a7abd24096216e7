#include "js_args.h"

#include <cmath>

#include "addon_data.h"
#include "boxlite_abi.h"

namespace boxlite {

std::string ToCString(Napi::Env env, const Napi::Value& value, const std::string& what) {
  if (!value.IsString()) ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument(what + " must be a string"));
  std::string s = value.As<Napi::String>().Utf8Value();
  // libboxlite takes NUL-terminated strings: an embedded NUL would silently
  // cut the value short.
  if (s.find('\0') != std::string::npos) {
    ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument(what + " must not contain NUL characters"));
  }
  return s;
}

bool OptionalString(Napi::Object obj, const char* key, std::string* out) {
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined() || v.IsNull()) return false;
  *out = ToCString(obj.Env(), v, key);
  return true;
}

bool OptionalBool(Napi::Object obj, const char* key, bool* out) {
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsBoolean()) ThrowError(obj.Env(), BL_INVALID_ARGUMENT, InvalidArgument(std::string(key) + " must be a boolean"));
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool OptionalNumber(Napi::Object obj, const char* key, double* out) {
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsNumber()) ThrowError(obj.Env(), BL_INVALID_ARGUMENT, InvalidArgument(std::string(key) + " must be a number"));
  *out = v.As<Napi::Number>().DoubleValue();
  return true;
}

bool OptionalInt(Napi::Object obj, const char* key, int64_t min, int64_t max, int64_t* out) {
  double d = 0;
  if (!OptionalNumber(obj, key, &d)) return false;
  if (!std::isfinite(d) || std::floor(d) != d || d < static_cast<double>(min) || d > static_cast<double>(max)) {
    ThrowError(obj.Env(), BL_INVALID_ARGUMENT,
               InvalidArgument(std::string(key) + " must be an integer between " + std::to_string(min) + " and " +
                               std::to_string(max)));
  }
  *out = static_cast<int64_t>(d);
  return true;
}

std::vector<std::string> OptionalStringArray(Napi::Object obj, const char* key) {
  std::vector<std::string> result;
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined() || v.IsNull()) return result;
  if (!v.IsArray()) ThrowError(obj.Env(), BL_INVALID_ARGUMENT, InvalidArgument(std::string(key) + " must be an array of strings"));
  Napi::Array arr = v.As<Napi::Array>();
  result.reserve(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    result.push_back(ToCString(obj.Env(), arr.Get(i), std::string(key) + "[" + std::to_string(i) + "]"));
  }
  return result;
}

std::vector<std::pair<std::string, std::string>> OptionalStringMap(Napi::Object obj, const char* key) {
  std::vector<std::pair<std::string, std::string>> result;
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined() || v.IsNull()) return result;
  if (!v.IsObject() || v.IsArray()) {
    ThrowError(obj.Env(), BL_INVALID_ARGUMENT, InvalidArgument(std::string(key) + " must be an object of strings"));
  }
  Napi::Object map = v.As<Napi::Object>();
  Napi::Array names = map.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    Napi::Value name = names.Get(i);
    std::string k = ToCString(obj.Env(), name.ToString(), std::string(key) + " key");
    if (k.empty()) ThrowError(obj.Env(), BL_INVALID_ARGUMENT, InvalidArgument(std::string(key) + " keys must not be empty"));
    result.emplace_back(k, ToCString(obj.Env(), map.Get(name), std::string(key) + "." + k));
  }
  return result;
}

Napi::Object RequireObject(Napi::Env env, const Napi::Value& value, const std::string& what) {
  if (!value.IsObject()) ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument(what + " must be an object"));
  return value.As<Napi::Object>();
}

int RequireInt(Napi::Env env, const Napi::Value& value, const std::string& what) {
  if (!value.IsNumber()) ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument(what + " must be an integer"));
  double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < -2147483648.0 || d > 2147483647.0) {
    ThrowError(env, BL_INVALID_ARGUMENT, InvalidArgument(what + " must be an integer"));
  }
  return static_cast<int>(d);
}

std::vector<const char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<const char*> ptrs;
  ptrs.reserve(strings.size());
  for (const std::string& s : strings) ptrs.push_back(s.c_str());
  return ptrs;
}

}  // namespace boxlite
