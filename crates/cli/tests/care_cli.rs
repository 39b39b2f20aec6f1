//! The care of the command line: completions, an example in every
//! `--help`, colour only for terminals (NO_COLOR, pipes), no progress
//! output for pipes, and `doctor` against the fake services with one good
//! and one broken connection.

mod common;

use common::{add_servicenow_basic, Cli};
use ibridge_testkit::FakeServices;

/// A loopback address nothing listens on.
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let cli = Cli::new();
    let bash = cli.ok(&["completions", "bash"], "").stdout;
    assert!(
        bash.contains("complete -F _ibridge") && bash.contains("doctor"),
        "{bash}"
    );
    assert!(bash.contains("connections") && bash.contains("--data-dir"));
    let zsh = cli.ok(&["completions", "zsh"], "").stdout;
    assert!(zsh.starts_with("#compdef ibridge"), "{zsh}");
    assert!(zsh.contains("'--json[") && zsh.contains("publish"));
    let fish = cli.ok(&["completions", "fish"], "").stdout;
    assert!(
        fish.contains("complete -c ibridge") && fish.contains("-a \"doctor\""),
        "{fish}"
    );
    let bad = cli.run(&["completions", "powershell-ish"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn every_help_shows_an_example() {
    let cli = Cli::new();
    for args in [
        vec!["--help"],
        vec!["incident", "create", "--help"],
        vec!["connections", "add", "--help"],
        vec!["doc", "publish", "--help"],
        vec!["outbox", "run", "--help"],
        vec!["doctor", "--help"],
    ] {
        let run = cli.ok(&args, "");
        assert!(
            run.stdout.contains("Example"),
            "ibridge {args:?} has no example:\n{}",
            run.stdout
        );
    }
    let create = cli.ok(&["incident", "create", "--help"], "").stdout;
    assert!(
        create.contains("ibridge incident create --title \"Checkout returns 500\" --severity P1"),
        "{create}"
    );
}

#[test]
fn colour_only_for_terminals_and_never_with_no_color() {
    let fake = FakeServices::start();
    let cli = Cli::new();
    add_servicenow_basic(&cli, "sn", &fake.url());
    // stdout is a pipe here: plain text.
    let piped = cli.ok(&["connections", "list"], "");
    assert!(
        piped.stdout.contains("connected") && !piped.stdout.contains('\x1b'),
        "{}",
        piped.stdout
    );
    // Forced (as a terminal would get it): coloured status words.
    let forced = Cli {
        env: vec![
            ("IBRIDGE_KEYCHAIN".into(), "off".into()),
            ("CLICOLOR_FORCE".into(), "1".into()),
        ],
        ..cli
    };
    let coloured = forced.ok(&["connections", "list"], "");
    assert!(
        coloured.stdout.contains("\x1b[32mconnected\x1b[0m"),
        "{:?}",
        coloured.stdout
    );
    // NO_COLOR wins over everything.
    let no_color = Cli {
        env: vec![
            ("IBRIDGE_KEYCHAIN".into(), "off".into()),
            ("CLICOLOR_FORCE".into(), "1".into()),
            ("NO_COLOR".into(), "1".into()),
        ],
        ..forced
    };
    let plain = no_color.ok(&["connections", "list"], "");
    assert!(!plain.stdout.contains('\x1b'), "{:?}", plain.stdout);
    // JSON is never coloured.
    let json = no_color.run(&["--json", "connections", "list"]);
    assert!(!json.stdout.contains('\x1b'));
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    let fake = FakeServices::start();
    let cli = Cli::new();
    add_servicenow_basic(&cli, "sn", &fake.url());
    let run = cli.ok(&["connections", "test", "sn"], "");
    assert!(run.stdout.contains("Bridge Service"), "{}", run.stdout);
    assert!(
        !run.stderr.contains('\r') && !run.stderr.contains('\x1b'),
        "spinner drawn into a pipe: {:?}",
        run.stderr
    );
}

#[test]
fn doctor_checks_everything_and_says_what_to_fix() {
    let fake = FakeServices::start();
    let cli = Cli::new();
    add_servicenow_basic(&cli, "good", &fake.url());
    add_servicenow_basic(&cli, "broken", &dead_url());

    let run = cli.run(&["doctor"]);
    assert_eq!(
        run.code, 1,
        "a problem means exit 1:\n{}\n{}",
        run.stdout, run.stderr
    );
    let out = &run.stdout;
    assert!(out.contains("ok      data directory:"), "{out}");
    assert!(
        out.contains("ok      master key: key file in the data directory"),
        "{out}"
    );
    let good = out.split("good (servicenow)").nth(1).unwrap_or_default();
    assert!(
        good.trim_start()
            .starts_with("ok        reachable: Connected"),
        "{out}"
    );
    let broken = out.split("broken (servicenow)").nth(1).unwrap_or_default();
    assert!(broken.contains("PROBLEM   reachable:"), "{out}");
    assert!(
        broken.contains("fix: check the address http://127.0.0.1:"),
        "{out}"
    );
    assert!(out.contains("1 problem to fix."), "{out}");
    assert!(run.stderr.contains("1 problem found"), "{}", run.stderr);

    let json = cli.run(&["--json", "doctor"]);
    assert_eq!(json.code, 1);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["data_dir"]["ok"], true);
    let conns = report["connections"].as_array().unwrap();
    let by_name = |n: &str| conns.iter().find(|c| c["name"] == n).unwrap().clone();
    assert_eq!(by_name("good")["reachable"]["ok"], true);
    assert_eq!(by_name("broken")["reachable"]["ok"], false);
    assert!(by_name("broken")["reachable"]["fix"]
        .as_str()
        .unwrap()
        .contains("ibridge connections test broken"));

    // Once the broken one is removed, everything is fine: exit 0.
    cli.ok(&["connections", "remove", "broken"], "");
    let fine = cli.ok(&["doctor"], "");
    assert!(
        fine.stdout.contains("Everything looks right."),
        "{}",
        fine.stdout
    );
}

/// `ibridge doc render X | head`: the reader goes away after a few bytes;
/// the command ends quietly (by SIGPIPE, as other tools do), never with a
/// panic about a broken pipe.
#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.md");
    let section = "## Timeline\n\nA paragraph of the timeline, long enough to fill a pipe.\n\n";
    std::fs::write(&file, section.repeat(4000)).unwrap();
    let doc = cli.json(&["doc", "import", file.to_str().unwrap(), "--title", "Big"]);
    let id = doc["id"].as_str().unwrap();
    let mut child = cli.spawn(&["doc", "render", id]);
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is closed here, with most of the output unread.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    const SIGPIPE: i32 = 13;
    assert_eq!(out.status.signal(), Some(SIGPIPE), "{:?}", out.status);
}
