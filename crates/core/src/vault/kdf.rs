//! Passphrase -> key-encryption key, with Argon2id.
//!
//! Argon2id rather than HKDF: a passphrase is low-entropy, and HKDF does
//! nothing to slow a guessing attack on a stolen database, while Argon2id
//! makes every guess cost memory and time. New vaults use 64 MiB, 3 passes,
//! 1 lane (above OWASP's minimum of 19 MiB / 2 passes); the parameters are
//! stored with the salt, so a vault made with weaker ones is re-keyed with
//! the current ones on its next unlock.

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::cipher::{KeyBytes, KEY_LEN};
use super::VaultError;

pub const SALT_LEN: usize = 16;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl KdfParams {
    /// What the first release used, and what a vault without stored
    /// parameters was made with.
    pub const LEGACY: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        passes: 2,
        lanes: 1,
    };
    /// What new and re-keyed vaults use.
    pub const CURRENT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        passes: 3,
        lanes: 1,
    };
    /// Stored parameters above these are not believed (a database edited
    /// to make every unlock allocate gigabytes).
    const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    const MAX_PASSES: u32 = 64;
    const MAX_LANES: u32 = 16;
}

pub fn derive_key(
    passphrase: &str,
    salt: &[u8],
    params: KdfParams,
) -> Result<KeyBytes, VaultError> {
    let corrupt =
        |why: String| VaultError::Corrupt(format!("the stored Argon2id parameters {why}"));
    if params.memory_kib > KdfParams::MAX_MEMORY_KIB
        || params.passes > KdfParams::MAX_PASSES
        || params.lanes > KdfParams::MAX_LANES
    {
        return Err(corrupt(format!("are out of range ({params:?})")));
    }
    let argon_params = Params::new(
        params.memory_kib,
        params.passes,
        params.lanes,
        Some(KEY_LEN),
    )
    .map_err(|e| corrupt(format!("are invalid ({e})")))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| corrupt(format!("do not fit the salt ({e})")))?;
    Ok(out)
}

pub fn random_salt() -> Vec<u8> {
    use rand::RngCore;
    let mut salt = vec![0u8; SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    salt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(pass: &str, salt: &[u8], params: KdfParams) -> [u8; KEY_LEN] {
        *derive_key(pass, salt, params).unwrap()
    }

    #[test]
    fn same_input_same_key_other_salt_or_params_other_key() {
        let salt = random_salt();
        let p = KdfParams::LEGACY;
        assert_eq!(key("pass", &salt, p), key("pass", &salt, p));
        assert_ne!(key("pass", &salt, p), key("pass", &random_salt(), p));
        assert_ne!(key("pass", &salt, p), key("pasS", &salt, p));
        assert_ne!(
            key("pass", &salt, p),
            key("pass", &salt, KdfParams::CURRENT)
        );
    }

    // Held at compile time: new vaults never fall back to the minimum.
    const _: () = assert!(KdfParams::CURRENT.memory_kib >= 64 * 1024);
    const _: () = assert!(KdfParams::CURRENT.passes >= 3);

    #[test]
    fn absurd_stored_parameters_are_refused_not_obeyed() {
        for params in [
            KdfParams {
                memory_kib: u32::MAX,
                passes: 3,
                lanes: 1,
            },
            KdfParams {
                memory_kib: 64,
                passes: 0,
                lanes: 1,
            },
            KdfParams {
                memory_kib: 64 * 1024,
                passes: 3,
                lanes: 0,
            },
        ] {
            assert!(
                matches!(
                    derive_key("p", &random_salt(), params),
                    Err(VaultError::Corrupt(_))
                ),
                "{params:?}"
            );
        }
    }
}
