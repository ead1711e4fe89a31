//! Property tests: parsers never panic, and formatting then parsing is the identity.

use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use twofa_core::{RecoveryCode, Secret, TotpCode};

proptest! {
    #[test]
    fn parsers_never_panic(input in any::<String>()) {
        let _ = TotpCode::parse(&input);
        let _ = RecoveryCode::parse(&input);
        let _ = Secret::parse_base32(&input);
    }

    #[test]
    fn parsers_never_panic_on_code_like_text(input in "[0-9A-Za-z =\\-_\u{a0}\u{ff10}-\u{ff19}]{0,80}") {
        let _ = TotpCode::parse(&input);
        let _ = RecoveryCode::parse(&input);
        let _ = Secret::parse_base32(&input);
    }

    #[test]
    fn an_accepted_totp_code_is_the_input_without_spaces(input in "[0-9 ]{0,12}") {
        let without_spaces: String = input.chars().filter(|c| *c != ' ').collect();
        match TotpCode::parse(&input) {
            Ok(code) => prop_assert_eq!(code.as_str(), without_spaces.as_str()),
            Err(_) => prop_assert_ne!(without_spaces.len(), 6),
        }
    }

    #[test]
    fn recovery_code_display_then_parse_is_identity(seed in any::<[u8; 32]>()) {
        let code = RecoveryCode::generate(&mut ChaCha20Rng::from_seed(seed));
        let shown = code.display();
        prop_assert_eq!(RecoveryCode::parse(&shown).unwrap(), code.clone());
        prop_assert_eq!(RecoveryCode::parse(&shown.to_lowercase()).unwrap(), code.clone());
        prop_assert_eq!(RecoveryCode::parse(&shown.replace('-', "")).unwrap(), code.clone());
        prop_assert_eq!(RecoveryCode::parse(&shown.replace('-', " ")).unwrap(), code);
    }

    #[test]
    fn secret_base32_round_trip(bytes in proptest::collection::vec(any::<u8>(), 16..=64)) {
        let secret = Secret::from_bytes(&bytes).unwrap();
        let text = secret.to_base32();
        prop_assert!(!text.contains('='));
        for form in [text.clone(), text.to_lowercase(), secret.grouped()] {
            let parsed = Secret::parse_base32(&form).unwrap();
            prop_assert_eq!(parsed.expose_bytes(), &bytes[..]);
        }
    }
}
