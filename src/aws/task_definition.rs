//! Register a resized revision of a task definition: the current revision as ECS describes
//! it, with task-level cpu/memory replaced and container memory kept within the task (the
//! same rules as `rewrite::task_definition_edit`), every other setting carried over.

use crate::aws::Aws;
use crate::aws::error::translate;
use crate::error::{Error, Result};
use crate::model::size::Size;

/// Register `task_definition` (family, family:revision or ARN) again at `size`; returns the
/// new revision's ARN.
pub async fn register_resized(aws: &Aws, task_definition: &str, size: Size) -> Result<String> {
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
    let old_memory = def.memory().and_then(|m| m.parse::<i32>().ok());
    let new_memory = i32::try_from(size.memory_mib()).unwrap_or(i32::MAX);
    let new_cpu = i32::try_from(size.cpu_units()).unwrap_or(i32::MAX);
    let containers = def
        .container_definitions()
        .iter()
        .cloned()
        .map(|mut c| {
            if c.memory
                .is_some_and(|m| m > new_memory || Some(m) == old_memory)
            {
                c.memory = Some(new_memory);
            }
            let cap = c.memory.unwrap_or(new_memory);
            if c.memory_reservation.is_some_and(|r| r > cap) {
                c.memory_reservation = Some(cap);
            }
            if c.cpu > new_cpu {
                c.cpu = new_cpu;
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
