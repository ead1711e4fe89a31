use std::process::ExitCode;

use clap::Parser;

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
