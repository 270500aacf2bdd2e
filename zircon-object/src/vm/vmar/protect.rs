//! `zx_vmar_protect`: changing the protection of mapped pages.

use kernel_hal::{is_page_aligned, MMUFlags, PAGE_SIZE};

use crate::vm::options::{check_perm_combination, rights_for_perms, split_options, VmOptions};
use crate::vm::region::{end_inside, rounded_len};
use crate::{Rights, ZxError, ZxResult};

use super::{MappingKind, VmAddressRegion};
use crate::vm::vmo::Sharing;

/// A decoded `zx_vmar_protect` call: the new protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtectRequest {
    /// The protection to set.
    pub perms: MMUFlags,
}

impl ProtectRequest {
    /// Checks and decodes `options` (raw `ZX_VM_*` bits) against the
    /// handle's `rights`, in Zircon's order: the permissions against
    /// rights, their combination, then that nothing but PERM bits is set.
    pub fn parse(rights: Rights, options: u32) -> ZxResult<ProtectRequest> {
        let mut raw = VmOptions::from_bits_truncate(options);
        if raw.contains(VmOptions::PERM_READ_IF_XOM_UNSUPPORTED) {
            raw |= VmOptions::PERM_READ;
        }
        let perms = raw.perms();
        if !rights.contains(rights_for_perms(perms)) {
            return Err(ZxError::ACCESS_DENIED);
        }
        check_perm_combination(perms)?;
        let (flags, align) = split_options(options)?;
        if !VmOptions::PERMS.contains(flags) || align != PAGE_SIZE || options >> 24 != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        Ok(ProtectRequest { perms })
    }
}

impl VmAddressRegion {
    /// Changes protections (`zx_vmar_protect`): [`ProtectRequest::parse`]
    /// then [`VmAddressRegion::protect_request`].
    pub fn protect(&self, rights: Rights, options: u32, addr: usize, len: usize) -> ZxResult {
        self.protect_request(rights, ProtectRequest::parse(rights, options)?, addr, len)
    }

    /// Sets the protection of `[addr, addr + len)` to `req.perms`; all or
    /// nothing. `rights` are the handle's rights (`OP_CHILDREN` allows
    /// nested mappings).
    pub fn protect_request(
        &self,
        rights: Rights,
        req: ProtectRequest,
        addr: usize,
        len: usize,
    ) -> ZxResult {
        let perms = req.perms;
        if !is_page_aligned(addr) {
            return Err(ZxError::INVALID_ARGS);
        }
        let len = rounded_len(len)?;
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        let end = end_inside(r, addr, len)?;
        let (maps, _) = st.mappings_in(self.id, addr, end);
        let mut cursor = addr;
        for &(id, direct) in &maps {
            let m = &st.mappings[&id];
            // Zircon checks for a hole before looking at the mapping after it.
            if m.base.max(addr) > cursor {
                return Err(ZxError::NOT_FOUND);
            }
            if !m.max_perms.contains(perms) {
                return Err(ZxError::ACCESS_DENIED);
            }
            if m.kind == MappingKind::VdsoCode {
                return Err(ZxError::ACCESS_DENIED);
            }
            if !direct {
                if !rights.contains(Rights::OP_CHILDREN) {
                    return Err(ZxError::INVALID_ARGS);
                }
                let adds = m
                    .prot
                    .overlapping(addr.max(m.base)..end.min(m.end()))
                    .any(|(_, f)| !f.contains(perms));
                if adds {
                    return Err(ZxError::ACCESS_DENIED);
                }
            }
            cursor = m.end();
        }
        if cursor < end {
            return Err(ZxError::NOT_FOUND);
        }
        for (id, _) in maps {
            let m = st.mappings.get_mut(&id).expect("collected above");
            let (s, e) = (addr.max(m.base), end.min(m.end()));
            m.prot.insert(s..e, perms);
            let runs: Vec<std::ops::Range<usize>> =
                m.host.clipped(s..e).map(|(host, ())| host).collect();
            for host in runs {
                if perms.contains(MMUFlags::WRITE) {
                    self.protect_host_writable(m, host, perms)?;
                } else {
                    self.aspace.pt.protect(host.start, host.len(), perms)?;
                }
            }
        }
        Ok(())
    }

    /// Sets host pages of `m` in `host` to `perms`, which grant write:
    /// only frames the VMO owns alone may be written through the host
    /// mapping; copy-on-write frames (shared with a parent or a snapshot)
    /// stay read-only, so that a write faults and gets a private copy.
    fn protect_host_writable(
        &self,
        m: &crate::vm::mapping::Mapping,
        host: std::ops::Range<usize>,
        perms: MMUFlags,
    ) -> ZxResult {
        let read_only = perms.difference(MMUFlags::WRITE);
        let voff = m.vmo_offset + (host.start - m.base);
        // Everything read-only first, then the private runs writable.
        self.aspace.pt.protect(host.start, host.len(), read_only)?;
        let mut private = Vec::new();
        m.vmo.backed_runs(voff, voff + host.len(), &mut |run| {
            if run.sharing == Sharing::Private {
                private.push((run.vmo_offset, run.len));
            }
            Ok(())
        })?;
        for (off, len) in private {
            let va = host.start + (off - voff);
            self.aspace.pt.protect(va, len, perms)?;
        }
        Ok(())
    }
}
