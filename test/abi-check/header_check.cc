// Compile-time check of our own libboxlite declarations (src/boxlite_abi.h,
// src/abi/*.h) against a REAL boxlite.h. Nothing runs: every assertion is a
// static_assert, so compiling this file is the test. test/abi-header.test.ts
// compiles it when BOXLITE_HEADER points at a header:
//
//   c++ -std=c++17 -fsyntax-only -I src -DBL_REAL_HEADER='"/path/boxlite.h"' \
//       -DBL_CHECK_LAYOUT=BL_LAYOUT_NETWORK test/abi-check/header_check.cc
//
// BL_CHECK_LAYOUT names which of our CBoxInfo layouts that header should have
// (src/abi/v0_9_7.h explains the marker rule the addon uses at load time).
//
// What is asserted, for every function, struct and code the addon uses:
//   - each function's full signature. Our names differ from BoxLite's
//     (bl_runtime vs CBoxliteRuntime), so both sides are mapped to one
//     canonical form first: each handle / struct to a shared tag, enums to int;
//   - sizeof and every field offset of each struct crossing the ABI;
//   - every error code value.
#include <cstddef>
#include <type_traits>

#include BL_REAL_HEADER

#include "abi/v0_9_5.h"
#include "abi/v0_9_7.h"
#include "boxlite_abi.h"

#define BL_LAYOUT_CLASSIC 0
#define BL_LAYOUT_LIFECYCLE 1
#define BL_LAYOUT_NETWORK 2
#ifndef BL_CHECK_LAYOUT
#error "define BL_CHECK_LAYOUT (BL_LAYOUT_CLASSIC, BL_LAYOUT_LIFECYCLE or BL_LAYOUT_NETWORK)"
#endif

namespace check {

template <int N>
struct Tag {};

// Canonical form of a type: enums become int, handles and structs become a
// Tag shared by our type and BoxLite's, pointers/const/functions recurse.
template <typename T, typename = void>
struct Canon {
  using type = std::conditional_t<std::is_enum_v<T>, int, T>;
};
template <typename T>
using canon_t = typename Canon<T>::type;
template <typename T>
struct Canon<T*> {
  using type = canon_t<T>*;
};
template <typename T>
struct Canon<const T> {
  using type = const canon_t<T>;
};
template <typename R, typename... A>
struct Canon<R(A...)> {
  using type = canon_t<R>(canon_t<A>...);
};

#define BL_SAME_TYPE(n, ours, theirs)  \
  template <>                          \
  struct Canon<ours> {                 \
    using type = Tag<n>;               \
  };                                   \
  template <>                          \
  struct Canon<theirs> {               \
    using type = Tag<n>;               \
  };

BL_SAME_TYPE(1, bl_runtime, CBoxliteRuntime)
BL_SAME_TYPE(2, bl_options, CBoxliteOptions)
BL_SAME_TYPE(3, bl_box, CBoxHandle)
BL_SAME_TYPE(4, bl_execution, CExecutionHandle)
BL_SAME_TYPE(5, bl_rest_options, CBoxliteRestOptions)
BL_SAME_TYPE(6, bl_credential, CBoxliteCredential)
BL_SAME_TYPE(7, bl_image_registry, BoxliteImageRegistry)
BL_SAME_TYPE(8, bl_error, CBoxliteError)
BL_SAME_TYPE(9, bl_command, BoxliteCommand)
BL_SAME_TYPE(10, bl_box_metrics, CBoxMetrics)
BL_SAME_TYPE(11, bl_runtime_metrics, CRuntimeMetrics)
// The box info the callbacks carry: one of our layouts (checked field by
// field below); typed bl_box_info* in the callback signatures we share.
BL_SAME_TYPE(12, bl_box_info, CBoxInfo)
BL_SAME_TYPE(13, bl_box_info_list, CBoxInfoList)
// Our older layouts name the same C struct (whichever the header has).
template <>
struct Canon<bl_box_info_0_9_5> {
  using type = Tag<12>;
};
template <>
struct Canon<bl_box_info_0_9_7_lifecycle> {
  using type = Tag<12>;
};

// ---- functions ----------------------------------------------------------------

#define BL_CHECK_SIGNATURE(ret, name, params)                                          \
  static_assert(std::is_same_v<canon_t<ret params>, canon_t<decltype(::name)>>,        \
                "signature of " #name " differs from boxlite.h");
BL_ABI_FUNCTIONS(BL_CHECK_SIGNATURE)
#if BL_CHECK_LAYOUT == BL_LAYOUT_NETWORK
BL_ABI_OPTIONAL_FUNCTIONS(BL_CHECK_SIGNATURE)
#elif BL_CHECK_LAYOUT == BL_LAYOUT_LIFECYCLE
BL_CHECK_SIGNATURE(void, boxlite_options_set_auto_pause_interval, (bl_options * o, uint32_t seconds))
BL_CHECK_SIGNATURE(void, boxlite_options_set_auto_delete_interval, (bl_options * o, uint32_t seconds))
BL_CHECK_SIGNATURE(void, boxlite_options_set_auto_resume_enabled, (bl_options * o, int on))
#else
// The synchronous box info of this layout (declared, never called by the addon).
static_assert(std::is_same_v<canon_t<std::remove_pointer_t<bl_box_info_sync_0_9_5_fn>>,
                             canon_t<decltype(::boxlite_box_info)>>,
              "signature of the synchronous boxlite_box_info differs from boxlite.h");
#endif

// ---- structs ------------------------------------------------------------------------

#define BL_SAME_SIZE(ours, theirs) static_assert(sizeof(ours) == sizeof(theirs), "sizeof " #ours " != sizeof " #theirs);
#define BL_SAME_FIELD(ours, theirs, field)                                                     \
  static_assert(offsetof(ours, field) == offsetof(theirs, field), "offset of " #ours "." #field); \
  static_assert(sizeof(ours::field) == sizeof(theirs::field), "size of " #ours "." #field);
#define BL_SAME_FIELD_AS(ours, ofield, theirs, tfield)                                           \
  static_assert(offsetof(ours, ofield) == offsetof(theirs, tfield), "offset of " #ours "." #ofield); \
  static_assert(sizeof(ours::ofield) == sizeof(theirs::tfield), "size of " #ours "." #ofield);

BL_SAME_SIZE(bl_error, CBoxliteError)
BL_SAME_FIELD(bl_error, CBoxliteError, code)
BL_SAME_FIELD(bl_error, CBoxliteError, message)

BL_SAME_SIZE(bl_command, BoxliteCommand)
BL_SAME_FIELD(bl_command, BoxliteCommand, command)
BL_SAME_FIELD(bl_command, BoxliteCommand, args)
BL_SAME_FIELD(bl_command, BoxliteCommand, argc)
BL_SAME_FIELD(bl_command, BoxliteCommand, env_pairs)
BL_SAME_FIELD(bl_command, BoxliteCommand, env_count)
BL_SAME_FIELD(bl_command, BoxliteCommand, workdir)
BL_SAME_FIELD(bl_command, BoxliteCommand, user)
BL_SAME_FIELD(bl_command, BoxliteCommand, timeout_secs)
BL_SAME_FIELD(bl_command, BoxliteCommand, tty)

BL_SAME_SIZE(bl_box_metrics, CBoxMetrics)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, cpu_percent)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, memory_bytes)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, commands_executed)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, exec_errors)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, bytes_sent)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, bytes_received)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, create_duration_ms)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, boot_duration_ms)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, network_bytes_sent)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, network_bytes_received)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, network_tcp_connections)
BL_SAME_FIELD(bl_box_metrics, CBoxMetrics, network_tcp_errors)

BL_SAME_SIZE(bl_runtime_metrics, CRuntimeMetrics)
BL_SAME_FIELD(bl_runtime_metrics, CRuntimeMetrics, boxes_created_total)
BL_SAME_FIELD(bl_runtime_metrics, CRuntimeMetrics, boxes_failed_total)
BL_SAME_FIELD(bl_runtime_metrics, CRuntimeMetrics, num_running_boxes)
BL_SAME_FIELD(bl_runtime_metrics, CRuntimeMetrics, total_commands_executed)
BL_SAME_FIELD(bl_runtime_metrics, CRuntimeMetrics, total_exec_errors)

#if BL_CHECK_LAYOUT == BL_LAYOUT_CLASSIC
using OurInfo = bl_box_info_0_9_5;
using OurInfoList = bl_box_info_list_0_9_5;
#elif BL_CHECK_LAYOUT == BL_LAYOUT_LIFECYCLE
using OurInfo = bl_box_info_0_9_7_lifecycle;
using OurInfoList = bl_box_info_list_0_9_7_lifecycle;
#else
using OurInfo = bl_box_info;
using OurInfoList = bl_box_info_list;
#endif
BL_SAME_SIZE(OurInfo, CBoxInfo)
BL_SAME_FIELD(OurInfo, CBoxInfo, id)
BL_SAME_FIELD(OurInfo, CBoxInfo, name)
BL_SAME_FIELD(OurInfo, CBoxInfo, image)
BL_SAME_FIELD(OurInfo, CBoxInfo, status)
BL_SAME_FIELD(OurInfo, CBoxInfo, running)
BL_SAME_FIELD(OurInfo, CBoxInfo, pid)
BL_SAME_FIELD(OurInfo, CBoxInfo, cpus)
BL_SAME_FIELD(OurInfo, CBoxInfo, memory_mib)
BL_SAME_FIELD(OurInfo, CBoxInfo, created_at)
#if BL_CHECK_LAYOUT != BL_LAYOUT_CLASSIC
BL_SAME_FIELD(OurInfo, CBoxInfo, auto_pause)
BL_SAME_FIELD(OurInfo, CBoxInfo, auto_delete)
BL_SAME_FIELD(OurInfo, CBoxInfo, auto_resume)
#endif
BL_SAME_SIZE(OurInfoList, CBoxInfoList)
BL_SAME_FIELD(OurInfoList, CBoxInfoList, items)
BL_SAME_FIELD(OurInfoList, CBoxInfoList, count)
static_assert(sizeof(*OurInfoList{}.items) == sizeof(*CBoxInfoList{}.items), "list item stride");

#if BL_CHECK_LAYOUT == BL_LAYOUT_NETWORK
BL_SAME_FIELD(OurInfo, CBoxInfo, network)
BL_SAME_SIZE(bl_network_info, CNetworkInfo)
BL_SAME_FIELD(bl_network_info, CNetworkInfo, mode)
BL_SAME_FIELD(bl_network_info, CNetworkInfo, allow_net)
BL_SAME_FIELD(bl_network_info, CNetworkInfo, allow_net_count)
BL_SAME_FIELD(bl_network_info, CNetworkInfo, published_ports)
static_assert(static_cast<int>(BoxliteNetworkModeEnabled) == 0 && static_cast<int>(BoxliteNetworkModeDisabled) == 1,
              "BoxliteNetworkMode values");
#endif

// ---- error codes ----------------------------------------------------------------------

#define BL_SAME_CODE(ours, theirs) static_assert(ours == static_cast<int>(::theirs), "error code " #theirs);
BL_SAME_CODE(BL_OK, Ok)
BL_SAME_CODE(BL_INTERNAL, Internal)
BL_SAME_CODE(BL_NOT_FOUND, NotFound)
BL_SAME_CODE(BL_ALREADY_EXISTS, AlreadyExists)
BL_SAME_CODE(BL_INVALID_STATE, InvalidState)
BL_SAME_CODE(BL_INVALID_ARGUMENT, InvalidArgument)
BL_SAME_CODE(BL_CONFIG, Config)
BL_SAME_CODE(BL_STORAGE, Storage)
BL_SAME_CODE(BL_IMAGE, Image)
BL_SAME_CODE(BL_NETWORK, Network)
BL_SAME_CODE(BL_EXECUTION, Execution)
BL_SAME_CODE(BL_STOPPED, Stopped)
BL_SAME_CODE(BL_ENGINE, Engine)
BL_SAME_CODE(BL_UNSUPPORTED, Unsupported)
BL_SAME_CODE(BL_DATABASE, Database)
BL_SAME_CODE(BL_PORTAL, Portal)
BL_SAME_CODE(BL_RPC, Rpc)
BL_SAME_CODE(BL_RPC_TRANSPORT, RpcTransport)
BL_SAME_CODE(BL_METADATA, Metadata)
BL_SAME_CODE(BL_UNSUPPORTED_ENGINE, UnsupportedEngine)
BL_SAME_CODE(BL_RESOURCE_EXHAUSTED, ResourceExhausted)
BL_SAME_CODE(BL_SESSION_REAPED, SessionReaped)
static_assert(sizeof(enum BoxliteErrorCode) == sizeof(bl_code), "BoxliteErrorCode is int-sized");

}  // namespace check
