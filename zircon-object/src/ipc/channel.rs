//! Channels (`zx_channel_*`): bidirectional, datagram message pipes that
//! carry bytes and handles.
//!
//! The two endpoints share nothing but a link to each other: each endpoint
//! owns the queue of messages written *to* it. Writing moves handles out of
//! the writer's table into the message; reading moves them into the
//! reader's table.

use crate::sync::Mutex;
use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use crate::handle::Handle;
use crate::object::{signals, KObjectBase, KernelObject, Koid, ObjType};
use crate::{impl_kobject, Rights, ZxError};

/// `ZX_CHANNEL_MAX_MSG_BYTES`
pub const MAX_MSG_BYTES: usize = 65536;
/// `ZX_CHANNEL_MAX_MSG_HANDLES`
pub const MAX_MSG_HANDLES: usize = 64;

/// `ZX_DEFAULT_CHANNEL_RIGHTS`: basic without DUPLICATE, IO, SIGNAL,
/// SIGNAL_PEER.
pub const DEFAULT_CHANNEL_RIGHTS: Rights = Rights::TRANSFER
    .union(Rights::WAIT)
    .union(Rights::INSPECT)
    .union(Rights::IO)
    .union(Rights::SIGNAL)
    .union(Rights::SIGNAL_PEER);

/// One message in flight.
#[derive(Debug, Default)]
pub struct Message {
    /// Payload.
    pub data: Vec<u8>,
    /// Handles carried.
    pub handles: Vec<Handle>,
}

/// The size of a message too big for the reader's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooBig {
    /// Its bytes.
    pub bytes: usize,
    /// Its handles.
    pub handles: usize,
}

/// One endpoint of a channel.
#[derive(Debug)]
pub struct Channel {
    base: KObjectBase,
    /// The other end; protected by this mutex (a leaf, held only to
    /// upgrade).
    peer: Mutex<Weak<Channel>>,
    peer_koid: Koid,
    /// Messages written to this end; protected by this mutex, under which
    /// this end's signals change (docs/LOCKING.md).
    queue: Mutex<VecDeque<Message>>,
}

impl_kobject!(
    Channel,
    ObjType::Channel,
    related = |c: &Channel| c.peer_koid
);

impl Channel {
    /// Creates a connected pair of endpoints.
    pub fn create() -> (Arc<Channel>, Arc<Channel>) {
        let b0 = KObjectBase::default();
        let b1 = KObjectBase::default();
        let (k0, k1) = (b0.koid(), b1.koid());
        let a = Arc::new(Channel {
            base: b0,
            peer: Mutex::new(Weak::new()),
            peer_koid: k1,
            queue: Mutex::new(VecDeque::new()),
        });
        let b = Arc::new(Channel {
            base: b1,
            peer: Mutex::new(Arc::downgrade(&a)),
            peer_koid: k0,
            queue: Mutex::new(VecDeque::new()),
        });
        *a.peer.lock() = Arc::downgrade(&b);
        a.base.signal_change(0, signals::CHANNEL_WRITABLE);
        b.base.signal_change(0, signals::CHANNEL_WRITABLE);
        (a, b)
    }

    /// Returns the peer endpoint if it is still open.
    pub fn peer(&self) -> Option<Arc<Channel>> {
        // A dropping peer is gone even before its Drop runs.
        self.peer.lock().upgrade()
    }

    /// Queues `msg` on the peer. `PEER_CLOSED` if the peer is gone (the
    /// message, and its handles, come back in the error).
    pub fn write(&self, msg: Message) -> Result<(), (ZxError, Message)> {
        if msg.data.len() > MAX_MSG_BYTES || msg.handles.len() > MAX_MSG_HANDLES {
            return Err((ZxError::OUT_OF_RANGE, msg));
        }
        match self.peer() {
            Some(peer) => {
                let mut q = peer.queue.lock();
                q.push_back(msg);
                peer.base.signal_change(0, signals::CHANNEL_READABLE);
                Ok(())
            }
            None => Err((ZxError::PEER_CLOSED, msg)),
        }
    }

    /// Takes the first message if it fits `max_bytes`/`max_handles`.
    /// Otherwise answers `BUFFER_TOO_SMALL` with the sizes needed, leaving
    /// the message queued unless `may_discard`. Empty queue: `SHOULD_WAIT`,
    /// or `PEER_CLOSED` once the peer is gone.
    pub fn read(
        &self,
        max_bytes: usize,
        max_handles: usize,
        may_discard: bool,
    ) -> Result<Message, (ZxError, usize, usize)> {
        let mut q = self.queue.lock();
        let Some(front) = q.front() else {
            let err = if self.peer().is_none() {
                ZxError::PEER_CLOSED
            } else {
                ZxError::SHOULD_WAIT
            };
            return Err((err, 0, 0));
        };
        let (nb, nh) = (front.data.len(), front.handles.len());
        if nb > max_bytes || nh > max_handles {
            if may_discard {
                q.pop_front();
                if q.is_empty() {
                    self.base.signal_change(signals::CHANNEL_READABLE, 0);
                }
            }
            return Err((ZxError::BUFFER_TOO_SMALL, nb, nh));
        }
        let msg = q.pop_front().expect("front exists");
        if q.is_empty() {
            self.base.signal_change(signals::CHANNEL_READABLE, 0);
        }
        Ok(msg)
    }

    /// Takes the first queued message whose first four bytes are `txid`
    /// (a `zx_channel_call` reply). `None` if there is none yet;
    /// `Some(Err(TooBig { bytes, handles }))` if it is bigger than the caller's buffers (the
    /// message is discarded, as Zircon does for calls).
    pub fn take_reply(
        &self,
        txid: u32,
        max_bytes: usize,
        max_handles: usize,
    ) -> Option<Result<Message, TooBig>> {
        let mut q = self.queue.lock();
        let pos = q
            .iter()
            .position(|m| m.data.len() >= 4 && m.data[..4] == txid.to_le_bytes())?;
        let msg = q.remove(pos).expect("position is valid");
        if q.is_empty() {
            self.base.signal_change(signals::CHANNEL_READABLE, 0);
        }
        if msg.data.len() > max_bytes || msg.handles.len() > max_handles {
            return Some(Err(TooBig {
                bytes: msg.data.len(),
                handles: msg.handles.len(),
            }));
        }
        Some(Ok(msg))
    }

    /// Returns whether `obj` is this channel (a channel cannot be written
    /// into itself).
    pub fn is_same(&self, obj: &Arc<dyn KernelObject>) -> bool {
        obj.koid() == self.base.koid()
    }

    /// Returns the number of queued messages.
    pub fn pending(&self) -> usize {
        self.queue.lock().len()
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        if let Some(peer) = self.peer() {
            peer.base
                .signal_change(signals::CHANNEL_WRITABLE, signals::PEER_CLOSED);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_sizes() {
        let (a, b) = Channel::create();
        a.write(Message {
            data: b"hello".to_vec(),
            handles: vec![],
        })
        .unwrap();
        assert_eq!(
            b.read(2, 0, false).unwrap_err(),
            (ZxError::BUFFER_TOO_SMALL, 5, 0)
        );
        assert_eq!(b.read(5, 0, false).unwrap().data, b"hello");
        assert_eq!(b.read(5, 0, false).unwrap_err().0, ZxError::SHOULD_WAIT);
        assert_eq!(b.base().signals(), signals::CHANNEL_WRITABLE);
        a.write(Message {
            data: b"x".to_vec(),
            handles: vec![],
        })
        .unwrap();
        assert_eq!(
            b.base().signals(),
            signals::CHANNEL_WRITABLE | signals::CHANNEL_READABLE
        );
        b.read(5, 0, false).unwrap();
        drop(a);
        assert_eq!(b.base().signals(), signals::PEER_CLOSED);
        assert_eq!(b.read(5, 0, false).unwrap_err().0, ZxError::PEER_CLOSED);
        assert_eq!(
            b.write(Message::default()).unwrap_err().0,
            ZxError::PEER_CLOSED
        );
        assert_eq!(DEFAULT_CHANNEL_RIGHTS.bits(), 0xF00E);
    }
}
