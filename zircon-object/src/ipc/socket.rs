//! Sockets (`zx_socket_*`): connected pairs of endpoints that move bytes
//! only, either as a stream or as datagrams, each direction with a fixed
//! capacity.
//!
//! Both endpoints share one lock, [`Socket::pair`], as Zircon's peered
//! dispatchers share theirs: every read, write, disposition change and
//! threshold change of either end is one critical section, and the signals
//! of both ends change inside it. Each end owns the buffer of bytes written
//! *to* it.
//!
//! Zircon keeps a socket's bytes in a chain of fixed-size buffers (its
//! `MBufChain`, `zircon/kernel/object/mbuf.cc`) and copies to and from user
//! memory one buffer at a time, committing each piece as it goes. That is
//! visible to a program when a copy faults halfway (the pieces before the
//! fault stay written or consumed), so [`Buffer`] reproduces the piece
//! boundaries: a buffer holds [`MBUF_PAYLOAD`] bytes (a page less its
//! header, as in current Zircon, where each buffer is one page), and the
//! capacity is [`CAPACITY`], 256 KiB rounded up to whole buffers.
//!
//! User memory is reached only through the copy callbacks the caller
//! passes (the syscall layer's fallible user copies); they run under the
//! pair lock, as Zircon copies under its socket lock, so the lock order is
//! `Socket::pair` → `AddressSpace::state` → ... and `Socket::pair` →
//! `KObjectBase::signals` (docs/LOCKING.md).
//!
//! An end closes when its object is dropped (its last handle goes): its
//! peer loses `WRITABLE` and gains `PEER_CLOSED`, as on Zircon.

mod buffer;

use std::sync::{Arc, Weak};

use self::buffer::Buffer;
use crate::object::{KObjectBase, Koid, ObjType};
use crate::sync::Mutex;
use crate::{abi_enum, impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_DEFAULT_SOCKET_RIGHTS`: basic, IO, the property rights, SIGNAL,
/// SIGNAL_PEER and MANAGE_SOCKET.
pub const DEFAULT_SOCKET_RIGHTS: Rights = Rights::BASIC
    .union(Rights::IO)
    .union(Rights::PROPERTY)
    .union(Rights::SIGNAL)
    .union(Rights::SIGNAL_PEER)
    .union(Rights::MANAGE_SOCKET);

/// `ZX_SOCKET_DATAGRAM` (`ZX_SOCKET_STREAM` is 0).
pub const DATAGRAM: u32 = 1 << 0;
/// `ZX_SOCKET_CREATE_MASK`: the options `zx_socket_create` accepts.
pub const CREATE_MASK: u32 = DATAGRAM;
/// `ZX_SOCKET_PEEK`: the one option of `zx_socket_read`.
pub const PEEK: u32 = 1 << 3;

/// Bytes one of Zircon's socket buffers holds: a 4 KiB page less the
/// buffer's 32-byte header (list links, length, datagram length, page
/// back-pointer).
pub const MBUF_PAYLOAD: usize = 4096 - 32;
/// The capacity of each direction of a socket, stream or datagram
/// (`rx_buf_max`): 256 KiB rounded up to a whole number of buffers (65 of
/// them, 264,160 bytes). It is also the largest datagram.
pub const CAPACITY: usize = (256 * 1024usize).div_ceil(MBUF_PAYLOAD) * MBUF_PAYLOAD;

/// `ZX_SOCKET_*` signals.
pub mod sig {
    /// `ZX_SOCKET_READABLE`
    pub const READABLE: u32 = 1 << 0;
    /// `ZX_SOCKET_WRITABLE`
    pub const WRITABLE: u32 = 1 << 1;
    /// `ZX_SOCKET_PEER_CLOSED`
    pub const PEER_CLOSED: u32 = 1 << 2;
    /// `ZX_SOCKET_PEER_WRITE_DISABLED`
    pub const PEER_WRITE_DISABLED: u32 = 1 << 4;
    /// `ZX_SOCKET_WRITE_DISABLED`
    pub const WRITE_DISABLED: u32 = 1 << 5;
    /// `ZX_SOCKET_READ_THRESHOLD`
    pub const READ_THRESHOLD: u32 = 1 << 10;
    /// `ZX_SOCKET_WRITE_THRESHOLD`
    pub const WRITE_THRESHOLD: u32 = 1 << 11;
}

abi_enum! {
    /// A `zx_socket_set_disposition` argument (0 or one
    /// `ZX_SOCKET_DISPOSITION_*` flag; anything else is `INVALID_ARGS`).
    pub enum Disposition {
        /// 0: leave this end's writes as they are.
        None = 0,
        /// `ZX_SOCKET_DISPOSITION_WRITE_DISABLED`
        WriteDisabled = 1 << 0,
        /// `ZX_SOCKET_DISPOSITION_WRITE_ENABLED`
        WriteEnabled = 1 << 1,
    }
}

/// Reads guest bytes at an offset into the caller's buffer
/// (`INVALID_ARGS` if they are not readable).
pub type CopyIn<'a> = dyn FnMut(usize, &mut [u8]) -> ZxResult + 'a;
/// Writes bytes to the guest at an offset into the caller's buffer
/// (`INVALID_ARGS` if it is not writable).
pub type CopyOut<'a> = dyn FnMut(usize, &[u8]) -> ZxResult + 'a;

/// `zx_info_socket_t`, as `ZX_INFO_SOCKET` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketInfo {
    /// The creation options.
    pub options: u32,
    /// This end's capacity.
    pub rx_buf_max: usize,
    /// Bytes buffered for this end to read.
    pub rx_buf_size: usize,
    /// Bytes the next read can return: all of them on a stream socket, the
    /// first datagram's on a datagram socket.
    pub rx_buf_available: usize,
    /// The peer's capacity (0 once the peer is closed).
    pub tx_buf_max: usize,
    /// Bytes buffered for the peer (0 once it is closed).
    pub tx_buf_size: usize,
}

/// What one end keeps under the pair lock.
#[derive(Debug, Default)]
struct End {
    /// Bytes written to this end by its peer.
    rx: Buffer,
    /// `ZX_PROP_SOCKET_RX_THRESHOLD` (0: off).
    read_threshold: usize,
    /// `ZX_PROP_SOCKET_TX_THRESHOLD` (0: off).
    write_threshold: usize,
    /// The peer's writes are disabled: once `rx` is empty, reads answer
    /// `BAD_STATE`.
    read_disabled: bool,
}

/// The state both ends share.
#[derive(Debug, Default)]
struct Pair {
    ends: [End; 2],
}

/// One end of a socket.
#[derive(Debug)]
pub struct Socket {
    base: KObjectBase,
    peer_koid: Koid,
    /// Which of `Pair::ends` is this end's.
    side: usize,
    /// The creation options.
    options: u32,
    /// Both ends' buffers, thresholds and read states; protected by this
    /// mutex, under which both ends' signals change (docs/LOCKING.md).
    pair: Arc<Mutex<Pair>>,
    /// The other end (upgraded before `pair` is locked, and dropped after
    /// it is released: its `Drop` takes `pair`).
    peer: Weak<Socket>,
}

impl_kobject!(Socket, ObjType::Socket, related = |s: &Socket| s.peer_koid);

/// Returns the signals to clear and to set on an end (`own`) and on its
/// peer for disposition `d` of that end.
fn disposition_masks(d: Disposition, own: &mut (u32, u32), peer: &mut (u32, u32)) {
    match d {
        Disposition::WriteDisabled => {
            own.0 |= sig::WRITABLE;
            own.1 |= sig::WRITE_DISABLED;
            peer.1 |= sig::PEER_WRITE_DISABLED;
        }
        Disposition::WriteEnabled => {
            own.0 |= sig::WRITE_DISABLED;
            own.1 |= sig::WRITABLE;
            peer.0 |= sig::PEER_WRITE_DISABLED;
        }
        Disposition::None => {}
    }
}

impl Socket {
    /// Creates a connected pair with `options` (`ZX_SOCKET_STREAM` or
    /// `ZX_SOCKET_DATAGRAM`; anything else is `INVALID_ARGS`). Both ends
    /// start `WRITABLE`.
    pub fn create(options: u32) -> ZxResult<(Arc<Socket>, Arc<Socket>)> {
        if options & !CREATE_MASK != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let pair = Arc::new(Mutex::new(Pair::default()));
        let (b0, b1) = (KObjectBase::default(), KObjectBase::default());
        let (k0, k1) = (b0.koid(), b1.koid());
        let mut second = None;
        let first = Arc::new_cyclic(|first: &Weak<Socket>| {
            let b = Arc::new(Socket {
                base: b1,
                peer_koid: k0,
                side: 1,
                options,
                pair: pair.clone(),
                peer: first.clone(),
            });
            let peer = Arc::downgrade(&b);
            second = Some(b);
            Socket {
                base: b0,
                peer_koid: k1,
                side: 0,
                options,
                pair,
                peer,
            }
        });
        let second = second.expect("made in new_cyclic");
        first.base.signal_change(0, sig::WRITABLE);
        second.base.signal_change(0, sig::WRITABLE);
        Ok((first, second))
    }

    /// Returns whether this is a datagram socket.
    pub fn is_datagram(&self) -> bool {
        self.options & DATAGRAM != 0
    }

    /// Returns the peer if it is still open.
    pub fn peer(&self) -> Option<Arc<Socket>> {
        self.peer.upgrade()
    }

    fn other(&self) -> usize {
        1 - self.side
    }

    /// Writes `len` bytes that `input` reads from the caller to the peer
    /// (`zx_socket_write`): a stream write stops where the peer's buffer
    /// fills (a short write), a datagram goes whole or not at all. Returns
    /// the bytes written.
    ///
    /// Errors in Zircon's order: `PEER_CLOSED`, `BAD_STATE` (writes
    /// disabled); then a zero-length write succeeds with 0; `INVALID_ARGS`
    /// for a length past 32 bits; `SHOULD_WAIT` when the peer's buffer is
    /// full; for datagrams `OUT_OF_RANGE` (larger than the capacity) and
    /// `SHOULD_WAIT` (no room for it); `INVALID_ARGS` when the caller's
    /// buffer is not readable (a stream keeps the pieces read before).
    pub fn write(&self, len: usize, input: &mut CopyIn<'_>) -> ZxResult<usize> {
        // Upgraded before the lock and dropped after it (see `peer`).
        let peer = self.peer();
        let mut pair = self.pair.lock();
        let Some(peer) = peer.as_ref() else {
            return Err(ZxError::PEER_CLOSED);
        };
        if self.base.signals() & sig::WRITE_DISABLED != 0 {
            return Err(ZxError::BAD_STATE);
        }
        if len == 0 {
            return Ok(0);
        }
        if u32::try_from(len).is_err() {
            return Err(ZxError::INVALID_ARGS);
        }
        let (mine, theirs) = (self.side, self.other());
        let rx = &mut pair.ends[theirs].rx;
        if rx.is_full() {
            return Err(ZxError::SHOULD_WAIT);
        }
        let was_empty = rx.is_empty();
        let (written, status) = if self.is_datagram() {
            match rx.write_datagram(len, input) {
                Ok(n) => (n, Ok(())),
                Err(e) => (0, Err(e)),
            }
        } else {
            rx.write_stream(len, input)
        };
        // Whatever the status, bytes may have landed: signals follow them.
        let (size, full) = (rx.size(), rx.is_full());
        let mut clear_mine = 0;
        if written > 0 {
            let mut set = 0;
            if was_empty {
                set |= sig::READABLE;
            }
            let threshold = pair.ends[theirs].read_threshold;
            if threshold > 0 && size >= threshold {
                set |= sig::READ_THRESHOLD;
            }
            if set != 0 {
                peer.base.signal_change(0, set);
            }
            let threshold = pair.ends[mine].write_threshold;
            if threshold > 0 && CAPACITY - size < threshold {
                clear_mine |= sig::WRITE_THRESHOLD;
            }
        }
        if full {
            clear_mine |= sig::WRITABLE;
        }
        if clear_mine != 0 {
            self.base.signal_change(clear_mine, 0);
        }
        drop(pair);
        status.map(|()| written)
    }

    /// Reads up to `len` bytes for this end through `out`
    /// (`zx_socket_read`); with `peek` they stay buffered. A datagram
    /// socket returns one datagram, truncated to `len` (the rest of it is
    /// discarded). Returns the bytes read.
    ///
    /// Errors in Zircon's order: `INVALID_ARGS` for a length past 32 bits;
    /// with nothing buffered `PEER_CLOSED` (peer gone), `BAD_STATE` (the
    /// peer's writes are disabled) or `SHOULD_WAIT`; `INVALID_ARGS` when the
    /// caller's buffer is not writable (what was consumed before stays
    /// consumed; a datagram is dropped).
    pub fn read(&self, peek: bool, len: usize, out: &mut CopyOut<'_>) -> ZxResult<usize> {
        let peer = self.peer();
        let mut pair = self.pair.lock();
        if u32::try_from(len).is_err() {
            return Err(ZxError::INVALID_ARGS);
        }
        let (mine, theirs) = (self.side, self.other());
        let datagram = self.is_datagram();
        let end = &mut pair.ends[mine];
        if end.rx.is_empty() {
            if peer.is_none() {
                return Err(ZxError::PEER_CLOSED);
            }
            if end.read_disabled {
                return Err(ZxError::BAD_STATE);
            }
            return Err(ZxError::SHOULD_WAIT);
        }
        if peek {
            let (n, status) = if datagram {
                end.rx.read_datagram(len, true, out)
            } else {
                end.rx.read_stream(len, true, out)
            };
            return status.map(|()| n);
        }
        let was_full = end.rx.is_full();
        let (n, status) = if datagram {
            end.rx.read_datagram(len, false, out)
        } else {
            end.rx.read_stream(len, false, out)
        };
        // Whatever the status, bytes may have gone: signals follow them.
        let size = end.rx.size();
        let mut clear = 0;
        if end.read_threshold > 0 && size < end.read_threshold {
            clear |= sig::READ_THRESHOLD;
        }
        if end.rx.is_empty() {
            clear |= sig::READABLE;
        }
        if clear != 0 {
            self.base.signal_change(clear, 0);
        }
        if let Some(peer) = peer.as_ref() {
            let mut set = 0;
            let threshold = pair.ends[theirs].write_threshold;
            if threshold > 0 && CAPACITY - size >= threshold {
                set |= sig::WRITE_THRESHOLD;
            }
            if was_full && n > 0 {
                set |= sig::WRITABLE;
            }
            if set != 0 {
                peer.base.signal_change(0, set);
            }
        }
        drop(pair);
        status.map(|()| n)
    }

    /// Whether an end (`end`, with signals `signals`) may take the
    /// disposition `peer_disposition` for its peer: re-enabling the peer's
    /// writes is refused while bytes the peer wrote before disabling are
    /// still buffered here.
    fn disposition_allowed(end: &End, signals: u32, peer_disposition: Disposition) -> bool {
        !(peer_disposition == Disposition::WriteEnabled
            && !end.rx.is_empty()
            && signals & sig::PEER_WRITE_DISABLED != 0)
    }

    /// Sets the disposition of this end's writes and of the peer's
    /// (`zx_socket_set_disposition`). Both `None`: nothing happens.
    /// `BAD_STATE` if writes would be re-enabled on an end whose bytes are
    /// still buffered at the other; nothing changes then. With the peer
    /// closed, `peer_disposition` only changes how this end's reads end.
    pub fn set_disposition(&self, own: Disposition, peer_disposition: Disposition) -> ZxResult {
        if own == Disposition::None && peer_disposition == Disposition::None {
            return Ok(());
        }
        let mut mine_masks = (0, 0);
        let mut peer_masks = (0, 0);
        disposition_masks(own, &mut mine_masks, &mut peer_masks);
        let peer = self.peer();
        let mut pair = self.pair.lock();
        let (mine, theirs) = (self.side, self.other());
        if !Self::disposition_allowed(&pair.ends[mine], self.base.signals(), peer_disposition) {
            return Err(ZxError::BAD_STATE);
        }
        if let Some(peer) = peer.as_ref() {
            if !Self::disposition_allowed(&pair.ends[theirs], peer.base.signals(), own) {
                return Err(ZxError::BAD_STATE);
            }
            disposition_masks(peer_disposition, &mut peer_masks, &mut mine_masks);
            update_read_status(&mut pair.ends[theirs], own);
            peer.base.signal_change(peer_masks.0, peer_masks.1);
        }
        update_read_status(&mut pair.ends[mine], peer_disposition);
        self.base.signal_change(mine_masks.0, mine_masks.1);
        drop(pair);
        Ok(())
    }

    /// Returns `ZX_PROP_SOCKET_RX_THRESHOLD`.
    pub fn read_threshold(&self) -> usize {
        self.pair.lock().ends[self.side].read_threshold
    }

    /// Returns `ZX_PROP_SOCKET_TX_THRESHOLD`.
    pub fn write_threshold(&self) -> usize {
        self.pair.lock().ends[self.side].write_threshold
    }

    /// Sets `ZX_PROP_SOCKET_RX_THRESHOLD`: `READ_THRESHOLD` is asserted
    /// while at least `value` bytes are buffered here (0 turns it off).
    /// `INVALID_ARGS` past the capacity.
    pub fn set_read_threshold(&self, value: usize) -> ZxResult {
        let mut pair = self.pair.lock();
        if value > CAPACITY {
            return Err(ZxError::INVALID_ARGS);
        }
        let end = &mut pair.ends[self.side];
        end.read_threshold = value;
        if value > 0 && end.rx.size() >= value {
            self.base.signal_change(0, sig::READ_THRESHOLD);
        } else {
            self.base.signal_change(sig::READ_THRESHOLD, 0);
        }
        Ok(())
    }

    /// Sets `ZX_PROP_SOCKET_TX_THRESHOLD`: `WRITE_THRESHOLD` is asserted
    /// while the peer has room for at least `value` bytes (0 turns it off).
    /// `PEER_CLOSED` without a peer; `INVALID_ARGS` past its capacity.
    pub fn set_write_threshold(&self, value: usize) -> ZxResult {
        let peer = self.peer();
        let mut pair = self.pair.lock();
        if peer.is_none() {
            return Err(ZxError::PEER_CLOSED);
        }
        if value > CAPACITY {
            return Err(ZxError::INVALID_ARGS);
        }
        pair.ends[self.side].write_threshold = value;
        let room = CAPACITY - pair.ends[self.other()].rx.size();
        if value > 0 && room >= value {
            self.base.signal_change(0, sig::WRITE_THRESHOLD);
        } else {
            self.base.signal_change(sig::WRITE_THRESHOLD, 0);
        }
        drop(pair);
        Ok(())
    }

    /// Returns `ZX_INFO_SOCKET`.
    pub fn info(&self) -> SocketInfo {
        let peer = self.peer();
        let pair = self.pair.lock();
        let rx = &pair.ends[self.side].rx;
        let mut info = SocketInfo {
            options: self.options,
            rx_buf_max: CAPACITY,
            rx_buf_size: rx.size(),
            rx_buf_available: rx.available(self.is_datagram()),
            tx_buf_max: 0,
            tx_buf_size: 0,
        };
        if peer.is_some() {
            info.tx_buf_max = CAPACITY;
            info.tx_buf_size = pair.ends[self.other()].rx.size();
        }
        drop(pair);
        info
    }
}

/// Records on `end` what its peer's new disposition means for its reads.
fn update_read_status(end: &mut End, peer_disposition: Disposition) {
    match peer_disposition {
        Disposition::WriteDisabled => end.read_disabled = true,
        Disposition::WriteEnabled => end.read_disabled = false,
        Disposition::None => {}
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let peer = self.peer();
        let pair = self.pair.lock();
        if let Some(peer) = peer.as_ref() {
            peer.base.signal_change(sig::WRITABLE, sig::PEER_CLOSED);
        }
        drop(pair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::KernelObject;

    /// A guest buffer stand-in: `bad` marks byte offsets that fault.
    struct Mem {
        bytes: Vec<u8>,
        bad: std::ops::Range<usize>,
    }

    impl Mem {
        fn new(len: usize) -> Mem {
            Mem {
                bytes: vec![0; len],
                bad: 0..0,
            }
        }
        fn filled(data: &[u8]) -> Mem {
            Mem {
                bytes: data.to_vec(),
                bad: 0..0,
            }
        }
        fn faults(&self, at: usize, len: usize) -> bool {
            len > 0 && at < self.bad.end && at + len > self.bad.start
        }
    }

    fn write(s: &Socket, m: &Mem, len: usize) -> ZxResult<usize> {
        s.write(len, &mut |at, buf: &mut [u8]| {
            if m.faults(at, buf.len()) {
                return Err(ZxError::INVALID_ARGS);
            }
            buf.copy_from_slice(&m.bytes[at..at + buf.len()]);
            Ok(())
        })
    }

    fn read(s: &Socket, peek: bool, m: &mut Mem, len: usize) -> ZxResult<usize> {
        let bad = m.bad.clone();
        let bytes = &mut m.bytes;
        s.read(peek, len, &mut |at, buf: &[u8]| {
            if !buf.is_empty() && at < bad.end && at + buf.len() > bad.start {
                return Err(ZxError::INVALID_ARGS);
            }
            bytes[at..at + buf.len()].copy_from_slice(buf);
            Ok(())
        })
    }

    fn signals(s: &Socket) -> u32 {
        s.base().signals()
    }

    #[test]
    fn constants_are_fuchsias() {
        assert_eq!(MBUF_PAYLOAD, 4064);
        assert_eq!(CAPACITY, 264_160);
        assert_eq!(DEFAULT_SOCKET_RIGHTS.bits(), 0x10F0CF);
        assert_eq!(Disposition::try_from(3), Err(ZxError::INVALID_ARGS));
        assert_eq!(Disposition::try_from(2), Ok(Disposition::WriteEnabled));
        assert!(Socket::create(2).is_err());
    }

    #[test]
    fn stream_round_trip_signals_and_peer_close() {
        let (a, b) = Socket::create(0).unwrap();
        assert_eq!(a.related_koid(), b.koid());
        assert_eq!(signals(&a), sig::WRITABLE);
        let mut buf = Mem::new(16);
        assert_eq!(read(&b, false, &mut buf, 16), Err(ZxError::SHOULD_WAIT));
        assert_eq!(write(&a, &Mem::filled(b"hello"), 5), Ok(5));
        assert_eq!(write(&a, &Mem::filled(b"!"), 0), Ok(0));
        assert_eq!(signals(&b), sig::WRITABLE | sig::READABLE);
        assert_eq!(read(&b, true, &mut buf, 16), Ok(5));
        assert_eq!(read(&b, false, &mut buf, 0), Ok(0));
        assert_eq!(read(&b, false, &mut buf, 3), Ok(3));
        assert_eq!(&buf.bytes[..3], b"hel");
        assert_eq!(b.info().rx_buf_available, 2);
        assert_eq!(a.info().tx_buf_size, 2);
        drop(a);
        assert_eq!(signals(&b), sig::READABLE | sig::PEER_CLOSED);
        assert_eq!(b.info().tx_buf_max, 0);
        assert_eq!(read(&b, false, &mut buf, 16), Ok(2));
        assert_eq!(&buf.bytes[..2], b"lo");
        assert_eq!(read(&b, false, &mut buf, 16), Err(ZxError::PEER_CLOSED));
        assert_eq!(write(&b, &Mem::filled(b"x"), 1), Err(ZxError::PEER_CLOSED));
        assert_eq!(b.set_write_threshold(1), Err(ZxError::PEER_CLOSED));
    }

    #[test]
    fn stream_short_write_when_full_and_writable_again() {
        let (a, b) = Socket::create(0).unwrap();
        let big = Mem::new(CAPACITY + 100);
        assert_eq!(write(&a, &big, CAPACITY + 100), Ok(CAPACITY));
        assert_eq!(signals(&a), 0);
        assert_eq!(write(&a, &big, 1), Err(ZxError::SHOULD_WAIT));
        let mut buf = Mem::new(10);
        assert_eq!(read(&b, false, &mut buf, 10), Ok(10));
        assert_eq!(signals(&a), sig::WRITABLE);
        assert_eq!(write(&a, &big, 100), Ok(10));
    }

    #[test]
    fn stream_write_fault_keeps_the_pieces_before() {
        let (a, b) = Socket::create(0).unwrap();
        let mut m = Mem::new(3 * MBUF_PAYLOAD);
        m.bad = MBUF_PAYLOAD + 5..MBUF_PAYLOAD + 6;
        assert_eq!(write(&a, &m, m.bytes.len()), Err(ZxError::INVALID_ARGS));
        // The first piece (one whole buffer) was committed.
        assert_eq!(b.info().rx_buf_size, MBUF_PAYLOAD);
        assert_ne!(signals(&b) & sig::READABLE, 0);
        // A 10-byte write now starts a fresh buffer; a read fault in the
        // second piece leaves the first consumed.
        assert_eq!(write(&a, &Mem::new(10), 10), Ok(10));
        let mut out = Mem::new(4 * MBUF_PAYLOAD);
        out.bad = MBUF_PAYLOAD..MBUF_PAYLOAD + 1;
        assert_eq!(
            read(&b, false, &mut out, 4 * MBUF_PAYLOAD),
            Err(ZxError::INVALID_ARGS)
        );
        assert_eq!(b.info().rx_buf_size, 10);
        // A fault in the first piece consumes nothing.
        out.bad = 0..1;
        assert_eq!(read(&b, false, &mut out, 10), Err(ZxError::INVALID_ARGS));
        assert_eq!(b.info().rx_buf_size, 10);
    }

    #[test]
    fn stream_pieces_follow_partial_reads() {
        let (a, b) = Socket::create(0).unwrap();
        let total = MBUF_PAYLOAD + 1000;
        assert_eq!(write(&a, &Mem::new(total), total), Ok(total));
        let mut out = Mem::new(total);
        assert_eq!(read(&b, false, &mut out, 100), Ok(100));
        // The next piece runs to the end of the first buffer: a fault just
        // past it in the reader's buffer keeps that piece consumed.
        let first = MBUF_PAYLOAD - 100;
        out.bad = first..first + 1;
        assert_eq!(read(&b, false, &mut out, total), Err(ZxError::INVALID_ARGS));
        assert_eq!(b.info().rx_buf_size, 1000);
        // A write tops up the second buffer before taking a third: a fault
        // in the third piece leaves the top-up written.
        let mut m = Mem::new(MBUF_PAYLOAD);
        m.bad = MBUF_PAYLOAD - 1000..MBUF_PAYLOAD - 999;
        assert_eq!(write(&a, &m, MBUF_PAYLOAD), Err(ZxError::INVALID_ARGS));
        assert_eq!(b.info().rx_buf_size, MBUF_PAYLOAD);
    }

    #[test]
    fn datagrams_keep_boundaries_and_truncate() {
        let (a, b) = Socket::create(DATAGRAM).unwrap();
        assert_eq!(write(&a, &Mem::filled(b"12345"), 5), Ok(5));
        assert_eq!(write(&a, &Mem::filled(b"abcdef"), 6), Ok(6));
        assert_eq!(b.info().rx_buf_available, 5);
        assert_eq!(b.info().rx_buf_size, 11);
        let mut out = Mem::new(8);
        assert_eq!(read(&b, true, &mut out, 8), Ok(5));
        assert_eq!(read(&b, false, &mut out, 0), Ok(0));
        assert_eq!(
            b.info().rx_buf_available,
            5,
            "a zero-length read consumes nothing"
        );
        assert_eq!(read(&b, false, &mut out, 4), Ok(4));
        assert_eq!(&out.bytes[..4], b"1234");
        assert_eq!(b.info().rx_buf_available, 6);
        assert_eq!(read(&b, false, &mut out, 8), Ok(6));
        assert_eq!(&out.bytes[..6], b"abcdef");
        assert_eq!(signals(&b), sig::WRITABLE);
        let huge = Mem::new(CAPACITY + 1);
        assert_eq!(write(&a, &huge, CAPACITY + 1), Err(ZxError::OUT_OF_RANGE));
        assert_eq!(write(&a, &huge, CAPACITY - 10), Ok(CAPACITY - 10));
        assert_eq!(write(&a, &huge, 11), Err(ZxError::SHOULD_WAIT));
        // Not full to the byte: still WRITABLE, as on Zircon.
        assert_eq!(signals(&a), sig::WRITABLE);
    }

    #[test]
    fn datagram_read_fault_drops_it_unless_peeking() {
        let (a, b) = Socket::create(DATAGRAM).unwrap();
        let mut m = Mem::new(8192);
        assert_eq!(write(&a, &m, 8192), Ok(8192));
        m.bytes.fill(7);
        assert_eq!(write(&a, &m, 8192), Ok(8192));
        let mut out = Mem::new(8192);
        out.bad = 4096..4097;
        assert_eq!(read(&b, true, &mut out, 8192), Err(ZxError::INVALID_ARGS));
        assert_eq!(b.info().rx_buf_size, 16384);
        assert_eq!(read(&b, false, &mut out, 8192), Err(ZxError::INVALID_ARGS));
        assert_eq!(b.info().rx_buf_size, 8192);
        out.bad = 0..0;
        assert_eq!(read(&b, false, &mut out, 8192), Ok(8192));
        assert!(out.bytes.iter().all(|&x| x == 7));
        // A datagram from an unreadable buffer is not written at all.
        let mut m = Mem::new(4096);
        m.bad = 4000..4001;
        assert_eq!(write(&a, &m, 4096), Err(ZxError::INVALID_ARGS));
        assert_eq!(b.info().rx_buf_size, 0);
    }

    #[test]
    fn dispositions() {
        let (a, b) = Socket::create(0).unwrap();
        assert_eq!(write(&a, &Mem::filled(b"12345"), 5), Ok(5));
        a.set_disposition(Disposition::WriteDisabled, Disposition::None)
            .unwrap();
        assert_eq!(signals(&a), sig::WRITE_DISABLED);
        assert_eq!(
            signals(&b),
            sig::WRITABLE | sig::READABLE | sig::PEER_WRITE_DISABLED
        );
        assert_eq!(write(&a, &Mem::filled(b"x"), 1), Err(ZxError::BAD_STATE));
        // Bytes a wrote are still at b: a cannot write again yet.
        assert_eq!(
            a.set_disposition(Disposition::WriteEnabled, Disposition::None),
            Err(ZxError::BAD_STATE)
        );
        assert_eq!(
            b.set_disposition(Disposition::None, Disposition::WriteEnabled),
            Err(ZxError::BAD_STATE)
        );
        let mut out = Mem::new(8);
        assert_eq!(read(&b, false, &mut out, 8), Ok(5));
        assert_eq!(read(&b, false, &mut out, 8), Err(ZxError::BAD_STATE));
        a.set_disposition(Disposition::WriteEnabled, Disposition::WriteEnabled)
            .unwrap();
        assert_eq!(signals(&a), sig::WRITABLE);
        assert_eq!(signals(&b), sig::WRITABLE);
        assert_eq!(read(&b, false, &mut out, 8), Err(ZxError::SHOULD_WAIT));
        // Nothing to do is always fine.
        drop(a);
        b.set_disposition(Disposition::None, Disposition::None)
            .unwrap();
    }

    #[test]
    fn thresholds() {
        let (a, b) = Socket::create(0).unwrap();
        assert_eq!(
            a.set_read_threshold(CAPACITY + 1),
            Err(ZxError::INVALID_ARGS)
        );
        assert_eq!(
            a.set_write_threshold(CAPACITY + 1),
            Err(ZxError::INVALID_ARGS)
        );
        a.set_read_threshold(10).unwrap();
        b.set_write_threshold(CAPACITY - 12).unwrap();
        assert_eq!(signals(&b), sig::WRITABLE | sig::WRITE_THRESHOLD);
        assert_eq!(write(&b, &Mem::new(9), 9), Ok(9));
        assert_eq!(signals(&a), sig::WRITABLE | sig::READABLE);
        assert_eq!(write(&b, &Mem::new(1), 1), Ok(1));
        assert_eq!(
            signals(&a),
            sig::WRITABLE | sig::READABLE | sig::READ_THRESHOLD
        );
        assert_eq!(signals(&b), sig::WRITABLE | sig::WRITE_THRESHOLD);
        assert_eq!(write(&b, &Mem::new(5), 5), Ok(5));
        assert_eq!(signals(&b), sig::WRITABLE);
        let mut out = Mem::new(16);
        assert_eq!(read(&a, false, &mut out, 10), Ok(10));
        assert_eq!(signals(&a), sig::WRITABLE | sig::READABLE);
        assert_eq!(signals(&b), sig::WRITABLE | sig::WRITE_THRESHOLD);
        a.set_read_threshold(0).unwrap();
        assert_eq!(a.read_threshold(), 0);
        assert_eq!(b.write_threshold(), CAPACITY - 12);
    }

    #[test]
    fn boundaries_of_thresholds_and_datagram_sizes() {
        let (a, b) = Socket::create(DATAGRAM).unwrap();
        // An empty write succeeds and queues no datagram.
        assert_eq!(write(&a, &Mem::new(0), 0), Ok(0));
        assert_eq!(signals(&b), sig::WRITABLE);
        // Room equal to the write threshold keeps the signal; one byte less
        // drops it.
        a.set_write_threshold(CAPACITY - 3).unwrap();
        assert_eq!(write(&a, &Mem::new(3), 3), Ok(3));
        assert_eq!(signals(&a), sig::WRITABLE | sig::WRITE_THRESHOLD);
        assert_eq!(write(&a, &Mem::new(1), 1), Ok(1));
        assert_eq!(signals(&a), sig::WRITABLE);
        // Reading a datagram back gives the room, and the signal, back.
        let mut out = Mem::new(4);
        assert_eq!(read(&b, false, &mut out, 4), Ok(3));
        assert_eq!(signals(&a), sig::WRITABLE | sig::WRITE_THRESHOLD);
        assert_eq!(read(&b, false, &mut out, 4), Ok(1));
        // One datagram may take the whole capacity, and then the socket is
        // full: even an oversized datagram is told to wait.
        let whole = Mem::new(CAPACITY + 1);
        assert_eq!(write(&a, &whole, CAPACITY), Ok(CAPACITY));
        assert_eq!(signals(&a), 0);
        assert_eq!(write(&a, &whole, CAPACITY + 1), Err(ZxError::SHOULD_WAIT));
        // A length past 32 bits is refused before anything else is looked
        // at, on reads as on writes.
        assert_eq!(
            a.write(1 << 32, &mut |_, _| unreachable!()),
            Err(ZxError::INVALID_ARGS)
        );
        assert_eq!(
            b.read(false, 1 << 32, &mut |_, _| unreachable!()),
            Err(ZxError::INVALID_ARGS)
        );
    }
}
