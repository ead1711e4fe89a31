//! `SecretBox`: XChaCha20-Poly1305 sealing of TOTP secrets bound to the user id.

mod common;

use twofa_core::{SealError, Secret, SecretBox};

#[test]
fn seal_then_open_gives_the_secret_back() {
    let mut rng = common::rng(7);
    let boxed = SecretBox::new([3; 32]);
    let secret = Secret::generate(&mut rng);
    let blob = boxed.seal(42, &secret, &mut rng);
    // nonce 24 + ciphertext 20 + tag 16
    assert_eq!(blob.len(), 60);
    assert!(!blob.windows(20).any(|w| w == secret.expose_bytes()));
    assert_eq!(boxed.open(42, &blob).unwrap(), secret);
}

#[test]
fn every_seal_uses_a_fresh_nonce() {
    let mut rng = common::rng(8);
    let boxed = SecretBox::new([3; 32]);
    let secret = Secret::generate(&mut rng);
    let a = boxed.seal(1, &secret, &mut rng);
    let b = boxed.seal(1, &secret, &mut rng);
    assert_ne!(a[..24], b[..24]);
    assert_ne!(a, b);
}

#[test]
fn wrong_key_wrong_user_or_tampering_fail() {
    let mut rng = common::rng(9);
    let boxed = SecretBox::new([3; 32]);
    let secret = Secret::generate(&mut rng);
    let blob = boxed.seal(42, &secret, &mut rng);
    assert_eq!(
        SecretBox::new([4; 32]).open(42, &blob),
        Err(SealError::Unauthentic)
    );
    assert_eq!(boxed.open(43, &blob), Err(SealError::Unauthentic));
    assert_eq!(boxed.open(-42, &blob), Err(SealError::Unauthentic));
    for i in [0, 23, 24, 43, 59] {
        let mut tampered = blob.clone();
        tampered[i] ^= 1;
        assert_eq!(
            boxed.open(42, &tampered),
            Err(SealError::Unauthentic),
            "byte {i}"
        );
    }
    assert_eq!(boxed.open(42, &blob[..39]), Err(SealError::Malformed));
    assert_eq!(boxed.open(42, &[]), Err(SealError::Malformed));
}

#[test]
fn key_id_is_16_hex_chars_of_the_domain_separated_hash() {
    // Python: hashlib.sha256(b"twofa key id v1" + bytes([3]*32)).hexdigest()[:16]
    assert_eq!(SecretBox::new([3; 32]).key_id(), "489b4f80dd2bd1b4");
    assert_ne!(SecretBox::new([4; 32]).key_id(), "489b4f80dd2bd1b4");
}

#[test]
fn check_value_detects_a_wrong_key() {
    let mut rng = common::rng(10);
    let boxed = SecretBox::new([3; 32]);
    let check = boxed.check_value(&mut rng);
    assert!(boxed.verify_check_value(&check));
    assert!(!SecretBox::new([4; 32]).verify_check_value(&check));
    assert!(!boxed.verify_check_value(&check[..30]));
    // A check value is not a user's sealed secret, and the other way round.
    assert!(boxed.open(0, &check).is_err());
    let sealed = boxed.seal(0, &Secret::generate(&mut rng), &mut rng);
    assert!(!boxed.verify_check_value(&sealed));
}

#[test]
fn debug_shows_only_the_key_id() {
    let shown = format!("{:?}", SecretBox::new([3; 32]));
    assert!(shown.contains("489b4f80dd2bd1b4"), "{shown}");
    assert!(!shown.contains("3, 3"), "{shown}");
}
