//! An example for every command's `--help`, kept apart from the argument
//! definitions so adding a command means adding one line here (a test
//! checks that every command has one).

use clap::Command;

/// (command path, example lines). The path is the subcommand names after `ibridge`.
const EXAMPLES: &[(&str, &str)] = &[
    ("connections", "ibridge connections list"),
    (
        "connections add",
        "printf '%s\\n' \"$SN_PASSWORD\" | ibridge connections add servicenow --name sn \\\n    --url https://acme.service-now.com --auth basic --username svc.bridge --secret-stdin",
    ),
    ("connections list", "ibridge connections list --json"),
    ("connections show", "ibridge connections show sn"),
    ("connections test", "ibridge connections test sn"),
    ("connections default", "ibridge connections default sn"),
    ("connections remove", "ibridge connections remove old-wiki"),
    ("connections auto-create", "ibridge connections auto-create sn on"),
    (
        "connections fields",
        "ibridge connections fields sn --set assignment_group=\"Service Desk\" --set category=software\nibridge connections fields ado --set System.AreaPath='Shop\\Checkout' --unset System.Tags\nibridge connections fields ado --refresh --type Bug   # read the required fields again",
    ),
    ("connect", "ibridge connect wiki            # opens the browser\nibridge connect ado --no-browser  # prints the sign-in URL"),
    ("incident", "ibridge incident list"),
    (
        "incident create",
        "ibridge incident create --title \"Checkout returns 500\" --severity P1 --description-file notes.md",
    ),
    ("incident list", "ibridge incident list --json"),
    ("incident show", "ibridge incident show 3f2a"),
    (
        "incident file",
        "ibridge incident file 3f2a --to sn\nibridge incident file 3f2a --to ado --type Bug --field Custom.ServiceArea=Checkout\nibridge incident file 3f2a --to sn --field caller_id=\"Ana Lima\" --field short_description=\"[{severity}] {title}\" --dry-run",
    ),
    (
        "incident note",
        "ibridge incident note 3f2a \"Rolled back release 42\" --kind mitigated\nibridge incident note 3f2a \"Error rate rising\" --kind detected --at 2026-03-01T14:05:00+01:00 --post none",
    ),
    ("incident timeline", "ibridge incident timeline 3f2a"),
    (
        "incident status",
        "ibridge incident status 3f2a monitoring\nibridge incident status 3f2a resolved --close-code \"Solution provided\" --close-notes \"Rolled back\" --dry-run",
    ),
    ("incident sync", "ibridge incident sync 3f2a"),
    ("servicenow", "ibridge servicenow search sn \"checkout\""),
    ("servicenow search", "ibridge servicenow search sn \"checkout\" --limit 5"),
    ("servicenow get", "ibridge servicenow get sn INC0010001"),
    (
        "servicenow update",
        "ibridge servicenow update sn 0123456789abcdef0123456789abcdef --field state=2 --field work_notes=\"Rolled back\"\nibridge servicenow update sn 0123456789abcdef0123456789abcdef --field state=6 --dry-run",
    ),
    ("ado", "ibridge ado search ado \"checkout\""),
    ("ado search", "ibridge ado search ado \"checkout\" --top 10"),
    ("ado get", "ibridge ado get ado 4711"),
    (
        "ado update",
        "ibridge ado update ado 4711 --field System.State=Resolved\nibridge ado update ado 4711 --field System.State=Resolved --dry-run",
    ),
    ("confluence", "ibridge confluence spaces wiki"),
    ("confluence spaces", "ibridge confluence spaces wiki"),
    ("confluence search", "ibridge confluence search wiki \"checkout RCA\" --space OPS"),
    ("doc", "ibridge doc list"),
    ("doc new", "ibridge doc new --kind rca --title \"RCA: checkout 500s\" --incident 3f2a"),
    ("doc import", "ibridge doc import rca.md --title \"RCA: checkout 500s\""),
    ("doc edit", "ibridge doc edit 9b1c rca.md"),
    ("doc list", "ibridge doc list"),
    ("doc timeline", "ibridge doc timeline 9b1c"),
    ("doc show", "ibridge doc show 9b1c"),
    ("doc render", "ibridge doc render 9b1c > page.xhtml"),
    ("doc attach", "ibridge doc attach 9b1c graphs/errors.png --name errors.png"),
    ("doc assets", "ibridge doc assets 9b1c"),
    ("doc publish", "ibridge doc publish 9b1c --to wiki --space OPS"),
    ("doc actions", "ibridge doc actions 9b1c --to ado --dry-run\nibridge doc actions 9b1c --to ado"),
    ("outbox", "ibridge outbox list"),
    ("outbox list", "ibridge outbox list"),
    ("outbox run", "ibridge outbox run --wait 120"),
    ("outbox retry", "ibridge outbox retry 5e0d"),
    ("outbox discard", "ibridge outbox discard 5e0d"),
    ("audit", "ibridge audit verify"),
    ("audit list", "ibridge audit list --limit 20"),
    ("audit verify", "ibridge audit verify"),
    ("vault", "IBRIDGE_MASTER_KEY=… ibridge vault rotate"),
    ("vault rotate", "ibridge vault rotate"),
    ("completions", "ibridge completions bash > ~/.local/share/bash-completion/completions/ibridge\nibridge completions zsh > \"${fpath[1]}/_ibridge\"\nibridge completions fish > ~/.config/fish/completions/ibridge.fish"),
    ("doctor", "ibridge doctor\nibridge doctor --json | jq '.connections[] | select(.reachable.ok | not)'"),
];

const TOP: &str = "ibridge connections list\nibridge incident create --title \"Checkout returns 500\" --severity P1\nibridge doctor";

pub fn example_for(path: &str) -> Option<&'static str> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

/// `command` with an "Examples:" section after the help of it and every subcommand.
pub fn with_examples(command: Command) -> Command {
    let command = command.after_help(format!("Examples:\n{}", indent(TOP)));
    attach(command, "")
}

fn attach(mut command: Command, prefix: &str) -> Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .filter(|n| n != "help")
        .collect();
    for name in names {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix} {name}")
        };
        command = command.mut_subcommand(&name, |sub| {
            let sub = match example_for(&path) {
                Some(example) => sub.after_help(format!("Example:\n{}", indent(example))),
                None => sub,
            };
            attach(sub, &path)
        });
    }
    command
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn paths(command: &Command, prefix: &str, out: &mut Vec<String>) {
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = if prefix.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{prefix} {}", sub.get_name())
            };
            out.push(path.clone());
            paths(sub, &path, out);
        }
    }

    #[test]
    fn every_command_has_an_example() {
        let mut all = Vec::new();
        paths(&crate::args::Cli::command(), "", &mut all);
        let missing: Vec<&String> = all.iter().filter(|p| example_for(p).is_none()).collect();
        assert!(
            missing.is_empty(),
            "add an example in crates/cli/src/examples.rs for: {missing:?}"
        );
    }

    #[test]
    fn examples_name_real_commands() {
        let mut all = Vec::new();
        paths(&crate::args::Cli::command(), "", &mut all);
        for (path, _) in EXAMPLES {
            assert!(
                all.iter().any(|p| p == path),
                "an example for a command that does not exist: {path}"
            );
        }
    }
}
