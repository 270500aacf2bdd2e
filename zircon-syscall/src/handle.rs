//! `zx_handle_*`.

use zircon_object::handle::{Handle, HandleValue, INVALID_HANDLE};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{UserInPtr, UserOutPtr};
use crate::Syscall;

/// `ZX_HANDLE_FIXED_BITS_MASK`: bits set in every valid handle value.
const HANDLE_FIXED_BITS_MASK: u32 = 0x3;

impl Syscall<'_> {
    /// `zx_handle_close`: closing `ZX_HANDLE_INVALID` is a no-op.
    pub fn handle_close(&self, h: HandleValue) -> ZxResult {
        if h == INVALID_HANDLE {
            return Ok(());
        }
        let handle = self.process.handles().remove(h)?;
        // Waits through this handle end: sync ones with CANCELED.
        handle.cancel_waits();
        Ok(())
    }

    /// `zx_handle_close_many`: closes every valid handle in the array;
    /// `BAD_HANDLE` if any was invalid. The array is read in batches (as
    /// Zircon does), so a huge count costs no host memory: an unreadable
    /// batch ends the call with `INVALID_ARGS`, earlier batches closed.
    pub fn handle_close_many(&self, ptr: UserInPtr<u32>, count: usize) -> ZxResult {
        const BATCH: usize = 64;
        count.checked_mul(4).ok_or(ZxError::INVALID_ARGS)?;
        let mut result = Ok(());
        let mut done = 0;
        while done < count {
            let n = (count - done).min(BATCH);
            let batch = UserInPtr::<u32>::new(ptr.addr() + done * 4);
            let values = batch.read_array(self.aspace(), n)?;
            let mut closed = Vec::with_capacity(n);
            {
                let mut table = self.process.handles();
                for v in values {
                    if v == INVALID_HANDLE {
                        continue;
                    }
                    match table.remove(v) {
                        Ok(handle) => closed.push(handle),
                        Err(_) => result = Err(ZxError::BAD_HANDLE),
                    }
                }
            }
            // Outside the table's lock (docs/LOCKING.md): waits through
            // these handles end, as for zx_handle_close, and a last handle's
            // object is dropped.
            for handle in closed {
                handle.cancel_waits();
            }
            done += n;
        }
        result
    }

    /// `zx_handle_duplicate`.
    pub fn handle_duplicate(&self, h: HandleValue, rights: u32, out: UserOutPtr<u32>) -> ZxResult {
        let mut table = self.process.handles();
        let src = table.get(h)?.to_ref();
        if !src.rights.contains(Rights::DUPLICATE) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let rights = new_rights(src.rights, rights)?;
        let v = table.add(Handle::new(src.object, rights));
        drop(table);
        if let Err(e) = out.write(self.aspace(), v) {
            // Dropped after the table's lock is released.
            let _removed = self.process.handles().remove(v);
            return Err(e);
        }
        Ok(())
    }

    /// `zx_handle_replace`: `handle` is always invalidated, even when the
    /// call fails (as on Zircon); the replacement is a new handle, so async
    /// waits registered through the old one end with it.
    pub fn handle_replace(&self, h: HandleValue, rights: u32, out: UserOutPtr<u32>) -> ZxResult {
        let mut table = self.process.handles();
        let old = table.remove(h)?;
        let result = new_rights(old.rights, rights)
            .map(|rights| table.add(Handle::new(old.object.clone(), rights)));
        drop(table);
        // Outside the table's lock (docs/LOCKING.md).
        old.cancel_waits();
        drop(old);
        let v = result?;
        if let Err(e) = out.write(self.aspace(), v) {
            let removed = self.process.handles().remove(v);
            if let Ok(handle) = &removed {
                handle.cancel_waits();
            }
            return Err(e);
        }
        Ok(())
    }

    /// `zx_handle_check_valid`: `INVALID_ARGS` for `ZX_HANDLE_INVALID`,
    /// `OUT_OF_RANGE` for a value without the fixed bits every handle value
    /// has, `NOT_FOUND` for a well-formed value naming no handle of this
    /// process.
    pub fn handle_check_valid(&self, h: HandleValue) -> ZxResult {
        if h == INVALID_HANDLE {
            return Err(ZxError::INVALID_ARGS);
        }
        if h & HANDLE_FIXED_BITS_MASK != HANDLE_FIXED_BITS_MASK {
            return Err(ZxError::OUT_OF_RANGE);
        }
        self.process
            .handles()
            .get_quiet(h)
            .map(|_| ())
            .map_err(|_| ZxError::NOT_FOUND)
    }
}

/// Returns the rights a duplicate or replacement gets: `SAME_RIGHTS` keeps
/// them; otherwise the request must be a subset (`INVALID_ARGS`).
fn new_rights(have: Rights, requested: u32) -> ZxResult<Rights> {
    if requested == Rights::SAME_RIGHTS.bits() {
        return Ok(have);
    }
    let req = Rights::from_bits(requested).ok_or(ZxError::INVALID_ARGS)?;
    if !have.contains(req) {
        return Err(ZxError::INVALID_ARGS);
    }
    Ok(req)
}
