// Guest SDK: <zircon/syscalls/hypervisor.h> -- the types and constants of
// Zircon's hypervisor calls (zx_guest_set_trap, zx_vcpu_read_state,
// zx_vcpu_write_state), with Fuchsia's names, values and layouts.  The
// emulator has no hypervisor: those calls return ZX_ERR_NOT_SUPPORTED.  The
// guest exit packets (zx_packet_guest_*) are in <zircon/syscalls/port.h>.
#ifndef ZIRCON_SYSCALLS_HYPERVISOR_H_
#define ZIRCON_SYSCALLS_HYPERVISOR_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// Trap kinds for zx_guest_set_trap.
typedef uint32_t zx_guest_trap_t;
#define ZX_GUEST_TRAP_BELL ((zx_guest_trap_t)0u)
#define ZX_GUEST_TRAP_MEM ((zx_guest_trap_t)1u)
#define ZX_GUEST_TRAP_IO ((zx_guest_trap_t)2u)

// State kinds for zx_vcpu_read_state / zx_vcpu_write_state.
typedef uint32_t zx_vcpu_state_topic_t;
#define ZX_VCPU_STATE ((zx_vcpu_state_topic_t)0u)  // zx_vcpu_state_t
#define ZX_VCPU_IO ((zx_vcpu_state_topic_t)1u)     // zx_vcpu_io_t

// A VCPU's general registers.
typedef struct zx_vcpu_state {
#if defined(__aarch64__)
  uint64_t x[31];
  uint64_t sp;
  uint32_t cpsr;  // Only NZCV (bits 28..31) can be set.
  uint8_t padding1[4];
#elif defined(__x86_64__)
  uint64_t rax;
  uint64_t rcx;
  uint64_t rdx;
  uint64_t rbx;
  uint64_t rsp;
  uint64_t rbp;
  uint64_t rsi;
  uint64_t rdi;
  uint64_t r8;
  uint64_t r9;
  uint64_t r10;
  uint64_t r11;
  uint64_t r12;
  uint64_t r13;
  uint64_t r14;
  uint64_t r15;
  uint64_t rflags;  // Only the low 32 bits can be set.
#else
  uint32_t empty;
#endif
} zx_vcpu_state_t;

// The result of a guest's port I/O access (x86), written back to a VCPU
// after a ZX_PKT_TYPE_GUEST_IO exit: |access_size| bytes of |data|.
typedef struct zx_vcpu_io {
  uint8_t access_size;
  uint8_t padding1[3];
  union {
    struct {
      uint8_t u8;
      uint8_t padding2[3];
    };
    struct {
      uint16_t u16;
      uint8_t padding3[2];
    };
    uint32_t u32;
    uint8_t data[4];
  };
} zx_vcpu_io_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_HYPERVISOR_H_
