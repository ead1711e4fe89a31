//! The provisioning URI (checklist items 8 and 9): exact form, RFC 3986 percent-encoding, and
//! values that a standard URL parser (the `url` crate) reads back unchanged.

use twofa_core::{otpauth_uri, Secret};
use url::Url;

fn rfc_secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

#[test]
fn uri_has_the_exact_expected_form() {
    assert_eq!(
        otpauth_uri("Borg Backup", "alice@example.com", &rfc_secret()),
        "otpauth://totp/Borg%20Backup:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
         &issuer=Borg%20Backup&algorithm=SHA1&digits=6&period=30"
    );
}

/// Percent-decodes a label part; sound only because the raw part has no `+` (asserted).
fn decode(part: &str) -> String {
    assert!(!part.contains('+'), "raw {part:?} contains '+'");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(format!("v={part}").as_bytes())
        .into_owned()
        .collect();
    assert_eq!(pairs.len(), 1, "{part:?} split the query");
    pairs[0].1.clone()
}

#[test]
fn awkward_issuers_and_accounts_parse_back_unchanged() {
    let issuers = [
        "Borg Backup",
        "Borg: Backup & Co #1 + Zoë@home",
        "a:b",
        "Zoë",
    ];
    let accounts = [
        "alice+test@example.com",
        "Jean Dupont",
        "a:b",
        "x&y#z%",
        "Zoë",
        "q?r=s/t",
    ];
    let secret = rfc_secret();
    for issuer in issuers {
        for account in accounts {
            let uri = otpauth_uri(issuer, account, &secret);
            let parsed = Url::parse(&uri).unwrap();
            assert_eq!(parsed.scheme(), "otpauth");
            assert_eq!(parsed.host_str(), Some("totp"));
            assert_eq!(parsed.fragment(), None, "{uri}");

            let label = parsed.path().strip_prefix('/').unwrap();
            for forbidden in [' ', '+', '&', '#', '?', '/'] {
                assert!(!label.contains(forbidden), "{forbidden:?} in label {label}");
            }
            assert_eq!(label.matches(':').count(), 1, "{label}");
            let (raw_issuer, raw_account) = label.split_once(':').unwrap();
            assert_eq!(decode(raw_issuer), issuer);
            assert_eq!(decode(raw_account), account);

            let query: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
            let expected: Vec<(String, String)> = [
                ("secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
                ("issuer", issuer),
                ("algorithm", "SHA1"),
                ("digits", "6"),
                ("period", "30"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            assert_eq!(query, expected, "{uri}");
        }
    }
}

#[test]
fn space_is_percent_20_and_plus_is_percent_2b() {
    let uri = otpauth_uri("A B", "c+d e", &rfc_secret());
    assert!(uri.starts_with("otpauth://totp/A%20B:c%2Bd%20e?"), "{uri}");
    assert!(uri.contains("&issuer=A%20B&"), "{uri}");
    assert!(!uri.contains("counter"));
}

#[test]
fn non_ascii_is_utf8_percent_encoded() {
    let uri = otpauth_uri("Zoë", "Zoë", &rfc_secret());
    assert!(
        uri.starts_with("otpauth://totp/Zo%C3%AB:Zo%C3%AB?"),
        "{uri}"
    );
}
