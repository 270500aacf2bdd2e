//! Guest pointers as *allegations*: typed addresses that are only ever
//! dereferenced through the address space's fallible copy routines.
//!
//! A failed copy of a small in/out parameter answers `INVALID_ARGS`, as
//! Zircon's `user_in_ptr`/`user_out_ptr` do; bulk buffers (VMO and process
//! memory transfers) report the fault status instead, in their handlers.

use std::marker::PhantomData;

use zircon_object::vm::AddressSpace;
use zircon_object::{ZxError, ZxResult};

/// Plain data that can cross the user boundary as bytes.
pub trait Pod: Copy {
    /// Size in bytes.
    const SIZE: usize;
    /// Encodes into little-endian bytes.
    fn to_bytes(&self, out: &mut [u8]);
    /// Decodes from little-endian bytes.
    fn from_bytes(b: &[u8]) -> Self;
}

macro_rules! pod_int {
    ($($t:ty),*) => {$(
        impl Pod for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn to_bytes(&self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
            fn from_bytes(b: &[u8]) -> Self {
                <$t>::from_le_bytes(b.try_into().expect("size checked"))
            }
        }
    )*};
}
pod_int!(i32, u32, u64, i64, usize);

/// A guest address from which a `T` (or an array of them) is read.
#[derive(Debug, Clone, Copy)]
pub struct UserInPtr<T> {
    addr: usize,
    _t: PhantomData<T>,
}

impl<T> UserInPtr<T> {
    /// Wraps a raw guest address.
    pub fn new(addr: usize) -> Self {
        UserInPtr {
            addr,
            _t: PhantomData,
        }
    }

    /// Returns whether the pointer is null.
    pub fn is_null(&self) -> bool {
        self.addr == 0
    }

    /// Returns the raw address.
    pub fn addr(&self) -> usize {
        self.addr
    }
}

impl<T: Pod> UserInPtr<T> {
    /// Reads `count` values (`INVALID_ARGS` if unreadable or the size wraps).
    /// Allocates `count` values up front: callers cap `count` (a guest
    /// controls it).
    pub fn read_array(&self, aspace: &AddressSpace, count: usize) -> ZxResult<Vec<T>> {
        let bytes = count.checked_mul(T::SIZE).ok_or(ZxError::INVALID_ARGS)?;
        let mut buf = vec![0u8; bytes];
        aspace
            .copy_from_user(self.addr, &mut buf)
            .map_err(|_| ZxError::INVALID_ARGS)?;
        Ok(buf.chunks(T::SIZE).map(T::from_bytes).collect())
    }
}

/// A guest address to which a `T` is written.
#[derive(Debug, Clone, Copy)]
pub struct UserOutPtr<T> {
    addr: usize,
    _t: PhantomData<T>,
}

impl<T> UserOutPtr<T> {
    /// Wraps a raw guest address.
    pub fn new(addr: usize) -> Self {
        UserOutPtr {
            addr,
            _t: PhantomData,
        }
    }

    /// Returns whether the pointer is null.
    pub fn is_null(&self) -> bool {
        self.addr == 0
    }
}

impl<T> UserOutPtr<T> {
    /// Returns the raw address.
    pub fn addr(&self) -> usize {
        self.addr
    }
}

impl<T: Pod> UserOutPtr<T> {
    /// Writes `value` (`INVALID_ARGS` if not writable).
    pub fn write(&self, aspace: &AddressSpace, value: T) -> ZxResult {
        // Every `Pod` is at most 8 bytes: no allocation on this hot path.
        let mut buf = [0u8; 8];
        let buf = &mut buf[..T::SIZE];
        value.to_bytes(buf);
        aspace
            .copy_to_user(self.addr, buf)
            .map_err(|_| ZxError::INVALID_ARGS)
    }

    /// Writes `value` unless the pointer is null.
    pub fn write_if_not_null(&self, aspace: &AddressSpace, value: T) -> ZxResult {
        if self.is_null() {
            return Ok(());
        }
        self.write(aspace, value)
    }
}

/// A guest address the call reads from and writes back to (an array of
/// `T` in place, such as `zx_object_wait_many`'s items).
#[derive(Debug, Clone, Copy)]
pub struct UserInOutPtr<T> {
    addr: usize,
    _t: PhantomData<T>,
}

impl<T> UserInOutPtr<T> {
    /// Wraps a raw guest address.
    pub fn new(addr: usize) -> Self {
        UserInOutPtr {
            addr,
            _t: PhantomData,
        }
    }

    /// Returns whether the pointer is null.
    pub fn is_null(&self) -> bool {
        self.addr == 0
    }

    /// Returns the raw address.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// Returns the same address as a pointer the call reads through.
    pub fn as_in(&self) -> UserInPtr<T> {
        UserInPtr::new(self.addr)
    }

    /// Returns the same address as a pointer the call writes through.
    pub fn as_out(&self) -> UserOutPtr<T> {
        UserOutPtr::new(self.addr)
    }
}

/// Writes raw bytes to `addr` (`INVALID_ARGS` on failure).
pub fn write_bytes(aspace: &AddressSpace, addr: usize, bytes: &[u8]) -> ZxResult {
    aspace
        .copy_to_user(addr, bytes)
        .map_err(|_| ZxError::INVALID_ARGS)
}

/// Reads raw bytes from `addr` (`INVALID_ARGS` on failure).
pub fn read_bytes(aspace: &AddressSpace, addr: usize, len: usize) -> ZxResult<Vec<u8>> {
    let mut buf = vec![0u8; len];
    aspace
        .copy_from_user(addr, &mut buf)
        .map_err(|_| ZxError::INVALID_ARGS)?;
    Ok(buf)
}
