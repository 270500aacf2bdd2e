//! Virtual memory: VMOs, VMARs and the address space behind them.

pub mod gaps;
pub mod options;
pub mod vmar;
pub mod vmo;

pub use options::VmOptions;
pub use vmar::{AddressSpace, MappingView, MapsEntry, VmAddressRegion};
pub use vmo::VmObject;

#[cfg(test)]
mod tests;
