// Guest SDK: <zircon/syscalls/iommu.h> -- the IOMMU kinds and descriptors of
// zx_iommu_create, with Fuchsia's names, values and layouts. The emulator has
// no IOMMU: zx_iommu_create answers ZX_ERR_NOT_SUPPORTED.
#ifndef ZIRCON_SYSCALLS_IOMMU_H_
#define ZIRCON_SYSCALLS_IOMMU_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

#define ZX_IOMMU_MAX_DESC_LEN 4096

// zx_iommu_create's `type`.
#define ZX_IOMMU_TYPE_STUB 0
#define ZX_IOMMU_TYPE_INTEL 1
#define ZX_IOMMU_TYPE_ARM_SMMU 2

// A stub IOMMU: no translation, physical addresses as they are.
typedef struct zx_iommu_desc_stub {
  uint8_t reserved;
} zx_iommu_desc_stub_t;

// The old names of the stub IOMMU (deprecated in Fuchsia).
#define ZX_IOMMU_TYPE_DUMMY ZX_IOMMU_TYPE_STUB
typedef zx_iommu_desc_stub_t zx_iommu_desc_dummy_t;

// Intel VT-d: what a scope covers.
#define ZX_IOMMU_INTEL_SCOPE_ENDPOINT 0
#define ZX_IOMMU_INTEL_SCOPE_BRIDGE 1

typedef struct zx_iommu_desc_intel_scope {
  uint8_t type;
  uint8_t start_bus;
  uint8_t num_hops;
  uint8_t dev_func[5];
} zx_iommu_desc_intel_scope_t;

typedef struct zx_iommu_desc_intel_reserved_memory {
  uint64_t base_addr;
  uint64_t len;
  uint8_t scope_bytes;
  uint8_t _reserved[7];
} zx_iommu_desc_intel_reserved_memory_t;

typedef struct zx_iommu_desc_intel {
  uint64_t register_base;
  uint16_t pci_segment;
  bool whole_segment;
  uint8_t scope_bytes;
  uint16_t reserved_memory_bytes;
  uint8_t _reserved[2];
} zx_iommu_desc_intel_t;

// An ARM SMMU: where its registers are.
typedef struct zx_iommu_desc_arm_smmu {
  uint64_t register_base;
} zx_iommu_desc_arm_smmu_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_IOMMU_H_
