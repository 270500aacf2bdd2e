//! User copies on the real HAL: the lock-free path (a fault-protected copy
//! straight through the host's mapping) and its fallback to the locked
//! path. Every case checks the status the copy gives, that it is the one
//! the locked path gives (what user copies answered before the fast path),
//! and that nothing crashes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel_hal::{HalRef, UserCopyStop, PAGE_SIZE as P};
use kernel_hal_unix::{
    bind_thread_window, ensure_alt_stack, global_hal, guest_load_u64, guest_store_u64,
};
use zircon_object::vm::vmo::ZX_VMO_CHILD_SNAPSHOT;
use zircon_object::vm::{VmAddressRegion, VmObject, VmOptions};
use zircon_object::ZxError;

const R: u32 = VmOptions::PERM_READ.bits();
const RW: u32 = VmOptions::PERM_READ.bits() | VmOptions::PERM_WRITE.bits();
const SPECIFIC: u32 = VmOptions::SPECIFIC.bits();

struct Env {
    root: Arc<VmAddressRegion>,
    hal: HalRef,
}

impl Env {
    fn new() -> Env {
        ensure_alt_stack();
        let hal: HalRef = global_hal();
        let root = VmAddressRegion::new_root(hal.clone()).unwrap();
        Env { root, hal }
    }

    fn vmo(&self, size: usize) -> Arc<VmObject> {
        VmObject::create(self.hal.clone(), size as u64, 0).unwrap()
    }

    fn map(&self, opts: u32, vmo: &Arc<VmObject>, len: usize) -> usize {
        self.root
            .map(
                self.root.default_rights(),
                opts,
                0,
                vmo,
                vmo.default_rights(),
                0,
                len,
            )
            .unwrap()
    }
}

#[test]
fn copies_through_touched_pages_without_the_lock() {
    let env = Env::new();
    let vmo = env.vmo(4 * P);
    let va = env.map(RW, &vmo, 4 * P);
    // SAFETY: a live read-write mapping; the stores make the host map it.
    unsafe {
        guest_store_u64(va, 1);
        guest_store_u64(va + 3 * P, 2);
    }
    let aspace = env.root.aspace();
    let pt = aspace.page_table();
    // The HAL's lock-free copy works on its own, at any alignment and size.
    for (off, len) in [(0, 8), (3, 1), (5, 13), (P - 4, 8), (100, 3 * P)] {
        let data: Vec<u8> = (0..len).map(|i| (i * 7 + off) as u8).collect();
        assert_eq!(pt.try_write_user(va + off, &data), Ok(()));
        let mut back = vec![0u8; len];
        assert_eq!(pt.try_read_user(va + off, &mut back), Ok(()));
        assert_eq!(back, data);
        let mut via_vmo = vec![0u8; len];
        vmo.read(off as u64, &mut via_vmo).unwrap();
        assert_eq!(via_vmo, data);
    }
    aspace.copy_to_user(va + 8, &42u64.to_le_bytes()).unwrap();
    let mut b = [0u8; 8];
    aspace.copy_from_user(va + 8, &mut b).unwrap();
    assert_eq!(u64::from_le_bytes(b), 42);
}

#[test]
fn unmapped_read_only_and_outside_give_the_old_statuses() {
    let env = Env::new();
    let aspace = env.root.aspace();
    let (base, size) = aspace.window();
    let ro = env.vmo(2 * P);
    vmo_fill(&ro, 0x5a);
    let rva = env.map(R, &ro, 2 * P);
    // SAFETY: a live read-only mapping; the load makes the host map it.
    assert_ne!(unsafe { guest_load_u64(rva) }, 0);

    // Read-only: reading works lock-free, writing is refused as before.
    let mut b = [0u8; 16];
    assert_eq!(aspace.page_table().try_read_user(rva, &mut b), Ok(()));
    assert_eq!(b, [0x5a; 16]);
    assert!(matches!(
        aspace.page_table().try_write_user(rva, &[1; 8]),
        Err(UserCopyStop::Fault { copied: 0, addr }) if addr == rva
    ));
    assert_eq!(
        aspace.copy_to_user(rva, &[1; 8]),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(
        aspace.copy_to_user(rva + P - 4, &[1; 8]),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(vmo_byte(&ro, 0), 0x5a);

    // Nothing mapped: the fault stops the copy, the locked path says
    // NOT_FOUND.
    let hole = base + size / 2;
    assert!(matches!(
        aspace.page_table().try_write_user(hole, &[1; 8]),
        Err(UserCopyStop::Fault { copied: 0, .. })
    ));
    assert_eq!(aspace.copy_to_user(hole, &[1; 8]), Err(ZxError::NOT_FOUND));
    assert_eq!(
        aspace.copy_from_user(hole, &mut [0; 8]),
        Err(ZxError::NOT_FOUND)
    );

    // Straddling the end of a mapping: the first part is copied (as
    // before), then NOT_FOUND.
    let rw = env.vmo(P);
    let wva = env.map(RW, &rw, P);
    // SAFETY: a live read-write mapping.
    unsafe { guest_store_u64(wva, 0) };
    if aspace.copy_to_user(wva + P, &[0; 1]).is_err() {
        assert_eq!(
            aspace.copy_to_user(wva + P - 4, &[7; 8]),
            Err(ZxError::NOT_FOUND)
        );
        assert_eq!(vmo_byte(&rw, P - 1), 7);
    }

    // Outside the window: host memory and the next window are never
    // touched; the locked path finds no mapping there.
    let mut host = [3u8; 8];
    let host_addr = host.as_mut_ptr() as usize;
    assert_eq!(
        aspace.page_table().try_write_user(host_addr, &[9; 8]),
        Err(UserCopyStop::Unsupported)
    );
    assert_eq!(
        aspace.copy_to_user(host_addr, &[9; 8]),
        Err(ZxError::NOT_FOUND)
    );
    assert_eq!(
        aspace.copy_to_user(base + size - 4, &[9; 8]),
        Err(ZxError::NOT_FOUND)
    );
    assert_eq!(
        aspace.copy_to_user(usize::MAX - 3, &[9; 8]),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(host, [3; 8]);
}

#[test]
fn another_process_window_is_never_copied_lock_free() {
    let a = Env::new();
    let b = Env::new();
    let vmo = b.vmo(P);
    let bva = b.map(RW, &vmo, P);
    // SAFETY: a live read-write mapping of b.
    unsafe { guest_store_u64(bva, 5) };
    // Through a's address space, b's page does not exist.
    assert_eq!(
        a.root.aspace().page_table().try_write_user(bva, &[1; 8]),
        Err(UserCopyStop::Unsupported)
    );
    assert_eq!(
        a.root.aspace().copy_to_user(bva, &[1; 8]),
        Err(ZxError::NOT_FOUND)
    );
    assert_eq!(
        a.root.aspace().copy_from_user(bva, &mut [0; 8]),
        Err(ZxError::NOT_FOUND)
    );
    assert_eq!(vmo_byte(&vmo, 0), 5);

    // A thread bound to a's window gets no lock-free copy of b's, even
    // through b's own table (the kernel's copies of another process's
    // memory stay locked).
    let bt = b.root.aspace().clone();
    let (abase, _) = a.root.aspace().window();
    std::thread::spawn(move || {
        ensure_alt_stack();
        bind_thread_window(abase);
        assert_eq!(
            bt.page_table().try_write_user(bva, &[1; 8]),
            Err(UserCopyStop::Unsupported)
        );
        bt.copy_to_user(bva, &6u64.to_le_bytes()).unwrap();
    })
    .join()
    .unwrap();
    assert_eq!(vmo_byte(&vmo, 0), 6);
}

#[test]
fn untouched_and_copy_on_write_pages_are_resolved_for_stores() {
    let env = Env::new();
    let aspace = env.root.aspace();
    let vmo = env.vmo(4 * P);
    let va = env.map(RW, &vmo, 4 * P);
    // Never touched: the store faults, the fault is resolved like the
    // guest's own store, and the copy goes on lock-free.
    assert!(matches!(
        aspace.page_table().try_write_user(va + P, &[1; 8]),
        Err(UserCopyStop::Fault { copied: 0, .. })
    ));
    aspace.copy_to_user(va + P, &77u64.to_le_bytes()).unwrap();
    assert_eq!(aspace.page_table().try_write_user(va + P, &[0; 0]), Ok(()));
    assert_eq!(
        aspace.page_table().try_write_user(va + 2 * P, &[1; 8]),
        Ok(()),
        "the fault mapped the chunk around the page"
    );
    // SAFETY: a live read-write mapping.
    assert_eq!(unsafe { guest_load_u64(va + P) }, 77);

    // Reading an untouched page: the locked path reads the frame file and
    // commits nothing.
    let fresh = env.vmo(4 * P);
    let fva = env.map(RW, &fresh, 4 * P);
    let mut b = [1u8; 8];
    aspace.copy_from_user(fva + 2 * P, &mut b).unwrap();
    assert_eq!(b, [0; 8]);
    assert_eq!(fresh.committed_bytes(), 0);

    // Copy-on-write: the child's chunk is host-mapped read-only until the
    // first store, which must copy it and leave the parent alone.
    let parent = env.vmo(4 * P);
    vmo_fill(&parent, 0x11);
    let child = parent
        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, 4 * P as u64)
        .unwrap();
    let cva = env.map(RW, &child, 4 * P);
    // SAFETY: a live read-write mapping; the load maps the shared chunk.
    assert_eq!(unsafe { guest_load_u64(cva) }, 0x1111_1111_1111_1111);
    assert!(matches!(
        aspace.page_table().try_write_user(cva, &[1; 8]),
        Err(UserCopyStop::Fault { copied: 0, .. })
    ));
    aspace.copy_to_user(cva, &[0x22; 8]).unwrap();
    assert_eq!(vmo_byte(&child, 0), 0x22);
    assert_eq!(vmo_byte(&parent, 0), 0x11);
}

#[test]
fn copies_racing_unmap_and_protect_never_crash() {
    let env = Env::new();
    let aspace = env.root.aspace().clone();
    let vmo = env.vmo(2 * P);
    let va = env.map(RW, &vmo, 2 * P);
    let root = env.root.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let changes = Arc::new(AtomicU64::new(0));
    let changer = {
        let (stop, changes, vmo) = (stop.clone(), changes.clone(), vmo.clone());
        std::thread::spawn(move || {
            ensure_alt_stack();
            let rights = root.default_rights();
            let offset = va - root.addr();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                match i % 3 {
                    0 => root.unmap(rights, va, 2 * P).unwrap(),
                    1 => {
                        root.map(
                            rights,
                            RW | SPECIFIC,
                            offset,
                            &vmo,
                            vmo.default_rights(),
                            0,
                            2 * P,
                        )
                        .unwrap();
                    }
                    _ => {
                        root.protect(rights, R, va, 2 * P).unwrap();
                        root.protect(rights, RW, va, 2 * P).unwrap();
                    }
                }
                i += 1;
                changes.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let deadline = Instant::now() + Duration::from_millis(500);
    let (mut ok, mut failed) = (0u64, 0u64);
    let mut big = vec![0u8; 2 * P];
    while Instant::now() < deadline {
        for r in [
            aspace.copy_to_user(va + P - 4, &[1; 8]),
            aspace.copy_from_user(va + 8, &mut [0; 8]),
            aspace.copy_to_user(va, &big),
            aspace.copy_from_user(va, &mut big),
        ] {
            match r {
                Ok(()) => ok += 1,
                Err(e) => {
                    assert!(
                        matches!(e, ZxError::NOT_FOUND | ZxError::ACCESS_DENIED),
                        "{e:?}"
                    );
                    failed += 1;
                }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    changer.join().unwrap();
    assert!(changes.load(Ordering::Relaxed) > 3);
    assert!(ok > 0, "{ok} copies succeeded, {failed} failed");
    aspace.check_consistency();
}

fn vmo_fill(vmo: &VmObject, byte: u8) {
    let size = vmo.size();
    vmo.write(0, &vec![byte; size]).unwrap();
}

fn vmo_byte(vmo: &VmObject, off: usize) -> u8 {
    let mut b = [0u8; 1];
    vmo.read(off as u64, &mut b).unwrap();
    b[0]
}
