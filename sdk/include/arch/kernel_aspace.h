// Guest SDK: <arch/kernel_aspace.h> -- Zircon's x86-64 address-space
// layout constants, for code (tests mostly) that probes addresses no user
// mapping can have.
//
// What this emulator honours: every process's root VMAR is one window
// (1 TiB here, at an address that differs per process) inside
// [USER_ASPACE_BASE, USER_ASPACE_BASE + USER_ASPACE_SIZE), so the user range
// below holds every guest mapping but is wider than any one root VMAR (read
// the real range with ZX_INFO_VMAR on zx_vmar_root_self()).  Nothing is ever
// mapped at or above KERNEL_ASPACE_BASE, so a user-copy to or from such an
// address fails as Zircon's does (vmo read/write: ZX_ERR_NOT_FOUND).
#ifndef ARCH_KERNEL_ASPACE_H_
#define ARCH_KERNEL_ASPACE_H_

#if defined(__x86_64__)

// The top 512 GiB of the 64-bit space: Zircon's kernel.
#define KERNEL_ASPACE_BASE 0xffffff8000000000UL
#define KERNEL_ASPACE_SIZE 0x0000008000000000UL

// User space: from 2 MiB to one page below the 128 TiB canonical limit.
#define USER_ASPACE_BASE 0x0000000000200000UL
#define USER_ASPACE_SIZE ((1ULL << 47) - 4096 - USER_ASPACE_BASE)

// A restricted-mode address space covers the lower half of user space.
#define USER_RESTRICTED_ASPACE_SIZE ((1ULL << 46) - USER_ASPACE_BASE)

#else
#error "<arch/kernel_aspace.h>: this SDK targets x86-64"
#endif

#endif  // ARCH_KERNEL_ASPACE_H_
