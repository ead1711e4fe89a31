//! Flows behind the handlers: no HTTP types here beyond `ClientInfo`, no SQL outside `db`.

pub mod accounts;
pub mod admin;
pub mod admin_rules;
pub mod audit;
pub mod challenge;
pub mod enrollment;
pub mod hashing;
pub mod policy;
pub mod second_factor;
pub mod sessions;
pub mod step_up;
pub mod throttle;
