//! The command that carries out a core error's suggested action, as a
//! person would type it: real names, quoted for a POSIX shell where needed.
//! A missing input is shown as this very command line again with the
//! option added, so the fix is one copy away.

use ibridge_core::Action;

/// This run's arguments (after the program name), for repeating the
/// command line in a hint.
pub fn argv() -> Vec<String> {
    std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// What to say after the error: `run `…`` with the command, or how to
/// change a connection (the CLI has no edit command: remove and add again).
pub fn hint(action: &Action, argv: &[String]) -> String {
    match action {
        Action::EditConnection {
            connection,
            setting,
        } => format!(
            "remove the connection and add it again with {}: `ibridge connections remove {}`",
            option_for(setting),
            quote(connection)
        ),
        Action::Overwrite { .. } => {
            format!("to replace those edits, run `{}`", command(action, argv))
        }
        // `--field` belongs to `incident file`; a default suits any filing.
        Action::SetFilingField { field, .. } if is_filing(argv) => {
            let mut this: Vec<String> = argv.iter().map(|w| quote(w)).collect();
            this.push(format!("--field {}", quote(&format!("{field}=VALUE"))));
            format!(
                "run `ibridge {}` for this filing, or `{}` for every filing",
                this.join(" "),
                command(action, argv)
            )
        }
        Action::SetFilingField { .. } => {
            format!("for every filing, run `{}`", command(action, argv))
        }
        _ => format!("run `{}`", command(action, argv)),
    }
}

/// The one command line for the action.
pub fn command(action: &Action, argv: &[String]) -> String {
    let words: Vec<String> = match action {
        Action::Reconnect { connection } => vec!["connect".into(), quote(connection)],
        Action::EditConnection { connection, .. } => {
            vec!["connections".into(), "remove".into(), quote(connection)]
        }
        Action::SupplyInput { field } => {
            let mut words: Vec<String> = without_option(argv, field)
                .iter()
                .map(|w| quote(w))
                .collect();
            words.push(option_for(field));
            words
        }
        Action::Overwrite {
            document,
            connection,
        } => vec![
            "doc".into(),
            "publish".into(),
            quote(document),
            "--to".into(),
            quote(connection),
            "--force".into(),
        ],
        Action::SetFilingField { connection, field } => vec![
            "connections".into(),
            "fields".into(),
            quote(connection),
            "--set".into(),
            quote(&format!("{field}=VALUE")),
        ],
        Action::AttachAsset { document, name } => vec![
            "doc".into(),
            "attach".into(),
            quote(document),
            "FILE".into(),
            "--name".into(),
            quote(name),
        ],
        Action::RunOutbox => vec!["outbox".into(), "run".into()],
        Action::DiscardEntry { entry } => {
            vec!["outbox".into(), "discard".into(), quote(entry)]
        }
        Action::TestConnection { connection } => {
            vec!["connections".into(), "test".into(), quote(connection)]
        }
    };
    format!("ibridge {}", words.join(" "))
}

/// Whether this run is `incident file …` (after any global options).
fn is_filing(argv: &[String]) -> bool {
    argv.windows(2)
        .any(|w| w[0] == "incident" && w[1] == "file")
}

/// The option that gives `field`, with a placeholder for its value.
fn option_for(field: &str) -> String {
    match field {
        "space" => "--space KEY".into(),
        "title" => "--title TITLE".into(),
        "site" => "--site SITE".into(),
        "port" => "--port PORT".into(),
        "field" => "--field NAME=VALUE".into(),
        "data-dir" => "--data-dir DIR".into(),
        "project" => "--project PROJECT".into(),
        "client-id" => "--client-id ID".into(),
        // Secrets come on standard input, never in argv.
        "secret" => "--secret-stdin".into(),
        "client-secret" => "--client-secret-stdin".into(),
        other => format!("--{other} VALUE"),
    }
}

/// Options that take no value: removing one removes only itself.
const SWITCHES: &[&str] = &["secret-stdin", "client-secret-stdin"];

/// The arguments with any earlier `--field` given removed, so the
/// suggested one is the only one.
fn without_option(argv: &[String], field: &str) -> Vec<String> {
    let flag = match field {
        "secret" => "--secret-stdin".to_owned(),
        "client-secret" => "--client-secret-stdin".to_owned(),
        other => format!("--{other}"),
    };
    let takes_value = !SWITCHES.contains(&flag.trim_start_matches('-'));
    let mut kept = Vec::new();
    let mut words = argv.iter();
    while let Some(word) = words.next() {
        if *word == flag {
            if takes_value {
                words.next();
            }
        } else if !word.starts_with(&format!("{flag}=")) {
            kept.push(word.clone());
        }
    }
    // `--field` may be given many times; the hint adds one more instead.
    if field == "field" {
        return argv.to_vec();
    }
    kept
}

/// A word as a POSIX shell reads it back unchanged.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,/:@%+=".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn names_are_quoted_for_the_shell() {
        assert_eq!(quote("ado"), "ado");
        assert_eq!(quote("my wiki"), "'my wiki'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$(rm -rf)"), "'$(rm -rf)'");
    }

    #[test]
    fn each_action_is_one_command() {
        let conn = |c: &str| c.to_owned();
        let none: Vec<String> = Vec::new();
        for (action, expected) in [
            (
                Action::Reconnect {
                    connection: conn("team wiki"),
                },
                "ibridge connect 'team wiki'",
            ),
            (
                Action::Overwrite {
                    document: "0f3c".into(),
                    connection: conn("wiki"),
                },
                "ibridge doc publish 0f3c --to wiki --force",
            ),
            (
                Action::AttachAsset {
                    document: "0f3c".into(),
                    name: "graph 1.png".into(),
                },
                "ibridge doc attach 0f3c FILE --name 'graph 1.png'",
            ),
            (Action::RunOutbox, "ibridge outbox run"),
            (
                Action::DiscardEntry {
                    entry: "5e0d".into(),
                },
                "ibridge outbox discard 5e0d",
            ),
            (
                Action::TestConnection {
                    connection: conn("sn"),
                },
                "ibridge connections test sn",
            ),
            (
                Action::EditConnection {
                    connection: conn("ado"),
                    setting: "project".into(),
                },
                "ibridge connections remove ado",
            ),
        ] {
            assert_eq!(command(&action, &none), expected);
        }
    }

    #[test]
    fn a_required_filing_field_offers_this_filing_and_every_filing() {
        let action = Action::SetFilingField {
            connection: "sn".into(),
            field: "assignment_group".into(),
        };
        assert_eq!(
            hint(&action, &argv(&["incident", "file", "3f2a", "--to", "sn"])),
            "run `ibridge incident file 3f2a --to sn --field assignment_group=VALUE` for this filing, \
             or `ibridge connections fields sn --set assignment_group=VALUE` for every filing"
        );
        assert_eq!(
            hint(&action, &argv(&["incident", "create", "--title", "x"])),
            "for every filing, run `ibridge connections fields sn --set assignment_group=VALUE`"
        );
    }

    #[test]
    fn a_missing_input_repeats_the_command_with_the_option() {
        let space = Action::SupplyInput {
            field: "space".into(),
        };
        assert_eq!(
            command(
                &space,
                &argv(&["doc", "publish", "0f3c", "--to", "team wiki"])
            ),
            "ibridge doc publish 0f3c --to 'team wiki' --space KEY"
        );
        // A port that was busy is replaced, whichever way it was written.
        let port = Action::SupplyInput {
            field: "port".into(),
        };
        assert_eq!(
            command(&port, &argv(&["connect", "ado", "--port", "18719"])),
            "ibridge connect ado --port PORT"
        );
        assert_eq!(
            command(&port, &argv(&["connect", "ado", "--port=18719"])),
            "ibridge connect ado --port PORT"
        );
        let field = Action::SupplyInput {
            field: "field".into(),
        };
        assert_eq!(
            command(&field, &argv(&["servicenow", "update", "sn", "abc"])),
            "ibridge servicenow update sn abc --field NAME=VALUE"
        );
    }
}
