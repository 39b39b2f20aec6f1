//! A real OAuth 2.0 authorization server (oidc-provider, see
//! tests/oauth-server) run on loopback for the test, and a "browser" that
//! walks its login and consent pages with plain HTTP.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const CLIENT_ID: &str = "ibridge-confidential";
pub const CLIENT_SECRET: &str = "test-client-secret";
pub const PUBLIC_CLIENT_ID: &str = "ibridge-public";

pub struct AuthServer {
    child: Child,
    pub port: u16,
}

fn server_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oauth-server")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl AuthServer {
    pub fn start() -> Self {
        Self::start_with_token_delay(0)
    }

    /// A server that holds every token request `delay_ms` before answering,
    /// so that clients racing on a refresh overlap.
    pub fn start_with_token_delay(delay_ms: u64) -> Self {
        let dir = server_dir();
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "the test authorization server is not installed: run `npm ci --prefix tests/oauth-server` (scripts/test.sh does)"
        );
        let port = free_port();
        let mut child = Command::new("node")
            .arg("server.js")
            .arg(port.to_string())
            .current_dir(&dir)
            .env("IBRIDGE_TEST_TOKEN_DELAY_MS", delay_ms.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (scripts/test.sh installs Node.js)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("ready ") {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(30))
            .expect("the authorization server started");
        Self { child, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn stats(&self) -> serde_json::Value {
        reqwest::blocking::get(self.url("/__stats"))
            .unwrap()
            .json()
            .unwrap()
    }

    pub fn refresh_grants(&self) -> u64 {
        self.stats()["refresh_grants"].as_u64().unwrap()
    }

    /// `refresh_token` grant requests answered, granted or refused.
    pub fn refresh_requests(&self) -> u64 {
        self.stats()["refresh_requests"].as_u64().unwrap()
    }

    /// Every request to the token endpoint.
    pub fn token_requests(&self) -> u64 {
        self.stats()["token_requests"].as_u64().unwrap()
    }

    /// Revokes every grant and refresh token issued so far.
    pub fn revoke_everything(&self) {
        let response = reqwest::blocking::Client::new()
            .post(self.url("/__revoke"))
            .send()
            .unwrap();
        assert!(response.status().is_success(), "{:?}", response.text());
    }

    pub fn issued_tokens(&self) -> Vec<String> {
        self.stats()["issued_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_owned())
            .collect()
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Approve,
    Deny,
}

fn browser() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// Signs in as a person would (login "alice", then consent or cancel) and
/// returns the loopback callback URL the browser would be sent to, without
/// visiting it.
pub fn sign_in(authorization_url: &str, consent: Consent) -> String {
    let client = browser();
    let mut url = authorization_url.to_owned();
    for _ in 0..16 {
        let response = client.get(&url).send().unwrap();
        if let Some(location) = response.headers().get("location") {
            let next = reqwest::Url::parse(&url)
                .unwrap()
                .join(location.to_str().unwrap())
                .unwrap();
            if next.path().starts_with("/callback/") && next.host_str() == Some("127.0.0.1") {
                return next.to_string();
            }
            url = next.to_string();
            continue;
        }
        let status = response.status();
        let page = response.text().unwrap();
        assert!(
            status.is_success(),
            "authorization server answered {status}: {page}"
        );
        let submitted = if page.contains("name=\"login\"") {
            client
                .post(&url)
                .form(&[("prompt", "login"), ("login", "alice"), ("password", "any")])
                .send()
                .unwrap()
        } else if consent == Consent::Deny {
            client.get(format!("{url}/abort")).send().unwrap()
        } else {
            client
                .post(&url)
                .form(&[("prompt", "consent")])
                .send()
                .unwrap()
        };
        let location = submitted
            .headers()
            .get("location")
            .unwrap_or_else(|| panic!("no redirect after submitting {url}"))
            .to_str()
            .unwrap()
            .to_owned();
        url = reqwest::Url::parse(&url)
            .unwrap()
            .join(&location)
            .unwrap()
            .to_string();
    }
    panic!("the sign-in did not reach the callback");
}

/// GETs a loopback URL; `host` overrides the Host header.
pub fn visit(url: &str, host: Option<&str>) -> (u16, String) {
    let mut request = browser().get(url);
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let response = request.send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

/// `url` with its `state` query value replaced by `f(state)`.
pub fn with_state(url: &str, f: impl Fn(&str) -> String) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" { f(&v) } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// `url` with query parameter `name` set to `value`, or removed (`None`).
pub fn with_param(url: &str, name: &str, value: Option<&str>) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let mut pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some(value) = value {
        pairs.push((name.to_owned(), value.to_owned()));
    }
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}
