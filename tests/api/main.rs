//! Black-box tests of the `twofa` server over HTTP. One binary; every test spawns its own server.

mod accounts;
mod backend;
mod bad_input;
mod challenge;
mod client;
mod disable;
mod enrollment;
mod guide;
mod helpers;
mod openapi;
mod origin;
mod races;
mod recovery_codes;
mod sessions;
mod throttle;
mod tools;
mod totp_window;
