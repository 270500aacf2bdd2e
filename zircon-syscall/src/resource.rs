//! `zx_resource_create`, `zx_debuglog_create`, `zx_debuglog_write`,
//! `zx_debuglog_read` and `zx_system_get_event` (Zircon's
//! `lib/syscalls/resource.cc`, `zircon.cc` and `system.cc`).

use zircon_object::handle::HandleValue;
use zircon_object::object::KernelObject;
use zircon_object::system::debuglog::{
    LogRecord, DEFAULT_LOG_RIGHTS, FLAG_READABLE, LOG_FLAGS_MASK, RECORD_DATA_MAX,
};
use zircon_object::system::pressure::{level_of_kind, EVENT_OUT_OF_MEMORY, SYSTEM_EVENT_RIGHTS};
use zircon_object::system::resource::{
    DEFAULT_RESOURCE_RIGHTS, FLAGS_MASK, FLAG_EXCLUSIVE, KIND_COUNT, KIND_ROOT, KIND_SYSTEM,
    SYSTEM_DEBUGLOG_BASE,
};
use zircon_object::system::{DebugLog, MemoryWatchdog, Resource};
use zircon_object::task::Job;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, write_bytes, UserInPtr, UserOutPtr};
use crate::Syscall;

/// `ZX_HANDLE_INVALID`
const INVALID_HANDLE: HandleValue = 0;

/// Renders a record as Zircon's debuglog dumper prints it on the serial
/// console: `[sssss.mmm] ppppp:ttttt> text`, with a newline added if the
/// text lacks one.
pub fn console_line(rec: &LogRecord) -> Vec<u8> {
    let ts = rec.timestamp;
    let mut line = format!(
        "[{:05}.{:03}] {:05}:{:05}> ",
        ts / 1_000_000_000,
        (ts / 1_000_000) % 1000,
        rec.pid,
        rec.tid
    )
    .into_bytes();
    line.extend_from_slice(&rec.data);
    if rec.data.last() != Some(&b'\n') {
        line.push(b'\n');
    }
    line
}

impl Syscall<'_> {
    /// `zx_resource_create`: `parent` needs WRITE and must grant the new
    /// range (else `ACCESS_DENIED`); a slice of a non-root resource may
    /// not be exclusive nor come from an exclusive one (`INVALID_ARGS`);
    /// the name is cut to `ZX_MAX_NAME_LEN - 1` bytes.
    #[expect(
        clippy::too_many_arguments,
        reason = "Fuchsia's signature for this syscall"
    )]
    pub fn resource_create(
        &self,
        parent: HandleValue,
        options: u32,
        base: u64,
        size: usize,
        name: UserInPtr<u8>,
        name_size: usize,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        let (parent, _) = self.process.get_object::<Resource>(parent, Rights::WRITE)?;
        let kind = options & 0xFFFF;
        let flags = options & 0xFFFF_0000;
        if kind >= KIND_COUNT || flags & !FLAGS_MASK != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let size = size as u64;
        if parent.validate_ranged(kind, base, size).is_err() {
            return Err(ZxError::ACCESS_DENIED);
        }
        if parent.kind() != KIND_ROOT
            && !parent.is_ranged_root(kind)
            && (parent.flags() & FLAG_EXCLUSIVE != 0 || flags & FLAG_EXCLUSIVE != 0)
        {
            return Err(ZxError::INVALID_ARGS);
        }
        let name = if name_size > 0 {
            let n = name_size.min(zircon_object::object::ZX_MAX_NAME_LEN - 1);
            read_bytes(self.aspace(), name.addr(), n).map_err(|_| ZxError::INVALID_ARGS)?
        } else {
            Vec::new()
        };
        let resource = Resource::create(kind, base, size, flags, &name)?;
        self.add_handle_out(resource, DEFAULT_RESOURCE_RIGHTS, out)
    }

    /// `zx_debuglog_create`: the resource must be the root or the system
    /// resource of base `ZX_RSRC_SYSTEM_DEBUGLOG_BASE` (`WRONG_TYPE`);
    /// `ZX_HANDLE_INVALID` is accepted for a write-only log only
    /// (`BAD_HANDLE` otherwise), so a dynamic linker can log before it has
    /// its startup handles.
    pub fn debuglog_create(
        &self,
        rsrc: HandleValue,
        options: u32,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        if rsrc != INVALID_HANDLE {
            let (r, _) = self.process.get_object::<Resource>(rsrc, Rights::empty())?;
            r.validate_kind_base(KIND_SYSTEM, SYSTEM_DEBUGLOG_BASE)?;
        } else if options != 0 {
            return Err(ZxError::BAD_HANDLE);
        }
        if options & FLAG_READABLE != options {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut rights = DEFAULT_LOG_RIGHTS;
        if options & FLAG_READABLE != 0 {
            rights |= Rights::READ;
        }
        self.add_handle_out(DebugLog::new(options), rights, out)
    }

    /// `zx_debuglog_write` (WRITE right): at most `ZX_LOG_RECORD_DATA_MAX`
    /// bytes become an INFO record stamped with the caller's process and
    /// thread koids, which also goes to the console (the runner's stdout,
    /// like `zx_debug_write`) in the debuglog dumper's format.
    pub fn debuglog_write(
        &self,
        h: HandleValue,
        options: u32,
        buf: UserInPtr<u8>,
        len: usize,
    ) -> ZxResult {
        let len = len.min(RECORD_DATA_MAX);
        if options & !LOG_FLAGS_MASK != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (log, _) = self.process.get_object::<DebugLog>(h, Rights::WRITE)?;
        let data = read_bytes(self.aspace(), buf.addr(), len).map_err(|_| ZxError::INVALID_ARGS)?;
        let tid = crate::current_thread().map_or(0, |t| t.koid());
        let rec = log.write(options, &data, self.process.koid(), tid);
        crate::misc::console_write(&console_line(&rec))
    }

    /// `zx_debuglog_read` (READ right): takes the next record and copies
    /// as much of it (header, then data) as fits in `len` bytes; returns
    /// the bytes copied. `SHOULD_WAIT` when there is none.
    pub fn debuglog_read(
        &self,
        h: HandleValue,
        options: u32,
        buf: UserOutPtr<u8>,
        len: usize,
    ) -> ZxResult<usize> {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (log, _) = self.process.get_object::<DebugLog>(h, Rights::READ)?;
        let rec = log.read()?.to_bytes();
        let n = len.min(rec.len());
        write_bytes(self.aspace(), buf.addr(), &rec[..n])?;
        Ok(n)
    }

    /// `zx_system_get_event`: `root_job` must be the root job (with
    /// MANAGE_PROCESS for the out-of-memory event; else any rights), else
    /// `ACCESS_DENIED`; the event's handle lacks SIGNAL
    /// (`ZX_DEFAULT_SYSTEM_EVENT_LOW_MEMORY_RIGHTS`).
    pub fn system_get_event(
        &self,
        root_job: HandleValue,
        kind: u32,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        let rights = if kind == EVENT_OUT_OF_MEMORY {
            Rights::MANAGE_PROCESS
        } else {
            Rights::empty()
        };
        let (job, _) = self.process.get_object::<Job>(root_job, rights)?;
        if !job.is_root() {
            return Err(ZxError::ACCESS_DENIED);
        }
        let level = level_of_kind(kind).ok_or(ZxError::INVALID_ARGS)?;
        let event = MemoryWatchdog::global(self.aspace().hal()).event(level);
        self.add_handle_out(event, SYSTEM_EVENT_RIGHTS, out)
    }
}
