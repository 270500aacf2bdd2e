//! Unit tests of VMOs and VMARs against the fake HAL. Names follow the
//! Fuchsia core tests (`vmar.cc`, `vmo.cc`) they port where they port one.

use std::sync::Arc;

use kernel_hal::fake::FakeHal;
use kernel_hal::{FaultError, MMUFlags, PageFaultAccess, PAGE_SIZE as P};

use super::options::VmOptions as O;
use super::vmar::VmarOp;
use super::vmo::*;
use super::*;
use crate::{Rights, ZxError};

const R: u32 = O::PERM_READ.bits();
const W: u32 = O::PERM_WRITE.bits();
const X: u32 = O::PERM_EXECUTE.bits();
const RW: u32 = R | W;
const SPECIFIC: u32 = O::SPECIFIC.bits();
const OVERWRITE: u32 = O::SPECIFIC_OVERWRITE.bits();
const CAN_R: u32 = O::CAN_MAP_READ.bits();
const CAN_W: u32 = O::CAN_MAP_WRITE.bits();
const CAN_X: u32 = O::CAN_MAP_EXECUTE.bits();
const CAN_SPECIFIC: u32 = O::CAN_MAP_SPECIFIC.bits();
const UPPER: u32 = O::OFFSET_IS_UPPER_LIMIT.bits();
const MAP_RANGE: u32 = O::MAP_RANGE.bits();
const COMPACT: u32 = O::COMPACT.bits();
const FULL_VMO: Rights = Rights::DEFAULT_VMO.union(Rights::EXECUTE);

struct Env {
    hal: FakeHal,
    root: Arc<VmAddressRegion>,
    rr: Rights,
}

fn env() -> Env {
    let hal = FakeHal::new();
    let root = VmAddressRegion::new_root(Arc::new(hal.clone())).unwrap();
    let rr = root.default_rights();
    Env { hal, root, rr }
}

impl Env {
    fn vmo(&self, pages: usize) -> Arc<VmObject> {
        VmObject::create(Arc::new(self.hal.clone()), (pages * P) as u64, 0).unwrap()
    }
    fn sub(
        &self,
        parent: &VmAddressRegion,
        flags: u32,
        offset: usize,
        size: usize,
    ) -> Arc<VmAddressRegion> {
        parent
            .allocate(parent.default_rights(), flags, offset, size)
            .unwrap()
    }
    fn map(
        &self,
        vmar: &VmAddressRegion,
        opts: u32,
        off: usize,
        vmo: &Arc<VmObject>,
        vo: u64,
        len: usize,
    ) -> Result<usize, ZxError> {
        vmar.map(vmar.default_rights(), opts, off, vmo, FULL_VMO, vo, len)
    }
    fn readable(&self, va: usize) -> Result<(), FaultError> {
        self.hal.access(va, PageFaultAccess::Read).map(|_| ())
    }
    fn writable(&self, va: usize) -> Result<(), FaultError> {
        self.hal.access(va, PageFaultAccess::Write).map(|_| ())
    }
    fn pages_mapped(&self, base: usize, n: usize) -> String {
        (0..n)
            .map(|i| {
                let mut b = [0u8];
                match self.root.aspace().read_memory(base + i * P, &mut b) {
                    Ok(_) => '1',
                    Err(_) => '0',
                }
            })
            .collect()
    }
}

#[test]
fn root_vmar_covers_window_with_fuchsia_rights() {
    let e = env();
    assert_eq!(e.rr.bits(), 0x20801F);
    assert_eq!(e.root.info().1, kernel_hal::fake::FAKE_WINDOW_SIZE);
    assert_eq!(e.root.destroy(), Err(ZxError::NOT_SUPPORTED));
}

#[test]
fn basic_allocate_and_rights() {
    let e = env();
    let r1 = e.sub(&e.root, CAN_R | CAN_W, 0, 10 * P);
    assert_eq!(r1.default_rights().bits(), 0x20800F);
    let r2 = e.sub(&r1, CAN_R, 0, P);
    assert!(r2.addr() >= r1.addr() && r2.addr() + P <= r1.addr() + 10 * P);
    e.root.aspace().check_consistency();
}

#[test]
fn destroy_test() {
    let e = env();
    let sub = e.sub(&e.root, CAN_R | CAN_W, 0, 1024 * P);
    sub.destroy().unwrap();
    assert!(sub.is_destroyed());
    assert_eq!(
        sub.allocate(sub.default_rights(), CAN_R, 0, 10 * P)
            .unwrap_err(),
        ZxError::BAD_STATE
    );
    assert_eq!(sub.destroy(), Err(ZxError::BAD_STATE));
}

#[test]
fn destroyed_vmar_test() {
    let e = env();
    let vmo = e.vmo(1);
    let r0 = e.sub(&e.root, CAN_R | CAN_W, 0, 10 * P);
    let a0 = e.map(&r0, RW, 0, &vmo, 0, P).unwrap();
    let r1 = e.sub(&r0, CAN_R | CAN_W, 0, P);
    let a1 = e.map(&r1, RW, 0, &vmo, 0, P).unwrap();
    assert_eq!(e.pages_mapped(a0, 1), "1");
    assert_eq!(e.pages_mapped(a1, 1), "1");
    r0.destroy().unwrap();
    for r in [&r0, &r1] {
        let rr = r.default_rights();
        assert_eq!(r.destroy(), Err(ZxError::BAD_STATE));
        assert_eq!(r.allocate(rr, CAN_R, 0, P).unwrap_err(), ZxError::BAD_STATE);
        assert_eq!(r.unmap(rr, r.addr(), P), Err(ZxError::BAD_STATE));
        assert_eq!(r.protect(rr, R, r.addr(), P), Err(ZxError::BAD_STATE));
        assert_eq!(e.map(r, R, 0, &vmo, 0, P), Err(ZxError::BAD_STATE));
        assert_eq!(
            r.op_range(rr, VmarOp::MapRange, r.addr(), P),
            Err(ZxError::BAD_STATE)
        );
    }
    assert_eq!(e.pages_mapped(a0, 1), "0");
    assert_eq!(e.pages_mapped(a1, 1), "0");
    assert_eq!(vmo.num_mappings(), 0);
    e.sub(&e.root, CAN_R, 0, P);
    e.root.aspace().check_consistency();
}

#[test]
fn map_in_compact_and_upper_limit() {
    let e = env();
    let vmo = e.vmo(100);
    let region = e.sub(&e.root, CAN_R | CAN_W | COMPACT, 0, 10 * P);
    let v1 = e.vmo(1);
    for _ in 0..2 {
        let a = e.map(&region, R, 0, &v1, 0, P).unwrap();
        assert!(a >= region.addr() && a < region.addr() + 10 * P);
    }
    let size = 100 * P;
    let region = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, size);
    let m = |lim: usize, len: usize| e.map(&region, RW | UPPER, lim, &vmo, 0, len);
    assert_eq!(m(size + P, P), Err(ZxError::INVALID_ARGS));
    assert_eq!(m(P, 2 * P), Err(ZxError::INVALID_ARGS));
    assert_eq!(m(P, size + P), Err(ZxError::INVALID_ARGS));
    let a = m(size, size).unwrap();
    assert_eq!(a, region.addr());
    region.unmap(region.default_rights(), a, size).unwrap();
    for _ in 0..50 {
        let a = m(50 * P, P).unwrap();
        assert!(a + P <= region.addr() + 50 * P);
    }
    assert_eq!(m(50 * P, P), Err(ZxError::NO_RESOURCES));
    e.map(&region, RW, 0, &vmo, 0, P).unwrap();
}

#[test]
fn allocate_oob_and_unsatisfiable() {
    let e = env();
    let r1 = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, 10 * P);
    let rr = r1.default_rights();
    assert_eq!(
        r1.allocate(rr, CAN_R | SPECIFIC, 10 * P, P).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        r1.allocate(rr, CAN_R | SPECIFIC, 9 * P, 2 * P).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        r1.allocate(rr, CAN_R, 0, 11 * P).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    let r2 = r1.allocate(rr, CAN_R, 0, 10 * P).unwrap();
    assert_eq!(r2.addr(), r1.addr());
    assert_eq!(
        r1.allocate(rr, CAN_R, 0, P).unwrap_err(),
        ZxError::NO_RESOURCES
    );
}

#[test]
fn alignment() {
    let e = env();
    let vmo = e.vmo(1);
    let big = e.sub(
        &e.root,
        CAN_R | CAN_W | CAN_SPECIFIC | (29 << 24),
        0,
        1 << 33,
    );
    assert_eq!(big.addr() % (1 << 29), 0);
    let rr = big.default_rights();
    assert_eq!(
        e.map(&big, R | SPECIFIC | (16 << 24), P, &vmo, 0, P),
        Err(ZxError::INVALID_ARGS)
    );
    e.map(&big, R | SPECIFIC | (16 << 24), 1 << 16, &vmo, 0, P)
        .unwrap();
    assert_eq!(
        e.map(&big, R | (9 << 24), 0, &vmo, 0, P),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        e.map(&big, R | (33 << 24), 0, &vmo, 0, P),
        Err(ZxError::INVALID_ARGS)
    );
    for bits in 10..=32u32 {
        match e.map(&big, R | (bits << 24), 0, &vmo, 0, P) {
            Ok(a) => assert!(a.trailing_zeros() >= bits),
            Err(err) => assert_eq!(err, ZxError::NO_RESOURCES),
        }
        match big.allocate(rr, CAN_R | (bits << 24), 0, 16 * P) {
            Ok(r) => assert!(r.addr().trailing_zeros() >= bits),
            Err(err) => assert_eq!(err, ZxError::NO_RESOURCES),
        }
    }
    e.root.aspace().check_consistency();
}

#[test]
fn map_range_offset_and_overmapping() {
    let e = env();
    let vmo = e.vmo(4);
    e.map(&e.root, MAP_RANGE, 0, &vmo, 0x2000, 0x1000).unwrap();
    let r0 = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, 10 * P);
    let v1 = e.vmo(1);
    let v2 = e.vmo(1);
    let a = e.map(&r0, R | SPECIFIC, P, &v1, 0, 2 * P).unwrap();
    assert_eq!(a, r0.addr() + P);
    for len in [2 * P, P, 4 * P] {
        assert_eq!(
            e.map(&r0, R | SPECIFIC, P, &v2, 0, len),
            Err(ZxError::ALREADY_EXISTS)
        );
    }
    let rr = r0.default_rights();
    assert_eq!(
        r0.allocate(rr, CAN_R | SPECIFIC, P, P).unwrap_err(),
        ZxError::ALREADY_EXISTS
    );
    r0.unmap(rr, a, 2 * P).unwrap();
    r0.allocate(rr, CAN_R | SPECIFIC, P, 2 * P).unwrap();
    for len in [2 * P, P, 4 * P] {
        assert_eq!(
            e.map(&r0, R | SPECIFIC, P, &v2, 0, len),
            Err(ZxError::ALREADY_EXISTS)
        );
    }
    assert_eq!(
        r0.allocate(rr, CAN_R | SPECIFIC, 0, 2 * P).unwrap_err(),
        ZxError::ALREADY_EXISTS
    );
}

#[test]
fn invalid_args() {
    let e = env();
    let vmo = e.vmo(4);
    let rr = e.rr;
    let root = &e.root;
    assert_eq!(
        root.allocate(rr, CAN_R, P, P).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(e.map(root, R, P, &vmo, 0, P), Err(ZxError::INVALID_ARGS));
    for o in [SPECIFIC | UPPER, OVERWRITE | UPPER] {
        assert_eq!(
            root.allocate(rr, CAN_R | o, P, P).unwrap_err(),
            ZxError::INVALID_ARGS
        );
        assert_eq!(
            e.map(root, R | o, P, &vmo, 0, P),
            Err(ZxError::INVALID_ARGS)
        );
    }
    assert_eq!(
        root.allocate(rr, CAN_R | R, 0, P).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        e.map(root, R | OVERWRITE | MAP_RANGE, 0, &vmo, 0, P),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        root.allocate(rr, CAN_R, 0, P - 1).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        root.allocate(rr, CAN_SPECIFIC, P - 1, P).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    for mr in [0, MAP_RANGE] {
        assert_eq!(
            e.map(root, R | SPECIFIC | mr, P - 1, &vmo, 0, P),
            Err(ZxError::INVALID_ARGS)
        );
        assert_eq!(
            e.map(root, R | SPECIFIC | mr, P, &vmo, P as u64 - 1, P),
            Err(ZxError::INVALID_ARGS)
        );
        assert_eq!(
            e.map(root, R | mr, 0, &vmo, P as u64 - 1, P),
            Err(ZxError::INVALID_ARGS)
        );
    }
    let a = e.map(root, R, 0, &vmo, 0, 4 * P).unwrap();
    assert_eq!(root.unmap(rr, a + 1, P), Err(ZxError::INVALID_ARGS));
    assert_eq!(root.protect(rr, R, a + 1, P), Err(ZxError::INVALID_ARGS));
    root.unmap(rr, a, 4 * P).unwrap();
    assert_eq!(
        e.map(root, R, 0, &vmo, u64::MAX - P as u64 + 1, P),
        Err(ZxError::OUT_OF_RANGE)
    );
    let a = e
        .map(root, R, 0, &vmo, u64::MAX - 2 * P as u64 + 1, P)
        .unwrap();
    root.unmap(rr, a, P).unwrap();
    assert_eq!(
        root.allocate(rr, CAN_R, 0, 0).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(e.map(root, R, 0, &vmo, 0, 0), Err(ZxError::INVALID_ARGS));
    assert_eq!(root.unmap(rr, a, 0), Err(ZxError::INVALID_ARGS));
    assert_eq!(root.protect(rr, R, a, 0), Err(ZxError::INVALID_ARGS));
    let bad = usize::MAX - P + 2;
    assert_eq!(
        root.allocate(rr, CAN_R, 0, bad).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(e.map(root, R, 0, &vmo, 0, bad), Err(ZxError::OUT_OF_RANGE));
    assert_eq!(
        e.map(root, R | MAP_RANGE, 0, &vmo, 0, bad),
        Err(ZxError::OUT_OF_RANGE)
    );
    let a = e.map(root, R | SPECIFIC, P, &vmo, 0, 4 * P).unwrap();
    for start in [a - P, a, a + P] {
        assert_eq!(root.protect(rr, R, start, bad), Err(ZxError::INVALID_ARGS));
        assert_eq!(root.unmap(rr, start, bad), Err(ZxError::INVALID_ARGS));
    }
    root.unmap(rr, a, 4 * P).unwrap();
    assert_eq!(
        root.allocate(rr, R | CAN_R | CAN_W, 0, P).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        root.allocate(rr, CAN_R | (1 << 31), 0, P).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        e.map(root, RW | CAN_X, 0, &vmo, 0, P),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        e.map(root, RW | (1 << 31), 0, &vmo, 0, P),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        root.protect(rr, R | CAN_W, a, P),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        root.protect(rr, R | (1 << 31), a, P),
        Err(ZxError::INVALID_ARGS)
    );
    e.root.aspace().check_consistency();
}

#[test]
fn unaligned_len() {
    let e = env();
    let vmo = e.vmo(4);
    let a = e.map(&e.root, R, 0, &vmo, 0, 4 * P).unwrap();
    e.root.protect(e.rr, RW, a, 4 * P - 1).unwrap();
    e.root.unmap(e.rr, a, 4 * P - 1).unwrap();
    assert_eq!(e.pages_mapped(a, 4), "0000");
    for mr in [0, MAP_RANGE] {
        let a = e.map(&e.root, R | mr, 0, &vmo, 0, 4 * P - 1).unwrap();
        assert_eq!(e.pages_mapped(a, 4), "1111");
        e.root.unmap(e.rr, a, 4 * P - 1).unwrap();
        assert_eq!(e.pages_mapped(a, 4), "0000");
    }
}

#[test]
fn rights_drop_and_protect_remembers_vmo_rights() {
    let e = env();
    let vmo = e.vmo(1);
    for (vr, perms) in [
        (Rights::READ, R),
        (Rights::READ | Rights::WRITE, RW),
        (Rights::READ | Rights::EXECUTE, R | X),
    ] {
        let rights = Rights::DEFAULT_VMAR | vr;
        assert_eq!(
            e.root.map(rights, RW | X, 0, &vmo, FULL_VMO, 0, P),
            Err(ZxError::ACCESS_DENIED)
        );
        let a = e.root.map(rights, perms, 0, &vmo, FULL_VMO, 0, P).unwrap();
        assert_eq!(
            e.root.protect(rights, RW | X, a, P),
            Err(ZxError::ACCESS_DENIED)
        );
        e.root.unmap(rights, a, P).unwrap();
        assert_eq!(
            e.root
                .allocate(rights, CAN_R | CAN_W | CAN_X, 0, P)
                .unwrap_err(),
            ZxError::ACCESS_DENIED
        );
    }
    // ProtectTest: the mapping remembers the VMO handle's rights.
    let vr = Rights::READ | Rights::MAP;
    assert_eq!(
        e.root.map(e.rr, RW, 0, &vmo, vr, 0, P),
        Err(ZxError::ACCESS_DENIED)
    );
    let a = e.root.map(e.rr, R, 0, &vmo, vr, 0, P).unwrap();
    assert_eq!(e.root.protect(e.rr, RW, a, P), Err(ZxError::ACCESS_DENIED));
    e.root.unmap(e.rr, a, P).unwrap();
}

#[test]
fn map_rights_order() {
    let e = env();
    let vmo = e.vmo(4);
    let m = |vr: Rights, o: u32| {
        e.root
            .map(e.rr, o, 0, &vmo, vr, 0, 4 * P)
            .map(|a| e.root.unmap(e.rr, a, 4 * P).unwrap())
    };
    let full = Rights::DEFAULT_VMO;
    assert_eq!(m(full, 0), Ok(()));
    assert_eq!(m(full, R), Ok(()));
    assert_eq!(m(full, W), Err(ZxError::INVALID_ARGS));
    assert_eq!(m(full, RW), Ok(()));
    let no_map = Rights::READ | Rights::WRITE | Rights::DUPLICATE;
    for o in [0, R, W, RW] {
        assert_eq!(m(no_map, o), Err(ZxError::ACCESS_DENIED));
    }
    let ro = Rights::READ | Rights::MAP | Rights::DUPLICATE;
    assert_eq!(m(ro, 0), Ok(()));
    assert_eq!(m(ro, R), Ok(()));
    assert_eq!(m(ro, W), Err(ZxError::INVALID_ARGS));
    assert_eq!(m(ro, RW), Err(ZxError::ACCESS_DENIED));
    let wo = Rights::WRITE | Rights::MAP | Rights::DUPLICATE;
    assert_eq!(m(wo, 0), Ok(()));
    assert_eq!(m(wo, R), Err(ZxError::ACCESS_DENIED));
    assert_eq!(m(wo, W), Err(ZxError::INVALID_ARGS));
    assert_eq!(m(wo, RW), Err(ZxError::ACCESS_DENIED));
}

#[test]
fn protect_subregion_and_nested_perms() {
    let e = env();
    let parent = e.sub(&e.root, CAN_R | CAN_W, 0, P);
    let child = e.sub(&parent, CAN_R | CAN_W, 0, P);
    let vmo = e.vmo(1);
    let a = e.map(&child, RW, 0, &vmo, 0, P).unwrap();
    assert_eq!(a, parent.addr());
    let pr = parent.default_rights();
    parent.protect(pr, R, a, P).unwrap();
    assert_eq!(parent.protect(pr, RW, a, P), Err(ZxError::ACCESS_DENIED));
    child.protect(child.default_rights(), RW, a, P).unwrap();
    assert_eq!(
        parent.protect(pr & !Rights::OP_CHILDREN, R, a, P),
        Err(ZxError::INVALID_ARGS)
    );

    // NestedRegionPermsTest.
    let pairs = [(CAN_R, R), (CAN_W, W), (CAN_X, X)];
    for (excl_can, excl_perm) in pairs {
        let all_can = CAN_R | CAN_W | CAN_X;
        let r0 = e.sub(&e.root, all_can & !excl_can, 0, 4 * P);
        let rr = r0.default_rights();
        assert_eq!(
            r0.allocate(
                rr | Rights::READ | Rights::WRITE | Rights::EXECUTE,
                all_can,
                0,
                P
            )
            .unwrap_err(),
            ZxError::ACCESS_DENIED
        );
        assert_eq!(
            r0.map(
                rr | Rights::READ | Rights::WRITE | Rights::EXECUTE,
                R | W | X,
                0,
                &vmo,
                FULL_VMO,
                0,
                P
            ),
            Err(ZxError::ACCESS_DENIED)
        );
        if excl_perm != R {
            r0.map(rr, (R | W | X) & !excl_perm, 0, &vmo, FULL_VMO, 0, P)
                .unwrap();
        }
        r0.allocate(rr, all_can & !excl_can, 0, P).unwrap();
    }
    let r0 = e.sub(&e.root, CAN_R | CAN_W | CAN_X, 0, 4 * P);
    assert_eq!(
        e.map(&r0, R | SPECIFIC, 0, &vmo, 0, P),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(
        e.map(&r0, R | OVERWRITE, 0, &vmo, 0, P),
        Err(ZxError::ACCESS_DENIED)
    );
}

#[test]
fn unmap_split() {
    let e = env();
    let vmo = e.vmo(4);
    let cases = [(0, "0011"), (2, "1100"), (1, "1001")];
    for (first, bitmap) in cases {
        let a = e.map(&e.root, R, 0, &vmo, 0, 4 * P).unwrap();
        e.root.unmap(e.rr, a + first * P, 2 * P).unwrap();
        assert_eq!(e.pages_mapped(a, 4), bitmap);
        e.root.aspace().check_consistency();
        e.root.unmap(e.rr, a, 4 * P).unwrap();
        assert_eq!(e.pages_mapped(a, 4), "0000");
    }
    assert_eq!(vmo.num_mappings(), 0);
}

#[test]
fn unmap_multiple() {
    let e = env();
    let vmo = e.vmo(4);
    let r = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, 16 * P);
    let rr = r.default_rights();
    let base = r.addr();
    // (a) two adjacent mappings.
    e.map(&r, R | SPECIFIC, 0, &vmo, 0, 4 * P).unwrap();
    e.map(&r, R | SPECIFIC, 4 * P, &vmo, 0, 4 * P).unwrap();
    r.unmap(rr, base + 2 * P, 3 * P).unwrap();
    assert_eq!(e.pages_mapped(base, 8), "11000111");
    r.unmap(rr, base, 8 * P).unwrap();
    // (c) a subregion wholly covered is destroyed.
    e.map(&r, R | SPECIFIC, 0, &vmo, 0, 4 * P).unwrap();
    e.map(&r, R | SPECIFIC, 8 * P, &vmo, 0, 4 * P).unwrap();
    let sub = r
        .allocate(rr, CAN_R | CAN_W | CAN_SPECIFIC | SPECIFIC, 4 * P, 4 * P)
        .unwrap();
    e.map(&sub, R | SPECIFIC, 3 * P, &vmo, 0, P).unwrap();
    assert_eq!(e.pages_mapped(base, 12), "111100011111");
    r.unmap(rr, base, 9 * P).unwrap();
    assert_eq!(e.pages_mapped(base, 12), "000000000111");
    assert_eq!(e.map(&sub, R, 0, &vmo, 0, P), Err(ZxError::BAD_STATE));
    r.unmap(rr, base, 12 * P).unwrap();
    // (d) a partly covered subregion refuses, changing nothing.
    e.map(&r, R | SPECIFIC, 0, &vmo, 0, 4 * P).unwrap();
    let sub = r
        .allocate(rr, CAN_R | CAN_SPECIFIC | SPECIFIC, 4 * P, 4 * P)
        .unwrap();
    e.map(&sub, R | SPECIFIC, 0, &vmo, 0, P).unwrap();
    assert_eq!(r.unmap(rr, base + P, 5 * P), Err(ZxError::INVALID_ARGS));
    assert_eq!(e.pages_mapped(base, 8), "11111000");
    assert_eq!(
        r.unmap(rr & !Rights::OP_CHILDREN, base, 8 * P),
        Err(ZxError::INVALID_ARGS)
    );
    r.unmap(rr, base + P, 7 * P).unwrap();
    assert_eq!(e.pages_mapped(base, 8), "10000000");
    // UnmapBaseNotMapped: starting in a hole is fine.
    r.unmap(rr, base, 16 * P).unwrap();
    e.map(&r, R | SPECIFIC, P, &vmo, 0, 4 * P).unwrap();
    r.unmap(rr, base, 5 * P).unwrap();
    assert_eq!(e.pages_mapped(base, 5), "00000");
    e.root.aspace().check_consistency();
}

#[test]
fn specific_overwrite() {
    let e = env();
    let v1 = e.vmo(8);
    let v2 = e.vmo(8);
    for i in 0..4u64 {
        v1.write(i * P as u64, &[1]).unwrap();
        v2.write(i * P as u64, &[2]).unwrap();
    }
    let r = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, 16 * P);
    let a = e.map(&r, R | SPECIFIC, P, &v1, 0, 4 * P).unwrap();
    assert_eq!(
        e.map(&r, R | SPECIFIC, P, &v2, 0, 4 * P),
        Err(ZxError::ALREADY_EXISTS)
    );
    assert_eq!(e.map(&r, R | OVERWRITE, P, &v2, 0, 4 * P), Ok(a));
    let read = |va: usize| {
        let mut b = [0u8];
        e.hal.guest_read(va, &mut b).unwrap();
        b[0]
    };
    assert_eq!(
        (0..4).map(|i| read(a + i * P)).collect::<Vec<_>>(),
        vec![2, 2, 2, 2]
    );
    e.map(&r, R | OVERWRITE, 2 * P, &v1, P as u64, 2 * P)
        .unwrap();
    assert_eq!(
        (0..4).map(|i| read(a + i * P)).collect::<Vec<_>>(),
        vec![2, 1, 1, 2]
    );
    r.allocate(r.default_rights(), CAN_R | SPECIFIC, 5 * P, 4 * P)
        .unwrap();
    assert_eq!(
        e.map(&r, R | OVERWRITE, P, &v1, 0, 8 * P),
        Err(ZxError::INVALID_ARGS)
    );
    r.unmap(r.default_rights(), a, 8 * P).unwrap();
    assert_eq!(e.hal.mapped_pages(), 0);
    e.root.aspace().check_consistency();
}

#[test]
fn protect_split_multiple_and_gaps() {
    let e = env();
    let vmo = e.vmo(4);
    let a = e.map(&e.root, RW, 0, &vmo, 0, 4 * P).unwrap();
    for off in [0, 2, 1] {
        e.root.protect(e.rr, R, a + off * P, 2 * P).unwrap();
    }
    assert_eq!(e.pages_mapped(a, 4), "1111");
    e.root.unmap(e.rr, a, 4 * P).unwrap();

    let r = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, 12 * P);
    let rr = r.default_rights();
    let b = r.addr();
    e.map(&r, RW | SPECIFIC, 0, &vmo, 0, 4 * P).unwrap();
    r.map(
        rr,
        R | SPECIFIC,
        4 * P,
        &vmo,
        Rights::READ | Rights::MAP,
        0,
        4 * P,
    )
    .unwrap();
    e.map(&r, RW | SPECIFIC, 8 * P, &vmo, 0, 4 * P).unwrap();
    r.protect(rr, R, b + P, 10 * P).unwrap();
    let before = e.root.aspace().mapping_views();
    assert_eq!(
        r.protect(rr, RW, b + P, 10 * P),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(e.root.aspace().mapping_views(), before, "all or nothing");
    r.unmap(rr, b + 4 * P, 4 * P).unwrap();
    assert_eq!(r.protect(rr, R, b, 12 * P), Err(ZxError::NOT_FOUND));
    let sub = r
        .allocate(rr, CAN_R | CAN_W | SPECIFIC, 4 * P, 4 * P)
        .unwrap();
    assert_eq!(r.protect(rr, R, b, 12 * P), Err(ZxError::NOT_FOUND));
    e.map(&sub, RW, 0, &vmo, 0, 4 * P).unwrap();
    r.protect(rr, R, b, 12 * P).unwrap();
    assert_eq!(r.protect(rr, R, b + 12 * P, P), Err(ZxError::INVALID_ARGS));
    e.root.aspace().check_consistency();
}

#[test]
fn faults_commit_lazily_and_respect_protection() {
    let e = env();
    let vmo = e.vmo(100);
    let a = e.map(&e.root, RW, 0, &vmo, 0, 100 * P).unwrap();
    assert_eq!(vmo.committed_bytes(), 0);
    assert_eq!(e.hal.mapped_pages(), 0, "mapping commits nothing");
    e.hal.guest_write(a + 5 * P + 3, b"abc").unwrap();
    let mut buf = [0u8; 3];
    vmo.read(5 * P as u64 + 3, &mut buf).unwrap();
    assert_eq!(&buf, b"abc");
    assert_eq!(vmo.committed_bytes(), P);
    e.root.protect(e.rr, R, a, 100 * P).unwrap();
    assert_eq!(e.writable(a + 5 * P), Err(FaultError::AccessDenied));
    assert_eq!(e.readable(a + 5 * P), Ok(()));
    e.root.protect(e.rr, 0, a, P).unwrap();
    assert_eq!(e.readable(a), Err(FaultError::AccessDenied));
    assert_eq!(e.readable(a + 100 * P), Err(FaultError::NotFound));
    // Decommit makes every mapping read zero.
    vmo.decommit(5 * P as u64, P as u64).unwrap();
    let mut b = [9u8; 3];
    e.hal.guest_read(a + 5 * P + 3, &mut b).unwrap();
    assert_eq!(b, [0, 0, 0]);
    assert_eq!(vmo.committed_bytes(), 0);
}

#[test]
fn mapped_vmo_smaller_than_mapping_and_resize_hazard() {
    let e = env();
    let hal: kernel_hal::HalRef = Arc::new(e.hal.clone());
    let vmo = VmObject::create(hal.clone(), P as u64, ZX_VMO_RESIZABLE).unwrap();
    let a = e.map(&e.root, RW, 0, &vmo, 0, 2 * P).unwrap();
    assert_eq!(e.writable(a), Ok(()));
    assert_eq!(e.readable(a + P), Err(FaultError::OutOfRange));
    let mut buf = vec![0u8; 2 * P];
    assert_eq!(e.root.aspace().read_memory(a, &mut buf), Ok(P));
    assert_eq!(e.root.aspace().write_memory(a, &buf), Ok(P));
    assert_eq!(
        e.root.aspace().read_memory(a + P, &mut buf[..1]),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!(
        e.root.aspace().read_memory(a + 2 * P, &mut buf[..1]),
        Err(ZxError::NOT_FOUND)
    );
    // Grow: the second page becomes accessible.
    vmo.set_size(2 * P as u64).unwrap();
    e.hal.guest_write(a + P, &[7]).unwrap();
    // ResizeHazard: shrink to 0 revokes everything.
    vmo.set_size(0).unwrap();
    assert_eq!(e.readable(a), Err(FaultError::OutOfRange));
    assert_eq!(e.hal.mapped_pages(), 0);
    vmo.set_size(2 * P as u64).unwrap();
    let mut b = [1u8];
    e.hal.guest_read(a + P, &mut b).unwrap();
    assert_eq!(b[0], 0, "grown pages read zero");
    e.root.unmap(e.rr, a, 2 * P).unwrap();
}

#[test]
fn op_range_commit_decommit() {
    let e = env();
    let vmo = e.vmo(5);
    let r = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, 5 * P);
    let rr = r.default_rights();
    let b = r.addr();
    e.map(&r, RW | SPECIFIC, 0, &vmo, 0, 2 * P).unwrap();
    e.map(&r, RW | SPECIFIC, 2 * P, &vmo, 3 * P as u64, P)
        .unwrap();
    e.map(&r, R | SPECIFIC, 4 * P, &vmo, P as u64, P).unwrap();
    vmo.write(0, &vec![1u8; 5 * P]).unwrap();
    r.op_range(rr, VmarOp::Decommit, b, P).unwrap();
    let mut x = [9u8];
    e.hal.guest_read(b, &mut x).unwrap();
    assert_eq!(x[0], 0);
    r.op_range(rr, VmarOp::Decommit, b + P, 2 * P).unwrap();
    e.hal.guest_read(b + 4 * P, &mut x).unwrap();
    assert_eq!(x[0], 0, "vmo page 1 is shared with the mapping at 4P");
    assert_eq!(
        r.op_range(rr, VmarOp::Decommit, b + P, 3 * P),
        Err(ZxError::BAD_STATE)
    );
    r.op_range(rr, VmarOp::Decommit, b + 4 * P, P).unwrap();
    r.unmap(rr, b + 4 * P, P).unwrap();
    r.map(
        rr,
        R | SPECIFIC,
        4 * P,
        &vmo,
        Rights::READ | Rights::MAP,
        P as u64,
        P,
    )
    .unwrap();
    assert_eq!(
        r.op_range(rr, VmarOp::Decommit, b + 4 * P, P),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(
        r.op_range(rr, VmarOp::Commit, b + 4 * P, P),
        Err(ZxError::ACCESS_DENIED)
    );
    r.op_range(rr, VmarOp::Commit, b, 3 * P).unwrap();
    assert_eq!(
        vmo.committed_bytes(),
        5 * P,
        "pages 2 and 4 were never decommitted"
    );
    assert_eq!(
        r.op_range(rr, VmarOp::Commit, b, 10 * P),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!(VmarOp::try_from(99), Err(ZxError::INVALID_ARGS));
    assert_eq!(
        r.op_range(rr, VmarOp::Prefetch, b, 0),
        Err(ZxError::INVALID_ARGS)
    );
    // ZERO zeroes the mapped VMO's pages.
    vmo.write(0, &[7u8; 16]).unwrap();
    r.op_range(rr, VmarOp::Zero, b, P).unwrap();
    let mut back = [1u8; 16];
    vmo.read(0, &mut back).unwrap();
    assert_eq!(back, [0u8; 16]);
    // Nested mappings: COMMIT/DECOMMIT never through a parent.
    let parent = e.sub(&e.root, CAN_R | CAN_W, 0, P);
    let child = e.sub(&parent, CAN_R | CAN_W, 0, P);
    e.map(&child, RW, 0, &vmo, 0, P).unwrap();
    let pr = parent.default_rights();
    for op in [VmarOp::MapRange, VmarOp::DontNeed, VmarOp::AlwaysNeed] {
        parent.op_range(pr, op, parent.addr(), P).unwrap();
        assert_eq!(
            parent.op_range(pr & !Rights::OP_CHILDREN, op, parent.addr(), P),
            Err(ZxError::INVALID_ARGS)
        );
    }
    for op in [VmarOp::Commit, VmarOp::Decommit] {
        assert_eq!(
            parent.op_range(pr, op, parent.addr(), P),
            Err(ZxError::INVALID_ARGS)
        );
    }
}

#[test]
fn map_range_populates_committed_pages_only() {
    let e = env();
    let vmo = e.vmo(16);
    vmo.write(0, &[1]).unwrap();
    let a = e.map(&e.root, RW | MAP_RANGE, 0, &vmo, 0, 16 * P).unwrap();
    assert!(e.hal.entry(a).is_some());
    e.root.unmap(e.rr, a, 16 * P).unwrap();
    assert_eq!(e.hal.mapped_pages(), 0);
}

#[test]
fn process_maps_merges_and_splits() {
    let e = env();
    let vmo = e.vmo(64);
    let r = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, 64 * P);
    let rr = r.default_rights();
    let b = r.addr();
    e.map(&r, RW | SPECIFIC, 0, &vmo, 0, 10 * P).unwrap();
    e.map(&r, RW | SPECIFIC, 10 * P, &vmo, 10 * P as u64, 10 * P)
        .unwrap();
    let maps = |r: &VmAddressRegion| -> Vec<(usize, usize, MMUFlags)> {
        r.maps(1)
            .into_iter()
            .filter_map(|m| match m {
                MapsEntry::Mapping {
                    base, size, flags, ..
                } => Some(((base - b) / P, size / P, flags)),
                _ => None,
            })
            .collect()
    };
    let rwf = MMUFlags::READ | MMUFlags::WRITE;
    assert_eq!(maps(&r), vec![(0, 20, rwf)]);
    r.protect(rr, R, b + 5 * P, 10 * P).unwrap();
    assert_eq!(
        maps(&r),
        vec![(0, 5, rwf), (5, 10, MMUFlags::READ), (15, 5, rwf)]
    );
    r.protect(rr, RW, b, 20 * P).unwrap();
    assert_eq!(maps(&r), vec![(0, 20, rwf)]);
    r.protect(rr, R, b, 20 * P).unwrap();
    r.unmap(rr, b + 5 * P, 10 * P).unwrap();
    assert_eq!(
        maps(&r),
        vec![(0, 5, MMUFlags::READ), (15, 5, MMUFlags::READ)]
    );
}

#[test]
fn vmo_read_write_ranges_and_sizes() {
    let e = env();
    let vmo = e.vmo(4);
    let size = 4 * P as u64;
    let mut big = vec![0u8; 8 * P];
    assert_eq!(vmo.read(0, &mut big), Err(ZxError::OUT_OF_RANGE));
    assert_eq!(vmo.read(size, &mut []), Ok(()));
    assert_eq!(vmo.read(size + 1, &mut []), Err(ZxError::OUT_OF_RANGE));
    assert_eq!(
        vmo.write(u64::MAX - 2 * P as u64, &big[..4 * P]),
        Err(ZxError::OUT_OF_RANGE)
    );
    for s in [0u64, 1, P as u64 - 1, P as u64, P as u64 + 1] {
        let v = VmObject::create(Arc::new(e.hal.clone()), s, 0).unwrap();
        assert_eq!(v.size() as u64, s.div_ceil(P as u64) * P as u64);
    }
    assert!(VmObject::create(Arc::new(e.hal.clone()), u64::MAX - 64 * P as u64 + 1, 0).is_ok());
    assert_eq!(
        VmObject::create(Arc::new(e.hal.clone()), u64::MAX, 0).unwrap_err(),
        ZxError::OUT_OF_RANGE
    );
    assert_eq!(
        VmObject::create(Arc::new(e.hal.clone()), P as u64, 1).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        VmObject::create(
            Arc::new(e.hal.clone()),
            P as u64,
            ZX_VMO_RESIZABLE | ZX_VMO_UNBOUNDED
        )
        .unwrap_err(),
        ZxError::INVALID_ARGS
    );
    // Huge sparse VMOs cost one chunk per touched chunk.
    let huge = VmObject::create(Arc::new(e.hal.clone()), (P as u64) << 40, 0).unwrap();
    huge.write(1 << 50, &[1, 2, 3]).unwrap();
    assert_eq!(huge.committed_bytes(), P);
}

#[test]
fn vmo_resize_rules() {
    let e = env();
    let hal: kernel_hal::HalRef = Arc::new(e.hal.clone());
    let v = VmObject::create(hal.clone(), 4 * P as u64, ZX_VMO_RESIZABLE).unwrap();
    assert_eq!(v.default_rights(), Rights::DEFAULT_VMO | Rights::RESIZE);
    v.set_size(5 * P as u64).unwrap();
    assert_eq!(v.set_size(u64::MAX), Err(ZxError::OUT_OF_RANGE));
    v.set_size(5 * P as u64 + 1).unwrap();
    assert_eq!(v.size(), 6 * P);
    assert_eq!(v.content_size(), 5 * P + 1);
    let fixed = VmObject::create(hal, 4 * P as u64, 0).unwrap();
    assert_eq!(fixed.set_size(5 * P as u64), Err(ZxError::UNAVAILABLE));
    assert_eq!(
        e.map(&e.root, R | O::REQUIRE_NON_RESIZABLE.bits(), 0, &v, 0, P),
        Err(ZxError::NOT_SUPPORTED)
    );
    e.map(
        &e.root,
        R | O::REQUIRE_NON_RESIZABLE.bits(),
        0,
        &fixed,
        0,
        P,
    )
    .unwrap();
    // Tail bytes past the size read zero after a grow.
    v.write(0, &vec![0xAA; 6 * P]).unwrap();
    v.set_size(10).unwrap();
    v.set_size(P as u64).unwrap();
    let mut buf = vec![0u8; P];
    v.read(0, &mut buf).unwrap();
    assert!(buf[..10].iter().all(|&b| b == 0xAA) && buf[10..].iter().all(|&b| b == 0));
}

#[test]
fn snapshot_children_are_isolated() {
    let e = env();
    let parent = e.vmo(8);
    parent.write(0, b"parent").unwrap();
    let child = parent
        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, 8 * P as u64)
        .unwrap();
    let mut buf = [0u8; 6];
    child.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"parent");
    parent.write(0, b"PARENT").unwrap();
    child.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"parent");
    child.write(0, b"child!").unwrap();
    parent.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"PARENT");
    assert_eq!(child.committed_bytes(), P, "holes stay holes");
    let info = child.info();
    assert_eq!(
        info.parent_koid,
        crate::object::KernelObject::koid(&*parent)
    );
    assert_ne!(info.flags & info_flags::IS_COW_CLONE, 0);
    assert_eq!(parent.info().num_children, 1);
    drop(child);
    assert_eq!(parent.info().num_children, 0);
    // Option validation.
    assert_eq!(
        parent.create_child(0, 0, P as u64).unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        parent
            .create_child(ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SLICE, 0, P as u64)
            .unwrap_err(),
        ZxError::INVALID_ARGS
    );
    assert_eq!(
        parent
            .create_child(ZX_VMO_CHILD_SNAPSHOT, 1, P as u64)
            .unwrap_err(),
        ZxError::INVALID_ARGS
    );
}

#[test]
fn slices_share_pages_and_map() {
    let e = env();
    let parent = e.vmo(6);
    let slice = parent
        .create_child(ZX_VMO_CHILD_SLICE, P as u64, 4 * P as u64)
        .unwrap();
    let inner = slice
        .create_child(ZX_VMO_CHILD_SLICE, P as u64, 2 * P as u64)
        .unwrap();
    inner.write(0, b"x").unwrap();
    let mut b = [0u8];
    parent.read(2 * P as u64, &mut b).unwrap();
    assert_eq!(&b, b"x");
    let a = e.map(&e.root, RW, 0, &inner, 0, 2 * P).unwrap();
    e.hal.guest_write(a + P, b"y").unwrap();
    parent.read(3 * P as u64, &mut b).unwrap();
    assert_eq!(&b, b"y");
    assert_eq!(e.readable(a + 2 * P), Err(FaultError::NotFound));
    for (v, size) in [(&parent, 6), (&slice, 4), (&inner, 2)] {
        assert_eq!(
            v.decommit(0, (size + 1) * P as u64),
            Err(ZxError::OUT_OF_RANGE)
        );
        v.decommit(0, size * P as u64).unwrap();
    }
    let resizable = VmObject::create(Arc::new(e.hal.clone()), P as u64, ZX_VMO_RESIZABLE).unwrap();
    assert_eq!(
        resizable
            .create_child(ZX_VMO_CHILD_SLICE, 0, P as u64)
            .unwrap_err(),
        ZxError::NOT_SUPPORTED
    );
}

#[test]
fn child_rights_rules() {
    let p = Rights::DEFAULT_VMO | Rights::EXECUTE;
    let gs = Rights::GET_PROPERTY | Rights::SET_PROPERTY;
    assert_eq!(
        child_rights(p, ZX_VMO_CHILD_SNAPSHOT),
        (p | gs | Rights::WRITE) & !Rights::EXECUTE
    );
    assert_eq!(
        child_rights(p, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE),
        (p | gs) & !Rights::WRITE
    );
    assert_eq!(child_rights(p, ZX_VMO_CHILD_SLICE), p | gs);
    assert!(
        child_rights(p, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE).contains(Rights::RESIZE)
    );
}

#[test]
fn cache_policy_rules() {
    let e = env();
    let v = e.vmo(1);
    v.set_cache_policy(1).unwrap();
    assert_eq!(v.read(0, &mut [0]), Err(ZxError::BAD_STATE));
    assert_eq!(v.set_cache_policy(4), Err(ZxError::INVALID_ARGS));
    v.set_cache_policy(0).unwrap();
    let _a = e.map(&e.root, R, 0, &v, 0, P).unwrap();
    assert_eq!(v.set_cache_policy(1), Err(ZxError::BAD_STATE));
}

#[test]
fn teardown_leaks_nothing() {
    let hal = FakeHal::new();
    {
        let root = VmAddressRegion::new_root(Arc::new(hal.clone())).unwrap();
        let rr = root.default_rights();
        let vmo = VmObject::create(Arc::new(hal.clone()), 64 * P as u64, 0).unwrap();
        let sub = root.allocate(rr, CAN_R | CAN_W, 0, 32 * P).unwrap();
        let a = sub
            .map(sub.default_rights(), RW, 0, &vmo, FULL_VMO, 0, 16 * P)
            .unwrap();
        hal.guest_write(a, &[1; 100]).unwrap();
        let child = vmo
            .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, 64 * P as u64)
            .unwrap();
        root.map(rr, RW, 0, &child, FULL_VMO, 0, 64 * P).unwrap();
        assert!(hal.fake_phys().allocated_frames() > 0);
    }
    assert_eq!(hal.live_page_tables(), 0);
    assert_eq!(hal.fake_phys().allocated_frames(), 0);
    assert_eq!(hal.fake_phys().committed_frames(), 0);
}

#[test]
fn user_copy_checks_permissions() {
    let e = env();
    let vmo = e.vmo(2);
    let a = e.map(&e.root, RW, 0, &vmo, 0, 2 * P).unwrap();
    let asp = e.root.aspace();
    asp.copy_to_user(a + P - 2, b"abcd").unwrap();
    let mut buf = [0u8; 4];
    asp.copy_from_user(a + P - 2, &mut buf).unwrap();
    assert_eq!(&buf, b"abcd");
    e.root.protect(e.rr, R, a + P, P).unwrap();
    assert_eq!(
        asp.copy_to_user(a + P - 2, b"abcd"),
        Err(ZxError::ACCESS_DENIED)
    );
    assert_eq!(
        asp.copy_from_user(a + 2 * P - 1, &mut buf),
        Err(ZxError::NOT_FOUND)
    );
    assert_eq!(
        asp.copy_from_user(usize::MAX - 1, &mut buf),
        Err(ZxError::INVALID_ARGS)
    );
}

#[test]
fn snapshot_shares_chunks_until_written() {
    let e = env();
    let parent = e.vmo(8);
    parent.write(0, &vec![7u8; 8 * P]).unwrap();
    let frames = e.hal.fake_phys().allocated_frames();
    let child = parent
        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, 8 * P as u64)
        .unwrap();
    assert_eq!(
        e.hal.fake_phys().allocated_frames(),
        frames,
        "no copy at creation"
    );
    // A write to the child copies one chunk (4 frames on the fake HAL).
    child.write(P as u64, b"c").unwrap();
    assert_eq!(e.hal.fake_phys().allocated_frames(), frames + 4);
    let mut b = [0u8];
    parent.read(P as u64, &mut b).unwrap();
    assert_eq!(b[0], 7);
    // A write to the parent's other chunk copies that one for the parent.
    parent.write(5 * P as u64, b"p").unwrap();
    child.read(5 * P as u64, &mut b).unwrap();
    assert_eq!(b[0], 7);
    assert_eq!(e.hal.fake_phys().allocated_frames(), frames + 8);
    drop(child);
    assert_eq!(
        e.hal.fake_phys().allocated_frames(),
        frames,
        "the child's copies went back"
    );
}

#[test]
fn snapshot_write_through_existing_mapping_copies_on_write() {
    let e = env();
    let parent = e.vmo(8);
    let a = e.map(&e.root, RW, 0, &parent, 0, 8 * P).unwrap();
    let b2 = e.map(&e.root, RW, 0, &parent, 0, 8 * P).unwrap();
    e.hal.guest_write(a, b"old").unwrap();
    let child = parent
        .create_child(ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, 8 * P as u64)
        .unwrap();
    // The parent's mappings lost write access to the shared chunk.
    assert!(e
        .hal
        .entry(a)
        .is_none_or(|(_, f)| !f.contains(MMUFlags::WRITE)));
    e.hal.guest_write(a, b"new").unwrap();
    let mut buf = [0u8; 3];
    child.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"old", "the child keeps the snapshot");
    e.hal.guest_read(b2, &mut buf).unwrap();
    assert_eq!(
        &buf, b"new",
        "the parent's other mapping sees the parent's copy"
    );
    // The child, mapped, writes its own copy.
    let c = e.map(&e.root, RW, 0, &child, 0, 8 * P).unwrap();
    e.hal.guest_read(c, &mut buf).unwrap();
    assert_eq!(&buf, b"old");
    e.hal.guest_write(c, b"kid").unwrap();
    parent.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"new");
    child.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"kid");
    e.root.aspace().check_consistency();
}

#[test]
fn snapshot_zero_decommit_and_resize_stay_private() {
    let e = env();
    let hal: kernel_hal::HalRef = Arc::new(e.hal.clone());
    let parent = VmObject::create(hal, 8 * P as u64, ZX_VMO_RESIZABLE).unwrap();
    parent.write(0, &vec![9u8; 8 * P]).unwrap();
    // A child smaller than the chunk it shares.
    let child = parent
        .create_child(
            ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE,
            0,
            2 * P as u64,
        )
        .unwrap();
    child.decommit(0, P as u64).unwrap();
    let mut b = [0u8];
    parent.read(0, &mut b).unwrap();
    assert_eq!(b[0], 9, "decommitting the child leaves the parent");
    // Growing the child must not reveal the parent's data past its old end.
    child.set_size(4 * P as u64).unwrap();
    child.read(3 * P as u64, &mut b).unwrap();
    assert_eq!(b[0], 0);
    child.read(P as u64, &mut b).unwrap();
    assert_eq!(b[0], 9);
    // Shrinking the parent leaves the child.
    let child2 = parent
        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, 8 * P as u64)
        .unwrap();
    parent.set_size(P as u64).unwrap();
    child2.read(7 * P as u64, &mut b).unwrap();
    assert_eq!(b[0], 9);
    parent.zero(0, P as u64).unwrap();
    child2.read(0, &mut b).unwrap();
    assert_eq!(b[0], 9);
}

#[test]
fn unaligned_snapshot_copies() {
    let e = env();
    let parent = e.vmo(8);
    parent.write(2 * P as u64, b"x").unwrap();
    let child = parent
        .create_child(ZX_VMO_CHILD_SNAPSHOT, P as u64, 4 * P as u64)
        .unwrap();
    let mut b = [0u8];
    child.read(P as u64, &mut b).unwrap();
    assert_eq!(&b, b"x");
    parent.write(2 * P as u64, b"y").unwrap();
    child.read(P as u64, &mut b).unwrap();
    assert_eq!(&b, b"x");
    assert_eq!(child.committed_bytes(), P);
}

/// Runs `f` on its own thread and panics if it has not finished within
/// `secs` seconds (a deadlocked thread is left behind).
fn finishes_within(secs: u64, what: &str, f: impl FnOnce() + Send + 'static) {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    if finished
        .recv_timeout(std::time::Duration::from_secs(secs))
        .is_err()
    {
        panic!("{what}: deadlocked");
    }
}

/// A revoke walks a VMO's mappings under its lock, upgrading each mapping's
/// address space. If another thread drops that address space meanwhile, the
/// walk's temporary reference is the last one, so the address space (and a
/// slice child only its mapping kept alive, whose drop locks the parent)
/// must not go while the parent's lock is held.
#[test]
fn revoke_survives_address_space_dropped_meanwhile() {
    for _ in 0..20 {
        let e = env();
        let parent = e.vmo(4);
        parent.write(0, &[1]).unwrap();
        let other = VmAddressRegion::new_root(Arc::new(e.hal.clone())).unwrap();
        for _ in 0..300 {
            e.map(&other, R, 0, &parent, 0, P).unwrap();
        }
        let slice = parent
            .create_child(ZX_VMO_CHILD_SLICE, 0, P as u64)
            .unwrap();
        e.map(&other, R, 0, &slice, 0, P).unwrap();
        drop(slice);
        let (started, running) = std::sync::mpsc::channel();
        let revoker = {
            let parent = parent.clone();
            std::thread::spawn(move || {
                let _ = started.send(());
                // Each chunk-aligned snapshot revokes the parent's mappings.
                for _ in 0..200 {
                    parent
                        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, P as u64)
                        .unwrap();
                }
            })
        };
        running.recv().unwrap();
        finishes_within(10, "revoke while an address space goes", move || {
            std::thread::sleep(std::time::Duration::from_micros(300));
            drop(other);
            revoker.join().unwrap();
        });
    }
}

/// The same walk upgrades the VMO's slice children; a slice whose last
/// handle another thread drops meanwhile must not be destroyed (which locks
/// the parent) while the parent's lock is held.
#[test]
fn revoke_survives_slice_dropped_meanwhile() {
    for _ in 0..20 {
        let e = env();
        let parent = e.vmo(4);
        parent.write(0, &[1]).unwrap();
        let slice = parent
            .create_child(ZX_VMO_CHILD_SLICE, 0, P as u64)
            .unwrap();
        // Dead mapping records make the slice's part of the walk long.
        let gone = VmAddressRegion::new_root(Arc::new(e.hal.clone())).unwrap();
        for _ in 0..3000 {
            e.map(&gone, R, 0, &slice, 0, P).unwrap();
        }
        drop(gone);
        let (started, running) = std::sync::mpsc::channel();
        let revoker = {
            let parent = parent.clone();
            std::thread::spawn(move || {
                let _ = started.send(());
                for _ in 0..200 {
                    parent
                        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, P as u64)
                        .unwrap();
                }
            })
        };
        running.recv().unwrap();
        finishes_within(10, "revoke while a slice goes", move || {
            std::thread::sleep(std::time::Duration::from_micros(300));
            drop(slice);
            revoker.join().unwrap();
        });
    }
}

#[test]
fn range_ops_stop_at_the_stream_size() {
    // Vmar.FaultBeyondStreamSizeRange, retold at the object level.
    let e = env();
    let vmo = VmObject::create(Arc::new(e.hal.clone()), 2 * P as u64, ZX_VMO_UNBOUNDED).unwrap();
    vmo.write(0, &vec![7u8; 4 * P]).unwrap();
    let r = e.sub(&e.root, CAN_R | CAN_W | CAN_SPECIFIC, 0, 6 * P);
    let rr = r.default_rights();
    let beyond = O::FAULT_BEYOND_STREAM_SIZE.bits() | O::ALLOW_FAULTS.bits();
    let b = e
        .map(&r, RW | SPECIFIC | MAP_RANGE | beyond, 0, &vmo, 0, 6 * P)
        .unwrap();
    // MAP_RANGE stops at the stream end's page; so do faults.
    e.readable(b + P).unwrap();
    assert!(e.readable(b + 2 * P).is_err());
    for op in [VmarOp::Prefetch, VmarOp::Commit, VmarOp::Decommit] {
        assert_eq!(
            r.op_range(rr, op, b, 3 * P),
            Err(ZxError::OUT_OF_RANGE),
            "{op:?}"
        );
    }
    let mut x = [0u8];
    vmo.read(0, &mut x).unwrap();
    assert_eq!(x[0], 7, "a refused decommit changed nothing");
    for op in [VmarOp::Prefetch, VmarOp::Commit, VmarOp::Decommit] {
        r.op_range(rr, op, b, 2 * P).unwrap();
    }
    vmo.read(0, &mut x).unwrap();
    assert_eq!(x[0], 0);
    vmo.read(3 * P as u64, &mut x).unwrap();
    assert_eq!(x[0], 7, "past the stream: untouched");
    assert_eq!(
        r.op_range(rr, VmarOp::Commit, b + P, 2 * P),
        Err(ZxError::OUT_OF_RANGE)
    );
    // A grown stream lets the same range through.
    vmo.set_stream_size(3 * P as u64).unwrap();
    r.op_range(rr, VmarOp::Commit, b + P, 2 * P).unwrap();
}

#[test]
fn info_attribution_divides_shared_chunks() {
    let e = env();
    let v = e.vmo(4);
    v.write(0, &[1]).unwrap();
    v.write(P as u64, &[1]).unwrap();
    let i = v.info();
    assert_eq!(
        (
            i.committed_bytes,
            i.committed_private_bytes,
            i.committed_scaled_bytes
        ),
        (2 * P as u64, 2 * P as u64, 2 * P as u64)
    );
    assert_ne!(i.metadata_bytes, 0);
    let c1 = v
        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, 4 * P as u64)
        .unwrap();
    let c2 = v
        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, 4 * P as u64)
        .unwrap();
    for x in [&v, &c1, &c2] {
        let i = x.info();
        assert_eq!(i.committed_bytes, 2 * P as u64);
        assert_eq!(i.committed_private_bytes, 0);
        // Two pages among three VMOs: 2730 bytes and two thirds of a byte.
        assert_eq!(i.committed_scaled_bytes, 2 * P as u64 / 3);
        assert_eq!(
            i.committed_fractional_scaled_bytes,
            ((2u128 << 63) / 3) as u64
        );
    }
    drop(c2);
    assert_eq!(v.info().committed_scaled_bytes, P as u64);
    assert_eq!(v.info().committed_fractional_scaled_bytes, 0);
}

#[test]
fn discardable_lock_counts() {
    let e = env();
    let plain = e.vmo(2);
    assert_eq!(
        plain.lock_range(0, 2 * P as u64),
        Err(ZxError::NOT_SUPPORTED)
    );
    let v = VmObject::create(Arc::new(e.hal.clone()), 2 * P as u64, ZX_VMO_DISCARDABLE).unwrap();
    assert_eq!(v.try_lock_range(0, P as u64), Err(ZxError::OUT_OF_RANGE));
    assert_eq!(v.unlock_range(0, 2 * P as u64), Err(ZxError::BAD_STATE));
    let st = v.lock_range(0, 2 * P as u64).unwrap();
    assert_eq!(
        (st.offset, st.size, st.discarded_size),
        (0, 2 * P as u64, 0)
    );
    v.try_lock_range(0, 2 * P as u64).unwrap();
    v.unlock_range(0, 2 * P as u64).unwrap();
    v.unlock_range(0, 2 * P as u64).unwrap();
    assert_eq!(v.unlock_range(0, 2 * P as u64), Err(ZxError::BAD_STATE));
}

#[test]
fn a_reclaimable_discardable_vmo_is_discarded_and_comes_back_zeroed() {
    let e = env();
    let size = 2 * P as u64;
    let v = VmObject::create(Arc::new(e.hal.clone()), size, ZX_VMO_DISCARDABLE).unwrap();
    let never = VmObject::create(Arc::new(e.hal.clone()), size, ZX_VMO_DISCARDABLE).unwrap();
    never.write(0, b"kept").unwrap();
    v.lock_range(0, size).unwrap();
    v.write(P as u64, b"gone").unwrap();
    // Locked, and never-locked, VMOs are not candidates.
    reclaim_discardable();
    assert!(!v.is_discarded());
    let (locked, _) = discardable_bytes();
    assert!(locked >= P as u64);
    v.unlock_range(0, size).unwrap();
    reclaim_discardable();
    assert!(v.is_discarded());
    assert!(!never.is_discarded());
    assert_eq!(v.info().committed_bytes, 0);
    let mut buf = [0u8; 4];
    assert_eq!(v.read(P as u64, &mut buf), Err(ZxError::NOT_FOUND));
    assert_eq!(v.write(0, b"x"), Err(ZxError::NOT_FOUND));
    assert_eq!(v.commit(0, P as u64), Err(ZxError::NOT_FOUND));
    assert_eq!(v.try_lock_range(0, size), Err(ZxError::UNAVAILABLE));
    let st = v.lock_range(0, size).unwrap();
    assert_eq!((st.discarded_offset, st.discarded_size), (0, size));
    v.read(P as u64, &mut buf).unwrap();
    assert_eq!(buf, [0; 4]);
    never.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"kept");
}

#[test]
fn reference_shares_content_size() {
    let e = env();
    let v = e.vmo(4);
    assert_eq!(
        v.create_child(ZX_VMO_CHILD_REFERENCE, 0, P as u64).err(),
        Some(ZxError::INVALID_ARGS)
    );
    let r = v.create_child(ZX_VMO_CHILD_REFERENCE, 0, 0).unwrap();
    assert_eq!(r.size(), 4 * P);
    r.set_stream_size(P as u64 + 5).unwrap();
    assert_eq!(v.content_size(), P + 5);
    v.set_content_size(3).unwrap();
    assert_eq!(r.content_size(), 3);
    r.write(2 * P as u64, &[7]).unwrap();
    let mut b = [0];
    v.read(2 * P as u64, &mut b).unwrap();
    assert_eq!(b, [7]);
}
