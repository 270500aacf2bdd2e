//! Signals and waits: `zx_object_signal`, `zx_object_signal_peer`,
//! `zx_object_wait_one`, `zx_object_wait_many`, `zx_event_create`,
//! `zx_eventpair_create`.
//!
//! A wait registers one [`Waiter`] with every object it watches and sleeps
//! on it; a signal change (or the closing of a watched handle) pokes it and
//! it re-reads the signals. The host thread blocks on a condition variable:
//! no spinning.

use std::sync::Arc;
use std::time::{Duration, Instant};

use zircon_object::handle::HandleValue;
use zircon_object::ipc::event::{user_settable, DEFAULT_EVENTPAIR_RIGHTS, DEFAULT_EVENT_RIGHTS};
use zircon_object::ipc::{Channel, Event, EventPair, Fifo, Socket};
use zircon_object::object::{KernelObject, Waiter};
use zircon_object::task::{BlockedGuard, BlockedReason};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::misc::monotonic_now;
use crate::user::{read_bytes, write_bytes, UserInOutPtr, UserOutPtr};
use crate::Syscall;

/// `ZX_WAIT_MANY_MAX_ITEMS`
const WAIT_MANY_MAX_ITEMS: usize = 64;
/// Size of `zx_wait_item_t` {handle, waitfor, pending}.
const WAIT_ITEM_SIZE: usize = 12;

/// Turns a monotonic deadline (ns) into an `Instant`; `None` is forever.
pub(crate) fn deadline_instant(deadline: i64) -> Option<Instant> {
    if deadline == i64::MAX {
        return None;
    }
    let now = monotonic_now();
    let wait = deadline.saturating_sub(now).max(0) as u64;
    Some(Instant::now() + Duration::from_nanos(wait))
}

impl Syscall<'_> {
    /// Looks `h` up for waiting (`WAIT` right).
    fn waitable(&self, h: HandleValue) -> ZxResult<Arc<dyn KernelObject>> {
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::WAIT) {
            return Err(ZxError::ACCESS_DENIED);
        }
        Ok(handle.object)
    }

    /// Returns whether `h` still names `obj` (a wait on a handle closed
    /// meanwhile ends with `CANCELED`).
    fn still_names(&self, h: HandleValue, obj: &Arc<dyn KernelObject>) -> bool {
        self.process
            .handles()
            .get(h)
            .is_ok_and(|cur| cur.object.koid() == obj.koid())
    }

    /// Blocks until `check` says done, a watched handle is closed, or the
    /// deadline passes. `check` returns `Some(result)` to stop.
    fn wait_loop(
        &self,
        objects: &[(HandleValue, Arc<dyn KernelObject>)],
        deadline: i64,
        check: &mut dyn FnMut(&[u32]) -> bool,
    ) -> (ZxResult, Vec<u32>) {
        let waiter = Waiter::new();
        let reason = if objects.len() == 1 {
            BlockedReason::WaitOne
        } else {
            BlockedReason::WaitMany
        };
        let _blocked = BlockedGuard::new(crate::current_thread(), reason, &waiter);
        let until = deadline_instant(deadline);
        let result = loop {
            let states: Vec<u32> = objects
                .iter()
                .map(|(_, o)| o.base().add_waiter(&waiter))
                .collect();
            if check(&states) {
                break (Ok(()), states);
            }
            if waiter.is_killed() {
                break (Err(ZxError::INTERNAL_INTR_KILLED), states);
            }
            if waiter.take_interrupt() {
                // Suspended: made again on resume (see `dispatch`).
                break (Err(ZxError::INTERNAL_INTR_RETRY), states);
            }
            if objects.iter().any(|(h, o)| !self.still_names(*h, o)) {
                break (Err(ZxError::CANCELED), states);
            }
            if !waiter.sleep(until) {
                let states = objects.iter().map(|(_, o)| o.base().signals()).collect();
                break (Err(ZxError::TIMED_OUT), states);
            }
        };
        for (_, o) in objects {
            o.base().remove_waiter(&waiter);
        }
        result
    }

    /// `zx_object_wait_one`.
    pub fn object_wait_one(
        &self,
        h: HandleValue,
        waitfor: u32,
        deadline: i64,
        observed: UserOutPtr<u32>,
    ) -> ZxResult {
        let obj = self.waitable(h)?;
        let objects = [(h, obj)];
        let (result, states) = self.wait_loop(&objects, deadline, &mut |s| s[0] & waitfor != 0);
        observed.write_if_not_null(self.aspace(), states[0])?;
        result
    }

    /// `zx_object_wait_many`.
    pub fn object_wait_many(
        &self,
        items: UserInOutPtr<u8>,
        count: usize,
        deadline: i64,
    ) -> ZxResult {
        let items = items.addr();
        if count > WAIT_MANY_MAX_ITEMS {
            return Err(ZxError::OUT_OF_RANGE);
        }
        if count == 0 {
            let (result, _) = self.wait_loop(&[], deadline, &mut |_| false);
            return result;
        }
        let raw = read_bytes(self.aspace(), items, count * WAIT_ITEM_SIZE)?;
        let field = |i: usize, f: usize| {
            let o = i * WAIT_ITEM_SIZE + f * 4;
            u32::from_le_bytes(raw[o..o + 4].try_into().expect("4 bytes"))
        };
        let mut objects = Vec::with_capacity(count);
        let mut waitfor = Vec::with_capacity(count);
        for i in 0..count {
            objects.push((field(i, 0), self.waitable(field(i, 0))?));
            waitfor.push(field(i, 1));
        }
        let (result, states) = self.wait_loop(&objects, deadline, &mut |s| {
            s.iter().zip(&waitfor).any(|(st, w)| st & w != 0)
        });
        let mut out = raw.clone();
        for (i, st) in states.iter().enumerate() {
            let o = i * WAIT_ITEM_SIZE + 8;
            out[o..o + 4].copy_from_slice(&st.to_le_bytes());
        }
        write_bytes(self.aspace(), items, &out)?;
        result
    }

    /// `zx_object_signal`.
    pub fn object_signal(&self, h: HandleValue, clear: u32, set: u32) -> ZxResult {
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::SIGNAL) {
            return Err(ZxError::ACCESS_DENIED);
        }
        if (clear | set) & !user_settable(&*handle.object) != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        handle.object.base().signal_change(clear, set);
        Ok(())
    }

    /// `zx_object_signal_peer`: the peered objects (event pairs, channels,
    /// sockets, FIFOs) only.
    pub fn object_signal_peer(&self, h: HandleValue, clear: u32, set: u32) -> ZxResult {
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::SIGNAL_PEER) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let peer: Option<Arc<dyn KernelObject>> =
            if let Some(ep) = handle.object.clone().downcast_arc::<EventPair>() {
                ep.peer().map(|p| p as Arc<dyn KernelObject>)
            } else if let Some(ch) = handle.object.clone().downcast_arc::<Channel>() {
                ch.peer().map(|p| p as Arc<dyn KernelObject>)
            } else if let Some(s) = handle.object.clone().downcast_arc::<Socket>() {
                s.peer().map(|p| p as Arc<dyn KernelObject>)
            } else if let Some(f) = handle.object.clone().downcast_arc::<Fifo>() {
                f.peer().map(|p| p as Arc<dyn KernelObject>)
            } else {
                return Err(ZxError::NOT_SUPPORTED);
            };
        let allowed = user_settable(&*handle.object);
        if (clear | set) & !allowed != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let peer = peer.ok_or(ZxError::PEER_CLOSED)?;
        peer.base().signal_change(clear, set);
        Ok(())
    }

    /// `zx_event_create`.
    pub fn event_create(&self, options: u32, out: UserOutPtr<u32>) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewEvent)?;
        self.add_handle_out(Event::new(), DEFAULT_EVENT_RIGHTS, out)
    }

    /// `zx_eventpair_create`.
    pub fn eventpair_create(
        &self,
        options: u32,
        out0: UserOutPtr<u32>,
        out1: UserOutPtr<u32>,
    ) -> ZxResult {
        if options != 0 {
            return Err(ZxError::NOT_SUPPORTED);
        }
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewEventPair)?;
        let (a, b) = EventPair::create();
        self.add_pair(a, b, DEFAULT_EVENTPAIR_RIGHTS, out0, out1)
    }
}
