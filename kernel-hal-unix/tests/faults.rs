//! The SIGSEGV handler: faults in a window go to its resolver, resolved
//! faults resume the "guest", unresolved ones kill the process with a
//! diagnostic (checked in a child process).

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use kernel_hal::{
    FaultError, FaultResolver, MMUFlags, PageFaultAccess, PageTable, PhysMem, VirtAddr,
    PAGE_SIZE as P,
};
use kernel_hal_unix::{
    ensure_alt_stack, global_hal, guest_load_u64, guest_load_u8, guest_store_u64, guest_store_u8,
    host_probe_read, resolved_fault_count, UnixHal, UnixPageTable,
};

fn rw() -> MMUFlags {
    MMUFlags::READ | MMUFlags::WRITE
}

/// A toy VM: `[start, end)` of the window is demand-paged in chunks of
/// `chunk` pages, mapped read-write; a fault on a mapped page lacking the
/// permission adds it (like a copy-on-write or permission upgrade would).
struct Pager {
    hal: Arc<UnixHal>,
    pt: UnixPageTable,
    start: VirtAddr,
    end: VirtAddr,
    chunk: usize,
    frames: Mutex<Vec<(usize, usize)>>,
    calls: AtomicU64,
    accesses: Mutex<Vec<PageFaultAccess>>,
    /// What to answer instead of resolving, for the death tests.
    refuse: Mutex<Option<FaultError>>,
}

impl Pager {
    fn new(hal: Arc<UnixHal>, offset: usize, pages: usize, chunk: usize) -> Arc<Pager> {
        let pt = hal.new_unix_page_table().unwrap();
        let start = pt.window().0 + offset;
        let pager = Arc::new(Pager {
            hal,
            pt,
            start,
            end: start + pages * P,
            chunk,
            frames: Mutex::default(),
            calls: AtomicU64::new(0),
            accesses: Mutex::default(),
            refuse: Mutex::new(None),
        });
        let weak: Weak<dyn FaultResolver> =
            Arc::downgrade(&(pager.clone() as Arc<dyn FaultResolver>));
        pager.pt.set_fault_resolver(weak);
        pager
    }

    fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl FaultResolver for Pager {
    fn resolve_fault(&self, vaddr: VirtAddr, access: PageFaultAccess) -> Result<(), FaultError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.accesses.lock().unwrap().push(access);
        if let Some(e) = *self.refuse.lock().unwrap() {
            return Err(e);
        }
        if !(self.start..self.end).contains(&vaddr) {
            return Err(FaultError::NotFound);
        }
        let page = vaddr & !(P - 1);
        if let Some((_, flags)) = self.pt.query(page) {
            let flags = flags | access.required_flags();
            return self
                .pt
                .protect(page, P, flags)
                .map_err(|_| FaultError::NoMemory);
        }
        let chunk_bytes = self.chunk * P;
        let chunk_start = self.start + (vaddr - self.start) / chunk_bytes * chunk_bytes;
        let pa = self
            .hal
            .unix_phys()
            .alloc_frames(self.chunk)
            .map_err(|_| FaultError::NoMemory)?;
        self.frames.lock().unwrap().push((pa, self.chunk));
        self.pt
            .map(chunk_start, pa, chunk_bytes, rw())
            .map_err(|_| FaultError::NoMemory)
    }
}

impl Drop for Pager {
    fn drop(&mut self) {
        for &(pa, n) in self.frames.lock().unwrap().iter() {
            self.pt.unmap(self.start, self.end - self.start).unwrap();
            self.hal.unix_phys().free_frames(pa, n);
        }
    }
}

#[test]
fn a_store_to_an_unmapped_page_is_resolved() {
    let pager = Pager::new(global_hal(), 0x10_0000, 64, 1);
    let before = resolved_fault_count();
    let va = pager.start + 5 * P + 7;
    assert!(!host_probe_read(va));
    // SAFETY: the address is in a window whose resolver maps it.
    unsafe { guest_store_u8(va, 42) };
    assert_eq!(pager.calls(), 1);
    assert!(resolved_fault_count() > before);
    // SAFETY: now mapped.
    assert_eq!(unsafe { guest_load_u8(va) }, 42);
    let (pa, flags) = pager.pt.query(va & !(P - 1)).unwrap();
    assert_eq!(flags, rw());
    let mut b = [0u8];
    pager.hal.unix_phys().read(pa + 7, &mut b).unwrap();
    assert_eq!(b[0], 42);
    assert_eq!(pager.calls(), 1, "no fault once mapped");
    assert_eq!(*pager.accesses.lock().unwrap(), [PageFaultAccess::Write]);
}

#[test]
fn one_fault_per_chunk_not_per_page() {
    let pager = Pager::new(global_hal(), 0, 64, 16);
    for i in 0..64 {
        // SAFETY: inside the demand-paged region.
        unsafe { guest_store_u64(pager.start + i * P + 8, i as u64) };
    }
    assert_eq!(pager.calls(), 4);
    for i in 0..64 {
        // SAFETY: mapped.
        assert_eq!(unsafe { guest_load_u64(pager.start + i * P + 8) }, i as u64);
    }
    assert_eq!(pager.pt.host_ops(), 4);
}

#[test]
fn access_kinds_are_reported() {
    let pager = Pager::new(global_hal(), 0, 4, 1);
    // SAFETY: inside the demand-paged region.
    assert_eq!(unsafe { guest_load_u8(pager.start) }, 0);
    pager.pt.protect(pager.start, P, MMUFlags::READ).unwrap();
    // SAFETY: the resolver adds WRITE.
    unsafe { guest_store_u8(pager.start + 1, 1) };
    assert_eq!(
        *pager.accesses.lock().unwrap(),
        [PageFaultAccess::Read, PageFaultAccess::Write]
    );
    assert_eq!(pager.pt.query(pager.start).unwrap().1, rw());
}

#[cfg(target_arch = "x86_64")]
#[test]
fn instruction_fetches_are_reported_and_code_runs() {
    let pager = Pager::new(global_hal(), 0, 4, 1);
    let code = pager.start + P;
    // `mov eax, 0x2a; ret`
    let bytes = [0xb8, 0x2a, 0, 0, 0, 0xc3];
    for (i, b) in bytes.iter().enumerate() {
        // SAFETY: inside the demand-paged region (the first store maps it).
        unsafe { guest_store_u8(code + i, *b) };
    }
    // SAFETY: the page holds a complete function returning 42 in eax; it
    // faults for lack of EXECUTE and the resolver adds it.
    let f: extern "C" fn() -> u32 = unsafe { std::mem::transmute(code as *const ()) };
    assert_eq!(f(), 42);
    assert_eq!(
        *pager.accesses.lock().unwrap(),
        [PageFaultAccess::Write, PageFaultAccess::Execute]
    );
    assert_eq!(
        pager.pt.query(code).unwrap().1,
        MMUFlags::READ | MMUFlags::WRITE | MMUFlags::EXECUTE
    );
}

#[test]
fn faults_on_many_threads_with_alternate_stacks() {
    let pager = Pager::new(global_hal(), 0, 256, 4);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let pager = pager.clone();
            std::thread::spawn(move || {
                ensure_alt_stack();
                ensure_alt_stack(); // idempotent
                for i in 0..64 {
                    let va = pager.start + (t * 64 + i) * P;
                    // SAFETY: inside the demand-paged region.
                    unsafe { guest_store_u64(va, va as u64) };
                }
                for i in 0..64 {
                    let va = pager.start + (t * 64 + i) * P;
                    // SAFETY: mapped.
                    assert_eq!(unsafe { guest_load_u64(va) }, va as u64);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(pager.calls(), 64);
}

#[test]
fn host_memory_goes_back_after_free() {
    let hal = UnixHal::new().unwrap();
    let pager = Pager::new(hal.clone(), 0, 512, 512);
    for i in 0..100 {
        // SAFETY: inside the demand-paged region.
        unsafe { guest_store_u8(pager.start + i * P, 1) };
    }
    assert_eq!(pager.calls(), 1);
    assert_eq!(hal.unix_phys().host_allocated_bytes(), 100 * P as u64);
    let (pa, n) = pager.frames.lock().unwrap()[0];
    assert_eq!(hal.unix_phys().committed_bytes(pa, n * P), 100 * P);
    drop(pager);
    assert_eq!(hal.unix_phys().host_allocated_bytes(), 0);
    assert_eq!(hal.unix_phys().allocated_frames(), 0);
    assert_eq!(hal.live_windows(), 0);
}

/// The scenarios that must kill the process, run in a child (see
/// `run_child`). Does nothing in a normal test run.
#[test]
fn child_entry() {
    let Ok(scenario) = std::env::var("KHU_FAULT_CHILD") else {
        return;
    };
    static KEEP: OnceLock<Arc<Pager>> = OnceLock::new();
    let pager = Pager::new(global_hal(), 0, 4, 1);
    match scenario.as_str() {
        "refused" => {
            *pager.refuse.lock().unwrap() = Some(FaultError::AccessDenied);
        }
        "no-resolver" => {
            pager.pt.set_fault_resolver(Weak::<Pager>::new());
        }
        "recursive" => {
            // A resolver that touches unmapped guest memory itself.
            let inner = Pager::new(global_hal(), 0, 4, 1);
            inner.pt.set_fault_resolver(Weak::<Pager>::new());
            struct Bad(Arc<Pager>);
            impl FaultResolver for Bad {
                fn resolve_fault(&self, _: VirtAddr, _: PageFaultAccess) -> Result<(), FaultError> {
                    // SAFETY: deliberately wrong, to test the recursion guard.
                    unsafe { guest_store_u8(self.0.start, 1) };
                    Ok(())
                }
            }
            let bad: Arc<dyn FaultResolver> = Arc::new(Bad(inner));
            pager.pt.set_fault_resolver(Arc::downgrade(&bad));
            std::mem::forget(bad);
        }
        "foreign" => {
            // SAFETY: deliberately wrong: address 8 is never mapped.
            unsafe { guest_store_u8(8, 1) };
        }
        other => panic!("unknown scenario {other}"),
    }
    let _ = KEEP.set(pager.clone());
    // SAFETY: deliberately faulting, unresolvably.
    unsafe { guest_store_u8(pager.start + 3, 1) };
    println!("CHILD SURVIVED");
}

/// Runs `child_entry` with `scenario` in a fresh process; returns its
/// terminating signal and standard error.
fn run_child(scenario: &str) -> (Option<i32>, String) {
    use std::os::unix::process::ExitStatusExt;
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["child_entry", "--exact", "--nocapture", "--test-threads=1"])
        .env("KHU_FAULT_CHILD", scenario)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("CHILD SURVIVED"), "{stdout}");
    (
        out.status.signal(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unresolved_fault_kills_the_process_with_a_diagnostic() {
    let (sig, err) = run_child("refused");
    assert_eq!(sig, Some(libc_sigsegv()), "{err}");
    assert!(err.contains("unresolved guest page fault"), "{err}");
    assert!(err.contains("Write access, AccessDenied"), "{err}");
}

#[test]
fn a_window_without_resolver_is_not_found() {
    let (sig, err) = run_child("no-resolver");
    assert_eq!(sig, Some(libc_sigsegv()), "{err}");
    assert!(err.contains("NotFound"), "{err}");
}

#[test]
fn a_faulting_resolver_aborts() {
    let (sig, err) = run_child("recursive");
    assert_eq!(sig, Some(6), "SIGABRT; {err}");
    assert!(err.contains("inside the fault handler"), "{err}");
}

#[test]
fn a_fault_outside_the_windows_is_passed_on() {
    let (sig, err) = run_child("foreign");
    assert_eq!(sig, Some(libc_sigsegv()), "{err}");
    assert!(err.contains("outside every guest window"), "{err}");
}

fn libc_sigsegv() -> i32 {
    11
}
