//! The byte layouts of the exception records guests read: the
//! `zx_exception_info_t` in each exception channel message and the
//! `zx_exception_report_t` (or its v1 prefix) of
//! `ZX_INFO_THREAD_EXCEPTION_REPORT`. Little-endian, x86-64.

use crate::object::Koid;
use crate::task::exception::{ExceptionReport, ExceptionType};

/// Size of `zx_exception_info_t`.
pub const INFO_SIZE: usize = 24;
/// Size of `zx_exception_report_t`.
pub const REPORT_SIZE: usize = 40;
/// Size of `zx_exception_report_v1_t` (no synth fields).
pub const REPORT_V1_SIZE: usize = 32;

/// Encodes `zx_exception_info_t { pid, tid, type, padding1[4] }`.
pub fn encode_info(pid: Koid, tid: Koid, ty: ExceptionType) -> Vec<u8> {
    let mut b = Vec::with_capacity(INFO_SIZE);
    b.extend_from_slice(&pid.to_le_bytes());
    b.extend_from_slice(&tid.to_le_bytes());
    b.extend_from_slice(&ty.as_raw().to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    b
}

/// Encodes `report` as a `zx_exception_report_t` whose header says `size`,
/// truncated to `size` bytes ([`REPORT_SIZE`], or [`REPORT_V1_SIZE`] for
/// the v1 topic).
pub fn encode_report(report: &ExceptionReport, size: usize) -> Vec<u8> {
    let mut b = Vec::with_capacity(REPORT_SIZE);
    // header: size, type
    b.extend_from_slice(&(size as u32).to_le_bytes());
    b.extend_from_slice(&report.ty.as_raw().to_le_bytes());
    // context.arch.u.x86_64: vector, err_code, cr2
    b.extend_from_slice(&report.vector.to_le_bytes());
    b.extend_from_slice(&report.err_code.to_le_bytes());
    b.extend_from_slice(&report.cr2.to_le_bytes());
    // context.synth_code, context.synth_data (not in v1)
    b.extend_from_slice(&report.synth_code.to_le_bytes());
    b.extend_from_slice(&report.synth_data.to_le_bytes());
    b.truncate(size);
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ZxError;

    #[test]
    fn report_layout() {
        let r = ExceptionReport {
            ty: ExceptionType::FatalPageFault,
            vector: 14,
            err_code: 6,
            cr2: 0x1000,
            synth_code: ZxError::ACCESS_DENIED as i32 as u32,
            synth_data: 0,
        };
        let b = encode_report(&r, REPORT_SIZE);
        assert_eq!(b.len(), 40);
        assert_eq!(&b[0..4], &40u32.to_le_bytes());
        assert_eq!(&b[4..8], &0x108u32.to_le_bytes());
        assert_eq!(&b[8..16], &14u64.to_le_bytes());
        assert_eq!(&b[16..24], &6u64.to_le_bytes());
        assert_eq!(&b[24..32], &0x1000u64.to_le_bytes());
        assert_eq!(&b[32..36], &(-30i32 as u32).to_le_bytes());
        let v1 = encode_report(&r, REPORT_V1_SIZE);
        assert_eq!(v1.len(), 32);
        assert_eq!(&v1[0..4], &32u32.to_le_bytes());
    }

    #[test]
    fn info_layout() {
        let b = encode_info(0x11, 0x22, ExceptionType::SwBreakpoint);
        assert_eq!(b.len(), INFO_SIZE);
        assert_eq!(&b[0..8], &0x11u64.to_le_bytes());
        assert_eq!(&b[8..16], &0x22u64.to_le_bytes());
        assert_eq!(&b[16..20], &0x308u32.to_le_bytes());
        assert_eq!(&b[20..24], &[0; 4]);
    }
}
