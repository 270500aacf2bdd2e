//! `zx_object_get_property`, `zx_object_set_property` and
//! `zx_object_get_child`.

use std::sync::Arc;

use zircon_object::handle::HandleValue;
use zircon_object::ipc::Socket;
use zircon_object::object::KernelObject;
use zircon_object::task::exception::ExceptionState;
use zircon_object::task::{Exception, Job, Process, Thread};
use zircon_object::vm::{Stream, VmObject};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::object::downcast;
use crate::user::{read_bytes, write_bytes, UserInPtr, UserOutPtr};
use crate::Syscall;

/// `ZX_PROP_NAME`
const PROP_NAME: u32 = 3;
/// `ZX_PROP_VMO_CONTENT_SIZE`
const PROP_VMO_CONTENT_SIZE: u32 = 17;
/// `ZX_PROP_PROCESS_VDSO_BASE_ADDRESS`
const PROP_PROCESS_VDSO_BASE_ADDRESS: u32 = 6;
/// `ZX_PROP_REGISTER_FS` (x86-64)
const PROP_REGISTER_FS: u32 = 4;
/// `ZX_PROP_EXCEPTION_STATE`
const PROP_EXCEPTION_STATE: u32 = 16;
/// `ZX_PROP_EXCEPTION_STRATEGY`
const PROP_EXCEPTION_STRATEGY: u32 = 18;
/// `ZX_PROP_STREAM_MODE_APPEND` (a `uint8_t`)
const PROP_STREAM_MODE_APPEND: u32 = 19;
/// `ZX_PROP_SOCKET_RX_THRESHOLD`
const PROP_SOCKET_RX_THRESHOLD: u32 = 12;
/// `ZX_PROP_JOB_KILL_ON_OOM` (a `size_t`, 0 or 1).
const PROP_JOB_KILL_ON_OOM: u32 = 15;
/// `ZX_PROP_SOCKET_TX_THRESHOLD`
const PROP_SOCKET_TX_THRESHOLD: u32 = 13;

impl Syscall<'_> {
    /// `zx_object_get_property`.
    pub fn object_get_property(
        &self,
        h: HandleValue,
        prop: u32,
        buf: UserOutPtr<u8>,
        size: usize,
    ) -> ZxResult {
        let buf = buf.addr();
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::GET_PROPERTY) {
            return Err(ZxError::ACCESS_DENIED);
        }
        match prop {
            PROP_NAME => {
                if size < 32 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                write_bytes(self.aspace(), buf, &handle.object.base().name_bytes())
            }
            PROP_VMO_CONTENT_SIZE => {
                let v = downcast::<VmObject>(&handle.object)?;
                if size < 8 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                write_bytes(self.aspace(), buf, &(v.content_size() as u64).to_le_bytes())
            }
            PROP_PROCESS_VDSO_BASE_ADDRESS => {
                let p = downcast::<Process>(&handle.object)?;
                if size < 8 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                write_bytes(self.aspace(), buf, &(p.vdso_base() as u64).to_le_bytes())
            }
            PROP_STREAM_MODE_APPEND => {
                if size < 1 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                let s = downcast::<Stream>(&handle.object)?;
                write_bytes(self.aspace(), buf, &[s.is_append() as u8])
            }
            PROP_JOB_KILL_ON_OOM => {
                let j = downcast::<Job>(&handle.object)?;
                if size < 8 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                write_bytes(self.aspace(), buf, &(j.kill_on_oom() as u64).to_le_bytes())
            }
            PROP_SOCKET_RX_THRESHOLD | PROP_SOCKET_TX_THRESHOLD => {
                if size < 8 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                let s = downcast::<Socket>(&handle.object)?;
                let v = if prop == PROP_SOCKET_RX_THRESHOLD {
                    s.read_threshold()
                } else {
                    s.write_threshold()
                };
                write_bytes(self.aspace(), buf, &(v as u64).to_le_bytes())
            }
            PROP_EXCEPTION_STATE | PROP_EXCEPTION_STRATEGY => {
                if size < 4 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                let e = downcast::<Exception>(&handle.object)?;
                let v = if prop == PROP_EXCEPTION_STATE {
                    e.disposition().as_raw()
                } else {
                    e.strategy().as_raw()
                };
                write_bytes(self.aspace(), buf, &v.to_le_bytes())
            }
            _ => Err(ZxError::INVALID_ARGS),
        }
    }

    /// `zx_object_set_property`.
    pub fn object_set_property(
        &self,
        h: HandleValue,
        prop: u32,
        buf: UserInPtr<u8>,
        size: usize,
    ) -> ZxResult {
        let buf = buf.addr();
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::SET_PROPERTY) {
            return Err(ZxError::ACCESS_DENIED);
        }
        match prop {
            PROP_NAME => {
                let name = read_bytes(self.aspace(), buf, size.min(31))?;
                handle.object.base().set_name(&name);
                Ok(())
            }
            PROP_REGISTER_FS => {
                let t = downcast::<Thread>(&handle.object)?;
                if size < 8 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                // Only a thread's own FS base can be set, from the thread.
                if !crate::current_thread().is_some_and(|c| Arc::ptr_eq(&c, &t)) {
                    return Err(ZxError::ACCESS_DENIED);
                }
                let b = read_bytes(self.aspace(), buf, 8)?;
                let fs = u64::from_le_bytes(b.try_into().expect("8 bytes"));
                // x86-64 user addresses are canonical lower-half addresses.
                if fs >= 1 << 47 {
                    return Err(ZxError::INVALID_ARGS);
                }
                if self.host.set_current_fs(fs) {
                    Ok(())
                } else {
                    Err(ZxError::BAD_STATE)
                }
            }
            PROP_EXCEPTION_STATE | PROP_EXCEPTION_STRATEGY => {
                if size < 4 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                let e = downcast::<Exception>(&handle.object)?;
                let b = read_bytes(self.aspace(), buf, 4)?;
                let v = u32::from_le_bytes(b.try_into().expect("4 bytes"));
                if prop == PROP_EXCEPTION_STATE {
                    e.set_disposition(ExceptionState::try_from(v)?);
                    Ok(())
                } else {
                    e.set_strategy(v)
                }
            }
            PROP_SOCKET_RX_THRESHOLD | PROP_SOCKET_TX_THRESHOLD => {
                if size < 8 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                let s = downcast::<Socket>(&handle.object)?;
                let b = read_bytes(self.aspace(), buf, 8)?;
                let v = u64::from_le_bytes(b.try_into().expect("8 bytes"));
                let v = usize::try_from(v).map_err(|_| ZxError::INVALID_ARGS)?;
                if prop == PROP_SOCKET_RX_THRESHOLD {
                    s.set_read_threshold(v)
                } else {
                    s.set_write_threshold(v)
                }
            }
            PROP_VMO_CONTENT_SIZE => {
                // Zircon: WRITE first, then the size, then the type.
                if !handle.rights.contains(Rights::WRITE) {
                    return Err(ZxError::ACCESS_DENIED);
                }
                if size < 8 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                let v = downcast::<VmObject>(&handle.object)?;
                let b = read_bytes(self.aspace(), buf, 8)?;
                v.set_content_size(u64::from_le_bytes(b.try_into().expect("8 bytes")))
            }
            PROP_STREAM_MODE_APPEND => {
                if size < 1 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                let s = downcast::<Stream>(&handle.object)?;
                let b = read_bytes(self.aspace(), buf, 1)?;
                // Any value but 0 turns append mode on, as on Zircon.
                s.set_append(b[0] != 0);
                Ok(())
            }
            PROP_JOB_KILL_ON_OOM => {
                let j = downcast::<Job>(&handle.object)?;
                if size < 8 {
                    return Err(ZxError::BUFFER_TOO_SMALL);
                }
                let b = read_bytes(self.aspace(), buf, 8)?;
                match u64::from_le_bytes(b.try_into().expect("8 bytes")) {
                    0 => j.set_kill_on_oom(false),
                    1 => {
                        j.set_kill_on_oom(true);
                        // The killer runs in the watchdog's sampling thread.
                        let hal = self.process.root_vmar().aspace().hal().clone();
                        zircon_object::system::pressure::MemoryWatchdog::global(&hal);
                    }
                    _ => return Err(ZxError::INVALID_ARGS),
                }
                Ok(())
            }
            _ => Err(ZxError::INVALID_ARGS),
        }
    }

    /// `zx_object_get_child`: a handle to the live thread of a process, or
    /// the live child job or process of a job, whose koid is `koid`.
    /// Zircon's order: the handle, then `ENUMERATE` on it, then the rights
    /// asked for (`SAME_RIGHTS` copies the parent handle's; others must be
    /// a subset of them, else `ACCESS_DENIED`), then the parent's type
    /// (`WRONG_TYPE` unless a process or a job), then the lookup
    /// (`NOT_FOUND`). The new handle carries the rights asked for.
    pub fn object_get_child(
        &self,
        h: HandleValue,
        koid: u64,
        rights: u32,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::ENUMERATE) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let asked = Rights::from_bits_retain(rights);
        let rights = if asked == Rights::SAME_RIGHTS {
            handle.rights
        } else if handle.rights.contains(asked) {
            asked
        } else {
            return Err(ZxError::ACCESS_DENIED);
        };
        let child: Arc<dyn KernelObject> =
            if let Some(p) = handle.object.clone().downcast_arc::<Process>() {
                p.thread_by_koid(koid).ok_or(ZxError::NOT_FOUND)?
            } else if let Some(j) = handle.object.clone().downcast_arc::<Job>() {
                match j.child_by_koid(koid) {
                    Some(c) => c,
                    None => j.process_by_koid(koid).ok_or(ZxError::NOT_FOUND)?,
                }
            } else {
                return Err(ZxError::WRONG_TYPE);
            };
        self.add_handle_out(child, rights, out)
    }
}
