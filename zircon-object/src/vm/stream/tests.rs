//! Unit tests of streams and VMO stream sizes against the fake HAL. Where a
//! test follows a case of Fuchsia's `core/stream` or `core/vmo` tests it
//! carries that case's name; the cases are retold, not copied.

use std::sync::Arc;

use kernel_hal::fake::FakeHal;
use kernel_hal::PAGE_SIZE as P;

use super::*;
use crate::object::KernelObject as _;
use crate::vm::options::VmOptions as O;
use crate::vm::vmo::{ZX_VMO_RESIZABLE, ZX_VMO_UNBOUNDED};
use crate::vm::VmAddressRegion;

const RW: u32 = O::PERM_READ.bits() | O::PERM_WRITE.bits();
const RWX: Rights = Rights::DEFAULT_VMO.union(Rights::EXECUTE);
const ABC: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// An address space with a scratch mapping of `SCRATCH` pages, followed by
/// an unmapped page inside a sub-region (so a buffer can run off its end).
struct Env {
    hal: FakeHal,
    root: Arc<VmAddressRegion>,
    scratch: usize,
}

const SCRATCH: usize = 4;

impl Env {
    fn new() -> Env {
        let hal = FakeHal::new();
        let root = VmAddressRegion::new_root(Arc::new(hal.clone())).unwrap();
        let caps = O::CAN_MAP_READ | O::CAN_MAP_WRITE | O::CAN_MAP_SPECIFIC;
        let sub = root
            .allocate(root.default_rights(), caps.bits(), 0, (SCRATCH + 1) * P)
            .unwrap();
        let backing = VmObject::create(Arc::new(hal.clone()), (SCRATCH * P) as u64, 0).unwrap();
        let scratch = sub
            .map(
                sub.default_rights(),
                RW | O::SPECIFIC.bits(),
                0,
                &backing,
                RWX,
                0,
                SCRATCH * P,
            )
            .unwrap();
        Env { hal, root, scratch }
    }

    fn aspace(&self) -> &AddressSpace {
        self.root.aspace()
    }

    /// The first address past the scratch mapping (unmapped).
    fn hole(&self) -> usize {
        self.scratch + SCRATCH * P
    }

    fn vmo(&self, size: u64, options: u32) -> Arc<VmObject> {
        VmObject::create(Arc::new(self.hal.clone()), size, options).unwrap()
    }

    fn put(&self, at: usize, bytes: &[u8]) {
        self.aspace()
            .copy_to_user(self.scratch + at, bytes)
            .unwrap();
    }

    fn get(&self, at: usize, len: usize) -> Vec<u8> {
        let mut b = vec![0u8; len];
        self.aspace()
            .copy_from_user(self.scratch + at, &mut b)
            .unwrap();
        b
    }

    /// Writes `entries` (`(address, capacity)`) as a `zx_iovec_t` array at
    /// scratch offset `at` and returns it.
    fn iov(&self, at: usize, entries: &[(usize, usize)]) -> UserIovecs {
        let mut raw = Vec::new();
        for &(buf, cap) in entries {
            raw.extend_from_slice(&(buf as u64).to_le_bytes());
            raw.extend_from_slice(&(cap as u64).to_le_bytes());
        }
        self.put(at, &raw);
        UserIovecs {
            addr: self.scratch + at,
            count: entries.len(),
        }
    }

    /// One buffer at scratch offset `buf` of `cap` bytes, its iovec at 0.
    fn one(&self, buf: usize, cap: usize) -> UserIovecs {
        self.iov(0, &[(self.scratch + buf, cap)])
    }
}

fn vmo_bytes(vmo: &VmObject, at: u64, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len];
    vmo.read(at, &mut b).unwrap();
    b
}

/// A one-page VMO holding the alphabet, content size 26.
fn alphabet(e: &Env) -> Arc<VmObject> {
    let vmo = e.vmo(P as u64, 0);
    vmo.write(0, ABC).unwrap();
    vmo.set_content_size(26).unwrap();
    vmo
}

fn stream(options: u32, vmo: &Arc<VmObject>, seek: u64) -> Arc<Stream> {
    Stream::create(options, vmo.clone(), RWX, seek).0
}

const RD: u32 = ZX_STREAM_MODE_READ;
const WR: u32 = ZX_STREAM_MODE_WRITE;

#[test]
fn create_checks_options_and_gives_rights_by_mode() {
    let e = Env::new();
    let vmo = e.vmo(4 * P as u64, 0);
    assert_eq!(Stream::vmo_rights_for(1 << 3), Err(ZxError::INVALID_ARGS));
    assert_eq!(
        Stream::vmo_rights_for(-42i32 as u32),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(Stream::vmo_rights_for(0), Ok(Rights::empty()));
    assert_eq!(
        Stream::vmo_rights_for(RD | WR | ZX_STREAM_MODE_APPEND),
        Ok(Rights::READ | Rights::WRITE)
    );
    // Neither READ nor WRITE by default; the mode adds them.
    assert!(!DEFAULT_STREAM_RIGHTS.intersects(Rights::READ | Rights::WRITE));
    for (mode, extra) in [
        (0, Rights::empty()),
        (RD, Rights::READ),
        (WR, Rights::WRITE),
        (RD | WR, Rights::READ | Rights::WRITE),
        (ZX_STREAM_MODE_APPEND, Rights::empty()),
        (WR | ZX_STREAM_MODE_APPEND, Rights::WRITE),
    ] {
        let (s, rights) = Stream::create(mode, vmo.clone(), RWX, 0);
        assert_eq!(rights, DEFAULT_STREAM_RIGHTS | extra, "mode {mode}");
        assert_eq!(s.obj_type(), ObjType::Stream);
        assert_eq!(s.info().options, mode);
    }
}

#[test]
fn seek_moves_within_u64_and_refuses_the_rest() {
    // StreamTestCase.Seek, retold.
    let e = Env::new();
    let vmo = e.vmo(4 * P as u64, 0);
    vmo.set_content_size(42).unwrap();
    assert_eq!(stream(RD, &vmo, 9).seek(SeekOrigin::Current, 0), Ok(9));
    let s = stream(RD | WR, &vmo, 0);
    assert_eq!(SeekOrigin::try_from(3), Err(ZxError::INVALID_ARGS));
    assert_eq!(SeekOrigin::try_from(34893), Err(ZxError::INVALID_ARGS));
    assert_eq!(s.seek(SeekOrigin::Start, -10), Err(ZxError::INVALID_ARGS));
    assert_eq!(s.seek(SeekOrigin::Start, 12), Ok(12));
    assert_eq!(s.seek(SeekOrigin::Current, -13), Err(ZxError::INVALID_ARGS));
    assert_eq!(s.seek(SeekOrigin::Current, -12), Ok(0));
    assert_eq!(s.seek(SeekOrigin::Current, i64::MAX), Ok(i64::MAX as u64));
    assert_eq!(
        s.seek(SeekOrigin::Current, 7),
        Ok(i64::MAX as u64 + 7),
        "past i64::MAX is fine"
    );
    assert_eq!(
        s.seek(SeekOrigin::Current, i64::MAX),
        Err(ZxError::INVALID_ARGS)
    );
    assert_eq!(
        s.info().seek,
        i64::MAX as u64 + 7,
        "a refused seek moves nothing"
    );
    assert_eq!(s.seek(SeekOrigin::End, -2), Ok(40));
    assert_eq!(s.seek(SeekOrigin::End, 30), Ok(72));
    assert_eq!(s.seek(SeekOrigin::End, -43), Err(ZxError::INVALID_ARGS));
    vmo.set_content_size(u64::MAX).unwrap();
    assert_eq!(s.seek(SeekOrigin::End, -1), Ok(u64::MAX - 1));
    assert_eq!(s.seek(SeekOrigin::End, 1), Err(ZxError::INVALID_ARGS));
}

#[test]
fn readv_reads_up_to_the_content_end_and_advances() {
    // StreamTestCase.ReadV, retold.
    let e = Env::new();
    let vmo = alphabet(&e);
    let s = stream(RD, &vmo, 0);
    assert_eq!(s.readv(e.aspace(), e.one(512, 5)), Ok(5));
    assert_eq!(e.get(512, 5), b"abcde");
    assert_eq!(s.readv(e.aspace(), e.one(512, 4)), Ok(4));
    assert_eq!(e.get(512, 4), b"fghi");
    // A buffer nobody mapped: NOT_FOUND, nothing read, the seek stays.
    let bad = e.iov(0, &[(e.hole(), 3)]);
    assert_eq!(s.readv(e.aspace(), bad), Err(ZxError::NOT_FOUND));
    assert_eq!(s.info().seek, 9);
    // Capacities adding up past usize::MAX.
    let big = e.iov(0, &[(e.scratch + 512, usize::MAX / 2 + 1); 2]);
    assert_eq!(s.readv(e.aspace(), big), Err(ZxError::INVALID_ARGS));
    // An array that cannot be read.
    let unreadable = UserIovecs {
        addr: e.hole(),
        count: 1,
    };
    assert_eq!(s.readv(e.aspace(), unreadable), Err(ZxError::INVALID_ARGS));
    // Nothing to read: zero bytes, OK.
    assert_eq!(s.readv(e.aspace(), e.iov(0, &[])), Ok(0));
    assert_eq!(s.readv(e.aspace(), e.one(512, 100)), Ok(17));
    assert_eq!(s.readv(e.aspace(), e.one(512, 100)), Ok(0));
    // A smaller content size: reads stop there.
    vmo.set_content_size(6).unwrap();
    s.seek(SeekOrigin::Start, 0).unwrap();
    assert_eq!(s.readv(e.aspace(), e.one(512, 12)), Ok(6));
    assert_eq!(e.get(512, 6), b"abcdef");
    // Several one-byte buffers, filled in order.
    vmo.set_content_size(26).unwrap();
    s.seek(SeekOrigin::Start, 0).unwrap();
    let bufs: Vec<_> = (0..7).map(|i| (e.scratch + 600 + i, 1)).collect();
    assert_eq!(s.readv(e.aspace(), e.iov(0, &bufs)), Ok(7));
    assert_eq!(e.get(600, 7), b"abcdef\0", "past 6 the content was zeroed");
}

#[test]
fn readv_at_leaves_the_seek_offset() {
    // StreamTestCase.ReadVAt, retold.
    let e = Env::new();
    let vmo = alphabet(&e);
    let s = stream(RD, &vmo, 0);
    assert_eq!(s.readv_at(e.aspace(), e.one(512, 7), 23), Ok(3));
    assert_eq!(e.get(512, 3), b"xyz");
    assert_eq!(s.info().seek, 0);
    assert_eq!(s.readv_at(e.aspace(), e.one(512, 7), 40), Ok(0));
    assert_eq!(s.readv_at(e.aspace(), e.one(512, 7), u64::MAX - 2), Ok(0));
}

#[test]
fn a_read_into_its_own_iovec_array_stops_when_full() {
    // StreamTestCase.ReadVectorAlias, retold: every entry points at the
    // array itself; the first entry takes all 26 bytes.
    let e = Env::new();
    let vmo = alphabet(&e);
    let s = stream(RD, &vmo, 0);
    let arr = e.scratch;
    let iov = e.iov(0, &[(arr, 7 * 16); 7]);
    assert_eq!(s.readv(e.aspace(), iov), Ok(26));
    assert_eq!(e.get(0, 26), ABC);
}

#[test]
fn writev_writes_at_the_seek_offset_and_grows_the_content() {
    // StreamTestCase.WriteV and WriteExtendsContentSize, retold.
    let e = Env::new();
    let vmo = alphabet(&e);
    e.put(512, b"0123456789ABCDEF");
    let s = stream(WR, &vmo, 0);
    assert_eq!(s.writev(e.aspace(), e.one(512, 4)), Ok(4));
    assert_eq!(vmo_bytes(&vmo, 0, 26), b"0123efghijklmnopqrstuvwxyz");
    assert_eq!(vmo.content_size(), 26, "inside the content: no growth");
    // Buffers taken in array order.
    let bufs: Vec<_> = (0..3).rev().map(|i| (e.scratch + 512 + i, 1)).collect();
    assert_eq!(s.writev(e.aspace(), e.iov(0, &bufs)), Ok(3));
    assert_eq!(vmo_bytes(&vmo, 0, 8), b"0123210h");
    // Past the content end the content grows.
    s.seek(SeekOrigin::Start, 24).unwrap();
    assert_eq!(s.writev(e.aspace(), e.one(512, 10)), Ok(10));
    assert_eq!(vmo.content_size(), 34);
    assert_eq!(s.info().seek, 34);
    // At the end of a fixed-size VMO: a short write, then NO_SPACE.
    s.seek(SeekOrigin::Start, P as i64 - 6).unwrap();
    assert_eq!(s.writev(e.aspace(), e.one(512, 10)), Ok(6));
    assert_eq!(vmo.content_size(), P);
    assert_eq!(s.writev(e.aspace(), e.one(512, 10)), Err(ZxError::NO_SPACE));
    assert_eq!(vmo.content_size(), P);
    assert_eq!(vmo.size(), P);
}

#[test]
fn writes_that_skip_past_the_content_end_fill_the_gap_with_zeros() {
    // StreamTestCase.ExtendFillsWithZeros, retold.
    let e = Env::new();
    let vmo = e.vmo(6 * P as u64, 0);
    vmo.set_content_size(0).unwrap();
    vmo.write(0, &vec![b'x'; 6 * P]).unwrap();
    e.put(512, b"0123");
    let s = stream(WR, &vmo, 0);
    assert_eq!(
        s.writev_at(e.aspace(), e.one(512, 4), 2 * P as u64 - 2),
        Ok(4)
    );
    assert!(vmo_bytes(&vmo, 0, 2 * P - 2).iter().all(|&b| b == 0));
    assert_eq!(vmo_bytes(&vmo, 2 * P as u64 - 2, 6), b"0123xx");
    assert_eq!(s.info().seek, 0, "writev_at leaves the seek");
    s.seek(SeekOrigin::Start, 5 * P as i64 - 2).unwrap();
    assert_eq!(s.writev(e.aspace(), e.one(512, 4)), Ok(4));
    assert!(vmo_bytes(&vmo, 2 * P as u64 + 2, 3 * P - 4)
        .iter()
        .all(|&b| b == 0));
    assert_eq!(vmo_bytes(&vmo, 5 * P as u64 - 2, 6), b"0123xx");
    assert_eq!(vmo.content_size(), 5 * P + 2);
}

#[test]
fn writes_grow_a_resizable_vmo_only_through_a_resize_right() {
    // StreamTestCase.WriteExtendsVMOSize and ExpandVmoResizeRight, retold.
    let e = Env::new();
    let vmo = e.vmo(P as u64, ZX_VMO_RESIZABLE);
    e.put(512, b"0123456789");
    let seek = P as u64 - 1;
    let no_resize = Stream::create(WR, vmo.clone(), RWX.difference(Rights::RESIZE), seek).0;
    let resize = Stream::create(WR, vmo.clone(), RWX | Rights::RESIZE, seek).0;
    assert_eq!(no_resize.writev(e.aspace(), e.one(512, 10)), Ok(1));
    assert_eq!(
        no_resize.writev(e.aspace(), e.one(512, 10)),
        Err(ZxError::NO_SPACE)
    );
    assert_eq!(vmo.size(), P);
    assert_eq!(resize.writev(e.aspace(), e.one(512, 10)), Ok(10));
    assert_eq!(vmo.size(), 2 * P);
    assert_eq!(vmo.content_size(), P + 9);
    assert_eq!(vmo_bytes(&vmo, seek, 10), b"0123456789");
    // A capacity so large that offset + capacity overflows: FILE_BIG.
    assert_eq!(
        resize.writev(e.aspace(), e.one(512, usize::MAX)),
        Err(ZxError::FILE_BIG)
    );
    assert_eq!(
        resize.writev_at(e.aspace(), e.one(512, usize::MAX), 5414),
        Err(ZxError::FILE_BIG)
    );
    assert_eq!(vmo.size(), 2 * P);
    // The page rounding of the target overflows: OUT_OF_RANGE
    // (StreamTestCase.ExpandOverflow), and nothing changed.
    assert_eq!(
        resize.writev_at(e.aspace(), e.one(512, 4), u64::MAX - 7),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!((vmo.size(), vmo.content_size()), (2 * P, P + 9));
    vmo.set_size(3 * P as u64).unwrap();
    assert_eq!(vmo.content_size(), 3 * P);
}

#[test]
fn a_failed_write_leaves_the_content_size() {
    // The end of StreamTestCase.WriteVAt, retold.
    let e = Env::new();
    let vmo = e.vmo(P as u64, ZX_VMO_RESIZABLE);
    let s = stream(WR, &vmo, 0);
    e.put(512, b"0123456789");
    let rs = Stream::create(WR, vmo.clone(), RWX | Rights::RESIZE, 0).0;
    assert_eq!(
        rs.writev_at(e.aspace(), e.one(512, 10), P as u64 - 6),
        Ok(10)
    );
    assert_eq!(vmo.content_size(), P + 4);
    let bad = e.iov(0, &[(e.hole(), 42)]);
    assert_eq!(s.writev_at(e.aspace(), bad, 5000), Err(ZxError::NOT_FOUND));
    assert_eq!(vmo.content_size(), P + 4);
    assert_eq!(
        s.writev_at(e.aspace(), e.one(512, 10), 2 * P as u64 + 4),
        Err(ZxError::NO_SPACE),
        "past the VMO without the resize right"
    );
}

#[test]
fn a_fault_part_way_reports_the_pages_before_it() {
    let e = Env::new();
    let vmo = e.vmo(4 * P as u64, 0);
    vmo.set_content_size(0).unwrap();
    let s = stream(RD | WR, &vmo, 0);
    // A buffer of 3 pages starting one page before the scratch mapping's
    // end: the write takes the one page that can be read.
    let start = SCRATCH * P - P;
    e.put(start, &vec![7u8; P]);
    let iov = e.iov(0, &[(e.scratch + start, 3 * P)]);
    assert_eq!(s.writev(e.aspace(), iov), Ok(P));
    assert_eq!(vmo.content_size(), P);
    assert_eq!(s.info().seek, P as u64);
    // The next entry is never reached after a fault.
    let two = e.iov(0, &[(e.hole(), 8), (e.scratch + 512, 8)]);
    assert_eq!(s.writev(e.aspace(), two), Err(ZxError::NOT_FOUND));
    assert_eq!(vmo.content_size(), P, "nothing written, nothing grown");
    // Reads fault the same way: the good first entry counts.
    vmo.write(0, &[1; 64]).unwrap();
    let two = e.iov(0, &[(e.scratch + 512, 16), (e.hole(), 16)]);
    assert_eq!(s.readv_at(e.aspace(), two, 0), Ok(16));
    assert_eq!(e.get(512, 16), [1; 16]);
}

#[test]
fn append_writes_at_the_content_end() {
    // StreamTestCase.Append and WriteVectorWithStreamInAppendMode, retold.
    let e = Env::new();
    e.put(512, b"0123456789ABCDEF");
    for append_mode in [false, true] {
        let vmo = alphabet(&e);
        let mode = if append_mode {
            WR | ZX_STREAM_MODE_APPEND
        } else {
            WR
        };
        let s = stream(mode, &vmo, 0);
        let write = |cap: usize| {
            if append_mode {
                s.writev(e.aspace(), e.one(512, cap))
            } else {
                s.appendv(e.aspace(), e.one(512, cap))
            }
        };
        assert_eq!(write(7), Ok(7));
        assert_eq!(
            vmo_bytes(&vmo, 0, 34),
            b"abcdefghijklmnopqrstuvwxyz0123456\0"
        );
        let i = s.info();
        assert_eq!((i.options, i.seek, i.content_size), (mode, 33, 33));
        while vmo.content_size() + 16 < P {
            assert_eq!(write(16), Ok(16));
        }
        let left = P - vmo.content_size();
        assert_eq!(write(16), Ok(left));
        assert_eq!(write(16), Err(ZxError::NO_SPACE));
        assert_eq!(write(usize::MAX), Err(ZxError::OUT_OF_RANGE));
        assert_eq!(s.info().seek, P as u64);
    }
}

#[test]
fn append_mode_can_be_switched() {
    // StreamTestCase.PropertyModeAppend, retold.
    let e = Env::new();
    let vmo = e.vmo(P as u64, 0);
    vmo.set_content_size(0).unwrap();
    e.put(512, b"0123456789ABCDEF");
    let s = stream(WR, &vmo, 0);
    assert_eq!(s.writev(e.aspace(), e.one(512, 16)), Ok(16));
    assert!(!s.is_append());
    s.set_append(true);
    assert_eq!(s.info().options, WR | ZX_STREAM_MODE_APPEND);
    s.seek(SeekOrigin::Start, 10).unwrap();
    assert_eq!(s.writev(e.aspace(), e.one(512, 16)), Ok(16));
    assert_eq!(vmo_bytes(&vmo, 0, 32), b"0123456789ABCDEF0123456789ABCDEF");
    s.set_append(false);
    assert_eq!(s.info().seek, 32);
    s.seek(SeekOrigin::Start, 10).unwrap();
    assert_eq!(s.writev(e.aspace(), e.one(512, 16)), Ok(16));
    assert_eq!(vmo_bytes(&vmo, 0, 32), b"01234567890123456789ABCDEFABCDEF");
}

#[test]
fn appends_from_several_threads_never_overwrite_each_other() {
    // StreamTestCase.AppendWithMultipleThreads, retold.
    let e = Env::new();
    let vmo = e.vmo(P as u64, 0);
    vmo.set_content_size(0).unwrap();
    let bytes: Vec<u8> = (0..=255).collect();
    e.put(1024, &bytes);
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (e, vmo) = (&e, &vmo);
            scope.spawn(move || {
                let s = stream(WR | ZX_STREAM_MODE_APPEND, vmo, 0);
                for i in 0..64 {
                    let iov = UserIovecs {
                        addr: e.scratch + 2048 + t * 16,
                        count: 1,
                    };
                    let entry = [(e.scratch + 1024 + t * 64 + i) as u64, 1u64];
                    let raw: Vec<u8> = entry.iter().flat_map(|v| v.to_le_bytes()).collect();
                    e.aspace().copy_to_user(iov.addr, &raw).unwrap();
                    assert_eq!(s.writev(e.aspace(), iov), Ok(1));
                }
            });
        }
    });
    let mut got = vmo_bytes(&vmo, 0, 256);
    got.sort_unstable();
    assert_eq!(got, bytes);
    assert_eq!(vmo.content_size(), 256);
}

#[test]
fn stream_size_rules() {
    // VmoTestCase.StreamSize, retold.
    let e = Env::new();
    let vmo = e.vmo(4 * P as u64 + 42, ZX_VMO_RESIZABLE);
    assert_eq!((vmo.content_size(), vmo.size()), (4 * P + 42, 5 * P));
    vmo.set_stream_size(P as u64 - 1).unwrap();
    assert_eq!((vmo.content_size(), vmo.size()), (P - 1, 5 * P));
    vmo.set_stream_size(5 * P as u64).unwrap();
    assert_eq!(
        vmo.set_stream_size(5 * P as u64 + 1),
        Err(ZxError::OUT_OF_RANGE)
    );
    assert_eq!(vmo.content_size(), 5 * P);
    vmo.set_size(2 * P as u64).unwrap();
    assert_eq!(vmo.content_size(), 2 * P);
    vmo.set_size(10 * P as u64).unwrap();
    assert_eq!(vmo.content_size(), 10 * P);
    let unbounded = e.vmo(42, ZX_VMO_UNBOUNDED);
    assert_eq!(unbounded.content_size(), 42);
    unbounded.set_stream_size(85).unwrap();
    assert_eq!(unbounded.content_size(), 85);
}

#[test]
fn set_stream_size_zeroes_from_the_smaller_size() {
    // VmoTestCase.ZeroRangeOnSetStreamSize, retold.
    let e = Env::new();
    let vmo = e.vmo(3 * P as u64, 0);
    vmo.write(0, &vec![9u8; 3 * P]).unwrap();
    // Shrinking: everything past the new size reads as zero.
    vmo.set_stream_size(P as u64 + 10).unwrap();
    assert!(vmo_bytes(&vmo, 0, P + 10).iter().all(|&b| b == 9));
    assert!(vmo_bytes(&vmo, P as u64 + 10, 2 * P - 10)
        .iter()
        .all(|&b| b == 0));
    // Growing: the new part is zero, even if written past the stream end.
    vmo.write(2 * P as u64, &[5; 16]).unwrap();
    vmo.set_stream_size(3 * P as u64).unwrap();
    assert!(vmo_bytes(&vmo, P as u64 + 10, 2 * P - 10)
        .iter()
        .all(|&b| b == 0));
    assert!(vmo_bytes(&vmo, 0, P + 10).iter().all(|&b| b == 9));
    // The same size again changes nothing, not even bytes past it.
    vmo.set_stream_size(P as u64).unwrap();
    vmo.write(P as u64 + 1, &[3]).unwrap();
    vmo.set_stream_size(P as u64).unwrap();
    assert_eq!(vmo_bytes(&vmo, P as u64 + 1, 1), [3]);
}

#[test]
fn the_content_property_takes_any_size_and_zeroes_past_it() {
    let e = Env::new();
    let vmo = e.vmo(2 * P as u64, 0);
    vmo.write(0, &vec![4u8; 2 * P]).unwrap();
    vmo.set_content_size(P as u64 + 1).unwrap();
    assert_eq!(vmo_bytes(&vmo, P as u64, 2), [4, 0]);
    vmo.set_content_size(10 * P as u64).unwrap();
    assert_eq!(vmo.content_size(), 10 * P);
    assert_eq!(vmo.size(), 2 * P);
    // A stream reading past the VMO's end gets OUT_OF_RANGE for that part.
    let s = stream(RD, &vmo, 2 * P as u64);
    assert_eq!(
        s.readv(e.aspace(), e.one(512, 8)),
        Err(ZxError::OUT_OF_RANGE)
    );
}
