//! The kernel-object base: koids, names, object types and downcasting.
//!
//! Every object a handle can name implements [`KernelObject`]. The common
//! state lives in [`KObjectBase`]; concrete types embed one and expose it.

use std::any::Any;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A kernel object id (`zx_koid_t`). 0 is `ZX_KOID_INVALID`.
pub type Koid = u64;

/// `ZX_MAX_NAME_LEN`: names hold at most 31 bytes plus a NUL.
pub const ZX_MAX_NAME_LEN: usize = 32;

/// Object types (`ZX_OBJ_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
#[allow(missing_docs)]
pub enum ObjType {
    None = 0,
    Process = 1,
    Thread = 2,
    Vmo = 3,
    Channel = 4,
    Event = 5,
    Port = 6,
    Interrupt = 9,
    Socket = 14,
    Resource = 15,
    EventPair = 16,
    Job = 17,
    Vmar = 18,
    Exception = 29,
}

static NEXT_KOID: AtomicU64 = AtomicU64::new(1024);

/// Returns a fresh, never reused koid.
pub fn new_koid() -> Koid {
    NEXT_KOID.fetch_add(1, Ordering::Relaxed)
}

/// State every kernel object has.
#[derive(Debug)]
pub struct KObjectBase {
    koid: Koid,
    name: Mutex<String>,
}

impl Default for KObjectBase {
    fn default() -> Self {
        Self::with_name("")
    }
}

impl KObjectBase {
    /// Creates the base of a new object named `name` (truncated to 31 bytes).
    pub fn with_name(name: &str) -> Self {
        let base = KObjectBase {
            koid: new_koid(),
            name: Mutex::new(String::new()),
        };
        base.set_name(name.as_bytes());
        base
    }

    /// Returns the koid.
    pub fn koid(&self) -> Koid {
        self.koid
    }

    /// Returns the name.
    pub fn name(&self) -> String {
        self.name.lock().unwrap().clone()
    }

    /// Sets the name from raw bytes: stops at the first NUL, truncates to
    /// `ZX_MAX_NAME_LEN - 1` bytes (as Zircon's `Name` does) and replaces
    /// invalid UTF-8 losslessly enough for display.
    pub fn set_name(&self, raw: &[u8]) {
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let raw = &raw[..end.min(ZX_MAX_NAME_LEN - 1)];
        *self.name.lock().unwrap() = String::from_utf8_lossy(raw).into_owned();
    }

    /// Returns the name as Zircon's fixed 32-byte NUL-padded array.
    pub fn name_bytes(&self) -> [u8; ZX_MAX_NAME_LEN] {
        let mut out = [0u8; ZX_MAX_NAME_LEN];
        let name = self.name.lock().unwrap();
        let n = name.len().min(ZX_MAX_NAME_LEN - 1);
        out[..n].copy_from_slice(&name.as_bytes()[..n]);
        out
    }
}

/// A kernel object that handles can refer to.
pub trait KernelObject: Any + Send + Sync + Debug {
    /// Returns the common object state.
    fn base(&self) -> &KObjectBase;
    /// Returns the object's type.
    fn obj_type(&self) -> ObjType;
    /// Returns the koid of the related object (a process's job, a VMAR's
    /// process...), or 0.
    fn related_koid(&self) -> Koid {
        0
    }
    /// Converts to `Arc<dyn Any>` for downcasting.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;

    /// Returns the koid.
    fn koid(&self) -> Koid {
        self.base().koid()
    }
}

impl dyn KernelObject {
    /// Downcasts to a concrete object type.
    pub fn downcast_arc<T: KernelObject>(self: Arc<Self>) -> Option<Arc<T>> {
        self.into_any().downcast::<T>().ok()
    }
}

/// Implements the boilerplate of [`KernelObject`] for a type with a `base`
/// field.
#[macro_export]
macro_rules! impl_kobject {
    ($ty:ty, $kind:expr $(, related = $rel:expr)?) => {
        impl $crate::object::KernelObject for $ty {
            fn base(&self) -> &$crate::object::KObjectBase {
                &self.base
            }
            fn obj_type(&self) -> $crate::object::ObjType {
                $kind
            }
            $(fn related_koid(&self) -> $crate::object::Koid {
                #[allow(clippy::redundant_closure_call)]
                ($rel)(self)
            })?
            fn into_any(
                self: ::std::sync::Arc<Self>,
            ) -> ::std::sync::Arc<dyn ::std::any::Any + Send + Sync> {
                self
            }
        }
    };
}
