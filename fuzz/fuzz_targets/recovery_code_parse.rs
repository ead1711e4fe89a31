//! `RecoveryCode::parse` on arbitrary strings: never panics; anything it accepts displays as
//! `XXXX-XXXX-XXXX-XXXX` over the Crockford alphabet and parses back to itself (items 30, 33).
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofa_core::RecoveryCode;

const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fuzz_target!(|input: &str| {
    let Ok(code) = RecoveryCode::parse(input) else {
        return;
    };
    let shown = code.display();
    assert_eq!(shown.len(), 19, "{input:?} -> {shown:?}");
    for (i, b) in shown.bytes().enumerate() {
        if i % 5 == 4 {
            assert_eq!(b, b'-', "{shown:?}");
        } else {
            assert!(CROCKFORD.contains(&b), "{shown:?}");
        }
    }
    // Only ASCII letters, digits, dashes and spaces can have been accepted.
    assert!(input
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' '));
    let again = RecoveryCode::parse(&shown).expect("display form parses");
    assert_eq!(again, code, "display form is a different code");
    let lower = RecoveryCode::parse(&shown.to_ascii_lowercase()).expect("lower case parses");
    assert_eq!(lower, code);
});
