//! Events and event pairs (`zx_event_create`, `zx_eventpair_create`):
//! objects that are nothing but signals.

use crate::sync::Mutex;
use std::sync::{Arc, Weak};

use crate::object::{signals, KObjectBase, KernelObject, Koid, ObjType};
use crate::{impl_kobject, Rights};

/// `ZX_DEFAULT_EVENT_RIGHTS`: basic and SIGNAL.
pub const DEFAULT_EVENT_RIGHTS: Rights = Rights::BASIC.union(Rights::SIGNAL);
/// `ZX_DEFAULT_EVENTPAIR_RIGHTS`: basic, SIGNAL and SIGNAL_PEER.
pub const DEFAULT_EVENTPAIR_RIGHTS: Rights = DEFAULT_EVENT_RIGHTS.union(Rights::SIGNAL_PEER);

/// An event.
#[derive(Debug, Default)]
pub struct Event {
    base: KObjectBase,
}

impl_kobject!(Event, ObjType::Event);

impl Event {
    /// Creates an event with no signals set.
    pub fn new() -> Arc<Event> {
        Arc::new(Event::default())
    }
}

/// One end of an event pair.
#[derive(Debug)]
pub struct EventPair {
    base: KObjectBase,
    /// The other end; protected by this mutex (a leaf, held only to
    /// upgrade).
    peer: Mutex<Weak<EventPair>>,
    peer_koid: Koid,
}

impl_kobject!(
    EventPair,
    ObjType::EventPair,
    related = |e: &EventPair| e.peer_koid
);

impl EventPair {
    /// Creates a connected pair.
    pub fn create() -> (Arc<EventPair>, Arc<EventPair>) {
        let (b0, b1) = (KObjectBase::default(), KObjectBase::default());
        let (k0, k1) = (b0.koid(), b1.koid());
        let a = Arc::new(EventPair {
            base: b0,
            peer: Mutex::new(Weak::new()),
            peer_koid: k1,
        });
        let b = Arc::new(EventPair {
            base: b1,
            peer: Mutex::new(Arc::downgrade(&a)),
            peer_koid: k0,
        });
        *a.peer.lock() = Arc::downgrade(&b);
        (a, b)
    }

    /// Returns the peer if it is still open.
    pub fn peer(&self) -> Option<Arc<EventPair>> {
        self.peer.lock().upgrade()
    }
}

impl Drop for EventPair {
    fn drop(&mut self) {
        if let Some(peer) = self.peer() {
            peer.base.signal_change(0, signals::PEER_CLOSED);
        }
    }
}

/// The signals `zx_object_signal` may change on `obj`: the user signals,
/// plus `ZX_EVENT_SIGNALED` on events and event pairs and
/// `ZX_COUNTER_SIGNALED` on counters.
pub fn user_settable(obj: &dyn KernelObject) -> u32 {
    match obj.obj_type() {
        ObjType::Event | ObjType::EventPair => signals::USER_ALL | signals::SIGNALED,
        ObjType::Counter => signals::USER_ALL | signals::COUNTER_SIGNALED,
        _ => signals::USER_ALL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_reports_peer_closed() {
        let (a, b) = EventPair::create();
        assert_eq!(a.related_koid(), b.koid());
        drop(b);
        assert_eq!(a.base().signals(), signals::PEER_CLOSED);
        assert_eq!(DEFAULT_EVENT_RIGHTS.bits(), 0xD003);
        assert_eq!(DEFAULT_EVENTPAIR_RIGHTS.bits(), 0xF003);
    }
}
