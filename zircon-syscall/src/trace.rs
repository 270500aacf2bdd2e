//! Formatting syscalls for tracing (`linux-loader --trace`): a call's name
//! and decoded arguments, and its result, from the generated [`table`].
//!
//! The formatter only reads the raw argument words; it never touches guest
//! memory (buffers are shown as address and length), so tracing cannot
//! change what a call does. Handles are described by a caller-supplied
//! function (object type and koid, from the caller's handle table).
//!
//! [`table`]: crate::table

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use zircon_object::task::{Process, Thread};
use zircon_object::ZxError;

use crate::table::{Dir, ParamKind, SyscallInfo};
use crate::{Outcome, Syscall};

/// What a [`Tracer`] is told about one finished syscall.
#[derive(Debug)]
pub struct CallRecord<'a> {
    /// The calling process.
    pub process: &'a Arc<Process>,
    /// The calling thread, if the embedder named one.
    pub thread: Option<&'a Arc<Thread>>,
    /// The syscall number.
    pub num: u32,
    /// The call with its decoded arguments, formatted before it ran (so a
    /// handle it closes is still described), e.g. `handle_close(handle=0x3)`.
    pub call: String,
    /// What the dispatcher decided; `None` for a call that does not return
    /// (`process_exit`, `thread_exit`), which is recorded before it runs
    /// (after it, the runner may already be gone).
    pub outcome: Option<Outcome>,
    /// The result as text (`ZX_OK`, `ZX_ERR_BAD_HANDLE`, a value, or `?`
    /// for a call that did not return).
    pub result: String,
    /// Time spent in the dispatcher (`None` with `outcome`).
    pub elapsed: Option<Duration>,
}

/// Receives syscalls while tracing is on ([`set_tracer`]).
pub trait Tracer: Send + Sync {
    /// Whether syscall `num` is traced (the others run untouched).
    fn traces(&self, num: u32) -> bool;
    /// Called once per traced call, after it ran, on the calling thread.
    fn record(&self, record: &CallRecord<'_>);
}

static TRACER: OnceLock<Box<dyn Tracer>> = OnceLock::new();
/// Set once a tracer is installed: the one check the fast path pays.
static TRACING: AtomicBool = AtomicBool::new(false);

/// Installs the process-wide syscall tracer; from then on every call goes
/// through [`Tracer::traces`]. Returns false if one was installed before
/// (tracing cannot be turned off or replaced).
pub fn set_tracer(tracer: Box<dyn Tracer>) -> bool {
    let installed = TRACER.set(tracer).is_ok();
    if installed {
        TRACING.store(true, Ordering::Release);
    }
    installed
}

/// Whether a tracer is installed (one relaxed load: the cost of tracing
/// when it is off).
#[inline(always)]
pub(crate) fn enabled() -> bool {
    TRACING.load(Ordering::Relaxed)
}

/// Longest prefix of an input buffer a trace line shows.
const PEEK_BYTES: usize = 32;

/// Runs `call` (syscall `num` of `sys`) under the tracer.
#[cold]
#[inline(never)]
pub(crate) fn traced(
    sys: &Syscall<'_>,
    thread: Option<&Arc<Thread>>,
    num: u32,
    regs: [u64; 6],
    guest_rsp: usize,
    call: impl FnOnce() -> Outcome,
) -> Outcome {
    let Some(tracer) = TRACER.get().filter(|t| t.traces(num)) else {
        return call();
    };
    // Arguments 7 and 8 come from the guest stack.
    let args: Vec<u64> = match crate::table::info(num) {
        Some(info) if info.params.len() > 6 => sys
            .with_stack_args(regs, guest_rsp)
            .map_or_else(|_| regs.to_vec(), |a| a.to_vec()),
        _ => regs.to_vec(),
    };
    let text = match crate::table::info(num) {
        Some(info) => {
            let describe = |h: u32| describe_handle(sys.process, h);
            let peek = |addr: u64, len: usize| {
                let mut buf = vec![0u8; len.min(PEEK_BYTES)];
                let at = usize::try_from(addr).ok()?;
                sys.aspace().copy_from_user(at, &mut buf).ok()?;
                Some(buf)
            };
            format_call_with(info, &args, &describe, &peek)
        }
        None => format!("syscall_{num}({:#x}, {:#x}, ...)", regs[0], regs[1]),
    };
    if crate::table::info(num).is_some_and(|i| i.noreturn) {
        tracer.record(&CallRecord {
            process: sys.process,
            thread,
            num,
            call: text,
            outcome: None,
            result: "?".into(),
            elapsed: None,
        });
        return call();
    }
    let start = Instant::now();
    let outcome = call();
    let elapsed = start.elapsed();
    let result = match (outcome, crate::table::info(num)) {
        (Outcome::Return(v), Some(info)) => {
            let mut r = format_result(info, v);
            if info.ret == "zx_status_t" && v == 0 {
                let describe = |h: u32| describe_handle(sys.process, h);
                let peek = |addr: u64, len: usize| {
                    let mut buf = vec![0u8; len];
                    sys.aspace()
                        .copy_from_user(usize::try_from(addr).ok()?, &mut buf)
                        .ok()?;
                    Some(buf)
                };
                r.push_str(&format_outputs(info, &args, &describe, &peek));
            }
            r
        }
        (Outcome::Return(v), None) => format_result_raw(v),
        (Outcome::Exit(_) | Outcome::ExitThread | Outcome::Resume, _) => "?".to_string(),
    };
    tracer.record(&CallRecord {
        process: sys.process,
        thread,
        num,
        call: text,
        outcome: Some(outcome),
        result,
        elapsed: Some(elapsed),
    });
    outcome
}

/// `TYPE KOID` for handle `h` of `process` (`None`: not a handle of it).
pub fn describe_handle(process: &Process, h: u32) -> Option<String> {
    let table = process.handles();
    let handle = table.get(h).ok()?;
    let ty = format!("{:?}", handle.object.obj_type()).to_lowercase();
    Some(format!("{ty} {}", handle.object.koid()))
}

/// Writes `bytes` as a C string literal, escaping what is not printable
/// ASCII, with `...` if `more` (the buffer was longer).
fn write_bytes(out: &mut String, bytes: &[u8], more: bool) {
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    if more {
        out.push_str("...");
    }
}

/// Names of option bits, for the C types whose values are flag words.
fn flag_names(ctype: &str) -> &'static [(u64, &'static str)] {
    match ctype {
        "zx_vm_option_t" => &[
            (1 << 0, "PERM_READ"),
            (1 << 1, "PERM_WRITE"),
            (1 << 2, "PERM_EXECUTE"),
            (1 << 3, "COMPACT"),
            (1 << 4, "SPECIFIC"),
            (1 << 5, "SPECIFIC_OVERWRITE"),
            (1 << 6, "CAN_MAP_SPECIFIC"),
            (1 << 7, "CAN_MAP_READ"),
            (1 << 8, "CAN_MAP_WRITE"),
            (1 << 9, "CAN_MAP_EXECUTE"),
            (1 << 10, "MAP_RANGE"),
            (1 << 11, "REQUIRE_NON_RESIZABLE"),
            (1 << 12, "ALLOW_FAULTS"),
            (1 << 13, "OFFSET_IS_UPPER_LIMIT"),
            (1 << 14, "PERM_READ_IF_XOM_UNSUPPORTED"),
            (1 << 15, "FAULT_BEYOND_STREAM_SIZE"),
        ],
        "zx_rights_t" => &[
            (1 << 0, "DUPLICATE"),
            (1 << 1, "TRANSFER"),
            (1 << 2, "READ"),
            (1 << 3, "WRITE"),
            (1 << 4, "EXECUTE"),
            (1 << 5, "MAP"),
            (1 << 6, "GET_PROPERTY"),
            (1 << 7, "SET_PROPERTY"),
            (1 << 8, "ENUMERATE"),
            (1 << 9, "DESTROY"),
            (1 << 10, "SET_POLICY"),
            (1 << 11, "GET_POLICY"),
            (1 << 12, "SIGNAL"),
            (1 << 13, "SIGNAL_PEER"),
            (1 << 14, "WAIT"),
            (1 << 15, "INSPECT"),
            (1 << 16, "MANAGE_JOB"),
            (1 << 17, "MANAGE_PROCESS"),
            (1 << 18, "MANAGE_THREAD"),
            (1 << 19, "APPLY_PROFILE"),
            (1 << 20, "MANAGE_SOCKET"),
            (1 << 21, "OP_CHILDREN"),
            (1 << 22, "RESIZE"),
            (1 << 23, "ATTACH_VMO"),
            (1 << 24, "MANAGE_VMO"),
            (1 << 31, "SAME_RIGHTS"),
        ],
        _ => &[],
    }
}

/// Writes `value` as `NAME|NAME|0x..` for a flag word, else in hex.
fn write_flags(out: &mut String, ctype: &str, value: u64) {
    let names = flag_names(ctype);
    if names.is_empty() || value == 0 {
        let _ = write!(out, "{value:#x}");
        return;
    }
    let mut rest = value;
    let mut first = true;
    for &(bit, name) in names {
        if rest & bit != 0 {
            let _ = write!(out, "{}{name}", if first { "" } else { "|" });
            rest &= !bit;
            first = false;
        }
    }
    if rest != 0 {
        let _ = write!(out, "{}{rest:#x}", if first { "" } else { "|" });
    }
}

/// Writes a scalar argument as its C type reads it.
fn write_scalar(out: &mut String, ctype: &str, raw: u64) {
    match ctype {
        "zx_vm_option_t" | "zx_rights_t" => write_flags(out, ctype, raw & 0xffff_ffff),
        "uint32_t"
        | "zx_signals_t"
        | "zx_obj_type_t"
        | "zx_iob_allocate_id_options_t"
        | "zx_stream_seek_origin_t" => {
            let _ = write!(out, "{:#x}", raw as u32);
        }
        "uint16_t" => {
            let _ = write!(out, "{:#x}", raw as u16);
        }
        "uint8_t" => {
            let _ = write!(out, "{:#x}", raw as u8);
        }
        "zx_iob_write_options_t" => {
            let _ = write!(out, "{raw:#x}");
        }
        "int32_t" | "zx_futex_t" | "zx_status_t" => {
            let _ = write!(out, "{}", raw as i32);
        }
        "size_t" | "uint64_t" | "zx_koid_t" | "zx_off_t" => {
            let _ = write!(out, "{raw}");
        }
        "zx_vaddr_t" | "zx_paddr_t" | "uintptr_t" => {
            let _ = write!(out, "{raw:#x}");
        }
        _ => {
            let _ = write!(out, "{}", raw as i64);
        }
    }
}

/// Formats a call, e.g. `vmar_map(handle=0x1a3 [vmar 1042],
/// options=PERM_READ|SPECIFIC, vmar_offset=0x10000, ...)`. `describe`
/// names a handle value (`None`: an invalid handle).
pub fn format_call(
    info: &SyscallInfo,
    args: &[u64],
    describe: &dyn Fn(u32) -> Option<String>,
) -> String {
    format_call_with(info, args, describe, &|_, _| None)
}

/// [`format_call`], also showing the first bytes of byte buffers the call
/// reads (`void`/`char` input arrays), which `peek(address, length)` reads
/// from the caller's memory (at most 32 bytes asked; `None` if unreadable).
pub fn format_call_with(
    info: &SyscallInfo,
    args: &[u64],
    describe: &dyn Fn(u32) -> Option<String>,
    peek: &dyn Fn(u64, usize) -> Option<Vec<u8>>,
) -> String {
    let mut out = format!("{}(", info.name);
    for (i, p) in info.params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}=", p.name);
        let Some(&raw) = args.get(i) else {
            out.push('?');
            continue;
        };
        match p.kind {
            ParamKind::Handle => {
                let h = raw as u32;
                let _ = write!(out, "{h:#x}");
                if h != 0 {
                    match describe(h) {
                        Some(d) => {
                            let _ = write!(out, " [{d}]");
                        }
                        None => out.push_str(" [bad handle]"),
                    }
                }
            }
            ParamKind::Scalar => write_scalar(&mut out, p.ctype, raw),
            ParamKind::Pointer { dir, count } => {
                let arrow = match dir {
                    Dir::In => "in",
                    Dir::Out => "out",
                    Dir::InOut => "inout",
                };
                if raw == 0 {
                    out.push_str("NULL");
                } else {
                    let _ = write!(out, "{raw:#x}");
                }
                match count.and_then(|c| args.get(c).map(|&n| (c, n))) {
                    Some((c, n)) => {
                        let _ = write!(out, " ({arrow} {} x {n})", p.ctype);
                        let bytes = matches!(p.ctype, "void" | "char") && dir == Dir::In;
                        // The count's own C type gives its width.
                        let n = match info.params[c].ctype {
                            "uint32_t" => n as u32 as u64,
                            _ => n,
                        };
                        if bytes && raw != 0 && n != 0 {
                            let len = usize::try_from(n).unwrap_or(usize::MAX);
                            if let Some(b) = peek(raw, len) {
                                out.push(' ');
                                write_bytes(&mut out, &b, b.len() < len);
                            }
                        }
                    }
                    None => {
                        let _ = write!(out, " ({arrow} {})", p.ctype);
                    }
                }
            }
        }
    }
    out.push(')');
    out
}

/// Formats the single values a successful call wrote through its `out`
/// pointers (handles, sizes, addresses, counts), read back with `peek`,
/// e.g. ` {out=0x1a3 [vmo 1044]}`; empty if there are none.
pub fn format_outputs(
    info: &SyscallInfo,
    args: &[u64],
    describe: &dyn Fn(u32) -> Option<String>,
    peek: &dyn Fn(u64, usize) -> Option<Vec<u8>>,
) -> String {
    let mut parts = Vec::new();
    for (p, &raw) in info.params.iter().zip(args) {
        let ParamKind::Pointer {
            dir: Dir::Out | Dir::InOut,
            count: None,
        } = p.kind
        else {
            continue;
        };
        let width = match p.ctype {
            "zx_handle_t" | "uint32_t" | "int32_t" | "zx_signals_t" => 4,
            "size_t" | "uint64_t" | "zx_vaddr_t" | "zx_koid_t" | "zx_off_t" => 8,
            _ => continue,
        };
        if raw == 0 {
            continue;
        }
        let Some(bytes) = peek(raw, width) else {
            continue;
        };
        let mut v = [0u8; 8];
        v[..width].copy_from_slice(&bytes[..width]);
        let v = u64::from_le_bytes(v);
        let mut text = format!("{}=", p.name);
        if p.ctype == "zx_handle_t" {
            let _ = write!(text, "{v:#x}");
            if let Some(d) = describe(v as u32) {
                let _ = write!(text, " [{d}]");
            }
        } else {
            write_scalar(&mut text, p.ctype, v);
        }
        parts.push(text);
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {{{}}}", parts.join(", "))
    }
}

/// Formats what a call returned in `rax`: a status name for `zx_status_t`
/// calls, the value otherwise.
pub fn format_result(info: &SyscallInfo, raw: u64) -> String {
    if info.ret != "zx_status_t" {
        let mut s = String::new();
        write_scalar(&mut s, info.ret, raw);
        return s;
    }
    format_result_raw(raw)
}

/// Formats `raw` as a `zx_status_t`.
fn format_result_raw(raw: u64) -> String {
    match raw as i32 {
        0 => "ZX_OK".into(),
        v => ZxError::from_raw(v).map_or_else(|| format!("status {v}"), |e| e.name().into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numbers;
    use crate::table::info;

    #[test]
    fn formats_a_map_call_with_flags_handles_and_pointers() {
        let map = info(numbers::VMAR_MAP).unwrap();
        let args = [0x11, 0x13, 0x1000, 0x22, 0, 8192, 0x7000];
        let describe = |h: u32| (h == 0x11).then(|| "vmar 7".to_string());
        assert_eq!(
            format_call(map, &args, &describe),
            "vmar_map(handle=0x11 [vmar 7], options=PERM_READ|PERM_WRITE|SPECIFIC, \
             vmar_offset=4096, vmo=0x22 [bad handle], vmo_offset=0, len=8192, \
             mapped_addr=0x7000 (out zx_vaddr_t))"
        );
    }

    #[test]
    fn formats_buffers_with_their_counts() {
        let write = info(numbers::CHANNEL_WRITE).unwrap();
        let s = format_call(write, &[1, 0, 0x5000, 3, 0, 0], &|_| {
            Some("channel 9".into())
        });
        assert!(s.contains("bytes=0x5000 (in void x 3)"), "{s}");
        assert!(s.contains("handles=NULL (in zx_handle_t x 0)"), "{s}");
    }

    #[test]
    fn shows_the_start_of_input_byte_buffers() {
        let write = info(numbers::DEBUG_WRITE).unwrap();
        let peek = |addr: u64, len: usize| {
            assert_eq!(addr, 0x5000);
            Some(b"hi\n\x01\"0123456789012345678901234567890"[..len.min(32)].to_vec())
        };
        let s = format_call_with(write, &[0x5000, 40], &|_| None, &peek);
        assert_eq!(
            s,
            "debug_write(buffer=0x5000 (in char x 40) \"hi\\n\\x01\\\"012345678901234567890123456\"..., buffer_size=40)"
        );
        let short = format_call_with(write, &[0x5000, 2], &|_| None, &peek);
        assert!(short.contains("(in char x 2) \"hi\", "), "{short}");
    }

    #[test]
    fn formats_single_out_values() {
        let create = info(numbers::VMO_CREATE).unwrap();
        let describe = |h: u32| (h == 0x1a3).then(|| "vmo 9".to_string());
        let peek = |addr: u64, len: usize| {
            assert_eq!((addr, len), (0x7000, 4));
            Some(0x1a3u32.to_le_bytes().to_vec())
        };
        assert_eq!(
            format_outputs(create, &[4096, 0, 0x7000], &describe, &peek),
            " {out=0x1a3 [vmo 9]}"
        );
        let close = info(numbers::HANDLE_CLOSE).unwrap();
        assert_eq!(format_outputs(close, &[3], &describe, &peek), "");
    }

    #[test]
    fn narrow_scalars_show_only_their_width() {
        let read = info(numbers::PCI_CONFIG_READ).unwrap();
        let s = format_call(read, &[0, 0xdead_0010, 4, 0x7000], &|_| None);
        assert!(s.contains("offset=0x10, width=4"), "{s}");
        let rw = info(numbers::PCI_CFG_PIO_RW).unwrap();
        let s = format_call(rw, &[0, 0x1ff, 0x2, 0x3, 0x104, 0x7000, 4, 1], &|_| None);
        assert!(
            s.contains("bus=0xff, dev=0x2, func=0x3, offset=0x4,"),
            "{s}"
        );
    }

    #[test]
    fn formats_results() {
        let close = info(numbers::HANDLE_CLOSE).unwrap();
        assert_eq!(format_result(close, 0), "ZX_OK");
        assert_eq!(
            format_result(close, ZxError::BAD_HANDLE.into_raw() as u64),
            "ZX_ERR_BAD_HANDLE"
        );
        let now = info(numbers::CLOCK_GET_MONOTONIC).unwrap();
        assert_eq!(format_result(now, 12345), "12345");
    }
}
