//! `zx_port_create`, `zx_port_queue`, `zx_port_wait`,
//! `zx_object_wait_async`, `zx_port_cancel`, `zx_port_cancel_key`.

use zircon_object::handle::HandleValue;
use zircon_object::ipc::port::{PortPacket, DEFAULT_PORT_RIGHTS};
use zircon_object::ipc::Port;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, write_bytes, UserInPtr, UserOutPtr};
use crate::Syscall;
use zircon_object::task::exception::POLICY_CODE_PORT_TOO_MANY_OBSERVERS;

/// `ZX_PORT_BIND_TO_INTERRUPT`
const PORT_BIND_TO_INTERRUPT: u32 = 1;
/// `ZX_WAIT_ASYNC_TIMESTAMP`
const WAIT_ASYNC_TIMESTAMP: u32 = 1;
/// `ZX_WAIT_ASYNC_EDGE`
const WAIT_ASYNC_EDGE: u32 = 2;
/// `ZX_WAIT_ASYNC_BOOT_TIMESTAMP`
const WAIT_ASYNC_BOOT_TIMESTAMP: u32 = 4;

impl Syscall<'_> {
    /// `zx_port_create`.
    pub fn port_create(&self, options: u32, out: UserOutPtr<u32>) -> ZxResult {
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewPort)?;
        if options & !PORT_BIND_TO_INTERRUPT != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        self.add_handle_out(Port::new(), DEFAULT_PORT_RIGHTS, out)
    }

    /// `zx_port_queue`: the packet's type becomes `ZX_PKT_TYPE_USER`.
    pub fn port_queue(&self, h: HandleValue, packet: UserInPtr<u8>) -> ZxResult {
        let packet = packet.addr();
        let (port, _) = self.process.get_object::<Port>(h, Rights::WRITE)?;
        let raw = read_bytes(self.aspace(), packet, 48)?;
        port.queue_user(PortPacket::from_bytes(
            raw.as_slice().try_into().expect("48 bytes"),
        ))
    }

    /// `zx_port_wait`.
    pub fn port_wait(&self, h: HandleValue, deadline: i64, packet: UserOutPtr<u8>) -> ZxResult {
        let packet = packet.addr();
        let (port, _) = self.process.get_object::<Port>(h, Rights::READ)?;
        let p = port.wait(
            crate::signal::deadline_instant(deadline),
            crate::current_thread(),
        )?;
        write_bytes(self.aspace(), packet, &p.to_bytes())
    }

    /// `zx_object_wait_async`.
    pub fn object_wait_async(
        &self,
        h: HandleValue,
        port: HandleValue,
        key: u64,
        signals: u32,
        options: u32,
    ) -> ZxResult {
        if options & !(WAIT_ASYNC_TIMESTAMP | WAIT_ASYNC_EDGE | WAIT_ASYNC_BOOT_TIMESTAMP) != 0
            || options & WAIT_ASYNC_TIMESTAMP != 0 && options & WAIT_ASYNC_BOOT_TIMESTAMP != 0
        {
            return Err(ZxError::INVALID_ARGS);
        }
        let (port, _) = self.process.get_object::<Port>(port, Rights::WRITE)?;
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(Rights::WAIT) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let stamp: Option<fn() -> i64> =
            if options & (WAIT_ASYNC_TIMESTAMP | WAIT_ASYNC_BOOT_TIMESTAMP) != 0 {
                Some(crate::misc::monotonic_now)
            } else {
                None
            };
        if !port.wait_async(&handle, key, signals, options & WAIT_ASYNC_EDGE != 0, stamp) {
            // Registered, and the caller takes a policy exception as the
            // call returns (Zircon limits a port's observers so).
            if let Some(t) = crate::current_thread() {
                t.signal_policy_exception(POLICY_CODE_PORT_TOO_MANY_OBSERVERS, 0);
            }
        }
        Ok(())
    }

    /// `zx_port_cancel`: the port needs WRITE, the source WAIT.
    pub fn port_cancel(&self, h: HandleValue, source: HandleValue, key: u64) -> ZxResult {
        let (port, _) = self.process.get_object::<Port>(h, Rights::WRITE)?;
        let source = self.process.handles().get(source)?.to_ref();
        if !source.rights.contains(Rights::WAIT) {
            return Err(ZxError::ACCESS_DENIED);
        }
        port.cancel(&source, key)
    }

    /// `zx_port_cancel_key`: no options are defined; the port needs WRITE.
    pub fn port_cancel_key(&self, h: HandleValue, options: u32, key: u64) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (port, _) = self.process.get_object::<Port>(h, Rights::WRITE)?;
        port.cancel_key(key)
    }
}
