//! `zx_vmo_*`.

use std::sync::Arc;

use zircon_object::handle::{HandleValue, INVALID_HANDLE};
use zircon_object::vm::vmo::{child_rights, VmoOp, ZX_VMO_CHILD_NO_WRITE, ZX_VMO_CHILD_RESIZABLE};
use zircon_object::vm::VmObject;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{write_bytes, UserInOutPtr, UserInPtr, UserOutPtr};
use crate::Syscall;

/// Bulk transfers go through a kernel buffer this big at a time.
const CHUNK: usize = 64 << 10;

impl Syscall<'_> {
    fn vmo(&self, h: HandleValue, rights: Rights) -> ZxResult<(Arc<VmObject>, Rights)> {
        self.process.get_object::<VmObject>(h, rights)
    }

    /// `zx_vmo_create`.
    pub fn vmo_create(&self, size: u64, options: u32, out: UserOutPtr<u32>) -> ZxResult {
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewVmo)?;
        let hal = self.process.root_vmar().aspace().hal().clone();
        let vmo = VmObject::create(hal, size, options)?;
        let rights = vmo.default_rights();
        self.add_handle_out(vmo, rights, out)
    }

    /// `zx_vmo_read`: a bad user buffer reports the fault status.
    pub fn vmo_read(
        &self,
        h: HandleValue,
        buf: UserOutPtr<u8>,
        offset: u64,
        len: usize,
    ) -> ZxResult {
        let buf = buf.addr();
        let (vmo, _) = self.vmo(h, Rights::READ)?;
        vmo.op_bounds(offset, len as u64)?;
        let mut kbuf = vec![0u8; len.min(CHUNK)];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK);
            vmo.read(offset + done as u64, &mut kbuf[..n])?;
            self.aspace()
                .copy_to_user(buf.wrapping_add(done), &kbuf[..n])?;
            done += n;
        }
        Ok(())
    }

    /// `zx_vmo_write`: a bad user buffer reports the fault status.
    pub fn vmo_write(
        &self,
        h: HandleValue,
        buf: UserInPtr<u8>,
        offset: u64,
        len: usize,
    ) -> ZxResult {
        let buf = buf.addr();
        let (vmo, _) = self.vmo(h, Rights::WRITE)?;
        vmo.op_bounds(offset, len as u64)?;
        let mut kbuf = vec![0u8; len.min(CHUNK)];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK);
            self.aspace()
                .copy_from_user(buf.wrapping_add(done), &mut kbuf[..n])?;
            vmo.write(offset + done as u64, &kbuf[..n])?;
            done += n;
        }
        Ok(())
    }

    /// `zx_vmo_get_size`.
    pub fn vmo_get_size(&self, h: HandleValue, out: UserOutPtr<u64>) -> ZxResult {
        // The hottest VMO call: the size is read under the handle table's
        // lock, without taking a reference to the VMO.
        let size = self
            .process
            .with_object(h, Rights::empty(), VmObject::size)?;
        out.write(self.aspace(), size as u64)
    }

    /// `zx_vmo_get_stream_size`: no rights needed, as for the size.
    pub fn vmo_get_stream_size(&self, h: HandleValue, size: UserOutPtr<u64>) -> ZxResult {
        let (vmo, _) = self.vmo(h, Rights::empty())?;
        size.write(self.aspace(), vmo.content_size() as u64)
    }

    /// `zx_vmo_set_stream_size`: WRITE; at most the VMO's size (the VMO
    /// never grows here).
    pub fn vmo_set_stream_size(&self, h: HandleValue, size: u64) -> ZxResult {
        let (vmo, _) = self.vmo(h, Rights::WRITE)?;
        vmo.set_stream_size(size)
    }

    /// `zx_vmo_set_size`: WRITE, and RESIZE if the VMO is resizable.
    pub fn vmo_set_size(&self, h: HandleValue, size: u64) -> ZxResult {
        let (vmo, rights) = self.vmo(h, Rights::WRITE)?;
        if vmo.is_resizable() && !rights.contains(Rights::RESIZE) {
            return Err(ZxError::ACCESS_DENIED);
        }
        vmo.set_size(size)
    }

    /// `zx_vmo_op_range`.
    pub fn vmo_op_range(
        &self,
        h: HandleValue,
        op: u32,
        offset: u64,
        size: u64,
        buffer: UserInOutPtr<u8>,
        buffer_size: usize,
    ) -> ZxResult {
        let (vmo, rights) = self.vmo(h, Rights::empty())?;
        let op = VmoOp::try_from(op)?;
        let need = |r: Rights| {
            if rights.contains(r) {
                Ok(())
            } else {
                Err(ZxError::ACCESS_DENIED)
            }
        };
        match op {
            VmoOp::Commit => {
                need(Rights::WRITE)?;
                vmo.commit(offset, size)
            }
            VmoOp::Decommit => {
                need(Rights::WRITE)?;
                vmo.decommit(offset, size)
            }
            VmoOp::Zero => {
                need(Rights::WRITE)?;
                vmo.zero(offset, size)
            }
            VmoOp::Lock | VmoOp::TryLock | VmoOp::Unlock => {
                if !rights.intersects(Rights::READ | Rights::WRITE) {
                    return Err(ZxError::ACCESS_DENIED);
                }
                match op {
                    VmoOp::TryLock => vmo.try_lock_range(offset, size),
                    VmoOp::Unlock => vmo.unlock_range(offset, size),
                    _ => {
                        // Locked first, as on Zircon; undone if the state
                        // cannot be handed back.
                        let st = vmo.lock_range(offset, size)?;
                        let mut rec = [0u8; 32];
                        for (i, v) in [st.offset, st.size, st.discarded_offset, st.discarded_size]
                            .into_iter()
                            .enumerate()
                        {
                            rec[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
                        }
                        let out = if buffer_size < rec.len() {
                            Err(ZxError::INVALID_ARGS)
                        } else {
                            write_bytes(self.aspace(), buffer.addr(), &rec)
                        };
                        if out.is_err() {
                            let _ = vmo.unlock_range(offset, size);
                        }
                        out
                    }
                }
            }
            VmoOp::CacheSync
            | VmoOp::CacheClean
            | VmoOp::CacheCleanInvalidate
            | VmoOp::CacheInvalidate => {
                need(if op == VmoOp::CacheInvalidate {
                    Rights::WRITE
                } else {
                    Rights::READ
                })?;
                if size == 0 {
                    return Err(ZxError::INVALID_ARGS);
                }
                vmo.op_bounds(offset, size).map(drop)
            }
            VmoOp::Prefetch => {
                need(Rights::READ)?;
                let (start, end) = vmo.op_bounds(offset, size)?;
                // A pager-backed VMO's pages are fetched from its pager.
                if start < end {
                    vmo.wait_present(start, end, true)?;
                }
                Ok(())
            }
            // Eviction hints, for pages the kernel could evict: a pager's.
            // No rights needed; on any other VMO a no-op, before the range
            // is even looked at (Zircon's `HintRange`). `ALWAYS_NEED` also
            // brings the pages in (errors ignored); there is no eviction
            // of pager pages here, so `DONT_NEED` has nothing to reorder.
            VmoOp::DontNeed | VmoOp::AlwaysNeed => {
                if !vmo.is_pager_backed() {
                    return Ok(());
                }
                let (start, end) = vmo.op_bounds(offset, size)?;
                if op == VmoOp::AlwaysNeed && start < end {
                    let (lo, hi) = (
                        kernel_hal::page_round_down(start),
                        kernel_hal::page_round_up(end).unwrap_or(end),
                    );
                    let _ = vmo.wait_present(lo, hi.min(vmo.size()), true);
                }
                Ok(())
            }
        }
    }

    /// `zx_vmo_create_child`.
    pub fn vmo_create_child(
        &self,
        h: HandleValue,
        options: u32,
        offset: u64,
        size: u64,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        if options & ZX_VMO_CHILD_NO_WRITE != 0 && options & ZX_VMO_CHILD_RESIZABLE != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (vmo, rights) = self.vmo(h, Rights::DUPLICATE | Rights::READ)?;
        let child = vmo.create_child(options, offset, size)?;
        let v = self
            .process
            .add_handle(child, child_rights(rights, options));
        if let Err(e) = out.write(self.aspace(), v) {
            // Dropped after the table's lock is released.
            let _removed = self.process.handles().remove(v);
            return Err(e);
        }
        Ok(())
    }

    /// `zx_vmo_replace_as_executable`: the VMEX resource is
    /// `ZX_HANDLE_INVALID` (ambient permission, no job policy here) or a
    /// resource granting `ZX_RSRC_SYSTEM_VMEX_BASE`. The VMO handle is
    /// consumed.
    pub fn vmo_replace_as_executable(
        &self,
        h: HandleValue,
        vmex: HandleValue,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        // A VMEX resource: the system resource of base
        // ZX_RSRC_SYSTEM_VMEX_BASE (or the root); checked first, but the
        // VMO handle is consumed even when it fails, as in Zircon.
        let vmex_status = if vmex != INVALID_HANDLE {
            use zircon_object::system::resource::{KIND_SYSTEM, SYSTEM_VMEX_BASE};
            self.process
                .get_object::<zircon_object::system::Resource>(vmex, Rights::empty())
                .and_then(|(r, _)| r.validate_ranged(KIND_SYSTEM, SYSTEM_VMEX_BASE, 1))
        } else {
            self.enforce_policy(zircon_object::task::policy::PolicyCondition::AmbientMarkVmoExec)
        };
        let mut table = self.process.handles();
        let old = table.get(h)?.to_ref();
        old.object
            .clone()
            .downcast_arc::<VmObject>()
            .ok_or(ZxError::WRONG_TYPE)?;
        table.remove(h)?;
        vmex_status?;
        let v = table.add(zircon_object::handle::Handle::new(
            old.object,
            old.rights | Rights::EXECUTE,
        ));
        drop(table);
        out.write(self.aspace(), v)
    }

    /// `zx_vmo_set_cache_policy`: needs MAP.
    pub fn vmo_set_cache_policy(&self, h: HandleValue, policy: u32) -> ZxResult {
        let (vmo, _) = self.vmo(h, Rights::MAP)?;
        vmo.set_cache_policy(policy)
    }
}
