//! Streams (`zx_stream_*`): a seek offset over a VMO's contents, read and
//! written through guest `zx_iovec_t` arrays.
//!
//! A [`Stream`] reads up to its VMO's content (stream) size and writes grow
//! that size, zero-filling any gap between the old content end and the
//! write, and grow the VMO itself when the stream may resize it (its VMO
//! handle had `ZX_RIGHT_RESIZE`). The rules follow Zircon's
//! `StreamDispatcher` and `lib/syscalls/stream.cc`:
//!
//! * A transfer that stops early (a fault in a guest buffer, no room left)
//!   reports the bytes moved before the stop and succeeds if there were
//!   any; otherwise it fails with the stop's status and changes neither the
//!   content size nor (except an append's) the seek offset.
//! * A guest buffer is copied in pieces that end at the VMO's page
//!   boundaries, as Zircon's page-by-page copy does, so a fault part way
//!   through reports exactly the pieces copied before it.
//! * The `zx_iovec_t` array is read twice, as on Zircon: once to add up
//!   the capacities (a sum that overflows, or an array that cannot be read,
//!   is `INVALID_ARGS`) and again entry by entry while copying.
//!
//! Locks: [`Stream::seek`] → the VMO's content lock (held for the whole
//! transfer, so appends never overwrite each other and a content size
//! change never lands half way through) → the caller's address space (the
//! guest copies) → the VMO's own lock. `docs/LOCKING.md` has the whole
//! order.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kernel_hal::PAGE_SIZE;

use super::aspace::AddressSpace;
use super::vmo::VmObject;
use crate::object::{KObjectBase, ObjType};
use crate::sync::Mutex;
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_STREAM_MODE_READ`
pub const ZX_STREAM_MODE_READ: u32 = 1 << 0;
/// `ZX_STREAM_MODE_WRITE`
pub const ZX_STREAM_MODE_WRITE: u32 = 1 << 1;
/// `ZX_STREAM_MODE_APPEND`
pub const ZX_STREAM_MODE_APPEND: u32 = 1 << 2;
/// `ZX_STREAM_CREATE_MASK`
pub const ZX_STREAM_CREATE_MASK: u32 =
    ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE | ZX_STREAM_MODE_APPEND;
/// `ZX_STREAM_APPEND` (a `zx_stream_writev` option)
pub const ZX_STREAM_APPEND: u32 = 1 << 0;

/// `ZX_DEFAULT_STREAM_RIGHTS`: basic, property and SIGNAL. READ and WRITE
/// come from the mode the stream is created with.
pub const DEFAULT_STREAM_RIGHTS: Rights =
    Rights::BASIC.union(Rights::PROPERTY).union(Rights::SIGNAL);

/// Size of a `zx_iovec_t` (`{void* buffer; size_t capacity;}`).
const IOVEC_SIZE: usize = 16;

/// Guest memory goes through a kernel buffer this big at a time.
const CHUNK: usize = 64 << 10;

/// How many `zx_iovec_t` entries are read from the guest in one copy.
const IOVEC_BATCH: usize = 64;

/// Where a seek is measured from (`zx_stream_seek_origin_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekOrigin {
    /// `ZX_STREAM_SEEK_ORIGIN_START`
    Start,
    /// `ZX_STREAM_SEEK_ORIGIN_CURRENT`
    Current,
    /// `ZX_STREAM_SEEK_ORIGIN_END`: the content size.
    End,
}

impl TryFrom<u32> for SeekOrigin {
    type Error = ZxError;

    /// Any other value → `INVALID_ARGS`.
    fn try_from(raw: u32) -> ZxResult<SeekOrigin> {
        match raw {
            0 => Ok(SeekOrigin::Start),
            1 => Ok(SeekOrigin::Current),
            2 => Ok(SeekOrigin::End),
            _ => Err(ZxError::INVALID_ARGS),
        }
    }
}

/// What `ZX_INFO_STREAM` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamInfo {
    /// `ZX_STREAM_MODE_*` bits, append as it is now.
    pub options: u32,
    /// The seek offset.
    pub seek: u64,
    /// The VMO's content size.
    pub content_size: u64,
}

/// A guest array of `count` `zx_iovec_t` at `addr`: an allegation, read
/// only through the address space's fallible copies.
#[derive(Debug, Clone, Copy)]
pub struct UserIovecs {
    /// Guest address of the first entry.
    pub addr: usize,
    /// Number of entries.
    pub count: usize,
}

impl UserIovecs {
    /// Calls `f(buffer, capacity)` for each entry in order until it returns
    /// `Ok(false)` (stop) or an error (returned). An entry that cannot be
    /// read is `INVALID_ARGS`, after every entry before it was handled.
    fn for_each(
        &self,
        aspace: &AddressSpace,
        f: &mut dyn FnMut(usize, usize) -> ZxResult<bool>,
    ) -> ZxResult {
        let mut raw = [0u8; IOVEC_SIZE * IOVEC_BATCH];
        let mut i = 0;
        while i < self.count {
            let n = (self.count - i).min(IOVEC_BATCH);
            let at = i
                .checked_mul(IOVEC_SIZE)
                .and_then(|o| self.addr.checked_add(o))
                .ok_or(ZxError::INVALID_ARGS)?;
            let batch = &mut raw[..n * IOVEC_SIZE];
            // A batch that cannot be read whole is read entry by entry, so
            // the entries before the bad one are still handled.
            let whole = aspace.copy_from_user(at, batch).is_ok();
            for (k, entry) in batch.chunks_mut(IOVEC_SIZE).enumerate() {
                if !whole {
                    let one = at
                        .checked_add(k * IOVEC_SIZE)
                        .ok_or(ZxError::INVALID_ARGS)?;
                    if aspace.copy_from_user(one, entry).is_err() {
                        return Err(ZxError::INVALID_ARGS);
                    }
                }
                let buffer = u64::from_le_bytes(entry[..8].try_into().expect("8 bytes"));
                let capacity = u64::from_le_bytes(entry[8..].try_into().expect("8 bytes"));
                if !f(buffer as usize, capacity as usize)? {
                    return Ok(());
                }
            }
            i += n;
        }
        Ok(())
    }

    /// Adds up the capacities (`INVALID_ARGS` if the sum overflows).
    fn total_capacity(&self, aspace: &AddressSpace) -> ZxResult<usize> {
        let mut total = 0usize;
        self.for_each(aspace, &mut |_, cap| {
            total = total.checked_add(cap).ok_or(ZxError::INVALID_ARGS)?;
            Ok(true)
        })?;
        Ok(total)
    }
}

/// The result of a transfer: the bytes moved and the status of whatever
/// stopped it early (`Ok` if nothing did).
type Transfer = (usize, ZxResult);

/// A stream.
pub struct Stream {
    base: KObjectBase,
    vmo: Arc<VmObject>,
    /// `ZX_STREAM_MODE_READ`/`WRITE` as created (fixed).
    mode: u32,
    /// Whether writes may grow the VMO (fixed).
    can_resize: bool,
    /// Append mode (`ZX_STREAM_MODE_APPEND`, `ZX_PROP_STREAM_MODE_APPEND`).
    append: AtomicBool,
    /// The seek offset; held across a transfer that uses or moves it. Taken
    /// before the VMO's content lock.
    seek: Mutex<u64>,
}

impl_kobject!(Stream, ObjType::Stream);

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("koid", &self.base.koid())
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Stream {
    /// Checks `zx_stream_create`'s options (`INVALID_ARGS` for any unknown
    /// bit) and returns the rights the VMO handle needs: READ for
    /// `ZX_STREAM_MODE_READ`, WRITE for `ZX_STREAM_MODE_WRITE`.
    pub fn vmo_rights_for(options: u32) -> ZxResult<Rights> {
        if options & !ZX_STREAM_CREATE_MASK != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut need = Rights::empty();
        if options & ZX_STREAM_MODE_READ != 0 {
            need |= Rights::READ;
        }
        if options & ZX_STREAM_MODE_WRITE != 0 {
            need |= Rights::WRITE;
        }
        Ok(need)
    }

    /// Creates a stream over `vmo` with checked `options`, seek offset
    /// `seek`, growing the VMO on writes if `vmo_rights` has RESIZE. Returns
    /// it with the rights of its handle: the default ones plus READ/WRITE
    /// for the modes asked for.
    pub fn create(
        options: u32,
        vmo: Arc<VmObject>,
        vmo_rights: Rights,
        seek: u64,
    ) -> (Arc<Stream>, Rights) {
        let mut rights = DEFAULT_STREAM_RIGHTS;
        if options & ZX_STREAM_MODE_READ != 0 {
            rights |= Rights::READ;
        }
        if options & ZX_STREAM_MODE_WRITE != 0 {
            rights |= Rights::WRITE;
        }
        let stream = Arc::new(Stream {
            base: KObjectBase::default(),
            vmo,
            mode: options & (ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE),
            can_resize: vmo_rights.contains(Rights::RESIZE),
            append: AtomicBool::new(options & ZX_STREAM_MODE_APPEND != 0),
            seek: Mutex::new(seek),
        });
        (stream, rights)
    }

    /// Returns the stream's VMO.
    pub fn vmo(&self) -> &Arc<VmObject> {
        &self.vmo
    }

    /// Returns whether the stream is in append mode.
    pub fn is_append(&self) -> bool {
        self.append.load(Ordering::Relaxed)
    }

    /// Sets append mode (`ZX_PROP_STREAM_MODE_APPEND`).
    pub fn set_append(&self, on: bool) {
        self.append.store(on, Ordering::Relaxed);
    }

    /// Returns the `ZX_INFO_STREAM` record.
    pub fn info(&self) -> StreamInfo {
        let seek = *self.seek.lock();
        let append = if self.is_append() {
            ZX_STREAM_MODE_APPEND
        } else {
            0
        };
        StreamInfo {
            options: self.mode | append,
            seek,
            content_size: self.vmo.content_size() as u64,
        }
    }

    /// Moves the seek offset (`zx_stream_seek`) and returns the new one. A
    /// result below zero or past `u64::MAX` is `INVALID_ARGS`; past the
    /// content end is fine.
    pub fn seek(&self, origin: SeekOrigin, offset: i64) -> ZxResult<u64> {
        let mut seek = self.seek.lock();
        let base = match origin {
            SeekOrigin::Start => {
                if offset < 0 {
                    return Err(ZxError::INVALID_ARGS);
                }
                0
            }
            SeekOrigin::Current => *seek,
            SeekOrigin::End => self.vmo.content_size() as u64,
        };
        *seek = base
            .checked_add_signed(offset)
            .ok_or(ZxError::INVALID_ARGS)?;
        Ok(*seek)
    }

    /// Reads at the seek offset into `iov` and advances it
    /// (`zx_stream_readv`). Returns the bytes read.
    pub fn readv(&self, aspace: &AddressSpace, iov: UserIovecs) -> ZxResult<usize> {
        let total = iov.total_capacity(aspace)?;
        if total == 0 {
            return Ok(0);
        }
        let mut seek = self.seek.lock();
        let (n, status) = self.read_at(aspace, iov, *seek, total);
        *seek += n as u64;
        finish(n, status)
    }

    /// Reads at `offset` into `iov`, leaving the seek offset alone
    /// (`zx_stream_readv_at`).
    pub fn readv_at(&self, aspace: &AddressSpace, iov: UserIovecs, offset: u64) -> ZxResult<usize> {
        let total = iov.total_capacity(aspace)?;
        if total == 0 {
            return Ok(0);
        }
        let (n, status) = self.read_at(aspace, iov, offset, total);
        finish(n, status)
    }

    /// Writes `iov` at the seek offset (or at the content end in append
    /// mode) and advances it (`zx_stream_writev`).
    pub fn writev(&self, aspace: &AddressSpace, iov: UserIovecs) -> ZxResult<usize> {
        if self.is_append() {
            return self.appendv(aspace, iov);
        }
        let total = iov.total_capacity(aspace)?;
        if total == 0 {
            return Ok(0);
        }
        let mut seek = self.seek.lock();
        let (n, status) = self.write_at(aspace, iov, *seek, total)?;
        *seek += n as u64;
        finish(n, status)
    }

    /// Writes `iov` at `offset`, leaving the seek offset alone
    /// (`zx_stream_writev_at`).
    pub fn writev_at(
        &self,
        aspace: &AddressSpace,
        iov: UserIovecs,
        offset: u64,
    ) -> ZxResult<usize> {
        let total = iov.total_capacity(aspace)?;
        if total == 0 {
            return Ok(0);
        }
        let (n, status) = self.write_at(aspace, iov, offset, total)?;
        finish(n, status)
    }

    /// Writes `iov` at the content end, atomically with respect to every
    /// other stream of the VMO, and leaves the seek offset after what was
    /// written (`zx_stream_writev` with `ZX_STREAM_APPEND`, or append
    /// mode).
    pub fn appendv(&self, aspace: &AddressSpace, iov: UserIovecs) -> ZxResult<usize> {
        let total = iov.total_capacity(aspace)?;
        if total == 0 {
            return Ok(0);
        }
        let mut seek = self.seek.lock();
        let _content = self.vmo.lock_content();
        let offset = self.vmo.content_size() as u64;
        let target = offset
            .checked_add(total as u64)
            .ok_or(ZxError::OUT_OF_RANGE)?;
        let vmo_size = self.expand(offset, target)?;
        let len = (vmo_size.min(target) - offset) as usize;
        let (n, status) = write_vector(&self.vmo, aspace, iov, offset, len);
        // The seek offset moves to the old end even if nothing was written.
        *seek = offset + n as u64;
        if n > 0 {
            self.vmo.set_content_size_locked(offset as usize + n);
        }
        finish(n, status)
    }

    /// Reads up to `total` bytes at `offset`, stopping at the content end.
    fn read_at(
        &self,
        aspace: &AddressSpace,
        iov: UserIovecs,
        offset: u64,
        total: usize,
    ) -> Transfer {
        let _content = self.vmo.lock_content();
        // Zircon adds without an overflow check here; a sum that wraps reads
        // nothing.
        let limit = offset
            .wrapping_add(total as u64)
            .min(self.vmo.content_size() as u64);
        if limit <= offset {
            return (0, Ok(()));
        }
        read_vector(&self.vmo, aspace, iov, offset, (limit - offset) as usize)
    }

    /// Writes up to `total` bytes at `offset`: grows the VMO if needed and
    /// allowed, zeroes the gap between the old content end and `offset`,
    /// and moves the content end past what was written. Fails before
    /// writing anything with `FILE_BIG` (`offset + total` overflows),
    /// `OUT_OF_RANGE` or `NO_SPACE` (no room at `offset`).
    fn write_at(
        &self,
        aspace: &AddressSpace,
        iov: UserIovecs,
        offset: u64,
        total: usize,
    ) -> ZxResult<Transfer> {
        let _content = self.vmo.lock_content();
        let target = offset.checked_add(total as u64).ok_or(ZxError::FILE_BIG)?;
        let old_content = self.vmo.content_size() as u64;
        let vmo_size = self.expand(offset, target)?;
        let len = (vmo_size.min(target) - offset) as usize;
        if target > old_content && old_content < offset {
            // What the write skips over becomes content: it reads as zero.
            self.vmo
                .zero_content_gap(old_content as usize, offset as usize)?;
        }
        let (n, status) = write_vector(&self.vmo, aspace, iov, offset, len);
        let end = offset as usize + n;
        if n > 0 && end > old_content as usize {
            self.vmo.set_content_size_locked(end);
        }
        Ok((n, status))
    }

    /// Grows the VMO to hold `target` bytes if it must and may; returns its
    /// size. Fails if not even a byte fits at `offset`: `OUT_OF_RANGE` for
    /// a size past the limits, `NO_SPACE` for anything else.
    fn expand(&self, offset: u64, target: u64) -> ZxResult<u64> {
        let (vmo_size, status) = self.vmo.expand_for_stream(target, self.can_resize);
        if let Err(e) = status {
            if vmo_size <= offset {
                return Err(if e == ZxError::OUT_OF_RANGE {
                    e
                } else {
                    ZxError::NO_SPACE
                });
            }
        }
        Ok(vmo_size)
    }
}

/// Some bytes moved is success; none is the status that stopped it.
fn finish(n: usize, status: ZxResult) -> ZxResult<usize> {
    match status {
        Err(e) if n == 0 => Err(e),
        _ => Ok(n),
    }
}

/// Returns where the VMO page holding `offset` ends.
fn page_end(offset: usize) -> usize {
    (offset / PAGE_SIZE + 1) * PAGE_SIZE
}

/// Copies `len` bytes of `vmo` at `offset` into the buffers of `iov`, each
/// filled in turn (Zircon's `ReadUserVector`).
fn read_vector(
    vmo: &VmObject,
    aspace: &AddressSpace,
    iov: UserIovecs,
    offset: u64,
    len: usize,
) -> Transfer {
    let mut kbuf = vec![0u8; len.min(CHUNK)];
    let (mut done, mut left) = (0usize, len);
    let mut stop = Ok(());
    let walk = iov.for_each(aspace, &mut |buf, cap| {
        let cap = cap.min(left);
        let (n, status) = read_user(vmo, aspace, &mut kbuf, buf, offset + done as u64, cap);
        done += n;
        left -= n;
        if let Err(e) = status {
            stop = Err(e);
            return Ok(false);
        }
        Ok(left > 0)
    });
    (done, stop.and(walk))
}

/// Copies `len` bytes of `vmo` at `offset` to guest address `buf`.
fn read_user(
    vmo: &VmObject,
    aspace: &AddressSpace,
    kbuf: &mut [u8],
    buf: usize,
    offset: u64,
    len: usize,
) -> Transfer {
    if offset
        .checked_add(len as u64)
        .is_none_or(|e| e > vmo.size() as u64)
    {
        return (0, Err(ZxError::OUT_OF_RANGE));
    }
    let mut done = 0;
    while done < len {
        let n = (len - done).min(kbuf.len());
        let at = offset as usize + done;
        if let Err(e) = vmo.read(at as u64, &mut kbuf[..n]) {
            return (done, Err(e));
        }
        if aspace
            .copy_to_user(buf.wrapping_add(done), &kbuf[..n])
            .is_err()
        {
            // Copy VMO page by VMO page to find the pages that go through,
            // as Zircon's page-by-page copy would have stopped.
            let mut p = 0;
            while p < n {
                let q = (page_end(at + p) - at).min(n);
                if let Err(e) = aspace.copy_to_user(buf.wrapping_add(done + p), &kbuf[p..q]) {
                    return (done + p, Err(e));
                }
                p = q;
            }
        }
        done += n;
    }
    (len, Ok(()))
}

/// Copies the buffers of `iov` in turn into `vmo` at `offset`, `len` bytes
/// in all (Zircon's `WriteUserVector`).
fn write_vector(
    vmo: &VmObject,
    aspace: &AddressSpace,
    iov: UserIovecs,
    offset: u64,
    len: usize,
) -> Transfer {
    let mut kbuf = vec![0u8; len.min(CHUNK)];
    let (mut done, mut left) = (0usize, len);
    let mut stop = Ok(());
    let walk = iov.for_each(aspace, &mut |buf, cap| {
        let cap = cap.min(left);
        let (n, status) = write_user(vmo, aspace, &mut kbuf, buf, offset + done as u64, cap);
        done += n;
        left -= n;
        if let Err(e) = status {
            stop = Err(e);
            return Ok(false);
        }
        Ok(left > 0)
    });
    (done, stop.and(walk))
}

/// Copies `len` bytes from guest address `buf` into `vmo` at `offset`.
fn write_user(
    vmo: &VmObject,
    aspace: &AddressSpace,
    kbuf: &mut [u8],
    buf: usize,
    offset: u64,
    len: usize,
) -> Transfer {
    if offset
        .checked_add(len as u64)
        .is_none_or(|e| e > vmo.size() as u64)
    {
        return (0, Err(ZxError::OUT_OF_RANGE));
    }
    let mut done = 0;
    while done < len {
        let n = (len - done).min(kbuf.len());
        let at = offset as usize + done;
        let (got, fault) = match aspace.copy_from_user(buf.wrapping_add(done), &mut kbuf[..n]) {
            Ok(()) => (n, None),
            Err(_) => {
                // Take the VMO pages whose guest bytes can be read, VMO page
                // by VMO page, as Zircon's page-by-page copy would.
                let mut p = 0;
                let mut fault = None;
                while p < n {
                    let q = (page_end(at + p) - at).min(n);
                    if let Err(e) =
                        aspace.copy_from_user(buf.wrapping_add(done + p), &mut kbuf[p..q])
                    {
                        fault = Some(e);
                        break;
                    }
                    p = q;
                }
                (p, fault)
            }
        };
        if got > 0 {
            if let Err(e) = vmo.write(at as u64, &kbuf[..got]) {
                return (done, Err(e));
            }
        }
        done += got;
        if let Some(e) = fault {
            return (done, Err(e));
        }
    }
    (len, Ok(()))
}

#[cfg(test)]
mod tests;
