//! `zx_stream_*` (Zircon's `lib/syscalls/stream.cc`).
//!
//! The checks come in Zircon's order: the options, then a NULL vector array
//! (`INVALID_ARGS`, even with no entries), then the handle with the right
//! the call needs. `actual` is written only when the call succeeds, and a
//! NULL `actual` is ignored. The transfers themselves, the content size and
//! the seek offset are the object's business ([`Stream`]).

use zircon_object::handle::HandleValue;
use zircon_object::vm::stream::{SeekOrigin, UserIovecs, ZX_STREAM_APPEND};
use zircon_object::vm::{Stream, VmObject};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{UserInOutPtr, UserInPtr, UserOutPtr};
use crate::Syscall;

impl Syscall<'_> {
    /// `zx_stream_create`: READ on the VMO for `ZX_STREAM_MODE_READ`, WRITE
    /// for `ZX_STREAM_MODE_WRITE`; the stream may grow the VMO if this VMO
    /// handle has `ZX_RIGHT_RESIZE`.
    pub fn stream_create(
        &self,
        options: u32,
        vmo: HandleValue,
        seek: u64,
        out_stream: UserOutPtr<u32>,
    ) -> ZxResult {
        let need = Stream::vmo_rights_for(options)?;
        let (vmo, vmo_rights) = self.process.get_object::<VmObject>(vmo, need)?;
        let (stream, rights) = Stream::create(options, vmo, vmo_rights, seek);
        self.add_handle_out(stream, rights, out_stream)
    }

    /// Looks up a stream for a transfer after the common checks.
    fn stream_for_io(
        &self,
        h: HandleValue,
        vectors: usize,
        right: Rights,
    ) -> ZxResult<std::sync::Arc<Stream>> {
        if vectors == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        Ok(self.process.get_object::<Stream>(h, right)?.0)
    }

    /// Copies a successful transfer's byte count out.
    fn stream_actual(&self, result: ZxResult<usize>, actual: UserOutPtr<usize>) -> ZxResult {
        actual.write_if_not_null(self.aspace(), result?)
    }

    /// `zx_stream_writev`: `ZX_STREAM_APPEND` writes at the content end.
    pub fn stream_writev(
        &self,
        h: HandleValue,
        options: u32,
        vectors: UserInPtr<u8>,
        num_vectors: usize,
        actual: UserOutPtr<usize>,
    ) -> ZxResult {
        if options & !ZX_STREAM_APPEND != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let stream = self.stream_for_io(h, vectors.addr(), Rights::WRITE)?;
        let iov = UserIovecs {
            addr: vectors.addr(),
            count: num_vectors,
        };
        let result = if options & ZX_STREAM_APPEND != 0 {
            stream.appendv(self.aspace(), iov)
        } else {
            stream.writev(self.aspace(), iov)
        };
        self.stream_actual(result, actual)
    }

    /// `zx_stream_writev_at`: options must be 0.
    pub fn stream_writev_at(
        &self,
        h: HandleValue,
        options: u32,
        offset: u64,
        vectors: UserInPtr<u8>,
        num_vectors: usize,
        actual: UserOutPtr<usize>,
    ) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let stream = self.stream_for_io(h, vectors.addr(), Rights::WRITE)?;
        let iov = UserIovecs {
            addr: vectors.addr(),
            count: num_vectors,
        };
        self.stream_actual(stream.writev_at(self.aspace(), iov, offset), actual)
    }

    /// `zx_stream_readv`: options must be 0.
    pub fn stream_readv(
        &self,
        h: HandleValue,
        options: u32,
        vectors: UserInOutPtr<u8>,
        num_vectors: usize,
        actual: UserOutPtr<usize>,
    ) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let stream = self.stream_for_io(h, vectors.addr(), Rights::READ)?;
        let iov = UserIovecs {
            addr: vectors.addr(),
            count: num_vectors,
        };
        self.stream_actual(stream.readv(self.aspace(), iov), actual)
    }

    /// `zx_stream_readv_at`: options must be 0.
    pub fn stream_readv_at(
        &self,
        h: HandleValue,
        options: u32,
        offset: u64,
        vectors: UserInOutPtr<u8>,
        num_vectors: usize,
        actual: UserOutPtr<usize>,
    ) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let stream = self.stream_for_io(h, vectors.addr(), Rights::READ)?;
        let iov = UserIovecs {
            addr: vectors.addr(),
            count: num_vectors,
        };
        self.stream_actual(stream.readv_at(self.aspace(), iov, offset), actual)
    }

    /// `zx_stream_seek`: the handle needs READ or WRITE (either will do);
    /// a NULL `out_seek` is ignored.
    pub fn stream_seek(
        &self,
        h: HandleValue,
        whence: u32,
        offset: i64,
        out_seek: UserOutPtr<u64>,
    ) -> ZxResult {
        let (stream, rights) = self.process.get_object::<Stream>(h, Rights::empty())?;
        if !rights.intersects(Rights::READ | Rights::WRITE) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let seek = stream.seek(SeekOrigin::try_from(whence)?, offset)?;
        out_seek.write_if_not_null(self.aspace(), seek)
    }
}
