//! System objects: resources (the capabilities over hardware and system
//! ranges), the debuglog and its objects, and the memory-pressure events of
//! `zx_system_get_event` with the watchdog that signals them.

pub mod console;
pub mod debuglog;
pub mod pressure;
pub mod resource;

pub use debuglog::DebugLog;
pub use pressure::MemoryWatchdog;
pub use resource::Resource;
