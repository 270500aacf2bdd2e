//! Inter-process communication and signalling objects: channels, events
//! and event pairs.

pub mod channel;
pub mod event;
pub mod port;

pub use channel::{Channel, TooBig};
pub use event::{Event, EventPair};
pub use port::Port;
