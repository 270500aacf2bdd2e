//! Fuchsia's test-only calls (`<zircon/testonly-syscalls.h>`, Zircon's
//! `lib/syscalls/test.cc`), which its core tests use to check the syscall
//! ABI itself: `zx_syscall_test_0` … `_8` (all eight arguments arrive,
//! the last two from the stack), `zx_syscall_test_wrapper`,
//! `zx_syscall_test_handle_create` (a handle that cannot be handed out is
//! a `ZX_EXCP_POLICY_CODE_HANDLE_LEAK` policy exception) and the
//! `zx_syscall_test_widening_*` calls (only the low bits of a narrow
//! argument count, whatever the caller left above them).

use zircon_object::ipc::event::DEFAULT_EVENT_RIGHTS;
use zircon_object::ipc::Event;
use zircon_object::ZxError;

use crate::user::UserOutPtr;
use crate::{Outcome, Syscall};

/// `ZX_EXCP_POLICY_CODE_HANDLE_LEAK`
const POLICY_CODE_HANDLE_LEAK: u32 = 20;

/// A status the call returns as it is (a sum, or a negative error).
fn status(value: i32) -> Outcome {
    Outcome::Return(value as i64 as u64)
}

impl Syscall<'_> {
    /// `zx_syscall_test_0`: 0.
    pub fn syscall_test_0(&self) -> Outcome {
        status(0)
    }

    /// `zx_syscall_test_1`: its argument.
    pub fn syscall_test_1(&self, a: i32) -> Outcome {
        status(a)
    }

    /// `zx_syscall_test_2`: the sum of its arguments (as are `_3` … `_8`;
    /// the sums wrap as the kernel's `int` arithmetic does on Zircon).
    pub fn syscall_test_2(&self, a: i32, b: i32) -> Outcome {
        status(sum(&[a, b]))
    }

    pub fn syscall_test_3(&self, a: i32, b: i32, c: i32) -> Outcome {
        status(sum(&[a, b, c]))
    }

    pub fn syscall_test_4(&self, a: i32, b: i32, c: i32, d: i32) -> Outcome {
        status(sum(&[a, b, c, d]))
    }

    pub fn syscall_test_5(&self, a: i32, b: i32, c: i32, d: i32, e: i32) -> Outcome {
        status(sum(&[a, b, c, d, e]))
    }

    pub fn syscall_test_6(&self, a: i32, b: i32, c: i32, d: i32, e: i32, f: i32) -> Outcome {
        status(sum(&[a, b, c, d, e, f]))
    }

    #[expect(clippy::too_many_arguments, reason = "the call's own signature")]
    pub fn syscall_test_7(
        &self,
        a: i32,
        b: i32,
        c: i32,
        d: i32,
        e: i32,
        f: i32,
        g: i32,
    ) -> Outcome {
        status(sum(&[a, b, c, d, e, f, g]))
    }

    #[expect(clippy::too_many_arguments, reason = "the call's own signature")]
    pub fn syscall_test_8(
        &self,
        a: i32,
        b: i32,
        c: i32,
        d: i32,
        e: i32,
        f: i32,
        g: i32,
        h: i32,
    ) -> Outcome {
        status(sum(&[a, b, c, d, e, f, g, h]))
    }

    /// `zx_syscall_test_wrapper`: `INVALID_ARGS` for a negative argument,
    /// `OUT_OF_RANGE` for a sum over 50, else the sum.
    pub fn syscall_test_wrapper(&self, a: i32, b: i32, c: i32) -> Outcome {
        if a < 0 || b < 0 || c < 0 {
            return status(ZxError::INVALID_ARGS.into_raw());
        }
        let total = sum(&[a, b, c]);
        status(if total > 50 {
            ZxError::OUT_OF_RANGE.into_raw()
        } else {
            total
        })
    }

    /// `zx_syscall_test_handle_create`: makes an event and returns
    /// `return_value`; the handle reaches `out` only when that is `ZX_OK`
    /// and the copy-out works. A handle that was made but not handed out is
    /// closed and the call ends in a `ZX_EXCP_POLICY_ERROR` exception with
    /// `ZX_EXCP_POLICY_CODE_HANDLE_LEAK` (Zircon's `user_out_handle` raises
    /// it for a handle left behind); a failed copy-out returns
    /// `INVALID_ARGS`.
    pub fn syscall_test_handle_create(&self, return_value: i32, out: UserOutPtr<u32>) -> Outcome {
        let leaked = || {
            if let Some(t) = crate::current_thread() {
                t.signal_policy_exception(POLICY_CODE_HANDLE_LEAK, 0);
            }
        };
        if return_value != 0 {
            drop(Event::new());
            leaked();
            return status(return_value);
        }
        match self.add_handle_out(Event::new(), DEFAULT_EVENT_RIGHTS, out) {
            Ok(()) => status(0),
            Err(e) => {
                leaked();
                status(e.into_raw())
            }
        }
    }

    /// `zx_syscall_test_widening_unsigned_narrow`: the sum of its arguments,
    /// each taken at its own width (the decode keeps only the low bits of
    /// the narrow ones).
    pub fn syscall_test_widening_unsigned_narrow(&self, a: u64, b: u32, c: u16, d: u8) -> u64 {
        a.wrapping_add(u64::from(b))
            .wrapping_add(u64::from(c))
            .wrapping_add(u64::from(d))
    }

    /// `zx_syscall_test_widening_signed_narrow`: as the unsigned one, each
    /// narrow argument sign-extended from its own width.
    pub fn syscall_test_widening_signed_narrow(&self, a: i64, b: i32, c: i16, d: i8) -> i64 {
        a.wrapping_add(i64::from(b))
            .wrapping_add(i64::from(c))
            .wrapping_add(i64::from(d))
    }

    /// `zx_syscall_test_widening_unsigned_wide`: Zircon's version widens
    /// before it adds; the result is the same.
    pub fn syscall_test_widening_unsigned_wide(&self, a: u64, b: u32, c: u16, d: u8) -> u64 {
        self.syscall_test_widening_unsigned_narrow(a, b, c, d)
    }

    /// `zx_syscall_test_widening_signed_wide`: as the narrow one.
    pub fn syscall_test_widening_signed_wide(&self, a: i64, b: i32, c: i16, d: i8) -> i64 {
        self.syscall_test_widening_signed_narrow(a, b, c, d)
    }
}

/// The wrapping `int` sum of `values`.
fn sum(values: &[i32]) -> i32 {
    values.iter().fold(0i32, |t, v| t.wrapping_add(*v))
}
