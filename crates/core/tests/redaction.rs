//! `Debug` output of every public type a secret passes through: a planted
//! secret must never appear (a `{:?}` in a log line or a panic message
//! would otherwise print it).

use std::sync::Arc;
use std::time::Duration;

use ibridge_core::connections::NewConnection;
use ibridge_core::oauth::tokens::TokenSet;
use ibridge_core::providers::AuthHeader;
use ibridge_core::vault::{KeyConfig, NoKeychain};
use ibridge_core::SecretString;

const PLANT: &str = "PLANTED-s3cret-value";

fn assert_redacted(what: &str, debug: String) {
    assert!(!debug.contains(PLANT), "{what} prints the secret: {debug}");
    assert!(
        !debug.contains("s3cret"),
        "{what} prints part of it: {debug}"
    );
}

#[test]
fn no_debug_output_carries_a_secret() {
    assert_redacted(
        "AuthHeader::Basic",
        format!(
            "{:?}",
            AuthHeader::Basic {
                username: "svc".into(),
                password: SecretString::from(PLANT),
            }
        ),
    );
    assert_redacted(
        "AuthHeader::Bearer",
        format!("{:?}", AuthHeader::Bearer(SecretString::from(PLANT))),
    );
    assert_redacted(
        "TokenSet",
        format!(
            "{:?}",
            TokenSet {
                access_token: SecretString::from(PLANT),
                refresh_token: Some(SecretString::from(PLANT)),
                expires_in: Some(Duration::from_secs(60)),
                scopes: vec!["offline_access".into()],
            }
        ),
    );
    let keys = KeyConfig {
        passphrase: Some(SecretString::from(PLANT)),
        keychain: Arc::new(NoKeychain),
    };
    let shown = format!("{keys:?}");
    assert_redacted("KeyConfig", shown.clone());
    assert!(shown.contains("[redacted]"), "{shown}");
    assert_redacted(
        "NewConnection",
        format!(
            "{:?}",
            NewConnection {
                name: "a".into(),
                secret: Some(SecretString::from(PLANT)),
                client_secret: Some(SecretString::from(PLANT)),
                ..NewConnection::default()
            }
        ),
    );
}
