//! Tasks: jobs and processes (threads arrive with the syscall layer).

pub mod job;
pub mod process;

pub use job::Job;
pub use process::Process;
