//! A spinner on stderr while a command waits on the network, only when
//! stderr is a terminal and colour/animation is welcome (`NO_COLOR` and
//! `TERM=dumb` turn it off): scripts, pipes and `--json` runs see nothing.

use std::future::Future;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether to animate: the same rule as colour, without forcing.
pub fn wanted(stderr_is_terminal: bool, json: bool) -> bool {
    !json
        && crate::colour::wanted(
            stderr_is_terminal,
            std::env::var("NO_COLOR").ok().as_deref(),
            None,
            std::env::var("TERM").ok().as_deref(),
        )
}

pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    pub fn start(message: &str, json: bool) -> Self {
        if !wanted(std::io::stderr().is_terminal(), json) {
            return Spinner(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner(Some(bar))
    }

    /// The bar itself, for code that reports progress into it.
    pub fn bar(&self) -> Option<ProgressBar> {
        self.0.clone()
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

/// Runs `work` with a spinner saying `message`.
pub async fn with_spinner<T>(message: &str, json: bool, work: impl Future<Output = T>) -> T {
    let spinner = Spinner::start(message, json);
    let result = work.await;
    drop(spinner);
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn never_for_pipes_or_json() {
        assert!(!super::wanted(false, false));
        assert!(!super::wanted(true, true));
    }
}
