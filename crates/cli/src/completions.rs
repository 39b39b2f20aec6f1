//! `ibridge completions bash|zsh|fish`: the shell completion script on
//! stdout, generated from the same command definition the parser uses.

use clap::CommandFactory;
use clap_complete::{generate, Shell};

use crate::args::{Cli, CompletionShell};

pub fn write(shell: CompletionShell, out: &mut dyn std::io::Write) {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut command = Cli::command();
    generate(shell, &mut command, "ibridge", out);
}
