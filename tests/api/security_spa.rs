//! The SPA's source, read as an attacker auditing it would: no web storage, no console output
//! and no address outside the app's own origin (checklist 10, 57). The browser run of the SPA
//! lives in tests/e2e; this check needs no browser and fails on the first offending line.

use std::path::{Path, PathBuf};

const FORBIDDEN: [(&str, &str); 7] = [
    (
        "localStorage",
        "web storage outlives the session and is readable by any script",
    ),
    (
        "sessionStorage",
        "web storage is readable by any script on the page",
    ),
    ("indexedDB", "persistent browser storage"),
    (
        "document.cookie",
        "the session cookie is HttpOnly; nothing should touch cookies",
    ),
    (
        "console.",
        "console output can carry codes and secrets into shared logs",
    ),
    (
        "http://",
        "a web address: the app talks to its own origin only",
    ),
    (
        "https://",
        "a web address: the app talks to its own origin only",
    ),
];

/// Source files shipped to browsers: everything under frontend/src except tests.
fn shipped_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("frontend/src is readable") {
        let path = entry.expect("dir entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "testing" && name != "__tests__" {
                shipped_sources(&path, out);
            }
        } else if (name.ends_with(".ts") || name.ends_with(".tsx"))
            && !name.contains(".test.")
            && !name.ends_with(".d.ts")
        {
            out.push(path);
        }
    }
}

#[test]
fn the_spa_keeps_nothing_in_web_storage_logs_nothing_and_calls_no_other_host() {
    // Arrange
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/src");
    let mut files = Vec::new();
    shipped_sources(&src, &mut files);
    assert!(
        files.len() >= 5,
        "only {} SPA source files found",
        files.len()
    );

    // Act
    let mut findings = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source is UTF-8");
        for (n, line) in text.lines().enumerate() {
            // SVG and XML namespaces are names, not addresses anything fetches.
            let line = line.replace("http://www.w3.org/", "");
            for (needle, why) in FORBIDDEN {
                if line.contains(needle) {
                    findings.push(format!("{}:{}: {needle} ({why})", file.display(), n + 1));
                }
            }
        }
    }

    // Assert
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
