// Guest SDK: <zircon/syscalls/debug.h> -- thread state for
// zx_thread_read_state() / zx_thread_write_state(), with Fuchsia's names and
// x86-64 layouts. This emulator supports the GENERAL_REGS, FP_REGS and
// VECTOR_REGS topics; DEBUG_REGS and SINGLE_STEP answer ZX_ERR_NOT_SUPPORTED.
#ifndef ZIRCON_SYSCALLS_DEBUG_H_
#define ZIRCON_SYSCALLS_DEBUG_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct zx_thread_state_general_regs {
  uint64_t rax;
  uint64_t rbx;
  uint64_t rcx;
  uint64_t rdx;
  uint64_t rsi;
  uint64_t rdi;
  uint64_t rbp;
  uint64_t rsp;
  uint64_t r8;
  uint64_t r9;
  uint64_t r10;
  uint64_t r11;
  uint64_t r12;
  uint64_t r13;
  uint64_t r14;
  uint64_t r15;
  uint64_t rip;
  uint64_t rflags;
  uint64_t fs_base;
  uint64_t gs_base;
} zx_thread_state_general_regs_t;

// The x87 state. st[i] holds an 80-bit value in its low bits (MMX: 64).
typedef struct zx_thread_state_fp_regs {
  uint16_t fcw;  // control word
  uint16_t fsw;  // status word
  uint8_t ftw;   // tag word (abridged)
  uint8_t reserved;
  uint16_t fop;  // opcode
  uint64_t fip;  // instruction pointer
  uint64_t fdp;  // data pointer
  uint8_t padding1[8];
  __ALIGNED(16)
  struct {
    uint64_t low;
    uint64_t high;
  } st[8];
} zx_thread_state_fp_regs_t;

// The SSE/AVX/AVX-512 state: zmm[i].v[0..1] is xmm i, v[0..3] ymm i.
typedef struct zx_thread_state_vector_regs {
  struct {
    uint64_t v[8];
  } zmm[32];
  uint64_t opmask[8];  // AVX-512 k0-k7 (0 without AVX-512)
  uint32_t mxcsr;
  uint8_t padding1[4];
} zx_thread_state_vector_regs_t;

// The x86-64 debug registers: breakpoint addresses DR0-DR3, status DR6 and
// control DR7 (ZX_THREAD_STATE_DEBUG_REGS).
typedef struct zx_thread_state_debug_regs {
  uint64_t dr[4];
  uint64_t dr6;
  uint64_t dr7;
} zx_thread_state_debug_regs_t;

// ZX_THREAD_STATE_SINGLE_STEP: 0 or 1.
typedef uint32_t zx_thread_state_single_step_t;

typedef uint32_t zx_thread_state_topic_t;

#define ZX_THREAD_STATE_GENERAL_REGS ((uint32_t)0)  // zx_thread_state_general_regs_t
#define ZX_THREAD_STATE_FP_REGS      ((uint32_t)1)
#define ZX_THREAD_STATE_VECTOR_REGS  ((uint32_t)2)
#define ZX_THREAD_STATE_DEBUG_REGS   ((uint32_t)4)
#define ZX_THREAD_STATE_SINGLE_STEP  ((uint32_t)5)

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_DEBUG_H_
