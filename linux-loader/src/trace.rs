//! `linux-loader --trace`: strace for Zircon. One line per syscall, page
//! fault resolved by the emulator or exception, on standard error or a file:
//!
//! ```text
//! [demo 1026/1040] vmo_create(size=4096, options=0x0, out=0x3b8267d000 (out zx_handle_t)) = ZX_OK <0.000004>
//! [demo 1026/1040] fault: write 0x3b8267e000 resolved
//! ```
//!
//! The prefix is the process's name, its koid and the thread's koid; the
//! call is formatted before it runs (so a handle it closes is still
//! described), the result and the time spent (seconds, as `strace -T`)
//! after. A call that does not return (`process_exit`) shows `= ?`, and is
//! written before it runs. A blocking call's line comes when it returns.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use kernel_hal::{CpuException, GeneralRegs, PageFaultAccess};
use zircon_object::object::KernelObject;
use zircon_object::task::{Process, Thread};
use zircon_syscall::table::SYSCALLS;
use zircon_syscall::trace::{CallRecord, Tracer};

/// Which syscalls are traced: a bit per syscall number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    bits: Vec<bool>,
}

impl Filter {
    /// Every syscall.
    pub fn all() -> Self {
        let max = SYSCALLS.iter().map(|c| c.num).max().unwrap_or(0) as usize;
        Filter {
            bits: vec![true; max + 1],
        }
    }

    /// Parses `vmar,vmo,channel_write`: each item is a syscall's name
    /// (`zx_` optional) or a family, the part of names before the first `_`
    /// (`vmar` is every `vmar_*` call); `all` is every call.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut f = Filter::all();
        f.bits.iter_mut().for_each(|b| *b = false);
        let mut any = false;
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            any = true;
            if item == "all" {
                return Ok(Filter::all());
            }
            let item = item.strip_prefix("zx_").unwrap_or(item);
            let mut matched = false;
            for c in SYSCALLS {
                let family = c.name.split('_').next().unwrap_or(c.name);
                if c.name == item || family == item {
                    f.bits[c.num as usize] = true;
                    matched = true;
                }
            }
            if !matched {
                return Err(format!(
                    "--trace: no syscall or family named '{}' (families: {})",
                    item.escape_default(),
                    families().join(", ")
                ));
            }
        }
        if !any {
            return Err(
                "--trace=: empty filter (give names or families, e.g. --trace=vmo,channel_write)"
                    .into(),
            );
        }
        Ok(f)
    }

    /// Whether syscall `num` is traced.
    pub fn matches(&self, num: u32) -> bool {
        self.bits.get(num as usize).copied().unwrap_or(false)
    }
}

/// The families of the syscall table, sorted.
fn families() -> Vec<&'static str> {
    let mut f: Vec<&str> = SYSCALLS
        .iter()
        .map(|c| c.name.split('_').next().unwrap_or(c.name))
        .collect();
    f.sort_unstable();
    f.dedup();
    f
}

/// Where trace lines go; each line is written whole under the lock, so
/// threads never interleave within a line.
struct Sink {
    out: Mutex<Box<dyn Write + Send>>,
    faults: bool,
}

static SINK: OnceLock<Sink> = OnceLock::new();

fn emit(line: &str) {
    if let Some(sink) = SINK.get() {
        let mut out = sink.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }
}

/// `name koid/koid` of a process and thread.
fn who(process: &Process, thread: Option<&Thread>) -> String {
    let name = process.base().name();
    match thread {
        Some(t) => format!("[{} {}/{}]", name.escape_debug(), process.koid(), t.koid()),
        None => format!("[{} {}]", name.escape_debug(), process.koid()),
    }
}

struct SyscallTracer {
    filter: Filter,
}

impl Tracer for SyscallTracer {
    fn traces(&self, num: u32) -> bool {
        self.filter.matches(num)
    }

    fn record(&self, r: &CallRecord<'_>) {
        let who = who(r.process, r.thread.map(|t| &**t));
        emit(&match r.elapsed {
            Some(t) => format!("{who} {} = {} <{:.6}>\n", r.call, r.result, t.as_secs_f64()),
            None => format!("{who} {} = {}\n", r.call, r.result),
        });
    }
}

/// Turns tracing on: syscalls matching `filter` (none if `None`, only
/// faults then), page faults and exceptions if `faults`, written to `out`.
/// Call once, before any guest runs.
pub fn install(filter: Option<Filter>, faults: bool, out: Box<dyn Write + Send>) {
    let _ = SINK.set(Sink {
        out: Mutex::new(out),
        faults,
    });
    if let Some(filter) = filter {
        zircon_syscall::trace::set_tracer(Box::new(SyscallTracer { filter }));
    }
    if faults {
        kernel_hal_unix::set_fault_observer(observe_fault);
    }
}

/// Whether faults and exceptions are traced.
fn faults_on() -> bool {
    SINK.get().is_some_and(|s| s.faults)
}

fn access_name(access: PageFaultAccess) -> &'static str {
    match access {
        PageFaultAccess::Read => "read",
        PageFaultAccess::Write => "write",
        PageFaultAccess::Execute => "execute",
    }
}

/// The fault observer: runs in the fault handler of the faulting thread.
fn observe_fault(addr: usize, access: PageFaultAccess) {
    let process = zircon_syscall::current_process();
    let thread = zircon_syscall::current_thread();
    let prefix = match &process {
        Some(p) => who(p, thread.as_deref()),
        None => "[?]".into(),
    };
    emit(&format!(
        "{prefix} fault: {} {addr:#x} resolved\n",
        access_name(access)
    ));
}

/// Traces an exception raised by a guest thread (with `--trace-faults`).
pub fn exception(process: &Process, thread: &Thread, cpu: &CpuException, regs: &GeneralRegs) {
    if !faults_on() {
        return;
    }
    emit(&format!(
        "{} exception: {:?} (vector {}), pc {:#x}, sp {:#x}\n",
        who(process, Some(thread)),
        cpu.kind,
        cpu.vector,
        regs.rip,
        regs.rsp
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use zircon_syscall::numbers;

    #[test]
    fn filters_by_name_and_family() {
        let f = Filter::parse("vmar,zx_channel_write").unwrap();
        assert!(f.matches(numbers::VMAR_MAP));
        assert!(f.matches(numbers::VMAR_UNMAP));
        assert!(f.matches(numbers::CHANNEL_WRITE));
        assert!(!f.matches(numbers::CHANNEL_READ));
        assert!(!f.matches(numbers::VMO_CREATE));
        assert!(Filter::parse("all").unwrap().matches(numbers::VMO_CREATE));
        let e = Filter::parse("vmo,nonsense").unwrap_err();
        assert!(e.contains("'nonsense'") && e.contains("vmar"), "{e}");
        assert!(Filter::parse("").is_err());
    }
}
