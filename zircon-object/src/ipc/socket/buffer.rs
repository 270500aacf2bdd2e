//! The bytes buffered for one socket end to read, kept in Zircon's buffer
//! pieces: a stream write's first piece fills the last buffer, later ones
//! take whole buffers, and a read consumes piece by piece, so a copy that
//! faults halfway leaves the pieces before the fault written or consumed,
//! as on Zircon.

use std::collections::VecDeque;

use super::{CopyIn, CopyOut, CAPACITY, MBUF_PAYLOAD};
use crate::{ZxError, ZxResult};

/// The bytes buffered for one end to read.
#[derive(Debug, Default)]
pub(super) struct Buffer {
    /// The bytes (datagrams back to back on a datagram socket).
    bytes: VecDeque<u8>,
    /// The length of each datagram, oldest first (datagram sockets).
    packets: VecDeque<usize>,
    /// Stream bytes written since the buffer was last empty: the next
    /// write's first piece fills Zircon's last buffer, the rest take whole
    /// buffers.
    written: usize,
    /// Stream bytes consumed since the buffer was last empty: where in
    /// its first buffer the next read starts.
    consumed: usize,
}

impl Buffer {
    pub(super) fn size(&self) -> usize {
        self.bytes.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(super) fn is_full(&self) -> bool {
        self.size() >= CAPACITY
    }

    /// Bytes the next read can return.
    pub(super) fn available(&self, datagram: bool) -> usize {
        if datagram {
            self.packets.front().copied().unwrap_or(0)
        } else {
            self.size()
        }
    }

    /// Returns the buffered bytes `[start, start + len)` as (at most) two
    /// slices.
    pub(super) fn range(&self, start: usize, len: usize) -> (&[u8], &[u8]) {
        let (a, b) = self.bytes.as_slices();
        if start + len <= a.len() {
            (&a[start..start + len], &[])
        } else if start >= a.len() {
            let s = start - a.len();
            (&b[s..s + len], &[])
        } else {
            (&a[start..], &b[..start + len - a.len()])
        }
    }

    /// Copies the buffered bytes `[start, start + len)` out through `out`
    /// at user offset `at`, as one piece.
    pub(super) fn copy_piece(
        &self,
        start: usize,
        len: usize,
        at: usize,
        out: &mut CopyOut<'_>,
    ) -> ZxResult {
        match self.range(start, len) {
            (a, []) => out(at, a),
            (a, b) => {
                let mut piece = [0u8; MBUF_PAYLOAD];
                piece[..a.len()].copy_from_slice(a);
                piece[a.len()..len].copy_from_slice(b);
                out(at, &piece[..len])
            }
        }
    }

    /// Appends up to `len` stream bytes read through `input`, one piece per
    /// Zircon buffer, committing each; stops where the buffer fills.
    /// Returns how many were committed, and the error of a piece that could
    /// not be read.
    pub(super) fn write_stream(&mut self, len: usize, input: &mut CopyIn<'_>) -> (usize, ZxResult) {
        let mut piece = [0u8; MBUF_PAYLOAD];
        let mut pos = 0;
        while pos < len {
            let room = MBUF_PAYLOAD - self.written % MBUF_PAYLOAD;
            let n = room.min(len - pos).min(CAPACITY - self.size());
            if n == 0 {
                break;
            }
            if let Err(e) = input(pos, &mut piece[..n]) {
                return (pos, Err(e));
            }
            self.bytes.extend(&piece[..n]);
            self.written += n;
            pos += n;
        }
        let status = if pos == 0 {
            Err(ZxError::SHOULD_WAIT)
        } else {
            Ok(())
        };
        (pos, status)
    }

    /// Appends one datagram of `len` bytes read through `input`, whole or
    /// not at all.
    pub(super) fn write_datagram(&mut self, len: usize, input: &mut CopyIn<'_>) -> ZxResult<usize> {
        if len == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if len > CAPACITY {
            return Err(ZxError::OUT_OF_RANGE);
        }
        if len + self.size() > CAPACITY {
            return Err(ZxError::SHOULD_WAIT);
        }
        let mut data = vec![0u8; len];
        for (i, piece) in data.chunks_mut(MBUF_PAYLOAD).enumerate() {
            input(i * MBUF_PAYLOAD, piece).map_err(|_| ZxError::INVALID_ARGS)?;
        }
        self.bytes.extend(data);
        self.packets.push_back(len);
        Ok(len)
    }

    /// Copies up to `len` stream bytes out through `out`, one piece per
    /// Zircon buffer; unless `peek`, each piece copied is consumed. Returns
    /// how many bytes were copied, and the error of a piece that could not
    /// be written (the pieces before it stay consumed).
    pub(super) fn read_stream(
        &mut self,
        len: usize,
        peek: bool,
        out: &mut CopyOut<'_>,
    ) -> (usize, ZxResult) {
        let mut pos = 0;
        // Offset of the next piece in `bytes` (peeks consume nothing) and
        // bytes consumed since empty at that point.
        let mut start = 0;
        let mut consumed = self.consumed;
        while pos < len && start < self.size() {
            let segment = MBUF_PAYLOAD - consumed % MBUF_PAYLOAD;
            let n = segment.min(self.size() - start).min(len - pos);
            if let Err(e) = self.copy_piece(start, n, pos, out) {
                return (pos, Err(e));
            }
            pos += n;
            consumed += n;
            if peek {
                start += n;
            } else {
                self.bytes.drain(..n);
                self.consumed = consumed;
                if self.bytes.is_empty() {
                    self.written = 0;
                    self.consumed = 0;
                }
            }
        }
        (pos, Ok(()))
    }

    /// Copies the first datagram (at most `len` bytes of it) out through
    /// `out`, one piece per Zircon buffer; unless `peek` (or `len` is 0),
    /// the whole datagram is consumed, even when a piece cannot be written
    /// or it did not fit.
    pub(super) fn read_datagram(
        &mut self,
        len: usize,
        peek: bool,
        out: &mut CopyOut<'_>,
    ) -> (usize, ZxResult) {
        let Some(&packet) = self.packets.front() else {
            return (0, Ok(()));
        };
        let want = len.min(packet);
        let mut pos = 0;
        let mut status = Ok(());
        while pos < want {
            let n = MBUF_PAYLOAD.min(want - pos);
            if let Err(e) = self.copy_piece(pos, n, pos, out) {
                status = Err(e);
                break;
            }
            pos += n;
        }
        if !peek && want > 0 {
            self.bytes.drain(..packet);
            self.packets.pop_front();
        }
        (pos, status)
    }
}
