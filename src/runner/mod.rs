//! The embedded runner: launches a job and measures it. Backends share one data model
//! ([`crate::model::run`]); `local` runs the command here under emulated Fargate limits.

pub mod cgroup;
pub mod ecs;
pub mod local;
pub(crate) mod procfs;
pub(crate) mod session;
