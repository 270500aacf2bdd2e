//! `zx_vmar_*`.

use zircon_object::handle::HandleValue;
use zircon_object::vm::vmar::{AllocateRequest, MapRequest, ProtectRequest, VmarOp};
use zircon_object::vm::{VmAddressRegion, VmObject};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{UserInOutPtr, UserOutPtr};
use crate::{Outcome, Syscall};

impl Syscall<'_> {
    fn vmar(&self, h: HandleValue) -> ZxResult<(std::sync::Arc<VmAddressRegion>, Rights)> {
        self.process
            .get_object::<VmAddressRegion>(h, Rights::empty())
    }

    /// `zx_vmar_allocate`: on a failed copy-out the new region is destroyed.
    pub fn vmar_allocate(
        &self,
        parent: HandleValue,
        options: u32,
        offset: usize,
        size: usize,
        child_out: UserOutPtr<u32>,
        addr_out: UserOutPtr<usize>,
    ) -> ZxResult {
        let (vmar, rights) = self.vmar(parent)?;
        let req = AllocateRequest::parse(rights, options, offset, size)?;
        let child = vmar.allocate_request(&req)?;
        if let Err(e) = addr_out.write(self.aspace(), child.addr()) {
            let _ = child.destroy();
            return Err(e);
        }
        let rights = child.default_rights();
        let v = self.process.add_handle(child.clone(), rights);
        if let Err(e) = child_out.write(self.aspace(), v) {
            // Dropped after the table's lock is released.
            let _removed = self.process.handles().remove(v);
            let _ = child.destroy();
            return Err(e);
        }
        Ok(())
    }

    /// `zx_vmar_map`: on a failed copy-out the mapping is removed again.
    #[expect(
        clippy::too_many_arguments,
        reason = "Fuchsia's signature for this syscall"
    )]
    pub fn vmar_map(
        &self,
        h: HandleValue,
        options: u32,
        vmar_offset: usize,
        vmo: HandleValue,
        vmo_offset: u64,
        len: usize,
        out: UserOutPtr<usize>,
    ) -> ZxResult {
        let (vmar, vmar_rights) = self.vmar(h)?;
        let (vmo, vmo_rights) = self.process.get_object::<VmObject>(vmo, Rights::empty())?;
        let req = MapRequest::parse(
            vmar_rights,
            options,
            vmar_offset,
            &vmo,
            vmo_rights,
            vmo_offset,
            len,
        )?;
        let addr = vmar.map_request(&vmo, &req)?;
        if let Err(e) = out.write(self.aspace(), addr) {
            let _ = vmar.unmap(Rights::OP_CHILDREN, addr, len);
            return Err(e);
        }
        Ok(())
    }

    /// `zx_vmar_unmap`.
    pub fn vmar_unmap(&self, h: HandleValue, addr: usize, len: usize) -> ZxResult {
        let (vmar, rights) = self.vmar(h)?;
        vmar.unmap(rights, addr, len)
    }

    /// `zx_vmar_unmap_handle_close_thread_exit`: unmaps like
    /// `zx_vmar_unmap`, then closes `close_handle` and ends the calling
    /// thread without returning to it (a thread can free its own stack
    /// this way). If the unmap fails it returns the error and does neither;
    /// if the close fails (a bad `close_handle`) it returns that error, the
    /// memory already unmapped, as Zircon does.
    pub fn vmar_unmap_handle_close_thread_exit(
        &self,
        vmar_handle: HandleValue,
        addr: usize,
        size: usize,
        close_handle: HandleValue,
    ) -> Outcome {
        if let Err(e) = self.vmar_unmap(vmar_handle, addr, size) {
            return Outcome::Return(e.into_raw() as u64);
        }
        if let Err(e) = self.handle_close(close_handle) {
            return Outcome::Return(e.into_raw() as u64);
        }
        Outcome::ExitThread
    }

    /// `zx_vmar_protect`.
    pub fn vmar_protect(&self, h: HandleValue, options: u32, addr: usize, len: usize) -> ZxResult {
        let (vmar, rights) = self.vmar(h)?;
        let req = ProtectRequest::parse(rights, options)?;
        vmar.protect_request(rights, req, addr, len)
    }

    /// `zx_vmar_destroy`: needs `OP_CHILDREN`.
    pub fn vmar_destroy(&self, h: HandleValue) -> ZxResult {
        let (vmar, _) = self
            .process
            .get_object::<VmAddressRegion>(h, Rights::OP_CHILDREN)?;
        vmar.destroy()
    }

    /// `zx_vmar_op_range`: no buffer is used by any op.
    pub fn vmar_op_range(
        &self,
        h: HandleValue,
        op: u32,
        addr: usize,
        len: usize,
        buffer: UserInOutPtr<u8>,
        buffer_size: usize,
    ) -> ZxResult {
        let buffer = buffer.addr();
        let (vmar, rights) = self.vmar(h)?;
        let op = VmarOp::try_from(op)?;
        // The handle's rights for the kind of op (Zircon's
        // is_operation_allowed_from_rights), before anything else.
        let needed = match op {
            VmarOp::Commit | VmarOp::Decommit | VmarOp::Zero => Rights::WRITE,
            VmarOp::Prefetch | VmarOp::MapRange => Rights::READ,
            VmarOp::DontNeed | VmarOp::AlwaysNeed => Rights::empty(),
        };
        if !rights.contains(needed) {
            return Err(ZxError::ACCESS_DENIED);
        }
        if buffer != 0 || buffer_size != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        vmar.op_range(rights, op, addr, len)
    }
}
