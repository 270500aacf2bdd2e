//! FIFOs (`zx_fifo_*`): connected pairs of endpoints that pass fixed-size
//! elements through small rings (at most [`MAX_SIZE_BYTES`] each).
//!
//! As with sockets, both ends share one lock ([`Fifo::pair`]) under which
//! both rings change and both ends' signals change; each end owns the ring
//! of elements written *to* it. User memory is reached only through the
//! copy callbacks the caller passes, under the pair lock (lock order:
//! `Fifo::pair` → `AddressSpace::state` and → `KObjectBase::signals`,
//! docs/LOCKING.md). A copy that faults undoes the whole call: Zircon
//! rolls its ring back and answers `INVALID_ARGS`.
//!
//! An end closes when its object is dropped: its peer loses `WRITABLE` and
//! gains `PEER_CLOSED`; elements already written to the peer stay readable.

use std::sync::{Arc, Weak};

use crate::object::{signals, KObjectBase, Koid, ObjType};
use crate::sync::Mutex;
use crate::{impl_kobject, Rights, ZxError, ZxResult};

pub use crate::ipc::socket::{CopyIn, CopyOut};

/// `ZX_DEFAULT_FIFO_RIGHTS`: basic, IO, SIGNAL and SIGNAL_PEER.
pub const DEFAULT_FIFO_RIGHTS: Rights = Rights::BASIC
    .union(Rights::IO)
    .union(Rights::SIGNAL)
    .union(Rights::SIGNAL_PEER);

/// `ZX_FIFO_MAX_SIZE_BYTES`: the largest `elem_count * elem_size`.
pub const MAX_SIZE_BYTES: usize = 4096;

/// `ZX_FIFO_READABLE`
pub const READABLE: u32 = 1 << 0;
/// `ZX_FIFO_WRITABLE`
pub const WRITABLE: u32 = 1 << 1;
/// `ZX_FIFO_PEER_CLOSED`
pub const PEER_CLOSED: u32 = signals::PEER_CLOSED;

/// The elements written to one end, oldest at `head`.
#[derive(Debug)]
struct Ring {
    data: Vec<u8>,
    /// Index (in elements) of the oldest element.
    head: usize,
    /// Elements held.
    len: usize,
}

/// One end of a FIFO.
#[derive(Debug)]
pub struct Fifo {
    base: KObjectBase,
    peer_koid: Koid,
    /// Which of the rings is this end's.
    side: usize,
    elem_count: usize,
    elem_size: usize,
    /// Both ends' rings; protected by this mutex, under which both ends'
    /// signals change (docs/LOCKING.md).
    pair: Arc<Mutex<[Ring; 2]>>,
    /// The other end (upgraded before `pair` is locked and dropped after it
    /// is released: its `Drop` takes `pair`).
    peer: Weak<Fifo>,
}

impl_kobject!(Fifo, ObjType::Fifo, related = |f: &Fifo| f.peer_koid);

impl Fifo {
    /// Creates a connected pair whose rings hold `elem_count` elements of
    /// `elem_size` bytes (`zx_fifo_create`; its options are not looked at,
    /// as on Zircon). `OUT_OF_RANGE` if either is 0 or their product is
    /// more than [`MAX_SIZE_BYTES`]. Any count is allowed, a power of two
    /// or not. Both ends start `WRITABLE`.
    pub fn create(elem_count: usize, elem_size: usize) -> ZxResult<(Arc<Fifo>, Arc<Fifo>)> {
        if elem_count == 0
            || elem_size == 0
            || elem_count > MAX_SIZE_BYTES
            || elem_size > MAX_SIZE_BYTES
            || elem_count * elem_size > MAX_SIZE_BYTES
        {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let ring = || Ring {
            data: vec![0; elem_count * elem_size],
            head: 0,
            len: 0,
        };
        let pair = Arc::new(Mutex::new([ring(), ring()]));
        let (b0, b1) = (KObjectBase::default(), KObjectBase::default());
        let (k0, k1) = (b0.koid(), b1.koid());
        let mut second = None;
        let first = Arc::new_cyclic(|first: &Weak<Fifo>| {
            let b = Arc::new(Fifo {
                base: b1,
                peer_koid: k0,
                side: 1,
                elem_count,
                elem_size,
                pair: pair.clone(),
                peer: first.clone(),
            });
            let peer = Arc::downgrade(&b);
            second = Some(b);
            Fifo {
                base: b0,
                peer_koid: k1,
                side: 0,
                elem_count,
                elem_size,
                pair,
                peer,
            }
        });
        let second = second.expect("made in new_cyclic");
        first.base.signal_change(0, WRITABLE);
        second.base.signal_change(0, WRITABLE);
        Ok((first, second))
    }

    /// Returns the element size.
    pub fn elem_size(&self) -> usize {
        self.elem_size
    }

    /// Returns the peer if it is still open.
    pub fn peer(&self) -> Option<Arc<Fifo>> {
        self.peer.upgrade()
    }

    /// Writes up to `count` elements of `elem_size` bytes, which `input`
    /// reads from the caller, to the peer (`zx_fifo_write`); as many as
    /// fit. Returns how many were written.
    ///
    /// Errors in Zircon's order: `PEER_CLOSED`; `OUT_OF_RANGE` for the
    /// wrong element size or a count of 0; `SHOULD_WAIT` when the peer's
    /// ring is full; `INVALID_ARGS` when the caller's buffer is not
    /// readable (nothing is written).
    pub fn write(&self, elem_size: usize, count: usize, input: &mut CopyIn<'_>) -> ZxResult<usize> {
        let peer = self.peer();
        let mut pair = self.pair.lock();
        let Some(peer) = peer.as_ref() else {
            return Err(ZxError::PEER_CLOSED);
        };
        if elem_size != self.elem_size || count == 0 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let (cap, size) = (self.elem_count, self.elem_size);
        let ring = &mut pair[1 - self.side];
        let room = cap - ring.len;
        if room == 0 {
            return Err(ZxError::SHOULD_WAIT);
        }
        let was_empty = ring.len == 0;
        let n = count.min(room);
        // At most two pieces: up to the end of the ring, then from its
        // start. Free slots take the bytes; `len` commits them.
        let first = (ring.head + ring.len) % cap;
        let n1 = n.min(cap - first);
        input(0, &mut ring.data[first * size..(first + n1) * size])
            .map_err(|_| ZxError::INVALID_ARGS)?;
        if n1 < n {
            input(n1 * size, &mut ring.data[..(n - n1) * size])
                .map_err(|_| ZxError::INVALID_ARGS)?;
        }
        ring.len += n;
        let full = ring.len == cap;
        if was_empty {
            peer.base.signal_change(0, READABLE);
        }
        if full {
            self.base.signal_change(WRITABLE, 0);
        }
        drop(pair);
        Ok(n)
    }

    /// Reads up to `count` elements of `elem_size` bytes through `out`
    /// (`zx_fifo_read`); as many as there are. Returns how many were read.
    ///
    /// Errors in Zircon's order: `OUT_OF_RANGE` for the wrong element size
    /// or a count of 0; with nothing buffered `SHOULD_WAIT`, or
    /// `PEER_CLOSED` once the peer is gone; `INVALID_ARGS` when the
    /// caller's buffer is not writable (nothing is consumed).
    pub fn read(&self, elem_size: usize, count: usize, out: &mut CopyOut<'_>) -> ZxResult<usize> {
        let peer = self.peer();
        let mut pair = self.pair.lock();
        if elem_size != self.elem_size || count == 0 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let (cap, size) = (self.elem_count, self.elem_size);
        let ring = &mut pair[self.side];
        if ring.len == 0 {
            return Err(if peer.is_some() {
                ZxError::SHOULD_WAIT
            } else {
                ZxError::PEER_CLOSED
            });
        }
        let was_full = ring.len == cap;
        let n = count.min(ring.len);
        let n1 = n.min(cap - ring.head);
        out(0, &ring.data[ring.head * size..(ring.head + n1) * size])
            .map_err(|_| ZxError::INVALID_ARGS)?;
        if n1 < n {
            out(n1 * size, &ring.data[..(n - n1) * size]).map_err(|_| ZxError::INVALID_ARGS)?;
        }
        ring.head = (ring.head + n) % cap;
        ring.len -= n;
        let empty = ring.len == 0;
        if was_full {
            if let Some(peer) = peer.as_ref() {
                peer.base.signal_change(0, WRITABLE);
            }
        }
        if empty {
            self.base.signal_change(READABLE, 0);
        }
        drop(pair);
        Ok(n)
    }
}

impl Drop for Fifo {
    fn drop(&mut self) {
        let peer = self.peer();
        let pair = self.pair.lock();
        if let Some(peer) = peer.as_ref() {
            peer.base.signal_change(WRITABLE, PEER_CLOSED);
        }
        drop(pair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::KernelObject;

    fn write(f: &Fifo, elems: &[u64]) -> ZxResult<usize> {
        f.write(8, elems.len(), &mut |at, buf: &mut [u8]| {
            let src: Vec<u8> = elems.iter().flat_map(|e| e.to_le_bytes()).collect();
            buf.copy_from_slice(&src[at..at + buf.len()]);
            Ok(())
        })
    }

    fn read(f: &Fifo, count: usize) -> ZxResult<Vec<u64>> {
        let mut bytes = vec![0u8; count * 8];
        let n = f.read(8, count, &mut |at, buf: &[u8]| {
            bytes[at..at + buf.len()].copy_from_slice(buf);
            Ok(())
        })?;
        Ok(bytes[..n * 8]
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }

    fn signals(f: &Fifo) -> u32 {
        f.base().signals()
    }

    #[test]
    fn limits() {
        assert_eq!(DEFAULT_FIFO_RIGHTS.bits(), 0xF00F);
        for (count, size) in [(0, 8), (8, 0), (513, 8), (512, 9), (4097, 1), (1, 4097)] {
            assert_eq!(
                Fifo::create(count, size).unwrap_err(),
                ZxError::OUT_OF_RANGE,
                "{count} x {size}"
            );
        }
        Fifo::create(512, 8).unwrap();
        Fifo::create(4096, 1).unwrap();
        Fifo::create(3, 5).unwrap();
    }

    #[test]
    fn order_wrap_partial_and_signals() {
        let (a, b) = Fifo::create(10, 8).unwrap();
        assert_eq!(a.related_koid(), b.koid());
        assert_eq!(signals(&a), WRITABLE);
        assert_eq!(read(&b, 1), Err(ZxError::SHOULD_WAIT));
        assert_eq!(
            a.write(9, 1, &mut |_, _| Ok(())),
            Err(ZxError::OUT_OF_RANGE)
        );
        assert_eq!(
            a.write(8, 0, &mut |_, _| Ok(())),
            Err(ZxError::OUT_OF_RANGE)
        );
        assert_eq!(write(&a, &[1, 2, 3, 4, 5, 6, 7]), Ok(7));
        assert_eq!(signals(&b), WRITABLE | READABLE);
        assert_eq!(read(&b, 5), Ok(vec![1, 2, 3, 4, 5]));
        // Wraps around the end of the ring; only 8 of 9 fit.
        assert_eq!(write(&a, &[8, 9, 10, 11, 12, 13, 14, 15, 16]), Ok(8));
        assert_eq!(signals(&a), 0);
        assert_eq!(write(&a, &[0]), Err(ZxError::SHOULD_WAIT));
        assert_eq!(read(&b, 20), Ok(vec![6, 7, 8, 9, 10, 11, 12, 13, 14, 15]));
        assert_eq!(signals(&a), WRITABLE);
        assert_eq!(signals(&b), WRITABLE);
    }

    #[test]
    fn faults_undo_the_call() {
        let (a, b) = Fifo::create(4, 8).unwrap();
        assert_eq!(
            a.write(8, 2, &mut |_, _| Err(ZxError::NOT_FOUND)),
            Err(ZxError::INVALID_ARGS)
        );
        assert_eq!(read(&b, 1), Err(ZxError::SHOULD_WAIT));
        assert_eq!(write(&a, &[1, 2]), Ok(2));
        assert_eq!(
            b.read(8, 2, &mut |_, _| Err(ZxError::ACCESS_DENIED)),
            Err(ZxError::INVALID_ARGS)
        );
        assert_eq!(read(&b, 4), Ok(vec![1, 2]));
    }

    #[test]
    fn peer_close() {
        let (a, b) = Fifo::create(4, 8).unwrap();
        assert_eq!(write(&a, &[19]), Ok(1));
        drop(a);
        assert_eq!(signals(&b), READABLE | PEER_CLOSED);
        assert_eq!(write(&b, &[1]), Err(ZxError::PEER_CLOSED));
        assert_eq!(read(&b, 4), Ok(vec![19]));
        assert_eq!(signals(&b), PEER_CLOSED);
        assert_eq!(read(&b, 4), Err(ZxError::PEER_CLOSED));
    }

    #[test]
    fn a_fault_in_the_wrapped_piece_undoes_the_first() {
        let (a, b) = Fifo::create(4, 8).unwrap();
        assert_eq!(write(&a, &[1, 2, 3]), Ok(3));
        assert_eq!(read(&b, 3), Ok(vec![1, 2, 3]));
        // Slot 3, then slots 0 and 1: the second piece faults.
        let mut pieces = 0;
        let r = a.write(8, 3, &mut |at, buf: &mut [u8]| {
            pieces += 1;
            if at == 0 {
                buf.fill(9);
                Ok(())
            } else {
                Err(ZxError::NOT_FOUND)
            }
        });
        assert_eq!(r, Err(ZxError::INVALID_ARGS));
        assert_eq!(pieces, 2);
        assert_eq!(signals(&b), WRITABLE);
        assert_eq!(read(&b, 1), Err(ZxError::SHOULD_WAIT));
        // The same on a read across the wrap: nothing is consumed.
        assert_eq!(write(&a, &[4, 5, 6]), Ok(3));
        let r = b.read(8, 3, &mut |at, _: &[u8]| {
            if at == 0 {
                Ok(())
            } else {
                Err(ZxError::ACCESS_DENIED)
            }
        });
        assert_eq!(r, Err(ZxError::INVALID_ARGS));
        assert_eq!(read(&b, 4), Ok(vec![4, 5, 6]));
    }
}
