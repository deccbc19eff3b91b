//! What is launched on Fargate: a size on a platform and capacity, with its storage. Built
//! from a job at a size in one place ([`Job::task`]) or from a recorded run.

use crate::model::job::Job;
use crate::model::run::Run;
use crate::model::size::{Arch, Capacity, Os, Size};

/// What is launched on Fargate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FargateTask {
    /// Task size.
    pub size: Size,
    /// Operating system.
    pub os: Os,
    /// CPU architecture.
    pub arch: Arch,
    /// On-demand or Spot.
    pub capacity: Capacity,
    /// Configured ephemeral storage (20 = the free default).
    pub ephemeral_storage_gib: u32,
}

impl FargateTask {
    /// The same task on another capacity (Spot / on-demand).
    pub fn with_capacity(self, capacity: Capacity) -> FargateTask {
        FargateTask { capacity, ..self }
    }

    /// The same task on another architecture.
    pub fn with_arch(self, arch: Arch) -> FargateTask {
        FargateTask { arch, ..self }
    }
}

impl Job {
    /// The Fargate task this job launches at `size`.
    pub fn task(&self, size: Size) -> FargateTask {
        FargateTask {
            size,
            os: self.os,
            arch: self.arch,
            capacity: self.capacity,
            ephemeral_storage_gib: self.ephemeral_storage_gib,
        }
    }
}

impl Run {
    /// The Fargate task this run was billed as; `None` when the record's size is not a
    /// valid Fargate size (a hand-edited or damaged record).
    pub fn task(&self) -> Option<FargateTask> {
        Some(FargateTask {
            size: self.size()?,
            os: self.os,
            arch: self.arch,
            capacity: self.capacity,
            ephemeral_storage_gib: self.ephemeral_storage_gib,
        })
    }
}
