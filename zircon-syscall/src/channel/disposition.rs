//! The handles a channel write sends: `zx_handle_disposition_t` records
//! (move or duplicate, an optional type check, rights to keep), the checks
//! every travelling handle passes, and how each disposition is applied to
//! the writer's handle table.

use std::sync::Arc;

use zircon_object::handle::{Handle, HandleTable, HandleValue};
use zircon_object::ipc::Channel;
use zircon_object::object::KernelObject;
use zircon_object::{Rights, ZxError, ZxResult};

/// `ZX_HANDLE_OP_MOVE`
pub(super) const HANDLE_OP_MOVE: u32 = 0;
/// `ZX_HANDLE_OP_DUPLICATE`
pub(super) const HANDLE_OP_DUPLICATE: u32 = 1;
/// `ZX_OBJ_TYPE_NONE`: a disposition that checks no type.
pub(super) const OBJ_TYPE_NONE: u32 = 0;
/// `sizeof(zx_handle_disposition_t)`
pub(super) const DISPOSITION_SIZE: usize = 20;
/// A `zx_handle_disposition_t`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Disposition {
    pub(super) operation: u32,
    pub(super) handle: HandleValue,
    pub(super) obj_type: u32,
    pub(super) rights: u32,
    pub(super) result: i32,
}

pub(super) fn word(raw: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(raw[at..at + 4].try_into().expect("4 bytes"))
}

pub(super) fn quad(raw: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(raw[at..at + 8].try_into().expect("8 bytes"))
}

impl Disposition {
    pub(super) fn parse(raw: &[u8]) -> Vec<Disposition> {
        raw.chunks_exact(DISPOSITION_SIZE)
            .map(|d| Disposition {
                operation: word(d, 0),
                handle: word(d, 4),
                obj_type: word(d, 8),
                rights: word(d, 12),
                result: word(d, 16) as i32,
            })
            .collect()
    }

    pub(super) fn encode(all: &[Disposition]) -> Vec<u8> {
        let mut out = Vec::with_capacity(all.len() * DISPOSITION_SIZE);
        for d in all {
            for w in [d.operation, d.handle, d.obj_type, d.rights, d.result as u32] {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        out
    }
}

/// The checks every handle that travels passes (Zircon's order): it may
/// be transferred, it is not the channel written to, it has the type the
/// disposition names (if any), and it holds the rights asked for.
pub(super) fn transfer_checks(
    object: &Arc<dyn KernelObject>,
    rights: Rights,
    channel: &Channel,
    obj_type: u32,
    desired: u32,
) -> ZxResult {
    if !rights.contains(Rights::TRANSFER) {
        return Err(ZxError::ACCESS_DENIED);
    }
    if channel.is_same(object) {
        return Err(ZxError::NOT_SUPPORTED);
    }
    if obj_type != OBJ_TYPE_NONE && object.obj_type() as u32 != obj_type {
        return Err(ZxError::WRONG_TYPE);
    }
    if desired != Rights::SAME_RIGHTS.bits() && rights.bits() & desired != desired {
        return Err(ZxError::INVALID_ARGS);
    }
    Ok(())
}

/// Applies one disposition under the handle table's lock: the handle that
/// travels, or why none does. Handles that go away are put in `closed`
/// (closed once the lock is released).
pub(super) fn dispose(
    table: &mut HandleTable,
    channel: &Channel,
    d: &Disposition,
    closed: &mut Vec<Handle>,
) -> ZxResult<Handle> {
    let (object, rights) = {
        let h = table.get(d.handle)?;
        (h.object.clone(), h.rights)
    };
    let same = d.rights == Rights::SAME_RIGHTS.bits();
    if d.operation == HANDLE_OP_DUPLICATE {
        // The source stays in the table whatever happens.
        transfer_checks(&object, rights, channel, d.obj_type, d.rights)?;
        if !rights.contains(Rights::DUPLICATE) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let rights = if same {
            rights
        } else {
            Rights::from_bits_truncate(d.rights)
        };
        return Ok(Handle::new(object, rights));
    }
    // Any other operation (even an unknown one) takes the source out.
    let source = table.remove(d.handle)?;
    if d.operation != HANDLE_OP_MOVE {
        closed.push(source);
        return Err(ZxError::INVALID_ARGS);
    }
    if let Err(e) = transfer_checks(&object, rights, channel, d.obj_type, d.rights) {
        closed.push(source);
        return Err(e);
    }
    if same || d.rights == rights.bits() {
        return Ok(source);
    }
    // Fewer rights: a new handle travels, the source is closed.
    let reduced = Handle::new(object, Rights::from_bits_truncate(d.rights));
    closed.push(source);
    Ok(reduced)
}

/// Closes handles a failed call took from the caller: waits through them
/// end, as with `zx_handle_close`. Call with no lock held.
pub(super) fn close_all(handles: Vec<Handle>) {
    for h in handles {
        h.cancel_waits();
    }
}
