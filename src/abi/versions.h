// Which libboxlite releases the addon supports, and how it tells their
// layouts apart at load time (per-version declarations: v0_9_5.h, v0_9_7.h).
#ifndef BOXLITE_NATIVE_ABI_VERSIONS_H
#define BOXLITE_NATIVE_ABI_VERSIONS_H

#include <string>
#include <vector>

namespace boxlite {
namespace abi {

// The CBoxInfo layout (and with it, how box info is fetched).
enum class InfoLayout {
  kClassic,    // 9 fields: 0.9.5, the 0.9.7 release
  kLifecycle,  // + auto_pause/auto_delete/auto_resume: 0.9.7 main, #1009..#1031
  kNetwork,    // + network, async boxlite_box_info: 0.9.7 main since #1031 (newest known)
};

struct Profile {
  std::string version;    // boxlite_version()
  InfoLayout layout = InfoLayout::kNetwork;
  std::string build;      // which build of that version, e.g. "release", "main since #1031"
  bool untested = false;  // loaded only because BOXLITE_ALLOW_UNTESTED_VERSION=1
};

// Exported symbols that decide the layout of a "0.9.7" library.
struct Markers {
  bool lifecycle = false;     // boxlite_options_set_auto_pause_interval
  bool capabilities = false;  // boxlite_advanced_options_set_capabilities_add
};

// Every version the addon has declarations for, oldest first.
const std::vector<std::string>& SupportedVersions();
// "0.9.5, 0.9.7"
std::string SupportedVersionsText();

// The profile for a library reporting `version`. False (with `error`, an
// actionable message) when the version is unknown and untested versions are
// not allowed.
bool SelectProfile(const std::string& path, const std::string& version, const Markers& markers,
                   bool allowUntested, Profile* out, std::string* error);

const char* LayoutName(InfoLayout layout);

}  // namespace abi
}  // namespace boxlite

#endif  // BOXLITE_NATIVE_ABI_VERSIONS_H
