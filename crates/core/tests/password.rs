//! Password policy (NIST SP 800-63B lengths, no repeated or sequential runs) and Argon2id
//! hashing.

mod common;

use std::time::Instant;

use twofa_core::{
    hash_password, password_policy, verify_dummy, verify_password, Argon2Memory, PasswordError,
};

#[test]
fn policy_counts_characters_not_bytes() {
    assert_eq!(password_policy("1234567"), Err(PasswordError::TooShort));
    assert_eq!(password_policy(""), Err(PasswordError::TooShort));
    assert_eq!(password_policy("1234567x"), Ok(()));
    // 7 characters but 14 bytes.
    assert_eq!(password_policy("ééééééé"), Err(PasswordError::TooShort));
    // 256 characters but 384 bytes.
    assert_eq!(password_policy(&"éa".repeat(128)), Ok(()));
    assert_eq!(password_policy(&"ab".repeat(128)), Ok(()));
    assert_eq!(
        password_policy(&"a".repeat(257)),
        Err(PasswordError::TooLong)
    );
}

#[test]
fn hash_is_argon2id_phc_and_verifies() {
    let mut rng = common::rng(11);
    let memory = &mut Argon2Memory::new();
    let phc = hash_password("correct horse battery", &mut rng, memory).unwrap();
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    assert!(verify_password("correct horse battery", &phc, memory));
    assert!(!verify_password("correct horse batterY", &phc, memory));
    assert!(!verify_password("correct horse battery", "garbage", memory));
    let again = hash_password("correct horse battery", &mut rng, memory).unwrap();
    assert_ne!(phc, again, "salts must differ");
}

#[test]
fn hashing_enforces_the_policy() {
    let mut rng = common::rng(12);
    let memory = &mut Argon2Memory::new();
    assert_eq!(
        hash_password("short", &mut rng, memory),
        Err(PasswordError::TooShort)
    );
    assert_eq!(
        hash_password(&"x".repeat(300), &mut rng, memory),
        Err(PasswordError::TooLong)
    );
}

#[test]
fn dummy_verify_costs_about_a_real_verify() {
    let phc = hash_password(
        "correct horse battery",
        &mut common::rng(13),
        &mut Argon2Memory::new(),
    )
    .unwrap();
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64()
    };
    // Alternating pairs, judged by the median pair ratio: load on a shared machine moves both
    // sides of a pair alike, where separate medians taken one after the other drift apart.
    // One memory for both, as on a hashing thread of the server.
    let memory = std::cell::RefCell::new(Argon2Memory::new());
    let mut ratios: Vec<f64> = (0..9)
        .map(|_| {
            let real = time(&|| {
                verify_password("wrong password", &phc, &mut memory.borrow_mut());
            });
            let dummy = time(&|| verify_dummy("wrong password", &mut memory.borrow_mut()));
            dummy / real
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[4];
    // Loose bounds: a shared 2-core machine is noisy, but a skipped hash is 1000x faster.
    assert!(
        (0.5..2.0).contains(&ratio),
        "dummy/real median ratio {ratio:.2} (all: {ratios:?})"
    );
}
