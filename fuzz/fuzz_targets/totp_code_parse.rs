//! `TotpCode::parse` on arbitrary strings: never panics, and whatever it accepts is exactly
//! six ASCII digits that came from the input once U+0020 spaces are removed (items 4, 58).
#![no_main]

use libfuzzer_sys::fuzz_target;
use twofa_core::TotpCode;

fuzz_target!(|input: &str| {
    let Ok(code) = TotpCode::parse(input) else {
        return;
    };
    let digits = code.as_str();
    assert_eq!(digits.len(), 6, "accepted {input:?} as {digits:?}");
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{input:?}");
    let without_spaces: String = input.chars().filter(|c| *c != ' ').collect();
    assert_eq!(
        digits, without_spaces,
        "normalisation beyond dropping spaces"
    );
    // Parsing the canonical form again gives the same code.
    assert_eq!(
        TotpCode::parse(digits)
            .expect("canonical form parses")
            .as_str(),
        digits
    );
});
