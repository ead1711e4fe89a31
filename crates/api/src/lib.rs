//! twofa-api: the actix-web server and the `twofa` binary.

pub mod auth;
pub mod cli;
pub mod cli_admin;
pub mod clock;
pub mod crypto;
pub mod db;
pub mod dto;
pub mod dto_admin;
pub mod error;
pub mod head;
pub mod instance;
pub mod json;
pub mod keys;
pub mod keys_rotate;
pub mod metrics;
pub mod openapi;
pub mod origin;
pub mod request_id;
pub mod routes;
pub mod security_headers;
pub mod service;
pub mod session_store;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
