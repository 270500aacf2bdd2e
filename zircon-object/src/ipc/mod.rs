//! Inter-process communication and signalling objects: channels, events,
//! event pairs, ports and counters.

pub mod channel;
pub mod counter;
pub mod event;
pub mod port;

pub use channel::{Channel, TooBig};
pub use counter::Counter;
pub use event::{Event, EventPair};
pub use port::Port;
