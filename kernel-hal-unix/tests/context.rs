//! The guest/host context switch, exercised with tiny hand-assembled guest
//! programs: no vDSO, loader or kernel objects, just an executable buffer
//! holding "vDSO stubs" (`mov eax, NUM; movabs r11, ENTRY; jmp r11`) and a
//! guest routine that calls them, plus a guest stack.
//!
//! The syscall handler is process-wide and the tests of this file run in
//! parallel, so the installed handler forwards to a per-thread closure
//! (the handler runs on the host thread that called `run_guest`).

use std::cell::RefCell;
use std::hint::black_box;
use std::time::Instant;

use std::sync::{Arc, Mutex, Weak};

use kernel_hal::{
    ExceptionKind, FaultError, FaultResolver, MMUFlags, PageFaultAccess, PageTable, PhysMem,
    VirtAddr, PAGE_SIZE,
};
use kernel_hal_unix::{
    in_guest_mode, request_exit, resume_guest, run_guest, set_syscall_handler,
    syscall_entry_address, GuestExit,
};

// ---------------------------------------------------------------------------
// A per-thread syscall handler.

type Handler = Box<dyn FnMut(u32, [u64; 6], usize) -> u64>;

thread_local! {
    static HANDLER: RefCell<Option<Handler>> = const { RefCell::new(None) };
}

fn forward(num: u32, args: [u64; 6], guest_rsp: usize) -> u64 {
    HANDLER.with(|h| {
        let mut h = h.borrow_mut();
        let f = h.as_mut().expect("no handler for this thread");
        f(num, args, guest_rsp)
    })
}

/// Makes `f` this thread's syscall handler.
fn on_syscall(f: impl FnMut(u32, [u64; 6], usize) -> u64 + 'static) {
    set_syscall_handler(forward);
    HANDLER.with(|h| *h.borrow_mut() = Some(Box::new(f)));
}

// ---------------------------------------------------------------------------
// Guest memory.

/// An anonymous private mapping, unmapped on drop.
struct Mapping {
    addr: usize,
    len: usize,
}

impl Mapping {
    fn new(len: usize, prot: libc::c_int) -> Mapping {
        // SAFETY: a fresh anonymous mapping at an address of the kernel's
        // choosing replaces nothing.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED, "mmap failed");
        Mapping {
            addr: p as usize,
            len,
        }
    }

    /// Copies `bytes` to the start of the mapping.
    fn write(&self, bytes: &[u8]) {
        assert!(bytes.len() <= self.len);
        // SAFETY: the mapping is writable, `len` bytes long and owned by
        // this value; no reference into it exists while guests do not run.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.addr as *mut u8, bytes.len()) };
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping is ours and nothing uses it any more.
        unsafe { libc::munmap(self.addr as *mut libc::c_void, self.len) };
    }
}

/// Reads a u64 the guest left on its stack.
fn read_guest_u64(addr: usize) -> u64 {
    // SAFETY: tests only pass addresses inside a live guest stack mapping,
    // which the guest (stopped in a syscall) does not write concurrently.
    unsafe { (addr as *const u64).read_unaligned() }
}

// ---------------------------------------------------------------------------
// A minimal x86-64 assembler.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum R {
    Rax = 0,
    Rcx,
    Rdx,
    Rbx,
    // rsp (4) is never an operand here.
    Rbp = 5,
    Rsi,
    Rdi,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
}
use R::*;

/// The argument registers, in order.
const ARGS: [R; 6] = [Rdi, Rsi, Rdx, Rcx, R8, R9];

/// Machine code for a buffer that will live at `base`.
struct Asm {
    base: usize,
    code: Vec<u8>,
}

impl Asm {
    fn new(base: usize) -> Asm {
        Asm {
            base,
            code: Vec::new(),
        }
    }

    /// Returns the address of the next instruction.
    fn here(&self) -> usize {
        self.base + self.code.len()
    }

    fn rex_w(&mut self, reg: R, rm: R) {
        self.code
            .push(0x48 | ((reg as u8 >> 3) << 2) | (rm as u8 >> 3));
    }

    /// `mov dst, imm64` (movabs).
    fn mov_imm(&mut self, dst: R, imm: u64) {
        self.rex_w(Rax, dst);
        self.code.push(0xB8 + (dst as u8 & 7));
        self.code.extend_from_slice(&imm.to_le_bytes());
    }

    /// `mov eax, imm32`.
    fn mov_eax(&mut self, imm: u32) {
        self.code.push(0xB8);
        self.code.extend_from_slice(&imm.to_le_bytes());
    }

    /// `mov dst, src` (64-bit).
    fn mov(&mut self, dst: R, src: R) {
        self.rex_w(src, dst);
        self.code
            .extend_from_slice(&[0x89, 0xC0 | ((src as u8 & 7) << 3) | (dst as u8 & 7)]);
    }

    /// `add dst, src` (64-bit).
    fn add(&mut self, dst: R, src: R) {
        self.rex_w(src, dst);
        self.code
            .extend_from_slice(&[0x01, 0xC0 | ((src as u8 & 7) << 3) | (dst as u8 & 7)]);
    }

    /// `dec r` (64-bit).
    fn dec(&mut self, r: R) {
        self.rex_w(Rax, r);
        self.code.extend_from_slice(&[0xFF, 0xC8 | (r as u8 & 7)]);
    }

    /// `add rsp, imm8`.
    fn add_rsp(&mut self, imm: i8) {
        self.code.extend_from_slice(&[0x48, 0x83, 0xC4, imm as u8]);
    }

    fn push(&mut self, r: R) {
        if r as u8 >= 8 {
            self.code.push(0x41);
        }
        self.code.push(0x50 + (r as u8 & 7));
    }

    fn pop(&mut self, r: R) {
        if r as u8 >= 8 {
            self.code.push(0x41);
        }
        self.code.push(0x58 + (r as u8 & 7));
    }

    fn pushfq(&mut self) {
        self.code.push(0x9C);
    }

    /// `std` (set the direction flag).
    fn std(&mut self) {
        self.code.push(0xFD);
    }

    /// `cld` (clear the direction flag).
    fn cld(&mut self) {
        self.code.push(0xFC);
    }

    /// `call target` (rel32).
    fn call(&mut self, target: usize) {
        let next = self.here() + 5;
        let rel = i32::try_from(target as i64 - next as i64).expect("call out of range");
        self.code.push(0xE8);
        self.code.extend_from_slice(&rel.to_le_bytes());
    }

    /// `jnz target` (rel32).
    fn jnz(&mut self, target: usize) {
        let next = self.here() + 6;
        let rel = i32::try_from(target as i64 - next as i64).expect("jump out of range");
        self.code.extend_from_slice(&[0x0F, 0x85]);
        self.code.extend_from_slice(&rel.to_le_bytes());
    }

    /// `jmp r11`.
    fn jmp_r11(&mut self) {
        self.code.extend_from_slice(&[0x41, 0xFF, 0xE3]);
    }

    fn ud2(&mut self) {
        self.code.extend_from_slice(&[0x0F, 0x0B]);
    }

    /// Any other instruction, as bytes.
    fn raw(&mut self, bytes: &[u8]) {
        self.code.extend_from_slice(bytes);
    }

    /// Pads with `int3` to a multiple of `n` bytes.
    fn align(&mut self, n: usize) {
        while !self.code.len().is_multiple_of(n) {
            self.code.push(0xCC);
        }
    }
}

// ---------------------------------------------------------------------------
// Guest programs.

/// Syscall numbers of the test programs.
mod sys {
    /// Reports `rdi..r9` as found at entry.
    pub const ENTRY_ARGS: u32 = 1;
    /// Reports `rbx, rbp, r12..r15` as found at entry.
    pub const ENTRY_SAVED: u32 = 2;
    /// Reports `rax, r10, r11` as found at entry, and rflags.
    pub const ENTRY_SCRATCH: u32 = 3;
    /// Takes six known arguments; returns a value.
    pub const ARGS: u32 = 4;
    /// Returns a value.
    pub const VALUE: u32 = 5;
    /// Takes the sum of the two returned values.
    pub const SUM: u32 = 6;
    /// Called with known values in the callee-saved registers.
    pub const CLOBBER: u32 = 7;
    /// Takes the callee-saved registers as arguments.
    pub const SAVED: u32 = 8;
    /// Takes eight arguments, the last two on the stack.
    pub const EIGHT: u32 = 9;
    /// Does nothing, returns 0 (benchmark).
    pub const NOP: u32 = 10;
    /// Leaves guest mode with code `rdi`.
    pub const EXIT: u32 = 11;
    /// Called with the direction flag set.
    pub const DIRECTION: u32 = 12;
    pub const COUNT: u32 = 13;
}

/// The six argument values of `sys::ARGS`.
const ARG_VALUES: [u64; 6] = [
    0x0101_0101_0101_0101,
    0xF2F2_F2F2_F2F2_F2F2,
    0x0303_0303_0303_0303,
    0x8484_8484_8484_8484,
    0x0505_0505_0505_0505,
    0xE6E6_E6E6_E6E6_E6E6,
];
/// What the guest puts in rbx, rbp, r12..r15 before `sys::CLOBBER`.
const SAVED_VALUES: [u64; 6] = [
    0x1B1B_1B1B_0000_0003,
    0x1B1B_1B1B_0000_0005,
    0x1B1B_1B1B_0000_000C,
    0x1B1B_1B1B_0000_000D,
    0x1B1B_1B1B_0000_000E,
    0x1B1B_1B1B_0000_000F,
];
/// Arguments 7 and 8 of `sys::EIGHT`.
const STACK_ARGS: [u64; 2] = [0x7777_0000_0000_0007, 0x8888_0000_0000_0008];

/// A loaded guest: code (stubs, then routines) and a stack.
struct Guest {
    _code: Mapping,
    stack: Mapping,
    /// Entry of the test program.
    main: usize,
    /// Entry of the benchmark loop (`rdi` = iterations).
    bench: usize,
    /// Entry of the exception program (see `exceptions_stop_and_resume`).
    faults: usize,
    /// Entry of the store program: `mov byte [rdi], 1`, then NOP and
    /// EXIT(0).
    store: usize,
}

const STACK_SIZE: usize = 64 * 1024;

impl Guest {
    fn new() -> Guest {
        let code = Mapping::new(
            16 * 1024,
            libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
        );
        let stack = Mapping::new(STACK_SIZE, libc::PROT_READ | libc::PROT_WRITE);
        let mut a = Asm::new(code.addr);

        // The "vDSO": one stub per syscall number.
        let mut stub = vec![0; sys::COUNT as usize];
        for (num, s) in stub.iter_mut().enumerate() {
            a.align(16);
            *s = a.here();
            a.mov_eax(num as u32);
            a.mov_imm(R11, syscall_entry_address() as u64);
            a.jmp_r11();
        }

        // The test program.
        a.align(16);
        let main = a.here();
        // Stash the scratch registers before anything clobbers them.
        a.push(Rax);
        a.push(R10);
        a.push(R11);
        a.call(stub[sys::ENTRY_ARGS as usize]);
        for (&arg, src) in ARGS.iter().zip([Rbx, Rbp, R12, R13, R14, R15]) {
            a.mov(arg, src);
        }
        a.call(stub[sys::ENTRY_SAVED as usize]);
        a.pop(Rdx); // r11
        a.pop(Rsi); // r10
        a.pop(Rdi); // rax
        a.pushfq();
        a.pop(Rcx);
        a.call(stub[sys::ENTRY_SCRATCH as usize]);
        // Arguments arrive; results come back.
        for (&r, v) in ARGS.iter().zip(ARG_VALUES) {
            a.mov_imm(r, v);
        }
        a.call(stub[sys::ARGS as usize]);
        a.mov(Rbx, Rax);
        a.call(stub[sys::VALUE as usize]);
        a.add(Rbx, Rax);
        a.mov(Rdi, Rbx);
        a.call(stub[sys::SUM as usize]);
        // Callee-saved registers survive a syscall.
        for (r, v) in [Rbx, Rbp, R12, R13, R14, R15].into_iter().zip(SAVED_VALUES) {
            a.mov_imm(r, v);
        }
        a.call(stub[sys::CLOBBER as usize]);
        for (&arg, src) in ARGS.iter().zip([Rbx, Rbp, R12, R13, R14, R15]) {
            a.mov(arg, src);
        }
        a.call(stub[sys::SAVED as usize]);
        // Arguments 7 and 8 on the stack.
        a.mov_imm(Rax, STACK_ARGS[1]);
        a.push(Rax);
        a.mov_imm(Rax, STACK_ARGS[0]);
        a.push(Rax);
        for (&r, v) in ARGS.iter().zip(ARG_VALUES) {
            a.mov_imm(r, v);
        }
        a.call(stub[sys::EIGHT as usize]);
        a.add_rsp(16);
        // A syscall with the direction flag set (against the ABI).
        a.mov(Rbx, Rax);
        a.std();
        a.call(stub[sys::DIRECTION as usize]);
        a.cld();
        // Exit with the result of EIGHT.
        a.mov(Rdi, Rbx);
        a.call(stub[sys::EXIT as usize]);
        a.ud2();

        // The benchmark loop: rdi iterations of NOP, then EXIT(0).
        a.align(16);
        let bench = a.here();
        a.mov(Rbx, Rdi);
        let top = a.here();
        a.call(stub[sys::NOP as usize]);
        a.dec(Rbx);
        a.jnz(top);
        a.mov_imm(Rdi, 0);
        a.call(stub[sys::EXIT as usize]);
        a.ud2();

        // The exception program: ud2, a null load, a raw Linux exit_group
        // and int3, each of which stops the guest; then EXIT(rdi).
        a.align(16);
        let faults = a.here();
        a.mov_imm(Rax, 0x1234);
        a.ud2();
        a.mov(Rdi, Rax);
        a.raw(&[0x48, 0x8B, 0x04, 0x25, 0, 0, 0, 0]); // mov rax, [0]
        a.raw(&[0xB8, 231, 0, 0, 0]); // mov eax, SYS_exit_group
        a.raw(&[0x0F, 0x05]); // syscall
        a.raw(&[0xCC]); // int3
        a.call(stub[sys::EXIT as usize]);
        a.ud2();

        // The store program.
        a.align(16);
        let store = a.here();
        a.raw(&[0xC6, 0x07, 0x01]); // mov byte [rdi], 1
        a.call(stub[sys::NOP as usize]);
        a.mov_imm(Rdi, 0);
        a.call(stub[sys::EXIT as usize]);
        a.ud2();

        code.write(&a.code);
        Guest {
            _code: code,
            stack,
            main,
            bench,
            faults,
            store,
        }
    }

    /// The initial stack pointer: the top of the stack, as after a `call`
    /// (`rsp % 16 == 8`).
    fn stack_top(&self) -> usize {
        self.stack.addr + STACK_SIZE - 8
    }
}

/// The direction flag in rflags.
const DF: u64 = 1 << 10;

/// Returns the host's rflags.
fn rflags() -> u64 {
    let f: u64;
    // SAFETY: pushes and pops one word; reads the flags, changes nothing.
    unsafe { std::arch::asm!("pushfq", "pop {}", out(reg) f) };
    f
}

/// A syscall as the handler saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Call {
    num: u32,
    args: [u64; 6],
    rsp: usize,
}

/// Runs the test program with `arg1`, `arg2`, checks every syscall it
/// makes, and returns the exit code it chose (`exit_code`) through
/// `run_guest`.
fn run_main(guest: &Guest, arg1: u64, arg2: u64, exit_code: i64) {
    let (v1, v2) = (arg1.wrapping_mul(3), arg2.wrapping_add(1000));
    let calls = std::rc::Rc::new(RefCell::new(Vec::<Call>::new()));
    let log = calls.clone();
    let stack_lo = guest.stack.addr;
    let stack_hi = guest.stack.addr + STACK_SIZE;
    on_syscall(move |num, args, rsp| {
        assert!(in_guest_mode());
        assert!((stack_lo..stack_hi).contains(&rsp), "guest rsp {rsp:#x}");
        log.borrow_mut().push(Call { num, args, rsp });
        match num {
            sys::ARGS => v1,
            sys::VALUE => v2,
            sys::EIGHT => {
                // Arguments 7 and 8, above the return address.
                assert_eq!(read_guest_u64(rsp + 8), STACK_ARGS[0]);
                assert_eq!(read_guest_u64(rsp + 16), STACK_ARGS[1]);
                exit_code as u64
            }
            sys::EXIT => {
                request_exit(args[0] as i64);
                // Never reaches the guest.
                0xDEAD
            }
            sys::DIRECTION => {
                assert_eq!(rflags() & DF, 0, "host code runs with DF set");
                0
            }
            _ => 0x5A5A_5A5A, // clobbers rax
        }
    });

    // SAFETY: the code and stack mappings are live, hold the program
    // just built, and the program only leaves through the trampoline.
    let exit = unsafe { run_guest(guest.main, guest.stack_top(), arg1, arg2) };
    assert_eq!(exit, GuestExit::Exited(exit_code));
    assert!(!in_guest_mode());

    let calls = calls.borrow();
    let nums: Vec<u32> = calls.iter().map(|c| c.num).collect();
    assert_eq!(
        nums,
        [
            sys::ENTRY_ARGS,
            sys::ENTRY_SAVED,
            sys::ENTRY_SCRATCH,
            sys::ARGS,
            sys::VALUE,
            sys::SUM,
            sys::CLOBBER,
            sys::SAVED,
            sys::EIGHT,
            sys::DIRECTION,
            sys::EXIT
        ]
    );
    let top = guest.stack_top();
    // At entry: rdi, rsi = the arguments, everything else zero (three
    // pushes and the call's return address below the initial rsp).
    assert_eq!(calls[0].args, [arg1, arg2, 0, 0, 0, 0]);
    assert_eq!(calls[0].rsp, top - 4 * 8);
    assert_eq!(calls[1].args, [0; 6]);
    let [rax, r10, r11, rflags, _, _] = calls[2].args;
    assert_eq!([rax, r10, r11], [0; 3]);
    assert_eq!(rflags & DF, 0, "direction flag set: {rflags:#x}");
    assert_eq!(calls[2].rsp, top - 8);
    assert_eq!(calls[3].args, ARG_VALUES);
    assert_eq!(calls[5].args[0], v1.wrapping_add(v2));
    assert_eq!(calls[7].args, SAVED_VALUES);
    assert_eq!(calls[8].args, ARG_VALUES);
    assert_eq!(calls[8].rsp, top - 3 * 8);
    assert_eq!(calls[10].args[0], exit_code as u64);
}

#[test]
fn registers_arguments_results_and_exit() {
    let guest = Guest::new();
    run_main(&guest, 0x1234_5678_9ABC_DEF0, 0xFEDC_BA98_7654_3210, 42);
}

#[test]
fn repeated_runs_on_one_thread() {
    let guest = Guest::new();
    for i in 0..200u64 {
        run_main(&guest, i, !i, i as i64 - 100);
    }
}

#[test]
fn concurrent_runs_on_four_threads() {
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            std::thread::spawn(move || {
                let guest = Guest::new();
                for i in 0..2000u64 {
                    run_main(&guest, t << 32 | i, t, (t * 1000 + i) as i64);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// Many live values in the host frame around `run_guest`: the compiler
/// keeps some in callee-saved registers, which the exit path must restore.
#[inline(never)]
fn host_frame(guest: &Guest, seed: u64) -> u64 {
    let v: [u64; 12] = std::array::from_fn(|i| black_box(seed.wrapping_mul(i as u64 + 7)));
    let (a, b, c, d, e, f) = (v[0], v[1], v[2], v[3], v[4], v[5]);
    let (g, h, i, j, k, l) = (v[6], v[7], v[8], v[9], v[10], v[11]);
    run_main(guest, a ^ b, c ^ d, (e ^ f) as i64 & 0xFFFF);
    let sum = a
        .wrapping_add(b.rotate_left(1))
        .wrapping_add(c.rotate_left(2))
        .wrapping_add(d.rotate_left(3))
        .wrapping_add(e.rotate_left(4))
        .wrapping_add(f.rotate_left(5))
        .wrapping_add(g.rotate_left(6))
        .wrapping_add(h.rotate_left(7))
        .wrapping_add(i.rotate_left(8))
        .wrapping_add(j.rotate_left(9))
        .wrapping_add(k.rotate_left(10))
        .wrapping_add(l.rotate_left(11));
    black_box(sum)
}

#[test]
fn host_state_survives() {
    let guest = Guest::new();
    for seed in [1u64, 0xDEAD_BEEF, u64::MAX / 3] {
        let expect: u64 = (0..12u64)
            .map(|i| seed.wrapping_mul(i + 7).rotate_left(i as u32))
            .fold(0, u64::wrapping_add);
        assert_eq!(host_frame(&guest, seed), expect);
    }
}

/// `run_guest` behind the C ABI, for the assembly below.
extern "C" fn run_guest_c(entry: usize, stack: usize) -> i64 {
    // SAFETY: the only caller passes the entry and stack of a live `Guest`.
    match unsafe { run_guest(entry, stack, 7, 8) } {
        GuestExit::Exited(code) => code,
        other => panic!("unexpected {other:?}"),
    }
}

/// Calls `run_guest` with known values in every callee-saved register
/// (the guest sets its own in the meantime) and returns what they hold
/// afterwards, in the order rbx, rbp, r12..r15, plus the exit code.
fn run_with_callee_saved(guest: &Guest, values: [u64; 6]) -> ([u64; 6], i64) {
    let mut bp = [values[0], values[1]];
    let (mut r12, mut r13, mut r14, mut r15) = (values[2], values[3], values[4], values[5]);
    let code: i64;
    // SAFETY: 1. rbx and rbp (which cannot be operands) are saved and
    // restored around the call, and the buffer they are stored to is `bp`;
    // 2. the stack is 16-byte aligned on entry (no `nostack`) and three
    // pushes and 8 bytes of padding keep it so at the call; 3. `run_guest_c` follows the C ABI,
    // whose clobbers are declared; 4. the guest is live (`run_guest_c`).
    unsafe {
        std::arch::asm!(
            "push rbx",
            "push rbp",
            "push rdx",
            "mov rbx, qword ptr [rdx]",
            "mov rbp, qword ptr [rdx + 8]",
            "sub rsp, 8",
            "call {f}",
            "add rsp, 8",
            "pop rdx",
            "mov qword ptr [rdx], rbx",
            "mov qword ptr [rdx + 8], rbp",
            "pop rbp",
            "pop rbx",
            f = sym run_guest_c,
            in("rdi") guest.main,
            in("rsi") guest.stack_top(),
            in("rdx") bp.as_mut_ptr(),
            inout("r12") r12,
            inout("r13") r13,
            inout("r14") r14,
            inout("r15") r15,
            out("rax") code,
            clobber_abi("C"),
        );
    }
    ([bp[0], bp[1], r12, r13, r14, r15], code)
}

#[test]
fn host_callee_saved_registers_survive() {
    let guest = Guest::new();
    on_syscall(|num, args, _| {
        if num == sys::EXIT {
            request_exit(args[0] as i64);
        }
        match num {
            sys::SAVED => {
                assert_eq!(args, SAVED_VALUES);
                0
            }
            _ => 99,
        }
    });
    let values = [
        0xB0B0_0000_0000_0001,
        0xB0B0_0000_0000_0002,
        0xB0B0_0000_0000_0003,
        0xB0B0_0000_0000_0004,
        0xB0B0_0000_0000_0005,
        0xB0B0_0000_0000_0006,
    ];
    assert_eq!(run_with_callee_saved(&guest, values), (values, 99));
}

#[test]
fn panicking_handler_and_nested_run_guest() {
    // A handler that tries to run a guest from inside a syscall panics
    // (already in guest mode); the guest gets ZX_ERR_INTERNAL instead.
    let guest = Guest::new();
    let (entry, top) = (guest.bench, guest.stack_top());
    let seen = std::rc::Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    on_syscall(move |num, args, _| {
        log.borrow_mut().push(num);
        match num {
            sys::NOP => {
                // SAFETY: never enters the guest: run_guest panics first.
                let _ = unsafe { run_guest(entry, top, 1, 0) };
                unreachable!("nested run_guest returned");
            }
            sys::EXIT => {
                request_exit(args[0] as i64);
                0
            }
            _ => panic!("unexpected syscall {num}"),
        }
    });
    // SAFETY: as in `run_main`.
    let exit = unsafe { run_guest(guest.bench, guest.stack_top(), 2, 0) };
    assert_eq!(exit, GuestExit::Exited(0));
    assert_eq!(*seen.borrow(), [sys::NOP, sys::NOP, sys::EXIT]);
}

/// Not a benchmark harness, just a number for the report: run with
/// `cargo test --release -p kernel-hal-unix --test context -- --nocapture`.
#[test]
fn round_trip_cost() {
    let n: u64 = if cfg!(debug_assertions) {
        100_000
    } else {
        1_000_000
    };
    let guest = Guest::new();
    on_syscall(|num, args, _| {
        if num == sys::EXIT {
            request_exit(args[0] as i64);
        }
        0
    });
    // Warm up, then measure.
    // SAFETY: as in `run_main`.
    unsafe { run_guest(guest.bench, guest.stack_top(), 1000, 0) };
    let t = Instant::now();
    // SAFETY: as in `run_main`.
    let exit = unsafe { run_guest(guest.bench, guest.stack_top(), n, 0) };
    let guest_ns = t.elapsed().as_nanos() as f64 / n as f64;
    assert_eq!(exit, GuestExit::Exited(0));

    let t = Instant::now();
    for _ in 0..n {
        // SAFETY: getppid has no preconditions.
        black_box(unsafe { libc::syscall(libc::SYS_getppid) });
    }
    let native_ns = t.elapsed().as_nanos() as f64 / n as f64;
    println!(
        "guest syscall round trip: {guest_ns:.1} ns; native getppid: {native_ns:.1} ns ({n} calls)"
    );
}

#[test]
fn exceptions_stop_and_resume() {
    kernel_hal_unix::install_fault_handlers().unwrap();
    let guest = Guest::new();
    on_syscall(|num, args, _| {
        if num == sys::EXIT {
            request_exit(args[0] as i64);
        }
        0
    });
    let unpack = |exit: GuestExit| match exit {
        GuestExit::Exception(e, regs) => (e, regs),
        other => panic!("expected an exception, got {other:?}"),
    };
    // ud2: stops at the instruction, rax as the guest set it.
    // SAFETY: as in `run_main`.
    let (e, mut regs) = unpack(unsafe { run_guest(guest.faults, guest.stack_top(), 0, 0) });
    assert_eq!(e.kind, ExceptionKind::UndefinedInstruction);
    assert_eq!(e.vector, 6);
    // SAFETY: rip points into the guest's code buffer, which is readable.
    let opcode = unsafe { std::ptr::read(regs.rip as *const [u8; 2]) };
    assert_eq!(opcode, [0x0F, 0x0B]);
    assert_eq!(regs.rax, 0x1234);
    assert_eq!(regs.rsp as usize, guest.stack_top());
    // Skip it, with a new rax: it reaches rdi.
    regs.rip += 2;
    regs.rax = 42;
    // The null load: a page fault with no mapping, at the load.
    // SAFETY: the registers come from the guest and point into its code.
    let (e, mut regs) = unpack(unsafe { resume_guest(&regs) });
    assert_eq!(
        e.kind,
        ExceptionKind::PageFault {
            addr: 0,
            access: PageFaultAccess::Read,
            error: FaultError::NotFound
        }
    );
    assert_eq!((e.vector, e.cr2), (14, 0));
    assert_eq!(regs.rdi, 42);
    regs.rip += 8;
    // The raw exit_group(42) never reaches Linux.
    // SAFETY: as above.
    let (e, regs) = unpack(unsafe { resume_guest(&regs) });
    assert_eq!(e.kind, ExceptionKind::BadSyscall { number: 231 });
    // int3: reported after the instruction, as the CPU does.
    // SAFETY: as above.
    let (e, regs) = unpack(unsafe { resume_guest(&regs) });
    assert_eq!(e.kind, ExceptionKind::SoftwareBreakpoint);
    assert_eq!(e.vector, 3);
    // Resuming reaches EXIT with the rdi set above.
    // SAFETY: as above.
    assert_eq!(unsafe { resume_guest(&regs) }, GuestExit::Exited(42));
}

/// A window whose resolver maps the faulting page and then lets go of the
/// last reference anyone else has to it (as a process dying on another
/// thread while one of its threads faults would).
struct Doomed {
    hal: Arc<kernel_hal_unix::UnixHal>,
    pt: kernel_hal_unix::UnixPageTable,
    frame: Mutex<Option<usize>>,
}

/// The only reference to the `Doomed` window besides the fault handler's.
static DOOMED: Mutex<Option<Arc<Doomed>>> = Mutex::new(None);
/// Set when `Doomed` is dropped: whether that happened in guest mode (that
/// is, inside the fault handler).
static DROPPED_IN_GUEST_MODE: Mutex<Option<bool>> = Mutex::new(None);

impl FaultResolver for Doomed {
    fn resolve_fault(&self, vaddr: VirtAddr, _: PageFaultAccess) -> Result<(), FaultError> {
        let page = vaddr & !(PAGE_SIZE - 1);
        let pa = self
            .hal
            .unix_phys()
            .alloc_frames(1)
            .map_err(|_| FaultError::NoMemory)?;
        *self.frame.lock().unwrap() = Some(pa);
        self.pt
            .map(page, pa, PAGE_SIZE, MMUFlags::READ | MMUFlags::WRITE)
            .map_err(|_| FaultError::NoMemory)?;
        let other = DOOMED.lock().unwrap().take();
        drop(other);
        Ok(())
    }
}

impl Drop for Doomed {
    fn drop(&mut self) {
        *DROPPED_IN_GUEST_MODE.lock().unwrap() = Some(in_guest_mode());
        if let Some(pa) = self.frame.lock().unwrap().take() {
            let _ = self.pt.unmap(self.pt.window().0, self.pt.window().1);
            self.hal.unix_phys().free_frames(pa, 1);
        }
    }
}

#[test]
fn an_address_space_losing_its_last_reference_in_a_fault_goes_after_the_guest_exits() {
    // LOCKING hazard 6: the fault handler's reference to the resolver could
    // be the last, and then the whole address space was torn down in the
    // signal handler (here the guest's retried store then found no window).
    kernel_hal_unix::install_fault_handlers().unwrap();
    let hal = kernel_hal_unix::global_hal();
    let pt = hal.new_unix_page_table().unwrap();
    let target = pt.window().0 + 5 * PAGE_SIZE;
    let doomed = Arc::new(Doomed {
        hal,
        pt,
        frame: Mutex::new(None),
    });
    let weak: Weak<dyn FaultResolver> = Arc::downgrade(&(doomed.clone() as Arc<dyn FaultResolver>));
    doomed.pt.set_fault_resolver(weak);
    *DOOMED.lock().unwrap() = Some(doomed);
    let guest = Guest::new();
    on_syscall(|num, args, _| {
        if num == sys::NOP {
            // The store went through, and the window is still there.
            assert_eq!(*DROPPED_IN_GUEST_MODE.lock().unwrap(), None);
        }
        if num == sys::EXIT {
            request_exit(args[0] as i64);
        }
        0
    });
    // SAFETY: as in `run_main`; the program stores only to `target`.
    let exit = unsafe { run_guest(guest.store, guest.stack_top(), target as u64, 0) };
    assert_eq!(exit, GuestExit::Exited(0));
    assert_eq!(*DROPPED_IN_GUEST_MODE.lock().unwrap(), Some(false));
}
