//! AES-256-GCM with a fresh random 96-bit nonce per seal. The only place in
//! the crate that touches the cipher.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use zeroize::Zeroizing;

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 12;

pub type KeyBytes = Zeroizing<[u8; KEY_LEN]>;

/// A fresh random 256-bit key from the OS generator.
pub fn random_key() -> KeyBytes {
    let key = Aes256Gcm::generate_key(&mut OsRng);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    out.copy_from_slice(&key);
    out
}

/// Encrypts `plaintext` bound to `aad`; returns (ciphertext+tag, nonce).
pub fn seal(key: &[u8; KEY_LEN], aad: &[u8], plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        // Encryption fails only for inputs longer than 64 GiB.
        .expect("AES-GCM encryption of a small buffer cannot fail");
    (ciphertext, nonce.to_vec())
}

/// Decrypts; `None` when the key, nonce, AAD or ciphertext do not match.
pub fn open(
    key: &[u8; KEY_LEN],
    aad: &[u8],
    ciphertext: &[u8],
    nonce: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if nonce.len() != NONCE_LEN {
        return None;
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_mismatch_fails() {
        let key = random_key();
        let (ct, nonce) = seal(&key, b"row-1", b"secret");
        assert_eq!(
            open(&key, b"row-1", &ct, &nonce).unwrap().as_slice(),
            b"secret"
        );
        assert!(open(&key, b"row-2", &ct, &nonce).is_none(), "other AAD");
        assert!(
            open(&random_key(), b"row-1", &ct, &nonce).is_none(),
            "other key"
        );
        let mut flipped = ct.clone();
        flipped[0] ^= 1;
        assert!(
            open(&key, b"row-1", &flipped, &nonce).is_none(),
            "flipped byte"
        );
        assert!(
            open(&key, b"row-1", &ct, &nonce[..8]).is_none(),
            "short nonce"
        );
    }

    #[test]
    fn nonces_are_fresh() {
        let key = random_key();
        let (a, na) = seal(&key, b"", b"same");
        let (b, nb) = seal(&key, b"", b"same");
        assert_ne!(na, nb);
        assert_ne!(a, b);
    }
}
