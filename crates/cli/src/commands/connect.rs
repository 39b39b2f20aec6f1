use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ibridge_core::oauth::{self, AtlassianSite, ConnectOptions, ConnectUi};
use ibridge_core::{Core, Error, Result};

use crate::args::ConnectArgs;
use crate::output::{connection_details, Output};

struct TerminalUi {
    no_browser: bool,
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
        eprintln!("Opening the browser to sign in…");
        if let Err(e) = open::that_detached(url) {
            eprintln!("Could not open a browser ({e}). Open this address yourself:\n{url}");
        }
    }

    fn progress(&self, message: &str) {
        eprintln!("{message}");
    }

    fn choose_site(&self, sites: &[AtlassianSite]) -> Option<AtlassianSite> {
        if !std::io::stdin().is_terminal() {
            return None;
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

/// Runs the sign-in; returns the core so its notices can be printed.
pub fn run(core: Core, out: &Output, args: ConnectArgs) -> (Result<()>, Vec<String>) {
    let shared = Arc::new(Mutex::new(core));
    let options = ConnectOptions {
        port: args.port,
        timeout: Duration::from_secs(args.timeout),
        site: args.site,
    };
    let ui = TerminalUi {
        no_browser: args.no_browser,
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))
        .and_then(|runtime| runtime.block_on(oauth::connect(&shared, &args.name, &options, &ui)));
    let notices = shared
        .lock()
        .map(|mut c| c.take_notices())
        .unwrap_or_default();
    let result = result.map(|view| {
        out.emit(&view, |c| {
            format!("Connected '{}'.\n{}", c.name, connection_details(c))
        });
    });
    (result, notices)
}
