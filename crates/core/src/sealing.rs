//! TOTP secrets at rest: XChaCha20-Poly1305 (random 24-byte nonces are safe) with the user id
//! in the associated data, so a blob copied to another user's row fails to open (item 37).

use chacha20poly1305::aead::{Aead, AeadInOut, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::SealError;
use crate::secret::Secret;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const CHECK_PLAINTEXT: &[u8] = b"twofa key check v1";
const CHECK_AAD: &[u8] = b"twofa-check-v1";

/// An AEAD key for sealing TOTP secrets; the key comes from configuration, never the DB.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    key_id: String,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SecretBox {
    /// A box for the 32-byte key.
    pub fn new(mut key: [u8; 32]) -> Self {
        let mut digest = Sha256::new();
        digest.update(b"twofa key id v1");
        digest.update(key);
        let key_id = hex::encode(&digest.finalize()[..8]);
        let cipher = XChaCha20Poly1305::new(&Key::from(key));
        key.zeroize();
        SecretBox { cipher, key_id }
    }

    /// 16 hex characters of SHA-256("twofa key id v1" || key): names the key for rotation,
    /// reveals nothing about it.
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    /// `nonce(24) || ciphertext+tag` of the secret, bound to `user_id`.
    pub fn seal<R: CryptoRng + RngCore>(
        &self,
        user_id: i64,
        secret: &Secret,
        rng: &mut R,
    ) -> Vec<u8> {
        self.seal_raw(user_aad(user_id).as_bytes(), secret.expose_bytes(), rng)
    }

    /// Opens a blob sealed for `user_id`; fails on a wrong key, wrong user or tampering.
    pub fn open(&self, user_id: i64, blob: &[u8]) -> Result<Secret, SealError> {
        let plain = self.open_raw(user_aad(user_id).as_bytes(), blob)?;
        Secret::from_bytes(&plain).map_err(|_| SealError::InvalidSecret)
    }

    /// A sealed known plaintext, stored once so that startup can detect a wrong key.
    pub fn check_value<R: CryptoRng + RngCore>(&self, rng: &mut R) -> Vec<u8> {
        self.seal_raw(CHECK_AAD, CHECK_PLAINTEXT, rng)
    }

    /// Whether `blob` is a check value made with this key.
    pub fn verify_check_value(&self, blob: &[u8]) -> bool {
        match self.open_raw(CHECK_AAD, blob) {
            Ok(plain) => plain.as_slice().ct_eq(CHECK_PLAINTEXT).into(),
            Err(_) => false,
        }
    }

    fn seal_raw<R: CryptoRng + RngCore>(&self, aad: &[u8], plain: &[u8], rng: &mut R) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let nonce = XNonce::from(nonce);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plain, aad })
            .expect("XChaCha20-Poly1305 accepts messages far larger than a TOTP secret");
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(nonce.as_slice());
        blob.extend_from_slice(&sealed);
        blob
    }

    fn open_raw(&self, aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Malformed)?;
        // Decrypt in a buffer that is wiped on drop, so no plaintext copy lingers.
        let mut buffer = Zeroizing::new(sealed.to_vec());
        self.cipher
            .decrypt_in_place(&nonce, aad, &mut *buffer)
            .map_err(|_| SealError::Unauthentic)?;
        Ok(buffer)
    }
}

fn user_aad(user_id: i64) -> String {
    format!("twofa-totp-v1:{user_id}")
}
