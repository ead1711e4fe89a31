//! `otpauth_uri` and `qr_svg` with arbitrary issuer and account strings: never panic; the URI
//! keeps exactly one literal `:` in its label, no raw space, `+`, `&`, `#` or `?` in the label,
//! fixed SHA1/6/30 parameters, and the QR encoder either fits it or says it is too long.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use twofa_core::{otpauth_uri, qr_svg, Secret};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    issuer: &'a str,
    account: &'a str,
    key: [u8; 20],
}

fuzz_target!(|input: Input<'_>| {
    let secret = Secret::from_bytes(&input.key).expect("20 bytes is a valid key");
    let uri = otpauth_uri(input.issuer, input.account, &secret);
    let rest = uri
        .strip_prefix("otpauth://totp/")
        .expect("scheme and type");
    let (label, query) = rest.split_once('?').expect("one query separator");
    assert_eq!(label.matches(':').count(), 1, "{uri}");
    assert!(!label.contains([' ', '+', '&', '#', '/']), "{uri}");
    assert!(!query.contains(['?', '#', ' ']), "{uri}");
    assert!(
        query.ends_with("&algorithm=SHA1&digits=6&period=30"),
        "{uri}"
    );
    assert_eq!(
        query.matches('&').count(),
        4,
        "a field leaked into the query: {uri}"
    );
    assert!(uri.is_ascii());
    if let Ok(svg) = qr_svg(&uri) {
        assert!(svg.starts_with("<?xml"));
        assert!(svg.ends_with("</svg>\n"));
    }
    // Arbitrary text, not only URIs, must not panic the QR encoder either.
    let _ = qr_svg(input.account);
});
