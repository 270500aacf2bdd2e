//! `zx_channel_call` and `zx_channel_call_etc`: a write with a kernel
//! transaction id, then a wait for the reply that carries it. A suspension
//! interrupts the wait but not the call: its request stays out and a reply
//! is kept for it until the call is made again or given up.

use std::sync::Arc;

use zircon_object::handle::HandleValue;
use zircon_object::ipc::Channel;
use zircon_object::object::{KernelObject, Waiter};
use zircon_object::{Rights, ZxError, ZxResult};

use super::disposition::{close_all, quad, word};
use super::{overfull_check, Incoming, Outgoing};
use crate::user::{read_bytes, UserInOutPtr, UserInPtr, UserOutPtr};
use crate::Syscall;

/// `sizeof(zx_channel_call_args_t)` (and of the `_etc` form)
const CALL_ARGS_SIZE: usize = 48;

/// The fields of a `zx_channel_call_args_t` (or `_etc_args_t`).
#[derive(Debug, Clone, Copy)]
struct CallArgs {
    wr_bytes: usize,
    wr_handles: usize,
    rd_bytes: usize,
    rd_handles: usize,
    wr_num_bytes: u32,
    wr_num_handles: u32,
    rd_num_bytes: u32,
    rd_num_handles: u32,
}

impl Syscall<'_> {
    /// `zx_channel_call`: writes a message whose first four bytes the
    /// kernel replaces with a fresh transaction id, then waits until the
    /// peer answers with a message carrying that id (or the deadline, or the
    /// peer closing). `args` is a `zx_channel_call_args_t`.
    pub fn channel_call(
        &self,
        h: HandleValue,
        options: u32,
        deadline: i64,
        args: UserInPtr<u8>,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
        self.call_common(
            h,
            options,
            deadline,
            args.addr(),
            false,
            actual_bytes,
            actual_handles,
        )
    }

    /// `zx_channel_call_etc`: as `zx_channel_call` with a
    /// `zx_channel_call_etc_args_t`: the request's handles are
    /// dispositions (as for `zx_channel_write_etc`), the reply's are
    /// reported as `zx_handle_info_t`.
    pub fn channel_call_etc(
        &self,
        h: HandleValue,
        options: u32,
        deadline: i64,
        args: UserInOutPtr<u8>,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
        self.call_common(
            h,
            options,
            deadline,
            args.addr(),
            true,
            actual_bytes,
            actual_handles,
        )
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "Fuchsia's signature for this syscall"
    )]
    fn call_common(
        &self,
        h: HandleValue,
        options: u32,
        deadline: i64,
        args: usize,
        etc: bool,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
        let raw = read_bytes(self.aspace(), args, CALL_ARGS_SIZE)?;
        let a = CallArgs {
            wr_bytes: quad(&raw, 0) as usize,
            wr_handles: quad(&raw, 8) as usize,
            rd_bytes: quad(&raw, 16) as usize,
            rd_handles: quad(&raw, 24) as usize,
            wr_num_bytes: word(&raw, 32),
            wr_num_handles: word(&raw, 36),
            rd_num_bytes: word(&raw, 40),
            rd_num_handles: word(&raw, 44),
        };
        // The same call made again after a suspension interrupted it: its
        // request is out already; only the wait for the reply goes on.
        let resumed = INTERRUPTED_CALL.with(|c| {
            let mut c = c.borrow_mut();
            match &*c {
                Some(i) if i.handle == h && i.args == args => c.take(),
                _ => None,
            }
        });
        let (ch, call, waiter) = match resumed {
            Some(i) => (i.ch, i.call, i.waiter),
            None => {
                let handles = if etc {
                    Outgoing::Dispositions(a.wr_handles)
                } else {
                    Outgoing::Values(a.wr_handles)
                };
                let (ch, msg) = self.outgoing(
                    h,
                    Rights::READ | Rights::WRITE,
                    options,
                    a.wr_bytes,
                    a.wr_num_bytes,
                    handles,
                    a.wr_num_handles,
                    true,
                )?;
                let waiter = Waiter::new();
                // Registered first, so neither the peer closing nor the
                // last handle to this end going away can slip by unseen.
                ch.base().add_waiter(&waiter);
                let begun = ch.call_begin(msg, &waiter);
                if begun.is_ok() {
                    overfull_check(&ch);
                }
                match begun {
                    Ok(c) => (ch, c, waiter),
                    Err((e, msg)) => {
                        ch.base().remove_waiter(&waiter);
                        close_all(msg.handles);
                        return Err(e);
                    }
                }
            }
        };
        let _blocked = zircon_object::task::BlockedGuard::new(
            crate::current_thread(),
            zircon_object::task::BlockedReason::Channel,
            &waiter,
        );
        let until = crate::signal::deadline_instant(deadline);
        let result = loop {
            if let Some(r) = ch.call_poll(&call) {
                break r;
            }
            if ch.peer().is_none() {
                break Err(ZxError::PEER_CLOSED);
            }
            if ch.base().handle_count() == 0 {
                break Err(ZxError::CANCELED);
            }
            if waiter.is_killed() {
                break Err(ZxError::INTERNAL_INTR_KILLED);
            }
            if waiter.take_interrupt() {
                // Suspended: the call stays pending (a reply is kept for
                // it) until it is made again or given up (`dispatch`).
                INTERRUPTED_CALL.with(|c| {
                    *c.borrow_mut() = Some(InterruptedCall {
                        handle: h,
                        args,
                        ch,
                        call,
                        waiter,
                    })
                });
                return Err(ZxError::INTERNAL_INTR_RETRY);
            }
            if !waiter.sleep(until) {
                break Err(ZxError::TIMED_OUT);
            }
        };
        // A reply that came while the call was giving up still wins.
        let late = ch.call_end(&call);
        ch.base().remove_waiter(&waiter);
        let reply = match (result, late) {
            (Err(ZxError::INTERNAL_INTR_KILLED), _) => return Err(ZxError::INTERNAL_INTR_KILLED),
            (Ok(reply), _) | (Err(_), Some(reply)) => reply,
            (Err(e), None) => return Err(e),
        };
        if reply.data.len() > a.rd_num_bytes as usize
            || reply.handles.len() > a.rd_num_handles as usize
        {
            // The reply is lost and its handles closed; no size is told.
            return Err(ZxError::BUFFER_TOO_SMALL);
        }
        actual_bytes.write(self.aspace(), reply.data.len() as u32)?;
        actual_handles.write(self.aspace(), reply.handles.len() as u32)?;
        let kind = if etc {
            Incoming::Infos
        } else {
            Incoming::Values
        };
        self.deliver(reply, a.rd_bytes, (a.rd_handles, kind))
    }
}

/// A `zx_channel_call` a suspension interrupted while it waited for its
/// reply (one per host thread, as a thread makes one call at a time).
struct InterruptedCall {
    /// The call's handle and argument block, which the call made again
    /// after the suspension repeats.
    handle: HandleValue,
    args: usize,
    ch: Arc<Channel>,
    call: Arc<zircon_object::ipc::channel::CallWaiter>,
    waiter: Arc<Waiter>,
}

thread_local! {
    static INTERRUPTED_CALL: std::cell::RefCell<Option<InterruptedCall>> =
        const { std::cell::RefCell::new(None) };
}

/// Gives up the call a suspension interrupted, if any (the thread went on
/// without making it again): a reply that came meanwhile is dropped, its
/// handles closed.
pub(crate) fn abandon_interrupted_call() {
    if let Some(i) = INTERRUPTED_CALL.with(|c| c.borrow_mut().take()) {
        if let Some(reply) = i.ch.call_end(&i.call) {
            close_all(reply.handles);
        }
        i.ch.base().remove_waiter(&i.waiter);
    }
}
