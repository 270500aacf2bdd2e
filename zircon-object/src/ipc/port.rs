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

use crate::object::{KObjectBase, SignalObserver, Waiter};
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

#[derive(Debug, Default)]
struct PortInner {
    packets: VecDeque<PortPacket>,
    user_packets: usize,
    waiters: Vec<Weak<Waiter>>,
}

/// A port.
#[derive(Debug, Default)]
pub struct Port {
    base: KObjectBase,
    /// Packets, the user-packet count and waiters; protected by this mutex,
    /// which may be taken under any object's signal lock.
    inner: Mutex<PortInner>,
}

impl_kobject!(Port, crate::object::ObjType::Port);

impl Port {
    /// Creates an empty port.
    pub fn new() -> Arc<Port> {
        Arc::new(Port::default())
    }

    fn push(&self, packet: PortPacket, user: bool) -> ZxResult {
        let mut inner = self.inner.lock();
        if user {
            if inner.user_packets >= MAX_USER_PACKETS {
                return Err(ZxError::SHOULD_WAIT);
            }
            inner.user_packets += 1;
        }
        inner.packets.push_back(packet);
        inner.waiters.retain(|w| match w.upgrade() {
            Some(w) => {
                w.poke();
                true
            }
            None => false,
        });
        Ok(())
    }

    /// Queues a user packet (`zx_port_queue`): its type becomes
    /// `ZX_PKT_TYPE_USER`.
    pub fn queue_user(&self, mut packet: PortPacket) -> ZxResult {
        packet.ty = PKT_TYPE_USER;
        self.push(packet, true)
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
                if let Some(p) = inner.packets.pop_front() {
                    if p.ty == PKT_TYPE_USER {
                        inner.user_packets -= 1;
                    }
                    return Ok(p);
                }
                inner.waiters.retain(|w| w.strong_count() > 0);
                inner.waiters.push(Arc::downgrade(&waiter));
            }
            let timed_out = !waiter.sleep(deadline);
            if waiter.is_killed() {
                return Err(ZxError::INTERNAL_INTR_KILLED);
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
}

/// `zx_object_wait_async`'s registration: queues one signal packet on
/// `port` when the object's signals meet `trigger`, then goes away.
#[derive(Debug)]
pub struct AsyncWait {
    port: Weak<Port>,
    key: u64,
    trigger: u32,
    /// Edge-triggered: fire only on a transition to matching.
    edge: bool,
    /// Record the time of the match.
    timestamp: Option<fn() -> i64>,
    /// Signals seen last time (for edges); `None` before the first look.
    /// Protected by this mutex, taken under the observed object's signal
    /// lock.
    last: Mutex<Option<u32>>,
}

impl AsyncWait {
    /// Creates a registration for `port` with `key` and `trigger`.
    pub fn new(
        port: &Arc<Port>,
        key: u64,
        trigger: u32,
        edge: bool,
        timestamp: Option<fn() -> i64>,
    ) -> Arc<AsyncWait> {
        Arc::new(AsyncWait {
            port: Arc::downgrade(port),
            key,
            trigger,
            edge,
            timestamp,
            last: Mutex::new(None),
        })
    }
}

impl SignalObserver for AsyncWait {
    fn on_signals(&self, signals: u32) -> bool {
        let Some(port) = self.port.upgrade() else {
            return false;
        };
        let mut last = self.last.lock();
        let before = last.replace(signals);
        let fire = if self.edge {
            // The first look only arms an edge-triggered wait.
            before.is_some_and(|b| signals & self.trigger & !b != 0)
        } else {
            signals & self.trigger != 0
        };
        if !fire {
            return true;
        }
        let mut payload = [0u8; 32];
        payload[0..4].copy_from_slice(&self.trigger.to_le_bytes());
        payload[4..8].copy_from_slice(&signals.to_le_bytes());
        payload[8..16].copy_from_slice(&1u64.to_le_bytes());
        let ts = self.timestamp.map_or(0, |now| now());
        payload[16..24].copy_from_slice(&ts.to_le_bytes());
        let _ = port.push(
            PortPacket {
                key: self.key,
                ty: PKT_TYPE_SIGNAL_ONE,
                status: 0,
                payload,
            },
            false,
        );
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::KernelObject;

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
        let ev = crate::ipc::Event::new();
        ev.base()
            .add_observer(AsyncWait::new(&port, 9, 1 << 3, false, None));
        assert_eq!(port.pending(), 0);
        ev.base().signal_change(0, 1 << 3);
        let got = port.wait(Some(Instant::now()), None).unwrap();
        assert_eq!((got.key, got.ty), (9, PKT_TYPE_SIGNAL_ONE));
        ev.base().signal_change(1 << 3, 0);
        ev.base().signal_change(0, 1 << 3);
        assert_eq!(port.pending(), 0, "one shot");
        assert_eq!(DEFAULT_PORT_RIGHTS.bits(), 0x800F);
    }
}
