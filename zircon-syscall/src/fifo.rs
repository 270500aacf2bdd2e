//! `zx_fifo_*`: creation, reads and writes.
//!
//! Checks come in Zircon's order (`zircon/kernel/lib/syscalls/fifo.cc`):
//! the handle (type, then rights), then the FIFO's own checks; a buffer
//! that faults (NULL included) is `INVALID_ARGS` and undoes the call. The
//! count is written out after the elements moved, so a bad `actual_count`
//! pointer answers `INVALID_ARGS` with the transfer done, as on Zircon.

use zircon_object::handle::HandleValue;
use zircon_object::ipc::fifo::DEFAULT_FIFO_RIGHTS;
use zircon_object::ipc::Fifo;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{UserInPtr, UserOutPtr};
use crate::Syscall;

impl Syscall<'_> {
    /// `zx_fifo_create`: `options` is not looked at (Zircon ignores it).
    pub fn fifo_create(
        &self,
        elem_count: usize,
        elem_size: usize,
        _options: u32,
        out0: UserOutPtr<u32>,
        out1: UserOutPtr<u32>,
    ) -> ZxResult {
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewFifo)?;
        let (a, b) = Fifo::create(elem_count, elem_size)?;
        self.add_pair(a, b, DEFAULT_FIFO_RIGHTS, out0, out1)
    }

    /// `zx_fifo_write`.
    pub fn fifo_write(
        &self,
        h: HandleValue,
        elem_size: usize,
        data: UserInPtr<u8>,
        count: usize,
        actual_count: UserOutPtr<usize>,
    ) -> ZxResult {
        let (fifo, _) = self.process.get_object::<Fifo>(h, Rights::WRITE)?;
        let aspace = self.aspace();
        let base = data.addr();
        let n = fifo.write(elem_size, count, &mut |at, buf: &mut [u8]| {
            let va = base.checked_add(at).ok_or(ZxError::INVALID_ARGS)?;
            aspace.copy_from_user(va, buf)
        })?;
        actual_count.write_if_not_null(aspace, n)
    }

    /// `zx_fifo_read`.
    pub fn fifo_read(
        &self,
        h: HandleValue,
        elem_size: usize,
        data: UserOutPtr<u8>,
        count: usize,
        actual_count: UserOutPtr<usize>,
    ) -> ZxResult {
        let (fifo, _) = self.process.get_object::<Fifo>(h, Rights::READ)?;
        let aspace = self.aspace();
        let base = data.addr();
        let n = fifo.read(elem_size, count, &mut |at, buf: &[u8]| {
            let va = base.checked_add(at).ok_or(ZxError::INVALID_ARGS)?;
            aspace.copy_to_user(va, buf)
        })?;
        actual_count.write_if_not_null(aspace, n)
    }
}
