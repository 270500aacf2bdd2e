// Guest SDK: <zircon/syscalls/smc.h> -- the argument and result blocks of
// zx_smc_call() (a secure monitor call on ARM; the emulator answers
// ZX_ERR_NOT_SUPPORTED). Layouts follow Fuchsia's header of the same name.
#ifndef ZIRCON_SYSCALLS_SMC_H_
#define ZIRCON_SYSCALLS_SMC_H_

#include <zircon/types.h>

__BEGIN_CDECLS

// Service call ranges of the SMC calling convention (bits 24..29 of func_id).
#define ARM_SMC_SERVICE_CALL_NUM_SIP_SERVICE_BASE 0x02
#define ARM_SMC_SERVICE_CALL_NUM_SIP_SERVICE_LENGTH 0x01
#define ARM_SMC_SERVICE_CALL_NUM_TRUSTED_OS_BASE 0x32
#define ARM_SMC_SERVICE_CALL_NUM_TRUSTED_OS_LENGTH 0xE
#define ARM_SMC_SERVICE_CALL_NUM_MAX 0x3F
#define ARM_SMC_SERVICE_CALL_NUM_MASK 0x3F
#define ARM_SMC_SERVICE_CALL_NUM_SHIFT 24
#define ARM_SMC_GET_SERVICE_CALL_NUM_FROM_FUNC_ID(func_id) \
  (((func_id) >> ARM_SMC_SERVICE_CALL_NUM_SHIFT) & ARM_SMC_SERVICE_CALL_NUM_MASK)

// What goes into the call's registers.
typedef struct zx_smc_parameters {
  uint32_t func_id;
  uint8_t padding1[4];
  uint64_t arg1;
  uint64_t arg2;
  uint64_t arg3;
  uint64_t arg4;
  uint64_t arg5;
  uint64_t arg6;
  uint16_t client_id;
  uint16_t secure_os_id;
  uint8_t padding2[4];
} zx_smc_parameters_t;

// What comes back (arg6 too: some secure monitors return a session there).
typedef struct zx_smc_result {
  uint64_t arg0;
  uint64_t arg1;
  uint64_t arg2;
  uint64_t arg3;
  uint64_t arg6;
} zx_smc_result_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_SMC_H_
