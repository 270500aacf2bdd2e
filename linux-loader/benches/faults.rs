//! Faults that need the emulator: the first touch of an unbacked 2 MiB
//! chunk and a caught-and-resumed exception, next to native SIGSEGV round
//! trips measured in the same run.
//!
//! `cargo bench -p linux-loader --bench faults`. The guest
//! (`examples/guests/fault_bench.c`) times its own loops with
//! `zx_ticks_get`:
//!
//! * touching one byte at the start of each 2 MiB chunk of a fresh mapping
//!   (one host SIGSEGV, the emulator's resolver and an `mmap` of the whole
//!   chunk; DESIGN.md decision 4);
//! * touching every other page of chunks already backed (Linux alone);
//! * `ud2` on a thread whose exception channel a second thread serves,
//!   skipping the instruction and resuming it; then a load from an
//!   unmapped address, served the same way (a fatal page fault);
//! * the first touch of each page of a pager-backed VMO whose pager thread
//!   supplies each page as its request arrives (fault out of the signal
//!   handler, packet, `zx_pager_supply_pages`, retry: DESIGN.md decision
//!   26), next to the native SIGSEGV + `mprotect` first touch.
//!
//! The native baselines, timed here with `libc`, are a SIGSEGV handler that
//! `mprotect`s the faulting page and returns (first touch), one that steps
//! the saved RIP over a 2-byte faulting load and returns (round trip), a
//! SIGILL handler that steps over `ud2` (the same trap as the emulated
//! one: on a virtual machine an invalid-opcode trap can cost several times
//! a page fault), and the first touch of the pages of a shared anonymous
//! mapping (no signal).
//! Without `--bench` (as under `cargo test --benches`) it does a quick pass.

use std::arch::asm;
use std::path::Path;
use std::process::Command;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use libc::{c_int, c_void, siginfo_t};

const PAGE: usize = 4096;
/// Chunks whose pages the guest touches one by one (`BACKED_CHUNKS` in the
/// guest).
const BACKED_CHUNKS: usize = 16;
const CHUNK: usize = 2 << 20;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (chunks, exceptions, runs) = if full {
        (1024, 20_000, 5)
    } else {
        (32, 200, 1)
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let elf = std::env::temp_dir().join(format!("zx-fault-bench-{}.elf", std::process::id()));
    let ok = Command::new("bash")
        .arg(root.join("sdk/zx-cc"))
        .args(["-O2", "-o"])
        .arg(&elf)
        .arg(root.join("examples/guests/fault_bench.c"))
        .env("ZX_VDSO", concat!(env!("OUT_DIR"), "/libzircon.so"))
        .status()
        .expect("run sdk/zx-cc")
        .success();
    assert!(ok, "building the bench guest failed");

    let names = [
        "chunk_first_touch",
        "ud2_resume",
        "backed_page_touch",
        "fault_resume",
        "pager_fault",
    ];
    let mut guest = [f64::MAX; 5];
    for _ in 0..runs {
        let out = Command::new(env!("CARGO_BIN_EXE_linux-loader"))
            .arg(&elf)
            .arg(chunks.to_string())
            .arg(exceptions.to_string())
            .output()
            .expect("run the guest");
        assert!(
            out.status.success(),
            "guest failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        for (best, name) in guest.iter_mut().zip(names) {
            let ns = stdout
                .lines()
                .find_map(|l| {
                    let (n, v) = l.rsplit_once(' ')?;
                    (n == name).then(|| v.parse::<f64>().unwrap())
                })
                .unwrap_or_else(|| panic!("no {name} line in {stdout}"));
            *best = best.min(ns);
        }
    }
    let _ = std::fs::remove_file(&elf);

    let mut native = [f64::MAX; 4];
    for _ in 0..runs {
        native[0] = native[0].min(native_first_touch(chunks));
        native[1] = native[1].min(native_ud2_round_trip(exceptions));
        native[2] = native[2].min(native_shared_page_touch(BACKED_CHUNKS * CHUNK / PAGE));
        native[3] = native[3].min(native_round_trip(exceptions));
    }

    println!("guest faults ({chunks} chunks, {exceptions} exceptions, best of {runs} runs):");
    println!(
        "  first touch of an unbacked 2 MiB chunk   emulated {:7.2} us   \
         native SIGSEGV+mprotect   {:6.2} us   ratio {:.2}x",
        guest[0] / 1000.0,
        native[0] / 1000.0,
        guest[0] / native[0]
    );
    println!(
        "  caught-and-resumed exception (ud2)       emulated {:7.2} us   \
         native SIGILL round trip  {:6.2} us   ratio {:.2}x",
        guest[1] / 1000.0,
        native[1] / 1000.0,
        guest[1] / native[1]
    );
    println!(
        "  caught-and-resumed page fault            emulated {:7.2} us   \
         native SIGSEGV round trip {:6.2} us   ratio {:.2}x",
        guest[3] / 1000.0,
        native[3] / 1000.0,
        guest[3] / native[3]
    );
    println!(
        "  touch inside a backed chunk              emulated {:7.0} ns/page (no signal)   \
         native shared page {:.0} ns/page   ratio {:.2}x",
        guest[2],
        native[2],
        guest[2] / native[2]
    );
    println!(
        "  page fault served by a user pager        emulated {:7.2} us   \
         native SIGSEGV+mprotect   {:6.2} us   ratio {:.2}x",
        guest[4] / 1000.0,
        native[0] / 1000.0,
        guest[4] / native[0]
    );
}

/// A private anonymous or shared mapping, unmapped on drop.
struct Mapping {
    addr: *mut u8,
    len: usize,
}

impl Mapping {
    /// Maps `len` bytes with protection `prot` and mapping flags `flags`.
    fn new(len: usize, prot: c_int, flags: c_int) -> Mapping {
        // SAFETY: a fresh mapping at an address the kernel picks; nothing
        // else is affected.
        let addr = unsafe { libc::mmap(ptr::null_mut(), len, prot, flags, -1, 0) };
        assert_ne!(addr, libc::MAP_FAILED, "mmap failed");
        Mapping {
            addr: addr.cast(),
            len,
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping is ours and no reference into it outlives
        // `self`.
        unsafe { libc::munmap(self.addr.cast(), self.len) };
    }
}

/// A SIGSEGV handler installed for the life of the value; the previous
/// action comes back on drop.
struct SegvHandler {
    old: libc::sigaction,
    sig: c_int,
}

impl SegvHandler {
    /// Installs `handler` for SIGSEGV with `SA_SIGINFO`.
    fn install(handler: extern "C" fn(c_int, *mut siginfo_t, *mut c_void)) -> SegvHandler {
        Self::install_for(libc::SIGSEGV, handler)
    }

    /// Installs `handler` for `sig` with `SA_SIGINFO`.
    fn install_for(
        sig: c_int,
        handler: extern "C" fn(c_int, *mut siginfo_t, *mut c_void),
    ) -> SegvHandler {
        // SAFETY: all-zero is a valid `sigaction` (no flags, empty mask).
        let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
        sa.sa_sigaction = handler as usize;
        sa.sa_flags = libc::SA_SIGINFO;
        // SAFETY: as above.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: both pointers are valid for the call; `handler` only
        // makes async-signal-safe calls.
        let rc = unsafe { libc::sigaction(sig, &sa, &mut old) };
        assert_eq!(rc, 0, "sigaction failed");
        SegvHandler { old, sig }
    }
}

impl Drop for SegvHandler {
    fn drop(&mut self) {
        // SAFETY: puts back the action `install` saved.
        unsafe { libc::sigaction(self.sig, &self.old, ptr::null_mut()) };
    }
}

/// The range `[start, end)` whose pages `map_page` may make writable.
static REGION: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// SIGSEGV handler: makes the faulting page of `REGION` readable and
/// writable, so the access runs again and succeeds.
extern "C" fn map_page(_sig: c_int, info: *mut siginfo_t, _ctx: *mut c_void) {
    // SAFETY: for an SA_SIGINFO handler `info` points to the siginfo of
    // this SIGSEGV, whose `si_addr` is set.
    let addr = unsafe { (*info).si_addr() } as usize & !(PAGE - 1);
    let (start, end) = (
        REGION[0].load(Ordering::Relaxed),
        REGION[1].load(Ordering::Relaxed),
    );
    if !(start..end).contains(&addr) {
        std::process::abort();
    }
    // SAFETY: the page lies in the bench's own PROT_NONE mapping; opening
    // it changes nothing else.
    let rc = unsafe {
        libc::mprotect(
            addr as *mut c_void,
            PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
        )
    };
    if rc != 0 {
        std::process::abort();
    }
}

/// Returns the ns per first write to a page of a `PROT_NONE` mapping whose
/// SIGSEGV handler `mprotect`s the page and returns.
fn native_first_touch(pages: usize) -> f64 {
    let map = Mapping::new(
        pages * PAGE,
        libc::PROT_NONE,
        libc::MAP_SHARED | libc::MAP_ANONYMOUS,
    );
    REGION[0].store(map.addr as usize, Ordering::Relaxed);
    REGION[1].store(map.addr as usize + map.len, Ordering::Relaxed);
    let handler = SegvHandler::install(map_page);
    let t = Instant::now();
    for i in 0..pages {
        // SAFETY: the byte lies inside `map`; the write faults once and
        // `map_page` makes its page writable.
        unsafe { map.addr.add(i * PAGE).write_volatile(1) };
    }
    let ns = t.elapsed().as_nanos() as f64 / pages as f64;
    drop(handler);
    ns
}

/// `mov al, [rdi]`, the load `faulting_load` executes.
const LOAD: [u8; 2] = [0x8a, 0x07];

/// SIGSEGV handler: steps the saved RIP over the 2-byte load of
/// `faulting_load`.
extern "C" fn skip_load(_sig: c_int, _info: *mut siginfo_t, ctx: *mut c_void) {
    // SAFETY: for an SA_SIGINFO handler `ctx` points to the `ucontext_t`
    // the kernel saved for this signal; it is ours until we return.
    let uc = unsafe { &mut *ctx.cast::<libc::ucontext_t>() };
    let rip = &mut uc.uc_mcontext.gregs[libc::REG_RIP as usize];
    // SAFETY: RIP is the address of the faulting instruction, in this
    // program's (readable) text.
    let insn = unsafe { ptr::read(*rip as *const [u8; 2]) };
    if insn != LOAD {
        std::process::abort();
    }
    *rip += LOAD.len() as i64;
}

/// Loads a byte from `p`, which must fault: the handler skips the load.
fn faulting_load(p: *const u8) {
    // SAFETY: `p` is a PROT_NONE page, so the load faults without reading
    // anything, and `skip_load` (installed) resumes after it; `al` is
    // declared clobbered.
    unsafe {
        asm!(
            "mov al, byte ptr [rdi]",
            in("rdi") p,
            out("al") _,
            options(nostack, readonly, preserves_flags)
        );
    }
}

/// Returns the ns per SIGSEGV on a `PROT_NONE` page whose handler steps
/// over the faulting load and returns.
fn native_round_trip(faults: usize) -> f64 {
    let map = Mapping::new(
        PAGE,
        libc::PROT_NONE,
        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
    );
    let handler = SegvHandler::install(skip_load);
    let t = Instant::now();
    for _ in 0..faults {
        faulting_load(map.addr);
    }
    let ns = t.elapsed().as_nanos() as f64 / faults as f64;
    drop(handler);
    ns
}

/// `ud2`.
const UD2: [u8; 2] = [0x0f, 0x0b];

/// SIGILL handler: steps the saved RIP over a `ud2`.
extern "C" fn skip_ud2(_sig: c_int, _info: *mut siginfo_t, ctx: *mut c_void) {
    // SAFETY: as in `skip_load`.
    let uc = unsafe { &mut *ctx.cast::<libc::ucontext_t>() };
    let rip = &mut uc.uc_mcontext.gregs[libc::REG_RIP as usize];
    // SAFETY: RIP is the address of the trapping instruction, in this
    // program's (readable) text.
    let insn = unsafe { ptr::read(*rip as *const [u8; 2]) };
    if insn != UD2 {
        std::process::abort();
    }
    *rip += UD2.len() as i64;
}

/// Returns the ns per `ud2` whose SIGILL handler steps over it and returns.
fn native_ud2_round_trip(traps: usize) -> f64 {
    let handler = SegvHandler::install_for(libc::SIGILL, skip_ud2);
    let t = Instant::now();
    for _ in 0..traps {
        // SAFETY: `ud2` traps; `skip_ud2` (installed) resumes after it.
        unsafe { asm!("ud2", options(nostack, nomem, preserves_flags)) };
    }
    let ns = t.elapsed().as_nanos() as f64 / traps as f64;
    drop(handler);
    ns
}

/// Returns the ns per first write to a page of a shared anonymous mapping
/// (Linux allocates the page; no signal).
fn native_shared_page_touch(pages: usize) -> f64 {
    let map = Mapping::new(
        pages * PAGE,
        libc::PROT_READ | libc::PROT_WRITE,
        libc::MAP_SHARED | libc::MAP_ANONYMOUS,
    );
    let t = Instant::now();
    for i in 0..pages {
        // SAFETY: the byte lies inside `map`, which is writable.
        unsafe { map.addr.add(i * PAGE).write_volatile(1) };
    }
    t.elapsed().as_nanos() as f64 / pages as f64
}
