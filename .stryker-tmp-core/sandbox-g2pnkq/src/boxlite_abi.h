// Our own declarations of the subset of the libboxlite C ABI that boxlite-native
// uses. Written from the ABI brief (docs: libboxlite-abi.md) and checked against
// BoxLite 0.9.7; not copied from boxlite.h.
//
// Two consumers share this header:
//   - the addon, which never links libboxlite: it resolves each `boxlite_*`
//     symbol with dlsym into a table of function pointers (see the `*_fn`
//     typedefs below);
//   - the test engine (test/engine/), which defines these symbols with C
//     linkage so it can stand in for the real library.
//
// Layouts and enum values must match the real library bit for bit: field order
// and types below are the contract.
#ifndef BOXLITE_NATIVE_BOXLITE_ABI_H
#define BOXLITE_NATIVE_BOXLITE_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------
// Errors (ABI §1)

// BoxliteErrorCode. A C enum in the real header (int-sized); we use a plain int
// so both C and C++ consumers agree on the size without enum games.
typedef int bl_code;
enum {
  BL_OK = 0,
  BL_INTERNAL = 1,
  BL_NOT_FOUND = 2,
  BL_ALREADY_EXISTS = 3,
  BL_INVALID_STATE = 4,
  BL_INVALID_ARGUMENT = 5,
  BL_CONFIG = 6,
  BL_STORAGE = 7,
  BL_IMAGE = 8,
  BL_NETWORK = 9,
  BL_EXECUTION = 10,
  BL_STOPPED = 11,
  BL_ENGINE = 12,
  BL_UNSUPPORTED = 13,
  BL_DATABASE = 14,
  BL_PORTAL = 15,
  BL_RPC = 16,
  BL_RPC_TRANSPORT = 17,
  BL_METADATA = 18,
  BL_UNSUPPORTED_ENGINE = 19,
  BL_RESOURCE_EXHAUSTED = 20,
  BL_SESSION_REAPED = 21,
};

// FFIError / CBoxliteError: 16 bytes on LP64. `message` is library-allocated;
// release only with boxlite_error_free.
typedef struct bl_error {
  bl_code code;
  char* message;
} bl_error;

// ---------------------------------------------------------------------------
// Opaque handles

typedef struct bl_runtime bl_runtime;             // CBoxliteRuntime
typedef struct bl_options bl_options;             // CBoxliteOptions
typedef struct bl_box bl_box;                     // CBoxHandle
typedef struct bl_execution bl_execution;         // CExecutionHandle
typedef struct bl_rest_options bl_rest_options;   // CBoxliteRestOptions
typedef struct bl_credential bl_credential;       // CBoxliteCredential
typedef struct bl_image_registry bl_image_registry; // BoxliteImageRegistry (we pass none)

// ---------------------------------------------------------------------------
// Structs returned through callbacks (ABI §5)

typedef struct bl_published_port {
  uint16_t guest_port;
  char* host_ip;
  uint16_t host_port;
  int protocol;  // Tcp=0, Udp=1
} bl_published_port;

typedef struct bl_published_port_list {
  bl_published_port* items;
  int count;
} bl_published_port_list;

typedef struct bl_network_info {
  int mode;  // Enabled=0, Disabled=1
  char** allow_net;
  int allow_net_count;
  bl_published_port_list* published_ports;  // NULL = unknown
} bl_network_info;

typedef struct bl_box_info {
  char* id;
  char* name;  // nullable
  char* image;
  char* status;  // unknown|configured|running|stopping|stopped|paused|failed
  int running;
  int pid;
  int cpus;
  int memory_mib;
  uint32_t auto_pause;  // renamed auto_stop upstream after 0.9.7, same slot
  uint32_t auto_delete;
  int auto_resume;
  int64_t created_at;  // unix seconds
  bl_network_info* network;  // nullable
} bl_box_info;

typedef struct bl_box_info_list {
  bl_box_info* items;
  int count;
} bl_box_info_list;

typedef struct bl_box_metrics {
  double cpu_percent;
  int64_t memory_bytes;
  int commands_executed;
  int exec_errors;
  int64_t bytes_sent;
  int64_t bytes_received;
  int64_t create_duration_ms;
  int64_t boot_duration_ms;
  int64_t network_bytes_sent;
  int64_t network_bytes_received;
  int network_tcp_connections;
  int network_tcp_errors;
} bl_box_metrics;

typedef struct bl_runtime_metrics {
  int boxes_created_total;
  int boxes_failed_total;
  int num_running_boxes;
  int total_commands_executed;
  int total_exec_errors;
} bl_runtime_metrics;

// BoxliteCommand (ABI §6). Only read during boxlite_box_exec.
typedef struct bl_command {
  const char* command;
  const char* const* args;
  int argc;
  const char* const* env_pairs;  // flat k0,v0,k1,v1...
  int env_count;                 // number of entries in env_pairs
  const char* workdir;           // NULL = default
  const char* user;              // NULL = default
  double timeout_secs;           // 0 = none
  int tty;
} bl_command;

// ---------------------------------------------------------------------------
// Callback types. Every error pointer is non-NULL and borrowed for the call.

typedef void (*bl_done_cb)(bl_error* err, void* ud);                      // start, stop, remove, shutdown, copy, kill, signal, resize
typedef void (*bl_box_cb)(bl_box* box, bl_error* err, void* ud);          // create, get (box owned by the callee)
typedef void (*bl_box_info_cb)(bl_box_info* info, bl_error* err, void* ud);        // owned
typedef void (*bl_box_info_list_cb)(bl_box_info_list* list, bl_error* err, void* ud);  // owned
typedef void (*bl_box_metrics_cb)(bl_box_metrics* m, bl_error* err, void* ud);     // borrowed
typedef void (*bl_runtime_metrics_cb)(bl_runtime_metrics* m, bl_error* err, void* ud);  // borrowed
typedef void (*bl_output_cb)(const uint8_t* data, size_t len, void* ud);  // borrowed, not NUL-terminated
typedef void (*bl_exit_cb)(int exit_code, void* ud);
typedef void (*bl_wait_cb)(int exit_code, bl_error* err, void* ud);

// ---------------------------------------------------------------------------
// Functions. BL_ABI_FUNCTIONS(X) lists every symbol with its return type and
// parameter list, so the addon's symbol table and the test engine's definitions
// come from one place. X(return_type, name, (params)).

#define BL_ABI_FUNCTIONS(X)                                                                        \
  X(const char*, boxlite_version, (void))                                                          \
  X(void, boxlite_error_free, (bl_error * err))                                                    \
  X(void, boxlite_free_string, (char* s))                                                          \
  /* runtime */                                                                                    \
  X(bl_code, boxlite_runtime_new,                                                                  \
    (const char* home_dir, const bl_image_registry* regs, int regs_count, bl_runtime** out,       \
     bl_error* err))                                                                               \
  X(int, boxlite_runtime_drain, (bl_runtime * rt, int timeout_ms, bl_error* err))                  \
  X(bl_code, boxlite_runtime_shutdown,                                                             \
    (bl_runtime * rt, int timeout_secs, bl_done_cb cb, void* ud, bl_error* err))                  \
  X(void, boxlite_runtime_free, (bl_runtime * rt))                                                 \
  X(bl_code, boxlite_runtime_metrics,                                                              \
    (bl_runtime * rt, bl_runtime_metrics_cb cb, void* ud, bl_error* err))                         \
  /* REST runtime */                                                                               \
  X(bl_code, boxlite_api_key_credential_new, (const char* key, bl_credential** out, bl_error* err)) \
  X(void, boxlite_credential_free, (bl_credential * cred))                                         \
  X(bl_code, boxlite_rest_options_new, (const char* url, bl_rest_options** out, bl_error* err))    \
  X(void, boxlite_rest_options_set_credential, (bl_rest_options * o, const bl_credential* cred))   \
  X(void, boxlite_rest_options_set_path_prefix, (bl_rest_options * o, const char* prefix))         \
  X(void, boxlite_rest_options_free, (bl_rest_options * o))                                        \
  X(bl_code, boxlite_rest_runtime_new_with_options,                                                \
    (const bl_rest_options* o, bl_runtime** out, bl_error* err))                                   \
  /* box options */                                                                                \
  X(bl_code, boxlite_options_new, (const char* image, bl_options** out, bl_error* err))           \
  X(void, boxlite_options_set_rootfs_path, (bl_options * o, const char* path))                     \
  X(void, boxlite_options_set_name, (bl_options * o, const char* name))                            \
  X(void, boxlite_options_set_cpus, (bl_options * o, int cpus))                                    \
  X(void, boxlite_options_set_memory, (bl_options * o, int memory_mib))                            \
  X(void, boxlite_options_set_disk_size_gb, (bl_options * o, int gb))                              \
  X(void, boxlite_options_set_workdir, (bl_options * o, const char* dir))                          \
  X(void, boxlite_options_add_env, (bl_options * o, const char* key, const char* val))             \
  X(void, boxlite_options_add_volume,                                                              \
    (bl_options * o, const char* host_path, const char* guest_path, int read_only))               \
  X(void, boxlite_options_set_network_enabled, (bl_options * o))                                   \
  X(void, boxlite_options_set_network_disabled, (bl_options * o))                                  \
  X(void, boxlite_options_add_network_allow, (bl_options * o, const char* host))                   \
  X(void, boxlite_options_set_auto_remove, (bl_options * o, int on))                               \
  X(void, boxlite_options_set_detach, (bl_options * o, int on))                                    \
  X(void, boxlite_options_set_entrypoint, (bl_options * o, const char* const* args, int argc))     \
  X(void, boxlite_options_set_cmd, (bl_options * o, const char* const* args, int argc))            \
  X(void, boxlite_options_free, (bl_options * o))                                                  \
  /* boxes */                                                                                      \
  X(bl_code, boxlite_create_box,                                                                   \
    (bl_runtime * rt, bl_options * opts, bl_box_cb cb, void* ud, bl_error* err))                  \
  X(bl_code, boxlite_get,                                                                          \
    (bl_runtime * rt, const char* id_or_name, bl_box_cb cb, void* ud, bl_error* err))             \
  X(bl_code, boxlite_remove,                                                                       \
    (bl_runtime * rt, const char* id_or_name, int force, bl_done_cb cb, void* ud, bl_error* err))  \
  X(bl_code, boxlite_get_info,                                                                     \
    (bl_runtime * rt, const char* id_or_name, bl_box_info_cb cb, void* ud, bl_error* err))        \
  X(bl_code, boxlite_list_info, (bl_runtime * rt, bl_box_info_list_cb cb, void* ud, bl_error* err)) \
  X(char*, boxlite_box_id, (bl_box * box))                                                         \
  X(void, boxlite_box_free, (bl_box * box))                                                        \
  X(bl_code, boxlite_start_box, (bl_box * box, bl_done_cb cb, void* ud, bl_error* err))            \
  X(bl_code, boxlite_stop_box, (bl_box * box, bl_done_cb cb, void* ud, bl_error* err))             \
  X(bl_code, boxlite_box_info, (bl_box * box, bl_box_info_cb cb, void* ud, bl_error* err))         \
  X(bl_code, boxlite_box_metrics, (bl_box * box, bl_box_metrics_cb cb, void* ud, bl_error* err))   \
  X(bl_code, boxlite_copy_into,                                                                    \
    (bl_box * box, const char* host_src, const char* guest_dst, bl_done_cb cb, void* ud,          \
     bl_error* err))                                                                               \
  X(bl_code, boxlite_copy_out,                                                                     \
    (bl_box * box, const char* guest_src, const char* host_dst, bl_done_cb cb, void* ud,          \
     bl_error* err))                                                                               \
  X(void, boxlite_free_box_info, (bl_box_info * info))                                             \
  X(void, boxlite_free_box_info_list, (bl_box_info_list * list))                                   \
  /* exec */                                                                                       \
  X(bl_code, boxlite_box_exec,                                                                     \
    (bl_box * box, const bl_command* cmd, bl_execution** out, bl_error* err))                     \
  X(bl_code, boxlite_execution_on_stdout,                                                          \
    (bl_execution * ex, bl_output_cb cb, void* ud, bl_error* err))                                 \
  X(bl_code, boxlite_execution_on_stderr,                                                          \
    (bl_execution * ex, bl_output_cb cb, void* ud, bl_error* err))                                 \
  X(bl_code, boxlite_execution_on_exit, (bl_execution * ex, bl_exit_cb cb, void* ud, bl_error* err)) \
  X(bl_code, boxlite_execution_wait, (bl_execution * ex, bl_wait_cb cb, void* ud, bl_error* err))  \
  X(bl_code, boxlite_execution_kill, (bl_execution * ex, bl_done_cb cb, void* ud, bl_error* err))  \
  X(bl_code, boxlite_execution_signal,                                                             \
    (bl_execution * ex, int sig, bl_done_cb cb, void* ud, bl_error* err))                          \
  X(bl_code, boxlite_execution_tty_resize,                                                         \
    (bl_execution * ex, int rows, int cols, bl_done_cb cb, void* ud, bl_error* err))              \
  X(bl_code, boxlite_execution_stdin_write,                                                        \
    (bl_execution * ex, const uint8_t* data, size_t len, bl_error* err))                          \
  X(bl_code, boxlite_execution_stdin_close, (bl_execution * ex, bl_error* err))                    \
  X(void, boxlite_execution_free, (bl_execution * ex))

// The version string the addon is written against. A library that reports
// another version is refused (ABI churn: layouts changed between releases).
#define BL_SUPPORTED_VERSION "0.9.7"

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // BOXLITE_NATIVE_BOXLITE_ABI_H
