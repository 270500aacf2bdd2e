//! Inter-process communication and signalling objects: channels, events,
//! event pairs, ports, counters, sockets and FIFOs.

pub mod channel;
pub mod counter;
pub mod event;
pub mod fifo;
pub mod port;
pub mod socket;

pub use channel::{Channel, TooBig};
pub use counter::Counter;
pub use event::{Event, EventPair};
pub use fifo::Fifo;
pub use port::Port;
pub use socket::Socket;
