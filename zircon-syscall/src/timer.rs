//! `zx_timer_create`, `zx_timer_set`, `zx_timer_cancel` (Zircon's
//! `lib/syscalls/timer.cc`). The timers live in `zircon_object::time`,
//! fired by the emulator's one timer queue.

use zircon_object::handle::HandleValue;
use zircon_object::time::timer::DEFAULT_TIMER_RIGHTS;
use zircon_object::time::{Timer, TimerQueue};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::UserOutPtr;
use crate::Syscall;

impl Syscall<'_> {
    /// `zx_timer_create`: a bad clock, then bad options, are `INVALID_ARGS`.
    pub fn timer_create(&self, options: u32, clock_id: u32, out: UserOutPtr<u32>) -> ZxResult {
        // The clock first (Timer::create checks it again), then the policy.
        use zircon_object::time::{CLOCK_BOOT, CLOCK_MONOTONIC};
        if clock_id != CLOCK_MONOTONIC && clock_id != CLOCK_BOOT {
            return Err(ZxError::INVALID_ARGS);
        }
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewTimer)?;
        let timer = Timer::create(options, clock_id, TimerQueue::global())?;
        self.add_handle_out(timer, DEFAULT_TIMER_RIGHTS, out)
    }

    /// `zx_timer_set`: a negative slack is `OUT_OF_RANGE` before the handle
    /// is looked up (`WRITE` right).
    pub fn timer_set(&self, h: HandleValue, deadline: i64, slack: i64) -> ZxResult {
        if slack < 0 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let (timer, _) = self.process.get_object::<Timer>(h, Rights::WRITE)?;
        // Widened to the job's timer-slack policy, as on Zircon (timers
        // fire at their deadline, which any slack allows).
        timer.set(
            deadline,
            slack.max(self.process.policy().timer_slack().min_slack),
        );
        Ok(())
    }

    /// `zx_timer_cancel` (`WRITE` right).
    pub fn timer_cancel(&self, h: HandleValue) -> ZxResult {
        let (timer, _) = self.process.get_object::<Timer>(h, Rights::WRITE)?;
        timer.cancel();
        Ok(())
    }
}
