//! Tasks: jobs, processes and threads.

pub mod exception;
pub mod futex;
pub mod job;
pub mod process;
pub mod thread;

pub use exception::{Exception, ExceptionOutcome, ExceptionReport, Exceptionate};
pub use job::Job;
pub use process::Process;
pub use thread::{BlockedGuard, Thread, ThreadState};
