//! `zx_job_set_policy`, `zx_job_set_critical`, and enforcing a process's
//! policy when a syscall meets one of its conditions.

use zircon_object::handle::HandleValue;
use zircon_object::task::policy::{
    BasicPolicy, PolicyAction, PolicyCondition, PolicyMode, TimerSlack, POL_OVERRIDE_DENY,
};
use zircon_object::task::process::TASK_RETCODE_POLICY_KILL;
use zircon_object::task::{Job, Process};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, UserInPtr};
use crate::Syscall;

/// `ZX_JOB_POL_RELATIVE` / `ZX_JOB_POL_ABSOLUTE`.
const JOB_POL_RELATIVE: u32 = 0;
const JOB_POL_ABSOLUTE: u32 = 1;
/// The topics: `ZX_JOB_POL_BASIC_V1`, `_V2`, `ZX_JOB_POL_TIMER_SLACK`.
const JOB_POL_BASIC_V1: u32 = 0;
const JOB_POL_BASIC_V2: u32 = 0x0100_0000;
const JOB_POL_TIMER_SLACK: u32 = 1;
/// The most entries one call may pass (Zircon's syscall limit; the policy
/// itself refuses more than `ZX_POL_MAX` with `OUT_OF_RANGE`).
const MAX_BASIC_ENTRIES: u32 = 32;
/// `ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO`
const JOB_CRITICAL_PROCESS_RETCODE_NONZERO: u32 = 1;

impl Syscall<'_> {
    /// `zx_job_set_policy`, in Zircon's order: the topic, the mode, the
    /// entry count and the user copy (`INVALID_ARGS`), then the handle
    /// (`SET_POLICY`), then the job (`BAD_STATE` with live children) and
    /// the entries themselves.
    pub fn job_set_policy(
        &self,
        h: HandleValue,
        options: u32,
        topic: u32,
        policy: UserInPtr<u8>,
        count: u32,
    ) -> ZxResult {
        let addr = policy.addr();
        match topic {
            JOB_POL_BASIC_V1 | JOB_POL_BASIC_V2 => {
                let mode = match options {
                    JOB_POL_RELATIVE => PolicyMode::Relative,
                    JOB_POL_ABSOLUTE => PolicyMode::Absolute,
                    _ => return Err(ZxError::INVALID_ARGS),
                };
                if addr == 0 || count == 0 || count > MAX_BASIC_ENTRIES {
                    return Err(ZxError::INVALID_ARGS);
                }
                let v2 = topic == JOB_POL_BASIC_V2;
                let size = if v2 { 12 } else { 8 };
                let raw = read_bytes(self.aspace(), addr, count as usize * size)?;
                let word = |at: usize| u32::from_le_bytes(raw[at..at + 4].try_into().unwrap());
                let entries: Vec<BasicPolicy> = (0..count as usize)
                    .map(|i| BasicPolicy {
                        condition: word(i * size),
                        action: word(i * size + 4),
                        flags: if v2 {
                            word(i * size + 8)
                        } else {
                            POL_OVERRIDE_DENY
                        },
                    })
                    .collect();
                let (job, _) = self.process.get_object::<Job>(h, Rights::SET_POLICY)?;
                job.set_basic_policy(mode, &entries)
            }
            JOB_POL_TIMER_SLACK => {
                if options != JOB_POL_RELATIVE {
                    return Err(ZxError::INVALID_ARGS);
                }
                if addr == 0 || count != 1 {
                    return Err(ZxError::INVALID_ARGS);
                }
                // zx_policy_timer_slack_t: min_slack, default_mode, padding.
                let raw = read_bytes(self.aspace(), addr, 16)?;
                let slack = TimerSlack {
                    min_slack: i64::from_le_bytes(raw[0..8].try_into().unwrap()),
                    default_mode: u32::from_le_bytes(raw[8..12].try_into().unwrap()),
                };
                let (job, _) = self.process.get_object::<Job>(h, Rights::SET_POLICY)?;
                job.set_timer_slack_policy(slack)
            }
            _ => Err(ZxError::INVALID_ARGS),
        }
    }

    /// `zx_job_set_critical`: options, then the job (`DESTROY`), then the
    /// process (`WAIT`), then the binding (`ALREADY_BOUND`, or
    /// `INVALID_ARGS` unless the job is the process's or above it).
    pub fn job_set_critical(
        &self,
        job: HandleValue,
        options: u32,
        process: HandleValue,
    ) -> ZxResult {
        let retcode_nonzero = match options {
            0 => false,
            JOB_CRITICAL_PROCESS_RETCODE_NONZERO => true,
            _ => return Err(ZxError::INVALID_ARGS),
        };
        let (job, _) = self.process.get_object::<Job>(job, Rights::DESTROY)?;
        let (process, _) = self.process.get_object::<Process>(process, Rights::WAIT)?;
        process.set_critical_to_job(&job, retcode_nonzero)
    }

    /// Applies the calling process's policy for `condition`, as Zircon's
    /// `EnforceBasicPolicy`: `Ok` to go on; `ACCESS_DENIED` to refuse. An
    /// exception action raises `ZX_EXCP_POLICY_ERROR` (synth code: the
    /// condition) as the syscall returns; `KILL` ends the process with
    /// `ZX_TASK_RETCODE_POLICY_KILL` (the syscall never returns).
    pub fn enforce_policy(&self, condition: PolicyCondition) -> ZxResult {
        let signal = || {
            if let Some(t) = crate::current_thread() {
                t.signal_policy_exception(condition.as_raw(), 0);
            }
        };
        match self.process.policy().action(condition) {
            PolicyAction::Allow => Ok(()),
            PolicyAction::Deny => Err(ZxError::ACCESS_DENIED),
            PolicyAction::AllowException => {
                signal();
                Ok(())
            }
            PolicyAction::DenyException => {
                signal();
                Err(ZxError::ACCESS_DENIED)
            }
            PolicyAction::Kill => {
                self.process.exit(TASK_RETCODE_POLICY_KILL);
                Err(ZxError::ACCESS_DENIED)
            }
        }
    }
}
