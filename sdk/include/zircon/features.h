// Guest SDK: <zircon/features.h> -- the kinds and bits zx_system_get_features
// reports, with Fuchsia's names and values.
#ifndef ZIRCON_FEATURES_H_
#define ZIRCON_FEATURES_H_

// Kinds.
#define ZX_FEATURE_KIND_CPU                   ((uint32_t)0)
#define ZX_FEATURE_KIND_HW_BREAKPOINT_COUNT   ((uint32_t)1)
#define ZX_FEATURE_KIND_HW_WATCHPOINT_COUNT   ((uint32_t)2)
#define ZX_FEATURE_KIND_ADDRESS_TAGGING       ((uint32_t)3)
#define ZX_FEATURE_KIND_VM                    ((uint32_t)4)

// ZX_FEATURE_KIND_CPU on x86.
#define ZX_HAS_CPU_FEATURES                   ((uint32_t)(1u << 0))

// ZX_FEATURE_KIND_ADDRESS_TAGGING (arm64).
#define ZX_ARM64_FEATURE_ADDRESS_TAGGING_TBI  ((uint32_t)(1u << 0))

// ZX_FEATURE_KIND_VM.
#define ZX_VM_FEATURE_CAN_MAP_XOM             ((uint32_t)(1u << 0))

#endif  // ZIRCON_FEATURES_H_
