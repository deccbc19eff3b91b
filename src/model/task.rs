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
    /// Launched with `assignPublicIp = ENABLED`: one public IPv4 address, billed by Amazon
    /// VPC for as long as the task holds it (reference 10.1).
    pub public_ip: bool,
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
            public_ip: self.public_ip(),
        }
    }

    /// Whether its ECS launch gives the task a public IPv4 address (`[jobs.ecs]
    /// assign_public_ip`, default false as in ECS).
    pub fn public_ip(&self) -> bool {
        self.ecs
            .as_ref()
            .and_then(|e| e.assign_public_ip)
            .unwrap_or(false)
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
            public_ip: self.public_ip,
        })
    }
}

/// A container's own limits inside a task definition (MiB, CPU units), where set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContainerLimits {
    /// Hard memory limit (`memory`).
    pub memory: Option<u64>,
    /// Soft memory limit (`memoryReservation`).
    pub memory_reservation: Option<u64>,
    /// CPU units (`cpu`).
    pub cpu: Option<u64>,
}

impl ContainerLimits {
    /// The limits after the task is resized from `old_task_memory` MiB to `size`: a hard
    /// limit equal to the old task memory meant "the whole task" and follows it; nothing may
    /// exceed the new task (ECS refuses a container larger than its task); the reservation
    /// stays within the hard limit. The one rule `tune --write` and `tune --register` share.
    pub fn within(self, old_task_memory: Option<u64>, size: Size) -> ContainerLimits {
        let task_memory = u64::from(size.memory_mib());
        let task_cpu = u64::from(size.cpu_units());
        let memory = self.memory.map(|limit| {
            if limit > task_memory || Some(limit) == old_task_memory {
                task_memory
            } else {
                limit
            }
        });
        let cap = memory.unwrap_or(task_memory);
        ContainerLimits {
            memory,
            memory_reservation: self.memory_reservation.map(|r| r.min(cap)),
            cpu: self.cpu.map(|c| c.min(task_cpu)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_limits_follow_the_task() {
        let size = Size::new(1024, 2048, Os::Linux).unwrap();
        // Was the whole 4096 MiB task: follows it down to 2048.
        let whole = ContainerLimits {
            memory: Some(4096),
            memory_reservation: Some(3000),
            cpu: Some(2048),
        };
        assert_eq!(
            whole.within(Some(4096), size),
            ContainerLimits {
                memory: Some(2048),
                memory_reservation: Some(2048),
                cpu: Some(1024)
            }
        );
        // A smaller limit of its own is kept.
        let own = ContainerLimits {
            memory: Some(1024),
            memory_reservation: Some(512),
            cpu: None,
        };
        assert_eq!(own.within(Some(4096), size), own);
    }
}
