//! The one HTTP client every provider uses: rustls, timeouts, retries with
//! backoff and `Retry-After`, a body size limit, typed errors, and logs
//! that never carry a secret.

pub(crate) mod error;
pub mod redact;
mod retry;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, CONTENT_LENGTH};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;

pub use error::HttpError;
pub use retry::{is_retryable_status, parse_retry_after, RetryPolicy};

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    /// For the whole exchange, body included.
    pub total_timeout: Duration,
    pub max_body_bytes: usize,
    pub retry: RetryPolicy,
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            retry: RetryPolicy::default(),
            user_agent: concat!("IncidentBridge/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Whether a request may be sent again after a retryable failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GET, HEAD and OPTIONS are retried; everything else is sent once.
    ByMethod,
    /// The caller knows a repeat is harmless (e.g. a PUT of a fixed state).
    Idempotent,
    /// Never repeat (creates; the outbox owns their retries).
    Once,
}

/// Waits between attempts. Tests replace it to see the waits without
/// spending them.
pub trait Pacer: Send + Sync {
    fn wait(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

pub struct TokioPacer;

impl Pacer for TokioPacer {
    fn wait(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(delay))
    }
}

/// Does not wait at all: for tests and benchmarks that retry without the
/// clock (the waits asked for are still decided by the policy).
pub struct NoWaitPacer;

impl Pacer for NoWaitPacer {
    fn wait(&self, _delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async {})
    }
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// How many tries it took.
    pub attempts: u32,
}

impl HttpResponse {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| HttpError::InvalidResponse {
            reason: format!(
                "body is not the expected JSON ({e}): {}",
                redact::body_excerpt(&self.body)
            ),
        })
    }
}

#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    config: HttpConfig,
    pacer: Arc<dyn Pacer>,
}

impl HttpClient {
    pub fn new(config: HttpConfig) -> Result<Self, HttpError> {
        Self::with_pacer(config, Arc::new(TokioPacer))
    }

    pub fn with_pacer(config: HttpConfig, pacer: Arc<dyn Pacer>) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.total_timeout)
            .user_agent(config.user_agent.clone())
            // Redirects could carry an Authorization header to another host.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(false)
            .build()
            .map_err(|e| HttpError::InvalidRequest {
                reason: e.to_string(),
            })?;
        Ok(Self {
            client,
            config,
            pacer,
        })
    }

    pub fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends, retrying by method (see [`Idempotency::ByMethod`]).
    pub async fn send(&self, request: RequestBuilder) -> Result<HttpResponse, HttpError> {
        self.send_with(request, Idempotency::ByMethod).await
    }

    pub async fn send_with(
        &self,
        request: RequestBuilder,
        idempotency: Idempotency,
    ) -> Result<HttpResponse, HttpError> {
        let request = request.build().map_err(|e| HttpError::InvalidRequest {
            reason: without_url(&e),
        })?;
        let may_retry = match idempotency {
            Idempotency::ByMethod => matches!(
                *request.method(),
                Method::GET | Method::HEAD | Method::OPTIONS
            ),
            Idempotency::Idempotent => true,
            Idempotency::Once => false,
        };
        let method = request.method().clone();
        let logged_url = redact::url_for_log(request.url());
        let policy = &self.config.retry;
        let mut attempt = 1u32;
        loop {
            // A body that cannot be cloned (a stream) is sent once.
            let this_try = if may_retry { request.try_clone() } else { None };
            let last_chance = !may_retry || this_try.is_none() || attempt >= policy.max_attempts;
            let to_send = match this_try {
                Some(r) => r,
                None => {
                    return self
                        .send_once(request, attempt, &method, &logged_url)
                        .await
                        .map_err(|(e, _)| e)
                }
            };
            match self.send_once(to_send, attempt, &method, &logged_url).await {
                Ok(response) => return Ok(response),
                Err((error, retry_after)) => {
                    if last_chance || !is_retryable(&error) {
                        return Err(error);
                    }
                    let delay = match retry_after {
                        Some(wait) if wait > policy.max_retry_after => return Err(error),
                        Some(wait) => wait,
                        None => policy.backoff(attempt),
                    };
                    tracing::info!(%method, url = %logged_url, attempt, delay_ms = delay.as_millis() as u64, %error, "retrying");
                    self.pacer.wait(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    /// One exchange. On failure also returns the server's `Retry-After`.
    async fn send_once(
        &self,
        request: reqwest::Request,
        attempt: u32,
        method: &Method,
        logged_url: &str,
    ) -> Result<HttpResponse, (HttpError, Option<Duration>)> {
        let started = Instant::now();
        tracing::debug!(%method, url = %logged_url, attempt, "sending");
        let response = self.client.execute(request).await.map_err(|e| {
            let error = network_error(&e, &self.config);
            tracing::debug!(%method, url = %logged_url, attempt, %error, "request failed");
            (error, None)
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = read_limited(response, self.config.max_body_bytes, &self.config)
            .await
            .map_err(|e| (e, None))?;
        tracing::debug!(%method, url = %logged_url, attempt, status, elapsed_ms = started.elapsed().as_millis() as u64, "answered");
        if (200..300).contains(&status) {
            return Ok(HttpResponse {
                status,
                headers,
                body,
                attempts: attempt,
            });
        }
        let retry_after = parse_retry_after(&headers);
        let retry_after_for_error = if status == 429 { retry_after } else { None };
        Err((
            HttpError::from_status(status, redact::body_excerpt(&body), retry_after_for_error),
            retry_after,
        ))
    }
}

fn is_retryable(error: &HttpError) -> bool {
    match error {
        HttpError::Network { reason } => reason.starts_with("could not connect"),
        other => other.status().is_some_and(is_retryable_status),
    }
}

/// reqwest errors print the URL, which may hold a query secret; rebuild
/// the message without it.
fn without_url(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    if let Some(url) = e.url() {
        msg = msg.replace(url.as_str(), &redact::url_for_log(url));
    }
    msg
}

fn network_error(e: &reqwest::Error, config: &HttpConfig) -> HttpError {
    let reason = if e.is_timeout() {
        format!("timed out (limit {} s)", config.total_timeout.as_secs_f32())
    } else if e.is_connect() {
        format!("could not connect: {}", source_chain(e))
    } else {
        without_url(e)
    };
    HttpError::Network { reason }
}

fn source_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(err) = current {
        parts.push(err.to_string());
        current = err.source();
    }
    if parts.is_empty() {
        "connection failed".to_owned()
    } else {
        parts.join(": ")
    }
}

async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    config: &HttpConfig,
) -> Result<Vec<u8>, HttpError> {
    let too_large = || HttpError::InvalidResponse {
        reason: format!("response body is larger than the {limit}-byte limit"),
    };
    let declared = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| network_error(&e, config))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests;
