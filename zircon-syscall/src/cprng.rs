//! `zx_cprng_draw` and `zx_cprng_add_entropy`: the host's CSPRNG.

use std::io::{Read, Write};
use std::sync::{Mutex, OnceLock};

use zircon_object::task::process::TASK_RETCODE_SYSCALL_KILL;

use zircon_object::{ZxError, ZxResult};

use crate::user::{read_bytes, write_bytes, UserInPtr, UserOutPtr};
use crate::Syscall;

/// The host's `/dev/urandom`, opened once.
fn urandom() -> &'static Mutex<std::fs::File> {
    static FILE: OnceLock<Mutex<std::fs::File>> = OnceLock::new();
    FILE.get_or_init(|| {
        let file = std::fs::File::open("/dev/urandom")
            .expect("the host has /dev/urandom (the emulator needs it for zx_cprng_draw)");
        Mutex::new(file)
    })
}

impl Syscall<'_> {
    /// `zx_cprng_draw`: fills `buffer` with `buffer_size` random bytes, in
    /// pieces of 256 bytes (`ZX_CPRNG_DRAW_MAX_LEN`, what each draw of
    /// Zircon's vDSO takes). It cannot fail: a buffer the caller cannot
    /// write ends the process (`ZX_TASK_RETCODE_SYSCALL_KILL`), as the
    /// vDSO's panic does on Fuchsia.
    pub fn cprng_draw(&self, buffer: UserOutPtr<u8>, buffer_size: usize) {
        const PIECE: usize = 256;
        let mut piece = [0u8; PIECE];
        let mut done = 0;
        while done < buffer_size {
            let n = (buffer_size - done).min(PIECE);
            let drawn = urandom()
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .read_exact(&mut piece[..n]);
            let written = drawn.is_ok()
                && buffer
                    .addr()
                    .checked_add(done)
                    .is_some_and(|at| write_bytes(self.aspace(), at, &piece[..n]).is_ok());
            if !written {
                log::error!("zx_cprng_draw: buffer not writable; killing the process");
                self.process.exit(TASK_RETCODE_SYSCALL_KILL);
                return;
            }
            done += n;
        }
    }
}

/// `ZX_CPRNG_ADD_ENTROPY_MAX_LEN`
const ADD_ENTROPY_MAX_LEN: usize = 256;

impl Syscall<'_> {
    /// `zx_cprng_add_entropy`: at most 256 bytes (`INVALID_ARGS` past that
    /// or for a buffer that cannot be read), mixed into the host's pool by
    /// writing them to `/dev/urandom` (which mixes without crediting
    /// entropy, as the kernel CPRNG's add does not trust the caller either).
    pub fn cprng_add_entropy(&self, buffer: UserInPtr<u8>, buffer_size: usize) -> ZxResult {
        if buffer_size > ADD_ENTROPY_MAX_LEN {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut bytes = read_bytes(self.aspace(), buffer.addr(), buffer_size)?;
        let mixed = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/urandom")
            .and_then(|mut f| f.write_all(&bytes));
        if let Err(e) = mixed {
            // The host refused the mix; the pool is as strong as before,
            // and Zircon's add has no failure to report.
            log::warn!("zx_cprng_add_entropy: /dev/urandom refused the bytes: {e}");
        }
        bytes.fill(0);
        Ok(())
    }
}
