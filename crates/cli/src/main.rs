//! `ibridge`: the headless command line of Incident Bridge.

mod args;
mod colour;
mod commands;
mod completions;
mod examples;
mod exit;
mod fix;
mod output;
mod progress;
mod secrets_in;

use clap::{CommandFactory, FromArgMatches};
use ibridge_core::audit::Actor;
use ibridge_core::vault::KeyConfig;
use ibridge_core::{OpenOptions, Services};

use args::{Cli, Command};
use output::Output;

fn main() {
    restore_sigpipe();
    init_logging();
    // The parser with an example in every command's --help.
    let matches = examples::with_examples(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Command::Completions { shell } = cli.command {
        completions::write(shell, &mut std::io::stdout());
        std::process::exit(exit::OK);
    }
    let out = Output { json: cli.json };
    let code = match run(cli, &out) {
        Ok(()) => exit::OK,
        Err(e) => {
            // One line on stderr that names the problem and the field, and
            // the command that fixes it when the core suggests one.
            let hint = e
                .action()
                .map(|action| format!("; {}", fix::hint(&action, &fix::argv())))
                .unwrap_or_default();
            eprintln!("{} {e}{hint}", colour::Colour::stderr().bad("error:"));
            exit::code(e.kind())
        }
    };
    std::process::exit(code);
}

/// Rust ignores SIGPIPE, so a closed pipe (`ibridge doc render X | head`)
/// would make the next `println!` panic. Like other command-line tools,
/// the process instead ends quietly when its reader goes away.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread
    // exists; SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli, out: &Output) -> ibridge_core::Result<()> {
    let services = Services::open(OpenOptions {
        data_dir: cli.data_dir,
        actor: Actor::Cli,
        keys: KeyConfig::from_env(),
    })?;
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ibridge_core::Error::io("start the async runtime", e))
        .and_then(|rt| rt.block_on(commands::run(&services, out, cli.command)));
    // The core's one-time notices, whatever happened.
    for notice in services.take_notices() {
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
