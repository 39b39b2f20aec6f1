//! The vault against real SQLite files in a temporary data directory:
//! key sources, rotation, and tampering with stored rows.

use std::path::Path;
use std::sync::Arc;

use ibridge_core::audit::Actor;
use ibridge_core::connections::{CredentialKind, NewConnection};
use ibridge_core::vault::{
    KeyConfig, Keychain, KeychainError, MemoryKeychain, NoKeychain, VaultError,
};
use ibridge_core::{Core, Error, ErrorKind, OpenOptions, SecretString};
use rusqlite::Connection;

fn open(dir: &Path, keys: KeyConfig) -> Core {
    Core::open(OpenOptions {
        data_dir: Some(dir.to_path_buf()),
        actor: Actor::Cli,
        keys,
    })
    .unwrap()
}

fn keyfile_only() -> KeyConfig {
    KeyConfig {
        passphrase: None,
        keychain: Arc::new(NoKeychain),
    }
}

fn with_passphrase(p: &str) -> KeyConfig {
    KeyConfig {
        passphrase: Some(SecretString::from(p)),
        keychain: Arc::new(NoKeychain),
    }
}

fn ado(name: &str, pat: &str) -> NewConnection {
    NewConnection {
        provider: "azure_devops".into(),
        name: name.into(),
        url: "https://dev.azure.com/contoso".into(),
        auth: "pat".into(),
        project: Some("Ops".into()),
        secret: Some(pat.into()),
        ..NewConnection::default()
    }
}

fn db(dir: &Path) -> Connection {
    Connection::open(dir.join("ibridge.sqlite3")).unwrap()
}

fn key_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("master-") && n.ends_with(".key"))
        .collect();
    names.sort();
    names
}

#[test]
fn without_a_keychain_the_key_goes_to_a_0600_file_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = open(dir.path(), keyfile_only());
    assert!(
        core.take_notices().is_empty(),
        "nothing announced before a secret is needed"
    );
    core.add_connection(ado("a", "pat-one")).unwrap();
    let notices = core.take_notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("master-") && notices[0].contains("0600"),
        "{}",
        notices[0]
    );
    let files = key_files(dir.path());
    assert_eq!(files.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(&files[0]))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
    }
    drop(core);
    let mut again = open(dir.path(), keyfile_only());
    assert_eq!(
        again
            .open_credential("a", CredentialKind::Pat, "test")
            .unwrap()
            .expose(),
        "pat-one"
    );
    assert!(
        again.take_notices().is_empty(),
        "announced only when created"
    );
}

#[test]
fn keychain_holds_the_key_when_available() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(MemoryKeychain::default());
    let keys = KeyConfig {
        passphrase: None,
        keychain: keychain.clone(),
    };
    let mut core = open(dir.path(), keys.clone());
    core.add_connection(ado("a", "pat-kc")).unwrap();
    assert!(core.take_notices().is_empty());
    assert!(
        key_files(dir.path()).is_empty(),
        "no key file when the keychain works"
    );
    assert_eq!(keychain.len(), 1);
    drop(core);

    let mut again = open(dir.path(), keys);
    assert_eq!(
        again
            .open_credential("a", CredentialKind::Pat, "t")
            .unwrap()
            .expose(),
        "pat-kc"
    );

    // The same database with a keychain that lost the entry.
    let mut lost = open(
        dir.path(),
        KeyConfig {
            passphrase: None,
            keychain: Arc::new(MemoryKeychain::default()),
        },
    );
    let err = lost
        .open_credential("a", CredentialKind::Pat, "t")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AuthNeeded, "{err}");
    assert!(err.to_string().contains("keychain"), "{err}");

    // And with no keychain reachable at all.
    let mut headless = open(dir.path(), keyfile_only());
    let err = headless
        .open_credential("a", CredentialKind::Pat, "t")
        .unwrap_err();
    assert!(
        matches!(err, Error::Vault(VaultError::KeychainUnavailable(_))),
        "{err}"
    );
}

#[test]
fn passphrase_vault_needs_the_right_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = open(dir.path(), with_passphrase("correct horse"));
    core.add_connection(ado("a", "pat-pp")).unwrap();
    assert!(key_files(dir.path()).is_empty());
    drop(core);

    let mut wrong = open(dir.path(), with_passphrase("wrong horse"));
    let err = wrong
        .open_credential("a", CredentialKind::Pat, "t")
        .unwrap_err();
    assert!(
        matches!(err, Error::Vault(VaultError::WrongKey(_))),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::AuthNeeded);

    let mut missing = open(dir.path(), keyfile_only());
    let err = missing
        .open_credential("a", CredentialKind::Pat, "t")
        .unwrap_err();
    assert!(err.to_string().contains("IBRIDGE_MASTER_KEY"), "{err}");

    let mut right = open(dir.path(), with_passphrase("correct horse"));
    assert_eq!(
        right
            .open_credential("a", CredentialKind::Pat, "t")
            .unwrap()
            .expose(),
        "pat-pp"
    );
}

#[test]
fn a_passphrase_does_not_silently_replace_another_key_source() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path(), keyfile_only())
        .add_connection(ado("a", "p"))
        .unwrap();
    let mut core = open(dir.path(), with_passphrase("something"));
    let err = core
        .open_credential("a", CredentialKind::Pat, "t")
        .unwrap_err();
    assert!(
        matches!(err, Error::Vault(VaultError::PassphraseNotUsed(_))),
        "{err}"
    );
}

fn ciphertexts(dir: &Path) -> Vec<(String, Vec<u8>, i64)> {
    let conn = db(dir);
    let mut stmt = conn
        .prepare("SELECT id, ciphertext, key_version FROM credentials ORDER BY id")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn rotation_round_trip(keys: KeyConfig, expect_key_file: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut core = open(dir.path(), keys.clone());
    core.add_connection(ado("a", "pat-a")).unwrap();
    core.add_connection(ado("b", "pat-b")).unwrap();
    let before = ciphertexts(dir.path());
    let files_before = key_files(dir.path());
    let report = core.rotate_vault().unwrap();
    assert_eq!(
        (report.resealed, report.old_version, report.new_version),
        (2, 1, 2)
    );
    let after = ciphertexts(dir.path());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b.0, a.0);
        assert_ne!(b.1, a.1, "re-sealed");
        assert_eq!(a.2, 2);
    }
    let files_after = key_files(dir.path());
    if expect_key_file {
        assert_eq!(files_after.len(), 1, "old key file removed");
        assert_ne!(files_before, files_after, "new key file");
    }
    drop(core);
    let mut again = open(dir.path(), keys);
    assert_eq!(
        again
            .open_credential("a", CredentialKind::Pat, "t")
            .unwrap()
            .expose(),
        "pat-a"
    );
    assert_eq!(
        again
            .open_credential("b", CredentialKind::Pat, "t")
            .unwrap()
            .expose(),
        "pat-b"
    );
    let rotations: i64 = db(dir.path())
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'vault.rotate' AND outcome = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rotations, 1);
}

#[test]
fn rotation_round_trip_with_key_file() {
    rotation_round_trip(keyfile_only(), true);
}

#[test]
fn rotation_round_trip_with_passphrase() {
    rotation_round_trip(with_passphrase("pass phrase"), false);
}

#[test]
fn rotation_round_trip_with_keychain() {
    let keychain = Arc::new(MemoryKeychain::default());
    rotation_round_trip(
        KeyConfig {
            passphrase: None,
            keychain: keychain.clone(),
        },
        false,
    );
    assert_eq!(keychain.len(), 1, "old keychain entry removed");
}

#[test]
fn a_failed_rotation_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = open(dir.path(), keyfile_only());
    core.add_connection(ado("a", "pat-a")).unwrap();
    core.add_connection(ado("b", "pat-b")).unwrap();
    db(dir.path())
        .execute(
            "UPDATE credentials SET ciphertext = zeroblob(length(ciphertext)) WHERE connection_id = (SELECT id FROM integration_config WHERE display_name = 'b')",
            [],
        )
        .unwrap();
    let before = ciphertexts(dir.path());
    let files = key_files(dir.path());
    let err = core.rotate_vault().unwrap_err();
    assert!(
        matches!(err, Error::Vault(VaultError::Tampered { .. })),
        "{err}"
    );
    assert_eq!(ciphertexts(dir.path()), before);
    assert_eq!(
        key_files(dir.path()),
        files,
        "the new key file was discarded"
    );
    drop(core);
    let mut again = open(dir.path(), keyfile_only());
    assert_eq!(
        again
            .open_credential("a", CredentialKind::Pat, "t")
            .unwrap()
            .expose(),
        "pat-a"
    );
}

fn tamper_then_open(sql: &str) -> Error {
    tamper_with(|conn| conn.execute_batch(sql).unwrap())
}

fn tamper_with(tamper: impl FnOnce(&Connection)) -> Error {
    let dir = tempfile::tempdir().unwrap();
    let mut core = open(dir.path(), keyfile_only());
    core.add_connection(ado("a", "pat-a")).unwrap();
    core.add_connection(ado("b", "pat-b")).unwrap();
    tamper(&db(dir.path()));
    let err = core
        .open_credential("a", CredentialKind::Pat, "t")
        .unwrap_err();
    let failed: String = db(dir.path())
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'credential.open' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        failed.contains("reason="),
        "the failed open is audited: {failed}"
    );
    err
}

const A: &str = "(SELECT id FROM integration_config WHERE display_name = 'a')";
const B: &str = "(SELECT id FROM integration_config WHERE display_name = 'b')";

#[test]
fn flipped_byte_fails_clearly() {
    let err = tamper_with(|conn| {
        let sql = format!("SELECT ciphertext FROM credentials WHERE connection_id = {A}");
        let mut blob: Vec<u8> = conn.query_row(&sql, [], |r| r.get(0)).unwrap();
        blob[3] ^= 0x01;
        conn.execute(
            &format!("UPDATE credentials SET ciphertext = ?1 WHERE connection_id = {A}"),
            [blob],
        )
        .unwrap();
    });
    assert!(
        matches!(err, Error::Vault(VaultError::Tampered { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("failed to decrypt"), "{err}");
}

#[test]
fn swapped_rows_fail_clearly() {
    let err = tamper_then_open(&format!(
        "CREATE TEMP TABLE t AS SELECT connection_id, ciphertext, nonce FROM credentials;
         UPDATE credentials SET ciphertext = (SELECT ciphertext FROM t WHERE connection_id = {B}),
                                nonce = (SELECT nonce FROM t WHERE connection_id = {B}) WHERE connection_id = {A};
         UPDATE credentials SET ciphertext = (SELECT ciphertext FROM t WHERE connection_id = {A}),
                                nonce = (SELECT nonce FROM t WHERE connection_id = {A}) WHERE connection_id = {B};"
    ));
    assert!(
        matches!(err, Error::Vault(VaultError::Tampered { .. })),
        "{err}"
    );
}

#[test]
fn changed_key_version_fails_clearly() {
    let err = tamper_then_open(&format!(
        "UPDATE credentials SET key_version = 7 WHERE connection_id = {A};"
    ));
    assert!(
        matches!(
            err,
            Error::Vault(VaultError::KeyVersionMismatch {
                found: 7,
                current: 1,
                ..
            })
        ),
        "{err}"
    );
}

#[test]
fn every_credential_use_is_audited_without_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut core = open(dir.path(), keyfile_only());
    core.add_connection(ado("a", "PLANTED-pat-42")).unwrap();
    core.open_credential("a", CredentialKind::Pat, "connection test")
        .unwrap();
    let entries = core.audit_list(10).unwrap();
    assert_eq!(entries[0].action, "credential.open");
    assert!(
        entries[0].detail.contains("purpose=connection test"),
        "{}",
        entries[0].detail
    );
    assert!(entries[0].detail.contains("fp=sha256:"));
    assert_eq!(entries[1].action, "connection.add");
    for e in &entries {
        assert!(!e.detail.contains("PLANTED"));
    }
    assert_eq!(core.audit_verify().unwrap().entries, 2);
}

#[test]
fn memory_keychain_is_a_real_store() {
    let k = MemoryKeychain::default();
    k.set("x", "1").unwrap();
    assert_eq!(k.get("x").unwrap().unwrap().as_str(), "1");
    k.delete("x").unwrap();
    assert!(k.get("x").unwrap().is_none());
}

fn stored_fingerprints(dir: &Path) -> Vec<String> {
    let conn = db(dir);
    let mut stmt = conn
        .prepare("SELECT fingerprint FROM credentials ORDER BY id")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

/// A stolen database must not let anyone test password guesses against
/// the fingerprints: they are keyed HMACs, not SHA-256(salt ‖ secret) with
/// the salt beside them.
#[test]
fn fingerprints_cannot_be_recomputed_from_the_database_and_change_on_rotation() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let mut core = open(dir.path(), keyfile_only());
    core.add_connection(ado("a", "Summer2026!")).unwrap();
    let salt: Vec<u8> = db(dir.path())
        .query_row("SELECT fingerprint_salt FROM vault_meta", [], |r| r.get(0))
        .unwrap();
    let mut guess = Sha256::new();
    guess.update(&salt);
    guess.update(b"Summer2026!");
    let offline_guess = hex::encode(guess.finalize());
    let before = stored_fingerprints(dir.path());
    assert_ne!(before[0], offline_guess, "the right guess must not match");
    let shown = core.show_connection("a").unwrap().credentials[0]
        .fingerprint
        .clone();
    assert_eq!(shown, format!("sha256:{}", &before[0][..12]));

    core.rotate_vault().unwrap();
    let after = stored_fingerprints(dir.path());
    assert_ne!(after, before, "re-computed under the new key");
    assert_eq!(
        core.show_connection("a").unwrap().credentials[0].fingerprint,
        format!("sha256:{}", &after[0][..12])
    );
    // The audit chain was re-sealed under the new key in the same step.
    assert!(core.audit_verify().unwrap().sealed);
}

/// Keeps nothing written after `forget_after` writes: a keychain that says
/// yes and does not store.
struct ForgetfulKeychain {
    inner: MemoryKeychain,
    writes_kept: std::sync::atomic::AtomicUsize,
}

impl Keychain for ForgetfulKeychain {
    fn get(&self, account: &str) -> Result<Option<zeroize::Zeroizing<String>>, KeychainError> {
        self.inner.get(account)
    }
    fn set(&self, account: &str, value: &str) -> Result<(), KeychainError> {
        use std::sync::atomic::Ordering;
        if self.writes_kept.load(Ordering::SeqCst) > 0 {
            self.writes_kept.fetch_sub(1, Ordering::SeqCst);
            self.inner.set(account, value)
        } else {
            Ok(())
        }
    }
    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.inner.delete(account)
    }
}

#[test]
fn a_keychain_that_does_not_keep_the_new_key_does_not_lock_the_vault_out() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(ForgetfulKeychain {
        inner: MemoryKeychain::default(),
        writes_kept: std::sync::atomic::AtomicUsize::new(1),
    });
    let keys = KeyConfig {
        passphrase: None,
        keychain: keychain.clone(),
    };
    let mut core = open(dir.path(), keys.clone());
    core.add_connection(ado("a", "pat-a")).unwrap();
    let before = ciphertexts(dir.path());
    let err = core.rotate_vault().unwrap_err();
    assert!(err.to_string().contains("was not rotated"), "{err}");
    assert_eq!(ciphertexts(dir.path()), before);
    assert_eq!(keychain.inner.len(), 1, "the old key is still there");
    drop(core);
    let mut again = open(dir.path(), keys);
    assert_eq!(
        again
            .open_credential("a", CredentialKind::Pat, "t")
            .unwrap()
            .expose(),
        "pat-a"
    );
}
