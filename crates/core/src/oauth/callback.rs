//! The loopback redirect receiver (RFC 8252 §7.3, §8.3): a warp server on
//! the loopback IP literal 127.0.0.1 (or [::1] on a machine without IPv4
//! loopback) that answers only `GET` on this connection's own callback
//! path with a matching `Host`, verifies the state before anything else,
//! and shows the person a page with the outcome — never the code or a
//! token.
//!
//! The redirect URI names the IP literal, not `localhost`: a name may
//! resolve to either family, and a listener another local user holds on
//! the other family would receive the code. A bind that reports the
//! address in use is an error, never skipped.
//!
//! Only a callback whose state verifies ends the wait. Anything else (no
//! state, a forged, foreign, expired or replayed one) gets an error page
//! and the receiver keeps waiting until the flow's timeout, so a web page
//! that loads the callback address cannot cancel the user's sign-in.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use warp::http::StatusCode;
use warp::Filter;

use super::issuer::IssuerCheck;
use super::state::{StateError, StateGuard};
use super::OAuthError;
use crate::secret::SecretString;

/// What the browser brought back.
#[derive(Debug)]
pub enum Callback {
    /// A verified state and an authorization code. The flow answers on
    /// `reply` with the text for the page once it has exchanged the code.
    Authorized {
        code: SecretString,
        reply: oneshot::Sender<Result<String, String>>,
    },
    /// The user (or the server) refused: `error` / `error_description`.
    Denied { error: String, description: String },
    /// The state verified but the answer is unusable (no code, or an
    /// `iss` naming another authorization server): the flow ends.
    Failed(OAuthError),
    /// A callback whose state did not verify: shown an error page; the
    /// wait goes on.
    Refused(StateError),
}

impl Callback {
    /// Whether this callback ends the sign-in.
    pub fn ends_the_wait(&self) -> bool {
        !matches!(self, Callback::Refused(_))
    }
}

/// Where to listen.
#[derive(Debug, Clone)]
pub struct Listen {
    pub port: u16,
    /// The authorization server accepts any loopback port (RFC 8252 §7.3):
    /// when `port` is busy, take a free one instead of failing.
    pub any_port: bool,
    /// This connection's own path, e.g. `/callback/wiki`.
    pub path: String,
}

pub struct CallbackServer {
    pub port: u16,
    pub redirect_uri: String,
    outcomes: mpsc::Receiver<Callback>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Binds `ip:port`; `Ok(None)` when this machine has no such loopback
/// address, an error naming the port when it is in use or refused.
async fn bind(ip: IpAddr, port: u16) -> Result<Option<tokio::net::TcpListener>, std::io::Error> {
    match tokio::net::TcpListener::bind(SocketAddr::new(ip, port)).await {
        Ok(listener) => Ok(Some(listener)),
        Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => Ok(None),
        Err(e) => Err(e),
    }
}

/// The loopback listener: 127.0.0.1, or [::1] where IPv4 loopback is absent.
async fn bind_loopback(port: u16) -> Result<tokio::net::TcpListener, std::io::Error> {
    if let Some(v4) = bind(IpAddr::V4(Ipv4Addr::LOCALHOST), port).await? {
        return Ok(v4);
    }
    bind(IpAddr::V6(Ipv6Addr::LOCALHOST), port)
        .await?
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::AddrNotAvailable,
                "this machine has no loopback address",
            )
        })
}

impl CallbackServer {
    /// Binds the port now, so a busy port is reported before the browser
    /// is opened.
    pub async fn start(
        listen: &Listen,
        guard: Arc<StateGuard>,
        issuer: IssuerCheck,
    ) -> Result<Self, OAuthError> {
        let busy = |port: u16, e: std::io::Error| OAuthError::PortBusy {
            port,
            reason: e.to_string(),
        };
        let listener = match bind_loopback(listen.port).await {
            Ok(listener) => listener,
            Err(e) if listen.any_port && e.kind() == std::io::ErrorKind::AddrInUse => {
                // The server takes any loopback port: let the OS pick one.
                bind_loopback(0).await.map_err(|e| busy(listen.port, e))?
            }
            Err(e) => return Err(busy(listen.port, e)),
        };
        let local = listener.local_addr().map_err(|e| busy(listen.port, e))?;
        let port = local.port();
        let authority = match local.ip() {
            IpAddr::V4(ip) => format!("{ip}:{port}"),
            IpAddr::V6(ip) => format!("[{ip}]:{port}"),
        };

        let (outcome_tx, outcomes) = mpsc::channel(16);
        let (stop, mut stop_rx) = watch::channel(false);
        let routes = routes(
            authority.clone(),
            listen.path.clone(),
            guard,
            Arc::new(issuer),
            outcome_tx,
        );
        let server = warp::serve(routes).incoming(listener).graceful(async move {
            let _ = stop_rx.wait_for(|stopped| *stopped).await;
        });
        let tasks = vec![tokio::spawn(server.run())];
        Ok(Self {
            port,
            redirect_uri: format!("http://{authority}{}", listen.path),
            outcomes,
            stop,
            tasks,
        })
    }

    /// The next callback, or `None` after `timeout`.
    pub async fn next(&mut self, timeout: std::time::Duration) -> Option<Callback> {
        tokio::time::timeout(timeout, self.outcomes.recv())
            .await
            .ok()
            .flatten()
    }

    /// Stops listening; pages already being written are finished first.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        }
    }
}

fn routes(
    authority: String,
    path: String,
    guard: Arc<StateGuard>,
    issuer: Arc<IssuerCheck>,
    outcomes: mpsc::Sender<Callback>,
) -> impl Filter<Extract = (warp::reply::Response,), Error = std::convert::Infallible>
       + Clone
       + Send
       + Sync
       + 'static {
    let authority = Arc::new(authority);
    let path = Arc::new(path);
    let callback = warp::get()
        .and(warp::path::full())
        .and(warp::header::optional::<String>("host"))
        .and(warp::query::<HashMap<String, String>>())
        .and_then(
            move |full: warp::path::FullPath,
                  host: Option<String>,
                  query: HashMap<String, String>| {
                let guard = guard.clone();
                let issuer = issuer.clone();
                let outcomes = outcomes.clone();
                let authority = authority.clone();
                let path = path.clone();
                async move {
                    if full.as_str() != path.as_str() {
                        return Err(warp::reject::not_found());
                    }
                    let host_ok = host
                        .as_deref()
                        .is_some_and(|h| h.eq_ignore_ascii_case(&authority));
                    if !host_ok {
                        // DNS rebinding: a foreign name pointed at 127.0.0.1.
                        return Ok::<_, warp::Rejection>(page(
                            StatusCode::FORBIDDEN,
                            "Wrong address",
                            "This sign-in receiver answers only requests addressed to its loopback address.",
                        ));
                    }
                    Ok(handle(&guard, &issuer, &outcomes, query).await)
                }
            },
        );
    callback
        .recover(|_rejection: warp::Rejection| async move {
            Ok::<_, std::convert::Infallible>(page(
                StatusCode::NOT_FOUND,
                "Not found",
                "Incident Bridge's sign-in receiver only answers the OAuth callback.",
            ))
        })
        .unify()
}

async fn handle(
    guard: &StateGuard,
    issuer: &IssuerCheck,
    outcomes: &mpsc::Sender<Callback>,
    mut query: HashMap<String, String>,
) -> warp::reply::Response {
    let has_state = query.contains_key("state");
    let has_result = query.contains_key("code") || query.contains_key("error");
    if !has_state && !has_result {
        return page(
            StatusCode::BAD_REQUEST,
            "Nothing to do",
            "This address receives the answer of a sign-in started from Incident Bridge.",
        );
    }
    if let Err(e) = guard.consume(query.get("state").map(String::as_str)) {
        let text = format!(
            "This answer was refused: {e}. If you are signing in, finish in the browser tab Incident Bridge opened."
        );
        let _ = outcomes.send(Callback::Refused(e)).await;
        return page(StatusCode::BAD_REQUEST, "Sign-in answer refused", &text);
    }
    // RFC 9207: the answer names the authorization server that issued it.
    if let Err(e) = issuer.check(query.get("iss").map(String::as_str)) {
        let text = format!("Sign-in failed: {e}. Return to Incident Bridge.");
        let _ = outcomes.send(Callback::Failed(e)).await;
        return page(StatusCode::BAD_REQUEST, "Sign-in failed", &text);
    }
    if let Some(error) = query.get("error") {
        let description = query.get("error_description").cloned().unwrap_or_default();
        let text = format!(
            "The sign-in was not completed: {error}{}{description}. Return to Incident Bridge to try again.",
            if description.is_empty() { "" } else { " — " }
        );
        let _ = outcomes
            .send(Callback::Denied {
                error: error.clone(),
                description,
            })
            .await;
        return page(StatusCode::OK, "Sign-in cancelled", &text);
    }
    // Moved, not copied, into a secret that is zeroed on drop.
    let Some(code) = query
        .remove("code")
        .filter(|c| !c.is_empty())
        .map(SecretString::new)
    else {
        let _ = outcomes
            .send(Callback::Failed(OAuthError::State(StateError::Malformed)))
            .await;
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "The answer carried no authorization code.",
        );
    };
    let (reply, answer) = oneshot::channel();
    let sent = outcomes.send(Callback::Authorized { code, reply }).await;
    if sent.is_err() {
        return page(
            StatusCode::GONE,
            "Sign-in ended",
            "Incident Bridge is no longer waiting for this sign-in.",
        );
    }
    match answer.await {
        Ok(Ok(text)) => page(StatusCode::OK, "Connected", &text),
        Ok(Err(reason)) => page(StatusCode::BAD_GATEWAY, "Sign-in failed", &reason),
        Err(_) => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-in failed",
            "Incident Bridge stopped before finishing.",
        ),
    }
}

/// This connection's callback path: `/callback/` and the connection name,
/// lowercased as names are compared (ASCII), each byte outside the URL's
/// unreserved set percent-encoded. Each connection has its own path, so a
/// code meant for one authorization server is never taken by the flow of
/// another (RFC 9700 §4.4.2).
pub fn callback_path(connection_name: &str) -> String {
    let mut path = String::from("/callback/");
    for byte in connection_name.to_ascii_lowercase().bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

/// The redirect URI to register for a connection on `port`.
pub fn redirect_uri_for(connection_name: &str, port: u16) -> String {
    format!("http://127.0.0.1:{port}{}", callback_path(connection_name))
}

fn page(status: StatusCode, title: &str, message: &str) -> warp::reply::Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} — Incident Bridge</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;line-height:1.5}}</style></head>\
         <body><h1>{t}</h1><p>{m}</p><p>You can close this tab.</p></body></html>",
        t = escape_html(title),
        m = escape_html(message)
    );
    let mut response = warp::reply::html(html).into_response_with(status);
    let headers = response.headers_mut();
    headers.insert(
        "cache-control",
        warp::http::HeaderValue::from_static("no-store"),
    );
    headers.insert("connection", warp::http::HeaderValue::from_static("close"));
    headers.insert(
        "referrer-policy",
        warp::http::HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "content-security-policy",
        warp::http::HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    response
}

trait WithStatus {
    fn into_response_with(self, status: StatusCode) -> warp::reply::Response;
}

impl<T: warp::Reply> WithStatus for T {
    fn into_response_with(self, status: StatusCode) -> warp::reply::Response {
        warp::Reply::into_response(warp::reply::with_status(self, status))
    }
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn guard() -> Arc<StateGuard> {
        Arc::new(StateGuard::new(
            zeroize::Zeroizing::new([3u8; 32]),
            "conn-1",
            Duration::from_secs(60),
        ))
    }

    fn listen(port: u16, any_port: bool) -> Listen {
        Listen {
            port,
            any_port,
            path: callback_path("Wiki Prod"),
        }
    }

    fn check() -> IssuerCheck {
        IssuerCheck::for_endpoint("http://127.0.0.1:1/auth")
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    #[test]
    fn each_connection_has_its_own_path_on_the_ip_literal() {
        assert_eq!(callback_path("Wiki Prod"), "/callback/wiki%20prod");
        assert_eq!(callback_path("ado"), "/callback/ado");
        assert_eq!(callback_path("é/x"), "/callback/%C3%A9%2Fx");
        assert_eq!(
            redirect_uri_for("ado", 8765),
            "http://127.0.0.1:8765/callback/ado"
        );
    }

    #[tokio::test]
    async fn the_redirect_names_127_0_0_1_whoever_holds_the_ipv6_port() {
        let port = free_port();
        // Another local user holding [::1]:port gets nothing: the redirect
        // URI is the IPv4 literal, never a name that could resolve to ::1.
        let _v6 = std::net::TcpListener::bind(("::1", port)).ok();
        let server = CallbackServer::start(&listen(port, false), guard(), check())
            .await
            .unwrap();
        assert_eq!(
            server.redirect_uri,
            format!("http://127.0.0.1:{port}/callback/wiki%20prod")
        );
        server.shutdown().await;
    }

    #[tokio::test]
    async fn a_busy_port_fails_clearly_unless_any_port_is_accepted() {
        let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = holder.local_addr().unwrap().port();
        let err = CallbackServer::start(&listen(port, false), guard(), check())
            .await
            .err()
            .expect("a busy port is an error");
        assert!(
            matches!(&err, OAuthError::PortBusy { port: p, .. } if *p == port),
            "{err}"
        );
        let server = CallbackServer::start(&listen(port, true), guard(), check())
            .await
            .unwrap();
        assert_ne!(server.port, port);
        assert!(server
            .redirect_uri
            .starts_with(&format!("http://127.0.0.1:{}/callback/", server.port)));
        server.shutdown().await;
    }
}
