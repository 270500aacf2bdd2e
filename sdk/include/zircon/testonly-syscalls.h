// Guest SDK: <zircon/testonly-syscalls.h> -- Fuchsia's test-only system
// calls, which its test builds export and its core tests use to check the
// syscall ABI: argument passing (zx_syscall_test_0 to _8), a vDSO-style
// wrapper's checks (zx_syscall_test_wrapper), out-handle rules
// (zx_syscall_test_handle_create) and the widening of narrow arguments
// (zx_syscall_test_widening_*). The emulator's one vDSO exports them, as
// zx_NAME and _zx_NAME.
//
// The declarations below are generated from sdk/vdso/syscalls.list (the
// calls marked `testonly`); zircon-syscall's header_matches_table test
// checks them (ZX_BLESS=1 cargo test -p zircon-syscall header rewrites them).
#ifndef ZIRCON_TESTONLY_SYSCALLS_H_
#define ZIRCON_TESTONLY_SYSCALLS_H_

#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// Declares zx_NAME and _zx_NAME with one signature (as <zircon/syscalls.h>).
#define _ZX_SYSCALL_DECL(name, type, attrs, params) \
  extern attrs type zx_##name params;               \
  extern attrs type _zx_##name params;

// clang-format off

// Test-only calls (Fuchsia's [testonly] syscalls, as its test builds export them).
_ZX_SYSCALL_DECL(syscall_test_0, zx_status_t, /* no attributes */,
    (void))
_ZX_SYSCALL_DECL(syscall_test_1, zx_status_t, /* no attributes */,
    (int32_t a))
_ZX_SYSCALL_DECL(syscall_test_2, zx_status_t, /* no attributes */,
    (int32_t a, int32_t b))
_ZX_SYSCALL_DECL(syscall_test_3, zx_status_t, /* no attributes */,
    (int32_t a, int32_t b, int32_t c))
_ZX_SYSCALL_DECL(syscall_test_4, zx_status_t, /* no attributes */,
    (int32_t a, int32_t b, int32_t c, int32_t d))
_ZX_SYSCALL_DECL(syscall_test_5, zx_status_t, /* no attributes */,
    (int32_t a, int32_t b, int32_t c, int32_t d, int32_t e))
_ZX_SYSCALL_DECL(syscall_test_6, zx_status_t, /* no attributes */,
    (int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f))
_ZX_SYSCALL_DECL(syscall_test_7, zx_status_t, /* no attributes */,
    (int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f, int32_t g))
_ZX_SYSCALL_DECL(syscall_test_8, zx_status_t, /* no attributes */,
    (int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f, int32_t g, int32_t h))
_ZX_SYSCALL_DECL(syscall_test_wrapper, zx_status_t, /* no attributes */,
    (int32_t a, int32_t b, int32_t c))
_ZX_SYSCALL_DECL(syscall_test_handle_create, zx_status_t, /* no attributes */,
    (zx_status_t return_value, zx_handle_t* out))
_ZX_SYSCALL_DECL(syscall_test_widening_unsigned_narrow, uint64_t, /* no attributes */,
    (uint64_t a, uint32_t b, uint16_t c, uint8_t d))
_ZX_SYSCALL_DECL(syscall_test_widening_signed_narrow, int64_t, /* no attributes */,
    (int64_t a, int32_t b, int16_t c, int8_t d))
_ZX_SYSCALL_DECL(syscall_test_widening_unsigned_wide, uint64_t, /* no attributes */,
    (uint64_t a, uint32_t b, uint16_t c, uint8_t d))
_ZX_SYSCALL_DECL(syscall_test_widening_signed_wide, int64_t, /* no attributes */,
    (int64_t a, int32_t b, int16_t c, int8_t d))

// clang-format on

#undef _ZX_SYSCALL_DECL

__END_CDECLS

#endif  // ZIRCON_TESTONLY_SYSCALLS_H_
