//! Counters (`zx_counter_create`, `zx_counter_add`, `zx_counter_read`,
//! `zx_counter_write`): a signed 64-bit value whose sign is mirrored in its
//! signals. Exactly one of `ZX_COUNTER_POSITIVE` (value > 0) and
//! `ZX_COUNTER_NON_POSITIVE` is asserted at any time; a new counter holds 0.
//! `ZX_COUNTER_SIGNALED` and the user signals belong to `zx_object_signal`.
//!
//! Lock order: `Counter::value` → `KObjectBase::signals`, so a change of
//! value and of its signals is one step for every observer.

use std::sync::Arc;

use crate::object::{signals, KObjectBase, ObjType};
use crate::sync::Mutex;
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_DEFAULT_COUNTER_RIGHTS`: basic, IO and SIGNAL.
pub const DEFAULT_COUNTER_RIGHTS: Rights = Rights::BASIC.union(Rights::IO).union(Rights::SIGNAL);

/// A counter object.
#[derive(Debug)]
pub struct Counter {
    base: KObjectBase,
    /// The value; protected by this mutex (the signals are changed under
    /// it).
    value: Mutex<i64>,
}

impl_kobject!(Counter, ObjType::Counter);

impl Counter {
    /// Creates a counter holding 0, with `ZX_COUNTER_NON_POSITIVE`.
    pub fn new() -> Arc<Counter> {
        let c = Counter {
            base: KObjectBase::default(),
            value: Mutex::new(0),
        };
        c.base.signal_change(0, signals::COUNTER_NON_POSITIVE);
        Arc::new(c)
    }

    /// Returns the value.
    pub fn read(&self) -> i64 {
        *self.value.lock()
    }

    /// Sets the value, moving the sign signals if the sign changed.
    pub fn write(&self, value: i64) {
        let mut v = self.value.lock();
        self.store(&mut v, value);
    }

    /// Adds `amount`; `OUT_OF_RANGE` (and nothing changes) if the sum
    /// leaves `i64`.
    pub fn add(&self, amount: i64) -> ZxResult {
        let mut v = self.value.lock();
        let sum = v.checked_add(amount).ok_or(ZxError::OUT_OF_RANGE)?;
        self.store(&mut v, sum);
        Ok(())
    }

    fn store(&self, v: &mut i64, new: i64) {
        let old = std::mem::replace(v, new);
        if old <= 0 && new > 0 {
            self.base
                .signal_change(signals::COUNTER_NON_POSITIVE, signals::COUNTER_POSITIVE);
        } else if old > 0 && new <= 0 {
            self.base
                .signal_change(signals::COUNTER_POSITIVE, signals::COUNTER_NON_POSITIVE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::KernelObject;

    #[test]
    fn signals_follow_the_sign() {
        let c = Counter::new();
        assert_eq!(c.base().signals(), signals::COUNTER_NON_POSITIVE);
        c.add(-1).unwrap();
        assert_eq!(
            (c.read(), c.base().signals()),
            (-1, signals::COUNTER_NON_POSITIVE)
        );
        c.add(2).unwrap();
        assert_eq!(
            (c.read(), c.base().signals()),
            (1, signals::COUNTER_POSITIVE)
        );
        c.write(0);
        assert_eq!(c.base().signals(), signals::COUNTER_NON_POSITIVE);
        c.write(42);
        assert_eq!(
            (c.read(), c.base().signals()),
            (42, signals::COUNTER_POSITIVE)
        );
        assert_eq!(DEFAULT_COUNTER_RIGHTS.bits(), 0xD00F);
    }

    #[test]
    fn overflow_changes_nothing() {
        let c = Counter::new();
        c.add(i64::MAX).unwrap();
        assert_eq!(c.add(1).unwrap_err(), ZxError::OUT_OF_RANGE);
        assert_eq!(
            (c.read(), c.base().signals()),
            (i64::MAX, signals::COUNTER_POSITIVE)
        );
        c.write(0);
        c.add(i64::MIN).unwrap();
        assert_eq!(c.add(-1).unwrap_err(), ZxError::OUT_OF_RANGE);
        assert_eq!(c.read(), i64::MIN);
        assert_eq!(c.base().signals(), signals::COUNTER_NON_POSITIVE);
    }
}
