//! An independent implementation agrees: `oathtool` (Debian package `oathtool`) computes the
//! same codes as `code_at` for random secrets and times, and `verify` accepts its codes.
//! The tool is required: the test fails, rather than skips, when it is missing.

mod common;

use std::process::Command;

use rand_chacha::rand_core::RngCore;
use twofa_core::{code_at, verify, Secret, TotpCode, UnixTime};

fn oathtool(secret_b32: &str, t: u64) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "-b", secret_b32, "-N", &format!("@{t}")])
        .output()
        .expect("oathtool must be installed (apt-get install -y oathtool)");
    assert!(out.status.success(), "oathtool failed: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn oathtool_agrees_with_code_at_for_random_secrets_and_times() {
    let mut rng = common::rng(20);
    let mut times: Vec<u64> = (0..16).map(|_| rng.next_u64() % 4_000_000_000).collect();
    // Leading-zero and beyond-32-bit cases are included on purpose.
    times.extend([0, 1_234_567_890, (1 << 32) + 59, 20_000_000_000]);
    for t in times {
        let secret = Secret::generate(&mut rng);
        let b32 = secret.to_base32();
        let theirs = oathtool(&b32, t);
        assert_eq!(theirs.len(), 6, "oathtool printed {theirs:?}");
        assert_eq!(code_at(&secret, UnixTime(t)), theirs, "t={t}");
        let code = TotpCode::parse(&theirs).unwrap();
        assert!(
            verify(&secret, &code, UnixTime(t), None, 1).is_ok(),
            "t={t}"
        );
    }
}
