//! What the core's integration tests share.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ibridge_core::audit::Actor;
use ibridge_core::http::{HttpClient, HttpConfig, NoWaitPacer, RetryPolicy};
use ibridge_core::vault::{KeyConfig, NoKeychain};
use ibridge_core::{Core, OpenOptions, Services};

/// Services over the data directory `dir`, acting as `actor`, whose client
/// gives up after 400 ms (so a delayed answer is a lost one) and paces
/// retries without waiting.
pub fn services(dir: &std::path::Path, actor: Actor) -> Services {
    let core = Core::open(OpenOptions {
        data_dir: Some(dir.to_path_buf()),
        actor,
        keys: KeyConfig {
            passphrase: None,
            keychain: Arc::new(NoKeychain),
        },
    })
    .unwrap();
    let http = HttpClient::with_pacer(
        HttpConfig {
            total_timeout: Duration::from_millis(400),
            retry: RetryPolicy {
                max_attempts: 2,
                ..RetryPolicy::default()
            },
            ..HttpConfig::default()
        },
        Arc::new(NoWaitPacer),
    )
    .unwrap();
    Services::with_http(Arc::new(Mutex::new(core)), http).unwrap()
}
