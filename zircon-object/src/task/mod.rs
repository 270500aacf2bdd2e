//! Tasks: jobs, processes and threads.

pub mod delivery;
pub mod exception;
pub mod exception_abi;
pub mod exceptionate;
pub mod futex;
pub mod job;
pub mod policy;
pub mod process;
pub mod runtime;
pub mod suspend;
pub mod thread;

pub use delivery::ExceptionOutcome;
pub use exception::{Exception, ExceptionReport};
pub use exceptionate::Exceptionate;
pub use job::Job;
pub use process::Process;
pub use suspend::{SuspendTarget, SuspendToken};
pub use thread::{BlockedGuard, BlockedReason, Thread, ThreadState};
