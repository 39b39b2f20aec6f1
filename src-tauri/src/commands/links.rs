//! Opening a record's page in the system browser. The web view has no
//! opener permission; links go through here, where only https passes
//! (and plain http to a loopback address, for development connections).

use crate::error::{CmdResult, UiError};

#[tauri::command]
#[specta::specta]
pub fn open_link(url: String) -> CmdResult<()> {
    let parsed = browser_url(&url).map_err(|m| invalid(&m))?;
    tauri_plugin_opener::open_url(parsed.as_str(), None::<&str>).map_err(|e| UiError {
        kind: "local".into(),
        field: None,
        message: format!("could not open the browser: {e}"),
        action: None,
    })
}

/// The URL if the system browser may be sent there: `https`, or `http` to
/// 127.0.0.1, [::1] or localhost; anything else is refused with a reason.
pub fn browser_url(url: &str) -> Result<url::Url, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("'{url}' is not a URL ({e})"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        "http" => Err("only https links open (plain http only to this machine)".into()),
        other => Err(format!("only https links open, not {other}:")),
    }
}

fn invalid(message: &str) -> UiError {
    UiError {
        kind: "invalid_input".into(),
        field: Some("url".into()),
        message: format!("invalid url: {message}"),
        action: None,
    }
}

#[cfg(test)]
mod tests {
    use super::browser_url;

    #[test]
    fn https_opens_plain_http_only_to_loopback() {
        for ok in [
            "https://acme.atlassian.net/wiki/x",
            "http://127.0.0.1:9000/now/incident",
            "http://[::1]:8080/",
            "http://localhost:5173/x",
        ] {
            assert!(browser_url(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://acme.atlassian.net/wiki/x",
            "http://127.0.0.1.evil.example/",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "mailto:x@y.example",
            "not a url",
        ] {
            assert!(browser_url(refused).is_err(), "{refused}");
        }
    }
}
