// Guest SDK: <lib/elfldltl/machine.h> -- the part of elfldltl's per-machine
// ABI facts a program starting its own threads needs: the ELF machine codes
// and AbiTraits (stack alignment, the stack pointer a new thread starts
// with).  Relocation and TLS traits are not here.
#ifndef LIB_ELFLDLTL_MACHINE_H_
#define LIB_ELFLDLTL_MACHINE_H_

#include <stdint.h>

namespace elfldltl {

// e_machine values (the ELF gABI's EM_* numbers).
enum class ElfMachine : uint16_t {
  kNone = 0,      // EM_NONE
  k386 = 3,       // EM_386
  kArm = 40,      // EM_ARM
  kX86_64 = 62,   // EM_X86_64
  kAarch64 = 183, // EM_AARCH64
  kRiscv = 243,   // EM_RISCV
#if defined(__x86_64__)
  kNative = kX86_64,
#elif defined(__aarch64__)
  kNative = kAarch64,
#elif defined(__riscv)
  kNative = kRiscv,
#elif defined(__arm__)
  kNative = kArm,
#elif defined(__i386__)
  kNative = k386,
#endif
};

template <ElfMachine Machine = ElfMachine::kNative>
struct AbiTraits;

// The generic case: a 16-byte aligned stack that grows down; a function
// entered with SP = the aligned top of the block.
template <>
struct AbiTraits<ElfMachine::kNone> {
  template <typename SizeType = uintptr_t>
  static constexpr SizeType kStackAlignment = 16;

  // The SP to enter a C function with on the stack block [base, base+size).
  template <typename SizeType>
  static constexpr SizeType InitialStackPointer(SizeType base, SizeType size) {
    return (base + size) & ~(kStackAlignment<SizeType> - 1);
  }
};

template <>
struct AbiTraits<ElfMachine::kAarch64> : public AbiTraits<ElfMachine::kNone> {};

template <>
struct AbiTraits<ElfMachine::kRiscv> : public AbiTraits<ElfMachine::kNone> {};

// x86-64: a function is entered as if CALLed from 16-byte-aligned code, so
// its SP is 8 below a 16-byte boundary (the return address's slot).
template <>
struct AbiTraits<ElfMachine::kX86_64> : public AbiTraits<ElfMachine::kNone> {
  template <typename SizeType>
  static constexpr SizeType InitialStackPointer(SizeType base, SizeType size) {
    return AbiTraits<ElfMachine::kNone>::InitialStackPointer(base, size) - 8;
  }
};

// i386: likewise, with a 4-byte return address.
template <>
struct AbiTraits<ElfMachine::k386> : public AbiTraits<ElfMachine::kNone> {
  template <typename SizeType>
  static constexpr SizeType InitialStackPointer(SizeType base, SizeType size) {
    return AbiTraits<ElfMachine::kNone>::InitialStackPointer(base, size) - 4;
  }
};

// 32-bit ARM keeps only 8-byte stack alignment.
template <>
struct AbiTraits<ElfMachine::kArm> {
  template <typename SizeType = uint32_t>
  static constexpr SizeType kStackAlignment = 8;

  template <typename SizeType = uint32_t>
  static constexpr SizeType InitialStackPointer(SizeType base, SizeType size) {
    return (base + size) & ~(kStackAlignment<SizeType> - 1);
  }
};

}  // namespace elfldltl

#endif  // LIB_ELFLDLTL_MACHINE_H_
