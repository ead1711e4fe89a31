//! `Secret::parse_base32` on arbitrary strings: never panics; an accepted key is 16–64 bytes
//! and its canonical base32 form parses back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofa_core::Secret;

fuzz_target!(|input: &str| {
    let Ok(secret) = Secret::parse_base32(input) else {
        return;
    };
    let bytes = secret.expose_bytes();
    assert!((16..=64).contains(&bytes.len()), "{} bytes", bytes.len());
    let canonical = secret.to_base32();
    assert!(!canonical.contains('='));
    let again = Secret::parse_base32(&canonical).expect("canonical form parses");
    assert_eq!(again.expose_bytes(), bytes);
    let grouped = Secret::parse_base32(&secret.grouped()).expect("grouped form parses");
    assert_eq!(grouped.expose_bytes(), bytes);
});
