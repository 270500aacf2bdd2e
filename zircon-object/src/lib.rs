//! Zircon kernel objects for the LibOS: handles and rights, VMOs, VMARs and
//! mappings, processes and jobs.
//!
//! Everything here is safe code over the HAL traits of `kernel-hal`; unit
//! tests run against its fake HAL, and `kernel-hal-unix` supplies the real
//! one. Semantics (checks, their order, error codes) follow Zircon's kernel,
//! which this crate cites module by module.
//!
//! Module map:
//! * [`error`] — `ZxError`, the one error vocabulary.
//! * [`rights`] — `ZX_RIGHT_*`.
//! * [`object`], [`handle`] — koids, names, handle tables.
//! * [`vm`] — VMOs, VMARs, mappings, the address space and its fault path.
//! * [`task`] — jobs and processes.
//! * [`ipc`] — channels, events, ports, counters.
//! * [`time`] — timelines, timers, clock objects.
//! * [`system`] — resources, the debuglog, memory-pressure events.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod handle;
pub mod ipc;
pub mod object;
pub mod rights;
pub mod sync;
pub mod system;
pub mod task;
pub mod time;
pub mod vm;

pub use error::{ZxError, ZxResult};
pub use rights::Rights;
