//! The committed `openapi.yaml` must equal what the code generates.

#[test]
fn committed_openapi_yaml_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.yaml");
    let committed = std::fs::read_to_string(path).expect("openapi.yaml at the repository root");
    let generated = twofa_api::openapi::yaml().expect("the document renders as YAML");
    assert!(
        committed == generated,
        "openapi.yaml is out of date; regenerate it with:\n  \
         cargo run -q -p twofa-api -- openapi > openapi.yaml"
    );
}

#[test]
fn every_operation_documents_its_errors_and_both_security_schemes_exist() {
    let doc = twofa_api::openapi::document();
    let schemes = &doc
        .components
        .as_ref()
        .expect("components")
        .security_schemes;
    assert!(schemes.contains_key("cookie") && schemes.contains_key("bearer"));
    for (path, item) in &doc.paths.paths {
        for (method, op) in [("GET", &item.get), ("POST", &item.post)] {
            let Some(op) = op else { continue };
            let statuses: Vec<&String> = op.responses.responses.keys().collect();
            assert!(!statuses.is_empty(), "{method} {path} has no responses");
            // Probes, logout and the setup status take no input, so cannot fail on it.
            let inputless = ["/api/health", "/api/ready", "/api/logout"].contains(&path.as_str())
                || (method, path.as_str()) == ("GET", "/api/setup");
            if !inputless {
                assert!(
                    statuses.iter().any(|s| s.starts_with('4')),
                    "{method} {path} documents no 4xx error"
                );
            }
        }
    }
}
