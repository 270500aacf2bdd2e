//! Inter-process communication objects.

pub mod channel;

pub use channel::Channel;
