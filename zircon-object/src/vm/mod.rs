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

pub mod aspace;
pub mod gaps;
pub mod mapping;
pub mod options;
pub mod region;
pub mod vmar;
pub mod vmo;

pub use aspace::{AddressSpace, MappingView};
pub use options::VmOptions;
pub use vmar::{MapsEntry, VmAddressRegion};
pub use vmo::VmObject;

#[cfg(test)]
mod tests;
