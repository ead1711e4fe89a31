//! Command line: `serve` (default), `migrate`, `openapi`. Further admin commands slot into
//! `Command` and `run`.

use std::io::Write;

use clap::{Parser, Subcommand};

use crate::settings::Settings;
use crate::startup::{self, Application};
use crate::{openapi, telemetry};

#[derive(Parser, Debug)]
#[command(
    name = "twofa",
    version,
    about = "Accounts and TOTP two-factor authentication server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run migrations and serve the API and the SPA (the default).
    Serve,
    /// Run the database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (YAML) to stdout.
    Openapi,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: crate::cli_admin::UserCommand,
    },
    /// Two-factor break-glass commands.
    #[command(name = "2fa")]
    TwoFactor {
        #[command(subcommand)]
        command: crate::cli_admin::TwoFactorCommand,
    },
    /// Check or rotate the secret key.
    Keys {
        #[command(subcommand)]
        command: crate::cli_admin::KeysCommand,
    },
    /// GET /api/health on TWOFA_BIND; exit status 0 when healthy (container health checks).
    Healthcheck,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            let yaml = openapi::yaml()?;
            std::io::stdout().write_all(yaml.as_bytes())?;
            Ok(())
        }
        Command::Migrate => {
            let settings = load_settings()?;
            actix_web::rt::System::new().block_on(async {
                startup::prepare(&settings).await?;
                tracing::info!("migrations are up to date");
                Ok(())
            })
        }
        Command::User { command } => crate::cli_admin::user(load_settings()?, command),
        Command::TwoFactor { command } => crate::cli_admin::two_factor(load_settings()?, command),
        Command::Keys { command } => crate::cli_admin::keys(load_settings()?, command),
        Command::Healthcheck => crate::cli_admin::healthcheck(&Settings::load()?),
        Command::Serve => {
            let settings = Settings::load()?;
            // Dropped when this arm ends: queued log lines are written before `main` prints an
            // error or the process exits.
            let _log_guard = telemetry::init_non_blocking(&settings);
            actix_web::rt::System::new().block_on(serve(settings))
        }
    }
}

fn load_settings() -> anyhow::Result<Settings> {
    let settings = Settings::load()?;
    telemetry::init(&settings);
    Ok(settings)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let addr = app.addr();
    // actix installs its SIGTERM handler only once the server runs; announce the port after
    // the server answered, so a SIGTERM right after the line below is a graceful shutdown.
    let running = actix_web::rt::spawn(app.run_until_stopped());
    crate::cli_admin::wait_until_serving(addr).await?;
    // The one stdout line: tests and scripts read the port from it.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "twofa listening on http://{addr}")?;
    stdout.flush()?;
    tracing::info!(%addr, "serving");
    running.await??;
    tracing::info!("stopped");
    Ok(())
}
