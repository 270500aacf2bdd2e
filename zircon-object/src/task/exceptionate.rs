//! One exception channel slot of a task (Zircon's `Exceptionate`): the
//! kernel end of the channel a handler bound with
//! `zx_task_create_exception_channel`, plus the rights the handler gets for
//! the task handles. Threads and processes have one per channel kind, jobs
//! one plus up to 32 debugger slots.

use crate::sync::Mutex;
use std::sync::Arc;

use crate::handle::Handle;
use crate::ipc::channel::Message;
use crate::ipc::Channel;
use crate::object::KernelObject;
use crate::task::exception::{
    ChannelType, Exception, ExceptionShared, ExceptionState, DEFAULT_EXCEPTION_RIGHTS,
};
use crate::task::exception_abi::encode_info;
use crate::task::Thread;
use crate::{Rights, ZxError, ZxResult};

/// One exception channel slot of a task.
#[derive(Debug)]
pub struct Exceptionate {
    /// Immutable.
    ty: ChannelType,
    /// Protected by this mutex. Order: this, then the exception's
    /// `ExceptionShared::st`, then the channel's locks (`send`).
    inner: Mutex<ExceptionateInner>,
}

#[derive(Debug, Default)]
struct ExceptionateInner {
    /// The kernel's end of the channel.
    channel: Option<Arc<Channel>>,
    thread_rights: Rights,
    process_rights: Rights,
    /// The task is dead: no channel can be bound any more.
    shutdown: bool,
}

impl Exceptionate {
    /// Creates an empty slot of channel type `ty`.
    pub fn new(ty: ChannelType) -> Exceptionate {
        Exceptionate {
            ty,
            inner: Mutex::new(ExceptionateInner::default()),
        }
    }

    /// Returns the kind of channel this slot holds.
    pub fn channel_type(&self) -> ChannelType {
        self.ty
    }

    /// Binds the kernel end of a new exception channel; handlers get task
    /// handles with the given rights (empty: none). `ALREADY_BOUND` while a
    /// channel whose other end is open is bound; `BAD_STATE` once the task
    /// is dead.
    pub fn set_channel(
        &self,
        channel: Arc<Channel>,
        thread_rights: Rights,
        process_rights: Rights,
    ) -> ZxResult {
        let mut inner = self.inner.lock();
        if inner.shutdown {
            return Err(ZxError::BAD_STATE);
        }
        if inner.channel.as_ref().is_some_and(|c| c.peer().is_some()) {
            return Err(ZxError::ALREADY_BOUND);
        }
        let old = inner.channel.replace(channel);
        inner.thread_rights = thread_rights;
        inner.process_rights = process_rights;
        drop(inner);
        // The old channel (its peer is closed) may be the last reference.
        drop(old);
        Ok(())
    }

    /// Returns whether a channel with an open handler end is bound.
    pub fn has_live_channel(&self) -> bool {
        let inner = self.inner.lock();
        inner.channel.as_ref().is_some_and(|c| c.peer().is_some())
    }

    /// Unbinds the channel for good (the task died): the handler's end
    /// sees `PEER_CLOSED`.
    pub fn shutdown(&self) {
        let channel = {
            let mut inner = self.inner.lock();
            inner.shutdown = true;
            inner.channel.take()
        };
        drop(channel);
    }

    /// Offers the exception to this slot's handler; returns whether it was
    /// delivered (false: no channel, or nobody reads it any more).
    pub(crate) fn send(&self, thread: &Arc<Thread>, shared: &Arc<ExceptionShared>) -> bool {
        let mut inner = self.inner.lock();
        let Some(channel) = inner.channel.clone() else {
            return false;
        };
        {
            let mut st = shared.st.lock();
            st.closed = false;
            st.disposition = ExceptionState::TryNext;
            st.channel_type = self.ty;
        }
        let exception = Arc::new(Exception::new(
            thread.clone(),
            shared.clone(),
            inner.thread_rights,
            inner.process_rights,
        ));
        let msg = Message {
            data: encode_info(thread.related_koid(), thread.koid(), shared.report().ty),
            handles: vec![Handle::new(exception, DEFAULT_EXCEPTION_RIGHTS)],
        };
        match channel.write(msg) {
            Ok(()) => true,
            Err((_, msg)) => {
                // Nobody listens: forget the channel. (Dropping the message
                // marks the exception closed; the next send resets that.)
                let dead = inner.channel.take();
                drop(inner);
                drop(msg);
                drop(dead);
                false
            }
        }
    }
}
