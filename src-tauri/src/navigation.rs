//! The main window shows only the app. A navigation of its web view to
//! anywhere else (a link clicked in an RCA preview, a script) is refused;
//! an https link is handed to the system browser instead, where it belongs.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Manager, Runtime};

/// Where the window's own pages are served from: the custom protocol
/// (`tauri://localhost`, `http(s)://tauri.localhost` on Windows), or in a
/// development build the Vite server named in `build.devUrl`.
pub fn is_app_page(url: &url::Url, dev_url: Option<&url::Url>) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" if url.host_str() == Some("tauri.localhost") => true,
        "about" => url.path() == "blank",
        _ => dev_url.is_some_and(|dev| dev.origin() == url.origin()),
    }
}

pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(|webview, url| {
            let dev_url = if tauri::is_dev() {
                webview.config().build.dev_url.clone()
            } else {
                None
            };
            if is_app_page(url, dev_url.as_ref()) {
                return true;
            }
            tracing::warn!(target: "ibridge", "blocked a navigation of the window away from the app");
            if crate::commands::links::browser_url(url.as_str()).is_ok() {
                let _ = tauri_plugin_opener::open_url(url.as_str(), None::<&str>);
            }
            false
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::is_app_page;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn only_the_apps_own_pages_load_in_the_window() {
        let dev = url("http://localhost:5173");
        for ok in [
            "tauri://localhost/index.html",
            "http://tauri.localhost/",
            "https://tauri.localhost/assets/x.js",
            "about:blank",
        ] {
            assert!(is_app_page(&url(ok), None), "{ok}");
        }
        assert!(is_app_page(
            &url("http://localhost:5173/src/main.tsx"),
            Some(&dev)
        ));
        for away in [
            "https://evil.example/",
            "http://localhost:5173/",
            "http://127.0.0.1:8765/callback/x",
            "tauri://evil.example/",
            "http://tauri.localhost.evil.example/",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ] {
            assert!(!is_app_page(&url(away), None), "{away}");
        }
        assert!(!is_app_page(&url("https://localhost:5173/"), Some(&dev)));
    }
}
