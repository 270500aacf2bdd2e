//! Jobs: the roots of the task tree.

use std::sync::{Arc, Mutex, Weak};

use crate::object::{KObjectBase, Koid, ObjType};
use crate::task::Process;
use crate::{impl_kobject, ZxError, ZxResult};

/// A job (`ZX_OBJ_TYPE_JOB`): owns processes and child jobs.
#[derive(Debug)]
pub struct Job {
    base: KObjectBase,
    parent: Option<Arc<Job>>,
    inner: Mutex<JobInner>,
}

#[derive(Debug, Default)]
struct JobInner {
    processes: Vec<Weak<Process>>,
    children: Vec<Weak<Job>>,
    dead: bool,
}

impl_kobject!(
    Job,
    ObjType::Job,
    related = |j: &Job| j.parent.as_ref().map_or(0, |p| p.base.koid())
);

impl Job {
    /// Creates the root job.
    pub fn root() -> Arc<Job> {
        Arc::new(Job {
            base: KObjectBase::with_name("root"),
            parent: None,
            inner: Mutex::new(JobInner::default()),
        })
    }

    /// Creates a child job.
    pub fn create_child(self: &Arc<Self>) -> ZxResult<Arc<Job>> {
        let mut inner = self.inner.lock().unwrap();
        if inner.dead {
            return Err(ZxError::BAD_STATE);
        }
        let child = Arc::new(Job {
            base: KObjectBase::default(),
            parent: Some(self.clone()),
            inner: Mutex::new(JobInner::default()),
        });
        inner.children.push(Arc::downgrade(&child));
        Ok(child)
    }

    pub(crate) fn add_process(&self, p: &Arc<Process>) -> ZxResult {
        let mut inner = self.inner.lock().unwrap();
        if inner.dead {
            return Err(ZxError::BAD_STATE);
        }
        inner.processes.retain(|p| p.strong_count() > 0);
        inner.processes.push(Arc::downgrade(p));
        Ok(())
    }

    /// Returns the koids of the live processes in this job.
    pub fn process_koids(&self) -> Vec<Koid> {
        let inner = self.inner.lock().unwrap();
        inner
            .processes
            .iter()
            .filter_map(|p| p.upgrade())
            .map(|p| crate::object::KernelObject::koid(&*p))
            .collect()
    }

    /// Kills the job (`zx_task_kill`): no new children, and every process
    /// in it and in its child jobs exits with `ZX_TASK_RETCODE_SYSCALL_KILL`.
    pub fn kill(&self) {
        let (processes, children) = {
            let mut inner = self.inner.lock().unwrap();
            inner.dead = true;
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
            p.exit(crate::task::process::TASK_RETCODE_SYSCALL_KILL);
        }
        for c in children {
            c.kill();
        }
        self.base
            .signal_change(0, crate::object::signals::TASK_TERMINATED);
    }
}
