//! Window and replay rules of `verify` (checklist items 14, 16, 17).

mod common;

use twofa_core::{code_at, verify, Secret, TimeStep, TotpCode, TotpError, TotpMatch, UnixTime};

const NOW: u64 = 1_700_000_000; // step 56_666_666, 20 s into it
const T: u64 = NOW / 30;

fn key() -> Secret {
    Secret::generate(&mut common::rng(1))
}

/// The production code of step `step`.
fn code_for(secret: &Secret, step: u64) -> TotpCode {
    TotpCode::parse(&code_at(secret, UnixTime(step * 30))).unwrap()
}

#[test]
fn accepts_previous_current_and_next_step_with_their_drift() {
    let s = key();
    for (step, drift) in [(T - 1, -1), (T, 0), (T + 1, 1)] {
        assert_eq!(
            verify(&s, &code_for(&s, step), UnixTime(NOW), None, 1),
            Ok(TotpMatch {
                step: TimeStep(step),
                drift
            }),
            "step offset {drift}"
        );
    }
}

#[test]
fn refuses_two_steps_away_and_beyond() {
    let s = key();
    for step in [T - 2, T + 2, T - 3, T + 3, 0, T * 2] {
        assert_eq!(
            verify(&s, &code_for(&s, step), UnixTime(NOW), None, 1),
            Err(TotpError::Invalid),
            "step {step}"
        );
    }
}

#[test]
fn window_zero_accepts_only_the_current_step() {
    let s = key();
    let now = UnixTime(NOW);
    assert_eq!(
        verify(&s, &code_for(&s, T), now, None, 0),
        Ok(TotpMatch {
            step: TimeStep(T),
            drift: 0
        })
    );
    for step in [T - 1, T + 1] {
        assert_eq!(
            verify(&s, &code_for(&s, step), now, None, 0),
            Err(TotpError::Invalid)
        );
    }
}

#[test]
fn a_step_equal_to_last_used_is_a_replay() {
    let s = key();
    let code = code_for(&s, T);
    let first = verify(&s, &code, UnixTime(NOW), None, 1).unwrap();
    assert_eq!(
        verify(&s, &code, UnixTime(NOW), Some(first.step), 1),
        Err(TotpError::Replayed)
    );
}

#[test]
fn an_older_step_after_a_newer_one_is_a_replay() {
    let s = key();
    let newer = verify(&s, &code_for(&s, T + 1), UnixTime(NOW), None, 1).unwrap();
    assert_eq!(newer.step, TimeStep(T + 1));
    for step in [T - 1, T] {
        assert_eq!(
            verify(&s, &code_for(&s, step), UnixTime(NOW), Some(newer.step), 1),
            Err(TotpError::Replayed),
            "step {step} after T+1"
        );
    }
}

#[test]
fn a_step_after_last_used_is_accepted() {
    let s = key();
    assert_eq!(
        verify(
            &s,
            &code_for(&s, T),
            UnixTime(NOW),
            Some(TimeStep(T - 1)),
            1
        ),
        Ok(TotpMatch {
            step: TimeStep(T),
            drift: 0
        })
    );
}

#[test]
fn a_wrong_code_is_invalid_not_replayed() {
    let s = key();
    let wrong = ["000000", "999999", "123456"]
        .into_iter()
        .map(|c| TotpCode::parse(c).unwrap())
        .find(|c| (T - 1..=T + 1).all(|step| code_for(&s, step) != *c))
        .unwrap();
    assert_eq!(
        verify(&s, &wrong, UnixTime(NOW), Some(TimeStep(T + 5)), 1),
        Err(TotpError::Invalid)
    );
}

#[test]
fn first_steps_after_the_epoch_do_not_underflow() {
    let s = key();
    assert_eq!(
        verify(&s, &code_for(&s, 0), UnixTime(5), None, 1),
        Ok(TotpMatch {
            step: TimeStep(0),
            drift: 0
        })
    );
    assert_eq!(
        verify(&s, &code_for(&s, 1), UnixTime(5), None, 1),
        Ok(TotpMatch {
            step: TimeStep(1),
            drift: 1
        })
    );
}

#[test]
fn the_rfc_secret_verifies_its_leading_zero_code() {
    let s = Secret::from_bytes(b"12345678901234567890").unwrap();
    let code = TotpCode::parse("081804").unwrap();
    let step = 1_111_111_109 / 30;
    assert_eq!(
        verify(&s, &code, UnixTime(1_111_111_109), None, 1),
        Ok(TotpMatch {
            step: TimeStep(step),
            drift: 0
        })
    );
}
