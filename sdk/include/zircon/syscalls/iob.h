// Guest SDK: <zircon/syscalls/iob.h> -- IOBuffer region descriptions and
// options (zx_iob_create(), zx_iob_writev(), zx_vmar_map_iob(); the emulator
// answers ZX_ERR_NOT_SUPPORTED for them). Names, values and layouts follow
// Fuchsia's header of the same name.
#ifndef ZIRCON_SYSCALLS_IOB_H_
#define ZIRCON_SYSCALLS_IOB_H_

#include <stdint.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

// Most regions one IOBuffer may have.
#define ZX_IOB_MAX_REGIONS 64

// How a region's memory is laid out and accessed (its discipline).
typedef uint64_t zx_iob_discipline_type_t;

// A raw byte buffer: the layout is the users' business.
#define ZX_IOB_DISCIPLINE_TYPE_NONE ((zx_iob_discipline_type_t)(0u))

typedef struct zx_iob_discipline {
  zx_iob_discipline_type_t type;
  union {
    uint64_t reserved[8];
  };
} zx_iob_discipline_t;

// What backs a region.
typedef uint32_t zx_iob_region_type_t;

// Memory owned by the IOBuffer alone.
#define ZX_IOB_REGION_TYPE_PRIVATE ((zx_iob_region_type_t)(0u))

// What each endpoint may do with a region: map it, or read and write it
// through the kernel (mediated access).
typedef uint32_t zx_iob_access_t;

#define ZX_IOB_ACCESS_EP0_CAN_MAP_READ ((zx_iob_access_t)(1u << 0))
#define ZX_IOB_ACCESS_EP0_CAN_MAP_WRITE ((zx_iob_access_t)(1u << 1))
#define ZX_IOB_ACCESS_EP0_CAN_MEDIATED_READ ((zx_iob_access_t)(1u << 2))
#define ZX_IOB_ACCESS_EP0_CAN_MEDIATED_WRITE ((zx_iob_access_t)(1u << 3))
#define ZX_IOB_ACCESS_EP1_CAN_MAP_READ ((zx_iob_access_t)(1u << 4))
#define ZX_IOB_ACCESS_EP1_CAN_MAP_WRITE ((zx_iob_access_t)(1u << 5))
#define ZX_IOB_ACCESS_EP1_CAN_MEDIATED_READ ((zx_iob_access_t)(1u << 6))
#define ZX_IOB_ACCESS_EP1_CAN_MEDIATED_WRITE ((zx_iob_access_t)(1u << 7))

typedef struct zx_iob_region_private {
  uint32_t options;
  uint32_t padding1;
  uint64_t padding2[3];
} zx_iob_region_private_t;

// One region, as zx_iob_create() takes it.
typedef struct zx_iob_region {
  zx_iob_region_type_t type;
  zx_iob_access_t access;
  uint64_t size;
  zx_iob_discipline_t discipline;
  union {
    zx_iob_region_private_t private_region;
    uint8_t max_extension[32];
  };
} zx_iob_region_t;

// zx_iob_writev() options.
typedef uint64_t zx_iob_write_options_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_IOB_H_
