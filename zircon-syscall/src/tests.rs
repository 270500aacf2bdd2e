//! Unit tests of the dispatcher against the fake HAL: the generated decode
//! (register and stack arguments, user pointers), outcomes, and the panic
//! policy. Guest programs test each syscall's semantics end to end
//! (`linux-loader/tests`); these test the layer itself.

use std::sync::{Arc, Mutex};

use kernel_hal::fake::FakeHal;
use zircon_object::object::KernelObject as _;
use zircon_object::task::{Job, Process, Thread};
use zircon_object::vm::VmObject;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::{dispatch, numbers, run_guarded, set_current, Host, Outcome, Syscall, ThreadStart};

/// A host that records what the syscall layer asked of it.
#[derive(Default)]
struct FakeHost {
    /// Threads "spawned" (no host thread is made).
    spawned: Mutex<Vec<(Arc<Thread>, ThreadStart)>>,
    /// Whether spawning fails (as when the host is out of threads).
    refuse_threads: bool,
    /// The FS base last set, if the calling thread runs guest code.
    fs: Mutex<Option<u64>>,
    /// Whether the calling host thread runs guest code.
    in_guest: bool,
}

impl Host for FakeHost {
    fn spawn_thread(&self, _: Arc<Process>, thread: Arc<Thread>, start: ThreadStart) -> ZxResult {
        if self.refuse_threads {
            return Err(ZxError::NO_RESOURCES);
        }
        self.spawned.lock().unwrap().push((thread, start));
        Ok(())
    }

    fn set_current_fs(&self, value: u64) -> bool {
        *self.fs.lock().unwrap() = Some(value);
        self.in_guest
    }
}

/// A process with a started thread, current on this host thread, and the
/// address of one read-write scratch page mapped in it.
struct Guest {
    host: FakeHost,
    process: Arc<Process>,
    _job: Arc<Job>,
    scratch: usize,
}

impl Guest {
    fn new() -> Guest {
        Guest::with_host(FakeHost {
            in_guest: true,
            ..FakeHost::default()
        })
    }

    fn with_host(host: FakeHost) -> Guest {
        let hal = Arc::new(FakeHal::new());
        let job = Job::root();
        let process = Process::create(hal.clone(), &job, "test").unwrap();
        let thread = Thread::create(&process, b"main").unwrap();
        thread.start().unwrap();
        let vmo = VmObject::create(hal, 4096, 0).unwrap();
        let vmar = process.root_vmar();
        // ZX_VM_PERM_READ | ZX_VM_PERM_WRITE
        let scratch = vmar
            .map(vmar.default_rights(), 0b11, 0, &vmo, Rights::all(), 0, 4096)
            .unwrap();
        set_current(Some(process.clone()), Some(thread));
        Guest {
            host,
            process,
            _job: job,
            scratch,
        }
    }

    fn call(&self, num: u32, args: &[u64]) -> Outcome {
        let mut regs = [0u64; 6];
        regs[..args.len()].copy_from_slice(args);
        dispatch(&self.host, num, regs, self.scratch + 2048)
    }

    fn status(&self, num: u32, args: &[u64]) -> Result<(), ZxError> {
        match self.call(num, args) {
            Outcome::Return(0) => Ok(()),
            Outcome::Return(raw) => Err(ZxError::from_raw(raw as i32).expect("a status")),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn read_u64(&self, at: usize) -> u64 {
        let mut b = [0u8; 8];
        self.process
            .root_vmar()
            .aspace()
            .copy_from_user(at, &mut b)
            .unwrap();
        u64::from_le_bytes(b)
    }

    fn write_u64(&self, at: usize, v: u64) {
        self.process
            .root_vmar()
            .aspace()
            .copy_to_user(at, &v.to_le_bytes())
            .unwrap();
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        set_current(None, None);
    }
}

#[test]
fn register_arguments_and_out_pointers_are_decoded() {
    let g = Guest::new();
    let out = g.scratch as u64;
    g.status(numbers::VMO_CREATE, &[12345, 0, out]).unwrap();
    let vmo = g.read_u64(g.scratch) as u32 as u64;
    g.status(numbers::VMO_GET_SIZE, &[vmo, out + 8]).unwrap();
    assert_eq!(g.read_u64(g.scratch + 8), 16384, "rounded up to pages");
    g.status(numbers::HANDLE_CLOSE, &[vmo]).unwrap();
    assert_eq!(
        g.status(numbers::HANDLE_CLOSE, &[vmo]),
        Err(ZxError::BAD_HANDLE)
    );
}

#[test]
fn a_bad_out_pointer_is_invalid_args_and_leaves_no_handle() {
    let g = Guest::new();
    let before = g.process.handles().len();
    assert_eq!(
        g.status(numbers::VMO_CREATE, &[4096, 0, 8]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(g.process.handles().len(), before);
}

#[test]
fn arguments_seven_and_eight_come_from_the_stack() {
    let g = Guest::new();
    let out = g.scratch as u64;
    g.status(numbers::VMO_CREATE, &[4096, 0, out]).unwrap();
    let vmo = g.read_u64(g.scratch) as u32 as u64;
    // zx_vmar_map's 7th argument, mapped_addr, sits above the return
    // address at guest_rsp (scratch + 2048).
    let rsp = g.scratch + 2048;
    g.write_u64(rsp + 8, out + 16);
    let root = g.process.add_handle(
        g.process.root_vmar().clone(),
        g.process.root_vmar().default_rights(),
    ) as u64;
    assert_eq!(
        g.call(numbers::VMAR_MAP, &[root, 1, 0, vmo, 0, 4096]),
        Outcome::Return(0)
    );
    let mapped = g.read_u64(g.scratch + 16) as usize;
    let (base, size) = g.process.root_vmar().aspace().window();
    assert!(mapped >= base && mapped < base + size, "{mapped:#x}");
}

#[test]
fn an_unreadable_stack_is_invalid_args() {
    let g = Guest::new();
    let r = dispatch(&g.host, numbers::VMAR_MAP, [0; 6], 16);
    assert_eq!(r, Outcome::Return(ZxError::INVALID_ARGS.into_raw() as u64));
    // Wrapping past the end of the address space, too.
    let r = dispatch(&g.host, numbers::CHANNEL_READ, [0; 6], usize::MAX - 4);
    assert_eq!(r, Outcome::Return(ZxError::INVALID_ARGS.into_raw() as u64));
    drop(g);
}

#[test]
fn unknown_and_vdso_only_numbers_are_bad_syscall() {
    let g = Guest::new();
    let bad = Err(ZxError::BAD_SYSCALL);
    assert_eq!(g.status(0, &[]), bad);
    assert_eq!(g.status(9999, &[]), bad);
    assert_eq!(g.status(numbers::SYSTEM_GET_PAGE_SIZE, &[]), bad);
}

#[test]
fn unsupported_numbers_answer_not_supported_and_change_nothing() {
    let g = Guest::new();
    let out = g.scratch as u64;
    g.write_u64(g.scratch, 0x5a5a_5a5a);
    let before = g.process.handles().len();
    let not_supported = Err(ZxError::NOT_SUPPORTED);
    // zx_vmo_create_contiguous(0, 4096, 0, &out): no handle appears,
    // nothing is written.
    assert_eq!(
        g.status(numbers::VMO_CREATE_CONTIGUOUS, &[0, 4096, 0, out]),
        not_supported
    );
    assert_eq!(g.read_u64(g.scratch), 0x5a5a_5a5a);
    assert_eq!(g.process.handles().len(), before);
    // An eight-argument call: its stack arguments are not even read (this
    // stack pointer is unreadable).
    let r = dispatch(&g.host, numbers::BTI_PIN, [1, 2, 3, 4, 5, 6], 16);
    assert_eq!(r, Outcome::Return(ZxError::NOT_SUPPORTED.into_raw() as u64));
    // Every call the table marks unsupported, whatever its arguments.
    for c in crate::table::SYSCALLS.iter().filter(|c| c.unsupported) {
        assert_eq!(
            g.status(c.num, &[u64::MAX, 3, out, 0, 0, 0]),
            not_supported,
            "{}",
            c.name
        );
    }
    assert_eq!(g.read_u64(g.scratch), 0x5a5a_5a5a);
    assert_eq!(g.process.handles().len(), before);
}

#[test]
fn non_status_results_are_returned_as_values() {
    let g = Guest::new();
    let Outcome::Return(cpus) = g.call(numbers::SYSTEM_GET_NUM_CPUS, &[]) else {
        panic!()
    };
    assert!(cpus >= 1);
    let Outcome::Return(t0) = g.call(numbers::CLOCK_GET_MONOTONIC, &[]) else {
        panic!()
    };
    let Outcome::Return(t1) = g.call(numbers::DEADLINE_AFTER, &[1_000_000]) else {
        panic!()
    };
    assert!(t1 as i64 >= t0 as i64 + 1_000_000);
}

#[test]
fn exits_are_outcomes_and_a_dead_process_makes_no_more_calls() {
    let g = Guest::new();
    assert_eq!(g.call(numbers::THREAD_EXIT, &[]), Outcome::ExitThread);
    assert_eq!(
        g.call(numbers::PROCESS_EXIT, &[(-7i64) as u64]),
        Outcome::Exit(-7)
    );
    assert_eq!(g.process.state().return_code, -7);
    assert_eq!(g.call(numbers::HANDLE_CLOSE, &[0]), Outcome::ExitThread);
}

#[test]
fn a_panicking_handler_kills_its_process_and_poisons_nothing() {
    let g = Guest::new();
    let sys = Syscall {
        process: &g.process,
        host: &g.host,
        regs: [0; 6],
        guest_rsp: 0,
    };
    let outcome = run_guarded(&sys, numbers::VMO_CREATE, || {
        // A handler bug while holding the process's handle table lock.
        let _table = sys.process.handles();
        panic!("handler bug");
    });
    assert_eq!(outcome, Outcome::ExitThread);
    assert!(g.process.is_exited());
    assert_eq!(
        g.process.state().return_code,
        zircon_object::task::process::TASK_RETCODE_SYSCALL_KILL
    );
    // The lock is usable afterwards: process teardown took it already, and
    // so can anyone else.
    let _ = g.process.handles().len();
}

impl Guest {
    /// Creates a thread in the guest's own process; returns its handle.
    fn new_thread(&self) -> u64 {
        let own = self
            .process
            .add_handle(self.process.clone(), Rights::DEFAULT_PROCESS) as u64;
        let name = self.scratch as u64 + 64;
        self.write_u64(name as usize, u64::from_le_bytes(*b"worker\0\0"));
        let out = self.scratch as u64 + 128;
        self.status(numbers::THREAD_CREATE, &[own, name, 6, 0, out])
            .unwrap();
        self.read_u64(out as usize) as u32 as u64
    }
}

#[test]
fn thread_start_asks_the_host_for_a_thread_with_its_start_registers() {
    let g = Guest::new();
    g.process.mark_started(1).unwrap();
    let t = g.new_thread();
    let (entry, stack) = (g.scratch as u64 + 16, g.scratch as u64 + 4096);
    g.status(numbers::THREAD_START, &[t, entry, stack, 7, 8])
        .unwrap();
    let spawned = g.host.spawned.lock().unwrap();
    assert_eq!(spawned.len(), 1);
    let (thread, start) = &spawned[0];
    assert_eq!(thread.base().name(), "worker");
    assert_eq!(
        *start,
        ThreadStart {
            entry: entry as usize,
            stack: stack as usize,
            arg1: 7,
            arg2: 8
        }
    );
}

#[test]
fn a_host_out_of_threads_fails_the_start_and_the_thread_dies() {
    let g = Guest::with_host(FakeHost {
        refuse_threads: true,
        in_guest: true,
        ..FakeHost::default()
    });
    g.process.mark_started(1).unwrap();
    let t = g.new_thread();
    let (entry, stack) = (g.scratch as u64 + 16, g.scratch as u64 + 4096);
    assert_eq!(
        g.status(numbers::THREAD_START, &[t, entry, stack, 0, 0]),
        Err(ZxError::NO_RESOURCES)
    );
    let (thread, _) = g
        .process
        .get_object::<Thread>(t as u32, Rights::empty())
        .unwrap();
    assert!(thread.is_dead());
}

#[test]
fn task_kill_checks_destroy_before_the_type_and_kills_no_thread() {
    let g = Guest::new();
    g.process.mark_started(1).unwrap();
    let t = g.new_thread();
    let (thread, _) = g
        .process
        .get_object::<Thread>(t as u32, Rights::empty())
        .unwrap();
    // A thread handle has DESTROY by default: the type decides, and a
    // thread is no task zx_task_kill ends (Zircon's sys_task_kill).
    assert_eq!(g.status(numbers::TASK_KILL, &[t]), Err(ZxError::WRONG_TYPE));
    assert!(!thread.is_dead());
    // Without DESTROY the rights decide first, whatever the type.
    let weak = g
        .process
        .add_handle(thread.clone(), Rights::DEFAULT_THREAD - Rights::DESTROY);
    assert_eq!(
        g.status(numbers::TASK_KILL, &[weak as u64]),
        Err(ZxError::ACCESS_DENIED)
    );
    let event = zircon_object::ipc::Event::new();
    // ZX_DEFAULT_EVENT_RIGHTS: no DESTROY.
    let plain = g
        .process
        .add_handle(event.clone(), Rights::BASIC | Rights::SIGNAL);
    assert_eq!(
        g.status(numbers::TASK_KILL, &[plain as u64]),
        Err(ZxError::ACCESS_DENIED)
    );
    let all = g.process.add_handle(event, Rights::all());
    assert_eq!(
        g.status(numbers::TASK_KILL, &[all as u64]),
        Err(ZxError::WRONG_TYPE)
    );
    let child = g._job.create_child().unwrap();
    let job = g.process.add_handle(child.clone(), Rights::DEFAULT_JOB);
    assert_eq!(
        g.status(numbers::TASK_KILL, &[u64::from(job ^ 0x10)]),
        Err(ZxError::BAD_HANDLE)
    );
    g.status(numbers::TASK_KILL, &[job as u64]).unwrap();
    assert!(child.info().exited);
    // Killing its own process ends the calling thread, and the other too.
    let own = g
        .process
        .add_handle(g.process.clone(), Rights::DEFAULT_PROCESS);
    assert!(matches!(
        g.call(numbers::TASK_KILL, &[own as u64]),
        Outcome::ExitThread
    ));
    assert!(g.process.is_exited());
    assert!(thread.is_dead());
}

#[test]
fn register_fs_goes_to_the_host_and_reports_a_thread_outside_guest_code() {
    let value = 0x7000_1234_5000;
    for in_guest in [true, false] {
        let g = Guest::with_host(FakeHost {
            in_guest,
            ..FakeHost::default()
        });
        // The calling thread's own handle.
        let me = crate::current_thread().unwrap();
        let h = g.process.add_handle(me, Rights::DEFAULT_THREAD) as u64;
        g.write_u64(g.scratch + 256, value);
        let r = g.status(
            numbers::OBJECT_SET_PROPERTY,
            &[h, 4, g.scratch as u64 + 256, 8],
        );
        assert_eq!(
            r,
            if in_guest {
                Ok(())
            } else {
                Err(ZxError::BAD_STATE)
            }
        );
        assert_eq!(*g.host.fs.lock().unwrap(), Some(value));
    }
}

#[test]
fn system_facts_come_from_the_hal() {
    let g = Guest::new();
    assert_eq!(
        g.call(numbers::SYSTEM_GET_PHYSMEM, &[]),
        Outcome::Return(kernel_hal::fake::FAKE_PHYSMEM)
    );
    assert_eq!(
        g.call(numbers::SYSTEM_GET_DCACHE_LINE_SIZE, &[]),
        Outcome::Return(u64::from(kernel_hal::fake::FAKE_DCACHE_LINE))
    );
    let out = g.scratch as u64;
    g.write_u64(g.scratch, u64::MAX);
    // ZX_FEATURE_KIND_VM: no execute-only mappings on x86.
    g.status(numbers::SYSTEM_GET_FEATURES, &[4, out]).unwrap();
    assert_eq!(g.read_u64(g.scratch) as u32, 0);
    assert_eq!(
        g.status(numbers::SYSTEM_GET_FEATURES, &[0, out]),
        Err(ZxError::NOT_SUPPORTED)
    );
    assert_eq!(
        g.status(numbers::SYSTEM_GET_FEATURES, &[5, out]),
        Err(ZxError::NOT_SUPPORTED)
    );
    assert_eq!(
        g.status(numbers::SYSTEM_GET_FEATURES, &[1, 8]),
        Err(ZxError::INVALID_ARGS)
    );
}

#[test]
fn clock_structures_are_read_and_written_at_fuchsias_layout() {
    let g = Guest::new();
    let s = g.scratch as u64;
    // zx_clock_create_args_v1_t { backstop_time = 777 } at s + 64.
    g.write_u64(g.scratch + 64, 777);
    g.status(numbers::CLOCK_CREATE, &[1 << 58, s + 64, s])
        .unwrap();
    let clock = g.read_u64(g.scratch) as u32 as u64;
    g.status(numbers::CLOCK_READ, &[clock, s + 8]).unwrap();
    assert_eq!(g.read_u64(g.scratch + 8), 777);
    // zx_clock_update_args_v2_t: rate 0, synthetic 5000, reference 0,
    // error bound 99, with SYNTHETIC_VALUE | ERROR_BOUND.
    let args = g.scratch + 128;
    for (i, v) in [0u64, 5000, 0, 99].iter().enumerate() {
        g.write_u64(args + 8 * i, *v);
    }
    g.status(
        numbers::CLOCK_UPDATE,
        &[clock, (2 << 58) | 0b101, args as u64],
    )
    .unwrap();
    let details = g.scratch + 256;
    g.status(
        numbers::CLOCK_GET_DETAILS,
        &[clock, 1 << 58, details as u64],
    )
    .unwrap();
    assert_eq!(g.read_u64(details + 8), 777, "backstop_time");
    assert_eq!(g.read_u64(details + 40 + 8), 5000, "synthetic_offset");
    assert_eq!(g.read_u64(details + 40 + 16), 1 | (1 << 32), "rate 1/1");
    assert_eq!(g.read_u64(details + 64), 99, "error_bound");
    assert_eq!(g.read_u64(details + 104) as u32, 2, "generation_counter");
    // Version 0 with a structure, or an unknown version: INVALID_ARGS.
    assert_eq!(
        g.status(numbers::CLOCK_CREATE, &[0, s + 64, s]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::CLOCK_UPDATE, &[clock, (3 << 58) | 1, args as u64]),
        Err(ZxError::INVALID_ARGS)
    );
}

#[test]
fn stream_calls_decode_their_iovecs_offsets_and_outputs() {
    let g = Guest::new();
    let s = g.scratch as u64;
    g.status(numbers::VMO_CREATE, &[4096, 0, s]).unwrap();
    let vmo = g.read_u64(g.scratch) as u32 as u64;
    g.status(numbers::VMO_SET_STREAM_SIZE, &[vmo, 0]).unwrap();
    // Unknown option bits are refused before the handle is looked at.
    assert_eq!(
        g.status(numbers::STREAM_CREATE, &[8, 0xdead, 0, s]),
        Err(ZxError::INVALID_ARGS)
    );
    g.status(numbers::STREAM_CREATE, &[3, vmo, 5, s]).unwrap();
    let stream = g.read_u64(g.scratch) as u32 as u64;
    let basic = g.process.handles().get(stream as u32).unwrap().to_ref();
    assert_eq!(basic.rights.bits(), 0xD0C3 | 0xC);
    // One iovec at scratch+64 naming the 4 bytes at scratch+256.
    g.write_u64(g.scratch + 64, s + 256);
    g.write_u64(g.scratch + 72, 4);
    g.write_u64(g.scratch + 256, u64::from_le_bytes(*b"wxyz\0\0\0\0"));
    let actual = s + 128;
    g.status(numbers::STREAM_WRITEV, &[stream, 0, s + 64, 1, actual])
        .unwrap();
    assert_eq!(g.read_u64(g.scratch + 128), 4);
    g.status(numbers::VMO_GET_STREAM_SIZE, &[vmo, s + 136])
        .unwrap();
    assert_eq!(
        g.read_u64(g.scratch + 136),
        9,
        "zeros from 0 to the seek, then 4"
    );
    // A NULL array is INVALID_ARGS even with no entries; bad options too.
    assert_eq!(
        g.status(numbers::STREAM_READV, &[stream, 0, 0, 0, actual]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::STREAM_READV, &[stream, 1, s + 64, 1, actual]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::STREAM_WRITEV, &[stream, 2, s + 64, 1, actual]),
        Err(ZxError::INVALID_ARGS)
    );
    // readv_at's offset is its third argument; NULL actual is fine.
    g.write_u64(g.scratch + 72, 8);
    g.status(numbers::STREAM_READV_AT, &[stream, 0, 6, s + 64, 1, 0])
        .unwrap();
    assert_eq!(
        g.read_u64(g.scratch + 256) & 0xff_ffff,
        u64::from(u32::from_le_bytes(*b"xyz\0"))
    );
    // Seek with a negative offset from the end, then with a NULL out.
    g.status(numbers::STREAM_SEEK, &[stream, 2, (-2i64) as u64, s + 144])
        .unwrap();
    assert_eq!(g.read_u64(g.scratch + 144), 7);
    g.status(numbers::STREAM_SEEK, &[stream, 0, 1, 0]).unwrap();
    assert_eq!(
        g.status(numbers::STREAM_SEEK, &[stream, 3, 0, 0]),
        Err(ZxError::INVALID_ARGS)
    );
    // ZX_INFO_STREAM (26): options, seek, content size.
    g.status(numbers::OBJECT_GET_INFO, &[stream, 26, s + 512, 24, 0, 0])
        .unwrap();
    assert_eq!(g.read_u64(g.scratch + 512) as u32, 3);
    assert_eq!(g.read_u64(g.scratch + 520), 1);
    assert_eq!(g.read_u64(g.scratch + 528), 9);
    // ZX_PROP_STREAM_MODE_APPEND (19): one byte; any non-zero value sets it.
    g.write_u64(g.scratch + 600, 0x7700);
    g.status(numbers::OBJECT_SET_PROPERTY, &[stream, 19, s + 601, 1])
        .unwrap();
    g.status(numbers::OBJECT_GET_PROPERTY, &[stream, 19, s + 608, 1])
        .unwrap();
    assert_eq!(g.read_u64(g.scratch + 608) & 0xff, 1);
    assert_eq!(
        g.status(numbers::OBJECT_GET_PROPERTY, &[stream, 19, s + 608, 0]),
        Err(ZxError::BUFFER_TOO_SMALL)
    );
    assert_eq!(
        g.status(numbers::OBJECT_GET_PROPERTY, &[vmo, 19, s + 608, 1]),
        Err(ZxError::WRONG_TYPE)
    );
    // set_stream_size needs WRITE; get_stream_size needs nothing.
    g.status(numbers::HANDLE_DUPLICATE, &[vmo, 0, s + 616])
        .unwrap();
    let bare = g.read_u64(g.scratch + 616) as u32 as u64;
    assert_eq!(
        g.status(numbers::VMO_SET_STREAM_SIZE, &[bare, 1]),
        Err(ZxError::ACCESS_DENIED)
    );
    g.status(numbers::VMO_GET_STREAM_SIZE, &[bare, s + 136])
        .unwrap();
    assert_eq!(
        g.status(numbers::VMO_SET_STREAM_SIZE, &[vmo, 4097]),
        Err(ZxError::OUT_OF_RANGE)
    );
    // A stream handle with neither READ nor WRITE cannot seek.
    g.status(numbers::STREAM_CREATE, &[0, bare, 0, s]).unwrap();
    let none = g.read_u64(g.scratch) as u32 as u64;
    assert_eq!(
        g.status(numbers::STREAM_SEEK, &[none, 0, 0, 0]),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(
        g.status(numbers::STREAM_CREATE, &[1, bare, 0, s]),
        Err(ZxError::ACCESS_DENIED)
    );
}

impl Guest {
    fn write_words(&self, at: usize, words: &[u32]) {
        let raw: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.process
            .root_vmar()
            .aspace()
            .copy_to_user(at, &raw)
            .unwrap();
    }

    fn read_words(&self, at: usize, n: usize) -> Vec<u32> {
        let mut raw = vec![0u8; n * 4];
        self.process
            .root_vmar()
            .aspace()
            .copy_from_user(at, &mut raw)
            .unwrap();
        raw.chunks_exact(4)
            .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
            .collect()
    }

    /// Makes a handle with `num` (`*_create(options, out)` or a pair) and
    /// returns its value(s).
    fn create2(&self, num: u32) -> (u64, u64) {
        let out = (self.scratch + 1024) as u64;
        self.status(num, &[0, out, out + 4]).unwrap();
        let w = self.read_words(self.scratch + 1024, 2);
        (w[0] as u64, w[1] as u64)
    }
}

/// `zx_handle_disposition_t` is five words and `zx_handle_info_t` four, at
/// Fuchsia's offsets: a duplicate with fewer rights arrives with exactly
/// those rights, and the source stays.
#[test]
fn write_etc_and_read_etc_use_fuchsias_layouts() {
    let g = Guest::new();
    let (a, b) = g.create2(numbers::CHANNEL_CREATE);
    let (ev, _) = g.create2(numbers::EVENT_CREATE);
    let d = g.scratch + 64;
    // ZX_HANDLE_OP_DUPLICATE, handle, ZX_OBJ_TYPE_EVENT, TRANSFER | WAIT, ZX_OK
    let reduced = (Rights::TRANSFER | Rights::WAIT).bits();
    g.write_words(d, &[1, ev as u32, 5, reduced, 0]);
    g.status(numbers::CHANNEL_WRITE_ETC, &[a, 0, 0, 0, d as u64, 1])
        .unwrap();
    assert!(g.process.handles().get(ev as u32).is_ok(), "duplicated");
    let info = g.scratch + 128;
    let actual = (g.scratch + 256) as u64;
    // read_etc has eight arguments: the last two come from the stack.
    g.write_u64(g.scratch + 2048 + 8, actual);
    g.write_u64(g.scratch + 2048 + 16, actual + 4);
    g.status(numbers::CHANNEL_READ_ETC, &[b, 0, 0, info as u64, 0, 1])
        .unwrap();
    let w = g.read_words(info, 4);
    assert_eq!(w[1], 5, "ZX_OBJ_TYPE_EVENT");
    assert_eq!(w[2], reduced);
    assert_eq!(w[3], 0, "unused");
    assert_eq!(
        g.process.handles().get(w[0]).unwrap().rights.bits(),
        reduced
    );
    assert_eq!(g.read_words(actual as usize, 2), vec![0, 1]);
}

/// A failed handle step writes each entry's status into its `result` (the
/// fifth word); a failure before it consumes moves and keeps duplicates.
#[test]
fn write_etc_reports_per_handle_and_consumes_moves() {
    let g = Guest::new();
    let (a, _b) = g.create2(numbers::CHANNEL_CREATE);
    let (e1, _) = g.create2(numbers::EVENT_CREATE);
    let (e2, _) = g.create2(numbers::EVENT_CREATE);
    let d = g.scratch + 64;
    let same = Rights::SAME_RIGHTS.bits();
    // A move of e1 checked as a VMO (3), then a duplicate of e2.
    g.write_words(d, &[0, e1 as u32, 3, same, 0, 1, e2 as u32, 0, same, 0]);
    assert_eq!(
        g.status(numbers::CHANNEL_WRITE_ETC, &[a, 0, 0, 0, d as u64, 2]),
        Err(ZxError::WRONG_TYPE)
    );
    let w = g.read_words(d, 10);
    assert_eq!(w[4] as i32, ZxError::WRONG_TYPE.into_raw());
    assert_eq!(w[9], 0);
    assert!(g.process.handles().get(e1 as u32).is_err());
    assert!(g.process.handles().get(e2 as u32).is_ok());
    // Bad options: nothing is looked at, the move is consumed anyway.
    let (e3, _) = g.create2(numbers::EVENT_CREATE);
    g.write_words(d, &[0, e3 as u32, 0, same, 0, 1, e2 as u32, 0, same, 0]);
    assert_eq!(
        g.status(numbers::CHANNEL_WRITE_ETC, &[a, 1, 0, 0, d as u64, 2]),
        Err(ZxError::INVALID_ARGS)
    );
    assert!(g.process.handles().get(e3 as u32).is_err());
    assert!(g.process.handles().get(e2 as u32).is_ok());
    assert_eq!(g.read_words(d + 16, 1), vec![0], "no result written");
}

#[test]
fn read_options_are_not_supported() {
    let g = Guest::new();
    let (_a, b) = g.create2(numbers::CHANNEL_CREATE);
    g.write_u64(g.scratch + 2048 + 8, 0);
    g.write_u64(g.scratch + 2048 + 16, 0);
    for num in [numbers::CHANNEL_READ, numbers::CHANNEL_READ_ETC] {
        assert_eq!(
            g.status(num, &[b, 2, 0, 0, 0, 0]),
            Err(ZxError::NOT_SUPPORTED)
        );
    }
}

#[test]
fn resources_debuglogs_and_system_events_through_the_dispatcher() {
    use zircon_object::system::resource::{DEFAULT_RESOURCE_RIGHTS, KIND_MMIO, KIND_SYSTEM};
    use zircon_object::system::Resource;
    let g = Guest::new();
    let out = g.scratch as u64;
    let root = g
        .process
        .add_handle(Resource::root(), DEFAULT_RESOURCE_RIGHTS) as u64;
    // zx_resource_create(root, SYSTEM, DEBUGLOG_BASE, 1, NULL, 0, &out):
    // seven arguments, the last one on the stack.
    let sp = g.scratch + 2048;
    g.write_u64(sp + 8, out);
    let r = dispatch(
        &g.host,
        numbers::RESOURCE_CREATE,
        [root, KIND_SYSTEM as u64, 12, 1, 0, 0],
        sp,
    );
    assert_eq!(r, Outcome::Return(0));
    let dlog_rsrc = g.read_u64(g.scratch) as u32 as u64;
    // An MMIO resource is no debuglog resource.
    g.write_u64(sp + 8, out + 8);
    let r = dispatch(
        &g.host,
        numbers::RESOURCE_CREATE,
        [root, KIND_MMIO as u64, 1 << 40, 4096, 0, 0],
        sp,
    );
    assert_eq!(r, Outcome::Return(0));
    let mmio = g.read_u64(g.scratch + 8) as u32 as u64;
    assert_eq!(
        g.status(numbers::DEBUGLOG_CREATE, &[mmio, 0, out]),
        Err(ZxError::WRONG_TYPE)
    );
    // A readable log; a write, then a read whose result is the byte count.
    g.status(numbers::DEBUGLOG_CREATE, &[dlog_rsrc, 0x4000_0000, out])
        .unwrap();
    let log = g.read_u64(g.scratch) as u32 as u64;
    let text = g.scratch + 512;
    g.write_u64(text, u64::from_le_bytes(*b"dispatch"));
    loop {
        match g.call(
            numbers::DEBUGLOG_READ,
            &[log, 0, g.scratch as u64 + 1024, 256],
        ) {
            Outcome::Return(r) if (r as i32) < 0 => {
                assert_eq!(r as i32, ZxError::SHOULD_WAIT.into_raw());
                break;
            }
            Outcome::Return(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    g.status(numbers::DEBUGLOG_WRITE, &[log, 0, text as u64, 8])
        .unwrap();
    assert_eq!(
        g.call(
            numbers::DEBUGLOG_READ,
            &[log, 0, g.scratch as u64 + 1024, 256]
        ),
        Outcome::Return(48)
    );
    assert_eq!(
        g.read_u64(g.scratch + 1024 + 40),
        u64::from_le_bytes(*b"dispatch")
    );
    assert_eq!(g.read_u64(g.scratch + 1024 + 24), g.process.koid());
    // System events: only for the root job.
    let job = g.process.add_handle(g._job.clone(), Rights::DEFAULT_JOB) as u64;
    g.status(numbers::SYSTEM_GET_EVENT, &[job, 4, out]).unwrap();
    let child = g
        .process
        .add_handle(g._job.create_child().unwrap(), Rights::DEFAULT_JOB) as u64;
    assert_eq!(
        g.status(numbers::SYSTEM_GET_EVENT, &[child, 4, out]),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(
        g.status(numbers::SYSTEM_GET_EVENT, &[job, 6, out]),
        Err(ZxError::INVALID_ARGS)
    );
}

impl Guest {
    /// Copies `bytes` into the scratch page at `at`.
    fn put(&self, at: usize, bytes: &[u8]) {
        self.process
            .root_vmar()
            .aspace()
            .copy_to_user(at, bytes)
            .unwrap();
    }

    /// Copies `len` bytes out of the scratch page at `at`.
    fn get(&self, at: usize, len: usize) -> Vec<u8> {
        let mut b = vec![0u8; len];
        self.process
            .root_vmar()
            .aspace()
            .copy_from_user(at, &mut b)
            .unwrap();
        b
    }

    /// Makes a pair with `num` (`args` then two out pointers into the
    /// scratch page); returns the two handle values.
    fn pair(&self, num: u32, args: &[u64]) -> (u64, u64) {
        let out = self.scratch as u64 + 512;
        let mut all = args.to_vec();
        all.extend([out, out + 4]);
        self.status(num, &all).unwrap();
        let both = self.read_u64(out as usize);
        (both & 0xffff_ffff, both >> 32)
    }
}

#[test]
fn socket_calls_check_in_zircons_order_and_move_bytes() {
    let g = Guest::new();
    let s = g.scratch as u64;
    let (a, b) = g.pair(numbers::SOCKET_CREATE, &[0]);
    // Bad options: no handles are made.
    let before = g.process.handles().len();
    assert_eq!(
        g.status(numbers::SOCKET_CREATE, &[2, s, s + 4]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(g.process.handles().len(), before);
    // A NULL buffer with a size, then the options, come before the handle.
    let bad = Err(ZxError::INVALID_ARGS);
    assert_eq!(g.status(numbers::SOCKET_WRITE, &[0, 0, 0, 1, 0]), bad);
    assert_eq!(g.status(numbers::SOCKET_WRITE, &[0, 1, s, 1, 0]), bad);
    assert_eq!(g.status(numbers::SOCKET_READ, &[0, 0, 0, 1, 0]), bad);
    assert_eq!(g.status(numbers::SOCKET_READ, &[0, 1, s, 1, 0]), bad);
    assert_eq!(
        g.status(numbers::SOCKET_WRITE, &[0, 0, s, 1, 0]),
        Err(ZxError::BAD_HANDLE)
    );
    // NULL with size 0 is fine.
    g.status(numbers::SOCKET_WRITE, &[a, 0, 0, 0, 0]).unwrap();
    // Bytes in, `actual` out, bytes back with a peek, then consumed.
    g.put(g.scratch + 64, b"hello");
    let actual = s + 256;
    g.status(numbers::SOCKET_WRITE, &[a, 0, s + 64, 5, actual])
        .unwrap();
    assert_eq!(g.read_u64(actual as usize), 5);
    g.status(numbers::SOCKET_READ, &[b, 8, s + 128, 16, actual])
        .unwrap();
    assert_eq!(g.read_u64(actual as usize), 5);
    assert_eq!(g.get(g.scratch + 128, 5), b"hello");
    g.status(numbers::SOCKET_READ, &[b, 0, s + 128, 3, 0])
        .unwrap();
    // A bad `actual` fails the call after the bytes moved.
    assert_eq!(g.status(numbers::SOCKET_READ, &[b, 0, s + 128, 3, 8]), bad);
    assert_eq!(
        g.status(numbers::SOCKET_READ, &[b, 0, s + 128, 3, 0]),
        Err(ZxError::SHOULD_WAIT)
    );
    // A buffer outside any mapping.
    assert_eq!(g.status(numbers::SOCKET_WRITE, &[a, 0, 8, 1, 0]), bad);
    // Dispositions are checked before the handle.
    assert_eq!(
        g.status(numbers::SOCKET_SET_DISPOSITION, &[0, 3, 0]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::SOCKET_SET_DISPOSITION, &[0, 0, 4]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::SOCKET_SET_DISPOSITION, &[0, 1, 0]),
        Err(ZxError::BAD_HANDLE)
    );
    g.status(numbers::SOCKET_SET_DISPOSITION, &[a, 1, 0])
        .unwrap();
    assert_eq!(
        g.status(numbers::SOCKET_WRITE, &[a, 0, s + 64, 1, 0]),
        Err(ZxError::BAD_STATE)
    );
}

#[test]
fn socket_info_and_threshold_properties() {
    let g = Guest::new();
    let s = g.scratch as u64;
    let (a, b) = g.pair(numbers::SOCKET_CREATE, &[1]);
    g.put(g.scratch + 64, b"abc");
    g.status(numbers::SOCKET_WRITE, &[a, 0, s + 64, 3, 0])
        .unwrap();
    // ZX_INFO_SOCKET (22), 48 bytes.
    let rec = s + 256;
    assert_eq!(
        g.status(numbers::OBJECT_GET_INFO, &[b, 22, rec, 47, 0, 0]),
        Err(ZxError::BUFFER_TOO_SMALL)
    );
    g.status(numbers::OBJECT_GET_INFO, &[b, 22, rec, 48, 0, 0])
        .unwrap();
    let cap = zircon_object::ipc::socket::CAPACITY as u64;
    assert_eq!(g.read_u64(rec as usize) as u32, 1, "options");
    assert_eq!(g.read_u64(rec as usize + 8), cap);
    assert_eq!(g.read_u64(rec as usize + 16), 3);
    assert_eq!(g.read_u64(rec as usize + 24), 3);
    assert_eq!(g.read_u64(rec as usize + 32), cap);
    assert_eq!(g.read_u64(rec as usize + 40), 0);
    // Not a socket (a VMO, which has the property rights): WRONG_TYPE.
    g.status(numbers::VMO_CREATE, &[4096, 0, s + 512]).unwrap();
    let ev = g.read_u64(g.scratch + 512) & 0xffff_ffff;
    assert_eq!(
        g.status(numbers::OBJECT_GET_INFO, &[ev, 22, rec, 48, 0, 0]),
        Err(ZxError::WRONG_TYPE)
    );
    // ZX_PROP_SOCKET_RX_THRESHOLD (12), TX (13): size first, then type.
    let v = s + 320;
    assert_eq!(
        g.status(numbers::OBJECT_GET_PROPERTY, &[b, 12, v, 7]),
        Err(ZxError::BUFFER_TOO_SMALL)
    );
    assert_eq!(
        g.status(numbers::OBJECT_SET_PROPERTY, &[ev, 13, v, 8]),
        Err(ZxError::WRONG_TYPE)
    );
    g.write_u64(v as usize, 3);
    g.status(numbers::OBJECT_SET_PROPERTY, &[b, 12, v, 8])
        .unwrap();
    g.write_u64(v as usize, 0);
    g.status(numbers::OBJECT_GET_PROPERTY, &[b, 12, v, 8])
        .unwrap();
    assert_eq!(g.read_u64(v as usize), 3);
    g.write_u64(v as usize, cap + 1);
    assert_eq!(
        g.status(numbers::OBJECT_SET_PROPERTY, &[a, 13, v, 8]),
        Err(ZxError::INVALID_ARGS)
    );
    let (sock, _) = g
        .process
        .get_object::<zircon_object::ipc::Socket>(b as u32, Rights::empty())
        .unwrap();
    let read_threshold = zircon_object::ipc::socket::sig::READ_THRESHOLD;
    assert_ne!(sock.base().signals() & read_threshold, 0);
}

#[test]
fn fifo_calls_check_in_zircons_order_and_move_elements() {
    let g = Guest::new();
    let s = g.scratch as u64;
    let before = g.process.handles().len();
    for (count, size) in [(0, 8), (8, 0), (513, 8), (1 << 32, 1 << 32)] {
        assert_eq!(
            g.status(numbers::FIFO_CREATE, &[count, size, 0, s, s + 4]),
            Err(ZxError::OUT_OF_RANGE)
        );
    }
    assert_eq!(g.process.handles().len(), before);
    let (a, b) = g.pair(numbers::FIFO_CREATE, &[4, 8, 0]);
    // Handle, then rights, then the FIFO's checks.
    assert_eq!(
        g.status(numbers::FIFO_WRITE, &[0, 3, 0, 0, 0]),
        Err(ZxError::BAD_HANDLE)
    );
    assert_eq!(
        g.status(numbers::FIFO_WRITE, &[a, 3, s, 1, 0]),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!(
        g.status(numbers::FIFO_READ, &[b, 8, s, 0, 0]),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!(
        g.status(numbers::FIFO_READ, &[b, 8, 0, 1, 0]),
        Err(ZxError::SHOULD_WAIT)
    );
    // Five elements offered, four fit.
    for i in 0..5 {
        g.write_u64(g.scratch + 64 + 8 * i, 100 + i as u64);
    }
    let actual = s + 256;
    g.status(numbers::FIFO_WRITE, &[a, 8, s + 64, 5, actual])
        .unwrap();
    assert_eq!(g.read_u64(actual as usize), 4);
    // A NULL buffer faults: nothing is consumed.
    assert_eq!(
        g.status(numbers::FIFO_READ, &[b, 8, 0, 2, 0]),
        Err(ZxError::INVALID_ARGS)
    );
    g.status(numbers::FIFO_READ, &[b, 8, s + 128, 3, actual])
        .unwrap();
    assert_eq!(g.read_u64(actual as usize), 3);
    assert_eq!(g.read_u64(g.scratch + 128), 100);
    assert_eq!(g.read_u64(g.scratch + 144), 102);
    // A bad `actual` fails after the transfer.
    assert_eq!(
        g.status(numbers::FIFO_READ, &[b, 8, s + 128, 3, 8]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(g.read_u64(g.scratch + 128), 103);
    assert_eq!(
        g.status(numbers::FIFO_READ, &[b, 8, s + 128, 3, 0]),
        Err(ZxError::SHOULD_WAIT)
    );
    // Closing one end: PEER_CLOSED for the other's writes and empty reads.
    g.status(numbers::HANDLE_CLOSE, &[a]).unwrap();
    assert_eq!(
        g.status(numbers::FIFO_WRITE, &[b, 8, s + 64, 1, 0]),
        Err(ZxError::PEER_CLOSED)
    );
    assert_eq!(
        g.status(numbers::FIFO_READ, &[b, 8, s + 64, 1, 0]),
        Err(ZxError::PEER_CLOSED)
    );
}

#[test]
fn pager_calls_check_in_zircons_order() {
    let g = Guest::new();
    let s = g.scratch;
    let h = |at: usize| g.read_u64(at) as u32 as u64;
    let p = 4096u64;
    assert_eq!(
        g.status(numbers::PAGER_CREATE, &[1, s as u64]),
        Err(ZxError::INVALID_ARGS)
    );
    g.status(numbers::PAGER_CREATE, &[0, s as u64]).unwrap();
    let pager = h(s);
    g.status(numbers::PAGER_CREATE, &[0, s as u64 + 8]).unwrap();
    let other = h(s + 8);
    g.status(numbers::PORT_CREATE, &[0, s as u64 + 16]).unwrap();
    let port = h(s + 16);
    g.status(numbers::VMO_CREATE, &[p, 0, s as u64 + 24])
        .unwrap();
    let plain = h(s + 24);
    // The port must be a port (type first), with WRITE.
    assert_eq!(
        g.status(
            numbers::PAGER_CREATE_VMO,
            &[pager, 0, plain, 1, p, s as u64 + 32]
        ),
        Err(ZxError::WRONG_TYPE)
    );
    g.status(numbers::HANDLE_DUPLICATE, &[port, 0, s as u64 + 32])
        .unwrap();
    let bare_port = h(s + 32);
    assert_eq!(
        g.status(
            numbers::PAGER_CREATE_VMO,
            &[pager, 0, bare_port, 1, p, s as u64 + 40]
        ),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(
        g.status(
            numbers::PAGER_CREATE_VMO,
            &[plain, 0, port, 1, p, s as u64 + 40]
        ),
        Err(ZxError::WRONG_TYPE)
    );
    assert_eq!(
        g.status(
            numbers::PAGER_CREATE_VMO,
            &[pager, 1, port, 1, p, s as u64 + 40]
        ),
        Err(ZxError::INVALID_ARGS)
    );
    g.status(
        numbers::PAGER_CREATE_VMO,
        &[pager, 0, port, 1, 4 * p, s as u64 + 40],
    )
    .unwrap();
    let vmo = h(s + 40);
    // Alignment before any handle.
    assert_eq!(
        g.status(numbers::PAGER_SUPPLY_PAGES, &[0, 0, 1, p, 0, 0]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::PAGER_OP_RANGE, &[0, 1, 0, 0, 1, 0]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::PAGER_SUPPLY_PAGES, &[0, 0, 0, p, 0, 0]),
        Err(ZxError::BAD_HANDLE)
    );
    // The wrong pager, or a VMO that is no pager's.
    assert_eq!(
        g.status(numbers::PAGER_SUPPLY_PAGES, &[other, vmo, 0, p, plain, 0]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::PAGER_SUPPLY_PAGES, &[pager, plain, 0, p, plain, 0]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        g.status(numbers::PAGER_DETACH_VMO, &[other, vmo]),
        Err(ZxError::INVALID_ARGS)
    );
    // The auxiliary VMO needs READ and WRITE.
    g.status(numbers::HANDLE_DUPLICATE, &[plain, 1 << 2, s as u64 + 48])
        .unwrap();
    let read_only = h(s + 48);
    assert_eq!(
        g.status(
            numbers::PAGER_SUPPLY_PAGES,
            &[pager, vmo, 0, p, read_only, 0]
        ),
        Err(ZxError::ACCESS_DENIED)
    );
    g.status(numbers::PAGER_SUPPLY_PAGES, &[pager, vmo, 0, p, plain, 0])
        .unwrap();
    // ZX_PAGER_OP_FAIL: the status must fit 32 bits and be one a pager
    // may fail with; an unknown op is not supported.
    let fail = |data: u64| g.status(numbers::PAGER_OP_RANGE, &[pager, 1, vmo, 0, p, data]);
    assert_eq!(fail(ZxError::IO as i32 as i64 as u64), Ok(()));
    assert_eq!(
        fail(ZxError::IO as i32 as u32 as u64),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        fail(ZxError::NO_MEMORY as i32 as i64 as u64),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(fail(0), Err(ZxError::INVALID_ARGS));
    assert_eq!(
        g.status(
            numbers::PAGER_OP_RANGE,
            &[pager, 1, vmo, 0, 8 * p, ZxError::IO as i32 as i64 as u64]
        ),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!(
        g.status(numbers::PAGER_OP_RANGE, &[pager, 99, vmo, 0, p, 0]),
        Err(ZxError::NOT_SUPPORTED)
    );
    g.status(numbers::PAGER_DETACH_VMO, &[pager, vmo]).unwrap();
}
