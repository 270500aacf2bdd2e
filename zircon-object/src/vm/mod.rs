//! Virtual memory: VMOs, VMARs and the address space behind them.
//!
//! Where things are:
//!
//! * `aspace/`: [`AddressSpace`] — one HAL page table and the region tree
//!   under one lock; the fault path (`fault.rs`), user copies
//!   (`user_copy.rs`), teardown of mappings and regions (`teardown.rs`),
//!   views and the consistency check (`check.rs`).
//! * `region.rs`: a region's children and gaps, and the tree walks.
//! * `mapping.rs`: a mapping's protection ranges and host-mapped ranges.
//! * `gaps.rs`: the free-space index a region places children with.
//! * `vmar/`: [`VmAddressRegion`], the VMAR kernel object, one file per
//!   `zx_vmar_*` operation family.
//! * `vmo/`: [`VmObject`], paged VMOs and slices: the chunk walk, copy on
//!   write and revocation (`chunks.rs`), contents and ops (`content.rs`),
//!   sizes and cache policy (`resize.rs`), children (`child.rs`).
//! * `options.rs`: `ZX_VM_*` option bits and permission/rights helpers.
//! * `stream.rs`: [`Stream`], a seek offset over a VMO's contents
//!   (`zx_stream_*`), read and written through guest `zx_iovec_t` arrays.
//!
//! # Lock order
//!
//! This is the VM part of the tree's one lock hierarchy, written out with
//! every other lock, the signal handler and the known hazards in
//! `docs/LOCKING.md`.
//!
//! address space (`AddressSpace::state`) → VMO (`VmObject::inner`; a
//! parent before its slice children) → HAL page table. Only that order is
//! ever taken. Above all of them: a stream's seek lock, then the VMO's
//! content lock (`VmObject::content_lock`), which stream transfers hold
//! across their guest copies and size changes hold across their zeroing.
//!
//! * Every VMAR operation and the fault path lock the address space once,
//!   then call into VMOs (`fault_map`, `backed_runs`, commit, ...), which
//!   lock the VMO that owns the memory.
//! * A VMO never takes an address-space lock while holding its own: to
//!   take host pages away under its lock (copy on write, snapshots) it
//!   unmaps page tables directly (`AddressSpace::hal_revoke`); shrinking
//!   collects its mappings, drops its lock, then calls
//!   `AddressSpace::revoke_vmo_range`.
//! * A revocation walks a parent's slice children with the parent's lock
//!   held, taking each child's lock in turn.
//! * Dropping the last reference to a VMO locks its parent (to prune the
//!   child list), and dropping an address space drops its mappings' VMOs.
//!   So no walk drops such a reference under a VMO lock: upgraded
//!   references are kept until the lock is released (`vmo/chunks.rs`,
//!   `KeepAlive`).

pub mod aspace;
pub mod gaps;
pub mod mapping;
pub mod options;
pub mod pager;
pub mod region;
pub mod stream;
pub mod vmar;
pub mod vmo;

pub use aspace::{AddressSpace, MappingView};
pub use options::VmOptions;
pub use pager::Pager;
pub use stream::Stream;
pub use vmar::{MapsEntry, VmAddressRegion};
pub use vmo::VmObject;

#[cfg(test)]
mod tests;
