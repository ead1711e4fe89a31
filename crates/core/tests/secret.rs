//! `Secret`: generation, base32 form, tolerant parsing of typed keys, and redaction.

mod common;

use twofa_core::{Secret, SecretError};

const SEED20: &[u8] = b"12345678901234567890";
const SEED32: &[u8] = b"12345678901234567890123456789012";

#[test]
fn generated_secret_is_160_bits_as_32_upper_case_base32_chars() {
    let mut rng = common::rng(2);
    let a = Secret::generate(&mut rng);
    let b = Secret::generate(&mut rng);
    assert_eq!(a.expose_bytes().len(), 20);
    let text = a.to_base32();
    assert_eq!(text.len(), 32);
    assert!(
        text.bytes().all(|c| matches!(c, b'A'..=b'Z' | b'2'..=b'7')),
        "{text}"
    );
    assert_ne!(a, b);
    assert_ne!(a.expose_bytes(), b.expose_bytes());
}

#[test]
fn rfc_seed_encodes_to_the_known_base32() {
    let s = Secret::from_bytes(SEED20).unwrap();
    assert_eq!(s.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(s.grouped(), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
}

#[test]
fn typed_keys_tolerate_case_spaces_and_padding() {
    for input in [
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
        "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
        " gezd gnbv Gy3t qojq gezd gnbv gy3t qojq ",
    ] {
        assert_eq!(
            Secret::parse_base32(input).unwrap().expose_bytes(),
            SEED20,
            "{input:?}"
        );
    }
    let padded = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====";
    assert_eq!(Secret::parse_base32(padded).unwrap().expose_bytes(), SEED32);
    let unpadded = padded.trim_end_matches('=');
    assert_eq!(
        Secret::parse_base32(unpadded).unwrap().expose_bytes(),
        SEED32
    );
}

#[test]
fn malformed_typed_keys_are_refused() {
    let bad = [
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1",       // '1' is not RFC 4648
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ0",       // nor '0'
        "GEZDGNBVGY3TQOJQ-GEZDGNBVGY3TQOJQ",      // dashes are not ignored
        "GEZDGNBVGY3TQOJQ\tGEZDGNBVGY3TQOJQ",     // only U+0020 is ignored
        "GEZDGNBVGY3TQOJQ=GEZDGNBVGY3TQOJQ",      // padding in the middle
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA==", // padding not completing the group
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQG",      // 33 chars: 1 mod 8 is impossible
        "ＧＥＺＤGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",   // full-width letters
    ];
    for input in bad {
        assert_eq!(
            Secret::parse_base32(input),
            Err(SecretError::InvalidBase32),
            "{input:?}"
        );
    }
    assert_eq!(
        Secret::parse_base32(&"A".repeat(10_000)),
        Err(SecretError::InvalidBase32)
    );
}

#[test]
fn key_length_must_be_128_to_512_bits() {
    // The Key Uri Format example secret is only 80 bits.
    assert_eq!(
        Secret::parse_base32("JBSWY3DPEHPK3PXP"),
        Err(SecretError::InvalidLength)
    );
    assert_eq!(Secret::parse_base32(""), Err(SecretError::InvalidLength));
    assert_eq!(
        Secret::from_bytes(&[7; 15]),
        Err(SecretError::InvalidLength)
    );
    assert_eq!(
        Secret::from_bytes(&[7; 65]),
        Err(SecretError::InvalidLength)
    );
    assert!(Secret::from_bytes(&[7; 16]).is_ok());
    assert!(Secret::from_bytes(&[7; 64]).is_ok());
}

#[test]
fn grouped_form_parses_back() {
    let s = Secret::generate(&mut common::rng(3));
    let grouped = s.grouped();
    assert_eq!(grouped.len(), 39);
    assert_eq!(grouped.split(' ').count(), 8);
    assert_eq!(Secret::parse_base32(&grouped).unwrap(), s);
}

#[test]
fn debug_never_prints_the_secret() {
    let s = Secret::from_bytes(SEED20).unwrap();
    let shown = format!("{s:?} {s:#?}");
    assert_eq!(format!("{s:?}"), "Secret(..)");
    assert!(!shown.contains("GEZD") && !shown.contains("49") && !shown.contains("1234"));
}
