//! Every JSON request body of the API, deserialised from arbitrary bytes the way actix's `Json`
//! extractor does: never panics; an object with a field the type does not know is refused
//! (`deny_unknown_fields`, checklist 59, 61); codes that parse go through the core parsers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use twofa_api::dto::{
    ChallengeRequest, DisableRequest, EnableRequest, LoginRequest, RegenerateRequest, SetupRequest,
    VerifyRequest,
};
use twofa_core::{RecoveryCode, TotpCode};

/// Parses `data` as `T`; if the JSON is an object with a key outside `fields`, `T` must refuse.
fn check<T: DeserializeOwned>(data: &[u8], fields: &[&str]) -> Option<T> {
    let parsed = serde_json::from_slice::<T>(data);
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(data) {
        if map.keys().any(|k| !fields.contains(&k.as_str())) {
            assert!(parsed.is_err(), "unknown field accepted: {map:?}");
        }
    }
    parsed.ok()
}

fn codes(code: Option<&str>, recovery: Option<&str>) {
    if let Some(code) = code {
        let _ = TotpCode::parse(code);
    }
    if let Some(recovery) = recovery {
        let _ = RecoveryCode::parse(recovery);
    }
}

fuzz_target!(|data: &[u8]| {
    check::<SetupRequest>(data, &["username", "password"]);
    check::<LoginRequest>(data, &["username", "password", "token"]);
    check::<EnableRequest>(data, &["password"]);
    if let Some(v) = check::<VerifyRequest>(data, &["code"]) {
        codes(Some(&v.code), None);
    }
    if let Some(c) =
        check::<ChallengeRequest>(data, &["challenge_id", "code", "recovery_code", "token"])
    {
        codes(c.code.as_deref(), c.recovery_code.as_deref());
    }
    if let Some(d) = check::<DisableRequest>(data, &["password", "code", "recovery_code"]) {
        codes(d.code.as_deref(), d.recovery_code.as_deref());
    }
    if let Some(r) = check::<RegenerateRequest>(data, &["password", "code"]) {
        codes(Some(&r.code), None);
    }
});
