// Guest SDK: <lib/arch/intrin.h> -- arch::Yield() and the x86 compiler
// intrinsics (written for this project to Fuchsia's public lib/arch names).
#ifndef LIB_ARCH_INTRIN_H_
#define LIB_ARCH_INTRIN_H_

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#ifdef __cplusplus
namespace arch {

// A spin-wait hint to the CPU.
inline void Yield() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Stops the compiler from moving memory accesses across this point.
inline void DeviceMemoryBarrier() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

}  // namespace arch
#endif

#endif  // LIB_ARCH_INTRIN_H_
