//! The loopback redirect receiver (RFC 8252 §7.3): a warp server on
//! 127.0.0.1 (and [::1] when the machine has it) that answers only
//! `GET /callback` with a loopback `Host`, verifies the state before
//! anything else, hands the result to the sign-in flow, and shows the
//! person a page with the outcome — never the code or a token.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use warp::http::StatusCode;
use warp::Filter;

use super::state::{StateError, StateGuard};
use super::OAuthError;
use crate::secret::SecretString;

/// What the browser brought back.
pub enum Callback {
    /// A verified state and an authorization code. The flow answers on
    /// `reply` with the text for the page once it has exchanged the code.
    Authorized {
        code: SecretString,
        reply: oneshot::Sender<Result<String, String>>,
    },
    /// The user (or the server) refused: `error` / `error_description`.
    Denied { error: String, description: String },
    /// The state did not verify.
    BadState(StateError),
}

pub struct CallbackServer {
    pub port: u16,
    pub redirect_uri: String,
    outcomes: mpsc::Receiver<Callback>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl CallbackServer {
    /// Binds the port now, so a busy port is reported before the browser
    /// is opened.
    pub async fn start(port: u16, guard: Arc<StateGuard>) -> Result<Self, OAuthError> {
        let v4 = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|e| OAuthError::PortBusy {
                port,
                reason: e.to_string(),
            })?;
        let port = v4.local_addr().map(|a| a.port()).unwrap_or(port);
        // "localhost" may resolve to ::1 first; serve it too when possible.
        let v6 = tokio::net::TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port)))
            .await
            .ok();

        let (outcome_tx, outcomes) = mpsc::channel(4);
        let (stop, stop_rx) = watch::channel(false);
        let routes = routes(port, guard, outcome_tx);
        let mut tasks = Vec::new();
        for listener in std::iter::once(v4).chain(v6) {
            let mut stop_rx = stop_rx.clone();
            let server = warp::serve(routes.clone())
                .incoming(listener)
                .graceful(async move {
                    let _ = stop_rx.wait_for(|stopped| *stopped).await;
                });
            tasks.push(tokio::spawn(server.run()));
        }
        Ok(Self {
            port,
            redirect_uri: format!("http://localhost:{port}/callback"),
            outcomes,
            stop,
            tasks,
        })
    }

    /// The next callback that ends the wait, or `None` after `timeout`.
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
    port: u16,
    guard: Arc<StateGuard>,
    outcomes: mpsc::Sender<Callback>,
) -> impl Filter<Extract = (warp::reply::Response,), Error = std::convert::Infallible>
       + Clone
       + Send
       + Sync
       + 'static {
    let allowed_hosts: Arc<Vec<String>> = Arc::new(
        ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{port}"))
            .collect(),
    );
    let callback = warp::get()
        .and(warp::path("callback"))
        .and(warp::path::end())
        .and(warp::header::optional::<String>("host"))
        .and(warp::query::<HashMap<String, String>>())
        .and_then(
            move |host: Option<String>, query: HashMap<String, String>| {
                let guard = guard.clone();
                let outcomes = outcomes.clone();
                let allowed_hosts = allowed_hosts.clone();
                async move {
                    let host_ok = host
                        .as_deref()
                        .is_some_and(|h| allowed_hosts.iter().any(|a| a.eq_ignore_ascii_case(h)));
                    if !host_ok {
                        // DNS rebinding: a foreign name pointed at 127.0.0.1.
                        return Ok::<_, std::convert::Infallible>(page(
                            StatusCode::FORBIDDEN,
                            "Wrong address",
                            "This sign-in receiver answers only requests addressed to localhost.",
                        ));
                    }
                    Ok(handle(&guard, &outcomes, query).await)
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
    outcomes: &mpsc::Sender<Callback>,
    query: HashMap<String, String>,
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
        let text = format!("Sign-in failed: {e}. Return to Incident Bridge and connect again.");
        let _ = outcomes.send(Callback::BadState(e)).await;
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
    let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
        let _ = outcomes
            .send(Callback::BadState(StateError::Malformed))
            .await;
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "The answer carried no authorization code.",
        );
    };
    let (reply, answer) = oneshot::channel();
    let sent = outcomes
        .send(Callback::Authorized {
            code: SecretString::from(code.as_str()),
            reply,
        })
        .await;
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
