// libboxlite 0.9.7: one version string, two layouts in the wild. Our own
// declarations, written from BoxLite's source history; not copied from boxlite.h.
//
//   - the release (version bump #844, 2026-06-25, the boxlite-c-v0.9.7
//     archives): the 0.9.5 layout (src/abi/v0_9_5.h), plus symbols the addon
//     does not use (ports with protocol #741, security options #652).
//   - builds of main after it, still reporting "0.9.7":
//       #1009 (2026-07-22) inserts auto_pause/auto_delete/auto_resume into
//         CBoxInfo before created_at and adds boxlite_options_set_auto_*;
//       #1047 (2026-07-28 00:29 +08) adds boxlite_advanced_options_set_capabilities_*;
//       #1031 (2026-07-28 16:08 +08) appends CBoxInfo.network and makes
//         boxlite_box_info asynchronous (a callback) — the newest layout, the
//         one in src/boxlite_abi.h and the test engine's default.
//
// No symbol marks #1031 itself. The addon tells the layouts apart by the
// markers below (see versions.cc): no lifecycle setter = the release layout;
// lifecycle setters and the capabilities setter = the #1031 layout; lifecycle
// setters without it = a build from 2026-07-22..28 whose CBoxInfo has the
// lifecycle fields but no network pointer. Only main builds from the 16 hours
// between #1047 and #1031 are misread by this rule (as having `network`).
#ifndef BOXLITE_NATIVE_ABI_V0_9_7_H
#define BOXLITE_NATIVE_ABI_V0_9_7_H

#include "../boxlite_abi.h"
#include "v0_9_5.h"

#ifdef __cplusplus
extern "C" {
#endif

// The release layout is 0.9.5's.
typedef bl_box_info_0_9_5 bl_box_info_0_9_7_release;
typedef bl_box_info_list_0_9_5 bl_box_info_list_0_9_7_release;

// Main between #1009 and #1031: the lifecycle fields, no network pointer.
typedef struct bl_box_info_0_9_7_lifecycle {
  char* id;
  char* name;
  char* image;
  char* status;
  int running;
  int pid;
  int cpus;
  int memory_mib;
  uint32_t auto_pause;
  uint32_t auto_delete;
  int auto_resume;
  int64_t created_at;
} bl_box_info_0_9_7_lifecycle;

typedef struct bl_box_info_list_0_9_7_lifecycle {
  bl_box_info_0_9_7_lifecycle* items;
  int count;
} bl_box_info_list_0_9_7_lifecycle;

// Main since #1031: the newest layout, bl_box_info in src/boxlite_abi.h.
typedef bl_box_info bl_box_info_0_9_7_main;
typedef bl_box_info_list bl_box_info_list_0_9_7_main;

// Marker symbols (see above).
#define BL_MARKER_LIFECYCLE "boxlite_options_set_auto_pause_interval"
#define BL_MARKER_CAPABILITIES "boxlite_advanced_options_set_capabilities_add"

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // BOXLITE_NATIVE_ABI_V0_9_7_H
