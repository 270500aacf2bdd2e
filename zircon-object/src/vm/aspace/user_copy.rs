//! Copies between kernel buffers and guest memory: syscall user copies
//! (protections apply) and debugger reads/writes (they do not).

use std::sync::Arc;

use kernel_hal::{MMUFlags, PageFaultAccess, UserCopyStop, VirtAddr};

use super::AddressSpace;
use crate::vm::vmo::VmObject;
use crate::{ZxError, ZxResult};

/// How many faults one user copy resolves before it leaves the rest to the
/// locked path (each resolution maps at least the faulting page, so only a
/// concurrent unmap or a copy across many chunks gets there).
const MAX_RESOLVES: usize = 8;

/// The kernel side of a user copy.
pub(in crate::vm) enum UserBuf<'a> {
    /// Guest memory is copied into this buffer.
    Into(&'a mut [u8]),
    /// This buffer is copied to guest memory.
    From(&'a [u8]),
}

impl AddressSpace {
    /// Copies guest memory at `va` into `buf` for `zx_process_read_memory`:
    /// reads from the single mapping containing `va`, stopping at its end or
    /// at the VMO's end, and returns the bytes read. Protections do not
    /// apply (it is a debugger interface).
    pub fn read_memory(&self, va: VirtAddr, buf: &mut [u8]) -> ZxResult<usize> {
        let (vmo, off, n) = self.memory_span(va, buf.len())?;
        vmo.read(off as u64, &mut buf[..n])?;
        Ok(n)
    }

    /// Writes `buf` to guest memory at `va` (`zx_process_write_memory`);
    /// same rules as [`AddressSpace::read_memory`].
    pub fn write_memory(&self, va: VirtAddr, buf: &[u8]) -> ZxResult<usize> {
        let (vmo, off, n) = self.memory_span(va, buf.len())?;
        vmo.write(off as u64, &buf[..n])?;
        Ok(n)
    }

    pub(in crate::vm) fn memory_span(
        &self,
        va: VirtAddr,
        len: usize,
    ) -> ZxResult<(Arc<VmObject>, usize, usize)> {
        let st = self.lock();
        let id = st.find_mapping(self.root, va).ok_or(ZxError::NOT_FOUND)?;
        let m = &st.mappings[&id];
        let off = m.vmo_offset + (va - m.base);
        let vmo_size = m.vmo_limit();
        if off >= vmo_size {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let n = len.min(m.end() - va).min(vmo_size - off);
        Ok((m.vmo.clone(), off, n))
    }

    /// Copies `buf.len()` bytes from guest address `va` as a syscall reading
    /// a user buffer would: every page must be mapped (NOT_FOUND), readable
    /// (ACCESS_DENIED) and inside its VMO (OUT_OF_RANGE). First tried
    /// without any lock, straight through the host's mapping (see
    /// [`AddressSpace::user_copy`]). Never touches host memory outside
    /// guest mappings of this address space and the frame file.
    pub fn copy_from_user(&self, va: VirtAddr, buf: &mut [u8]) -> ZxResult {
        self.user_copy(va, UserBuf::Into(buf))
    }

    /// Copies `buf` to guest address `va` as a syscall writing a user buffer
    /// would (pages must be mapped writable).
    pub fn copy_to_user(&self, va: VirtAddr, buf: &[u8]) -> ZxResult {
        self.user_copy(va, UserBuf::From(buf))
    }

    /// A user copy, in two steps (DESIGN.md decision 5):
    ///
    /// 1. **Lock-free.** The HAL copies straight through the host's mapping
    ///    of this window under fault protection
    ///    ([`PageTable::try_read_user`](kernel_hal::PageTable::try_read_user)). It succeeds only
    ///    where the host already maps the pages with the access needed,
    ///    and the host never maps more than the guest mapping allows (the
    ///    host-mapping invariant of `mod.rs`: memory shared copy-on-write
    ///    is mapped read-only, nothing past a VMO's end, no write or
    ///    execute without read). A store that faults is resolved like the
    ///    guest's own store would be ([`AddressSpace::handle_page_fault`]:
    ///    first touch, copy-on-write) and the copy goes on from there, at
    ///    most [`MAX_RESOLVES`] times. A load that faults is not resolved
    ///    (that would commit the page, where the locked path reads the
    ///    frame file and commits nothing).
    /// 2. **Locked** — today's path and the one that decides every error:
    ///    under the address-space lock, piece by piece, check the mapping
    ///    and its protection, then copy through the host mapping if it
    ///    covers the piece (the lock keeps it) or through the VMO.
    ///
    /// So a bad pointer gets exactly the locked path's status, and the
    /// fast path only changes how fast good pointers are served.
    pub(in crate::vm) fn user_copy(&self, va: VirtAddr, mut buf: UserBuf<'_>) -> ZxResult {
        let len = match &buf {
            UserBuf::Into(b) => b.len(),
            UserBuf::From(b) => b.len(),
        };
        va.checked_add(len).ok_or(ZxError::INVALID_ARGS)?;
        let mut pos = 0;
        let mut resolves = 0;
        let mut last_fault = None;
        loop {
            let r = match &mut buf {
                UserBuf::Into(b) => self.pt.try_read_user(va + pos, &mut b[pos..]),
                UserBuf::From(b) => self.pt.try_write_user(va + pos, &b[pos..]),
            };
            let (copied, addr) = match r {
                Ok(()) => return Ok(()),
                Err(UserCopyStop::Unsupported) => break,
                Err(UserCopyStop::Fault { copied, addr }) => (copied, addr),
            };
            pos += copied;
            let resolvable = matches!(buf, UserBuf::From(_))
                && resolves < MAX_RESOLVES
                && last_fault != Some(addr);
            if !resolvable {
                break;
            }
            resolves += 1;
            last_fault = Some(addr);
            if self
                .handle_page_fault(addr, PageFaultAccess::Write)
                .is_err()
            {
                // Refused: the locked path finds out why, with its status.
                break;
            }
        }
        self.user_copy_locked(va, buf, pos)
    }

    /// The locked path of [`AddressSpace::user_copy`], from byte `pos` on
    /// (the bytes before it are copied already).
    fn user_copy_locked(&self, va: VirtAddr, mut buf: UserBuf<'_>, mut pos: usize) -> ZxResult {
        let (len, need) = match &buf {
            UserBuf::Into(b) => (b.len(), MMUFlags::READ),
            UserBuf::From(b) => (b.len(), MMUFlags::WRITE),
        };
        while pos < len {
            let cur = va + pos;
            let (vmo, off, n) = {
                let st = self.lock();
                let id = st.find_mapping(self.root, cur).ok_or(ZxError::NOT_FOUND)?;
                let m = &st.mappings[&id];
                let (piece, &flags) = m.prot.get(cur).expect("prot tiles mapping");
                let pend = piece.end;
                if !flags.contains(need) {
                    return Err(ZxError::ACCESS_DENIED);
                }
                let off = m.vmo_offset + (cur - m.base);
                let vmo_size = m.vmo_limit();
                if off >= vmo_size {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                let n = (len - pos).min(pend - cur).min(vmo_size - off);
                // Fast path: the host maps this piece, and holding the lock
                // keeps it so for the copy.
                let whole = m.host.covers(cur..cur + n);
                let copied = whole
                    && match &mut buf {
                        UserBuf::Into(b) => self.pt.read_mapped(cur, &mut b[pos..pos + n]),
                        UserBuf::From(b) => self.pt.write_mapped(cur, &b[pos..pos + n]),
                    };
                if copied {
                    pos += n;
                    continue;
                }
                (m.vmo.clone(), off, n)
            };
            match &mut buf {
                UserBuf::Into(b) => vmo.read(off as u64, &mut b[pos..pos + n])?,
                UserBuf::From(b) => vmo.write(off as u64, &b[pos..pos + n])?,
            }
            pos += n;
        }
        Ok(())
    }
}
