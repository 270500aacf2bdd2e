//! Jobs: the roots of the task tree.

use crate::sync::Mutex;
use std::sync::{Arc, Weak};

use crate::object::{KObjectBase, Koid, ObjType};
use crate::task::exception::ChannelType;
use crate::task::policy::{BasicPolicy, JobPolicy, PolicyMode, TimerSlack};
use crate::task::Exceptionate;
use crate::task::Process;
use crate::{impl_kobject, ZxError, ZxResult};

/// A job (`ZX_OBJ_TYPE_JOB`): owns processes and child jobs.
#[derive(Debug)]
pub struct Job {
    base: KObjectBase,
    parent: Option<Arc<Job>>,
    /// How many more levels of jobs may be created below this one.
    height: u32,
    /// Processes, child jobs and `dead`; protected by this mutex (a parent
    /// job's is taken before a child's; nothing is killed under it).
    inner: Mutex<JobInner>,
    exceptionate: Exceptionate,
    /// Debugger exception channels (`ZX_EXCP_PROCESS_STARTING`); protected
    /// by this mutex, taken before the slots' own locks.
    debug_channels: Mutex<Vec<Arc<Exceptionate>>>,
}

#[derive(Debug, Default)]
struct JobInner {
    processes: Vec<Weak<Process>>,
    children: Vec<Weak<Job>>,
    dead: bool,
    /// The return code it was killed with.
    return_code: i64,
    /// Its policy: copied into each child job and process made in it.
    policy: JobPolicy,
    /// `ZX_PROP_JOB_KILL_ON_OOM`: the out-of-memory killer may take it.
    kill_on_oom: bool,
}

/// Every root job made (weakly): where the out-of-memory killer looks.
static ROOT_JOBS: Mutex<Vec<Weak<Job>>> = Mutex::new(Vec::new());

/// `ZX_TASK_RETCODE_OOM_KILL`: killed by the out-of-memory killer.
pub const TASK_RETCODE_OOM_KILL: i64 = -1025;

/// How many jobs deep the tree may grow below the root job (Zircon's
/// job height limit).
pub const MAX_JOB_HEIGHT: u32 = 32;

/// What `ZX_INFO_JOB` reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobInfo {
    /// The return code once killed (`ZX_TASK_RETCODE_SYSCALL_KILL`), else 0.
    pub return_code: i64,
    /// Whether the job was killed.
    pub exited: bool,
    /// Whether a debugger exception channel is bound.
    pub debugger_attached: bool,
    /// `ZX_PROP_JOB_KILL_ON_OOM`.
    pub kill_on_oom: bool,
}

impl_kobject!(
    Job,
    ObjType::Job,
    related = |j: &Job| j.parent.as_ref().map_or(0, |p| p.base.koid())
);

impl Job {
    /// Creates a root job (the out-of-memory killer looks under every one).
    pub fn root() -> Arc<Job> {
        let job = Arc::new(Job {
            base: KObjectBase::with_name("root"),
            parent: None,
            height: MAX_JOB_HEIGHT,
            inner: Mutex::new(JobInner::default()),
            exceptionate: Exceptionate::new(ChannelType::Job),
            debug_channels: Mutex::new(Vec::new()),
        });
        let mut roots = ROOT_JOBS.lock();
        roots.retain(|r| r.strong_count() > 0);
        roots.push(Arc::downgrade(&job));
        job
    }

    /// Returns whether this is a root job (it has no parent): the job
    /// `zx_system_get_event` asks for.
    pub fn is_root(&self) -> bool {
        self.parent.is_none()
    }

    /// Creates a child job (`BAD_STATE` once this job was killed,
    /// `OUT_OF_RANGE` past [`MAX_JOB_HEIGHT`] levels).
    pub fn create_child(self: &Arc<Self>) -> ZxResult<Arc<Job>> {
        let mut inner = self.inner.lock();
        if inner.dead {
            return Err(ZxError::BAD_STATE);
        }
        if self.height == 0 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let child = Arc::new(Job {
            base: KObjectBase::default(),
            parent: Some(self.clone()),
            height: self.height - 1,
            inner: Mutex::new(JobInner {
                policy: inner.policy.clone(),
                ..JobInner::default()
            }),
            exceptionate: Exceptionate::new(ChannelType::Job),
            debug_channels: Mutex::new(Vec::new()),
        });
        inner.children.push(Arc::downgrade(&child));
        Ok(child)
    }

    /// `ZX_PROP_JOB_KILL_ON_OOM`.
    pub fn kill_on_oom(&self) -> bool {
        self.inner.lock().kill_on_oom
    }

    /// Sets `ZX_PROP_JOB_KILL_ON_OOM`.
    pub fn set_kill_on_oom(&self, value: bool) {
        self.inner.lock().kill_on_oom = value;
    }

    /// The out-of-memory killer (Zircon's `KillJobWithKillOnOOM` under its
    /// root job, here under every root job): kills the last live job with
    /// `ZX_PROP_JOB_KILL_ON_OOM` set in a depth-first walk — the lowest one
    /// — with `ZX_TASK_RETCODE_OOM_KILL`; false if there is none.
    pub fn kill_one_on_oom() -> bool {
        let roots: Vec<Arc<Job>> = ROOT_JOBS
            .lock()
            .iter()
            .filter_map(|r| r.upgrade())
            .collect();
        let mut last = None;
        let mut stack: Vec<Arc<Job>> = roots.into_iter().rev().collect();
        while let Some(j) = stack.pop() {
            let (alive, marked) = {
                let inner = j.inner.lock();
                (!inner.dead, inner.kill_on_oom)
            };
            if !alive {
                continue;
            }
            if marked {
                last = Some(j.clone());
            }
            stack.extend(j.children().into_iter().rev());
        }
        match last {
            Some(j) => {
                j.kill_with(TASK_RETCODE_OOM_KILL);
                true
            }
            None => false,
        }
    }

    /// The job's policy (a new process gets a copy).
    pub fn policy(&self) -> JobPolicy {
        self.inner.lock().policy.clone()
    }

    /// Whether the job has live children (a process that has not exited,
    /// a child job still referenced): then its policy cannot change.
    fn has_live_children(inner: &JobInner) -> bool {
        inner
            .processes
            .iter()
            .filter_map(|p| p.upgrade())
            .any(|p| !p.is_exited())
            || inner.children.iter().any(|c| c.strong_count() > 0)
    }

    /// Adds basic policy entries (`zx_job_set_policy`): `BAD_STATE` while
    /// the job has live children, else as [`JobPolicy::add_basic`].
    pub fn set_basic_policy(&self, mode: PolicyMode, entries: &[BasicPolicy]) -> ZxResult {
        let mut inner = self.inner.lock();
        if Self::has_live_children(&inner) {
            return Err(ZxError::BAD_STATE);
        }
        inner.policy.add_basic(mode, entries)
    }

    /// Sets the timer slack policy: `BAD_STATE` while the job has live
    /// children, else as [`JobPolicy::set_timer_slack`].
    pub fn set_timer_slack_policy(&self, slack: TimerSlack) -> ZxResult {
        let mut inner = self.inner.lock();
        if Self::has_live_children(&inner) {
            return Err(ZxError::BAD_STATE);
        }
        inner.policy.set_timer_slack(slack)
    }

    /// Returns the parent job (None for the root job).
    pub fn parent(&self) -> Option<&Arc<Job>> {
        self.parent.as_ref()
    }

    /// Returns the job's exception channel slot.
    pub fn exceptionate(&self) -> &Exceptionate {
        &self.exceptionate
    }

    /// Adds a debugger exception channel (at most
    /// `ZX_EXCEPTION_CHANNEL_JOB_DEBUGGER_MAX_COUNT` = 32 live ones:
    /// `NO_RESOURCES` beyond).
    pub fn add_debug_channel(
        &self,
        channel: Arc<crate::ipc::Channel>,
        thread_rights: crate::Rights,
        process_rights: crate::Rights,
    ) -> ZxResult {
        let mut list = self.debug_channels.lock();
        list.retain(|e| e.has_live_channel());
        if list.len() >= 32 {
            return Err(ZxError::NO_RESOURCES);
        }
        let e = Exceptionate::new(ChannelType::JobDebugger);
        e.set_channel(channel, thread_rights, process_rights)?;
        list.push(Arc::new(e));
        Ok(())
    }

    /// Returns the debugger channel slots of this job.
    pub(crate) fn debug_channels(&self) -> Vec<Arc<Exceptionate>> {
        self.debug_channels.lock().clone()
    }

    pub(crate) fn add_process(&self, p: &Arc<Process>) -> ZxResult {
        let mut inner = self.inner.lock();
        if inner.dead {
            return Err(ZxError::BAD_STATE);
        }
        inner.processes.retain(|p| p.strong_count() > 0);
        inner.processes.push(Arc::downgrade(p));
        Ok(())
    }

    /// Returns the koids of the processes in this job that have not exited.
    pub fn process_koids(&self) -> Vec<Koid> {
        // Upgraded under the lock, looked at and dropped after it: one of
        // them may be the last reference, and a process's drop is not done
        // under a job's lock.
        let processes: Vec<Arc<Process>> = {
            let inner = self.inner.lock();
            inner.processes.iter().filter_map(|p| p.upgrade()).collect()
        };
        processes
            .iter()
            .filter(|p| !p.is_exited())
            .map(|p| crate::object::KernelObject::koid(&**p))
            .collect()
    }

    /// Returns the koids of the live child jobs.
    pub fn child_koids(&self) -> Vec<Koid> {
        // As in `process_koids`: no child's last reference goes under the
        // lock (nor is a child's lock taken under it).
        let children = self.children();
        children
            .iter()
            .filter(|c| !c.inner.lock().dead)
            .map(|c| c.base.koid())
            .collect()
    }

    /// Returns the live child jobs.
    pub fn children(&self) -> Vec<Arc<Job>> {
        let inner = self.inner.lock();
        inner.children.iter().filter_map(|c| c.upgrade()).collect()
    }

    /// Returns the processes of this job (live or not, while referenced).
    pub fn processes(&self) -> Vec<Arc<Process>> {
        let inner = self.inner.lock();
        inner.processes.iter().filter_map(|p| p.upgrade()).collect()
    }

    /// Returns every process in this job and the jobs below it.
    pub fn all_processes(self: &Arc<Self>) -> Vec<Arc<Process>> {
        let mut out = Vec::new();
        let mut jobs = vec![self.clone()];
        while let Some(j) = jobs.pop() {
            out.extend(j.processes());
            jobs.extend(j.children());
        }
        out
    }

    /// `ZX_INFO_TASK_RUNTIME` of the job: the time of every process in it
    /// and below it that is still referenced.
    pub fn runtime(self: &Arc<Self>) -> crate::task::runtime::Runtime {
        let mut sum = crate::task::runtime::Runtime::default();
        for p in self.all_processes() {
            sum += p.runtime();
        }
        sum
    }

    /// Returns the live child job with `koid` (`zx_object_get_child`).
    pub fn child_by_koid(&self, koid: Koid) -> Option<Arc<Job>> {
        let inner = self.inner.lock();
        inner
            .children
            .iter()
            .filter_map(|c| c.upgrade())
            .find(|c| c.base.koid() == koid && !c.inner.lock().dead)
    }

    /// Returns the live process with `koid` (`zx_object_get_child`).
    pub fn process_by_koid(&self, koid: Koid) -> Option<Arc<Process>> {
        let inner = self.inner.lock();
        inner
            .processes
            .iter()
            .filter_map(|p| p.upgrade())
            .find(|p| crate::object::KernelObject::koid(&**p) == koid && !p.is_exited())
    }

    /// Returns what `ZX_INFO_JOB` reports.
    pub fn info(&self) -> JobInfo {
        let (exited, return_code, kill_on_oom) = {
            let inner = self.inner.lock();
            (inner.dead, inner.return_code, inner.kill_on_oom)
        };
        JobInfo {
            return_code,
            exited,
            kill_on_oom,
            debugger_attached: self
                .debug_channels
                .lock()
                .iter()
                .any(|e| e.has_live_channel()),
        }
    }

    /// Kills the job (`zx_task_kill`): no new children, and every process
    /// in it and in its child jobs exits with `ZX_TASK_RETCODE_SYSCALL_KILL`.
    pub fn kill(&self) {
        self.kill_with(crate::task::process::TASK_RETCODE_SYSCALL_KILL);
    }

    /// Kills the job as [`Job::kill`] does, with `code` as the return code
    /// of the job and of everything in it (a killed job keeps its first
    /// code).
    pub fn kill_with(&self, code: i64) {
        let (processes, children) = {
            let mut inner = self.inner.lock();
            if !inner.dead {
                inner.dead = true;
                inner.return_code = code;
            }
            (
                inner
                    .processes
                    .iter()
                    .filter_map(|p| p.upgrade())
                    .collect::<Vec<_>>(),
                inner
                    .children
                    .iter()
                    .filter_map(|c| c.upgrade())
                    .collect::<Vec<_>>(),
            )
        };
        for p in processes {
            p.exit(code);
        }
        for c in children {
            c.kill_with(code);
        }
        self.exceptionate.shutdown();
        for e in self.debug_channels.lock().drain(..) {
            e.shutdown();
        }
        self.base
            .signal_change(0, crate::object::signals::TASK_TERMINATED);
    }
}
