//! Copies between kernel buffers and guest memory: syscall user copies
//! (protections apply) and debugger reads/writes (they do not).

use std::sync::Arc;

use kernel_hal::{MMUFlags, VirtAddr};

use super::AddressSpace;
use crate::vm::vmo::VmObject;
use crate::{ZxError, ZxResult};

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
    /// (ACCESS_DENIED) and inside its VMO (OUT_OF_RANGE). Pieces the host
    /// already maps are copied through the page table under the address
    /// space lock (so they cannot be unmapped meanwhile); the rest goes
    /// through the VMO. Never touches host memory outside guest mappings and
    /// the frame file.
    pub fn copy_from_user(&self, va: VirtAddr, buf: &mut [u8]) -> ZxResult {
        self.user_copy(va, UserBuf::Into(buf))
    }

    /// Copies `buf` to guest address `va` as a syscall writing a user buffer
    /// would (pages must be mapped writable).
    pub fn copy_to_user(&self, va: VirtAddr, buf: &[u8]) -> ZxResult {
        self.user_copy(va, UserBuf::From(buf))
    }

    pub(in crate::vm) fn user_copy(&self, va: VirtAddr, mut buf: UserBuf<'_>) -> ZxResult {
        let (len, need) = match &buf {
            UserBuf::Into(b) => (b.len(), MMUFlags::READ),
            UserBuf::From(b) => (b.len(), MMUFlags::WRITE),
        };
        va.checked_add(len).ok_or(ZxError::INVALID_ARGS)?;
        let mut pos = 0;
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
