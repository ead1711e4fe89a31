//! Storage queries stay cheap to re-run: no `first()` in `src/db` (see the note at the top of
//! `src/db/mod.rs`: its bound `LIMIT ?` made SQLite re-prepare the statement on every call).

use std::path::Path;

#[test]
fn storage_lookups_never_bind_a_limit_through_first() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains(".first(") && !line.trim_start().starts_with("//") {
                offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "use get_result on a unique key instead:\n{}",
        offenders.join("\n")
    );
}
