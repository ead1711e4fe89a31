//! The deployment files kept honest without a Docker engine (none runs here): the Dockerfile
//! builds with exactly the commands the README's scripts run, every setting of the server is
//! documented in `.env.example`, the compose file passes only real settings, and
//! `docker-compose config` accepts the file with and without the Redis profile.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn repo_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `TWOFA_*` names as the server reads them: one per field of `Settings`.
fn server_settings() -> BTreeSet<String> {
    let source = repo_file("crates/api/src/settings.rs");
    let body = source
        .split("pub struct Settings {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("struct Settings in settings.rs");
    let fields: BTreeSet<String> = body
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub "))
        .filter_map(|l| l.split(':').next())
        .map(|name| format!("TWOFA_{}", name.to_ascii_uppercase()))
        .collect();
    assert!(fields.len() >= 15, "parsed too few settings: {fields:?}");
    fields
}

fn names_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices("TWOFA_") {
        let name: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        // `TWOFA_*` in prose names no setting.
        if name.len() > "TWOFA_".len() {
            names.insert(name);
        }
    }
    names
}

#[test]
fn the_dockerfile_builds_with_the_commands_the_scripts_run() {
    let dockerfile = repo_file("Dockerfile");
    let scripts = repo_file("scripts/run.sh") + &repo_file("scripts/test.sh");
    let builds: Vec<&str> = dockerfile
        .lines()
        .filter_map(|l| l.trim().strip_prefix("RUN "))
        .filter(|cmd| cmd.starts_with("cargo ") || cmd.starts_with("npm "))
        .collect();
    assert!(
        builds.contains(&"cargo build --release --locked -p twofa-api"),
        "{builds:?}"
    );
    assert!(builds.contains(&"npm run build"), "{builds:?}");
    for cmd in builds {
        assert!(
            scripts.contains(cmd),
            "the Dockerfile runs `{cmd}`, which scripts/run.sh and scripts/test.sh do not"
        );
    }
}

#[test]
fn every_setting_is_in_env_example_and_compose_passes_only_real_ones() {
    let settings = server_settings();
    let documented = names_in(&repo_file(".env.example"));
    let missing: Vec<_> = settings.difference(&documented).collect();
    assert!(missing.is_empty(), ".env.example lacks {missing:?}");
    // TWOFA_CONFIG names the optional settings file; it is not a field of its own.
    let known: BTreeSet<String> = settings
        .iter()
        .cloned()
        .chain(["TWOFA_CONFIG".to_owned()])
        .collect();
    let unknown: Vec<_> = documented.difference(&known).collect();
    assert!(
        unknown.is_empty(),
        ".env.example names no such setting: {unknown:?}"
    );
    let compose = names_in(&repo_file("docker-compose.yml"));
    let unknown: Vec<_> = compose.difference(&known).collect();
    assert!(unknown.is_empty(), "docker-compose.yml passes {unknown:?}");
    for needed in [
        "TWOFA_DATABASE_URL",
        "TWOFA_SESSION_STORE",
        "TWOFA_PUBLIC_ORIGIN",
    ] {
        assert!(
            compose.contains(needed),
            "docker-compose.yml lacks {needed}"
        );
    }
}

/// Debian's docker-compose (installed by scripts/setup.sh test) parses and validates the file.
#[test]
fn docker_compose_accepts_the_file_with_and_without_the_redis_profile() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let services = |profile: &[&str]| {
        let out = Command::new("docker-compose")
            .current_dir(&root)
            .args(["--env-file", ".env.example"])
            .args(profile)
            .args(["config", "--services"])
            .output()
            .expect("docker-compose (scripts/setup.sh test installs it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    };
    // Debian's docker-compose 1.x lists profiled services too; what matters is that both
    // invocations validate and that the Redis service is there for its profile.
    assert_eq!(services(&[]), ["postgres", "redis", "twofa"]);
    assert_eq!(
        services(&["--profile", "redis"]),
        ["postgres", "redis", "twofa"]
    );
    let compose = repo_file("docker-compose.yml");
    assert!(
        compose.contains("profiles: [\"redis\"]"),
        "redis is optional"
    );
}
