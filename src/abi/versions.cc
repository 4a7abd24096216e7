#include "versions.h"

namespace boxlite {
namespace abi {

const std::vector<std::string>& SupportedVersions() {
  static const auto* versions = new std::vector<std::string>{"0.9.5", "0.9.7"};
  return *versions;
}

std::string SupportedVersionsText() {
  std::string text;
  for (const std::string& v : SupportedVersions()) text += (text.empty() ? "" : ", ") + v;
  return text;
}

const char* LayoutName(InfoLayout layout) {
  switch (layout) {
    case InfoLayout::kClassic: return "classic";
    case InfoLayout::kLifecycle: return "lifecycle";
    case InfoLayout::kNetwork: return "network";
  }
  return "unknown";
}

bool SelectProfile(const std::string& path, const std::string& version, const Markers& markers,
                   bool allowUntested, Profile* out, std::string* error) {
  out->version = version;
  out->untested = false;
  if (version == "0.9.5") {
    out->layout = InfoLayout::kClassic;
    out->build = "release";
    return true;
  }
  if (version == "0.9.7") {
    // v0_9_7.h: the release has no lifecycle setters; main grew them (#1009),
    // then the capabilities setter (#1047) just before the network field (#1031).
    if (!markers.lifecycle) {
      out->layout = InfoLayout::kClassic;
      out->build = "release";
    } else if (!markers.capabilities) {
      out->layout = InfoLayout::kLifecycle;
      out->build = "main, 2026-07-22..28 (#1009)";
    } else {
      out->layout = InfoLayout::kNetwork;
      out->build = "main since 2026-07-28 (#1031)";
    }
    return true;
  }
  if (allowUntested) {
    // Unsafe by design (README): a release with another layout is misread.
    out->layout = InfoLayout::kNetwork;
    out->build = "untested; read with the newest known layout (0.9.7 main since #1031)";
    out->untested = true;
    return true;
  }
  *error = "libboxlite at " + path + " reports version " + version +
           ", which boxlite-native does not support (supported: " + SupportedVersionsText() +
           "; struct layouts and signatures change between releases). Install a supported libboxlite "
           "(BoxLite's C SDK archives boxlite-c-v<version>-<platform> on its GitHub releases) and point "
           "libraryPath or BOXLITE_LIBRARY at it, or set BOXLITE_ALLOW_UNTESTED_VERSION=1 to load it with "
           "the newest known layout (unsafe: a changed layout means wrong data or a crash).";
  return false;
}

}  // namespace abi
}  // namespace boxlite
