use std::process::ExitCode;

use clap::Parser;

// Each login's argon2 hash allocates 19 MiB; glibc's per-thread arenas keep that memory resident
// after the hash (peak RSS above the 256 MiB bound under a login flood), mimalloc gives it back.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = twofa_api::cli::Cli::parse();
    match twofa_api::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("twofa: {err:#}");
            ExitCode::FAILURE
        }
    }
}
