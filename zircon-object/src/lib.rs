//! Zircon objects.
