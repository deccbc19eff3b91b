//! Register a resized revision of a task definition: the current revision as ECS describes
//! it, with task-level cpu/memory replaced and container memory kept within the task (the
//! one rule in `model::task::ContainerLimits`, shared with `tune --write`), every other setting carried over.

use crate::aws::Aws;
use crate::aws::error::translate;
use crate::error::{Error, Result};
use crate::model::size::Size;
use crate::model::task::ContainerLimits;

/// Register `task_definition` (family, family:revision or ARN) again at `size`; returns the
/// new revision's ARN.
pub(crate) async fn register_resized(
    aws: &Aws,
    task_definition: &str,
    size: Size,
) -> Result<String> {
    let described = aws
        .ecs
        .describe_task_definition()
        .task_definition(task_definition)
        .send()
        .await
        .map_err(|e| translate("ecs:DescribeTaskDefinition", e))?;
    let def = described
        .task_definition()
        .ok_or_else(|| Error::Aws(format!("task definition {task_definition} not found")))?;
    let old_memory = def.memory().and_then(|m| m.trim().parse::<u64>().ok());
    let limit = |value: u64| i32::try_from(value).unwrap_or(i32::MAX);
    let containers = def
        .container_definitions()
        .iter()
        .cloned()
        .map(|mut c| {
            let old = ContainerLimits {
                memory: c.memory.and_then(|m| u64::try_from(m).ok()),
                memory_reservation: c.memory_reservation.and_then(|m| u64::try_from(m).ok()),
                cpu: u64::try_from(c.cpu).ok().filter(|&cpu| cpu > 0),
            };
            let new = old.within(old_memory, size);
            c.memory = new.memory.map(limit);
            c.memory_reservation = new.memory_reservation.map(limit);
            if let Some(cpu) = new.cpu {
                c.cpu = limit(cpu);
            }
            c
        })
        .collect();
    let registered = aws
        .ecs
        .register_task_definition()
        .set_family(def.family().map(String::from))
        .set_task_role_arn(def.task_role_arn().map(String::from))
        .set_execution_role_arn(def.execution_role_arn().map(String::from))
        .set_network_mode(def.network_mode().cloned())
        .set_container_definitions(Some(containers))
        .set_volumes(Some(def.volumes().to_vec()))
        .set_placement_constraints(Some(def.placement_constraints().to_vec()))
        .set_requires_compatibilities(Some(def.requires_compatibilities().to_vec()))
        .cpu(size.cpu_units().to_string())
        .memory(size.memory_mib().to_string())
        .set_pid_mode(def.pid_mode().cloned())
        .set_ipc_mode(def.ipc_mode().cloned())
        .set_proxy_configuration(def.proxy_configuration().cloned())
        .set_ephemeral_storage(def.ephemeral_storage().cloned())
        .set_runtime_platform(def.runtime_platform().cloned())
        .send()
        .await
        .map_err(|e| translate("ecs:RegisterTaskDefinition", e))?;
    registered
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .map(String::from)
        .ok_or_else(|| Error::Aws("ecs:RegisterTaskDefinition returned no ARN".into()))
}
