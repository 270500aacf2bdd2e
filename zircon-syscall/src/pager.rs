//! `zx_pager_*`: user pagers. The checks come in Zircon's order
//! (`lib/syscalls/pager.cc`): alignment first where Zircon checks it
//! first, then each handle with its rights (a wrong type before missing
//! rights), then the pager's ownership of the VMO (`INVALID_ARGS`), then
//! the operation's own checks.

use std::sync::Arc;

use zircon_object::handle::HandleValue;
use zircon_object::ipc::port::Port;
use zircon_object::object::KernelObject;
use zircon_object::task::policy::PolicyCondition;
use zircon_object::vm::pager::{
    is_valid_failure_code, Pager, DEFAULT_PAGER_RIGHTS, ZX_PAGER_OP_DIRTY, ZX_PAGER_OP_FAIL,
    ZX_PAGER_OP_WRITEBACK_BEGIN, ZX_PAGER_OP_WRITEBACK_END,
};
use zircon_object::vm::VmObject;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{write_bytes, UserOutPtr};

/// `ZX_PAGER_RESET_VMO_STATS`
const ZX_PAGER_RESET_VMO_STATS: u32 = 1;
/// `ZX_PAGER_VMO_STATS_MODIFIED`
const ZX_PAGER_VMO_STATS_MODIFIED: u32 = 1;
/// `sizeof(zx_vmo_dirty_range_t)`: offset, length, options.
const DIRTY_RANGE_SIZE: usize = 24;
use crate::Syscall;

fn page_aligned(v: u64) -> bool {
    v.is_multiple_of(kernel_hal::PAGE_SIZE as u64)
}

impl Syscall<'_> {
    /// Looks up `pager` (with `pager_rights`) and `vmo` (with `vmo_rights`)
    /// and checks the VMO is one of this pager's (`INVALID_ARGS`).
    fn pager_and_vmo(
        &self,
        pager: HandleValue,
        pager_rights: Rights,
        vmo: HandleValue,
        vmo_rights: Rights,
    ) -> ZxResult<Arc<VmObject>> {
        let (pager, _) = self.process.get_object::<Pager>(pager, pager_rights)?;
        let (vmo, _) = self.process.get_object::<VmObject>(vmo, vmo_rights)?;
        if vmo.pager_koid() != pager.koid() {
            return Err(ZxError::INVALID_ARGS);
        }
        Ok(vmo)
    }

    /// `zx_pager_create`: options must be 0.
    pub fn pager_create(&self, options: u32, out: UserOutPtr<u32>) -> ZxResult {
        self.enforce_policy(PolicyCondition::NewPager)?;
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        self.add_handle_out(Pager::new(), DEFAULT_PAGER_RIGHTS, out)
    }

    /// `zx_pager_create_vmo`: the pager needs `ATTACH_VMO`, the port
    /// `WRITE`; options `ZX_VMO_RESIZABLE` and `ZX_VMO_TRAP_DIRTY`.
    pub fn pager_create_vmo(
        &self,
        pager: HandleValue,
        options: u32,
        port: HandleValue,
        key: u64,
        size: u64,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        self.enforce_policy(PolicyCondition::NewVmo)?;
        let (pager, _) = self
            .process
            .get_object::<Pager>(pager, Rights::ATTACH_VMO)?;
        let (port, _) = self.process.get_object::<Port>(port, Rights::WRITE)?;
        let hal = self.aspace().hal().clone();
        let vmo = pager.create_vmo(hal, options, port, key, size)?;
        let rights = vmo.default_rights();
        self.add_handle_out(vmo, rights, out)
    }

    /// `zx_pager_detach_vmo`: the pager needs `ATTACH_VMO | MANAGE_VMO`.
    pub fn pager_detach_vmo(&self, pager: HandleValue, vmo: HandleValue) -> ZxResult {
        let vmo = self.pager_and_vmo(
            pager,
            Rights::ATTACH_VMO | Rights::MANAGE_VMO,
            vmo,
            Rights::WRITE,
        )?;
        vmo.detach_pager()
    }

    /// `zx_pager_supply_pages`: the pager needs `MANAGE_VMO`, the
    /// auxiliary VMO `READ | WRITE`.
    pub fn pager_supply_pages(
        &self,
        pager: HandleValue,
        pager_vmo: HandleValue,
        offset: u64,
        length: u64,
        aux_vmo: HandleValue,
        aux_offset: u64,
    ) -> ZxResult {
        if !page_aligned(offset) || !page_aligned(length) || !page_aligned(aux_offset) {
            return Err(ZxError::INVALID_ARGS);
        }
        let vmo = self.pager_and_vmo(pager, Rights::MANAGE_VMO, pager_vmo, Rights::WRITE)?;
        let (aux, _) = self
            .process
            .get_object::<VmObject>(aux_vmo, Rights::READ | Rights::WRITE)?;
        vmo.supply_pages(offset, length, &aux, aux_offset)
    }

    /// `zx_pager_op_range`: `ZX_PAGER_OP_FAIL` with one of the statuses a
    /// pager may fail with; `ZX_PAGER_OP_DIRTY`, `WRITEBACK_BEGIN` and
    /// `WRITEBACK_END` with `data` 0; any other op `NOT_SUPPORTED`.
    pub fn pager_op_range(
        &self,
        pager: HandleValue,
        op: u32,
        pager_vmo: HandleValue,
        offset: u64,
        length: u64,
        data: u64,
    ) -> ZxResult {
        if !page_aligned(offset) || !page_aligned(length) {
            return Err(ZxError::INVALID_ARGS);
        }
        let vmo = self.pager_and_vmo(pager, Rights::MANAGE_VMO, pager_vmo, Rights::WRITE)?;
        let no_data = || {
            if data == 0 {
                Ok(())
            } else {
                Err(ZxError::INVALID_ARGS)
            }
        };
        match op {
            ZX_PAGER_OP_FAIL => {
                let status = i32::try_from(data as i64).map_err(|_| ZxError::INVALID_ARGS)?;
                if !is_valid_failure_code(status) {
                    return Err(ZxError::INVALID_ARGS);
                }
                let status = ZxError::from_raw(status).ok_or(ZxError::INVALID_ARGS)?;
                vmo.fail_pages(offset, length, status)
            }
            ZX_PAGER_OP_DIRTY => {
                no_data()?;
                vmo.dirty_pages(offset, length)
            }
            ZX_PAGER_OP_WRITEBACK_BEGIN => {
                no_data()?;
                vmo.writeback_begin(offset, length)
            }
            ZX_PAGER_OP_WRITEBACK_END => {
                no_data()?;
                vmo.writeback_end(offset, length)
            }
            _ => Err(ZxError::NOT_SUPPORTED),
        }
    }

    /// `zx_pager_query_dirty_ranges`: the pager needs `MANAGE_VMO`, the VMO
    /// `READ`; as many `zx_vmo_dirty_range_t` as fit go to `buffer`,
    /// `actual` says how many, `avail` how many there are.
    #[expect(clippy::too_many_arguments, reason = "the syscall's own parameters")]
    pub fn pager_query_dirty_ranges(
        &self,
        pager: HandleValue,
        pager_vmo: HandleValue,
        offset: u64,
        length: u64,
        buffer: UserOutPtr<u8>,
        buffer_size: usize,
        actual: UserOutPtr<usize>,
        avail: UserOutPtr<usize>,
    ) -> ZxResult {
        let vmo = self.pager_and_vmo(pager, Rights::MANAGE_VMO, pager_vmo, Rights::READ)?;
        let ranges = vmo.dirty_ranges(offset, length)?;
        let fit = ranges.len().min(buffer_size / DIRTY_RANGE_SIZE);
        let mut bytes = Vec::with_capacity(fit * DIRTY_RANGE_SIZE);
        for &(o, l, options) in &ranges[..fit] {
            bytes.extend_from_slice(&o.to_le_bytes());
            bytes.extend_from_slice(&l.to_le_bytes());
            bytes.extend_from_slice(&options.to_le_bytes());
        }
        if !bytes.is_empty() {
            write_bytes(self.aspace(), buffer.addr(), &bytes)?;
        }
        actual.write_if_not_null(self.aspace(), fit)?;
        avail.write_if_not_null(self.aspace(), ranges.len())
    }

    /// `zx_pager_query_vmo_stats`: the pager needs `MANAGE_VMO`, the VMO
    /// `READ`; options 0 or `ZX_PAGER_RESET_VMO_STATS` (`INVALID_ARGS`),
    /// then a buffer for a `zx_pager_vmo_stats_t` (`BUFFER_TOO_SMALL`).
    pub fn pager_query_vmo_stats(
        &self,
        pager: HandleValue,
        pager_vmo: HandleValue,
        options: u32,
        buffer: UserOutPtr<u8>,
        buffer_size: usize,
    ) -> ZxResult {
        let vmo = self.pager_and_vmo(pager, Rights::MANAGE_VMO, pager_vmo, Rights::READ)?;
        if options & !ZX_PAGER_RESET_VMO_STATS != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if buffer_size < 4 {
            return Err(ZxError::BUFFER_TOO_SMALL);
        }
        // Read without resetting first, so that a bad buffer changes
        // nothing; then reset.
        let modified = vmo.pager_stats(false)?;
        let word = if modified {
            ZX_PAGER_VMO_STATS_MODIFIED
        } else {
            0
        };
        write_bytes(self.aspace(), buffer.addr(), &word.to_le_bytes())?;
        if options & ZX_PAGER_RESET_VMO_STATS != 0 {
            vmo.pager_stats(true)?;
        }
        Ok(())
    }
}
