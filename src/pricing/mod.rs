//! Prices and billing rules: the price book (rates with their sources), Fargate's and
//! Glue's billing rules as pure functions of exact decimals, and the one function every
//! command calls to price a task or a recorded run.

pub mod book;
pub mod cache;
pub(crate) mod fargate;
pub(crate) mod glue;
pub mod live;
pub mod plan_rates;
pub mod price;
pub mod savings_plan;
pub mod spot;
