//! Colour for people at a terminal, none for pipes, files and scripts:
//! off when the stream is not a terminal, when `NO_COLOR` is set (any
//! non-empty value, <https://no-color.org>) or `TERM=dumb`; forced on by
//! `CLICOLOR_FORCE` (non-empty, not `0`) unless `NO_COLOR` is set.

use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    enabled: bool,
}

/// The rule, on its own so it can be tested without a terminal.
pub fn wanted(
    is_terminal: bool,
    no_color: Option<&str>,
    force: Option<&str>,
    term: Option<&str>,
) -> bool {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if force.is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    is_terminal && term != Some("dumb")
}

fn from_env(is_terminal: bool) -> Colour {
    let var = |name: &str| std::env::var(name).ok();
    Colour {
        enabled: wanted(
            is_terminal,
            var("NO_COLOR").as_deref(),
            var("CLICOLOR_FORCE").as_deref(),
            var("TERM").as_deref(),
        ),
    }
}

impl Colour {
    pub fn stdout() -> Self {
        from_env(std::io::stdout().is_terminal())
    }

    pub fn stderr() -> Self {
        from_env(std::io::stderr().is_terminal())
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn ok(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn warn(self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn bad(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// A connection status word in the colour of its meaning.
    pub fn status(self, status: &str) -> String {
        match status {
            "connected" => self.ok(status),
            "needs_reconnect" => self.warn(status),
            "error" => self.bad(status),
            _ => status.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_then_force_then_the_terminal() {
        assert!(wanted(true, None, None, Some("xterm-256color")));
        assert!(
            !wanted(false, None, None, Some("xterm")),
            "a pipe gets no colour"
        );
        assert!(
            !wanted(true, Some("1"), None, None),
            "NO_COLOR turns it off"
        );
        assert!(
            wanted(true, Some(""), None, None),
            "an empty NO_COLOR does not count"
        );
        assert!(
            !wanted(true, Some("1"), Some("1"), None),
            "NO_COLOR beats CLICOLOR_FORCE"
        );
        assert!(
            wanted(false, None, Some("1"), None),
            "CLICOLOR_FORCE colours a pipe"
        );
        assert!(!wanted(false, None, Some("0"), None));
        assert!(!wanted(true, None, None, Some("dumb")));
    }

    #[test]
    fn painting_only_when_enabled() {
        let on = Colour { enabled: true };
        let off = Colour { enabled: false };
        assert_eq!(on.ok("connected"), "\x1b[32mconnected\x1b[0m");
        assert_eq!(off.status("connected"), "connected");
        assert_eq!(
            on.status("needs_reconnect"),
            "\x1b[33mneeds_reconnect\x1b[0m"
        );
    }
}
