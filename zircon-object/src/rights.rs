//! Handle rights (`ZX_RIGHT_*`) and the default rights of each object type.

bitflags::bitflags! {
    /// The rights a handle carries (`zx_rights_t`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Rights: u32 {
        /// `ZX_RIGHT_DUPLICATE`
        const DUPLICATE = 1 << 0;
        /// `ZX_RIGHT_TRANSFER`
        const TRANSFER = 1 << 1;
        /// `ZX_RIGHT_READ`
        const READ = 1 << 2;
        /// `ZX_RIGHT_WRITE`
        const WRITE = 1 << 3;
        /// `ZX_RIGHT_EXECUTE`
        const EXECUTE = 1 << 4;
        /// `ZX_RIGHT_MAP`
        const MAP = 1 << 5;
        /// `ZX_RIGHT_GET_PROPERTY`
        const GET_PROPERTY = 1 << 6;
        /// `ZX_RIGHT_SET_PROPERTY`
        const SET_PROPERTY = 1 << 7;
        /// `ZX_RIGHT_ENUMERATE`
        const ENUMERATE = 1 << 8;
        /// `ZX_RIGHT_DESTROY`
        const DESTROY = 1 << 9;
        /// `ZX_RIGHT_SET_POLICY`
        const SET_POLICY = 1 << 10;
        /// `ZX_RIGHT_GET_POLICY`
        const GET_POLICY = 1 << 11;
        /// `ZX_RIGHT_SIGNAL`
        const SIGNAL = 1 << 12;
        /// `ZX_RIGHT_SIGNAL_PEER`
        const SIGNAL_PEER = 1 << 13;
        /// `ZX_RIGHT_WAIT`
        const WAIT = 1 << 14;
        /// `ZX_RIGHT_INSPECT`
        const INSPECT = 1 << 15;
        /// `ZX_RIGHT_MANAGE_JOB`
        const MANAGE_JOB = 1 << 16;
        /// `ZX_RIGHT_MANAGE_PROCESS`
        const MANAGE_PROCESS = 1 << 17;
        /// `ZX_RIGHT_MANAGE_THREAD`
        const MANAGE_THREAD = 1 << 18;
        /// `ZX_RIGHT_APPLY_PROFILE`
        const APPLY_PROFILE = 1 << 19;
        /// `ZX_RIGHT_MANAGE_SOCKET`
        const MANAGE_SOCKET = 1 << 20;
        /// `ZX_RIGHT_OP_CHILDREN`
        const OP_CHILDREN = 1 << 21;
        /// `ZX_RIGHT_RESIZE`
        const RESIZE = 1 << 22;
        /// `ZX_RIGHT_ATTACH_VMO`
        const ATTACH_VMO = 1 << 23;
        /// `ZX_RIGHT_MANAGE_VMO`
        const MANAGE_VMO = 1 << 24;
        /// `ZX_RIGHT_SAME_RIGHTS`: a request, never held.
        const SAME_RIGHTS = 1 << 31;

        /// `ZX_RIGHTS_BASIC`
        const BASIC = Self::TRANSFER.bits() | Self::DUPLICATE.bits() | Self::WAIT.bits() | Self::INSPECT.bits();
        /// `ZX_RIGHTS_IO`
        const IO = Self::READ.bits() | Self::WRITE.bits();
        /// `ZX_RIGHTS_PROPERTY`
        const PROPERTY = Self::GET_PROPERTY.bits() | Self::SET_PROPERTY.bits();
        /// `ZX_RIGHTS_POLICY`
        const POLICY = Self::GET_POLICY.bits() | Self::SET_POLICY.bits();

        /// `ZX_DEFAULT_VMO_RIGHTS` (0xD0EF).
        const DEFAULT_VMO = Self::BASIC.bits() | Self::IO.bits() | Self::PROPERTY.bits() | Self::MAP.bits() | Self::SIGNAL.bits();
        /// `ZX_DEFAULT_VMAR_RIGHTS` (0x208003).
        const DEFAULT_VMAR = (Self::BASIC.bits() & !Self::WAIT.bits()) | Self::OP_CHILDREN.bits();
        /// `ZX_DEFAULT_PROCESS_RIGHTS` (0x6D3CF).
        const DEFAULT_PROCESS = Self::BASIC.bits() | Self::IO.bits() | Self::PROPERTY.bits() | Self::ENUMERATE.bits()
            | Self::DESTROY.bits() | Self::SIGNAL.bits() | Self::MANAGE_PROCESS.bits() | Self::MANAGE_THREAD.bits();
        /// `ZX_DEFAULT_JOB_RIGHTS` (0x7DFCF).
        const DEFAULT_JOB = Self::BASIC.bits() | Self::IO.bits() | Self::PROPERTY.bits() | Self::POLICY.bits()
            | Self::ENUMERATE.bits() | Self::DESTROY.bits() | Self::SIGNAL.bits() | Self::MANAGE_JOB.bits()
            | Self::MANAGE_PROCESS.bits() | Self::MANAGE_THREAD.bits();
        /// `ZX_DEFAULT_THREAD_RIGHTS` (0x4D2CF).
        const DEFAULT_THREAD = Self::BASIC.bits() | Self::IO.bits() | Self::PROPERTY.bits() | Self::DESTROY.bits()
            | Self::SIGNAL.bits() | Self::MANAGE_THREAD.bits();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_fuchsia() {
        assert_eq!(Rights::BASIC.bits(), 0xC003);
        assert_eq!(Rights::DEFAULT_VMO.bits(), 0xD0EF);
        assert_eq!(Rights::DEFAULT_VMAR.bits(), 0x208003);
        assert_eq!(Rights::DEFAULT_PROCESS.bits(), 0x6D3CF);
        assert_eq!(Rights::DEFAULT_JOB.bits(), 0x7DFCF);
        assert_eq!(Rights::DEFAULT_THREAD.bits(), 0x4D2CF);
    }
}
