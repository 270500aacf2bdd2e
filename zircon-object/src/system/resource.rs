//! Resources (`zx_resource_create`, `ZX_INFO_RESOURCE`): capabilities over
//! ranges of a hardware or system address space, and the root resource
//! from which every other one is minted (Zircon's `ResourceDispatcher`,
//! `object/resource.cc`).
//!
//! A resource has a kind (`ZX_RSRC_KIND_*`), a range `[base, base + size)`
//! in that kind's address space, flags (`ZX_RSRC_FLAG_EXCLUSIVE`) and a
//! name. The ranged kinds keep a region allocator each (`Registry`),
//! set up as Zircon's x86 platform code sets them up: MMIO over the
//! physical address space, I/O ports over `[0, 0xFFFF)`, system resources
//! over `[0, ZX_RSRC_SYSTEM_COUNT)`. IRQ and SMC get no allocator (the
//! emulator has no interrupt controller and no secure monitor), so minting
//! them answers `BAD_STATE`, as Zircon does for a kind whose allocator was
//! never set up. The emulator has no
//! physical RAM that guests could name by address, so no MMIO range is
//! reserved at start and the root resource's deny filter is empty.
//!
//! An exclusive resource takes its range out of its kind's allocator
//! until it dies; a shared one only checks that the range is available.
//!
//! Lock order: `REGISTRY` (one mutex) is a leaf; it is taken by creation
//! and by a resource's drop, never with another lock held, and no resource
//! is dropped under it (the registry keeps plain data, not references).

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use kernel_hal::range_map::RangeMap;

use crate::object::{KObjectBase, Koid, ObjType};
use crate::sync::Mutex;
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_RSRC_KIND_MMIO`
pub const KIND_MMIO: u32 = 0;
/// `ZX_RSRC_KIND_IRQ`
pub const KIND_IRQ: u32 = 1;
/// `ZX_RSRC_KIND_IOPORT`
pub const KIND_IOPORT: u32 = 2;
/// `ZX_RSRC_KIND_ROOT`
pub const KIND_ROOT: u32 = 3;
/// `ZX_RSRC_KIND_SMC`
pub const KIND_SMC: u32 = 4;
/// `ZX_RSRC_KIND_SYSTEM`
pub const KIND_SYSTEM: u32 = 5;
/// `ZX_RSRC_KIND_COUNT`
pub const KIND_COUNT: u32 = 6;

/// `ZX_RSRC_FLAG_EXCLUSIVE`
pub const FLAG_EXCLUSIVE: u32 = 0x0001_0000;
/// `ZX_RSRC_FLAGS_MASK`
pub const FLAGS_MASK: u32 = FLAG_EXCLUSIVE;

/// `ZX_RSRC_SYSTEM_VMEX_BASE`
pub const SYSTEM_VMEX_BASE: u64 = 1;
/// `ZX_RSRC_SYSTEM_DEBUG_BASE`
pub const SYSTEM_DEBUG_BASE: u64 = 2;
/// `ZX_RSRC_SYSTEM_INFO_BASE`
pub const SYSTEM_INFO_BASE: u64 = 3;
/// `ZX_RSRC_SYSTEM_DEBUGLOG_BASE`
pub const SYSTEM_DEBUGLOG_BASE: u64 = 12;
/// `ZX_RSRC_SYSTEM_COUNT`
pub const SYSTEM_COUNT: u64 = 14;

/// Physical address bits of the MMIO space the emulator describes (x86-64's
/// 48-bit physical space; Zircon asks CPUID, the emulator has no physical
/// bus to ask).
pub const MMIO_PHYS_BITS: u32 = 48;

/// The page size MMIO ranges are rounded to when a child is checked.
const PAGE: u64 = kernel_hal::PAGE_SIZE as u64;

/// `ZX_DEFAULT_RESOURCE_RIGHTS`: TRANSFER, DUPLICATE, WRITE and INSPECT.
pub const DEFAULT_RESOURCE_RIGHTS: Rights = Rights::TRANSFER
    .union(Rights::DUPLICATE)
    .union(Rights::WRITE)
    .union(Rights::INSPECT);

/// A resource object.
#[derive(Debug)]
pub struct Resource {
    base: KObjectBase,
    kind: u32,
    rbase: u64,
    size: u64,
    flags: u32,
}

impl_kobject!(Resource, ObjType::Resource);

/// What `ZX_INFO_RESOURCE` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceInfo {
    /// `ZX_RSRC_KIND_*`
    pub kind: u32,
    /// `ZX_RSRC_FLAG_*`
    pub flags: u32,
    /// Start of the range.
    pub base: u64,
    /// Length of the range.
    pub size: u64,
    /// The name, NUL-padded.
    pub name: [u8; crate::object::ZX_MAX_NAME_LEN],
}

/// The bookkeeping of every kind: the available ranges of the ranged
/// kinds (`None`: the kind has no allocator) and every live resource.
struct Registry {
    /// Available ranges per kind, indexed by kind; ROOT's is unused.
    avail: [Option<RangeMap<()>>; KIND_COUNT as usize],
    /// Every live resource with a range, as (koid, kind, base, size), for
    /// the exclusive-overlap check. Plain data, not references, so that no
    /// resource is ever upgraded (and perhaps dropped) under the lock its
    /// own drop takes.
    live: Vec<(Koid, u32, u64, u64)>,
}

/// The global registry, set up on first use.
static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();

fn registry() -> &'static Mutex<Registry> {
    REGISTRY.get_or_init(|| {
        let mut avail: [Option<RangeMap<()>>; KIND_COUNT as usize] = Default::default();
        let mut add = |kind: u32, base: u64, size: u64| {
            let mut m = RangeMap::new();
            m.insert(base as usize..(base + size) as usize, ());
            avail[kind as usize] = Some(m);
        };
        add(KIND_MMIO, 0, (1u64 << MMIO_PHYS_BITS) - 1);
        add(KIND_IOPORT, 0, u16::MAX as u64);
        add(KIND_SYSTEM, 0, SYSTEM_COUNT);
        Mutex::new(Registry {
            avail,
            live: Vec::new(),
        })
    })
}

/// Returns whether two ranges share a unit (empty ranges share none).
fn intersects(a_base: u64, a_size: u64, b_base: u64, b_size: u64) -> bool {
    let a_end = a_base.saturating_add(a_size);
    let b_end = b_base.saturating_add(b_size);
    a_size != 0 && b_size != 0 && a_base < b_end && b_base < a_end
}

fn as_range(base: u64, size: u64) -> Range<usize> {
    base as usize..(base + size) as usize
}

impl Resource {
    fn make(kind: u32, rbase: u64, size: u64, flags: u32, name: &[u8]) -> Resource {
        let base = KObjectBase::default();
        base.set_name(name);
        Resource {
            base,
            kind,
            rbase,
            size,
            flags,
        }
    }

    /// Returns the root resource (one per emulator, named "root"), which
    /// may mint any resource.
    pub fn root() -> Arc<Resource> {
        static ROOT: OnceLock<Arc<Resource>> = OnceLock::new();
        ROOT.get_or_init(|| Arc::new(Resource::make(KIND_ROOT, 0, 0, 0, b"root")))
            .clone()
    }

    /// Returns the ranged root of `kind` (base 0, size 0: every range of
    /// that kind), one per emulator; `None` for ROOT or a kind beyond the
    /// table (Zircon's `CreateRangedRoot`).
    pub fn ranged_root(kind: u32) -> Option<Arc<Resource>> {
        const NAMES: [&[u8]; KIND_COUNT as usize] =
            [b"mmio", b"irq", b"ioport", b"root", b"smc", b"system"];
        static ROOTS: OnceLock<Vec<Arc<Resource>>> = OnceLock::new();
        if kind >= KIND_COUNT || kind == KIND_ROOT {
            return None;
        }
        let roots = ROOTS.get_or_init(|| {
            (0..KIND_COUNT)
                .map(|k| Arc::new(Resource::make(k, 0, 0, 0, NAMES[k as usize])))
                .collect()
        });
        Some(roots[kind as usize].clone())
    }

    /// Creates a resource (Zircon's `ResourceDispatcher::Create`; the
    /// parent was checked by [`Resource::validate_ranged`]): `INVALID_ARGS`
    /// for a bad kind or flag, a ROOT with a range, or an empty or
    /// wrapping range; `BAD_STATE` for a kind with no allocator;
    /// `NOT_FOUND` if the range is not available, or is exclusive and
    /// overlaps a live resource of its kind.
    pub fn create(kind: u32, base: u64, size: u64, flags: u32, name: &[u8]) -> ZxResult<Arc<Self>> {
        if kind >= KIND_COUNT || flags & FLAGS_MASK != flags {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut reg = registry().lock();
        let exclusive = flags & FLAG_EXCLUSIVE != 0;
        if kind == KIND_ROOT {
            if base != 0 || size != 0 {
                return Err(ZxError::INVALID_ARGS);
            }
        } else {
            let avail = reg.avail[kind as usize]
                .as_ref()
                .ok_or(ZxError::BAD_STATE)?;
            match base.checked_add(size) {
                Some(_) if size != 0 => {}
                _ => return Err(ZxError::INVALID_ARGS),
            }
            if !avail.covers(as_range(base, size)) {
                return Err(ZxError::NOT_FOUND);
            }
            if exclusive {
                let clash = reg
                    .live
                    .iter()
                    .any(|&(_, k, b, s)| k == kind && intersects(base, size, b, s));
                if clash {
                    return Err(ZxError::NOT_FOUND);
                }
            }
        }
        let r = Arc::new(Resource::make(kind, base, size, flags, name));
        if kind != KIND_ROOT {
            if exclusive {
                if let Some(avail) = reg.avail[kind as usize].as_mut() {
                    avail.remove(as_range(base, size));
                }
            }
            reg.live.push((r.base.koid(), kind, base, size));
        }
        Ok(r)
    }

    /// Returns the kind.
    pub fn kind(&self) -> u32 {
        self.kind
    }

    /// Returns the start of the range.
    pub fn range_base(&self) -> u64 {
        self.rbase
    }

    /// Returns the flags.
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// Returns what `ZX_INFO_RESOURCE` reports.
    pub fn info(&self) -> ResourceInfo {
        ResourceInfo {
            kind: self.kind,
            flags: self.flags,
            base: self.rbase,
            size: self.size,
            name: self.base.name_bytes(),
        }
    }

    /// Returns whether this is the ranged root of `kind`.
    pub fn is_ranged_root(&self, kind: u32) -> bool {
        self.kind != KIND_ROOT && self.kind == kind && self.rbase == 0 && self.size == 0
    }

    /// Checks that this resource grants `[base, base + size)` of `kind`
    /// (Zircon's `validate_ranged_resource`): the root and the kind's
    /// ranged root grant everything; otherwise `WRONG_TYPE` for another
    /// kind, `OUT_OF_RANGE` for a range not inside this one (an MMIO range
    /// is widened to whole pages first).
    pub fn validate_ranged(&self, kind: u32, base: u64, size: u64) -> ZxResult {
        if self.kind == KIND_ROOT || self.is_ranged_root(kind) {
            return Ok(());
        }
        if self.kind != kind {
            return Err(ZxError::WRONG_TYPE);
        }
        let (mut rbase, mut rsize) = (self.rbase, self.size);
        if kind == KIND_MMIO {
            let aligned = rbase & !(PAGE - 1);
            rsize = ((rbase - aligned) + rsize).div_ceil(PAGE) * PAGE;
            rbase = aligned;
        }
        // The request must lie inside [rbase, rbase + rsize) and overlap it.
        let end = base.checked_add(size);
        let rend = rbase.saturating_add(rsize);
        match end {
            Some(end) if size != 0 && base >= rbase && end <= rend => Ok(()),
            _ => Err(ZxError::OUT_OF_RANGE),
        }
    }

    /// Checks that this resource is of `kind` with base `base`, or the
    /// root (Zircon's `validate_resource_kind_base`): `WRONG_TYPE`
    /// otherwise.
    pub fn validate_kind_base(&self, kind: u32, base: u64) -> ZxResult {
        if (self.kind == kind && self.rbase == base) || self.kind == KIND_ROOT {
            Ok(())
        } else {
            Err(ZxError::WRONG_TYPE)
        }
    }
}

impl Drop for Resource {
    fn drop(&mut self) {
        if self.kind == KIND_ROOT || self.size == 0 {
            return;
        }
        if let Some(reg) = REGISTRY.get() {
            let mut reg = reg.lock();
            let koid = self.base.koid();
            reg.live.retain(|e| e.0 != koid);
            if self.flags & FLAG_EXCLUSIVE != 0 {
                if let Some(avail) = reg.avail[self.kind as usize].as_mut() {
                    avail.insert(as_range(self.rbase, self.size), ());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::KernelObject;

    // The registry is global: each test uses its own MMIO window.
    const W: u64 = 1 << 40;

    #[test]
    fn root_and_info() {
        let root = Resource::root();
        let i = root.info();
        assert_eq!((i.kind, i.base, i.size, i.flags), (KIND_ROOT, 0, 0, 0));
        assert_eq!(&i.name[..5], b"root\0");
        assert_eq!(DEFAULT_RESOURCE_RIGHTS.bits(), 0x800b);
        let r = Resource::create(KIND_MMIO, W, 0x4000, FLAG_EXCLUSIVE, b"test").unwrap();
        let i = r.info();
        assert_eq!(
            (i.kind, i.base, i.size, i.flags),
            (KIND_MMIO, W, 0x4000, FLAG_EXCLUSIVE)
        );
        assert_eq!(r.obj_type(), ObjType::Resource);
    }

    #[test]
    fn bad_arguments() {
        assert_eq!(
            Resource::create(KIND_COUNT, 0, 1, 0, b"").unwrap_err(),
            ZxError::INVALID_ARGS
        );
        assert_eq!(
            Resource::create(KIND_MMIO, 0, 1, 0x20000, b"").unwrap_err(),
            ZxError::INVALID_ARGS
        );
        assert_eq!(
            Resource::create(KIND_ROOT, 1, 0, 0, b"").unwrap_err(),
            ZxError::INVALID_ARGS
        );
        assert_eq!(
            Resource::create(KIND_MMIO, u64::MAX, 1024, 0, b"").unwrap_err(),
            ZxError::INVALID_ARGS
        );
        assert_eq!(
            Resource::create(KIND_MMIO, 1024, u64::MAX, 0, b"").unwrap_err(),
            ZxError::INVALID_ARGS
        );
        assert_eq!(
            Resource::create(KIND_MMIO, 0, 0, 0, b"").unwrap_err(),
            ZxError::INVALID_ARGS
        );
        assert_eq!(
            Resource::create(KIND_IRQ, 0, 1, 0, b"").unwrap_err(),
            ZxError::BAD_STATE
        );
        assert_eq!(
            Resource::create(KIND_SMC, 0, 1, 0, b"").unwrap_err(),
            ZxError::BAD_STATE
        );
        assert_eq!(
            Resource::create(KIND_IOPORT, 0xFFFF, 1, 0, b"").unwrap_err(),
            ZxError::NOT_FOUND
        );
        assert_eq!(
            Resource::create(KIND_SYSTEM, 13, 2, 0, b"").unwrap_err(),
            ZxError::NOT_FOUND
        );
        assert!(Resource::create(KIND_SYSTEM, 13, 1, 0, b"").is_ok());
    }

    #[test]
    fn exclusive_ranges_come_back_on_drop() {
        let base = 2 * W;
        let ex = Resource::create(KIND_MMIO, base, 0x2000, FLAG_EXCLUSIVE, b"").unwrap();
        // Shared over an exclusive range: the range is not available.
        assert_eq!(
            Resource::create(KIND_MMIO, base + 0x1000, 0x1000, 0, b"").unwrap_err(),
            ZxError::NOT_FOUND
        );
        drop(ex);
        let shared = Resource::create(KIND_MMIO, base, 0x2000, 0, b"").unwrap();
        // Exclusive over a live shared one.
        assert_eq!(
            Resource::create(KIND_MMIO, base + 0x1000, 0x4000, FLAG_EXCLUSIVE, b"").unwrap_err(),
            ZxError::NOT_FOUND
        );
        drop(shared);
        let ex = Resource::create(KIND_MMIO, base + 0x1000, 0x4000, FLAG_EXCLUSIVE, b"").unwrap();
        drop(ex);
        // Everything came back and joined again.
        assert!(Resource::create(KIND_MMIO, base, 0x10000, FLAG_EXCLUSIVE, b"").is_ok());
    }

    #[test]
    fn validation() {
        let root = Resource::root();
        assert!(root.validate_ranged(KIND_IRQ, 5, 5).is_ok());
        let sys = Resource::ranged_root(KIND_SYSTEM).unwrap();
        assert!(sys.is_ranged_root(KIND_SYSTEM) && !sys.is_ranged_root(KIND_MMIO));
        assert!(sys
            .validate_ranged(KIND_SYSTEM, SYSTEM_DEBUGLOG_BASE, 1)
            .is_ok());
        assert_eq!(
            sys.validate_ranged(KIND_MMIO, 0, 1).unwrap_err(),
            ZxError::WRONG_TYPE
        );
        assert_eq!(
            sys.validate_kind_base(KIND_SYSTEM, SYSTEM_DEBUGLOG_BASE)
                .unwrap_err(),
            ZxError::WRONG_TYPE
        );
        assert!(Resource::ranged_root(KIND_ROOT).is_none());
        let m = Resource::create(KIND_MMIO, 3 * W + 0x7800, 0x2000, 0, b"").unwrap();
        // Widened to [0x7000, 0xA000).
        assert!(m.validate_ranged(KIND_MMIO, 3 * W + 0x7000, 0x3000).is_ok());
        assert_eq!(
            m.validate_ranged(KIND_MMIO, 3 * W + 0x7000, 0x3001)
                .unwrap_err(),
            ZxError::OUT_OF_RANGE
        );
        assert_eq!(
            m.validate_ranged(KIND_MMIO, 3 * W, 0x1000).unwrap_err(),
            ZxError::OUT_OF_RANGE
        );
        assert_eq!(
            m.validate_ranged(KIND_IOPORT, 0, 1).unwrap_err(),
            ZxError::WRONG_TYPE
        );
        let d = Resource::create(KIND_SYSTEM, SYSTEM_DEBUGLOG_BASE, 1, 0, b"").unwrap();
        assert!(d
            .validate_kind_base(KIND_SYSTEM, SYSTEM_DEBUGLOG_BASE)
            .is_ok());
        assert!(root
            .validate_kind_base(KIND_SYSTEM, SYSTEM_DEBUGLOG_BASE)
            .is_ok());
    }
}
