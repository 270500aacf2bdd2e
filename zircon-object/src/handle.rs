//! Handles and the per-process handle table.
//!
//! A handle is an object reference plus rights. Handle *values* are what a
//! process sees: 32-bit numbers with the two low bits set
//! (`ZX_HANDLE_FIXED_BITS_MASK`), drawn at random so they cannot be guessed,
//! and kept out of circulation for a while after they are closed so a stale
//! value does not silently name a new object.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::object::KernelObject;
use crate::{Rights, ZxError, ZxResult};

/// Hashes handle values for the handle table. Values are drawn from the
/// table's own random sequence ([`HandleTable::add`]); a guest cannot choose
/// them, so SipHash's resistance to chosen keys buys nothing here, and it
/// was the largest single cost of a handle lookup on the syscall path
/// (`zx_vmo_get_size`). A multiply spreads the value's random bits upward
/// and the fold brings high bits down to where the bucket index is taken
/// (a value's low two bits are always set).
#[derive(Debug, Default, Clone, Copy)]
pub struct ValueHasher(u64);

/// An odd constant with well-mixed bits (2^64 / φ).
const VALUE_HASH_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for ValueHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(VALUE_HASH_MULTIPLIER);
        }
    }

    fn write_u32(&mut self, v: u32) {
        self.0 = (self.0 ^ u64::from(v)).wrapping_mul(VALUE_HASH_MULTIPLIER);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

/// The hasher of the handle table's maps.
type ValueHash = BuildHasherDefault<ValueHasher>;

/// A raw handle value (`zx_handle_t`).
pub type HandleValue = u32;

/// `ZX_HANDLE_INVALID`.
pub const INVALID_HANDLE: HandleValue = 0;

/// A handle's identity, never reused: what an async wait remembers of the
/// handle it was registered through (Zircon matches those by the handle,
/// not the object), so closing that handle, or `zx_port_cancel` naming it,
/// finds exactly its waits. A handle keeps its identity while it travels in
/// a channel message; a duplicate or replacement is a new handle.
pub type HandleId = u64;

/// The next [`HandleId`].
static NEXT_HANDLE_ID: AtomicU64 = AtomicU64::new(1);

/// How many closed values stay out of circulation.
const QUARANTINE: usize = 4096;

/// A handle: a reference to a kernel object together with the rights it
/// grants. Each one counts towards its object's `ZX_INFO_HANDLE_COUNT`
/// for as long as it exists, in a handle table or in a channel message, so
/// it cannot be cloned; code that only needs to look at the object takes a
/// [`HandleRef`].
#[derive(Debug)]
pub struct Handle {
    /// The object.
    pub object: Arc<dyn KernelObject>,
    /// The rights this handle carries.
    pub rights: Rights,
    /// Its identity.
    id: HandleId,
}

impl Handle {
    /// Creates a handle to `object` with `rights`.
    pub fn new(object: Arc<dyn KernelObject>, rights: Rights) -> Self {
        object.base().handle_created();
        let id = NEXT_HANDLE_ID.fetch_add(1, Ordering::Relaxed);
        Handle { object, rights, id }
    }

    /// Returns the handle's identity.
    pub fn id(&self) -> HandleId {
        self.id
    }

    /// Returns an uncounted view of this handle.
    pub fn to_ref(&self) -> HandleRef {
        HandleRef {
            object: self.object.clone(),
            rights: self.rights,
            id: self.id,
        }
    }

    /// Ends what was waiting through this handle, which is going away:
    /// synchronous waits on it wake (and end with `CANCELED`), and async
    /// waits registered through it are cancelled (packets they already
    /// queued stay queued), as when Zircon deletes a handle.
    pub fn cancel_waits(&self) {
        self.object.base().handle_closing(self.id);
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.object.base().handle_dropped();
    }
}

/// What a handle names and allows, without being a handle: a syscall's
/// working copy, taken so the handle table lock need not be held.
#[derive(Debug, Clone)]
pub struct HandleRef {
    /// The object.
    pub object: Arc<dyn KernelObject>,
    /// The rights of the handle it was taken from.
    pub rights: Rights,
    /// The identity of the handle it was taken from.
    pub id: HandleId,
}

/// A process's handle table.
#[derive(Debug)]
pub struct HandleTable {
    handles: HashMap<HandleValue, Handle, ValueHash>,
    /// The last [`QUARANTINE`] values closed, oldest first, and the same
    /// values as a set (a new value is checked against it on every add).
    recently_closed: VecDeque<HandleValue>,
    quarantined: HashSet<HandleValue, ValueHash>,
    rng: u64,
}

impl Default for HandleTable {
    fn default() -> Self {
        Self::new()
    }
}

impl HandleTable {
    /// Creates an empty table with its own random value sequence.
    pub fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            ^ crate::object::new_koid().wrapping_mul(0x9E37_79B9_7F4A_7C15);
        HandleTable {
            handles: HashMap::default(),
            recently_closed: VecDeque::new(),
            quarantined: Default::default(),
            rng: seed | 1,
        }
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*: fast, and plenty to make handle values unguessable by
        // a guest that cannot see the seed.
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Adds a handle and returns its new value.
    pub fn add(&mut self, handle: Handle) -> HandleValue {
        loop {
            let v = ((self.next_random() >> 32) as u32) | 0x3;
            if v == u32::MAX || self.handles.contains_key(&v) || self.quarantined.contains(&v) {
                continue;
            }
            self.handles.insert(v, handle);
            return v;
        }
    }

    /// Returns the handle named `value`. A miss is noted for the job
    /// policy's `ZX_POL_BAD_HANDLE` ([`take_failed_lookup`]).
    pub fn get(&self, value: HandleValue) -> ZxResult<&Handle> {
        self.handles.get(&value).ok_or_else(failed_lookup)
    }

    /// [`HandleTable::get`] for the calls that only ask whether a handle
    /// exists (`ZX_INFO_HANDLE_VALID`, `zx_handle_check_valid`): a miss is
    /// an answer, not a policy matter.
    pub fn get_quiet(&self, value: HandleValue) -> ZxResult<&Handle> {
        self.handles.get(&value).ok_or(ZxError::BAD_HANDLE)
    }

    /// Looks `value` up as an object of type `T` and checks that it has
    /// `rights`. Type is checked before rights, as Zircon does.
    pub fn get_object<T: KernelObject>(
        &self,
        value: HandleValue,
        rights: Rights,
    ) -> ZxResult<(Arc<T>, Rights)> {
        let h = self.get(value)?;
        let obj = h
            .object
            .clone()
            .downcast_arc::<T>()
            .ok_or(ZxError::WRONG_TYPE)?;
        if !h.rights.contains(rights) {
            return Err(ZxError::ACCESS_DENIED);
        }
        Ok((obj, h.rights))
    }

    /// Like [`HandleTable::get_object`], but lends the object to `f` instead
    /// of taking a reference to it (two atomic operations fewer, for the
    /// calls that only read a word of the object). `f` runs under the
    /// handle table's lock, so it must take no lock at all.
    pub fn with_object<T: KernelObject, R>(
        &self,
        value: HandleValue,
        rights: Rights,
        f: impl FnOnce(&T) -> R,
    ) -> ZxResult<R> {
        let h = self.get(value)?;
        let obj = h.object.downcast_ref::<T>().ok_or(ZxError::WRONG_TYPE)?;
        if !h.rights.contains(rights) {
            return Err(ZxError::ACCESS_DENIED);
        }
        Ok(f(obj))
    }

    /// Removes and returns the handle named `value`.
    pub fn remove(&mut self, value: HandleValue) -> ZxResult<Handle> {
        let h = self.handles.remove(&value).ok_or_else(failed_lookup)?;
        if self.recently_closed.len() == QUARANTINE {
            if let Some(old) = self.recently_closed.pop_front() {
                self.quarantined.remove(&old);
            }
        }
        self.recently_closed.push_back(value);
        self.quarantined.insert(value);
        Ok(h)
    }

    /// Puts `handle` back under `value`, which must be free: undoes a
    /// [`HandleTable::remove`] when a later step of a syscall fails.
    pub fn restore(&mut self, value: HandleValue, handle: Handle) {
        if self.quarantined.remove(&value) {
            self.recently_closed.retain(|&v| v != value);
        }
        let old = self.handles.insert(value, handle);
        debug_assert!(old.is_none(), "restoring over a live handle");
    }

    /// Every open handle with its value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (HandleValue, &Handle)> {
        self.handles.iter().map(|(v, h)| (*v, h))
    }

    /// Returns the number of open handles.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Returns whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Removes every handle (process teardown).
    pub fn clear(&mut self) -> Vec<Handle> {
        self.handles.drain().map(|(_, h)| h).collect()
    }
}

thread_local! {
    /// Whether a handle lookup of this host thread failed since the last
    /// [`take_failed_lookup`] (Zircon enforces `ZX_POL_BAD_HANDLE` at the
    /// lookup; the dispatcher does it as the syscall returns, which a guest
    /// cannot tell apart).
    static FAILED_LOOKUP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn failed_lookup() -> ZxError {
    FAILED_LOOKUP.with(|f| f.set(true));
    ZxError::BAD_HANDLE
}

/// Returns (and clears) whether a handle lookup of this host thread failed
/// since the last call.
pub fn take_failed_lookup() -> bool {
    FAILED_LOOKUP.with(|f| f.replace(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::event::Event;
    use crate::ipc::port::Port;
    use std::hash::BuildHasher;

    #[test]
    fn with_object_checks_type_before_rights_and_lends_the_object() {
        let mut t = HandleTable::new();
        let e = Event::new();
        let koid = e.koid();
        let v = t.add(Handle::new(e, Rights::READ));
        assert_eq!(
            t.with_object::<Event, _>(v, Rights::READ, |e| e.koid()),
            Ok(koid)
        );
        assert_eq!(
            t.with_object::<Port, _>(v, Rights::WRITE, |_| ()),
            Err(ZxError::WRONG_TYPE)
        );
        assert_eq!(
            t.with_object::<Event, _>(v, Rights::WRITE, |_| ()),
            Err(ZxError::ACCESS_DENIED)
        );
        assert_eq!(
            t.with_object::<Event, _>(v ^ 0x10, Rights::empty(), |_| ()),
            Err(ZxError::BAD_HANDLE)
        );
    }

    #[test]
    fn handle_values_hash_to_spread_buckets() {
        // Values as `add` makes them (low two bits set): the bits a bucket
        // index is taken from must still vary.
        let hash = ValueHash::default();
        let mut low = HashSet::new();
        let mut rng = HandleTable::new();
        for _ in 0..4096 {
            let v = ((rng.next_random() >> 32) as u32) | 0x3;
            low.insert(hash.hash_one(v) & 0xff);
        }
        assert!(low.len() > 240, "only {} of 256 low-byte values", low.len());
    }
}
