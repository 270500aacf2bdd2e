//! `zx_socket_*`: creation, reads and writes, dispositions. The socket's
//! properties (`ZX_PROP_SOCKET_RX/TX_THRESHOLD`) and `ZX_INFO_SOCKET` are
//! in `object.rs`, with the other properties and topics.
//!
//! Checks come in Zircon's order (`zircon/kernel/lib/syscalls/socket.cc`):
//! a NULL buffer with a non-zero size and the options first, then the
//! handle (type, then rights), then the socket's own checks. The bytes move
//! between the guest and the socket through the process's fallible user
//! copies, piece by piece inside the socket (see `ipc/socket.rs`); a piece
//! that faults is `INVALID_ARGS`.

use zircon_object::handle::HandleValue;
use zircon_object::ipc::socket::{Disposition, DEFAULT_SOCKET_RIGHTS, PEEK};
use zircon_object::ipc::Socket;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{UserInPtr, UserOutPtr};
use crate::Syscall;

impl Syscall<'_> {
    /// `zx_socket_create`: the socket checks the options.
    pub fn socket_create(
        &self,
        options: u32,
        out0: UserOutPtr<u32>,
        out1: UserOutPtr<u32>,
    ) -> ZxResult {
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewSocket)?;
        let (a, b) = Socket::create(options)?;
        self.add_pair(a, b, DEFAULT_SOCKET_RIGHTS, out0, out1)
    }

    /// `zx_socket_write`.
    pub fn socket_write(
        &self,
        h: HandleValue,
        options: u32,
        buffer: UserInPtr<u8>,
        size: usize,
        actual: UserOutPtr<usize>,
    ) -> ZxResult {
        if size > 0 && buffer.is_null() {
            return Err(ZxError::INVALID_ARGS);
        }
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (socket, _) = self.process.get_object::<Socket>(h, Rights::WRITE)?;
        let aspace = self.aspace();
        let base = buffer.addr();
        let n = socket.write(size, &mut |at, buf: &mut [u8]| {
            let va = base.checked_add(at).ok_or(ZxError::INVALID_ARGS)?;
            aspace
                .copy_from_user(va, buf)
                .map_err(|_| ZxError::INVALID_ARGS)
        })?;
        actual.write_if_not_null(aspace, n)
    }

    /// `zx_socket_read`.
    pub fn socket_read(
        &self,
        h: HandleValue,
        options: u32,
        buffer: UserOutPtr<u8>,
        size: usize,
        actual: UserOutPtr<usize>,
    ) -> ZxResult {
        if buffer.is_null() && size > 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if options & !PEEK != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (socket, _) = self.process.get_object::<Socket>(h, Rights::READ)?;
        let aspace = self.aspace();
        let base = buffer.addr();
        let n = socket.read(options & PEEK != 0, size, &mut |at, buf: &[u8]| {
            let va = base.checked_add(at).ok_or(ZxError::INVALID_ARGS)?;
            aspace
                .copy_to_user(va, buf)
                .map_err(|_| ZxError::INVALID_ARGS)
        })?;
        actual.write_if_not_null(aspace, n)
    }

    /// `zx_socket_set_disposition`: the two dispositions are checked before
    /// the handle, as on Zircon.
    pub fn socket_set_disposition(
        &self,
        h: HandleValue,
        disposition: u32,
        disposition_peer: u32,
    ) -> ZxResult {
        let own = Disposition::try_from(disposition)?;
        let peer = Disposition::try_from(disposition_peer)?;
        let (socket, _) = self
            .process
            .get_object::<Socket>(h, Rights::MANAGE_SOCKET)?;
        socket.set_disposition(own, peer)
    }
}
