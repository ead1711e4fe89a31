//! The TOTP code input rule (checklist items 4 and 58): after removing U+0020 spaces, exactly
//! six ASCII digits; everything else is a format error before any HMAC.

use twofa_core::{CodeFormatError, TotpCode};

#[test]
fn bad_inputs_are_format_errors() {
    let long = "1".repeat(10_000);
    let bad: &[&str] = &[
        "+81804",
        "81804",
        "5924",
        "+5924",
        "1234567",
        "１２３４５６", // full-width
        "١٢٣٤٥٦",       // Arabic-Indic
        "१२३४५६",       // Devanagari
        "123\t456",
        "\t123456",
        "123\u{a0}456",   // NBSP
        "123\u{200b}456", // zero-width space
        "123456\n",
        "\n123456",
        "123-456",
        "12345a",
        "-12345",
        " 12345 ",
        "",
        "      ",
        &long,
    ];
    for input in bad {
        assert!(
            TotpCode::parse(input).is_err(),
            "accepted {:?}",
            input.escape_debug().to_string()
        );
    }
}

#[test]
fn each_error_names_the_failure() {
    assert_eq!(
        TotpCode::parse("1".repeat(10_000).as_str()),
        Err(CodeFormatError::TooLong)
    );
    assert_eq!(TotpCode::parse("81804"), Err(CodeFormatError::WrongLength));
    assert_eq!(TotpCode::parse(""), Err(CodeFormatError::WrongLength));
    assert_eq!(
        TotpCode::parse("+81804"),
        Err(CodeFormatError::InvalidCharacter)
    );
    assert_eq!(
        TotpCode::parse("１２３４５６"),
        Err(CodeFormatError::InvalidCharacter)
    );
}

#[test]
fn spaces_are_the_only_normalisation() {
    for (input, want) in [
        ("123456", "123456"),
        ("123 456", "123456"),
        (" 123456 ", "123456"),
        ("081804", "081804"),
        ("005924", "005924"),
        ("0 0 5 9 2 4", "005924"),
    ] {
        assert_eq!(TotpCode::parse(input).unwrap().as_str(), want, "{input:?}");
    }
}

#[test]
fn debug_does_not_print_the_code() {
    let code = TotpCode::parse("081804").unwrap();
    let shown = format!("{code:?}");
    assert!(
        !shown.contains("081804") && !shown.contains("81804"),
        "{shown}"
    );
}
