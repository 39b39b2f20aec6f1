//! `ibridge`: the headless command line of Incident Bridge.

mod args;
mod commands;
mod exit;
mod output;
mod secrets_in;

use clap::Parser;
use ibridge_core::audit::Actor;
use ibridge_core::vault::KeyConfig;
use ibridge_core::{Core, OpenOptions};

use args::{Cli, Command, ConnectionsCommand, DocCommand};
use output::Output;

fn main() {
    init_logging();
    let cli = Cli::parse();
    let out = Output { json: cli.json };
    let code = match run(cli, &out) {
        Ok(()) => exit::OK,
        Err(e) => {
            // One line on stderr that names the problem and the field.
            eprintln!("error: {e}");
            exit::code(e.kind())
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli, out: &Output) -> ibridge_core::Result<()> {
    let mut core = Core::open(OpenOptions {
        data_dir: cli.data_dir,
        actor: Actor::Cli,
        keys: KeyConfig::from_env(),
    })?;
    let result = match cli.command {
        remote @ (Command::Connect(_)
        | Command::Connections(ConnectionsCommand::Test { .. })
        | Command::Incident(_)
        | Command::Servicenow(_)
        | Command::Ado(_)
        | Command::Confluence(_)
        | Command::Doc(DocCommand::Publish { .. })
        | Command::Outbox(_)) => return commands::remote::run(core, out, remote),
        Command::Connections(c) => commands::connections::run(&mut core, out, c),
        Command::Doc(c) => commands::doc::run(&mut core, out, c),
        Command::Audit(c) => commands::audit::run(&mut core, out, c),
        Command::Vault(c) => commands::vault::run(&mut core, out, c),
    };
    for notice in core.take_notices() {
        eprintln!("{notice}");
    }
    result
}

/// Logs go to stderr, quiet unless `IBRIDGE_LOG` asks (e.g. `debug`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("IBRIDGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
