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
        for op in [&item.get, &item.post].into_iter().flatten() {
            let statuses: Vec<&String> = op.responses.responses.keys().collect();
            assert!(!statuses.is_empty(), "{path} has no responses");
            // Probes and logout cannot fail on input.
            if !["/api/health", "/api/ready", "/api/logout"].contains(&path.as_str()) {
                assert!(
                    statuses.iter().any(|s| s.starts_with('4')),
                    "{path} documents no 4xx error"
                );
            }
        }
    }
}
