//! `ZxError`: Zircon's `zx_status_t` values as a Rust error type.
//!
//! This is the project's single error vocabulary. HAL errors convert into it
//! here, once; only the syscall dispatcher turns a [`ZxResult`] into a raw
//! status.

use kernel_hal::{FaultError, HalError};

macro_rules! zx_errors {
    ($($name:ident = $val:expr, $doc:literal;)*) => {
        /// A Zircon error status (every `ZX_ERR_*` value, with Fuchsia's numbers).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(i32)]
        #[expect(non_camel_case_types, reason = "variants mirror Fuchsia's ZX_ERR_* names")]
        pub enum ZxError {
            $(#[doc = $doc] $name = $val,)*
        }

        impl ZxError {
            /// Returns the error for a raw negative status, if it is one.
            pub fn from_raw(raw: i32) -> Option<ZxError> {
                match raw {
                    $($val => Some(ZxError::$name),)*
                    _ => None,
                }
            }

            /// Returns the raw `zx_status_t` (a negative number).
            pub const fn into_raw(self) -> i32 {
                self as i32
            }

            /// Returns the `ZX_ERR_*` name of this error.
            pub fn name(self) -> &'static str {
                match self {
                    $(ZxError::$name => concat!("ZX_ERR_", stringify!($name)),)*
                }
            }
        }
    };
}

zx_errors! {
    INTERNAL = -1, "An internal error in the kernel.";
    NOT_SUPPORTED = -2, "The operation is not implemented, supported or enabled.";
    NO_RESOURCES = -3, "The system ran out of a limited resource.";
    NO_MEMORY = -4, "The system ran out of memory.";
    INTERNAL_INTR_RETRY = -6, "The system call was interrupted and should be retried.";
    INVALID_ARGS = -10, "An argument is invalid.";
    BAD_HANDLE = -11, "A handle is not valid.";
    WRONG_TYPE = -12, "A handle names an object of the wrong type.";
    BAD_SYSCALL = -13, "The syscall number is invalid.";
    OUT_OF_RANGE = -14, "An argument is outside the valid range.";
    BUFFER_TOO_SMALL = -15, "A caller-provided buffer is too small.";
    BAD_STATE = -20, "The object is not in a state to perform the operation.";
    TIMED_OUT = -21, "The deadline passed before the operation completed.";
    SHOULD_WAIT = -22, "The operation cannot be done now; wait and retry.";
    CANCELED = -23, "The in-progress operation was canceled.";
    PEER_CLOSED = -24, "The other end of the object is closed.";
    NOT_FOUND = -25, "The requested entity is not found.";
    ALREADY_EXISTS = -26, "An object with the same identity already exists.";
    ALREADY_BOUND = -27, "The object is already bound.";
    UNAVAILABLE = -28, "The operation cannot be performed currently.";
    ACCESS_DENIED = -30, "The caller lacks the rights for the operation.";
    IO = -40, "Input/output error.";
    IO_REFUSED = -41, "The device refused the operation.";
    IO_DATA_INTEGRITY = -42, "Data failed an integrity check.";
    IO_DATA_LOSS = -43, "Data was lost.";
    IO_NOT_PRESENT = -44, "The device is not present.";
    IO_OVERRUN = -45, "Too much data for the channel.";
    IO_MISSED_DEADLINE = -46, "An operation missed its deadline.";
    IO_INVALID = -47, "Invalid data for the device.";
    BAD_PATH = -50, "A path name is invalid.";
    NOT_DIR = -51, "The object is not a directory.";
    NOT_FILE = -52, "The object is not a file.";
    FILE_BIG = -53, "The file would exceed a size limit.";
    NO_SPACE = -54, "The file system or device is full.";
    NOT_EMPTY = -55, "The directory is not empty.";
    STOP = -60, "Stop an iteration (not an error).";
    NEXT = -61, "Advance to the next item (not an error).";
    ASYNC = -62, "The operation continues asynchronously.";
    PROTOCOL_NOT_SUPPORTED = -70, "The protocol is not supported.";
    ADDRESS_UNREACHABLE = -71, "The host is unreachable.";
    ADDRESS_IN_USE = -72, "The address is in use.";
    NOT_CONNECTED = -73, "The socket is not connected.";
    CONNECTION_REFUSED = -74, "The remote refused the connection.";
    CONNECTION_RESET = -75, "The connection was reset.";
    CONNECTION_ABORTED = -76, "The connection was aborted.";
    INTERNAL_INTR_KILLED = -502, "The thread was killed during the call.";
}

/// `ZX_OK`.
pub const ZX_OK: i32 = 0;

/// The result type of every kernel-object operation.
pub type ZxResult<T = ()> = Result<T, ZxError>;

impl From<HalError> for ZxError {
    fn from(e: HalError) -> Self {
        match e {
            HalError::NoMemory => ZxError::NO_MEMORY,
            HalError::InvalidArgs => ZxError::INVALID_ARGS,
            HalError::Host(_) => ZxError::INTERNAL,
        }
    }
}

impl From<FaultError> for ZxError {
    fn from(e: FaultError) -> Self {
        match e {
            FaultError::NotFound => ZxError::NOT_FOUND,
            FaultError::AccessDenied => ZxError::ACCESS_DENIED,
            FaultError::OutOfRange => ZxError::OUT_OF_RANGE,
            FaultError::NoMemory => ZxError::NO_MEMORY,
            FaultError::ShouldWait => ZxError::SHOULD_WAIT,
            FaultError::Pager(raw) => ZxError::from_raw(raw).unwrap_or(ZxError::BAD_STATE),
        }
    }
}

impl From<ZxError> for FaultError {
    fn from(e: ZxError) -> Self {
        match e {
            ZxError::ACCESS_DENIED => FaultError::AccessDenied,
            ZxError::OUT_OF_RANGE => FaultError::OutOfRange,
            ZxError::NO_MEMORY => FaultError::NoMemory,
            ZxError::SHOULD_WAIT => FaultError::ShouldWait,
            ZxError::IO
            | ZxError::IO_DATA_INTEGRITY
            | ZxError::BAD_STATE
            | ZxError::NO_SPACE
            | ZxError::BUFFER_TOO_SMALL => FaultError::Pager(e as i32),
            _ => FaultError::NotFound,
        }
    }
}

impl std::fmt::Display for ZxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name(), *self as i32)
    }
}

impl std::error::Error for ZxError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_fuchsia() {
        assert_eq!(ZxError::INVALID_ARGS as i32, -10);
        assert_eq!(ZxError::ACCESS_DENIED as i32, -30);
        assert_eq!(ZxError::INTERNAL_INTR_KILLED as i32, -502);
        assert_eq!(ZxError::from_raw(-25), Some(ZxError::NOT_FOUND));
        assert_eq!(ZxError::from_raw(-5), None);
        assert_eq!(ZxError::BAD_STATE.name(), "ZX_ERR_BAD_STATE");
    }
}
