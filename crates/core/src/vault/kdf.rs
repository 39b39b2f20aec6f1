//! Passphrase -> key-encryption key, with Argon2id.
//!
//! Argon2id rather than HKDF: a passphrase is low-entropy, and HKDF does
//! nothing to slow a guessing attack on a stolen database, while Argon2id
//! makes every guess cost memory and time. Parameters follow the OWASP
//! minimum for Argon2id (19 MiB, 2 passes, 1 lane): ~50 ms here, paid once
//! per process.

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::cipher::{KeyBytes, KEY_LEN};

pub const SALT_LEN: usize = 16;
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

pub fn derive_key(passphrase: &str, salt: &[u8]) -> KeyBytes {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, Some(KEY_LEN))
        .expect("constant Argon2 parameters are valid");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .expect("salt length and output length are within Argon2 limits");
    out
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

    #[test]
    fn same_input_same_key_other_salt_other_key() {
        let salt = random_salt();
        assert_eq!(*derive_key("pass", &salt), *derive_key("pass", &salt));
        assert_ne!(
            *derive_key("pass", &salt),
            *derive_key("pass", &random_salt())
        );
        assert_ne!(*derive_key("pass", &salt), *derive_key("pasS", &salt));
    }
}
