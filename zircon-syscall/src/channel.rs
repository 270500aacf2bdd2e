//! `zx_channel_*`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use zircon_object::handle::{Handle, HandleValue};
use zircon_object::ipc::channel::{
    Message, DEFAULT_CHANNEL_RIGHTS, MAX_MSG_BYTES, MAX_MSG_HANDLES,
};

use zircon_object::ipc::Channel;
use zircon_object::object::{KernelObject, Waiter};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, write_bytes, UserInPtr, UserOutPtr};
use crate::Syscall;

/// `ZX_CHANNEL_READ_MAY_DISCARD`
const READ_MAY_DISCARD: u32 = 1;

impl Syscall<'_> {
    /// `zx_channel_create`.
    pub fn channel_create(
        &self,
        options: u32,
        out0: UserOutPtr<u32>,
        out1: UserOutPtr<u32>,
    ) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (a, b) = Channel::create();
        self.add_pair(a, b, DEFAULT_CHANNEL_RIGHTS, out0, out1)
    }

    /// `zx_channel_read`.
    #[expect(
        clippy::too_many_arguments,
        reason = "Fuchsia's signature for this syscall"
    )]
    pub fn channel_read(
        &self,
        h: HandleValue,
        options: u32,
        bytes: UserOutPtr<u8>,
        handles: UserOutPtr<u32>,
        num_bytes: u32,
        num_handles: u32,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
        let bytes = bytes.addr();
        let handles = handles.addr();
        let (ch, _) = self.process.get_object::<Channel>(h, Rights::READ)?;
        if options & !READ_MAY_DISCARD != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let msg = match ch.read(
            num_bytes as usize,
            num_handles as usize,
            options & READ_MAY_DISCARD != 0,
        ) {
            Ok(m) => m,
            Err((e, nb, nh)) => {
                if e == ZxError::BUFFER_TOO_SMALL {
                    actual_bytes.write_if_not_null(self.aspace(), nb as u32)?;
                    actual_handles.write_if_not_null(self.aspace(), nh as u32)?;
                }
                return Err(e);
            }
        };
        self.deliver(msg, bytes, handles, actual_bytes, actual_handles)
    }

    /// `zx_channel_write`: the handles are consumed even when the write
    /// fails, as on Zircon.
    pub fn channel_write(
        &self,
        h: HandleValue,
        options: u32,
        bytes: UserInPtr<u8>,
        num_bytes: u32,
        handles: UserInPtr<u32>,
        num_handles: u32,
    ) -> ZxResult {
        let bytes = bytes.addr();
        let handles = handles.addr();
        let (ch, msg) = self.outgoing(
            h,
            Rights::WRITE,
            options,
            bytes,
            num_bytes,
            handles,
            num_handles,
        )?;
        ch.write(msg).map_err(|(e, _)| e)
    }

    /// Builds the message a write or call sends: looks the channel up with
    /// `rights`, then takes every listed handle out of the caller's table
    /// (consumed whatever happens next) and checks each may travel.
    #[expect(
        clippy::too_many_arguments,
        reason = "Fuchsia's signature for this syscall"
    )]
    fn outgoing(
        &self,
        h: HandleValue,
        rights: Rights,
        options: u32,
        bytes: usize,
        num_bytes: u32,
        handles: usize,
        num_handles: u32,
    ) -> ZxResult<(Arc<Channel>, Message)> {
        let values = if num_handles as usize <= MAX_MSG_HANDLES {
            UserInPtr::<u32>::new(handles).read_array(self.aspace(), num_handles as usize)?
        } else {
            Vec::new()
        };
        let channel = self.process.get_object::<Channel>(h, rights);
        let taken: Vec<Result<Handle, ZxError>> = {
            let mut t = self.process.handles();
            values.iter().map(|v| t.remove(*v)).collect()
        };
        let (ch, _) = channel?;
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if num_bytes as usize > MAX_MSG_BYTES || num_handles as usize > MAX_MSG_HANDLES {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let data = read_bytes(self.aspace(), bytes, num_bytes as usize)?;
        let mut moved = Vec::with_capacity(taken.len());
        for t in taken {
            let handle = t?;
            if ch.is_same(&handle.object) {
                return Err(ZxError::NOT_SUPPORTED);
            }
            if !handle.rights.contains(Rights::TRANSFER) {
                return Err(ZxError::ACCESS_DENIED);
            }
            moved.push(handle);
        }
        Ok((
            ch,
            Message {
                data,
                handles: moved,
            },
        ))
    }

    /// Delivers a received message into the caller's buffers and table.
    fn deliver(
        &self,
        msg: Message,
        bytes: usize,
        handles: usize,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
        write_bytes(self.aspace(), bytes, &msg.data)?;
        let values: Vec<u32> = {
            let mut t = self.process.handles();
            msg.handles.into_iter().map(|h| t.add(h)).collect()
        };
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        write_bytes(self.aspace(), handles, &raw)?;
        actual_bytes.write_if_not_null(self.aspace(), msg.data.len() as u32)?;
        actual_handles.write_if_not_null(self.aspace(), values.len() as u32)
    }

    /// `zx_channel_call`: writes a message whose first four bytes the
    /// kernel replaces with a fresh transaction id, then waits until the
    /// peer answers with a message carrying that id (or the deadline, or the
    /// peer closing). `args` is a `zx_channel_call_args_t`.
    pub fn channel_call(
        &self,
        h: HandleValue,
        options: u32,
        deadline: i64,
        args: UserInPtr<u8>,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
        let args = args.addr();
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let raw = read_bytes(self.aspace(), args, 48)?;
        let ptr =
            |o: usize| u64::from_le_bytes(raw[o..o + 8].try_into().expect("8 bytes")) as usize;
        let num = |o: usize| u32::from_le_bytes(raw[o..o + 4].try_into().expect("4 bytes"));
        let (wr_bytes, wr_handles, rd_bytes, rd_handles) = (ptr(0), ptr(8), ptr(16), ptr(24));
        let (wr_nb, wr_nh, rd_nb, rd_nh) = (num(32), num(36), num(40), num(44));
        if (wr_nb as usize) < 4 {
            return Err(ZxError::INVALID_ARGS);
        }
        let (ch, mut msg) = self.outgoing(
            h,
            Rights::READ | Rights::WRITE,
            0,
            wr_bytes,
            wr_nb,
            wr_handles,
            wr_nh,
        )?;
        let txid = NEXT_TXID.fetch_add(1, Ordering::Relaxed) | 0x8000_0000;
        msg.data[..4].copy_from_slice(&txid.to_le_bytes());
        ch.write(msg).map_err(|(e, _)| e)?;
        let waiter = Waiter::new();
        let until = crate::signal::deadline_instant(deadline);
        let _blocked = zircon_object::task::BlockedGuard::new(
            crate::current_thread(),
            zircon_object::task::BlockedReason::Channel,
            &waiter,
        );
        let result = loop {
            ch.base().add_waiter(&waiter);
            match ch.take_reply(txid, rd_nb as usize, rd_nh as usize) {
                Some(Ok(reply)) => break Ok(reply),
                Some(Err(too_big)) => {
                    actual_bytes.write_if_not_null(self.aspace(), too_big.bytes as u32)?;
                    actual_handles.write_if_not_null(self.aspace(), too_big.handles as u32)?;
                    break Err(ZxError::BUFFER_TOO_SMALL);
                }
                None if ch.peer().is_none() => break Err(ZxError::PEER_CLOSED),
                None if waiter.is_killed() => break Err(ZxError::INTERNAL_INTR_KILLED),
                None => {}
            }
            if !waiter.sleep(until) {
                break Err(ZxError::TIMED_OUT);
            }
        };
        ch.base().remove_waiter(&waiter);
        self.deliver(result?, rd_bytes, rd_handles, actual_bytes, actual_handles)
    }
}

/// Transaction ids of `zx_channel_call` (the kernel's half: high bit set).
static NEXT_TXID: AtomicU32 = AtomicU32::new(1);
