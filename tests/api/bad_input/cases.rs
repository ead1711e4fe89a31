//! The bad-input tables: bodies of the wrong shape, type or content type, and codes that are not
//! six ASCII digits, each with the status and error code the contract documents.

use serde_json::{json, Value};

use crate::client::Client;

pub struct Case {
    what: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
}

const JSON: Option<&str> = Some("application/json");

pub fn case(what: &str, body: impl Into<Vec<u8>>, status: u16, code: &'static str) -> Case {
    Case {
        what: what.to_owned(),
        content_type: JSON,
        body: body.into(),
        status,
        code,
    }
}

/// Shape errors for any endpoint, built around one valid body.
pub fn body_cases(valid: &Value) -> Vec<Case> {
    let text = valid.to_string();
    let (first_key, first_value) = valid
        .as_object()
        .expect("object")
        .iter()
        .next()
        .expect("field");
    let duplicate = format!(
        "{},{:?}:{}}}",
        &text[..text.len() - 1],
        first_key,
        first_value
    );
    let mut unknown = valid.clone();
    unknown["is_admin"] = json!(true);
    let one_mb = format!("{{\"{first_key}\":\"{}\"}}", "1".repeat(1 << 20));
    let mut cases = vec![
        case(
            "malformed JSON",
            &text[..text.len() - 1],
            400,
            "invalid_request",
        ),
        case("empty body", "", 400, "invalid_request"),
        case("a JSON string", "\"123456\"", 400, "invalid_request"),
        case("a JSON array", format!("[{text}]"), 400, "invalid_request"),
        case("null", "null", 400, "invalid_request"),
        case(
            "an unknown field",
            unknown.to_string(),
            400,
            "invalid_request",
        ),
        case("a duplicate key", duplicate, 400, "invalid_request"),
        case("a 1 MB body", one_mb, 413, "payload_too_large"),
    ];
    for (what, ct) in [
        ("a form body", Some("application/x-www-form-urlencoded")),
        ("text/plain", Some("text/plain")),
        ("no content type", None),
    ] {
        cases.push(Case {
            content_type: ct,
            ..case(what, text.clone(), 415, "unsupported_media_type")
        });
    }
    cases
}

/// Everything that is not a JSON string of six ASCII digits, for the field holding `good`.
pub fn code_cases(with: &dyn Fn(Value) -> Value, good: &str) -> Vec<Case> {
    let number: u64 = good.parse().expect("digits");
    let shifted = |zero: char| -> String {
        good.chars()
            .map(|c| char::from_u32(zero as u32 + c.to_digit(10).unwrap()).unwrap())
            .collect()
    };
    let (head, tail) = good.split_at(3);
    let typed = |what: &str, v: Value| case(what, with(v).to_string(), 400, "invalid_request");
    let format =
        |what: &str, s: String| case(what, with(json!(s)).to_string(), 400, "invalid_code_format");
    vec![
        typed("the code as a JSON number", json!(number)),
        typed("the code as null", Value::Null),
        typed("the code as an array", json!([])),
        typed("the code as an object", json!({})),
        typed("the code as a boolean", json!(true)),
        format("a leading plus", format!("+{}", &good[1..])),
        format("five digits", good[..5].to_owned()),
        format("seven digits", format!("{good}0")),
        format("full-width digits", shifted('\u{FF10}')),
        format("Arabic-Indic digits", shifted('\u{0660}')),
        format("Devanagari digits", shifted('\u{0966}')),
        format("a tab inside", format!("{head}\t{tail}")),
        format("a no-break space inside", format!("{head}\u{A0}{tail}")),
        format("a zero-width space inside", format!("{head}\u{200B}{tail}")),
        format("hex", "0x1e24".to_owned()),
        format("a letter", format!("{}a", &good[..5])),
        format("an empty code", String::new()),
        format("a 1,000-digit code", "1".repeat(1000)),
        case(
            "a 10,000-character code (over the 4 KiB body limit)",
            with(json!("1".repeat(10_000))).to_string(),
            413,
            "payload_too_large",
        ),
    ]
}

pub async fn run(client: &Client, path: &str, cases: Vec<Case>) {
    for c in cases {
        let resp = client.post_raw(path, c.content_type, c.body).await;
        let (status, text) = (
            resp.status().as_u16(),
            resp.text().await.unwrap_or_default(),
        );
        let body: Value = serde_json::from_str(&text).unwrap_or_default();
        assert!(
            status == c.status && body["error"]["code"] == c.code,
            "{path} with {}: expected {} {}, got {status} {text}",
            c.what,
            c.status,
            c.code
        );
    }
}
