//! Vault costs: sealing and opening one 64-byte secret, and resolving a
//! credential (read + open + audit append) from a database holding 10,000.
//!
//! Run: `cargo bench -p ibridge-core --bench vault`. Figures are reported in
//! wiki/Architecture.md, never asserted.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use ibridge_core::audit::Actor;
use ibridge_core::connections::{CredentialKind, NewConnection};
use ibridge_core::store;
use ibridge_core::vault::{self, Binding, KeyConfig, NoKeychain};
use ibridge_core::{Core, OpenOptions, SecretString};

const CREDENTIALS: usize = 10_000;

fn keys() -> KeyConfig {
    KeyConfig {
        passphrase: None,
        keychain: Arc::new(NoKeychain),
    }
}

fn seal_and_open(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = store::open_in_memory().unwrap();
    let (vault, _) = vault::unlock(&db, dir.path(), &keys()).unwrap();
    let secret = SecretString::from("x".repeat(64));
    let binding = Binding {
        credential_id: "3f0c6a8e-0000-4000-8000-000000000001",
        connection_id: "3f0c6a8e-0000-4000-8000-000000000002",
        kind: "pat",
    };
    c.bench_function("seal 64-byte secret", |b| {
        b.iter(|| vault.seal(binding, &secret))
    });
    let sealed = vault.seal(binding, &secret);
    c.bench_function("open 64-byte secret", |b| {
        b.iter(|| vault.open(binding, &sealed).unwrap())
    });
}

fn resolve_among_many(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut core = Core::open(OpenOptions {
        data_dir: Some(dir.path().to_path_buf()),
        actor: Actor::Background,
        keys: keys(),
    })
    .unwrap();
    for i in 0..CREDENTIALS {
        core.add_connection(NewConnection {
            provider: "azure_devops".into(),
            name: format!("conn-{i:05}"),
            url: "https://dev.azure.com/bench".into(),
            auth: "pat".into(),
            project: Some("Bench".into()),
            secret: Some(format!("pat-{i:05}-{}", "y".repeat(40)).into()),
            ..NewConnection::default()
        })
        .unwrap();
    }
    let mut i = 0usize;
    c.bench_function(
        "resolve credential among 10,000 (read + open + audit)",
        |b| {
            b.iter(|| {
                i = (i + 7919) % CREDENTIALS;
                core.open_credential(&format!("conn-{i:05}"), CredentialKind::Pat, "benchmark")
                    .unwrap()
            })
        },
    );
}

criterion_group!(benches, seal_and_open, resolve_among_many);
criterion_main!(benches);
