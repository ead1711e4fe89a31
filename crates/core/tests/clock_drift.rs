//! `clock_drift`: the nearest far step a wrong code matches, for the enrolment diagnosis.

mod common;

use twofa_core::{clock_drift, code_at, verify, ClockDrift, Secret, TotpCode, UnixTime};

const NOW: u64 = 1_700_000_000; // step 56_666_666, 20 s into it
const T: u64 = NOW / 30;
const WINDOW: u8 = 1;
const BOUND: u8 = 20;

fn key() -> Secret {
    Secret::generate(&mut common::rng(7))
}

fn code_for(secret: &Secret, step: u64) -> TotpCode {
    TotpCode::parse(&code_at(secret, UnixTime(step * 30))).unwrap()
}

fn drift_of(secret: &Secret, step: u64) -> Option<ClockDrift> {
    clock_drift(
        secret,
        &code_for(secret, step),
        UnixTime(NOW),
        WINDOW,
        BOUND,
    )
}

#[test]
fn reports_the_exact_offset_ahead_and_behind() {
    let s = key();
    for offset in [2i16, 3, 7, 19, 20, -2, -3, -7, -19, -20] {
        let step = T.checked_add_signed(i64::from(offset)).unwrap();
        assert_eq!(
            drift_of(&s, step),
            Some(ClockDrift { steps: offset }),
            "offset {offset}"
        );
    }
}

#[test]
fn seconds_are_steps_times_the_period() {
    assert_eq!(ClockDrift { steps: 7 }.seconds(), 210);
    assert_eq!(ClockDrift { steps: -20 }.seconds(), -600);
}

#[test]
fn a_phone_three_and_a_half_minutes_ahead_is_seven_steps_ahead() {
    let s = key();
    // The phone shows NOW + 210 s; the code it displays is that of step T + 7.
    let phone = TotpCode::parse(&code_at(&s, UnixTime(NOW + 210))).unwrap();
    assert_eq!(
        clock_drift(&s, &phone, UnixTime(NOW), WINDOW, BOUND).map(ClockDrift::seconds),
        Some(210)
    );
}

#[test]
fn nothing_beyond_the_bound() {
    let s = key();
    for step in [T - 21, T + 21, T - 30, T + 30, T + 1000, 0] {
        assert_eq!(drift_of(&s, step), None, "step {step}");
    }
}

#[test]
fn nothing_inside_the_accepted_window() {
    let s = key();
    for step in [T - 1, T, T + 1] {
        assert_eq!(drift_of(&s, step), None, "step {step}");
        // The window itself is verify's business, which accepts these.
        assert!(verify(&s, &code_for(&s, step), UnixTime(NOW), None, WINDOW).is_ok());
    }
}

#[test]
fn a_wider_window_moves_the_inner_edge() {
    let s = key();
    assert_eq!(
        clock_drift(&s, &code_for(&s, T + 2), UnixTime(NOW), 2, BOUND),
        None
    );
    assert_eq!(
        clock_drift(&s, &code_for(&s, T + 3), UnixTime(NOW), 2, BOUND),
        Some(ClockDrift { steps: 3 })
    );
}

#[test]
fn never_reports_steps_before_the_epoch() {
    let s = key();
    // At step 3, offsets -4 .. -20 do not exist; the code of step 0 is offset -3.
    let now = UnixTime(3 * 30 + 5);
    let at_zero = code_for(&s, 0);
    assert_eq!(
        clock_drift(&s, &at_zero, now, WINDOW, BOUND),
        Some(ClockDrift { steps: -3 })
    );
}

#[test]
fn a_code_of_no_nearby_step_gives_none() {
    let s = key();
    let near: Vec<String> = (T - 20..=T + 20)
        .map(|step| code_at(&s, UnixTime(step * 30)))
        .collect();
    let wrong = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap();
    let wrong = TotpCode::parse(&wrong).unwrap();
    assert_eq!(clock_drift(&s, &wrong, UnixTime(NOW), WINDOW, BOUND), None);
}
