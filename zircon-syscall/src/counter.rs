//! `zx_counter_create`, `zx_counter_add`, `zx_counter_read`,
//! `zx_counter_write` (Zircon's `lib/syscalls/counter.cc`).

use zircon_object::handle::HandleValue;
use zircon_object::ipc::counter::DEFAULT_COUNTER_RIGHTS;
use zircon_object::ipc::Counter;
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::UserOutPtr;
use crate::Syscall;

impl Syscall<'_> {
    /// `zx_counter_create`: no options are defined.
    pub fn counter_create(&self, options: u32, out: UserOutPtr<u32>) -> ZxResult {
        if options != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        self.add_handle_out(Counter::new(), DEFAULT_COUNTER_RIGHTS, out)
    }

    /// `zx_counter_add`: needs `READ` as well as `WRITE`, since whether an
    /// add overflows tells the value.
    pub fn counter_add(&self, h: HandleValue, value: i64) -> ZxResult {
        let (counter, _) = self
            .process
            .get_object::<Counter>(h, Rights::READ | Rights::WRITE)?;
        counter.add(value)
    }

    /// `zx_counter_read` (`READ` right).
    pub fn counter_read(&self, h: HandleValue, value: UserOutPtr<i64>) -> ZxResult {
        let (counter, _) = self.process.get_object::<Counter>(h, Rights::READ)?;
        value.write(self.aspace(), counter.read())
    }

    /// `zx_counter_write` (`WRITE` right).
    pub fn counter_write(&self, h: HandleValue, value: i64) -> ZxResult {
        let (counter, _) = self.process.get_object::<Counter>(h, Rights::WRITE)?;
        counter.write(value);
        Ok(())
    }
}
