// libboxlite 0.9.5 (tag v0.9.5, 2026-06-08): what differs from the common
// declarations in src/boxlite_abi.h. Our own declarations, written from the
// release's header and source; not copied from boxlite.h.
//
// Compared with the newest layout:
//   - CBoxInfo has 9 fields: no auto_pause/auto_delete/auto_resume before
//     created_at and no network pointer after it;
//   - boxlite_box_info is synchronous: (box, CBoxInfo** out, error*). The
//     addon never calls it: a box's info comes from boxlite_get_info by id,
//     whose callback signature is the same in every supported release;
//   - no lifecycle setters (boxlite_options_set_auto_*).
// Everything else the addon uses (errors 0..21, post-and-drain, BoxliteCommand,
// metrics, copy, exec) has the same signatures and layouts.
#ifndef BOXLITE_NATIVE_ABI_V0_9_5_H
#define BOXLITE_NATIVE_ABI_V0_9_5_H

#include "../boxlite_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bl_box_info_0_9_5 {
  char* id;
  char* name;  // nullable
  char* image;
  char* status;
  int running;
  int pid;
  int cpus;
  int memory_mib;
  int64_t created_at;  // unix seconds
} bl_box_info_0_9_5;

typedef struct bl_box_info_list_0_9_5 {
  bl_box_info_0_9_5* items;
  int count;
} bl_box_info_list_0_9_5;

// The synchronous boxlite_box_info of this layout (declared for the test
// engine and the header check; the addon does not call it).
typedef bl_code (*bl_box_info_sync_0_9_5_fn)(bl_box* box, bl_box_info_0_9_5** out, bl_error* err);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // BOXLITE_NATIVE_ABI_V0_9_5_H
