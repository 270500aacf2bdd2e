//! System facts: `zx_system_get_physmem`, `zx_system_get_features`,
//! `zx_system_get_dcache_line_size` (`zx_system_get_num_cpus` is in
//! `misc.rs`; `zx_system_get_version_string` and `zx_system_get_page_size`
//! are answered inside the vDSO). Fuchsia answers these from constants
//! its vDSO carries; the emulator's vDSO carries no data page, so they
//! enter the emulator, which asks its HAL.

use zircon_object::{ZxError, ZxResult};

use crate::user::UserOutPtr;
use crate::Syscall;

/// `ZX_FEATURE_KIND_*`
mod kind {
    pub const CPU: u32 = 0;
    pub const HW_BREAKPOINT_COUNT: u32 = 1;
    pub const HW_WATCHPOINT_COUNT: u32 = 2;
    pub const ADDRESS_TAGGING: u32 = 3;
    pub const VM: u32 = 4;
}

impl Syscall<'_> {
    /// `zx_system_get_physmem`: the bytes of memory guests can be given,
    /// the frame pool's size (the runner's `--memory`, by default half the
    /// host's RAM).
    pub fn system_get_physmem(&self) -> u64 {
        self.aspace().hal().physmem_bytes()
    }

    /// `zx_system_get_dcache_line_size`: the host CPU's level-1 data cache
    /// line.
    pub fn system_get_dcache_line_size(&self) -> u32 {
        self.aspace().hal().dcache_line_size()
    }

    /// `zx_system_get_features`, answering as Zircon on x86-64 does where
    /// the emulator can honour it:
    /// * `ZX_FEATURE_KIND_CPU`: `NOT_SUPPORTED` (x86 programs ask CPUID,
    ///   which guest code runs natively);
    /// * `HW_BREAKPOINT_COUNT` / `HW_WATCHPOINT_COUNT`: 0, since guests get
    ///   no debug registers (`ZX_THREAD_STATE_DEBUG_REGS` is not supported);
    /// * `ADDRESS_TAGGING`: 0 (x86-64 has no top-byte ignore);
    /// * `VM`: 0, no `ZX_VM_FEATURE_CAN_MAP_XOM` (x86 pages cannot be
    ///   execute-only);
    /// * any other kind: `NOT_SUPPORTED`.
    ///
    /// A pointer the emulator cannot write is `INVALID_ARGS`.
    pub fn system_get_features(&self, kind: u32, features: UserOutPtr<u32>) -> ZxResult {
        let value = match kind {
            kind::HW_BREAKPOINT_COUNT
            | kind::HW_WATCHPOINT_COUNT
            | kind::ADDRESS_TAGGING
            | kind::VM => 0,
            kind::CPU => return Err(ZxError::NOT_SUPPORTED),
            _ => return Err(ZxError::NOT_SUPPORTED),
        };
        features.write(self.aspace(), value)
    }
}
