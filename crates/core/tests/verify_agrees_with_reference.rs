//! `verify`'s allocation-free hot path (hmac + sha1 + truncation) agrees with the totp-lite
//! reference (`code_at`) for many random secrets, times and typed codes.

mod common;

use rand_chacha::rand_core::RngCore;
use twofa_core::{code_at, verify, Secret, TimeStep, TotpCode, TotpError, UnixTime};

fn random_secret(rng: &mut impl RngCore) -> Secret {
    let len = 16 + (rng.next_u32() % 49) as usize;
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    Secret::from_bytes(&bytes).unwrap()
}

#[test]
fn verify_accepts_exactly_the_reference_code_of_each_step() {
    let mut rng = common::rng(30);
    for _ in 0..2_000 {
        let secret = random_secret(&mut rng);
        let t = rng.next_u64() % 40_000_000_000;
        let reference = code_at(&secret, UnixTime(t));
        let code = TotpCode::parse(&reference).unwrap();
        let matched = verify(&secret, &code, UnixTime(t), None, 0).unwrap();
        assert_eq!(matched.step, TimeStep(t / 30));
        assert_eq!(matched.drift, 0);
    }
}

#[test]
fn verify_decides_like_the_reference_for_random_typed_codes() {
    let mut rng = common::rng(31);
    for round in 0..2_000u32 {
        let secret = random_secret(&mut rng);
        let t = 60 + rng.next_u64() % 40_000_000_000;
        let window: Vec<String> = [t - 30, t, t + 30]
            .iter()
            .map(|&at| code_at(&secret, UnixTime(at)))
            .collect();
        // Half the rounds type a code from the window, half a random one.
        let typed = if round % 2 == 0 {
            window[(rng.next_u32() % 3) as usize].clone()
        } else {
            format!("{:06}", rng.next_u32() % 1_000_000)
        };
        let code = TotpCode::parse(&typed).unwrap();
        let expected = window.iter().position(|c| *c == typed);
        match (verify(&secret, &code, UnixTime(t), None, 1), expected) {
            (Ok(m), Some(_)) => {
                // Preference on a double match is 0, -1, +1, so only check membership.
                let drift = i64::from(m.drift);
                assert_eq!(window[(drift + 1) as usize], typed);
                assert_eq!(
                    m.step,
                    TimeStep((t / 30).checked_add_signed(drift).unwrap())
                );
            }
            (Err(TotpError::Invalid), None) => {}
            (got, want) => panic!("t={t} typed={typed}: got {got:?}, reference index {want:?}"),
        }
    }
}
