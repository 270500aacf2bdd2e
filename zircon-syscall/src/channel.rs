//! `zx_channel_*`: create, read, write and call, each also in its `_etc`
//! form (handles described by `zx_handle_disposition_t` going out and by
//! `zx_handle_info_t` coming in).
//!
//! A write goes through Zircon's steps in Zircon's order: options, the
//! channel handle, the payload (bytes or `ZX_CHANNEL_WRITE_USE_IOVEC`
//! vectors) and its size, then the handles. A failure before the handles
//! step still consumes every handle the caller listed (those a disposition
//! asks to duplicate excepted); in the handles step every entry is tried,
//! the first failure is the call's status, and a `_etc` write copies each
//! entry's own status back into the caller's `result` fields.
//!
//! `zx_channel_call` and `_etc`, which also wait for their reply: `call.rs`.

use std::sync::Arc;
use zircon_object::handle::{Handle, HandleValue};
use zircon_object::ipc::channel::{
    Message, DEFAULT_CHANNEL_RIGHTS, MAX_MSG_BYTES, MAX_MSG_HANDLES,
};

use zircon_object::ipc::Channel;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, write_bytes, UserInOutPtr, UserInPtr, UserOutPtr};
use crate::Syscall;

mod call;
mod disposition;
pub(crate) use call::abandon_interrupted_call;
use disposition::{
    close_all, dispose, quad, transfer_checks, word, Disposition, DISPOSITION_SIZE,
    HANDLE_OP_DUPLICATE, OBJ_TYPE_NONE,
};

/// `ZX_CHANNEL_READ_MAY_DISCARD`
const READ_MAY_DISCARD: u32 = 1;
/// `ZX_CHANNEL_WRITE_USE_IOVEC`
const WRITE_USE_IOVEC: u32 = 2;
/// `ZX_CHANNEL_MAX_MSG_IOVECS`
const MAX_MSG_IOVECS: u32 = 8192;
/// How many vectors Zircon checks all at once before copying any bytes;
/// longer lists are read, checked and copied this many at a time.
const IOVEC_CHUNK: usize = 16;
/// `sizeof(zx_handle_info_t)`
const HANDLE_INFO_SIZE: usize = 16;

/// Where a write's handles are described.
#[derive(Debug, Clone, Copy)]
enum Outgoing {
    /// An array of `zx_handle_t` at this address.
    Values(usize),
    /// An array of `zx_handle_disposition_t` at this address.
    Dispositions(usize),
}

impl Outgoing {
    fn addr(self) -> usize {
        match self {
            Outgoing::Values(a) | Outgoing::Dispositions(a) => a,
        }
    }

    fn stride(self) -> usize {
        match self {
            Outgoing::Values(_) => 4,
            Outgoing::Dispositions(_) => DISPOSITION_SIZE,
        }
    }
}

/// How a received message's handles are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Incoming {
    /// As `zx_handle_t` values.
    Values,
    /// As `zx_handle_info_t` records.
    Infos,
}

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
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewChannel)?;
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
        self.read_common(
            h,
            options,
            bytes.addr(),
            (handles.addr(), Incoming::Values),
            num_bytes,
            num_handles,
            actual_bytes,
            actual_handles,
        )
    }

    /// `zx_channel_read_etc`: as `zx_channel_read`, each handle reported
    /// as a `zx_handle_info_t` (value, object type, rights).
    #[expect(
        clippy::too_many_arguments,
        reason = "Fuchsia's signature for this syscall"
    )]
    pub fn channel_read_etc(
        &self,
        h: HandleValue,
        options: u32,
        bytes: UserOutPtr<u8>,
        handles: UserOutPtr<u8>,
        num_bytes: u32,
        num_handles: u32,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
        self.read_common(
            h,
            options,
            bytes.addr(),
            (handles.addr(), Incoming::Infos),
            num_bytes,
            num_handles,
            actual_bytes,
            actual_handles,
        )
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "Fuchsia's signature for this syscall"
    )]
    fn read_common(
        &self,
        h: HandleValue,
        options: u32,
        bytes: usize,
        handles: (usize, Incoming),
        num_bytes: u32,
        num_handles: u32,
        actual_bytes: UserOutPtr<u32>,
        actual_handles: UserOutPtr<u32>,
    ) -> ZxResult {
        let (ch, _) = self.process.get_object::<Channel>(h, Rights::READ)?;
        if options & !READ_MAY_DISCARD != 0 {
            return Err(ZxError::NOT_SUPPORTED);
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
        actual_bytes.write_if_not_null(self.aspace(), msg.data.len() as u32)?;
        actual_handles.write_if_not_null(self.aspace(), msg.handles.len() as u32)?;
        self.deliver(msg, bytes, handles)
    }

    /// Copies a received message's bytes to `bytes`, then moves its handles
    /// into the caller's table and reports them at `handles`. A failed copy
    /// loses the message: its handles are closed, none is left in the table.
    fn deliver(&self, msg: Message, bytes: usize, handles: (usize, Incoming)) -> ZxResult {
        if !msg.data.is_empty() {
            write_bytes(self.aspace(), bytes, &msg.data)?;
        }
        if msg.handles.is_empty() {
            return Ok(());
        }
        let (addr, kind) = handles;
        let mut raw = Vec::with_capacity(msg.handles.len() * HANDLE_INFO_SIZE);
        let values: Vec<HandleValue> = {
            let mut t = self.process.handles();
            msg.handles
                .into_iter()
                .map(|h| {
                    let (obj_type, rights) = (h.object.obj_type() as u32, h.rights.bits());
                    let v = t.add(h);
                    raw.extend_from_slice(&v.to_le_bytes());
                    if kind == Incoming::Infos {
                        for w in [obj_type, rights, 0] {
                            raw.extend_from_slice(&w.to_le_bytes());
                        }
                    }
                    v
                })
                .collect()
        };
        if let Err(e) = write_bytes(self.aspace(), addr, &raw) {
            // Taken back out: the caller never learnt their values.
            let taken: Vec<Handle> = {
                let mut t = self.process.handles();
                values.iter().filter_map(|v| t.remove(*v).ok()).collect()
            };
            close_all(taken);
            return Err(e);
        }
        Ok(())
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
        self.write_common(
            h,
            options,
            bytes.addr(),
            num_bytes,
            Outgoing::Values(handles.addr()),
            num_handles,
        )
    }

    /// `zx_channel_write_etc`: as `zx_channel_write`, each handle moved or
    /// duplicated as its `zx_handle_disposition_t` says, with its type and
    /// rights checked or reduced; on failure each entry's `result` tells
    /// its own outcome. Moved handles are consumed even when the write
    /// fails; duplicated ones stay.
    pub fn channel_write_etc(
        &self,
        h: HandleValue,
        options: u32,
        bytes: UserInPtr<u8>,
        num_bytes: u32,
        handles: UserInOutPtr<u8>,
        num_handles: u32,
    ) -> ZxResult {
        self.write_common(
            h,
            options,
            bytes.addr(),
            num_bytes,
            Outgoing::Dispositions(handles.addr()),
            num_handles,
        )
    }

    fn write_common(
        &self,
        h: HandleValue,
        options: u32,
        bytes: usize,
        num_bytes: u32,
        handles: Outgoing,
        num_handles: u32,
    ) -> ZxResult {
        let (ch, msg) = self.outgoing(
            h,
            Rights::WRITE,
            options,
            bytes,
            num_bytes,
            handles,
            num_handles,
            false,
        )?;
        ch.write(msg).map_err(|(e, msg)| {
            close_all(msg.handles);
            e
        })?;
        overfull_check(&ch);
        Ok(())
    }

    /// Builds the message a write or call sends, in Zircon's order: the
    /// options, the channel (looked up with `rights`), the payload and its
    /// size (and, for a call, room for the txid); a failure there consumes
    /// the listed handles. Then the handles themselves.
    #[expect(
        clippy::too_many_arguments,
        reason = "the arguments Fuchsia's write and call share"
    )]
    fn outgoing(
        &self,
        h: HandleValue,
        rights: Rights,
        options: u32,
        bytes: usize,
        num_bytes: u32,
        handles: Outgoing,
        num_handles: u32,
        call: bool,
    ) -> ZxResult<(Arc<Channel>, Message)> {
        let checked = (|| {
            if options & !WRITE_USE_IOVEC != 0 {
                return Err(ZxError::INVALID_ARGS);
            }
            let (ch, _) = self.process.get_object::<Channel>(h, rights)?;
            let data = if options & WRITE_USE_IOVEC != 0 {
                self.gather_iovecs(bytes, num_bytes, num_handles)?
            } else {
                if num_bytes as usize > MAX_MSG_BYTES || num_handles as usize > MAX_MSG_HANDLES {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                self.read_payload(bytes, num_bytes as usize)?
            };
            if call && data.len() < 4 {
                return Err(ZxError::INVALID_ARGS);
            }
            Ok((ch, data))
        })();
        let (ch, data) = match checked {
            Ok(v) => v,
            Err(e) => {
                self.consume(handles, num_handles);
                return Err(e);
            }
        };
        let handles = if num_handles > 0 {
            self.take_handles(&ch, handles, num_handles as usize)?
        } else {
            Vec::new()
        };
        Ok((ch, Message { data, handles }))
    }

    /// Reads `len` payload bytes (none needs no valid pointer).
    fn read_payload(&self, addr: usize, len: usize) -> ZxResult<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        read_bytes(self.aspace(), addr, len)
    }

    /// Gathers a `ZX_CHANNEL_WRITE_USE_IOVEC` payload from the
    /// `zx_channel_iovec_t` array at `addr`, checking as Zircon does: up to
    /// 16 vectors are all read and checked (reserved fields zero, total
    /// size) before any byte is copied; a longer list is read, checked and
    /// copied 16 vectors at a time.
    fn gather_iovecs(&self, addr: usize, count: u32, num_handles: u32) -> ZxResult<Vec<u8>> {
        if count > MAX_MSG_IOVECS {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let count = count as usize;
        let parse = |raw: &[u8]| -> Vec<(usize, u32, u32)> {
            raw.chunks_exact(16)
                .map(|v| (quad(v, 0) as usize, word(v, 8), word(v, 12)))
                .collect()
        };
        let mut data = Vec::new();
        if count <= IOVEC_CHUNK {
            let vecs = parse(&self.read_payload(addr, count * 16)?);
            if vecs.iter().any(|&(_, _, reserved)| reserved != 0) {
                return Err(ZxError::INVALID_ARGS);
            }
            let total: u64 = vecs.iter().map(|&(_, cap, _)| cap as u64).sum();
            if total > MAX_MSG_BYTES as u64 || num_handles as usize > MAX_MSG_HANDLES {
                return Err(ZxError::OUT_OF_RANGE);
            }
            for (buf, cap, _) in vecs {
                data.extend(self.read_payload(buf, cap as usize)?);
            }
            return Ok(data);
        }
        if num_handles as usize > MAX_MSG_HANDLES {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let mut done = 0;
        while done < count {
            let n = (count - done).min(IOVEC_CHUNK);
            let vecs = parse(&self.read_payload(addr + done * 16, n * 16)?);
            for (buf, cap, reserved) in vecs {
                if reserved != 0 {
                    return Err(ZxError::INVALID_ARGS);
                }
                if data.len() + cap as usize > MAX_MSG_BYTES {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                data.extend(self.read_payload(buf, cap as usize)?);
            }
            done += n;
        }
        Ok(data)
    }

    /// Closes the handles a failed write listed (all of them, in batches
    /// of 64 however many were claimed, stopping at an unreadable batch),
    /// except those a disposition asked to duplicate.
    fn consume(&self, handles: Outgoing, count: u32) {
        let count = count as usize;
        let mut done = 0;
        while done < count {
            let n = (count - done).min(MAX_MSG_HANDLES);
            let Some(addr) = done
                .checked_mul(handles.stride())
                .and_then(|off| handles.addr().checked_add(off))
            else {
                return;
            };
            let Ok(raw) = read_bytes(self.aspace(), addr, n * handles.stride()) else {
                return;
            };
            let values: Vec<HandleValue> = match handles {
                Outgoing::Values(_) => raw.chunks_exact(4).map(|w| word(w, 0)).collect(),
                Outgoing::Dispositions(_) => Disposition::parse(&raw)
                    .into_iter()
                    .filter(|d| d.operation != HANDLE_OP_DUPLICATE)
                    .map(|d| d.handle)
                    .collect(),
            };
            let taken: Vec<Handle> = {
                let mut t = self.process.handles();
                values.iter().filter_map(|v| t.remove(*v).ok()).collect()
            };
            close_all(taken);
            done += n;
        }
    }

    /// Takes the `count` (at most 64) listed handles for a message bound
    /// for `ch`. Every entry is tried; the first failure is returned after
    /// all were, with the handles taken so far closed (and, for
    /// dispositions, every entry's status copied back to the caller).
    fn take_handles(&self, ch: &Channel, handles: Outgoing, count: usize) -> ZxResult<Vec<Handle>> {
        let raw = read_bytes(self.aspace(), handles.addr(), count * handles.stride())?;
        let mut status = Ok(());
        let mut moved = Vec::with_capacity(count);
        let mut closed = Vec::new();
        let mut dispositions = Vec::new();
        {
            let mut t = self.process.handles();
            match handles {
                Outgoing::Values(_) => {
                    for v in raw.chunks_exact(4).map(|w| word(w, 0)) {
                        let r = t.remove(v).and_then(|h| {
                            match transfer_checks(
                                &h.object,
                                h.rights,
                                ch,
                                OBJ_TYPE_NONE,
                                Rights::SAME_RIGHTS.bits(),
                            ) {
                                Ok(()) => Ok(h),
                                Err(e) => {
                                    closed.push(h);
                                    Err(e)
                                }
                            }
                        });
                        match r {
                            Ok(h) => moved.push(h),
                            Err(e) => status = status.and(Err(e)),
                        }
                    }
                }
                Outgoing::Dispositions(_) => {
                    dispositions = Disposition::parse(&raw);
                    for d in dispositions.iter_mut() {
                        match dispose(&mut t, ch, d, &mut closed) {
                            Ok(h) => moved.push(h),
                            Err(e) => {
                                d.result = e.into_raw();
                                status = status.and(Err(e));
                            }
                        }
                    }
                }
            }
        }
        close_all(closed);
        if let Err(mut e) = status {
            close_all(moved);
            if !dispositions.is_empty() {
                let back = Disposition::encode(&dispositions);
                if let Err(copy) = write_bytes(self.aspace(), handles.addr(), &back) {
                    e = copy;
                }
            }
            return Err(e);
        }
        Ok(moved)
    }
}

/// After a message went to `ch`'s peer: a peer holding more than
/// `MAX_PENDING_MESSAGES` makes the writer take
/// `ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE` as its call returns (Zircon).
fn overfull_check(ch: &Channel) {
    if ch.peer_is_overfull() {
        if let Some(t) = crate::current_thread() {
            t.signal_policy_exception(
                zircon_object::task::exception::POLICY_CODE_CHANNEL_FULL_WRITE,
                0,
            );
        }
    }
}
