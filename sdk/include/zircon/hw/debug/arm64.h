// Guest SDK: <zircon/hw/debug/arm64.h> -- the AArch64 hardware breakpoint
// and watchpoint control-register fields Zircon's debug state
// (zx_thread_state_debug_regs_t on arm64) carries: for each field F of
// DBGBCR<n> / DBGWCR<n>, ARM64_<REG>_F (the field's unshifted value mask),
// _SHIFT, _MASK (in place), _GET(reg) and _SET(&reg, value).  Bit positions
// are the Arm architecture's; this emulator runs x86-64 guests only, so
// these are constants for portable code, not something it programs.
#ifndef ZIRCON_HW_DEBUG_ARM64_H_
#define ZIRCON_HW_DEBUG_ARM64_H_

#include <stdint.h>

#define ARM64_MAX_HW_BREAKPOINTS 16
#define ARM64_MAX_HW_WATCHPOINTS 16

// DBGBCR<n>: breakpoint control register.
// E: enable.
#define ARM64_DBGBCR_E 0x1lu
#define ARM64_DBGBCR_E_SHIFT 0u
#define ARM64_DBGBCR_E_MASK (ARM64_DBGBCR_E << ARM64_DBGBCR_E_SHIFT)
#define ARM64_DBGBCR_E_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGBCR_E_MASK, ARM64_DBGBCR_E_SHIFT)
#define ARM64_DBGBCR_E_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGBCR_E_MASK, ARM64_DBGBCR_E_SHIFT)
// PMC: privilege mode control.
#define ARM64_DBGBCR_PMC 0x3lu
#define ARM64_DBGBCR_PMC_SHIFT 1u
#define ARM64_DBGBCR_PMC_MASK (ARM64_DBGBCR_PMC << ARM64_DBGBCR_PMC_SHIFT)
#define ARM64_DBGBCR_PMC_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGBCR_PMC_MASK, ARM64_DBGBCR_PMC_SHIFT)
#define ARM64_DBGBCR_PMC_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGBCR_PMC_MASK, ARM64_DBGBCR_PMC_SHIFT)
// BAS: byte address select (res1 on AArch64).
#define ARM64_DBGBCR_BAS 0xflu
#define ARM64_DBGBCR_BAS_SHIFT 5u
#define ARM64_DBGBCR_BAS_MASK (ARM64_DBGBCR_BAS << ARM64_DBGBCR_BAS_SHIFT)
#define ARM64_DBGBCR_BAS_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGBCR_BAS_MASK, ARM64_DBGBCR_BAS_SHIFT)
#define ARM64_DBGBCR_BAS_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGBCR_BAS_MASK, ARM64_DBGBCR_BAS_SHIFT)
// HMC: higher mode control.
#define ARM64_DBGBCR_HMC 0x1lu
#define ARM64_DBGBCR_HMC_SHIFT 13u
#define ARM64_DBGBCR_HMC_MASK (ARM64_DBGBCR_HMC << ARM64_DBGBCR_HMC_SHIFT)
#define ARM64_DBGBCR_HMC_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGBCR_HMC_MASK, ARM64_DBGBCR_HMC_SHIFT)
#define ARM64_DBGBCR_HMC_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGBCR_HMC_MASK, ARM64_DBGBCR_HMC_SHIFT)
// SSC: security state control.
#define ARM64_DBGBCR_SSC 0x3lu
#define ARM64_DBGBCR_SSC_SHIFT 14u
#define ARM64_DBGBCR_SSC_MASK (ARM64_DBGBCR_SSC << ARM64_DBGBCR_SSC_SHIFT)
#define ARM64_DBGBCR_SSC_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGBCR_SSC_MASK, ARM64_DBGBCR_SSC_SHIFT)
#define ARM64_DBGBCR_SSC_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGBCR_SSC_MASK, ARM64_DBGBCR_SSC_SHIFT)
// LBN: linked breakpoint number.
#define ARM64_DBGBCR_LBN 0xflu
#define ARM64_DBGBCR_LBN_SHIFT 16u
#define ARM64_DBGBCR_LBN_MASK (ARM64_DBGBCR_LBN << ARM64_DBGBCR_LBN_SHIFT)
#define ARM64_DBGBCR_LBN_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGBCR_LBN_MASK, ARM64_DBGBCR_LBN_SHIFT)
#define ARM64_DBGBCR_LBN_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGBCR_LBN_MASK, ARM64_DBGBCR_LBN_SHIFT)
// BT: breakpoint type.
#define ARM64_DBGBCR_BT 0xflu
#define ARM64_DBGBCR_BT_SHIFT 20u
#define ARM64_DBGBCR_BT_MASK (ARM64_DBGBCR_BT << ARM64_DBGBCR_BT_SHIFT)
#define ARM64_DBGBCR_BT_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGBCR_BT_MASK, ARM64_DBGBCR_BT_SHIFT)
#define ARM64_DBGBCR_BT_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGBCR_BT_MASK, ARM64_DBGBCR_BT_SHIFT)

// DBGWCR<n>: watchpoint control register.
// E: enable.
#define ARM64_DBGWCR_E 0x1lu
#define ARM64_DBGWCR_E_SHIFT 0u
#define ARM64_DBGWCR_E_MASK (ARM64_DBGWCR_E << ARM64_DBGWCR_E_SHIFT)
#define ARM64_DBGWCR_E_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_E_MASK, ARM64_DBGWCR_E_SHIFT)
#define ARM64_DBGWCR_E_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_E_MASK, ARM64_DBGWCR_E_SHIFT)
// PAC: privilege of access control.
#define ARM64_DBGWCR_PAC 0x3lu
#define ARM64_DBGWCR_PAC_SHIFT 1u
#define ARM64_DBGWCR_PAC_MASK (ARM64_DBGWCR_PAC << ARM64_DBGWCR_PAC_SHIFT)
#define ARM64_DBGWCR_PAC_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_PAC_MASK, ARM64_DBGWCR_PAC_SHIFT)
#define ARM64_DBGWCR_PAC_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_PAC_MASK, ARM64_DBGWCR_PAC_SHIFT)
// LSC: load/store control: 01 read, 10 write, 11 both.
#define ARM64_DBGWCR_LSC 0x3lu
#define ARM64_DBGWCR_LSC_SHIFT 3u
#define ARM64_DBGWCR_LSC_MASK (ARM64_DBGWCR_LSC << ARM64_DBGWCR_LSC_SHIFT)
#define ARM64_DBGWCR_LSC_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_LSC_MASK, ARM64_DBGWCR_LSC_SHIFT)
#define ARM64_DBGWCR_LSC_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_LSC_MASK, ARM64_DBGWCR_LSC_SHIFT)
// BAS: byte address select: bit i watches byte i of the doubleword.
#define ARM64_DBGWCR_BAS 0xfflu
#define ARM64_DBGWCR_BAS_SHIFT 5u
#define ARM64_DBGWCR_BAS_MASK (ARM64_DBGWCR_BAS << ARM64_DBGWCR_BAS_SHIFT)
#define ARM64_DBGWCR_BAS_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_BAS_MASK, ARM64_DBGWCR_BAS_SHIFT)
#define ARM64_DBGWCR_BAS_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_BAS_MASK, ARM64_DBGWCR_BAS_SHIFT)
// HMC: higher mode control.
#define ARM64_DBGWCR_HMC 0x1lu
#define ARM64_DBGWCR_HMC_SHIFT 13u
#define ARM64_DBGWCR_HMC_MASK (ARM64_DBGWCR_HMC << ARM64_DBGWCR_HMC_SHIFT)
#define ARM64_DBGWCR_HMC_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_HMC_MASK, ARM64_DBGWCR_HMC_SHIFT)
#define ARM64_DBGWCR_HMC_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_HMC_MASK, ARM64_DBGWCR_HMC_SHIFT)
// SSC: security state control.
#define ARM64_DBGWCR_SSC 0x3lu
#define ARM64_DBGWCR_SSC_SHIFT 14u
#define ARM64_DBGWCR_SSC_MASK (ARM64_DBGWCR_SSC << ARM64_DBGWCR_SSC_SHIFT)
#define ARM64_DBGWCR_SSC_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_SSC_MASK, ARM64_DBGWCR_SSC_SHIFT)
#define ARM64_DBGWCR_SSC_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_SSC_MASK, ARM64_DBGWCR_SSC_SHIFT)
// LBN: linked breakpoint number.
#define ARM64_DBGWCR_LBN 0xflu
#define ARM64_DBGWCR_LBN_SHIFT 16u
#define ARM64_DBGWCR_LBN_MASK (ARM64_DBGWCR_LBN << ARM64_DBGWCR_LBN_SHIFT)
#define ARM64_DBGWCR_LBN_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_LBN_MASK, ARM64_DBGWCR_LBN_SHIFT)
#define ARM64_DBGWCR_LBN_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_LBN_MASK, ARM64_DBGWCR_LBN_SHIFT)
// WT: watchpoint type.
#define ARM64_DBGWCR_WT 0x1lu
#define ARM64_DBGWCR_WT_SHIFT 20u
#define ARM64_DBGWCR_WT_MASK (ARM64_DBGWCR_WT << ARM64_DBGWCR_WT_SHIFT)
#define ARM64_DBGWCR_WT_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_WT_MASK, ARM64_DBGWCR_WT_SHIFT)
#define ARM64_DBGWCR_WT_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_WT_MASK, ARM64_DBGWCR_WT_SHIFT)
// MSK: address mask (low bits ignored).
#define ARM64_DBGWCR_MSK 0x1flu
#define ARM64_DBGWCR_MSK_SHIFT 24u
#define ARM64_DBGWCR_MSK_MASK (ARM64_DBGWCR_MSK << ARM64_DBGWCR_MSK_SHIFT)
#define ARM64_DBGWCR_MSK_GET(reg) __arm64_internal_hw_debug_get_reg_value((reg), ARM64_DBGWCR_MSK_MASK, ARM64_DBGWCR_MSK_SHIFT)
#define ARM64_DBGWCR_MSK_SET(reg, value) \
  __arm64_internal_hw_debug_set_reg_value((reg), (value), ARM64_DBGWCR_MSK_MASK, ARM64_DBGWCR_MSK_SHIFT)

// The field accessors' helpers: |mask| is in place, |shift| its low bit.
static inline uint32_t __arm64_internal_hw_debug_get_reg_value(uint32_t reg, uint32_t mask,
                                                               uint32_t shift) {
  return (reg & mask) >> shift;
}

static inline void __arm64_internal_hw_debug_set_reg_value(uint32_t* reg, uint32_t value,
                                                           uint32_t mask, uint32_t shift) {
  *reg = (*reg & ~mask) | ((value << shift) & mask);
}

#endif  // ZIRCON_HW_DEBUG_ARM64_H_
