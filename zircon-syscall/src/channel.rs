//! `zx_channel_*`.

use zircon_object::handle::{Handle, HandleValue};
use zircon_object::ipc::channel::{
    Message, DEFAULT_CHANNEL_RIGHTS, MAX_MSG_BYTES, MAX_MSG_HANDLES,
};
use zircon_object::ipc::Channel;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, write_bytes, UserInPtr, UserOutPtr};
use crate::Syscall;

/// `ZX_CHANNEL_READ_MAY_DISCARD`
const READ_MAY_DISCARD: u32 = 1;

impl Syscall {
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
        let h0 = self.process.add_handle(a, DEFAULT_CHANNEL_RIGHTS);
        let h1 = self.process.add_handle(b, DEFAULT_CHANNEL_RIGHTS);
        let r = out0
            .write(self.aspace(), h0)
            .and_then(|()| out1.write(self.aspace(), h1));
        if r.is_err() {
            let mut t = self.process.handles();
            let _ = t.remove(h0);
            let _ = t.remove(h1);
        }
        r
    }

    /// `zx_channel_read`.
    #[allow(clippy::too_many_arguments)]
    pub fn channel_read(
        &self,
        h: HandleValue,
        options: u32,
        bytes: usize,
        handles: usize,
        num_bytes: u32,
        num_handles: u32,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
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

    /// `zx_channel_write`: the handles are consumed even when the write
    /// fails, as on Zircon.
    pub fn channel_write(
        &self,
        h: HandleValue,
        options: u32,
        bytes: usize,
        num_bytes: u32,
        handles: usize,
        num_handles: u32,
    ) -> ZxResult {
        let values = if num_handles as usize <= MAX_MSG_HANDLES {
            UserInPtr::<u32>::new(handles).read_array(self.aspace(), num_handles as usize)?
        } else {
            Vec::new()
        };
        // The channel is looked up first; whatever happens after, every
        // listed handle leaves the caller's table.
        let channel = self.process.get_object::<Channel>(h, Rights::WRITE);
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
        ch.write(Message {
            data,
            handles: moved,
        })
        .map_err(|(e, _)| e)
    }
}
