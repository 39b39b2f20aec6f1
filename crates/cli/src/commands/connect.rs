//! `ibridge connect`: the OAuth sign-in, and how it talks to the person at
//! the terminal.

use std::io::{BufRead, IsTerminal, Write};

use ibridge_core::oauth::{AtlassianSite, ConnectOptions, ConnectUi};
use ibridge_core::{Result, Services};

use crate::args::ConnectArgs;
use crate::output::{self, Output};
use crate::progress::Spinner;

pub async fn run(services: &Services, out: &Output, args: ConnectArgs) -> Result<()> {
    let options = ConnectOptions {
        port: args.port,
        timeout: std::time::Duration::from_secs(args.timeout),
        site: args.site,
    };
    // --no-browser prints the URL on stdout for a script: no spinner then.
    let spinner = Spinner::start(
        "Waiting for the sign-in to finish in the browser…",
        out.json || args.no_browser,
    );
    let ui = TerminalUi {
        no_browser: args.no_browser,
        spinner: spinner.bar(),
    };
    let view = services.connect(&args.name, &options, &ui).await;
    drop(spinner);
    let view = view?;
    out.emit(&view, |c| {
        format!("Connected '{}'.\n{}", c.name, output::connection_details(c))
    });
    Ok(())
}

pub struct TerminalUi {
    pub no_browser: bool,
    /// The spinner shown while waiting (terminals only): progress goes into it.
    pub spinner: Option<indicatif::ProgressBar>,
}

impl TerminalUi {
    fn say(&self, line: &str) {
        match &self.spinner {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}

impl ConnectUi for TerminalUi {
    fn authorization_url(&self, url: &str) {
        if self.no_browser {
            // Alone on one line of stdout, for scripts and remote sessions.
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{url}");
            let _ = stdout.flush();
            return;
        }
        self.say("Opening the browser to sign in…");
        if let Err(e) = open::that_detached(url) {
            self.say(&format!(
                "Could not open a browser ({e}). Open this address yourself:\n{url}"
            ));
        }
    }

    fn progress(&self, message: &str) {
        match &self.spinner {
            Some(bar) => bar.set_message(message.to_owned()),
            None => eprintln!("{message}"),
        }
    }

    fn choose_site(&self, sites: &[AtlassianSite]) -> Option<AtlassianSite> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        // The person answers a question: no spinner over it.
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
        eprintln!("This sign-in covers several Atlassian sites:");
        for (i, site) in sites.iter().enumerate() {
            eprintln!("  {}. {} ({})", i + 1, site.name, site.url);
        }
        eprint!("Use which site? [1-{}] ", sites.len());
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok()?;
        let choice: usize = line.trim().parse().ok()?;
        sites.get(choice.checked_sub(1)?).cloned()
    }
}
