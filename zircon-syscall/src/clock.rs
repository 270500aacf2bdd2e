//! Kernel clock objects: `zx_clock_create`, `zx_clock_read`,
//! `zx_clock_get_details`, `zx_clock_update` (Zircon's
//! `lib/syscalls/clock.cc`). The argument structures are versioned by the
//! `ZX_CLOCK_ARGS_VERSION` bits of `options`; this layer decodes them at
//! Fuchsia's layouts and `zircon_object::time::clock` applies the rules.

use std::sync::Arc;

use zircon_object::handle::HandleValue;
use zircon_object::time::clock::{
    args_version, ClockDetails, ClockUpdate, Transform, UpdateVersion, ARGS_VERSION_MASK,
    ARGS_VERSION_SHIFT, DEFAULT_CLOCK_RIGHTS, MAX_RATE_ADJUST, MIN_RATE_ADJUST, UPDATE_OPTIONS_ALL,
    UPDATE_RATE_ADJUST_VALID,
};
use zircon_object::time::{Clock, HostTime};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, write_bytes, UserInPtr, UserOutPtr};
use crate::Syscall;

/// `sizeof(zx_clock_create_args_v1_t)`
const CREATE_ARGS_V1_SIZE: usize = 8;
/// `sizeof(zx_clock_update_args_v1_t)`
const UPDATE_ARGS_V1_SIZE: usize = 24;
/// `sizeof(zx_clock_update_args_v2_t)`
const UPDATE_ARGS_V2_SIZE: usize = 32;
/// `sizeof(zx_clock_details_v1_t)`
const DETAILS_V1_SIZE: usize = 112;

fn le_i64(b: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn put_transform(out: &mut [u8], at: usize, t: &Transform) {
    out[at..at + 8].copy_from_slice(&t.reference_offset.to_le_bytes());
    out[at + 8..at + 16].copy_from_slice(&t.synthetic_offset.to_le_bytes());
    out[at + 16..at + 20].copy_from_slice(&t.synthetic_ticks.to_le_bytes());
    out[at + 20..at + 24].copy_from_slice(&t.reference_ticks.to_le_bytes());
}

/// Encodes `zx_clock_details_v1_t`.
fn details_bytes(d: &ClockDetails) -> [u8; DETAILS_V1_SIZE] {
    let mut b = [0u8; DETAILS_V1_SIZE];
    b[0..8].copy_from_slice(&d.options.to_le_bytes());
    b[8..16].copy_from_slice(&d.backstop_time.to_le_bytes());
    put_transform(&mut b, 16, &d.reference_ticks_to_synthetic);
    put_transform(&mut b, 40, &d.reference_to_synthetic);
    b[64..72].copy_from_slice(&d.error_bound.to_le_bytes());
    b[72..80].copy_from_slice(&d.query_ticks.to_le_bytes());
    b[80..88].copy_from_slice(&d.last_value_update_ticks.to_le_bytes());
    b[88..96].copy_from_slice(&d.last_rate_adjust_update_ticks.to_le_bytes());
    b[96..104].copy_from_slice(&d.last_error_bounds_update_ticks.to_le_bytes());
    b[104..108].copy_from_slice(&d.generation_counter.to_le_bytes());
    b
}

impl Syscall<'_> {
    /// `zx_clock_create`: version 0 takes no arguments (backstop 0),
    /// version 1 a `zx_clock_create_args_v1_t`; anything else, or a
    /// structure that cannot be read, is `INVALID_ARGS`.
    pub fn clock_create(
        &self,
        options: u64,
        args: UserInPtr<u8>,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        let backstop = match args_version(options) {
            0 if args.is_null() => 0,
            1 => le_i64(
                &read_bytes(self.aspace(), args.addr(), CREATE_ARGS_V1_SIZE)?,
                0,
            ),
            _ => return Err(ZxError::INVALID_ARGS),
        };
        let clock = Clock::create(options, backstop, Arc::new(HostTime))?;
        self.add_handle_out(clock, DEFAULT_CLOCK_RIGHTS, out)
    }

    /// `zx_clock_read` (`READ` right).
    pub fn clock_read(&self, h: HandleValue, now: UserOutPtr<i64>) -> ZxResult {
        let (clock, _) = self.process.get_object::<Clock>(h, Rights::READ)?;
        now.write(self.aspace(), clock.read())
    }

    /// `zx_clock_get_details`: only `ZX_CLOCK_ARGS_VERSION(1)` and a
    /// non-null buffer, checked before the handle (`READ` right).
    pub fn clock_get_details(
        &self,
        h: HandleValue,
        options: u64,
        details: UserOutPtr<u8>,
    ) -> ZxResult {
        if options != 1 << ARGS_VERSION_SHIFT || details.is_null() {
            return Err(ZxError::INVALID_ARGS);
        }
        let (clock, _) = self.process.get_object::<Clock>(h, Rights::READ)?;
        write_bytes(
            self.aspace(),
            details.addr(),
            &details_bytes(&clock.details()),
        )
    }

    /// `zx_clock_update`: the structure (v1 or v2) is read, its options
    /// and rate range are checked, then the handle (`WRITE` right).
    pub fn clock_update(&self, h: HandleValue, options: u64, args: UserInPtr<u8>) -> ZxResult {
        if args.is_null() {
            return Err(ZxError::INVALID_ARGS);
        }
        let (version, size) = match args_version(options) {
            1 => (UpdateVersion::V1, UPDATE_ARGS_V1_SIZE),
            2 => (UpdateVersion::V2, UPDATE_ARGS_V2_SIZE),
            _ => return Err(ZxError::INVALID_ARGS),
        };
        let raw = read_bytes(self.aspace(), args.addr(), size)?;
        let rate_adjust = i32::from_le_bytes(raw[0..4].try_into().expect("4 bytes"));
        let (reference_value, error_bound) = match version {
            UpdateVersion::V1 => (0, le_i64(&raw, 16) as u64),
            UpdateVersion::V2 => (le_i64(&raw, 16), le_i64(&raw, 24) as u64),
        };
        let options = options & !ARGS_VERSION_MASK;
        if options & !UPDATE_OPTIONS_ALL != 0 || options & UPDATE_OPTIONS_ALL == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if options & UPDATE_RATE_ADJUST_VALID != 0
            && !(MIN_RATE_ADJUST..=MAX_RATE_ADJUST).contains(&rate_adjust)
        {
            return Err(ZxError::INVALID_ARGS);
        }
        let (clock, _) = self.process.get_object::<Clock>(h, Rights::WRITE)?;
        clock.update(&ClockUpdate {
            version,
            options,
            rate_adjust,
            synthetic_value: le_i64(&raw, 8),
            reference_value,
            error_bound,
        })
    }
}
