//! Job policies (`zx_job_set_policy`): what a job's processes may do, and
//! what happens when they try something their policy forbids.
//!
//! A job's policy is a table with one entry per `ZX_POL_*` condition: an
//! action (`ZX_POL_ACTION_*`) and whether child jobs may still change it
//! (the override bit). The root job allows everything and lets everything
//! be overridden; a child job starts with a copy of its parent's table, and
//! a process with a copy of its job's, which never changes afterwards (a job
//! with live children cannot change its policy, as on Zircon).

use crate::{ZxError, ZxResult};

crate::abi_enum! {
    /// `ZX_POL_*`: the conditions a policy governs.
    pub enum PolicyCondition {
        /// `ZX_POL_BAD_HANDLE`: a syscall named a handle the process lacks.
        BadHandle = 0,
        /// `ZX_POL_WRONG_OBJECT`
        WrongObject = 1,
        /// `ZX_POL_VMAR_WX`
        VmarWx = 2,
        /// `ZX_POL_NEW_ANY`: every `NEW_*` condition at once (only as input).
        NewAny = 3,
        /// `ZX_POL_NEW_VMO`
        NewVmo = 4,
        /// `ZX_POL_NEW_CHANNEL`
        NewChannel = 5,
        /// `ZX_POL_NEW_EVENT`
        NewEvent = 6,
        /// `ZX_POL_NEW_EVENTPAIR`
        NewEventPair = 7,
        /// `ZX_POL_NEW_PORT`
        NewPort = 8,
        /// `ZX_POL_NEW_SOCKET`
        NewSocket = 9,
        /// `ZX_POL_NEW_FIFO`
        NewFifo = 10,
        /// `ZX_POL_NEW_TIMER`
        NewTimer = 11,
        /// `ZX_POL_NEW_PROCESS`
        NewProcess = 12,
        /// `ZX_POL_NEW_PROFILE`
        NewProfile = 13,
        /// `ZX_POL_NEW_PAGER`
        NewPager = 14,
        /// `ZX_POL_AMBIENT_MARK_VMO_EXEC`: `zx_vmo_replace_as_executable`
        /// without a VMEX resource.
        AmbientMarkVmoExec = 15,
        /// `ZX_POL_NEW_IOB`
        NewIob = 16,
        /// `ZX_POL_NEW_SAMPLER`
        NewSampler = 17,
    }
}

/// `ZX_POL_MAX`: the number of conditions.
pub const POLICY_CONDITIONS: usize = 18;

/// The conditions `ZX_POL_NEW_ANY` stands for.
const NEW_OBJECT_CONDITIONS: [PolicyCondition; 13] = [
    PolicyCondition::NewVmo,
    PolicyCondition::NewChannel,
    PolicyCondition::NewEvent,
    PolicyCondition::NewEventPair,
    PolicyCondition::NewPort,
    PolicyCondition::NewSocket,
    PolicyCondition::NewFifo,
    PolicyCondition::NewTimer,
    PolicyCondition::NewProcess,
    PolicyCondition::NewProfile,
    PolicyCondition::NewPager,
    PolicyCondition::NewIob,
    PolicyCondition::NewSampler,
];

crate::abi_enum! {
    /// `ZX_POL_ACTION_*`: what a policy does when its condition arises.
    pub enum PolicyAction {
        /// `ZX_POL_ACTION_ALLOW`
        Allow = 0,
        /// `ZX_POL_ACTION_DENY`: the syscall fails (`ACCESS_DENIED`).
        Deny = 1,
        /// `ZX_POL_ACTION_ALLOW_EXCEPTION`: a `ZX_EXCP_POLICY_ERROR`
        /// exception, then the syscall goes on.
        AllowException = 2,
        /// `ZX_POL_ACTION_DENY_EXCEPTION`: the exception, then the syscall
        /// fails.
        DenyException = 3,
        /// `ZX_POL_ACTION_KILL`: the process is killed
        /// (`ZX_TASK_RETCODE_POLICY_KILL`).
        Kill = 4,
    }
}

/// `ZX_POL_OVERRIDE_ALLOW`: child jobs may change the entry.
pub const POL_OVERRIDE_ALLOW: u32 = 0;
/// `ZX_POL_OVERRIDE_DENY`: they may not.
pub const POL_OVERRIDE_DENY: u32 = 1;

/// One `zx_policy_basic_v2_t` (a v1 entry becomes one with
/// `ZX_POL_OVERRIDE_DENY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicPolicy {
    /// `ZX_POL_*`.
    pub condition: u32,
    /// `ZX_POL_ACTION_*`.
    pub action: u32,
    /// `ZX_POL_OVERRIDE_*`.
    pub flags: u32,
}

/// How a conflict with the current table is resolved
/// (`ZX_JOB_POL_RELATIVE` / `ZX_JOB_POL_ABSOLUTE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyMode {
    /// Entries the table does not let be overridden are skipped.
    Relative,
    /// Such an entry fails the whole call (`ALREADY_EXISTS`), unless it
    /// asks for what the table already says.
    Absolute,
}

/// `zx_policy_timer_slack_t`, as a job holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimerSlack {
    /// The least slack (ns) timers of the job's processes get.
    pub min_slack: i64,
    /// `ZX_TIMER_SLACK_CENTER`/`EARLY`/`LATE`.
    pub default_mode: u32,
}

/// One condition's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    action: PolicyAction,
    /// Whether child jobs may change it.
    overridable: bool,
}

/// A job's (or process's) policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPolicy {
    entries: [Entry; POLICY_CONDITIONS],
    slack: TimerSlack,
}

impl Default for JobPolicy {
    /// The root job's: everything allowed, everything overridable, no
    /// slack, `ZX_TIMER_SLACK_CENTER`.
    fn default() -> Self {
        JobPolicy {
            entries: [Entry {
                action: PolicyAction::Allow,
                overridable: true,
            }; POLICY_CONDITIONS],
            slack: TimerSlack::default(),
        }
    }
}

impl JobPolicy {
    /// Adds `entries` (`zx_job_set_policy` with a basic topic), all or
    /// nothing: `OUT_OF_RANGE` for more entries than conditions,
    /// `NOT_SUPPORTED` for an unknown action, `INVALID_ARGS` for an unknown
    /// condition or override flag, `ALREADY_EXISTS` for an absolute entry
    /// the table does not let change. Checked in Zircon's order, entry by
    /// entry.
    pub fn add_basic(&mut self, mode: PolicyMode, entries: &[BasicPolicy]) -> ZxResult {
        if entries.len() > POLICY_CONDITIONS {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let mut updated = self.entries;
        let mut new_any_flags = None;
        for e in entries {
            if e.condition == PolicyCondition::NewAny as u32 {
                for c in NEW_OBJECT_CONDITIONS {
                    add_one(&mut updated, mode, c as u32, e.action, POL_OVERRIDE_ALLOW)?;
                }
                new_any_flags = Some(e.flags);
            } else {
                add_one(&mut updated, mode, e.condition, e.action, e.flags)?;
            }
        }
        if let Some(flags) = new_any_flags {
            let overridable = override_bit(flags)?;
            for c in NEW_OBJECT_CONDITIONS {
                updated[c as usize].overridable = overridable;
            }
        }
        self.entries = updated;
        Ok(())
    }

    /// The action for `condition` (`Deny` for `NEW_ANY`, which is no
    /// condition of its own).
    pub fn action(&self, condition: PolicyCondition) -> PolicyAction {
        if condition == PolicyCondition::NewAny {
            return PolicyAction::Deny;
        }
        self.entries[condition as usize].action
    }

    /// The timer slack policy.
    pub fn timer_slack(&self) -> TimerSlack {
        self.slack
    }

    /// Sets the timer slack policy (`ZX_JOB_POL_TIMER_SLACK`): the least
    /// slack never goes below what the parent set; `INVALID_ARGS` for a
    /// negative slack or an unknown mode.
    pub fn set_timer_slack(&mut self, slack: TimerSlack) -> ZxResult {
        if slack.min_slack < 0 || slack.default_mode > 2 {
            return Err(ZxError::INVALID_ARGS);
        }
        self.slack = TimerSlack {
            min_slack: self.slack.min_slack.max(slack.min_slack),
            default_mode: slack.default_mode,
        };
        Ok(())
    }
}

fn override_bit(flags: u32) -> ZxResult<bool> {
    match flags {
        POL_OVERRIDE_ALLOW => Ok(true),
        POL_OVERRIDE_DENY => Ok(false),
        _ => Err(ZxError::INVALID_ARGS),
    }
}

/// One entry, as Zircon's `AddPartial`: the action is checked first, then
/// the override flag, then the condition.
fn add_one(
    entries: &mut [Entry; POLICY_CONDITIONS],
    mode: PolicyMode,
    condition: u32,
    action: u32,
    flags: u32,
) -> ZxResult {
    let action = PolicyAction::try_from(action).map_err(|_| ZxError::NOT_SUPPORTED)?;
    let overridable = override_bit(flags)?;
    let index = condition as usize;
    if index >= POLICY_CONDITIONS || condition == PolicyCondition::NewAny as u32 {
        return Err(ZxError::INVALID_ARGS);
    }
    let entry = &mut entries[index];
    if entry.overridable {
        *entry = Entry {
            action,
            overridable,
        };
        return Ok(());
    }
    if entry.action == action && !overridable {
        return Ok(());
    }
    match mode {
        PolicyMode::Absolute => Err(ZxError::ALREADY_EXISTS),
        PolicyMode::Relative => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(condition: PolicyCondition, action: PolicyAction, flags: u32) -> BasicPolicy {
        BasicPolicy {
            condition: condition as u32,
            action: action as u32,
            flags,
        }
    }

    #[test]
    fn root_allows_everything() {
        let p = JobPolicy::default();
        assert_eq!(p.action(PolicyCondition::NewVmo), PolicyAction::Allow);
        assert_eq!(p.action(PolicyCondition::BadHandle), PolicyAction::Allow);
        assert_eq!(p.action(PolicyCondition::NewAny), PolicyAction::Deny);
    }

    #[test]
    fn new_any_covers_every_new_condition_only() {
        let mut p = JobPolicy::default();
        let deny_any = entry(
            PolicyCondition::NewAny,
            PolicyAction::Deny,
            POL_OVERRIDE_DENY,
        );
        p.add_basic(PolicyMode::Absolute, &[deny_any]).unwrap();
        for c in NEW_OBJECT_CONDITIONS {
            assert_eq!(p.action(c), PolicyAction::Deny);
        }
        assert_eq!(p.action(PolicyCondition::BadHandle), PolicyAction::Allow);
        assert_eq!(
            p.action(PolicyCondition::AmbientMarkVmoExec),
            PolicyAction::Allow
        );
        // Not overridable now: relative changes are skipped, absolute ones
        // fail unless they repeat the entry.
        let allow_vmo = entry(
            PolicyCondition::NewVmo,
            PolicyAction::Allow,
            POL_OVERRIDE_ALLOW,
        );
        p.add_basic(PolicyMode::Relative, &[allow_vmo]).unwrap();
        assert_eq!(p.action(PolicyCondition::NewVmo), PolicyAction::Deny);
        assert_eq!(
            p.add_basic(PolicyMode::Absolute, &[allow_vmo]),
            Err(ZxError::ALREADY_EXISTS)
        );
        let same = entry(
            PolicyCondition::NewVmo,
            PolicyAction::Deny,
            POL_OVERRIDE_DENY,
        );
        assert_eq!(p.add_basic(PolicyMode::Absolute, &[same]), Ok(()));
    }

    #[test]
    fn bad_entries_change_nothing() {
        let mut p = JobPolicy::default();
        let good = entry(
            PolicyCondition::NewPort,
            PolicyAction::Kill,
            POL_OVERRIDE_ALLOW,
        );
        let bad_action = BasicPolicy { action: 5, ..good };
        assert_eq!(
            p.add_basic(PolicyMode::Relative, &[good, bad_action]),
            Err(ZxError::NOT_SUPPORTED)
        );
        assert_eq!(p.action(PolicyCondition::NewPort), PolicyAction::Allow);
        let bad_condition = BasicPolicy {
            condition: 18,
            ..good
        };
        assert_eq!(
            p.add_basic(PolicyMode::Relative, &[bad_condition]),
            Err(ZxError::INVALID_ARGS)
        );
        let bad_flags = BasicPolicy { flags: 2, ..good };
        assert_eq!(
            p.add_basic(PolicyMode::Relative, &[bad_flags]),
            Err(ZxError::INVALID_ARGS)
        );
        assert_eq!(
            p.add_basic(PolicyMode::Relative, &[good; 19]),
            Err(ZxError::OUT_OF_RANGE)
        );
    }

    #[test]
    fn slack_only_grows() {
        let mut p = JobPolicy::default();
        p.set_timer_slack(TimerSlack {
            min_slack: 1000,
            default_mode: 1,
        })
        .unwrap();
        p.set_timer_slack(TimerSlack {
            min_slack: 10,
            default_mode: 2,
        })
        .unwrap();
        assert_eq!(
            p.timer_slack(),
            TimerSlack {
                min_slack: 1000,
                default_mode: 2
            }
        );
        let negative = TimerSlack {
            min_slack: -1,
            default_mode: 0,
        };
        assert_eq!(p.set_timer_slack(negative), Err(ZxError::INVALID_ARGS));
    }
}
