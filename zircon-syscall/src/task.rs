//! `zx_process_*`.

use zircon_object::handle::HandleValue;
use zircon_object::task::{Job, Process};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, UserInPtr, UserOutPtr};
use crate::{Outcome, Syscall};

/// `ZX_PROCESS_SHARED`
const ZX_PROCESS_SHARED: u32 = 1;
/// The largest transfer of `zx_process_read/write_memory` (64 MiB).
const MAX_DEBUG_BLOCK: usize = 64 << 20;

impl Syscall<'_> {
    /// `zx_process_create`.
    pub fn process_create(
        &self,
        job: HandleValue,
        name: UserInPtr<u8>,
        name_size: usize,
        options: u32,
        proc_out: UserOutPtr<u32>,
        vmar_out: UserOutPtr<u32>,
    ) -> ZxResult {
        let name = name.addr();
        if options != 0 && options != ZX_PROCESS_SHARED {
            return Err(ZxError::INVALID_ARGS);
        }
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewProcess)?;
        if name == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let name = read_bytes(
            self.aspace(),
            name,
            name_size.min(zircon_object::object::ZX_MAX_NAME_LEN - 1),
        )?;
        let (job, _) = self
            .process
            .get_object::<Job>(job, Rights::MANAGE_PROCESS)?;
        if options == ZX_PROCESS_SHARED {
            // Shared address spaces are not emulated (see README).
            return Err(ZxError::NOT_SUPPORTED);
        }
        let hal = self.process.root_vmar().aspace().hal().clone();
        let child = Process::create(hal, &job, "")?;
        child.set_name(&name);
        let vmar = child.root_vmar().clone();
        let vmar_rights = vmar.default_rights();
        let ph = self.process.add_handle(child, Rights::DEFAULT_PROCESS);
        let vh = self.process.add_handle(vmar, vmar_rights);
        let r = proc_out
            .write(self.aspace(), ph)
            .and_then(|()| vmar_out.write(self.aspace(), vh));
        if r.is_err() {
            // The handles go after the table's lock is released.
            let removed = {
                let mut t = self.process.handles();
                [t.remove(ph), t.remove(vh)]
            };
            drop(removed);
        }
        r
    }

    /// Looks up the target of a process memory transfer of `len` bytes.
    fn debug_target(
        &self,
        h: HandleValue,
        rights: Rights,
        len: usize,
    ) -> ZxResult<std::sync::Arc<Process>> {
        let (target, _) = self.process.get_object::<Process>(h, rights)?;
        if len == 0 || len > MAX_DEBUG_BLOCK {
            return Err(ZxError::INVALID_ARGS);
        }
        // A dead process's memory went with it.
        if target.is_exited() {
            return Err(ZxError::BAD_STATE);
        }
        Ok(target)
    }

    /// `zx_process_read_memory`.
    pub fn process_read_memory(
        &self,
        h: HandleValue,
        vaddr: usize,
        buf: UserOutPtr<u8>,
        len: usize,
        actual: UserOutPtr<usize>,
    ) -> ZxResult {
        let buf = buf.addr();
        let (target, _) = self
            .process
            .get_object::<Process>(h, Rights::READ | Rights::WRITE)?;
        if len == 0 || len > MAX_DEBUG_BLOCK {
            return Err(ZxError::INVALID_ARGS);
        }
        if target.is_exited() {
            return Err(ZxError::BAD_STATE);
        }
        let mut data = vec![0u8; len];
        let n = target.root_vmar().aspace().read_memory(vaddr, &mut data)?;
        crate::user::write_bytes(self.aspace(), buf, &data[..n])?;
        actual.write_if_not_null(self.aspace(), n)
    }

    /// `zx_process_write_memory`.
    pub fn process_write_memory(
        &self,
        h: HandleValue,
        vaddr: usize,
        buf: UserInPtr<u8>,
        len: usize,
        actual: UserOutPtr<usize>,
    ) -> ZxResult {
        let buf = buf.addr();
        let target = self.debug_target(h, Rights::WRITE, len)?;
        let data = read_bytes(self.aspace(), buf, len)?;
        let n = target.root_vmar().aspace().write_memory(vaddr, &data)?;
        actual.write_if_not_null(self.aspace(), n)
    }

    /// `zx_process_exit`: ends the process; the calling thread leaves guest
    /// mode.
    pub fn process_exit(&self, code: i64) -> Outcome {
        self.process.exit(code);
        Outcome::Exit(code)
    }

    /// `zx_thread_exit`: the calling thread leaves guest mode (the runner
    /// ends it).
    pub fn thread_exit(&self) -> Outcome {
        Outcome::ExitThread
    }

    /// `zx_job_create`: a child job of `parent` (MANAGE_JOB), with
    /// `ZX_DEFAULT_JOB_RIGHTS`.
    pub fn job_create(&self, parent: HandleValue, options: u32, out: UserOutPtr<u32>) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (parent, _) = self
            .process
            .get_object::<zircon_object::task::Job>(parent, Rights::MANAGE_JOB)?;
        let job = parent.create_child()?;
        self.add_handle_out(job, Rights::DEFAULT_JOB, out)
    }
}
