//! The timelines (`zx_clock_get_monotonic`, `zx_clock_get_boot`, ticks),
//! sleeping and the debug log.

use std::io::Write;

use zircon_object::handle::HandleValue;
use zircon_object::system::resource::{KIND_SYSTEM, SYSTEM_DEBUG_BASE};
use zircon_object::system::Resource;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, UserInPtr};
use crate::Syscall;

/// The most `zx_debug_write` prints per call, as in Zircon.
const MAX_DEBUG_WRITE: usize = 256;
/// The longest script `zx_debug_send_command` takes, as in Zircon.
const MAX_DEBUG_COMMAND: usize = 256;

/// Nanoseconds on the monotonic clock (since the emulator started, plus one
/// second so that 0 is never a valid "now"): the timeline of
/// `zircon_object::time`, which timers and clock objects read too.
pub fn monotonic_now() -> i64 {
    zircon_object::time::monotonic_now()
}

/// `zx_deadline_after`: now + `ns`, saturating at `ZX_TIME_INFINITE`.
pub fn deadline_after(ns: i64) -> i64 {
    monotonic_now().saturating_add(ns)
}

/// Returns the number of CPUs (asked of the host once: the answer reads
/// cgroup files, tens of microseconds each time).
pub fn num_cpus() -> usize {
    static CPUS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Receives `zx_debug_write` output instead of stdout.
pub type DebugSink = fn(&[u8]);

/// Where `zx_debug_write` output goes instead of stdout, if set.
static DEBUG_SINK: std::sync::RwLock<Option<DebugSink>> = std::sync::RwLock::new(None);

/// Sends `zx_debug_write` output to `sink` (None: the runner's stdout).
pub fn set_debug_sink(sink: Option<DebugSink>) {
    *DEBUG_SINK
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = sink;
}

/// Prints `bytes` on the console: the debug sink if one is set, else the
/// runner's stdout (the emulator's serial port: `zx_debug_write` and the
/// debuglog both end here).
pub(crate) fn console_write(bytes: &[u8]) -> ZxResult {
    // Copied out, so the sink runs with no lock held (a panicking sink
    // poisons nothing either way: locks never poison, docs/LOCKING.md).
    let sink = *DEBUG_SINK
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(sink) = sink {
        sink(bytes);
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).map_err(|_| ZxError::IO)?;
    out.flush().map_err(|_| ZxError::IO)
}

impl Syscall<'_> {
    /// `zx_clock_get_monotonic`.
    pub fn clock_get_monotonic(&self) -> i64 {
        monotonic_now()
    }

    /// `zx_ticks_get`: ticks are nanoseconds here (`zx_ticks_per_second`
    /// answers 10^9 inside the vDSO).
    pub fn ticks_get(&self) -> i64 {
        monotonic_now()
    }

    /// `zx_clock_get_boot`: the boot timeline, which is the monotonic one
    /// here (the emulator never suspends).
    pub fn clock_get_boot(&self) -> i64 {
        zircon_object::time::boot_now()
    }

    /// `zx_ticks_get_boot`: boot ticks, nanoseconds as `zx_ticks_get`'s.
    pub fn ticks_get_boot(&self) -> i64 {
        zircon_object::time::boot_now()
    }

    /// `zx_deadline_after`.
    pub fn deadline_after(&self, nanoseconds: i64) -> i64 {
        deadline_after(nanoseconds)
    }

    /// `zx_system_get_num_cpus`.
    pub fn system_get_num_cpus(&self) -> u32 {
        num_cpus() as u32
    }

    /// `zx_debug_write`: prints up to 256 bytes on the runner's stdout.
    pub fn debug_write(&self, buf: UserInPtr<u8>, len: usize) -> ZxResult {
        let buf = buf.addr();
        let len = len.min(MAX_DEBUG_WRITE);
        let bytes = read_bytes(self.aspace(), buf, len)?;
        console_write(&bytes)
    }

    /// `zx_debug_send_command`: runs a kernel console script of at most
    /// 256 bytes (`zircon_object::system::console`). Checked as Zircon
    /// does: the resource first (the root, or a system resource covering
    /// `ZX_RSRC_SYSTEM_DEBUG_BASE`; no rights needed), then the length
    /// (`INVALID_ARGS`), then the copy (`INVALID_ARGS`). Zircon offers the
    /// call only when booted with `kernel.enable-debugging-syscalls`, as
    /// Fuchsia's engineering builds are, where its core tests run; the
    /// emulator behaves as such a build.
    pub fn debug_send_command(
        &self,
        resource: HandleValue,
        buf: UserInPtr<u8>,
        len: usize,
    ) -> ZxResult {
        let (r, _) = self
            .process
            .get_object::<Resource>(resource, Rights::empty())?;
        r.validate_ranged(KIND_SYSTEM, SYSTEM_DEBUG_BASE, 1)?;
        if len > MAX_DEBUG_COMMAND {
            return Err(ZxError::INVALID_ARGS);
        }
        let script =
            read_bytes(self.aspace(), buf.addr(), len).map_err(|_| ZxError::INVALID_ARGS)?;
        match zircon_object::system::console::run_script(&script) {
            0 => Ok(()),
            raw => Err(ZxError::from_raw(raw).unwrap_or(ZxError::INTERNAL)),
        }
    }

    /// `zx_nanosleep`: blocks until `deadline` (monotonic ns).
    pub fn nanosleep(&self, deadline: i64) -> ZxResult {
        let waiter = zircon_object::object::Waiter::new();
        let _blocked = zircon_object::task::BlockedGuard::new(
            crate::current_thread(),
            zircon_object::task::BlockedReason::Sleeping,
            &waiter,
        );
        let until = crate::signal::deadline_instant(deadline);
        // Nothing pokes this waiter but a kill or a suspension, so it
        // sleeps to the deadline (made again after a suspension: the
        // deadline is absolute).
        loop {
            let woke = waiter.sleep(until);
            if waiter.is_killed() {
                return Err(ZxError::INTERNAL_INTR_KILLED);
            }
            if waiter.take_interrupt() {
                return Err(ZxError::INTERNAL_INTR_RETRY);
            }
            if !woke {
                return Ok(());
            }
        }
    }
}
