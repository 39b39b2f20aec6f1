//! Runs the fake ServiceNow / Azure DevOps / Confluence service until
//! killed; prints `ready <url>` once listening. Used by the desktop
//! end-to-end tests, which can take it down and back up by writing `stop`
//! or `start` on its standard input (it answers `stopped` / `started`);
//! while down every request gets 503. `require-sn-field COLUMN LABEL`
//! makes ServiceNow refuse incidents without COLUMN from then on, as a data
//! policy does (answer `required`). `customise` makes it a customised
//! instance and project (`Customisation::customised`), `plain` undoes it.

use std::io::{BufRead, Write};

fn main() {
    let fake = ibridge_testkit::FakeServices::start();
    println!("ready {}", fake.url());
    let _ = std::io::stdout().flush();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "stop" => {
                fake.set_down(true);
                println!("stopped");
            }
            "start" => {
                fake.set_down(false);
                println!("started");
            }
            command if command.starts_with("require-sn-field ") => {
                let mut words = command.splitn(3, ' ').skip(1);
                match (words.next(), words.next()) {
                    (Some(column), Some(label)) if !column.is_empty() => {
                        fake.require_servicenow_field(column, label.trim());
                        println!("required");
                    }
                    _ => println!("usage: require-sn-field COLUMN LABEL"),
                }
            }
            "customise" => {
                fake.customise(ibridge_testkit::Customisation::customised());
                println!("customised");
            }
            "plain" => {
                fake.customise(ibridge_testkit::Customisation::default());
                println!("plain");
            }
            _ => println!(
                "unknown command (stop | start | require-sn-field COLUMN LABEL | customise | plain)"
            ),
        }
        let _ = std::io::stdout().flush();
    }
    // Standard input closed (or never given): serve until killed.
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
