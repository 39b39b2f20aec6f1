//! The retry policy and error mapping against a real local HTTP server
//! (mockito), with waits recorded instead of slept.

use std::io::Write;
use std::sync::Mutex;

use super::*;

#[derive(Default)]
struct RecordingPacer {
    waits: Mutex<Vec<Duration>>,
}

impl Pacer for RecordingPacer {
    fn wait(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.waits.lock().unwrap().push(delay);
        Box::pin(async {})
    }
}

fn client_with(config: HttpConfig) -> (HttpClient, Arc<RecordingPacer>) {
    let pacer = Arc::new(RecordingPacer::default());
    (
        HttpClient::with_pacer(config, pacer.clone()).unwrap(),
        pacer,
    )
}

fn client() -> (HttpClient, Arc<RecordingPacer>) {
    client_with(HttpConfig::default())
}

#[tokio::test]
async fn retry_after_seconds_is_waited_then_succeeds() {
    let mut server = mockito::Server::new_async().await;
    let limited = server
        .mock("GET", "/r")
        .with_status(429)
        .with_header("retry-after", "1")
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/r")
        .with_body("fine")
        .expect(1)
        .create_async()
        .await;
    let (http, pacer) = client();
    let response = http
        .send(http.request(Method::GET, &format!("{}/r", server.url())))
        .await
        .unwrap();
    assert_eq!(response.body, b"fine");
    assert_eq!(response.attempts, 2);
    assert_eq!(*pacer.waits.lock().unwrap(), vec![Duration::from_secs(1)]);
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn service_unavailable_then_ok_uses_backoff() {
    let mut server = mockito::Server::new_async().await;
    let down = server
        .mock("GET", "/s")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/s")
        .with_body("up")
        .expect(1)
        .create_async()
        .await;
    let (http, pacer) = client();
    let response = http
        .send(http.request(Method::GET, &format!("{}/s", server.url())))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    let waits = pacer.waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] >= Duration::from_millis(250) && waits[0] <= Duration::from_millis(500),
        "{waits:?}"
    );
    down.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn post_is_not_retried() {
    let mut server = mockito::Server::new_async().await;
    let down = server
        .mock("POST", "/p")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let (http, pacer) = client();
    let err = http
        .send(
            http.request(Method::POST, &format!("{}/p", server.url()))
                .body("{}"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        HttpError::Server {
            status: 503,
            excerpt: "(empty body)".into()
        }
    );
    assert!(pacer.waits.lock().unwrap().is_empty());
    down.assert_async().await;
}

#[tokio::test]
async fn gives_up_after_max_attempts_with_the_last_error() {
    let mut server = mockito::Server::new_async().await;
    let down = server
        .mock("GET", "/g")
        .with_status(502)
        .with_body("bad gateway")
        .expect(4)
        .create_async()
        .await;
    let (http, pacer) = client();
    let err = http
        .send(http.request(Method::GET, &format!("{}/g", server.url())))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(pacer.waits.lock().unwrap().len(), 3);
    down.assert_async().await;
}

#[tokio::test]
async fn retry_after_beyond_the_cap_fails_as_rate_limited() {
    let mut server = mockito::Server::new_async().await;
    let limited = server
        .mock("GET", "/l")
        .with_status(429)
        .with_header("retry-after", "3600")
        .expect(1)
        .create_async()
        .await;
    let (http, pacer) = client();
    let err = http
        .send(http.request(Method::GET, &format!("{}/l", server.url())))
        .await
        .unwrap_err();
    assert!(
        matches!(err, HttpError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
        "{err:?}"
    );
    assert!(pacer.waits.lock().unwrap().is_empty());
    limited.assert_async().await;
}

#[tokio::test]
async fn statuses_map_to_typed_errors_with_redacted_excerpts() {
    let mut server = mockito::Server::new_async().await;
    for (status, path) in [
        (401, "/401"),
        (403, "/403"),
        (404, "/404"),
        (409, "/409"),
        (400, "/400"),
        (500, "/500"),
    ] {
        server
            .mock("GET", path)
            .with_status(status)
            .with_body(r#"{"message":"nope","access_token":"LEAKED-TOKEN"}"#)
            .create_async()
            .await;
    }
    let (http, _) = client();
    let get = |p: &str| http.send(http.request(Method::GET, &format!("{}{p}", server.url())));
    let e401 = get("/401").await.unwrap_err();
    assert!(matches!(e401, HttpError::Auth { status: 401, .. }));
    assert!(matches!(
        get("/403").await.unwrap_err(),
        HttpError::Auth { status: 403, .. }
    ));
    assert!(matches!(
        get("/404").await.unwrap_err(),
        HttpError::NotFound { .. }
    ));
    assert!(matches!(
        get("/409").await.unwrap_err(),
        HttpError::Conflict { .. }
    ));
    assert!(matches!(
        get("/400").await.unwrap_err(),
        HttpError::Rejected { status: 400, .. }
    ));
    assert!(matches!(
        get("/500").await.unwrap_err(),
        HttpError::Server { status: 500, .. }
    ));
    let text = e401.to_string();
    assert!(text.contains("nope") && !text.contains("LEAKED"), "{text}");
}

#[tokio::test]
async fn timeout_maps_to_network_error() {
    // A server that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let holder = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_secs(3));
        drop(stream);
    });
    let (http, _) = client_with(HttpConfig {
        total_timeout: Duration::from_millis(300),
        ..HttpConfig::default()
    });
    let err = http
        .send(http.request(Method::POST, &format!("http://{addr}/t")))
        .await
        .unwrap_err();
    match err {
        HttpError::Network { reason } => assert!(reason.contains("timed out"), "{reason}"),
        other => panic!("expected a network error, got {other:?}"),
    }
    holder.join().unwrap();
}

#[tokio::test]
async fn connection_refused_is_retried_then_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (http, pacer) = client();
    let err = http
        .send(http.request(Method::GET, &format!("http://127.0.0.1:{port}/x")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, HttpError::Network { reason } if reason.starts_with("could not connect")),
        "{err:?}"
    );
    assert_eq!(pacer.waits.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn oversized_bodies_are_rejected() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/big")
        .with_body(vec![b'a'; 4096])
        .create_async()
        .await;
    server
        .mock("GET", "/chunked")
        .with_chunked_body(|w| {
            for _ in 0..8 {
                w.write_all(&[b'b'; 1024])?;
            }
            Ok(())
        })
        .create_async()
        .await;
    server
        .mock("GET", "/small")
        .with_body(vec![b'c'; 1000])
        .create_async()
        .await;
    let (http, _) = client_with(HttpConfig {
        max_body_bytes: 2048,
        ..HttpConfig::default()
    });
    for path in ["/big", "/chunked"] {
        let err = http
            .send(http.request(Method::GET, &format!("{}{path}", server.url())))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, HttpError::InvalidResponse { reason } if reason.contains("2048")),
            "{path}: {err:?}"
        );
    }
    let ok = http
        .send(http.request(Method::GET, &format!("{}/small", server.url())))
        .await
        .unwrap();
    assert_eq!(ok.body.len(), 1000);
}

#[tokio::test]
async fn logs_never_carry_authorization_or_query_secrets() {
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    let buf = Buf::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(buf.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", mockito::Matcher::Any)
        .with_status(503)
        .create_async()
        .await;
    let (http, _) = client();
    let _ = http
        .send(
            http.request(
                Method::GET,
                &format!("{}/x?code=SECRET-CODE&state=ok", server.url()),
            )
            .bearer_auth("SECRET-BEARER"),
        )
        .await;
    let logged = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("retrying"), "logs were written: {logged}");
    assert!(!logged.contains("SECRET"), "{logged}");
}
