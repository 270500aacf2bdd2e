//! The Linux HAL.
