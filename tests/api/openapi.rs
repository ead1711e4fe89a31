//! The committed `openapi.yaml` is what the code generates; the SPA's types come from it.

use std::path::Path;
use std::process::Command;

use crate::helpers::twofa_bin;

#[test]
fn the_committed_openapi_yaml_matches_what_the_binary_prints() {
    // Arrange
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let committed = std::fs::read_to_string(&committed_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", committed_path.display()));

    // Act
    let out = Command::new(twofa_bin())
        .arg("openapi")
        .output()
        .expect("run `twofa openapi`");

    // Assert
    assert!(out.status.success(), "`twofa openapi` failed: {out:?}");
    let generated = String::from_utf8(out.stdout).expect("UTF-8 YAML");
    let first_difference = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
    assert!(
        committed == generated,
        "openapi.yaml is out of date (first difference at line {}); regenerate it with \
         `cargo run -p twofa-api -- openapi > openapi.yaml` and commit it",
        first_difference + 1
    );
}
