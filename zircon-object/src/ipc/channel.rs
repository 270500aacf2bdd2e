//! Channels (`zx_channel_*`): bidirectional, datagram message pipes that
//! carry bytes and handles.
//!
//! The two endpoints share nothing but a link to each other: each endpoint
//! owns the queue of messages written *to* it. Writing moves handles out of
//! the writer's table into the message; reading moves them into the
//! reader's table.
//!
//! `zx_channel_call` registers a [`CallWaiter`] on the caller's end under a
//! fresh transaction id of the kernel's range (as Zircon's `MessageWaiter`):
//! a message written to that end whose first four bytes are that id goes
//! to the waiter and never enters the queue, so a concurrent plain read
//! cannot take it. The peer's end going away cancels the waiters with
//! `PEER_CLOSED`; a call that gives up (deadline, kill, its end losing its
//! last handle) unregisters, and later replies are ordinary messages.

use crate::sync::Mutex;
use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use crate::handle::Handle;
use crate::object::{signals, KObjectBase, KernelObject, Koid, ObjType, Waiter};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_CHANNEL_MAX_MSG_BYTES`
pub const MAX_MSG_BYTES: usize = 65536;
/// `ZX_CHANNEL_MAX_MSG_HANDLES`
pub const MAX_MSG_HANDLES: usize = 64;
/// How many messages an end may hold before each further write to it
/// raises `ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE` on the writer (the
/// message is queued all the same), Zircon's `kMaxPendingMessageCount`.
pub const MAX_PENDING_MESSAGES: usize = 3500;

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

/// The first transaction id of the kernel's half (`zx_channel_call`);
/// lower ids belong to user space.
pub const MIN_KERNEL_TXID: u32 = 0x8000_0000;

/// A `zx_channel_call` in progress on one end: the transaction id its
/// request carried and what became of it. A reply whose first four bytes
/// are that id goes straight here, never into the end's queue, so no plain
/// read can take it.
#[derive(Debug)]
pub struct CallWaiter {
    txid: u32,
    /// Protected by the owning end's `inner` (taken only under it).
    state: Mutex<CallState>,
    /// Poked when the state changes.
    waiter: Arc<Waiter>,
}

/// What became of a call.
#[derive(Debug)]
enum CallState {
    Waiting,
    Replied(Message),
    Cancelled(ZxError),
}

/// What one end's lock protects.
#[derive(Debug, Default)]
struct Inner {
    /// Messages written to this end.
    messages: VecDeque<Message>,
    /// Calls made through this end that wait for their replies.
    callers: Vec<Arc<CallWaiter>>,
    /// The last transaction id handed out on this end.
    last_txid: u32,
}

/// One endpoint of a channel.
#[derive(Debug)]
pub struct Channel {
    base: KObjectBase,
    /// The other end; protected by this mutex (a leaf, held only to
    /// upgrade).
    peer: Mutex<Weak<Channel>>,
    peer_koid: Koid,
    /// Messages written to this end and calls waiting on it; protected by
    /// this mutex, under which this end's signals change and its callers'
    /// states are set (docs/LOCKING.md).
    queue: Mutex<Inner>,
}

impl_kobject!(
    Channel,
    ObjType::Channel,
    related = |c: &Channel| c.peer_koid
);

/// Returns the kernel-range transaction id `data` starts with, if any.
fn kernel_txid(data: &[u8]) -> Option<u32> {
    let txid = u32::from_le_bytes(data.get(..4)?.try_into().ok()?);
    (txid >= MIN_KERNEL_TXID).then_some(txid)
}

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
            queue: Mutex::new(Inner::default()),
        });
        let b = Arc::new(Channel {
            base: b1,
            peer: Mutex::new(Arc::downgrade(&a)),
            peer_koid: k0,
            queue: Mutex::new(Inner::default()),
        });
        *a.peer.lock() = Arc::downgrade(&b);
        a.base.signal_change(0, signals::CHANNEL_WRITABLE);
        b.base.signal_change(0, signals::CHANNEL_WRITABLE);
        (a, b)
    }

    /// How many messages wait in this end's queue.
    pub fn queued(&self) -> usize {
        self.queue.lock().messages.len()
    }

    /// Whether the peer holds more than [`MAX_PENDING_MESSAGES`] (after a
    /// write: the writer is to take a policy exception).
    pub fn peer_is_overfull(&self) -> bool {
        self.peer()
            .is_some_and(|p| p.queued() > MAX_PENDING_MESSAGES)
    }

    /// Returns the peer endpoint if it is still open.
    pub fn peer(&self) -> Option<Arc<Channel>> {
        // A dropping peer is gone even before its Drop runs.
        self.peer.lock().upgrade()
    }

    /// Whether the peer endpoint is still open, without taking a reference
    /// to it: a reference taken here could be the last one, and the peer's
    /// `Drop` (which locks this end's queue) would then run wherever it is
    /// dropped — under this end's queue lock, in [`Channel::read`].
    fn peer_is_open(&self) -> bool {
        self.peer.lock().strong_count() > 0
    }

    /// Queues `msg` on the peer, or hands it to the call on the peer that
    /// waits for its transaction id. `PEER_CLOSED` if the peer is gone (the
    /// message, and its handles, come back in the error).
    pub fn write(&self, msg: Message) -> Result<(), (ZxError, Message)> {
        if msg.data.len() > MAX_MSG_BYTES || msg.handles.len() > MAX_MSG_HANDLES {
            return Err((ZxError::OUT_OF_RANGE, msg));
        }
        match self.peer() {
            Some(peer) => {
                peer.receive(msg);
                Ok(())
            }
            None => Err((ZxError::PEER_CLOSED, msg)),
        }
    }

    /// Takes `msg` in on this end: to the waiting call it answers, else to
    /// the queue.
    fn receive(&self, msg: Message) {
        let mut inner = self.queue.lock();
        if let Some(txid) = kernel_txid(&msg.data) {
            if let Some(pos) = inner.callers.iter().position(|c| c.txid == txid) {
                let caller = inner.callers.swap_remove(pos);
                *caller.state.lock() = CallState::Replied(msg);
                caller.waiter.poke();
                return;
            }
        }
        self.push(&mut inner, msg);
    }

    /// Appends `msg` to this end's queue.
    fn push(&self, inner: &mut Inner, msg: Message) {
        inner.messages.push_back(msg);
        self.base.signal_change(0, signals::CHANNEL_READABLE);
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
        let mut inner = self.queue.lock();
        let Some(front) = inner.messages.front() else {
            let err = if !self.peer_is_open() {
                ZxError::PEER_CLOSED
            } else {
                ZxError::SHOULD_WAIT
            };
            return Err((err, 0, 0));
        };
        let (nb, nh) = (front.data.len(), front.handles.len());
        if nb > max_bytes || nh > max_handles {
            if may_discard {
                let discarded = inner.messages.pop_front();
                if inner.messages.is_empty() {
                    self.base.signal_change(signals::CHANNEL_READABLE, 0);
                }
                drop(inner);
                // Its handles close outside the lock.
                drop(discarded);
            }
            return Err((ZxError::BUFFER_TOO_SMALL, nb, nh));
        }
        let msg = inner.messages.pop_front().expect("front exists");
        if inner.messages.is_empty() {
            self.base.signal_change(signals::CHANNEL_READABLE, 0);
        }
        Ok(msg)
    }

    /// Starts a `zx_channel_call`: gives `msg` a transaction id of the
    /// kernel's range not in use by another call on this end (its first
    /// four bytes, which must exist), registers the call so the reply
    /// carrying that id comes to it, and queues `msg` on the peer.
    /// `waiter` is poked when the call is answered or cancelled.
    /// `PEER_CLOSED` if the peer is gone (the message comes back).
    pub fn call_begin(
        &self,
        mut msg: Message,
        waiter: &Arc<Waiter>,
    ) -> Result<Arc<CallWaiter>, (ZxError, Message)> {
        if msg.data.len() < 4 {
            return Err((ZxError::INVALID_ARGS, msg));
        }
        if msg.data.len() > MAX_MSG_BYTES || msg.handles.len() > MAX_MSG_HANDLES {
            return Err((ZxError::OUT_OF_RANGE, msg));
        }
        let Some(peer) = self.peer() else {
            return Err((ZxError::PEER_CLOSED, msg));
        };
        let caller = {
            let mut inner = self.queue.lock();
            let txid = loop {
                inner.last_txid = inner.last_txid.wrapping_add(1);
                let txid = inner.last_txid | MIN_KERNEL_TXID;
                if !inner.callers.iter().any(|c| c.txid == txid) {
                    break txid;
                }
            };
            let caller = Arc::new(CallWaiter {
                txid,
                state: Mutex::new(CallState::Waiting),
                waiter: waiter.clone(),
            });
            inner.callers.push(caller.clone());
            caller
        };
        msg.data[..4].copy_from_slice(&caller.txid.to_le_bytes());
        // Straight into the peer's queue: a request is never a reply.
        let mut inner = peer.queue.lock();
        peer.push(&mut inner, msg);
        Ok(caller)
    }

    /// Returns the reply `call` got (`Some(Ok)`), or why it ended
    /// (`Some(Err)`: cancelled because the peer closed), or `None` while it
    /// still waits.
    pub fn call_poll(&self, call: &CallWaiter) -> Option<ZxResult<Message>> {
        let _inner = self.queue.lock();
        let mut st = call.state.lock();
        match &*st {
            CallState::Waiting => None,
            CallState::Cancelled(e) => Some(Err(*e)),
            CallState::Replied(_) => {
                match std::mem::replace(&mut *st, CallState::Cancelled(ZxError::CANCELED)) {
                    CallState::Replied(m) => Some(Ok(m)),
                    _ => unreachable!("matched above"),
                }
            }
        }
    }

    /// Ends `call`, which stops waiting (deadline, kill, cancel): it is
    /// unregistered, so a later reply is queued like any message. A reply
    /// that came meanwhile wins and is returned.
    pub fn call_end(&self, call: &Arc<CallWaiter>) -> Option<Message> {
        let mut inner = self.queue.lock();
        inner.callers.retain(|c| !Arc::ptr_eq(c, call));
        let mut st = call.state.lock();
        match std::mem::replace(&mut *st, CallState::Cancelled(ZxError::CANCELED)) {
            CallState::Replied(m) => Some(m),
            _ => None,
        }
    }

    /// Returns whether `obj` is this channel (a channel cannot be written
    /// into itself).
    pub fn is_same(&self, obj: &Arc<dyn KernelObject>) -> bool {
        obj.koid() == self.base.koid()
    }

    /// Returns the number of queued messages.
    pub fn pending(&self) -> usize {
        self.queue.lock().messages.len()
    }

    /// Returns how many calls wait on this end.
    pub fn waiting_calls(&self) -> usize {
        self.queue.lock().callers.len()
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        if let Some(peer) = self.peer() {
            // The calls waiting on the peer end end now: their replies
            // can no longer come.
            {
                let mut inner = peer.queue.lock();
                for c in inner.callers.drain(..) {
                    *c.state.lock() = CallState::Cancelled(ZxError::PEER_CLOSED);
                    c.waiter.poke();
                }
            }
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

    fn request(data: &[u8]) -> Message {
        Message {
            data: data.to_vec(),
            handles: vec![],
        }
    }

    /// Answers the request queued on `server` with `payload` after its
    /// txid; returns that txid.
    fn answer(server: &Channel, payload: &[u8]) -> u32 {
        let req = server.read(64, 0, false).unwrap();
        let txid = u32::from_le_bytes(req.data[..4].try_into().unwrap());
        let mut data = txid.to_le_bytes().to_vec();
        data.extend_from_slice(payload);
        server.write(request(&data)).unwrap();
        txid
    }

    #[test]
    fn a_reply_goes_to_its_caller_never_to_the_queue() {
        let (a, b) = Channel::create();
        let w = Waiter::new();
        let call = a.call_begin(request(b"\0\0\0\0ask"), &w).unwrap();
        assert_eq!(a.waiting_calls(), 1);
        let txid = answer(&b, b"yes");
        assert!(txid >= MIN_KERNEL_TXID);
        // Delivered to the call: nothing for a plain read, no READABLE.
        assert_eq!(a.pending(), 0);
        assert_eq!(a.read(64, 0, false).unwrap_err().0, ZxError::SHOULD_WAIT);
        assert_eq!(a.base().signals() & signals::CHANNEL_READABLE, 0);
        assert!(
            w.sleep(Some(std::time::Instant::now())),
            "the caller was poked"
        );
        let reply = a.call_poll(&call).unwrap().unwrap();
        assert_eq!(&reply.data[4..], b"yes");
        assert!(a.call_end(&call).is_none());
        assert_eq!(a.waiting_calls(), 0);
    }

    #[test]
    fn other_kernel_txids_and_user_txids_are_queued() {
        let (a, b) = Channel::create();
        let w = Waiter::new();
        let call = a.call_begin(request(b"\0\0\0\0"), &w).unwrap();
        let req = b.read(64, 0, false).unwrap();
        let txid = u32::from_le_bytes(req.data[..4].try_into().unwrap());
        let other = (txid.wrapping_add(7)) | MIN_KERNEL_TXID;
        b.write(request(&other.to_le_bytes())).unwrap();
        b.write(request(&5u32.to_le_bytes())).unwrap();
        b.write(request(b"ab")).unwrap();
        assert_eq!(a.pending(), 3);
        assert!(a.call_poll(&call).is_none());
        b.write(request(&txid.to_le_bytes())).unwrap();
        assert_eq!(a.pending(), 3);
        assert!(a.call_poll(&call).unwrap().is_ok());
    }

    #[test]
    fn a_read_racing_the_peers_last_close_does_not_deadlock() {
        // LOCKING hazard 4: a read of an empty queue asks whether the peer
        // is open with this end's queue locked. If it took a reference to
        // the peer there and the peer's last handle closed meanwhile, the
        // peer's Drop (which locks this end's queue) ran under that lock.
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for _ in 0..20_000 {
                let (a, b) = Channel::create();
                let closer = std::thread::spawn(move || drop(b));
                while a.read(0, 0, false).map(|_| ()) != Err((ZxError::PEER_CLOSED, 0, 0)) {
                    std::hint::spin_loop();
                }
                closer.join().unwrap();
            }
            done_tx.send(()).unwrap();
        });
        done_rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("a read deadlocked with its peer's Drop");
    }

    #[test]
    fn concurrent_calls_get_distinct_txids_and_their_own_replies() {
        let (a, b) = Channel::create();
        let w = Waiter::new();
        let c1 = a.call_begin(request(b"\0\0\0\0one"), &w).unwrap();
        let c2 = a.call_begin(request(b"\0\0\0\0two"), &w).unwrap();
        let r1 = b.read(64, 0, false).unwrap();
        let r2 = b.read(64, 0, false).unwrap();
        assert_ne!(r1.data[..4], r2.data[..4]);
        // Answered in the other order.
        b.write(request(&[&r2.data[..4], b"2"].concat())).unwrap();
        b.write(request(&[&r1.data[..4], b"1"].concat())).unwrap();
        assert_eq!(&a.call_poll(&c1).unwrap().unwrap().data[4..], b"1");
        assert_eq!(&a.call_poll(&c2).unwrap().unwrap().data[4..], b"2");
    }

    #[test]
    fn the_peer_closing_cancels_calls_and_a_given_up_call_leaves_replies_queued() {
        let (a, b) = Channel::create();
        let w = Waiter::new();
        let call = a.call_begin(request(b"\0\0\0\0"), &w).unwrap();
        // Given up (deadline): a later reply is an ordinary message.
        assert!(a.call_end(&call).is_none());
        answer(&b, b"late");
        assert_eq!(a.pending(), 1);
        let call = a.call_begin(request(b"\0\0\0\0"), &w).unwrap();
        drop(b);
        assert!(w.sleep(Some(std::time::Instant::now())));
        assert_eq!(
            a.call_poll(&call).unwrap().unwrap_err(),
            ZxError::PEER_CLOSED
        );
        assert_eq!(
            a.call_begin(request(b"\0\0\0\0"), &w).unwrap_err().0,
            ZxError::PEER_CLOSED
        );
    }

    #[test]
    fn a_reply_racing_the_give_up_wins() {
        let (a, b) = Channel::create();
        let w = Waiter::new();
        let call = a.call_begin(request(b"\0\0\0\0"), &w).unwrap();
        answer(&b, b"r");
        // The caller timed out before polling: the reply is still its own.
        assert_eq!(&a.call_end(&call).unwrap().data[4..], b"r");
        assert_eq!(a.pending(), 0);
    }

    #[test]
    fn calls_need_a_txid_and_fit_the_limits() {
        let (a, _b) = Channel::create();
        let w = Waiter::new();
        assert_eq!(
            a.call_begin(request(b"abc"), &w).unwrap_err().0,
            ZxError::INVALID_ARGS
        );
        assert_eq!(
            a.call_begin(request(&vec![0; MAX_MSG_BYTES + 1]), &w)
                .unwrap_err()
                .0,
            ZxError::OUT_OF_RANGE
        );
    }

    #[test]
    fn the_last_handle_going_pokes_waiters() {
        let (a, _b) = Channel::create();
        let h1 = Handle::new(a.clone(), DEFAULT_CHANNEL_RIGHTS);
        let h2 = Handle::new(a.clone(), DEFAULT_CHANNEL_RIGHTS);
        let w = Waiter::new();
        a.base().add_waiter(&w);
        drop(h1);
        assert!(
            !w.sleep(Some(std::time::Instant::now())),
            "one handle is left"
        );
        drop(h2);
        assert!(w.sleep(Some(std::time::Instant::now())));
        assert_eq!(a.base().handle_count(), 0);
    }
}
