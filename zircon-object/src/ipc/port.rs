//! Ports (`zx_port_*`) and asynchronous waits (`zx_object_wait_async`).
//!
//! A port is a queue of 48-byte packets. User packets come from
//! `zx_port_queue`; signal packets from observers that
//! `zx_object_wait_async` registers on an object: when the object's signals
//! match, the observer queues one `ZX_PKT_TYPE_SIGNAL_ONE` packet and
//! unregisters itself.
//!
//! Lock order: an object's signal lock → the port's queue lock.

use crate::sync::Mutex;
use std::collections::VecDeque;
use std::sync::{Arc, Weak};
use std::time::Instant;

use crate::handle::{HandleId, HandleRef};
use crate::object::{CancelRequest, KObjectBase, KernelObject, Koid, SignalObserver, Waiter};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_DEFAULT_PORT_RIGHTS`: basic without WAIT, and IO.
pub const DEFAULT_PORT_RIGHTS: Rights = Rights::TRANSFER
    .union(Rights::DUPLICATE)
    .union(Rights::INSPECT)
    .union(Rights::IO);

/// `ZX_PKT_TYPE_USER`
pub const PKT_TYPE_USER: u32 = 0;
/// `ZX_PKT_TYPE_SIGNAL_ONE`
pub const PKT_TYPE_SIGNAL_ONE: u32 = 1;
/// `ZX_PKT_TYPE_PAGE_REQUEST`
pub const PKT_TYPE_PAGE_REQUEST: u32 = 9;
/// How many user packets a port holds before `zx_port_queue` answers
/// `SHOULD_WAIT`.
pub const MAX_USER_PACKETS: usize = 2048;

/// A port packet (`zx_port_packet_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortPacket {
    /// `key`
    pub key: u64,
    /// `type`
    pub ty: u32,
    /// `status`
    pub status: i32,
    /// The 32-byte union (user data, or a `zx_packet_signal_t`).
    pub payload: [u8; 32],
}

impl PortPacket {
    /// Encodes the packet at Fuchsia's layout (48 bytes).
    pub fn to_bytes(&self) -> [u8; 48] {
        let mut b = [0u8; 48];
        b[0..8].copy_from_slice(&self.key.to_le_bytes());
        b[8..12].copy_from_slice(&self.ty.to_le_bytes());
        b[12..16].copy_from_slice(&self.status.to_le_bytes());
        b[16..48].copy_from_slice(&self.payload);
        b
    }

    /// Decodes a packet from Fuchsia's layout.
    pub fn from_bytes(b: &[u8; 48]) -> PortPacket {
        PortPacket {
            key: u64::from_le_bytes(b[0..8].try_into().expect("8 bytes")),
            ty: u32::from_le_bytes(b[8..12].try_into().expect("4 bytes")),
            status: i32::from_le_bytes(b[12..16].try_into().expect("4 bytes")),
            payload: b[16..48].try_into().expect("32 bytes"),
        }
    }
}

/// A kernel object that queues packets of its own on ports (a pager's page
/// source: `ZX_PKT_TYPE_PAGE_REQUEST`) and must learn when one is taken.
pub trait PacketOwner: Send + Sync {
    /// Called when a waiter took the packet queued with `token`, with no
    /// port lock held.
    fn packet_taken(&self, token: u64);
}

/// Who queued an owned packet, and its token.
#[derive(Clone)]
struct Owned {
    owner: Weak<dyn PacketOwner>,
    token: u64,
}

impl std::fmt::Debug for Owned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Owned({})", self.token)
    }
}

impl Owned {
    fn is(&self, owner: &Weak<dyn PacketOwner>, token: u64) -> bool {
        self.token == token && Weak::ptr_eq(&self.owner, owner)
    }
}

/// A queued packet and where it came from.
#[derive(Debug, Clone)]
struct Queued {
    packet: PortPacket,
    /// The handle whose async wait queued it; `None` for user packets.
    handle: Option<HandleId>,
    /// The kernel object that queued it (never counted as a user packet,
    /// never removed by `zx_port_cancel_key`).
    owned: Option<Owned>,
}

impl Queued {
    fn is_user(&self) -> bool {
        self.handle.is_none() && self.owned.is_none()
    }
}

#[derive(Debug, Default)]
struct PortInner {
    packets: VecDeque<Queued>,
    user_packets: usize,
    waiters: Vec<Weak<Waiter>>,
    /// The async waits delivering here (some may have finished), so that
    /// `zx_port_cancel_key` can find them without knowing their objects.
    async_waits: Vec<Weak<AsyncWait>>,
}

/// How many pending async waits a port may hold before a new one raises a
/// policy exception (Zircon's `kernel.port.max-observers` default).
pub const MAX_PORT_OBSERVERS: usize = 50_000;

/// A port.
#[derive(Debug, Default)]
pub struct Port {
    base: KObjectBase,
    /// Packets, the user-packet count, waiters and async waits; protected
    /// by this mutex, which may be taken under any object's signal lock.
    inner: Mutex<PortInner>,
}

impl_kobject!(Port, crate::object::ObjType::Port);

impl Port {
    /// Creates an empty port.
    pub fn new() -> Arc<Port> {
        Arc::new(Port::default())
    }

    fn push(&self, packet: PortPacket, handle: Option<HandleId>) -> ZxResult {
        let mut inner = self.inner.lock();
        if handle.is_none() {
            if inner.user_packets >= MAX_USER_PACKETS {
                return Err(ZxError::SHOULD_WAIT);
            }
            inner.user_packets += 1;
        }
        inner.packets.push_back(Queued {
            packet,
            handle,
            owned: None,
        });
        Self::poke_waiters(&mut inner);
        Ok(())
    }

    fn poke_waiters(inner: &mut PortInner) {
        inner.waiters.retain(|w| match w.upgrade() {
            Some(w) => {
                w.poke();
                true
            }
            None => false,
        });
    }

    /// Queues a kernel packet that `owner` tracks (`ZX_PKT_TYPE_PAGE_REQUEST`):
    /// not subject to the user-packet limit; `owner` is told when a waiter
    /// takes it ([`PacketOwner::packet_taken`]). The caller may hold its
    /// own lock (it ranks above this port's).
    pub fn queue_owned(&self, packet: PortPacket, owner: Weak<dyn PacketOwner>, token: u64) {
        let mut inner = self.inner.lock();
        inner.packets.push_back(Queued {
            packet,
            handle: None,
            owned: Some(Owned { owner, token }),
        });
        Self::poke_waiters(&mut inner);
    }

    /// Takes back an owned packet not yet taken by a waiter; returns
    /// whether it was still queued.
    pub fn cancel_owned(&self, owner: &Weak<dyn PacketOwner>, token: u64) -> bool {
        let mut inner = self.inner.lock();
        let before = inner.packets.len();
        inner
            .packets
            .retain(|q| !q.owned.as_ref().is_some_and(|o| o.is(owner, token)));
        inner.packets.len() != before
    }

    /// Queues a user packet (`zx_port_queue`): its type becomes
    /// `ZX_PKT_TYPE_USER`.
    pub fn queue_user(&self, mut packet: PortPacket) -> ZxResult {
        packet.ty = PKT_TYPE_USER;
        self.push(packet, None)
    }

    /// Takes the oldest packet, blocking until `deadline` (`None`: forever).
    /// `thread`, if given, is marked blocked and can be killed out of the
    /// wait.
    pub fn wait(
        &self,
        deadline: Option<Instant>,
        thread: Option<Arc<crate::task::Thread>>,
    ) -> ZxResult<PortPacket> {
        let waiter = Waiter::new();
        let _blocked =
            crate::task::BlockedGuard::new(thread, crate::task::BlockedReason::Port, &waiter);
        loop {
            {
                let mut inner = self.inner.lock();
                if let Some(q) = inner.packets.pop_front() {
                    if q.is_user() {
                        inner.user_packets -= 1;
                    }
                    drop(inner);
                    if let Some(o) = q.owned {
                        if let Some(owner) = o.owner.upgrade() {
                            owner.packet_taken(o.token);
                        }
                    }
                    return Ok(q.packet);
                }
                inner.waiters.retain(|w| w.strong_count() > 0);
                inner.waiters.push(Arc::downgrade(&waiter));
            }
            let timed_out = !waiter.sleep(deadline);
            if waiter.is_killed() {
                return Err(ZxError::INTERNAL_INTR_KILLED);
            }
            if waiter.take_interrupt() {
                // Suspended: no packet is taken; the wait is made again on
                // resume.
                let mut inner = self.inner.lock();
                inner
                    .waiters
                    .retain(|w| !std::ptr::eq(w.as_ptr(), Arc::as_ptr(&waiter)));
                return Err(ZxError::INTERNAL_INTR_RETRY);
            }
            if timed_out {
                let mut inner = self.inner.lock();
                inner
                    .waiters
                    .retain(|w| !std::ptr::eq(w.as_ptr(), Arc::as_ptr(&waiter)));
                if inner.packets.is_empty() {
                    return Err(ZxError::TIMED_OUT);
                }
            }
        }
    }

    /// Returns how many packets are queued.
    pub fn pending(&self) -> usize {
        self.inner.lock().packets.len()
    }

    /// Registers an async wait (`zx_object_wait_async`) on the object
    /// `source` names, through that handle: one packet with `key` when the
    /// object's signals meet `trigger` (`edge`: on a transition to meeting
    /// them), stamped by `timestamp` if given.
    ///
    /// Returns false if the port already held [`MAX_PORT_OBSERVERS`]
    /// waits: the wait is registered all the same, and the caller raises
    /// `ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS` (Zircon).
    pub fn wait_async(
        self: &Arc<Self>,
        source: &HandleRef,
        key: u64,
        trigger: u32,
        edge: bool,
        timestamp: Option<fn() -> i64>,
    ) -> bool {
        let wait = Arc::new(AsyncWait {
            port: Arc::downgrade(self),
            port_koid: self.base.koid(),
            source: Arc::downgrade(&source.object),
            handle: source.id,
            key,
            trigger,
            edge,
            timestamp,
            state: Mutex::new(WaitState::default()),
        });
        // Only dead registrations are pruned here: asking a live one
        // whether it finished takes its state lock, which ranks above this
        // port's (docs/LOCKING.md; a firing wait holds it while it pushes
        // here). Pruning every 256th registration, and before saying the
        // port is full, keeps registering cheap and the count exact.
        let within_limit = {
            let mut inner = self.inner.lock();
            let len = inner.async_waits.len();
            if len.is_multiple_of(256) || len >= MAX_PORT_OBSERVERS {
                inner.async_waits.retain(|w| w.strong_count() > 0);
            }
            let within = inner.async_waits.len() < MAX_PORT_OBSERVERS;
            inner.async_waits.push(Arc::downgrade(&wait));
            within
        };
        source.object.base().add_observer(wait);
        within_limit
    }

    /// `zx_port_cancel`: cancels the async waits registered through
    /// `source` with `key` that deliver here, and removes the packets they
    /// queued that are still waiting. `NOT_FOUND` if there was neither.
    pub fn cancel(&self, source: &HandleRef, key: u64) -> ZxResult {
        let request = CancelRequest {
            handle: Some(source.id),
            port: Some(self.base.koid()),
            key: Some(key),
        };
        let had_wait = source.object.base().cancel_observers(&request);
        let removed = self.remove_queued(|q| q.handle == Some(source.id) && q.packet.key == key);
        if had_wait || removed {
            Ok(())
        } else {
            Err(ZxError::NOT_FOUND)
        }
    }

    /// `zx_port_cancel_key`: cancels every async wait delivering here with
    /// `key`, whatever its object, and removes every queued packet with
    /// `key`, user packets included. `NOT_FOUND` if there was neither.
    pub fn cancel_key(&self, key: u64) -> ZxResult {
        let candidates: Vec<Arc<AsyncWait>> = {
            // As in wait_async: no wait's state lock under this port's.
            // A finished candidate's cancel() below reports false.
            let mut inner = self.inner.lock();
            inner.async_waits.retain(|w| w.strong_count() > 0);
            inner
                .async_waits
                .iter()
                .filter_map(Weak::upgrade)
                .filter(|w| w.key == key)
                .collect()
        };
        let request = CancelRequest {
            key: Some(key),
            ..CancelRequest::default()
        };
        let mut had_wait = false;
        // No port lock held here: a wait's state lock is taken under its
        // object's signal lock and takes this port's lock itself.
        for wait in candidates {
            if wait.cancel(&request) {
                had_wait = true;
                if let Some(object) = wait.source.upgrade() {
                    object.base().drop_finished_observers();
                }
            }
        }
        let removed = self.remove_queued(|q| q.owned.is_none() && q.packet.key == key);
        if had_wait || removed {
            Ok(())
        } else {
            Err(ZxError::NOT_FOUND)
        }
    }

    /// Removes the queued packets `matches` selects; returns whether any.
    fn remove_queued(&self, matches: impl Fn(&Queued) -> bool) -> bool {
        let mut inner = self.inner.lock();
        let before = inner.packets.len();
        let mut user_removed = 0;
        inner.packets.retain(|q| {
            let remove = matches(q);
            if remove && q.is_user() {
                user_removed += 1;
            }
            !remove
        });
        inner.user_packets -= user_removed;
        inner.packets.len() != before
    }
}

/// What an async wait has seen and whether it is over.
#[derive(Debug, Default)]
struct WaitState {
    /// Signals seen last time (for edges); `None` before the first look.
    last: Option<u32>,
    /// It fired, or was cancelled: it will never queue a packet again.
    finished: bool,
}

/// `zx_object_wait_async`'s registration: queues one signal packet on
/// `port` when the object's signals meet `trigger`, then goes away.
#[derive(Debug)]
pub struct AsyncWait {
    port: Weak<Port>,
    port_koid: Koid,
    /// The object observed (to drop this registration from it when the
    /// port cancels it).
    source: Weak<dyn KernelObject>,
    /// The handle it was registered through.
    handle: HandleId,
    key: u64,
    trigger: u32,
    /// Edge-triggered: fire only on a transition to matching.
    edge: bool,
    /// Record the time of the match.
    timestamp: Option<fn() -> i64>,
    /// Protected by this mutex, taken under the observed object's signal
    /// lock (or alone, by `zx_port_cancel_key`); the port's lock may be
    /// taken under it.
    state: Mutex<WaitState>,
}

impl SignalObserver for AsyncWait {
    fn on_signals(&self, signals: u32) -> bool {
        let Some(port) = self.port.upgrade() else {
            return false;
        };
        let mut st = self.state.lock();
        if st.finished {
            return false;
        }
        let before = st.last.replace(signals);
        let fire = if self.edge {
            // The first look only arms an edge-triggered wait.
            before.is_some_and(|b| signals & self.trigger & !b != 0)
        } else {
            signals & self.trigger != 0
        };
        if !fire {
            return true;
        }
        st.finished = true;
        let mut payload = [0u8; 32];
        payload[0..4].copy_from_slice(&self.trigger.to_le_bytes());
        payload[4..8].copy_from_slice(&signals.to_le_bytes());
        payload[8..16].copy_from_slice(&1u64.to_le_bytes());
        let ts = self.timestamp.map_or(0, |now| now());
        payload[16..24].copy_from_slice(&ts.to_le_bytes());
        // Queued while the state lock is held, so a concurrent cancel sees
        // either a live wait or its packet in the queue, never neither.
        let _ = port.push(
            PortPacket {
                key: self.key,
                ty: PKT_TYPE_SIGNAL_ONE,
                status: 0,
                payload,
            },
            Some(self.handle),
        );
        false
    }

    fn cancel(&self, request: &CancelRequest) -> bool {
        let matches = request.handle.is_none_or(|h| h == self.handle)
            && request.port.is_none_or(|p| p == self.port_koid)
            && request.key.is_none_or(|k| k == self.key);
        if !matches {
            return false;
        }
        let mut st = self.state.lock();
        !std::mem::replace(&mut st.finished, true)
    }

    fn is_finished(&self) -> bool {
        self.state.lock().finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handle::Handle;

    const SIGNALED: u32 = 1 << 3;

    fn event_handle() -> Handle {
        Handle::new(crate::ipc::Event::new(), Rights::all())
    }

    fn signal(h: &Handle, on: bool) {
        let (clear, set) = if on { (0, SIGNALED) } else { (SIGNALED, 0) };
        h.object.base().signal_change(clear, set);
    }

    fn keys(port: &Port) -> Vec<u64> {
        let mut keys = Vec::new();
        while let Ok(p) = port.wait(Some(Instant::now()), None) {
            keys.push(p.key);
        }
        keys
    }

    /// Regression (found by Fuchsia's PortStressTest.SignalCloseWait under
    /// the mini-process work): registering a wait on a port pruned the
    /// port's list by taking each wait's state lock under the port's lock,
    /// while a firing wait holds its state lock and takes the port's: two
    /// threads doing that at once deadlocked the host.
    #[test]
    fn registering_while_another_wait_fires_does_not_deadlock() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let port = Arc::new(Port::new());
        // Many live waits that never fire make every registration walk a
        // long list under the port's lock: the window the bug needed.
        let quiet = event_handle();
        for key in 0..2000 {
            port.wait_async(&quiet.to_ref(), key, SIGNALED, false, None);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let mut workers = Vec::new();
        for _ in 0..2 {
            let (port, stop, done) = (port.clone(), stop.clone(), done_tx.clone());
            workers.push(std::thread::spawn(move || {
                let ev = event_handle();
                while !stop.load(Ordering::Relaxed) {
                    port.wait_async(&ev.to_ref(), 1, SIGNALED, false, None);
                    signal(&ev, true);
                    signal(&ev, false);
                    while port.wait(Some(Instant::now()), None).is_ok() {}
                }
                done.send(()).unwrap();
            }));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        stop.store(true, Ordering::Relaxed);
        for _ in 0..2 {
            done_rx
                .recv_timeout(std::time::Duration::from_secs(20))
                .expect("a wait_async and a firing wait deadlocked");
        }
        for w in workers {
            w.join().unwrap();
        }
    }

    /// Fuchsia's PortTest.EventAsyncSignalWaitSingle: waits satisfied by
    /// one signal queue their packets newest registration first.
    #[test]
    fn one_signal_queues_the_newest_wait_first() {
        let port = Port::new();
        let ev = event_handle();
        for key in 0..7 {
            port.wait_async(&ev.to_ref(), key, SIGNALED, false, None);
        }
        signal(&ev, true);
        assert_eq!(keys(&port), [6, 5, 4, 3, 2, 1, 0]);
    }

    #[test]
    fn user_packets_and_async_waits() {
        let port = Port::new();
        let p = PortPacket {
            key: 7,
            ty: 99,
            status: -2,
            payload: [1; 32],
        };
        port.queue_user(p).unwrap();
        let got = port.wait(None, None).unwrap();
        assert_eq!((got.key, got.ty, got.status), (7, PKT_TYPE_USER, -2));
        assert_eq!(PortPacket::from_bytes(&got.to_bytes()), got);
        let ev = event_handle();
        port.wait_async(&ev.to_ref(), 9, SIGNALED, false, None);
        assert_eq!(port.pending(), 0);
        signal(&ev, true);
        let got = port.wait(Some(Instant::now()), None).unwrap();
        assert_eq!((got.key, got.ty), (9, PKT_TYPE_SIGNAL_ONE));
        signal(&ev, false);
        signal(&ev, true);
        assert_eq!(port.pending(), 0, "one shot");
        assert_eq!(DEFAULT_PORT_RIGHTS.bits(), 0x800F);
    }

    #[test]
    fn cancel_by_handle_and_key() {
        let port = Port::new();
        let ev = event_handle();
        for key in [128, 13, 7, 13] {
            port.wait_async(&ev.to_ref(), key, SIGNALED, false, None);
        }
        assert_eq!(port.cancel(&ev.to_ref(), 13), Ok(()));
        signal(&ev, true);
        // Newest registration first, as on Zircon.
        assert_eq!(keys(&port), [7, 128]);
        assert_eq!(port.cancel(&ev.to_ref(), 128), Err(ZxError::NOT_FOUND));
        // A queued packet is cancelled too; another handle's waits are not.
        let other = Handle::new(ev.object.clone(), Rights::all());
        port.wait_async(&ev.to_ref(), 5, SIGNALED, false, None);
        port.wait_async(&other.to_ref(), 5, SIGNALED, false, None);
        assert_eq!(port.pending(), 2);
        assert_eq!(port.cancel(&ev.to_ref(), 5), Ok(()));
        assert_eq!(keys(&port), [5]);
    }

    #[test]
    fn cancel_key_takes_waits_and_packets_of_any_source() {
        let port = Port::new();
        let (a, b) = (event_handle(), event_handle());
        port.wait_async(&a.to_ref(), 1, SIGNALED, false, None);
        port.wait_async(&a.to_ref(), 2, SIGNALED, false, None);
        port.wait_async(&b.to_ref(), 2, 1 << 24, false, None);
        port.queue_user(PortPacket {
            key: 2,
            ty: 0,
            status: 0,
            payload: [0; 32],
        })
        .unwrap();
        assert_eq!(port.cancel_key(1), Ok(()));
        signal(&a, true);
        assert_eq!(port.pending(), 2);
        assert_eq!(port.cancel_key(2), Ok(()));
        assert_eq!(port.cancel_key(2), Err(ZxError::NOT_FOUND));
        assert_eq!(port.pending(), 0);
        b.object.base().signal_change(0, 1 << 24);
        assert_eq!(port.pending(), 0);
        // The cancelled registrations are gone from the objects.
        assert_eq!(port.queue_user(PortPacket::from_bytes(&[0; 48])), Ok(()));
        assert_eq!(keys(&port), [0]);
    }

    #[test]
    fn closing_the_handle_cancels_its_waits() {
        let port = Port::new();
        let ev = event_handle();
        let other = Handle::new(ev.object.clone(), Rights::all());
        port.wait_async(&ev.to_ref(), 1, SIGNALED, false, None);
        port.wait_async(&other.to_ref(), 2, SIGNALED, false, None);
        ev.cancel_waits();
        drop(ev);
        signal(&other, true);
        assert_eq!(keys(&port), [2]);
    }
}
