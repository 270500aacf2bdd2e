//! Unit tests of user pagers against the fake HAL: requests and their
//! packets, supplying, failing, detaching, the pager going away, and the
//! fault path (page-exact inside a chunk).

use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel_hal::fake::FakeHal;
use kernel_hal::{FaultError, PageFaultAccess, PAGE_SIZE as P};

use super::*;
use crate::vm::options::VmOptions as O;
use crate::vm::vmo::{info_flags, ZX_VMO_CHILD_SLICE, ZX_VMO_RESIZABLE};
use crate::vm::{VmAddressRegion, VmObject};

struct Env {
    hal: FakeHal,
    pager: Arc<Pager>,
    port: Arc<Port>,
}

fn env() -> Env {
    Env {
        hal: FakeHal::new(),
        pager: Pager::new(),
        port: Port::new(),
    }
}

impl Env {
    fn vmo(&self, pages: usize) -> Arc<VmObject> {
        self.pager
            .create_vmo(
                Arc::new(self.hal.clone()),
                0,
                self.port.clone(),
                7,
                (pages * P) as u64,
            )
            .unwrap()
    }

    /// An auxiliary VMO of `pages` pages, page `i` filled with `fill + i`.
    fn aux(&self, pages: usize, fill: u8) -> Arc<VmObject> {
        let aux = VmObject::create(Arc::new(self.hal.clone()), (pages * P) as u64, 0).unwrap();
        for i in 0..pages {
            aux.write((i * P) as u64, &[fill.wrapping_add(i as u8); P])
                .unwrap();
        }
        aux
    }

    /// The next packet within `ms` milliseconds, as (command, offset, length).
    fn packet(&self, ms: u64) -> Option<(u16, u64, u64)> {
        let p = self
            .port
            .wait(Some(Instant::now() + Duration::from_millis(ms)), None)
            .ok()?;
        assert_eq!(p.key, 7);
        assert_eq!(p.ty, PKT_TYPE_PAGE_REQUEST);
        let b = p.payload;
        Some((
            u16::from_le_bytes([b[0], b[1]]),
            u64::from_le_bytes(b[8..16].try_into().unwrap()),
            u64::from_le_bytes(b[16..24].try_into().unwrap()),
        ))
    }
}

/// Reads `len` bytes at `off` on a thread of its own.
fn read_on_thread(
    vmo: &Arc<VmObject>,
    off: usize,
    len: usize,
) -> std::thread::JoinHandle<ZxResult<Vec<u8>>> {
    let vmo = vmo.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; len];
        vmo.read(off as u64, &mut buf).map(|_| buf)
    })
}

#[test]
fn create_vmo_options_and_info() {
    let e = env();
    let hal: kernel_hal::HalRef = Arc::new(e.hal.clone());
    let port = e.port.clone();
    let make = |opts: u32, size: u64| e.pager.create_vmo(hal.clone(), opts, port.clone(), 1, size);
    assert_eq!(make(1, P as u64).unwrap_err(), ZxError::INVALID_ARGS);
    assert_eq!(make(1 << 2, P as u64).unwrap_err(), ZxError::INVALID_ARGS);
    assert_eq!(
        make(ZX_VMO_RESIZABLE | (1 << 4), P as u64).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    let u = make(1 << 4, 43).unwrap();
    assert_eq!(u.size() as u64, crate::vm::vmo::MAX_VMO_SIZE);
    assert_eq!(u.content_size(), 43);
    assert!(!u.is_resizable());
    assert_eq!(make(0, u64::MAX).unwrap_err(), ZxError::OUT_OF_RANGE);
    let v = make(ZX_VMO_RESIZABLE | ZX_VMO_TRAP_DIRTY, 10).unwrap();
    assert_eq!(v.size(), P);
    assert!(v.is_resizable());
    assert_eq!(v.pager_koid(), e.pager.base.koid());
    let flags = v.info().flags;
    assert_ne!(flags & info_flags::PAGER_BACKED, 0);
    assert_eq!(flags & info_flags::RESIZABLE, info_flags::RESIZABLE);
    // A slice is pager-backed too, but belongs to no pager itself.
    let s = e
        .vmo(1)
        .create_child(ZX_VMO_CHILD_SLICE, 0, P as u64)
        .unwrap();
    assert_ne!(s.info().flags & info_flags::PAGER_BACKED, 0);
    assert_eq!(s.pager_koid(), 0);
    // No packet until something needs a page.
    assert_eq!(e.packet(10), None);
}

#[test]
fn read_blocks_until_supplied_and_aux_is_decommitted() {
    let e = env();
    let vmo = e.vmo(8);
    let reader = read_on_thread(&vmo, 2 * P + 5, 2 * P);
    // One batched request for the three pages the read touches.
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, 2 * P as u64, 3 * P as u64))
    );
    assert!(!reader.is_finished());
    let aux = e.aux(3, 0x40);
    vmo.supply_pages(2 * P as u64, 3 * P as u64, &aux, 0)
        .unwrap();
    let data = reader.join().unwrap().unwrap();
    assert_eq!(data[0], 0x40);
    assert_eq!(data[P], 0x41);
    assert_eq!(data[2 * P - 1], 0x42);
    assert_eq!(aux.committed_bytes(), 0);
    assert_eq!(vmo.present_ranges(), vec![(2 * P, 5 * P)]);
    // Present now: no new request.
    let mut b = [0u8; 1];
    vmo.read(3 * P as u64, &mut b).unwrap();
    assert_eq!(b[0], 0x41);
    assert_eq!(e.packet(10), None);
}

#[test]
fn overlapping_needs_share_one_request() {
    let e = env();
    let vmo = e.vmo(4);
    let a = read_on_thread(&vmo, 0, P);
    assert_eq!(e.packet(5000), Some((ZX_PAGER_VMO_READ, 0, P as u64)));
    let b = read_on_thread(&vmo, 0, 10);
    // The second need joins the outstanding request: no second packet.
    assert_eq!(e.packet(50), None);
    assert_eq!(vmo.page_source().unwrap().outstanding(), vec![(0, P)]);
    vmo.supply_pages(0, P as u64, &e.aux(1, 9), 0).unwrap();
    assert_eq!(a.join().unwrap().unwrap()[0], 9);
    assert_eq!(b.join().unwrap().unwrap()[0], 9);
    assert!(vmo.page_source().unwrap().outstanding().is_empty());
}

#[test]
fn one_packet_in_the_port_at_a_time() {
    let e = env();
    let vmo = e.vmo(8);
    let a = read_on_thread(&vmo, 0, P);
    while vmo.page_source().unwrap().outstanding().is_empty() {
        std::thread::yield_now();
    }
    let b = read_on_thread(&vmo, 4 * P, P);
    while vmo.page_source().unwrap().outstanding().len() < 2 {
        std::thread::yield_now();
    }
    assert_eq!(e.port.pending(), 1);
    assert_eq!(e.packet(10), Some((ZX_PAGER_VMO_READ, 0, P as u64)));
    // Taking the first packet lets the second one in.
    assert_eq!(
        e.packet(10),
        Some((ZX_PAGER_VMO_READ, 4 * P as u64, P as u64))
    );
    vmo.supply_pages(0, 8 * P as u64, &e.aux(8, 0), 0).unwrap();
    a.join().unwrap().unwrap();
    b.join().unwrap().unwrap();
}

#[test]
fn supplying_before_the_packet_is_taken_withdraws_it() {
    let e = env();
    let vmo = e.vmo(2);
    let r = read_on_thread(&vmo, 0, P);
    while e.port.pending() == 0 {
        std::thread::yield_now();
    }
    vmo.supply_pages(0, P as u64, &e.aux(1, 3), 0).unwrap();
    r.join().unwrap().unwrap();
    assert_eq!(e.port.pending(), 0);
}

#[test]
fn supply_skips_present_pages() {
    let e = env();
    let vmo = e.vmo(4);
    vmo.supply_pages(0, P as u64, &e.aux(1, 0x10), 0).unwrap();
    vmo.supply_pages(0, 2 * P as u64, &e.aux(2, 0x20), 0)
        .unwrap();
    let mut b = [0u8; 2 * P];
    vmo.read(0, &mut b).unwrap();
    assert_eq!((b[0], b[P]), (0x10, 0x21));
    assert_eq!(vmo.present_ranges(), vec![(0, 2 * P)]);
}

#[test]
fn supply_errors_change_nothing() {
    let e = env();
    let vmo = e.vmo(4);
    let aux = e.aux(2, 1);
    // Outside the pager VMO, outside the auxiliary VMO, wrapping.
    assert_eq!(
        vmo.supply_pages(3 * P as u64, 2 * P as u64, &aux, 0),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!(
        vmo.supply_pages(0, 2 * P as u64, &aux, P as u64),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!(
        vmo.supply_pages(u64::MAX - P as u64 + 1, P as u64, &aux, 0),
        Err(ZxError::OUT_OF_RANGE)
    );
    // An auxiliary VMO with a child, or that is pager-backed itself.
    let child = aux.create_child(ZX_VMO_CHILD_SLICE, 0, P as u64).unwrap();
    assert_eq!(
        vmo.supply_pages(0, P as u64, &aux, 0),
        Err(ZxError::BAD_STATE)
    );
    drop(child);
    let snap = e
        .aux(1, 0)
        .create_child(crate::vm::vmo::ZX_VMO_CHILD_SNAPSHOT, 0, P as u64)
        .unwrap();
    assert_eq!(
        vmo.supply_pages(0, P as u64, &snap, 0),
        Err(ZxError::BAD_STATE)
    );
    assert_eq!(
        vmo.supply_pages(0, P as u64, &e.vmo(1), 0),
        Err(ZxError::BAD_STATE)
    );
    // A VMO that is not a pager's.
    assert_eq!(
        aux.supply_pages(0, P as u64, &e.aux(1, 0), 0),
        Err(ZxError::INVALID_ARGS)
    );
    assert!(vmo.present_ranges().is_empty());
    assert_eq!(aux.committed_bytes(), 2 * P);
    // Detached: BAD_STATE.
    vmo.detach_pager().unwrap();
    assert_eq!(
        vmo.supply_pages(0, P as u64, &aux, 0),
        Err(ZxError::BAD_STATE)
    );
}

#[test]
fn failed_range_fails_the_need_and_later_needs_ask_again() {
    let e = env();
    let vmo = e.vmo(4);
    let r = read_on_thread(&vmo, P, P);
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, P as u64, P as u64))
    );
    assert_eq!(
        vmo.fail_pages(0, 5 * P as u64, ZxError::IO),
        Err(ZxError::OUT_OF_RANGE)
    );
    vmo.fail_pages(0, 2 * P as u64, ZxError::IO_DATA_INTEGRITY)
        .unwrap();
    assert_eq!(r.join().unwrap(), Err(ZxError::IO_DATA_INTEGRITY));
    // Failing is not sticky: the next need raises a new request.
    let r = read_on_thread(&vmo, P, 1);
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, P as u64, P as u64))
    );
    vmo.supply_pages(P as u64, P as u64, &e.aux(1, 5), 0)
        .unwrap();
    assert_eq!(r.join().unwrap().unwrap(), vec![5]);
}

#[test]
fn failure_codes() {
    for e in [
        ZxError::IO,
        ZxError::IO_DATA_INTEGRITY,
        ZxError::BAD_STATE,
        ZxError::NO_SPACE,
        ZxError::BUFFER_TOO_SMALL,
    ] {
        assert!(is_valid_failure_code(e as i32));
    }
    for e in [
        0,
        ZxError::NO_MEMORY as i32,
        ZxError::IO_DATA_LOSS as i32,
        1,
    ] {
        assert!(!is_valid_failure_code(e));
    }
}

#[test]
fn detach_fails_waiters_withdraws_requests_and_completes() {
    let e = env();
    let vmo = e.vmo(4);
    vmo.supply_pages(2 * P as u64, 2 * P as u64, &e.aux(2, 0x20), 0)
        .unwrap();
    vmo.write(3 * P as u64, &[0x99]).unwrap();
    let r = read_on_thread(&vmo, 0, P);
    while e.port.pending() == 0 {
        std::thread::yield_now();
    }
    vmo.detach_pager().unwrap();
    // Clean pages are decommitted and fail from now on; dirty ones stay.
    let mut one = [0u8; 1];
    assert_eq!(vmo.read(2 * P as u64, &mut one), Err(ZxError::BAD_STATE));
    vmo.read(3 * P as u64, &mut one).unwrap();
    assert_eq!(one[0], 0x99);
    assert_eq!(vmo.committed_bytes(), P);
    assert_eq!(r.join().unwrap(), Err(ZxError::BAD_STATE));
    // The unread READ is gone; COMPLETE is there.
    assert_eq!(e.packet(5000), Some((ZX_PAGER_VMO_COMPLETE, 0, 0)));
    assert_eq!(e.packet(10), None);
    let mut b = [0u8; 1];
    assert_eq!(vmo.read(0, &mut b), Err(ZxError::BAD_STATE));
    // Detaching twice sends nothing more.
    vmo.detach_pager().unwrap();
    assert_eq!(e.packet(10), None);
}

#[test]
fn vmo_gone_sends_complete() {
    let e = env();
    drop(e.vmo(1));
    assert_eq!(e.packet(5000), Some((ZX_PAGER_VMO_COMPLETE, 0, 0)));
}

#[test]
fn pager_gone_fails_waiters_and_leaves_no_packet() {
    let e = env();
    let vmo = e.vmo(4);
    vmo.supply_pages(0, P as u64, &e.aux(1, 8), 0).unwrap();
    let r = read_on_thread(&vmo, 2 * P, P);
    while e.port.pending() == 0 {
        std::thread::yield_now();
    }
    let Env {
        hal: _hal,
        pager,
        port,
    } = e;
    drop(pager);
    assert_eq!(r.join().unwrap(), Err(ZxError::BAD_STATE));
    assert_eq!(port.pending(), 0);
    // Supplied pages stay readable; missing ones fail at once.
    let mut b = [0u8; 1];
    vmo.read(0, &mut b).unwrap();
    assert_eq!(b[0], 8);
    assert_eq!(vmo.read(P as u64, &mut b), Err(ZxError::BAD_STATE));
    drop(vmo);
    assert_eq!(port.pending(), 0);
}

#[test]
fn slice_reads_through_to_the_pager() {
    let e = env();
    let vmo = e.vmo(8);
    let s = vmo
        .create_child(ZX_VMO_CHILD_SLICE, 4 * P as u64, 2 * P as u64)
        .unwrap();
    let r = read_on_thread(&s, P, 1);
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, 5 * P as u64, P as u64))
    );
    vmo.supply_pages(5 * P as u64, P as u64, &e.aux(1, 0x77), 0)
        .unwrap();
    assert_eq!(r.join().unwrap().unwrap(), vec![0x77]);
    // Zircon refuses a plain snapshot of a pager's VMO.
    assert_eq!(
        vmo.create_child(crate::vm::vmo::ZX_VMO_CHILD_SNAPSHOT, 0, P as u64)
            .unwrap_err(),
        ZxError::NOT_SUPPORTED
    );
}

#[test]
fn at_least_on_write_snapshot_reads_through_and_keeps_its_writes() {
    use crate::vm::vmo::{ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, ZX_VMO_CHILD_SNAPSHOT_MODIFIED};
    let e = env();
    let vmo = e.vmo(4);
    vmo.supply_pages(0, P as u64, &e.aux(1, 0x10), 0).unwrap();
    // The child is one page bigger than the parent's range: that page is zero.
    let c = vmo
        .create_child(
            ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
            2 * P as u64,
            3 * P as u64,
        )
        .unwrap();
    assert_ne!(c.info().flags & info_flags::PAGER_BACKED, 0);
    assert_ne!(c.info().flags & info_flags::IS_COW_CLONE, 0);
    assert_eq!(c.pager_koid(), 0);
    let mut b = [0u8; 1];
    c.read(2 * P as u64, &mut b).unwrap();
    assert_eq!(b[0], 0);
    assert_eq!(e.packet(10), None);
    // A missing page goes to the root's pager, at the parent's offset.
    let r = read_on_thread(&c, P + 3, 1);
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, 3 * P as u64, P as u64))
    );
    vmo.supply_pages(2 * P as u64, 2 * P as u64, &e.aux(2, 0x30), 0)
        .unwrap();
    assert_eq!(r.join().unwrap().unwrap(), vec![0x31]);
    // Writes stay in the child.
    c.write(0, &[0xee]).unwrap();
    vmo.read(2 * P as u64, &mut b).unwrap();
    assert_eq!(b[0], 0x30);
    c.read(0, &mut b).unwrap();
    assert_eq!(b[0], 0xee);
    // Nothing of a pager-backed hierarchy decommits (Zircon's DecommitTest).
    assert_eq!(c.decommit(0, P as u64), Err(ZxError::NOT_SUPPORTED));
    // A snapshot of the snapshot, zeroed past the root's pages, asks nobody
    // (Zircon's VmoZeroTestcase.ZeroHiddenNoContent).
    let one = e.vmo(1);
    let a = one
        .create_child(ZX_VMO_CHILD_SNAPSHOT_MODIFIED, 0, 2 * P as u64)
        .unwrap();
    let g = a
        .create_child(ZX_VMO_CHILD_SNAPSHOT_MODIFIED, 0, 2 * P as u64)
        .unwrap();
    g.zero(0, 2 * P as u64).unwrap();
    g.read(0, &mut b).unwrap();
    assert_eq!(b[0], 0);
    assert_eq!(e.packet(10), None);
}

#[test]
fn snapshot_faults_go_through_to_the_pager() {
    use crate::vm::vmo::ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE;
    let e = env();
    let root = VmAddressRegion::new_root(Arc::new(e.hal.clone())).unwrap();
    let vmo = e.vmo(4);
    let c = vmo
        .create_child(ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, 4 * P as u64)
        .unwrap();
    let rw = (O::PERM_READ | O::PERM_WRITE).bits();
    let base = root
        .map(
            root.default_rights(),
            rw,
            0,
            &c,
            crate::Rights::DEFAULT_VMO,
            0,
            4 * P,
        )
        .unwrap();
    assert_eq!(
        e.hal.access(base + P, PageFaultAccess::Write).map(drop),
        Err(FaultError::ShouldWait)
    );
    let aspace = root.aspace().clone();
    let waiter =
        std::thread::spawn(move || aspace.wait_for_fault(base + P, PageFaultAccess::Write));
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, P as u64, P as u64))
    );
    vmo.supply_pages(P as u64, P as u64, &e.aux(1, 0x44), 0)
        .unwrap();
    waiter.join().unwrap().unwrap();
    e.hal.access(base + P, PageFaultAccess::Write).unwrap();
    assert_eq!(
        e.hal.access(base, PageFaultAccess::Read).map(drop),
        Err(FaultError::ShouldWait)
    );
}

#[test]
fn faults_are_page_exact_inside_a_chunk_and_wait_outside_the_resolver() {
    let e = env();
    let root = VmAddressRegion::new_root(Arc::new(e.hal.clone())).unwrap();
    // The fake HAL's chunks are 4 pages: one chunk.
    let vmo = e.vmo(4);
    let rights = crate::Rights::DEFAULT_VMO;
    let rw = (O::PERM_READ | O::PERM_WRITE).bits();
    let base = root
        .map(root.default_rights(), rw, 0, &vmo, rights, 0, 4 * P)
        .unwrap();
    let fault = |i: usize| e.hal.access(base + i * P, PageFaultAccess::Read).map(drop);
    assert_eq!(fault(1), Err(FaultError::ShouldWait));
    // The resolver raised no request: the waiting side does.
    assert_eq!(e.packet(10), None);
    let aspace = root.aspace().clone();
    let waiter = std::thread::spawn(move || aspace.wait_for_fault(base + P, PageFaultAccess::Read));
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, P as u64, P as u64))
    );
    vmo.supply_pages(P as u64, P as u64, &e.aux(1, 0x5a), 0)
        .unwrap();
    waiter.join().unwrap().unwrap();
    assert_eq!(fault(1), Ok(()));
    // Its neighbours in the same chunk still fault.
    assert_eq!(fault(0), Err(FaultError::ShouldWait));
    assert_eq!(fault(2), Err(FaultError::ShouldWait));
    let mut b = [0u8; 1];
    root.aspace().read_memory(base + P, &mut b).unwrap();
    assert_eq!(b[0], 0x5a);
    // A failed page makes the wait fail with the pager's status.
    let aspace = root.aspace().clone();
    let waiter =
        std::thread::spawn(move || aspace.wait_for_fault(base + 3 * P, PageFaultAccess::Write));
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, 3 * P as u64, P as u64))
    );
    vmo.fail_pages(3 * P as u64, P as u64, ZxError::NO_SPACE)
        .unwrap();
    assert_eq!(waiter.join().unwrap(), Err(ZxError::NO_SPACE));
    root.aspace().check_consistency();
}

#[test]
fn commit_op_range_waits_and_decommit_is_not_supported() {
    let e = env();
    let root = VmAddressRegion::new_root(Arc::new(e.hal.clone())).unwrap();
    let vmo = e.vmo(8);
    let rw = (O::PERM_READ | O::PERM_WRITE).bits();
    let base = root
        .map(
            root.default_rights(),
            rw,
            0,
            &vmo,
            crate::Rights::DEFAULT_VMO,
            0,
            8 * P,
        )
        .unwrap();
    let r2 = root.clone();
    let committer = std::thread::spawn(move || {
        r2.op_range(
            r2.default_rights(),
            crate::vm::vmar::VmarOp::Commit,
            base + 2 * P,
            2 * P,
        )
    });
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, 2 * P as u64, 2 * P as u64))
    );
    vmo.supply_pages(0, 8 * P as u64, &e.aux(8, 0), 0).unwrap();
    committer.join().unwrap().unwrap();
    assert_eq!(vmo.decommit(0, P as u64), Err(ZxError::NOT_SUPPORTED));
}

#[test]
fn zero_makes_whole_pages_present_and_resize_grows_into_zeros() {
    let e = env();
    let vmo = e
        .pager
        .create_vmo(
            Arc::new(e.hal.clone()),
            ZX_VMO_RESIZABLE,
            e.port.clone(),
            7,
            2 * P as u64,
        )
        .unwrap();
    vmo.zero(0, P as u64).unwrap();
    assert_eq!(vmo.present_ranges(), vec![(0, P)]);
    vmo.set_size(4 * P as u64).unwrap();
    assert_eq!(vmo.present_ranges(), vec![(0, P), (2 * P, 4 * P)]);
    // Grown-into and zeroed pages are dirty, and known to be zero.
    assert_eq!(
        vmo.dirty_ranges(0, 4 * P as u64).unwrap(),
        vec![(0, P as u64, 1), (2 * P as u64, 2 * P as u64, 1)]
    );
    vmo.write(2 * P as u64, &[1]).unwrap();
    assert_eq!(
        vmo.dirty_ranges(0, 4 * P as u64).unwrap(),
        vec![
            (0, P as u64, 1),
            (2 * P as u64, P as u64, 0),
            (3 * P as u64, P as u64, 1)
        ]
    );
    vmo.set_size(3 * P as u64).unwrap();
    assert_eq!(vmo.present_ranges(), vec![(0, P), (2 * P, 3 * P)]);
    assert_eq!(e.packet(10), None);
}

#[test]
fn writes_dirty_pages_and_writeback_cleans_them() {
    let e = env();
    let vmo = e.vmo(8);
    vmo.supply_pages(0, 8 * P as u64, &e.aux(8, 0), 0).unwrap();
    assert_eq!(vmo.dirty_ranges(0, 8 * P as u64).unwrap(), vec![]);
    assert!(!vmo.pager_stats(false).unwrap());
    vmo.write(P as u64 + 10, &[1; 2 * P]).unwrap();
    let dirty = vec![(P as u64, 3 * P as u64, 0)];
    assert_eq!(vmo.dirty_ranges(0, 8 * P as u64).unwrap(), dirty);
    // Unaligned queries round out; past the end is OUT_OF_RANGE.
    assert_eq!(
        vmo.dirty_ranges(1, 2 * P as u64).unwrap(),
        vec![(P as u64, 2 * P as u64, 0)]
    );
    assert_eq!(
        vmo.dirty_ranges(0, 9 * P as u64),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert!(vmo.pager_stats(true).unwrap());
    assert!(!vmo.pager_stats(false).unwrap());
    // Awaiting clean still counts as dirty until the end.
    vmo.writeback_begin(0, 8 * P as u64).unwrap();
    assert_eq!(vmo.dirty_ranges(0, 8 * P as u64).unwrap(), dirty);
    // A write meanwhile keeps its page dirty after the end.
    vmo.write(3 * P as u64, &[2]).unwrap();
    vmo.writeback_end(0, 8 * P as u64).unwrap();
    assert_eq!(
        vmo.dirty_ranges(0, 8 * P as u64).unwrap(),
        vec![(3 * P as u64, P as u64, 0)]
    );
    assert_eq!(
        vmo.writeback_end(0, 9 * P as u64),
        Err(ZxError::OUT_OF_RANGE)
    );
    // OP_DIRTY needs every page present.
    let partly = e.vmo(2);
    partly.supply_pages(0, P as u64, &e.aux(1, 0), 0).unwrap();
    assert_eq!(partly.dirty_pages(0, 2 * P as u64), Err(ZxError::NOT_FOUND));
    partly.dirty_pages(0, P as u64).unwrap();
    assert_eq!(
        partly.dirty_ranges(0, 2 * P as u64).unwrap(),
        vec![(0, P as u64, 0)]
    );
}

#[test]
fn writes_through_mappings_are_seen() {
    let e = env();
    let root = VmAddressRegion::new_root(Arc::new(e.hal.clone())).unwrap();
    let vmo = e.vmo(4);
    vmo.supply_pages(0, 4 * P as u64, &e.aux(4, 0), 0).unwrap();
    let rw = (O::PERM_READ | O::PERM_WRITE).bits();
    let base = root
        .map(
            root.default_rights(),
            rw,
            0,
            &vmo,
            crate::Rights::DEFAULT_VMO,
            0,
            4 * P,
        )
        .unwrap();
    // A read maps the page read-only: nothing dirty yet.
    e.hal.access(base + P, PageFaultAccess::Read).unwrap();
    assert_eq!(vmo.dirty_ranges(0, 4 * P as u64).unwrap(), vec![]);
    assert!(!vmo.pager_stats(false).unwrap());
    // The write faults and dirties its page only.
    e.hal.access(base + P, PageFaultAccess::Write).unwrap();
    assert_eq!(
        vmo.dirty_ranges(0, 4 * P as u64).unwrap(),
        vec![(P as u64, P as u64, 0)]
    );
    assert!(vmo.pager_stats(true).unwrap());
    // After a reset, a write to the dirty page faults again and is seen.
    e.hal.access(base + P, PageFaultAccess::Write).unwrap();
    assert!(vmo.pager_stats(false).unwrap());
    // Writeback makes the page fault on its next write.
    vmo.writeback_begin(0, 4 * P as u64).unwrap();
    vmo.writeback_end(0, 4 * P as u64).unwrap();
    assert_eq!(vmo.dirty_ranges(0, 4 * P as u64).unwrap(), vec![]);
    e.hal.access(base + P, PageFaultAccess::Write).unwrap();
    assert_eq!(
        vmo.dirty_ranges(0, 4 * P as u64).unwrap(),
        vec![(P as u64, P as u64, 0)]
    );
    root.aspace().check_consistency();
}

#[test]
fn trap_dirty_asks_the_pager_before_a_write() {
    let e = env();
    let hal: kernel_hal::HalRef = Arc::new(e.hal.clone());
    let vmo = e
        .pager
        .create_vmo(hal, ZX_VMO_TRAP_DIRTY, e.port.clone(), 7, 4 * P as u64)
        .unwrap();
    vmo.supply_pages(0, 4 * P as u64, &e.aux(4, 0), 0).unwrap();
    let v = vmo.clone();
    let w = std::thread::spawn(move || v.write(P as u64, &[9; 2 * P]));
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_DIRTY, P as u64, 2 * P as u64))
    );
    assert!(!w.is_finished());
    vmo.dirty_pages(P as u64, 2 * P as u64).unwrap();
    w.join().unwrap().unwrap();
    // Dirty pages are written without asking; a failed dirty request fails
    // the write.
    vmo.write(P as u64, &[1]).unwrap();
    let v = vmo.clone();
    let w = std::thread::spawn(move || v.write(0, &[1]));
    assert_eq!(e.packet(5000), Some((ZX_PAGER_VMO_DIRTY, 0, P as u64)));
    vmo.fail_pages(0, P as u64, ZxError::NO_SPACE).unwrap();
    assert_eq!(w.join().unwrap(), Err(ZxError::NO_SPACE));
    // A write fault on a clean page waits for OP_DIRTY too.
    let root = VmAddressRegion::new_root(Arc::new(e.hal.clone())).unwrap();
    let rw = (O::PERM_READ | O::PERM_WRITE).bits();
    let base = root
        .map(
            root.default_rights(),
            rw,
            0,
            &vmo,
            crate::Rights::DEFAULT_VMO,
            0,
            4 * P,
        )
        .unwrap();
    e.hal.access(base + 3 * P, PageFaultAccess::Read).unwrap();
    assert_eq!(
        e.hal.access(base + 3 * P, PageFaultAccess::Write).map(drop),
        Err(FaultError::ShouldWait)
    );
    let aspace = root.aspace().clone();
    let waiter =
        std::thread::spawn(move || aspace.wait_for_fault(base + 3 * P, PageFaultAccess::Write));
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_DIRTY, 3 * P as u64, P as u64))
    );
    vmo.dirty_pages(3 * P as u64, P as u64).unwrap();
    waiter.join().unwrap().unwrap();
    e.hal.access(base + 3 * P, PageFaultAccess::Write).unwrap();
    // Detach fails dirty waiters too.
    let v = vmo.clone();
    let w = std::thread::spawn(move || v.write(0, &[1]));
    assert_eq!(e.packet(5000), Some((ZX_PAGER_VMO_DIRTY, 0, P as u64)));
    vmo.detach_pager().unwrap();
    assert_eq!(w.join().unwrap(), Err(ZxError::BAD_STATE));
}

#[test]
fn snapshot_sees_its_parent_live_until_it_writes() {
    use crate::vm::vmo::ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE as AT_LEAST;
    let e = env();
    let hal: kernel_hal::HalRef = Arc::new(e.hal.clone());
    let vmo = e
        .pager
        .create_vmo(hal, ZX_VMO_RESIZABLE, e.port.clone(), 7, 4 * P as u64)
        .unwrap();
    vmo.supply_pages(0, 4 * P as u64, &e.aux(4, 0x10), 0)
        .unwrap();
    let c = vmo.create_child(AT_LEAST, 0, 4 * P as u64).unwrap();
    let root = VmAddressRegion::new_root(Arc::new(e.hal.clone())).unwrap();
    let rw = (O::PERM_READ | O::PERM_WRITE).bits();
    let base = root
        .map(
            root.default_rights(),
            rw,
            0,
            &c,
            crate::Rights::DEFAULT_VMO,
            0,
            4 * P,
        )
        .unwrap();
    let read = |va: usize| {
        let mut b = [0u8; 1];
        root.aspace().read_memory(va, &mut b).unwrap();
        b[0]
    };
    // A read fault shows the parent's page; the parent's writes show too.
    e.hal.access(base + P, PageFaultAccess::Read).unwrap();
    assert_eq!(read(base + P), 0x11);
    vmo.write(P as u64, &[0x55]).unwrap();
    assert_eq!(read(base + P), 0x55);
    let mut b = [0u8; 1];
    c.read(P as u64, &mut b).unwrap();
    assert_eq!(b[0], 0x55);
    assert_eq!(c.committed_bytes(), 0);
    // The child's write copies the page (the fault waits for the copy
    // outside the handler); later parent writes stay apart.
    assert_eq!(
        e.hal.access(base + P + 1, PageFaultAccess::Write).map(drop),
        Err(FaultError::ShouldWait)
    );
    root.aspace()
        .wait_for_fault(base + P + 1, PageFaultAccess::Write)
        .unwrap();
    e.hal.access(base + P + 1, PageFaultAccess::Write).unwrap();
    vmo.write(P as u64, &[0x66]).unwrap();
    assert_eq!(read(base + P), 0x55);
    // A parent that shrinks leaves zeros behind, even once it grows back.
    e.hal.access(base + 2 * P, PageFaultAccess::Read).unwrap();
    vmo.set_size(P as u64).unwrap();
    c.read(2 * P as u64, &mut b).unwrap();
    assert_eq!(b[0], 0);
    vmo.set_size(4 * P as u64).unwrap();
    vmo.write(2 * P as u64, &[0x77]).unwrap();
    c.read(2 * P as u64, &mut b).unwrap();
    assert_eq!(b[0], 0);
    e.hal.access(base + 2 * P, PageFaultAccess::Read).unwrap();
    assert_eq!(read(base + 2 * P), 0);
    assert_eq!(read(base + P), 0x55);
    root.aspace().check_consistency();
}

#[test]
fn snapshots_after_detach_and_chains() {
    use crate::vm::vmo::ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE as AT_LEAST;
    let e = env();
    let vmo = e.vmo(4);
    let mid = vmo.create_child(AT_LEAST, 0, 4 * P as u64).unwrap();
    let leaf = mid.create_child(AT_LEAST, 0, 4 * P as u64).unwrap();
    // A commit of the leaf asks the pager once and copies into the leaf
    // only.
    let l = leaf.clone();
    let w = std::thread::spawn(move || l.commit(0, 4 * P as u64));
    assert_eq!(e.packet(5000), Some((ZX_PAGER_VMO_READ, 0, 4 * P as u64)));
    vmo.supply_pages(0, 4 * P as u64, &e.aux(4, 0x30), 0)
        .unwrap();
    w.join().unwrap().unwrap();
    assert_eq!(leaf.committed_bytes(), 4 * P);
    assert_eq!(mid.committed_bytes(), 0);
    // The middle one wrote page 0: it keeps it after the root is detached;
    // what it shows of the root fails.
    mid.write(0, &[1]).unwrap();
    vmo.detach_pager().unwrap();
    let mut b = [0u8; 1];
    mid.read(0, &mut b).unwrap();
    assert_eq!(b[0], 1);
    assert_eq!(mid.read(P as u64, &mut b), Err(ZxError::BAD_STATE));
    leaf.read(P as u64, &mut b).unwrap();
    assert_eq!(b[0], 0x31);
}

#[test]
fn a_commit_cut_short_by_a_resize_commits_what_is_left() {
    let e = env();
    let hal: kernel_hal::HalRef = Arc::new(e.hal.clone());
    let vmo = e
        .pager
        .create_vmo(hal, ZX_VMO_RESIZABLE, e.port.clone(), 7, 3 * P as u64)
        .unwrap();
    let v = vmo.clone();
    let c = std::thread::spawn(move || v.commit(0, 3 * P as u64));
    assert_eq!(e.packet(5000), Some((ZX_PAGER_VMO_READ, 0, 3 * P as u64)));
    // A page that then goes away does not end the wait.
    vmo.supply_pages(2 * P as u64, P as u64, &e.aux(1, 0), 0)
        .unwrap();
    vmo.set_size(P as u64).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    assert!(!c.is_finished());
    vmo.supply_pages(0, P as u64, &e.aux(1, 0), 0).unwrap();
    c.join().unwrap().unwrap();
    assert_eq!(e.packet(10), None);
    // A read cut short so fails.
    let hal: kernel_hal::HalRef = Arc::new(e.hal.clone());
    let w = e
        .pager
        .create_vmo(hal, ZX_VMO_RESIZABLE, e.port.clone(), 7, 2 * P as u64)
        .unwrap();
    let r = read_on_thread(&w, P, 1);
    assert_eq!(
        e.packet(5000),
        Some((ZX_PAGER_VMO_READ, P as u64, P as u64))
    );
    w.set_size(P as u64).unwrap();
    assert_eq!(r.join().unwrap(), Err(ZxError::OUT_OF_RANGE));
}

#[test]
fn a_deep_chain_of_snapshots_reads_through_and_goes_away() {
    use crate::vm::vmo::ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE as AT_LEAST;
    let e = env();
    let root = e.vmo(1);
    root.supply_pages(0, P as u64, &e.aux(1, 0x42), 0).unwrap();
    let mut v = root.clone();
    for _ in 0..1000 {
        v = v.create_child(AT_LEAST, 0, P as u64).unwrap();
    }
    let mut b = [0u8; 1];
    v.read(0, &mut b).unwrap();
    assert_eq!(b[0], 0x42);
    drop(v);
    assert_eq!(root.info().num_children, 0);
}
