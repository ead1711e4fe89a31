//! Recovery codes: format, normalisation, set generation, lookup tag and Argon2id storage.

mod common;

use twofa_core::{
    generate_recovery_codes, Argon2Memory, CodeFormatError, RecoveryCode, RecoveryCodeHasher,
    RECOVERY_CODES_PER_SET,
};

const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn assert_display_form(shown: &str) {
    assert_eq!(shown.len(), 19, "{shown}");
    for (i, c) in shown.chars().enumerate() {
        if i % 5 == 4 {
            assert_eq!(c, '-', "{shown}");
        } else {
            assert!(CROCKFORD.contains(c), "{shown}");
        }
    }
}

#[test]
fn a_set_has_ten_distinct_well_formed_codes() {
    let codes = generate_recovery_codes(&mut common::rng(4));
    assert_eq!(codes.len(), RECOVERY_CODES_PER_SET);
    assert_eq!(RECOVERY_CODES_PER_SET, 10);
    let mut shown: Vec<String> = codes.iter().map(RecoveryCode::display).collect();
    for s in &shown {
        assert_display_form(s);
    }
    shown.sort();
    shown.dedup();
    assert_eq!(shown.len(), 10);
}

#[test]
fn normalisation_accepts_what_people_type() {
    let want = RecoveryCode::parse("0123-4567-89AB-CDEF").unwrap();
    assert_eq!(want.display(), "0123-4567-89AB-CDEF");
    for input in [
        "0123456789ABCDEF",
        "0123456789abcdef",
        "0123 4567 89ab cdef",
        " 0123-4567-89AB-CDEF ",
        "O123-4567-89AB-CDEF", // O -> 0
        "o123-4567-89ab-cdef",
        "01-23-45-67-89-AB-CD-EF",
    ] {
        assert_eq!(RecoveryCode::parse(input).unwrap(), want, "{input:?}");
    }
    let ones = RecoveryCode::parse("IiLl-1111-0000-oOoO").unwrap();
    assert_eq!(ones.display(), "1111-1111-0000-0000");
}

#[test]
fn malformed_recovery_codes_are_refused() {
    for (input, err) in [
        ("0123-4567-89AB-CDE", CodeFormatError::WrongLength), // 15
        ("0123-4567-89AB-CDEF0", CodeFormatError::WrongLength), // 17
        ("", CodeFormatError::WrongLength),
        ("0123_4567_89AB_CDEF", CodeFormatError::InvalidCharacter),
        ("0123-4567-89AB-CDEU", CodeFormatError::InvalidCharacter), // U is not Crockford
        ("0123\t4567-89AB-CDEF", CodeFormatError::InvalidCharacter),
        ("０123-4567-89AB-CDEF", CodeFormatError::InvalidCharacter),
        ("0123-4567-89AB-CDE*", CodeFormatError::InvalidCharacter),
    ] {
        assert_eq!(RecoveryCode::parse(input), Err(err), "{input:?}");
    }
    assert_eq!(
        RecoveryCode::parse(&"-".repeat(10_000)),
        Err(CodeFormatError::TooLong)
    );
}

#[test]
fn debug_does_not_print_the_code() {
    let code = RecoveryCode::parse("0123-4567-89AB-CDEF").unwrap();
    let shown = format!("{code:?}");
    assert!(
        !shown.contains("0123") && !shown.contains("CDEF"),
        "{shown}"
    );
}

#[test]
fn stored_form_is_argon2id_at_owasp_parameters_with_distinct_salts() {
    let hasher = RecoveryCodeHasher::new([9; 32]);
    let mut rng = common::rng(5);
    let code = RecoveryCode::generate(&mut rng);
    let a = hasher.hash(&code, &mut rng, &mut Argon2Memory::new());
    let b = hasher.hash(&code, &mut rng, &mut Argon2Memory::new());
    for stored in [&a, &b] {
        assert!(
            stored.phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            stored.phc
        );
        assert!(!stored.phc.contains(&code.display()));
    }
    let salt = |phc: &str| phc.split('$').nth(4).unwrap().to_owned();
    // 16 bytes of salt is 22 characters of unpadded base64.
    assert_eq!(salt(&a.phc).len(), 22);
    assert_ne!(salt(&a.phc), salt(&b.phc));
    assert_ne!(a.phc, b.phc);
    assert_eq!(a.lookup_tag, b.lookup_tag);
}

#[test]
fn verify_accepts_the_code_in_any_typed_form_and_nothing_else() {
    let hasher = RecoveryCodeHasher::new([9; 32]);
    let mut rng = common::rng(6);
    let code = RecoveryCode::generate(&mut rng);
    let stored = hasher.hash(&code, &mut rng, &mut Argon2Memory::new());
    let typed = RecoveryCode::parse(&code.display().to_lowercase().replace('-', " ")).unwrap();
    let memory = &mut Argon2Memory::new();
    assert!(hasher.verify(&typed, &stored.phc, memory));
    assert_eq!(hasher.lookup_tag(&typed), stored.lookup_tag);
    let other = RecoveryCode::generate(&mut rng);
    assert!(!hasher.verify(&other, &stored.phc, memory));
    assert!(!hasher.verify(&code, "not a phc string", memory));
    assert!(!hasher.verify(&code, "", memory));
}

#[test]
fn lookup_tag_is_keyed_hex_hmac_sha256() {
    let code = RecoveryCode::parse("0123-4567-89AB-CDEF").unwrap();
    let tag = RecoveryCodeHasher::new([1; 32]).lookup_tag(&code);
    // Python: hmac.new(bytes([1]*32), b"0123456789ABCDEF", hashlib.sha256).hexdigest()
    assert_eq!(
        tag,
        "38a4a3e3a1e88e75e74d10a49a0064ca04e8d52b9cbb57a651aad2b21ce5acf4"
    );
    assert_eq!(tag, RecoveryCodeHasher::new([1; 32]).lookup_tag(&code));
    assert_ne!(tag, RecoveryCodeHasher::new([2; 32]).lookup_tag(&code));
    let other = RecoveryCode::parse("0123-4567-89AB-CDEG").unwrap();
    assert_ne!(tag, RecoveryCodeHasher::new([1; 32]).lookup_tag(&other));
}
