//! User pagers (`zx_pager_*`): a [`Pager`] object and the [`PageSource`]
//! behind each VMO it creates.
//!
//! A pager-backed VMO starts with no page present. Whoever needs a page
//! that is not present (a guest fault through any mapping, `zx_vmo_read`,
//! a commit, ...) raises a *read request* on the VMO's source and waits on
//! its [`Completion`]; the source tells the pager with a
//! `ZX_PKT_TYPE_PAGE_REQUEST` packet on the port given at creation, and the
//! pager answers with `zx_pager_supply_pages` (the request completes once
//! all its pages are present) or `zx_pager_op_range(ZX_PAGER_OP_FAIL)` (it
//! completes with the pager's status). Zircon's rules (`page_source.cc`,
//! `pager_proxy.cc`), which this follows:
//!
//! * Outstanding requests never overlap: a need that starts inside one
//!   waits on it, and a new request stops where the next outstanding one
//!   starts. A fault asks for one page; a syscall asks for the whole run of
//!   missing pages it needs (batching), up to the next present page or
//!   outstanding request.
//! * A `ZX_VMO_TRAP_DIRTY` VMO also raises *dirty requests*
//!   (`ZX_PAGER_VMO_DIRTY`) before a clean page is written, answered by
//!   `ZX_PAGER_OP_DIRTY`; they follow the same rules, apart from read
//!   requests, and share the packet slot.
//! * A need whose wait is cut short (a kill, a suspension) gives its
//!   request up; the last one to do so withdraws it (and its packet, if
//!   the pager has not taken it), so a resumed thread asks again.
//! * A source has one packet in its port at a time. Further requests (and
//!   the final `ZX_PAGER_VMO_COMPLETE`) wait in order until the pager has
//!   taken that one off the port. A request completed before its packet was
//!   taken takes its packet back.
//! * Detaching (`zx_pager_detach_vmo`, or the VMO going away) completes
//!   every outstanding request with `ZX_ERR_BAD_STATE`, takes their packets
//!   back and queues `ZX_PAGER_VMO_COMPLETE`; later requests fail with
//!   `BAD_STATE` at once. When the pager object goes (its last handle is
//!   closed; nothing else holds it), its sources are closed: detached, and
//!   no packet of theirs is left in the port, the COMPLETE included.
//!
//! Waiting never happens with a lock held (docs/LOCKING.md rule 1): the VM
//! raises a request under the VMO's lock, releases everything, then waits
//! ([`Completion::wait`]). A guest fault that needs a page is taken out of
//! the signal handler first (docs/DESIGN.md decision 27).
//!
//! Lock order: `VmObject::inner` → `PageSource::state` → `Port::inner` →
//! `Completion::state` → `Waiter::poked`. `Pager::sources` is a leaf.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Weak};

use kernel_hal::{HalRef, PAGE_SIZE};

use super::vmo::VmObject;
use crate::ipc::port::{PacketOwner, Port, PortPacket, PKT_TYPE_PAGE_REQUEST};
use crate::object::{KObjectBase, Koid, ObjType, Waiter};
use crate::sync::Mutex;
use crate::task::{BlockedGuard, BlockedReason, Thread};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_VMO_TRAP_DIRTY`: writes to clean pages go to the pager first.
pub const ZX_VMO_TRAP_DIRTY: u32 = 1 << 3;

/// `ZX_PAGER_VMO_READ`
pub const ZX_PAGER_VMO_READ: u16 = 0;
/// `ZX_PAGER_VMO_COMPLETE`
pub const ZX_PAGER_VMO_COMPLETE: u16 = 1;
/// `ZX_PAGER_VMO_DIRTY`
pub const ZX_PAGER_VMO_DIRTY: u16 = 2;

/// `ZX_PAGER_OP_FAIL`
pub const ZX_PAGER_OP_FAIL: u32 = 1;
/// `ZX_PAGER_OP_DIRTY`
pub const ZX_PAGER_OP_DIRTY: u32 = 2;
/// `ZX_PAGER_OP_WRITEBACK_BEGIN`
pub const ZX_PAGER_OP_WRITEBACK_BEGIN: u32 = 3;
/// `ZX_PAGER_OP_WRITEBACK_END`
pub const ZX_PAGER_OP_WRITEBACK_END: u32 = 4;

/// `ZX_DEFAULT_PAGER_RIGHTS`
pub const DEFAULT_PAGER_RIGHTS: Rights = Rights::INSPECT
    .union(Rights::TRANSFER)
    .union(Rights::ATTACH_VMO)
    .union(Rights::MANAGE_VMO);

/// Returns whether `status` is one a pager may fail a range with
/// (`PageSource::IsValidFailureCode`).
pub fn is_valid_failure_code(status: i32) -> bool {
    [
        ZxError::IO,
        ZxError::IO_DATA_INTEGRITY,
        ZxError::BAD_STATE,
        ZxError::NO_SPACE,
        ZxError::BUFFER_TOO_SMALL,
    ]
    .iter()
    .any(|e| *e as i32 == status)
}

thread_local! {
    /// The guest thread this host thread runs, so that a wait for a pager
    /// deep inside the VM can be marked blocked and ended by a kill.
    static CURRENT_THREAD: RefCell<Option<Weak<Thread>>> = const { RefCell::new(None) };
}

/// Names the guest thread the calling host thread runs (the syscall layer
/// sets it with its own current thread), or none.
pub fn set_current_thread(thread: Option<&Arc<Thread>>) {
    CURRENT_THREAD.with(|c| *c.borrow_mut() = thread.map(Arc::downgrade));
}

fn current_thread() -> Option<Arc<Thread>> {
    CURRENT_THREAD.with(|c| c.borrow().as_ref().and_then(Weak::upgrade))
}

/// A pager (`ZX_OBJ_TYPE_PAGER`). Only handles hold it, so its drop is
/// the close of its last handle: every source it made is closed then.
#[derive(Debug)]
pub struct Pager {
    base: KObjectBase,
    /// The sources of this pager's live VMOs (a VMO owns its source).
    /// A leaf lock.
    sources: Mutex<Vec<Weak<PageSource>>>,
}

impl_kobject!(Pager, ObjType::Pager);

impl Pager {
    /// Creates a pager (`zx_pager_create`).
    pub fn new() -> Arc<Pager> {
        Arc::new(Pager {
            base: KObjectBase::default(),
            sources: Mutex::new(Vec::new()),
        })
    }

    /// Creates a VMO this pager backs (`zx_pager_create_vmo`): requests go
    /// to `port` with `key`. `options` may hold `ZX_VMO_RESIZABLE` or
    /// `ZX_VMO_UNBOUNDED` (not both), and `ZX_VMO_TRAP_DIRTY`; any other bit
    /// → `INVALID_ARGS`; a size past the largest VMO → `OUT_OF_RANGE`.
    pub fn create_vmo(
        &self,
        hal: HalRef,
        options: u32,
        port: Arc<Port>,
        key: u64,
        size: u64,
    ) -> ZxResult<Arc<VmObject>> {
        use super::vmo::{MAX_VMO_SIZE, ZX_VMO_RESIZABLE, ZX_VMO_UNBOUNDED};
        let trap_dirty = options & ZX_VMO_TRAP_DIRTY != 0;
        let vmo_options = options & !ZX_VMO_TRAP_DIRTY;
        let resizable = vmo_options & ZX_VMO_RESIZABLE != 0;
        let unbounded = vmo_options & ZX_VMO_UNBOUNDED != 0;
        if vmo_options & !(ZX_VMO_RESIZABLE | ZX_VMO_UNBOUNDED) != 0 || (resizable && unbounded) {
            return Err(ZxError::INVALID_ARGS);
        }
        let rounded = super::vmo::round_vmo_size(size)?;
        // An unbounded VMO is as big as a VMO can be; `size` is its content.
        let (size, content) = if unbounded {
            (MAX_VMO_SIZE as usize, size as usize)
        } else {
            (rounded, size as usize)
        };
        let source = Arc::new_cyclic(|me| PageSource {
            pager_koid: self.base.koid(),
            port,
            key,
            trap_dirty,
            self_ref: me.clone(),
            state: Mutex::new(SourceState::default()),
            supply: Mutex::new(()),
        });
        let vmo =
            VmObject::create_pager_backed(hal, size, content, resizable, unbounded, source.clone());
        let mut sources = self.sources.lock();
        sources.retain(|s| s.strong_count() > 0);
        sources.push(Arc::downgrade(&source));
        Ok(vmo)
    }
}

impl Drop for Pager {
    fn drop(&mut self) {
        let sources: Vec<Arc<PageSource>> = std::mem::take(&mut *self.sources.lock())
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for s in sources {
            s.close();
        }
    }
}

/// The outcome of one read request, which any number of needs wait on.
#[derive(Debug, Default)]
pub struct Completion {
    /// The result once completed, and the waiters to poke then; a leaf
    /// but for `Waiter::poked`.
    state: Mutex<CompletionState>,
}

#[derive(Debug, Default)]
struct CompletionState {
    result: Option<ZxResult>,
    waiters: Vec<Weak<Waiter>>,
}

impl Completion {
    fn complete(&self, result: ZxResult) {
        let mut st = self.state.lock();
        if st.result.is_none() {
            st.result = Some(result);
        }
        for w in st.waiters.drain(..).filter_map(|w| w.upgrade()) {
            w.poke();
        }
    }

    /// Blocks, with no lock held, until the request completes; the
    /// calling guest thread (if any) shows `ZX_THREAD_STATE_BLOCKED_PAGER`.
    /// A kill ends the wait with `INTERNAL_INTR_KILLED`, a suspension with
    /// `INTERNAL_INTR_RETRY` (the need is raised again on resume).
    pub fn wait(&self) -> ZxResult {
        let waiter = Waiter::new();
        let _blocked = BlockedGuard::new(current_thread(), BlockedReason::Pager, &waiter);
        loop {
            {
                let mut st = self.state.lock();
                if let Some(r) = st.result {
                    return r;
                }
                st.waiters.retain(|w| w.strong_count() > 0);
                st.waiters.push(Arc::downgrade(&waiter));
            }
            waiter.sleep(None);
            if waiter.is_killed() {
                return Err(ZxError::INTERNAL_INTR_KILLED);
            }
            if waiter.take_interrupt() {
                return Err(ZxError::INTERNAL_INTR_RETRY);
            }
        }
    }

    /// Returns the result if the request has completed.
    pub fn result(&self) -> Option<ZxResult> {
        self.state.lock().result
    }
}

/// The two kinds of request a source raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `ZX_PAGER_VMO_READ`: supply missing pages.
    Read = 0,
    /// `ZX_PAGER_VMO_DIRTY`: let clean pages of a `ZX_VMO_TRAP_DIRTY` VMO
    /// be written (`ZX_PAGER_OP_DIRTY`).
    Dirty = 1,
}

/// What the source's one packet slot carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Message {
    /// The packet of the outstanding request of this kind starting here.
    Request(Kind, usize),
    /// `ZX_PAGER_VMO_COMPLETE`.
    Complete,
}

#[derive(Debug)]
struct Request {
    end: usize,
    done: Arc<Completion>,
    /// Needs waiting on it; when the last gives up (a kill, a suspension)
    /// the request is withdrawn, as Zircon cancels an abandoned request.
    waiters: usize,
}

/// One need's hold on an outstanding request: wait on it with
/// [`Ticket::wait`].
#[derive(Debug)]
pub(crate) struct Ticket {
    source: Arc<PageSource>,
    kind: Kind,
    start: usize,
    done: Arc<Completion>,
}

impl Ticket {
    /// Waits for the request (see [`Completion::wait`]); a wait cut short
    /// by a kill or a suspension lets go of the request, which is
    /// withdrawn (its packet too, if the pager has not taken it) when no
    /// other need waits on it.
    pub(crate) fn wait(self) -> ZxResult {
        let r = self.done.wait();
        if matches!(
            r,
            Err(ZxError::INTERNAL_INTR_KILLED | ZxError::INTERNAL_INTR_RETRY)
        ) {
            self.source.abandon(self.kind, self.start, &self.done);
        }
        r
    }
}

#[derive(Debug, Default)]
struct SourceState {
    /// No request will ever be sent again (detached, or the VMO is gone).
    detached: bool,
    /// The pager is gone: no packet at all any more.
    closed: bool,
    /// Outstanding read and dirty requests (by [`Kind`]) by start offset;
    /// requests of one kind never overlap.
    requests: [BTreeMap<usize, Request>; 2],
    /// The message whose packet is in the port now, with its token.
    active: Option<(Message, u64)>,
    /// Messages waiting for the slot, oldest first.
    queued: VecDeque<Message>,
    next_token: u64,
}

/// The pager side of one pager-backed VMO (Zircon's `PageSource` with its
/// `PagerProxy`): outstanding requests, the packet slot, the port.
#[derive(Debug)]
pub struct PageSource {
    pager_koid: Koid,
    port: Arc<Port>,
    key: u64,
    trap_dirty: bool,
    self_ref: Weak<PageSource>,
    /// Requests and the packet slot. Taken under the VMO's `inner`; takes
    /// the port's lock and completions' locks.
    state: Mutex<SourceState>,
    /// Serializes supplies to the VMO (held across the copy from the
    /// auxiliary VMO, never while waiting).
    supply: Mutex<()>,
}

impl PageSource {
    /// The koid of the pager that made this source.
    pub fn pager_koid(&self) -> Koid {
        self.pager_koid
    }

    /// Whether the VMO was made with `ZX_VMO_TRAP_DIRTY`.
    pub fn trap_dirty(&self) -> bool {
        self.trap_dirty
    }

    /// Whether requests can no longer be served (detached or closed).
    pub fn is_detached(&self) -> bool {
        self.state.lock().detached
    }

    pub(crate) fn supply_lock(&self) -> crate::sync::MutexGuard<'_, ()> {
        self.supply.lock()
    }

    fn owner(&self) -> Weak<dyn PacketOwner> {
        self.self_ref.clone()
    }

    /// Raises (or joins) a read request for `[start, end)`, page aligned,
    /// every page of which is missing; called under the VMO's lock. A need
    /// that starts inside an outstanding request waits on it; otherwise the
    /// new request ends where the next outstanding one begins. Detached →
    /// `BAD_STATE`.
    pub(crate) fn request(&self, kind: Kind, start: usize, end: usize) -> ZxResult<Ticket> {
        debug_assert!(start < end && start.is_multiple_of(PAGE_SIZE));
        let source = self.self_ref.upgrade().ok_or(ZxError::BAD_STATE)?;
        let mut st = self.state.lock();
        if st.detached {
            return Err(ZxError::BAD_STATE);
        }
        let map = &mut st.requests[kind as usize];
        if let Some((&s, r)) = map.range_mut(..=start).next_back() {
            if r.end > start {
                r.waiters += 1;
                return Ok(Ticket {
                    source,
                    kind,
                    start: s,
                    done: r.done.clone(),
                });
            }
        }
        let end = map.range(start..).next().map_or(end, |(&s, _)| s.min(end));
        let done = Arc::new(Completion::default());
        map.insert(
            start,
            Request {
                end,
                done: done.clone(),
                waiters: 1,
            },
        );
        self.send_locked(&mut st, Message::Request(kind, start));
        Ok(Ticket {
            source,
            kind,
            start,
            done,
        })
    }

    /// A need waiting on the request of `kind` at `start` (if it is still
    /// the one whose completion is `done`) gave up; the last one to give
    /// up withdraws it.
    fn abandon(&self, kind: Kind, start: usize, done: &Arc<Completion>) {
        let mut st = self.state.lock();
        let Some(r) = st.requests[kind as usize].get_mut(&start) else {
            return;
        };
        if !Arc::ptr_eq(&r.done, done) {
            return;
        }
        r.waiters = r.waiters.saturating_sub(1);
        if r.waiters == 0 {
            st.requests[kind as usize].remove(&start);
            self.withdraw_locked(&mut st, Message::Request(kind, start));
        }
    }

    /// Puts `msg` in the packet slot, or in line for it.
    fn send_locked(&self, st: &mut SourceState, msg: Message) {
        if st.closed {
            return;
        }
        if st.active.is_some() {
            st.queued.push_back(msg);
            return;
        }
        let (command, offset, length) = match msg {
            Message::Request(kind, start) => {
                let r = &st.requests[kind as usize][&start];
                let command = match kind {
                    Kind::Read => ZX_PAGER_VMO_READ,
                    Kind::Dirty => ZX_PAGER_VMO_DIRTY,
                };
                (command, start, r.end - start)
            }
            Message::Complete => (ZX_PAGER_VMO_COMPLETE, 0, 0),
        };
        st.next_token += 1;
        let token = st.next_token;
        st.active = Some((msg, token));
        let mut payload = [0u8; 32];
        payload[0..2].copy_from_slice(&command.to_le_bytes());
        payload[8..16].copy_from_slice(&(offset as u64).to_le_bytes());
        payload[16..24].copy_from_slice(&(length as u64).to_le_bytes());
        let packet = PortPacket {
            key: self.key,
            ty: PKT_TYPE_PAGE_REQUEST,
            status: 0,
            payload,
        };
        self.port.queue_owned(packet, self.owner(), token);
    }

    /// The slot is free again: sends the next message in line.
    fn slot_freed_locked(&self, st: &mut SourceState) {
        st.active = None;
        if let Some(msg) = st.queued.pop_front() {
            self.send_locked(st, msg);
        }
    }

    /// Takes `msg` back from the port or the line, if it is there.
    fn withdraw_locked(&self, st: &mut SourceState, msg: Message) {
        match st.active {
            Some((m, token)) if m == msg => {
                if self.port.cancel_owned(&self.owner(), token) {
                    self.slot_freed_locked(st);
                }
            }
            _ => st.queued.retain(|m| *m != msg),
        }
    }

    /// Completes the outstanding request of `kind` starting at `start`.
    fn finish_locked(&self, st: &mut SourceState, kind: Kind, start: usize, result: ZxResult) {
        if let Some(r) = st.requests[kind as usize].remove(&start) {
            self.withdraw_locked(st, Message::Request(kind, start));
            r.done.complete(result);
        }
    }

    /// Completes the requests of `kind` overlapping `[start, end)` for
    /// which `done` says so, with `result`.
    fn finish_where(
        &self,
        kind: Kind,
        start: usize,
        end: usize,
        done: &dyn Fn(usize, usize) -> bool,
        result: ZxResult,
    ) {
        let mut st = self.state.lock();
        let hit: Vec<usize> = st.requests[kind as usize]
            .iter()
            .filter(|(&s, r)| s < end && r.end > start && done(s, r.end))
            .map(|(&s, _)| s)
            .collect();
        for s in hit {
            self.finish_locked(&mut st, kind, s, result);
        }
    }

    /// Pages of `[start, end)` were supplied: completes every outstanding
    /// read request overlapping it whose pages are all present now
    /// (`present` answers for a range). Called under the VMO's lock.
    pub(crate) fn on_supplied(
        &self,
        start: usize,
        end: usize,
        present: &dyn Fn(usize, usize) -> bool,
    ) {
        self.finish_where(Kind::Read, start, end, present, Ok(()));
    }

    /// Pages of `[start, end)` became dirty (`ZX_PAGER_OP_DIRTY`):
    /// completes the dirty requests overlapping it that `dirty` says are
    /// all dirty now. Called under the VMO's lock.
    pub(crate) fn on_dirtied(
        &self,
        start: usize,
        end: usize,
        dirty: &dyn Fn(usize, usize) -> bool,
    ) {
        self.finish_where(Kind::Dirty, start, end, dirty, Ok(()));
    }

    /// `ZX_PAGER_OP_FAIL`: completes every outstanding request (of either
    /// kind) overlapping `[start, end)` with `status`.
    pub(crate) fn fail(&self, start: usize, end: usize, status: ZxError) {
        for kind in [Kind::Read, Kind::Dirty] {
            self.finish_where(kind, start, end, &|_, _| true, Err(status));
        }
    }

    /// The VMO is resized to `size`: requests past it fail (`OUT_OF_RANGE`
    /// is what a need past the end gets anyway when it retries) and the
    /// ones across it are cut.
    pub(crate) fn on_resize(&self, size: usize) {
        let mut st = self.state.lock();
        for kind in [Kind::Read, Kind::Dirty] {
            let past: Vec<usize> = st.requests[kind as usize]
                .range(size..)
                .map(|(&s, _)| s)
                .collect();
            for s in past {
                self.finish_locked(&mut st, kind, s, Ok(()));
            }
            if let Some((_, r)) = st.requests[kind as usize].range_mut(..size).next_back() {
                r.end = r.end.min(size);
            }
        }
    }

    /// Detaches (`zx_pager_detach_vmo`, or the VMO is gone): outstanding
    /// requests fail with `BAD_STATE` and their packets are taken back,
    /// then `ZX_PAGER_VMO_COMPLETE` is sent. Only the first call counts.
    pub fn detach(&self) {
        let mut st = self.state.lock();
        if st.detached {
            return;
        }
        st.detached = true;
        for kind in [Kind::Read, Kind::Dirty] {
            let all: Vec<usize> = st.requests[kind as usize].keys().copied().collect();
            for s in all {
                self.finish_locked(&mut st, kind, s, Err(ZxError::BAD_STATE));
            }
        }
        self.send_locked(&mut st, Message::Complete);
    }

    /// The pager is gone: detaches, and takes every packet of this source
    /// back from the port (the COMPLETE too); nothing is sent any more.
    fn close(&self) {
        self.detach();
        let mut st = self.state.lock();
        st.closed = true;
        st.queued.clear();
        if let Some((_, token)) = st.active.take() {
            self.port.cancel_owned(&self.owner(), token);
        }
    }

    /// Returns the outstanding read requests as `(start, end)` (tests).
    pub fn outstanding(&self) -> Vec<(usize, usize)> {
        let st = self.state.lock();
        st.requests[0].iter().map(|(&s, r)| (s, r.end)).collect()
    }
}

impl PacketOwner for PageSource {
    fn packet_taken(&self, token: u64) {
        let mut st = self.state.lock();
        if st.active.is_some_and(|(_, t)| t == token) {
            self.slot_freed_locked(&mut st);
        }
    }
}

#[cfg(test)]
mod tests;
