//! Opening a record's page in the system browser. The web view has no
//! opener permission; links go through here, where only http(s) pass.

use crate::error::{CmdResult, UiError};

#[tauri::command]
#[specta::specta]
pub fn open_link(url: String) -> CmdResult<()> {
    let parsed =
        url::Url::parse(&url).map_err(|e| invalid(&format!("'{url}' is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(invalid("only http and https links open"));
    }
    tauri_plugin_opener::open_url(parsed.as_str(), None::<&str>).map_err(|e| UiError {
        kind: "local".into(),
        field: None,
        message: format!("could not open the browser: {e}"),
    })
}

fn invalid(message: &str) -> UiError {
    UiError {
        kind: "invalid_input".into(),
        field: Some("url".into()),
        message: format!("invalid url: {message}"),
    }
}
