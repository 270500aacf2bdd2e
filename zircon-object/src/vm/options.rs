//! `ZX_VM_*` option bits and their parsing.

use kernel_hal::{MMUFlags, PAGE_SHIFT};

use crate::{Rights, ZxError, ZxResult};

bitflags::bitflags! {
    /// The `zx_vm_option_t` bits (alignment field excluded).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct VmOptions: u32 {
        /// `ZX_VM_PERM_READ`
        const PERM_READ = 1 << 0;
        /// `ZX_VM_PERM_WRITE`
        const PERM_WRITE = 1 << 1;
        /// `ZX_VM_PERM_EXECUTE`
        const PERM_EXECUTE = 1 << 2;
        /// `ZX_VM_COMPACT`
        const COMPACT = 1 << 3;
        /// `ZX_VM_SPECIFIC`
        const SPECIFIC = 1 << 4;
        /// `ZX_VM_SPECIFIC_OVERWRITE`
        const SPECIFIC_OVERWRITE = 1 << 5;
        /// `ZX_VM_CAN_MAP_SPECIFIC`
        const CAN_MAP_SPECIFIC = 1 << 6;
        /// `ZX_VM_CAN_MAP_READ`
        const CAN_MAP_READ = 1 << 7;
        /// `ZX_VM_CAN_MAP_WRITE`
        const CAN_MAP_WRITE = 1 << 8;
        /// `ZX_VM_CAN_MAP_EXECUTE`
        const CAN_MAP_EXECUTE = 1 << 9;
        /// `ZX_VM_MAP_RANGE`
        const MAP_RANGE = 1 << 10;
        /// `ZX_VM_REQUIRE_NON_RESIZABLE`
        const REQUIRE_NON_RESIZABLE = 1 << 11;
        /// `ZX_VM_ALLOW_FAULTS`
        const ALLOW_FAULTS = 1 << 12;
        /// `ZX_VM_OFFSET_IS_UPPER_LIMIT`
        const OFFSET_IS_UPPER_LIMIT = 1 << 13;
        /// `ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED`
        const PERM_READ_IF_XOM_UNSUPPORTED = 1 << 14;
        /// `ZX_VM_FAULT_BEYOND_STREAM_SIZE`
        const FAULT_BEYOND_STREAM_SIZE = 1 << 15;

        /// All `PERM_*` bits.
        const PERMS = Self::PERM_READ.bits() | Self::PERM_WRITE.bits() | Self::PERM_EXECUTE.bits()
            | Self::PERM_READ_IF_XOM_UNSUPPORTED.bits();
        /// All `CAN_MAP_*` bits.
        const CAN_MAP = Self::CAN_MAP_SPECIFIC.bits() | Self::CAN_MAP_READ.bits()
            | Self::CAN_MAP_WRITE.bits() | Self::CAN_MAP_EXECUTE.bits();
        /// `CAN_MAP_READ|WRITE|EXECUTE`.
        const CAN_MAP_RWX = Self::CAN_MAP_READ.bits() | Self::CAN_MAP_WRITE.bits() | Self::CAN_MAP_EXECUTE.bits();
    }
}

/// `ZX_VM_ALIGN_BASE`: the alignment field starts at this bit.
pub const ZX_VM_ALIGN_BASE: u32 = 24;

/// Splits raw options into known flags and an alignment (bytes, at least a
/// page). Unknown bits, or an alignment field other than 0 or 10..=32, →
/// `INVALID_ARGS`.
pub fn split_options(raw: u32) -> ZxResult<(VmOptions, usize)> {
    let align_field = raw >> ZX_VM_ALIGN_BASE;
    let flags =
        VmOptions::from_bits(raw & ((1 << ZX_VM_ALIGN_BASE) - 1)).ok_or(ZxError::INVALID_ARGS)?;
    let align = match align_field {
        0 => 1usize << PAGE_SHIFT,
        10..=32 => (1usize << align_field).max(1 << PAGE_SHIFT),
        _ => return Err(ZxError::INVALID_ARGS),
    };
    Ok((flags, align))
}

impl VmOptions {
    /// Returns the MMU flags for the `PERM_*` bits.
    pub fn perms(self) -> MMUFlags {
        let mut f = MMUFlags::empty();
        if self.contains(Self::PERM_READ) {
            f |= MMUFlags::READ;
        }
        if self.contains(Self::PERM_WRITE) {
            f |= MMUFlags::WRITE;
        }
        if self.contains(Self::PERM_EXECUTE) {
            f |= MMUFlags::EXECUTE;
        }
        f
    }

    /// Returns the MMU flags for the `CAN_MAP_R/W/X` bits.
    pub fn can_map_perms(self) -> MMUFlags {
        let mut f = MMUFlags::empty();
        if self.contains(Self::CAN_MAP_READ) {
            f |= MMUFlags::READ;
        }
        if self.contains(Self::CAN_MAP_WRITE) {
            f |= MMUFlags::WRITE;
        }
        if self.contains(Self::CAN_MAP_EXECUTE) {
            f |= MMUFlags::EXECUTE;
        }
        f
    }
}

/// Returns the handle rights that grant `perms` (READ/WRITE/EXECUTE).
pub fn rights_for_perms(perms: MMUFlags) -> Rights {
    let mut r = Rights::empty();
    if perms.contains(MMUFlags::READ) {
        r |= Rights::READ;
    }
    if perms.contains(MMUFlags::WRITE) {
        r |= Rights::WRITE;
    }
    if perms.contains(MMUFlags::EXECUTE) {
        r |= Rights::EXECUTE;
    }
    r
}

/// Returns the permissions that `rights` allow.
pub fn perms_for_rights(rights: Rights) -> MMUFlags {
    let mut f = MMUFlags::empty();
    if rights.contains(Rights::READ) {
        f |= MMUFlags::READ;
    }
    if rights.contains(Rights::WRITE) {
        f |= MMUFlags::WRITE;
    }
    if rights.contains(Rights::EXECUTE) {
        f |= MMUFlags::EXECUTE;
    }
    f
}

/// Checks that W or X come with R (`INVALID_ARGS` otherwise).
pub fn check_perm_combination(perms: MMUFlags) -> ZxResult {
    if perms.intersects(MMUFlags::WRITE | MMUFlags::EXECUTE) && !perms.contains(MMUFlags::READ) {
        return Err(ZxError::INVALID_ARGS);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_field() {
        assert_eq!(split_options(0).unwrap().1, 4096);
        assert_eq!(split_options(10 << 24).unwrap().1, 4096);
        assert_eq!(split_options(16 << 24).unwrap().1, 65536);
        assert_eq!(split_options(32 << 24).unwrap().1, 1 << 32);
        assert_eq!(split_options(9 << 24), Err(ZxError::INVALID_ARGS));
        assert_eq!(split_options(33 << 24), Err(ZxError::INVALID_ARGS));
        assert_eq!(split_options(1 << 31), Err(ZxError::INVALID_ARGS));
        assert_eq!(split_options(1 << 16), Err(ZxError::INVALID_ARGS));
    }
}
