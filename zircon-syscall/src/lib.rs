//! Zircon syscalls.
