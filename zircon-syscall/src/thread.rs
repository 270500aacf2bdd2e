//! `zx_thread_*` and `zx_futex_*`.
//!
//! Starting a thread needs a host thread, which only the embedder can make
//! ([`Host::spawn_thread`](crate::Host::spawn_thread)).

use std::sync::Arc;

use zircon_object::handle::{HandleValue, INVALID_HANDLE};
use zircon_object::task::futex::{OwnerAction, ProposedOwner};
use zircon_object::task::{Process, Thread, ThreadState};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, UserInPtr, UserOutPtr};
use crate::{Outcome, Syscall, ThreadStart};

/// An entry with nothing mapped there is accepted (the thread takes a page
/// fault as it starts, as on Zircon); only the kernel half is refused.
fn is_valid_user_pc(pc: usize) -> bool {
    kernel_hal::cpu::is_valid_user_pc(pc as u64)
}

impl Syscall<'_> {
    /// `zx_thread_legacy_yield`: gives the host CPU up (`sched_yield`);
    /// options must be 0.
    pub fn thread_legacy_yield(&self, options: u32) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        std::thread::yield_now();
        Ok(())
    }

    /// `zx_thread_create`.
    pub fn thread_create(
        &self,
        process: HandleValue,
        name: UserInPtr<u8>,
        name_size: usize,
        options: u32,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        let name = name.addr();
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let name = read_bytes(
            self.aspace(),
            name,
            name_size.min(zircon_object::object::ZX_MAX_NAME_LEN - 1),
        )?;
        let (process, _) = self
            .process
            .get_object::<Process>(process, Rights::MANAGE_THREAD)?;
        let thread = Thread::create(&process, &name)?;
        self.add_handle_out(thread, Rights::DEFAULT_THREAD, out)
    }

    /// `zx_thread_start`: starts a thread of a process that has not exited
    /// (a process not started yet starts with it, as on Zircon).
    pub fn thread_start(
        &self,
        h: HandleValue,
        entry: usize,
        stack: usize,
        arg1: usize,
        arg2: usize,
    ) -> ZxResult {
        let (arg1, arg2) = (arg1 as u64, arg2 as u64);
        let (thread, _) = self
            .process
            .get_object::<Thread>(h, Rights::MANAGE_THREAD)?;
        let process = thread.process().ok_or(ZxError::BAD_STATE)?;
        if !is_valid_user_pc(entry) {
            return Err(ZxError::INVALID_ARGS);
        }
        if process.is_exited() || thread.state() != ThreadState::New {
            return Err(ZxError::BAD_STATE);
        }
        if process.state().flags & zircon_object::task::process::PROCESS_FLAG_STARTED == 0 {
            // Taken by a racing start: that one started it.
            let _ = process.mark_started(crate::misc::monotonic_now());
        }
        thread.start()?;
        let start = ThreadStart {
            entry,
            stack,
            arg1,
            arg2,
        };
        if let Err(e) = self.host.spawn_thread(process, thread.clone(), start) {
            thread.exit();
            return Err(e);
        }
        Ok(())
    }

    /// `zx_process_start`: starts `process`'s first thread; the handle
    /// `arg1` (if any) moves into the new process and its value is passed in
    /// `rdi`, `arg2` in `rsi`. The handle is consumed even on failure.
    pub fn process_start(
        &self,
        process: HandleValue,
        thread: HandleValue,
        entry: usize,
        stack: usize,
        arg1: HandleValue,
        arg2: usize,
    ) -> ZxResult {
        let arg2 = arg2 as u64;
        let target = self.process.get_object::<Process>(process, Rights::WRITE);
        let thread = self.process.get_object::<Thread>(thread, Rights::WRITE);
        let moved = if arg1 != INVALID_HANDLE {
            Some(self.process.handles().remove(arg1))
        } else {
            None
        };
        let (target, _) = target?;
        let (thread, _) = thread?;
        let moved = match moved {
            Some(h) => {
                let h = h?;
                if !h.rights.contains(Rights::TRANSFER) {
                    return Err(ZxError::ACCESS_DENIED);
                }
                Some(h)
            }
            None => None,
        };
        let owner = thread.process().ok_or(ZxError::BAD_STATE)?;
        if !Arc::ptr_eq(&owner, &target) {
            return Err(ZxError::ACCESS_DENIED);
        }
        if !is_valid_user_pc(entry) {
            return Err(ZxError::INVALID_ARGS);
        }
        target.mark_started(crate::misc::monotonic_now())?;
        thread.start()?;
        let arg1 = moved.map_or(0, |h| target.handles().add(h)) as u64;
        let start = ThreadStart {
            entry,
            stack,
            arg1,
            arg2,
        };
        if let Err(e) = self.host.spawn_thread(target, thread.clone(), start) {
            thread.exit();
            return Err(e);
        }
        Ok(())
    }

    /// `zx_task_kill`: kills a job (everything in it) or a process (it exits
    /// with `ZX_TASK_RETCODE_SYSCALL_KILL`). Checks as Zircon's
    /// `sys_task_kill`: the handle (`BAD_HANDLE`), then `DESTROY`
    /// (`ACCESS_DENIED`), then the type — anything but a job or a process,
    /// threads included, is `WRONG_TYPE` ("Killing a thread is not
    /// supported", `docs/reference/syscalls/task_kill.md`); a thread ends
    /// with its process, by `zx_thread_exit`, or as a debugger makes it
    /// (`ZX_EXCEPTION_STATE_THREAD_EXIT`). A caller that killed its own
    /// process or job leaves guest mode ([`crate::dispatch`] sees it dead).
    pub fn task_kill(&self, h: HandleValue) -> ZxResult {
        use zircon_object::task::process::TASK_RETCODE_SYSCALL_KILL;
        use zircon_object::task::Job;
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::DESTROY) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let obj = handle.object;
        if let Some(j) = obj.clone().downcast_arc::<Job>() {
            j.kill();
        } else if let Some(p) = obj.downcast_arc::<Process>() {
            p.exit(TASK_RETCODE_SYSCALL_KILL);
        } else {
            return Err(ZxError::WRONG_TYPE);
        }
        Ok(())
    }

    /// `zx_task_suspend` (and its old name `zx_task_suspend_token`):
    /// suspends a thread or a process until the returned token is closed.
    /// Checks as Zircon: the handle, `WRITE`, the type (`WRONG_TYPE` but
    /// for threads and processes), `NOT_SUPPORTED` for the caller's own
    /// thread or process, `BAD_STATE` for a dying or dead task.
    pub fn task_suspend(&self, h: HandleValue, token: UserOutPtr<u32>) -> ZxResult {
        use zircon_object::task::suspend::DEFAULT_SUSPEND_TOKEN_RIGHTS;
        use zircon_object::task::{SuspendTarget, SuspendToken};
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::WRITE) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let obj = handle.object.clone();
        let target = if let Some(t) = obj.clone().downcast_arc::<Thread>() {
            if crate::current_thread().is_some_and(|me| Arc::ptr_eq(&me, &t)) {
                return Err(ZxError::NOT_SUPPORTED);
            }
            SuspendTarget::Thread(t)
        } else if let Some(p) = obj.downcast_arc::<Process>() {
            if Arc::ptr_eq(&p, self.process) {
                return Err(ZxError::NOT_SUPPORTED);
            }
            SuspendTarget::Process(p)
        } else {
            return Err(ZxError::WRONG_TYPE);
        };
        let t = SuspendToken::suspend(target)?;
        self.add_handle_out(t, DEFAULT_SUSPEND_TOKEN_RIGHTS, token)
    }

    /// `zx_thread_raise_exception`: the calling thread raises `ZX_EXCP_USER`
    /// with the `synth_code`/`synth_data` of `context` for the debuggers of
    /// the nearest job that has any, and waits for their answer (one that
    /// ends the thread ends it). `INVALID_ARGS` unless the options are
    /// `ZX_EXCEPTION_TARGET_JOB_DEBUGGER`, the type `ZX_EXCP_USER` and the
    /// context readable.
    pub fn thread_raise_exception(&self, options: u32, ty: u32, context: UserInPtr<u8>) -> Outcome {
        const TARGET_JOB_DEBUGGER: u32 = 1;
        const EXCP_USER: u32 = 0x8309;
        let fail = |e: ZxError| Outcome::from_status(ZxResult::<()>::Err(e));
        if options != TARGET_JOB_DEBUGGER || ty != EXCP_USER || context.addr() == 0 {
            return fail(ZxError::INVALID_ARGS);
        }
        // zx_exception_context_t: 24 bytes of arch data, then the codes.
        let raw = match read_bytes(self.aspace(), context.addr(), 32) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
        let code = u32::from_le_bytes(raw[24..28].try_into().unwrap());
        let data = u32::from_le_bytes(raw[28..32].try_into().unwrap());
        let Some(thread) = crate::current_thread() else {
            return fail(ZxError::BAD_STATE);
        };
        let ctx = crate::syscall_view(self, self.regs, 0, self.guest_rsp);
        match thread.raise_user_exception(code, data, ctx) {
            zircon_object::task::ExceptionOutcome::Resume(_) => Outcome::Return(0),
            _ => Outcome::ExitThread,
        }
    }

    /// `zx_task_suspend_token`: the old name of [`Self::task_suspend`].
    pub fn task_suspend_token(&self, h: HandleValue, token: UserOutPtr<u32>) -> ZxResult {
        self.task_suspend(h, token)
    }

    /// The owner a futex call proposes (`ValidateFutexOwner` on Zircon):
    /// none for `ZX_HANDLE_INVALID`; else a thread handle (no rights
    /// needed) of a started thread of this process, or the error, which
    /// the futex reports only after its value matched.
    fn proposed_owner(&self, h: HandleValue) -> ProposedOwner {
        if h == INVALID_HANDLE {
            return Ok(None);
        }
        let (t, _) = self.process.get_object::<Thread>(h, Rights::empty())?;
        let same_process = t.process().is_some_and(|p| Arc::ptr_eq(&p, self.process));
        if !same_process || t.state() == ThreadState::New {
            return Err(ZxError::INVALID_ARGS);
        }
        Ok(Some(t))
    }

    /// Reads the futex word at `addr` (under the futex table's lock).
    fn futex_reader(&self, addr: usize) -> impl FnMut() -> ZxResult<u32> {
        let aspace = self.aspace().clone();
        // The value is read under the futex table's lock: a page a user
        // pager has not supplied yet is brought in first, with no lock held
        // (the result does not matter here; the read under the lock
        // decides), so that no futex call waits for a pager under that
        // lock (docs/LOCKING.md hazard 8).
        if addr.is_multiple_of(4) {
            let _ = aspace.copy_from_user(addr, &mut [0u8; 4]);
        }
        move || {
            let mut b = [0u8; 4];
            aspace
                .copy_from_user(addr, &mut b)
                .map_err(|_| ZxError::INVALID_ARGS)?;
            Ok(u32::from_le_bytes(b))
        }
    }

    /// `zx_futex_wait`: the address, then the value, then the proposed
    /// owner (see [`FutexTable::wait`](zircon_object::task::futex::FutexTable::wait)).
    pub fn futex_wait(
        &self,
        addr: UserInPtr<i32>,
        expected: i32,
        new_owner: HandleValue,
        deadline: i64,
    ) -> ZxResult {
        let addr = addr.addr();
        let owner = self.proposed_owner(new_owner);
        let until = crate::signal::deadline_instant(deadline);
        self.process.futexes().wait(
            addr,
            expected as u32,
            &mut self.futex_reader(addr),
            owner,
            until,
            crate::current_thread(),
        )
    }

    /// `zx_futex_requeue`.
    pub fn futex_requeue(
        &self,
        addr: UserInPtr<i32>,
        wake: u32,
        expected: i32,
        target: UserInPtr<i32>,
        requeue: u32,
        new_owner: HandleValue,
    ) -> ZxResult {
        self.requeue_with(
            addr,
            wake,
            expected,
            target,
            requeue,
            new_owner,
            OwnerAction::Release,
        )
    }

    /// `zx_futex_requeue_single_owner`: as `zx_futex_requeue` waking one
    /// thread, which becomes the owner of the futex it leaves.
    pub fn futex_requeue_single_owner(
        &self,
        addr: UserInPtr<i32>,
        expected: i32,
        target: UserInPtr<i32>,
        requeue: u32,
        new_owner: HandleValue,
    ) -> ZxResult {
        self.requeue_with(
            addr,
            1,
            expected,
            target,
            requeue,
            new_owner,
            OwnerAction::AssignWoken,
        )
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "Zircon's requeue takes this many inputs"
    )]
    fn requeue_with(
        &self,
        addr: UserInPtr<i32>,
        wake: u32,
        expected: i32,
        target: UserInPtr<i32>,
        requeue: u32,
        new_owner: HandleValue,
        action: OwnerAction,
    ) -> ZxResult {
        let addr = addr.addr();
        let owner = self.proposed_owner(new_owner);
        self.process.futexes().requeue(
            addr,
            wake,
            expected as u32,
            &mut self.futex_reader(addr),
            target.addr(),
            requeue,
            owner,
            action,
        )
    }

    /// `zx_futex_wake`: wakes up to `count` waiters; the futex is left
    /// without an owner.
    pub fn futex_wake(&self, addr: UserInPtr<i32>, count: u32) -> ZxResult {
        self.process.futexes().wake(addr.addr(), count)
    }

    /// `zx_futex_wake_single_owner`: wakes one waiter, which becomes the
    /// futex's owner.
    pub fn futex_wake_single_owner(&self, addr: UserInPtr<i32>) -> ZxResult {
        self.process.futexes().wake_single_owner(addr.addr())
    }

    /// `zx_futex_get_owner`: the owner's koid, or `ZX_KOID_INVALID`.
    pub fn futex_get_owner(&self, addr: UserInPtr<i32>, koid: UserOutPtr<u64>) -> ZxResult {
        let owner = self.process.futexes().owner(addr.addr())?;
        koid.write(self.aspace(), owner)
    }

    /// `zx_futex_wake_handle_close_thread_exit`: stores `new_value` at
    /// `value_ptr`, wakes `wake_count` of its waiters, closes
    /// `close_handle` (unless `ZX_HANDLE_INVALID`) and ends the calling
    /// thread, all without touching the caller's stack after the call (the
    /// way a thread can free its own stack: a joiner woken here may unmap
    /// it at once). It never returns: a misaligned or unwritable
    /// `value_ptr`, or a bad `close_handle`, ends the process
    /// (`ZX_TASK_RETCODE_SYSCALL_KILL`) instead.
    pub fn futex_wake_handle_close_thread_exit(
        &self,
        value_ptr: UserInPtr<i32>,
        wake_count: u32,
        new_value: i32,
        close_handle: HandleValue,
    ) -> Outcome {
        let addr = value_ptr.addr();
        let stored = addr != 0
            && addr.is_multiple_of(4)
            && UserOutPtr::<i32>::new(addr)
                .write(self.aspace(), new_value)
                .is_ok();
        let closed = stored
            && (close_handle == zircon_object::handle::INVALID_HANDLE
                || self.handle_close(close_handle).is_ok());
        if !closed {
            log::error!(
                "zx_futex_wake_handle_close_thread_exit: bad arguments; killing the process"
            );
            self.process
                .exit(zircon_object::task::process::TASK_RETCODE_SYSCALL_KILL);
            return Outcome::ExitThread;
        }
        let _ = self.process.futexes().wake(addr, wake_count);
        Outcome::ExitThread
    }
}
