//! Benchmarks of the core's hot paths, printed as ratios to baselines measured in the same run
//! (performance.md §5): G1 ±1-window verify vs a hand-written 3× HMAC-SHA1, G3 constant work
//! (wrong code vs codes matching -1, 0, +1), and a recovery-code check against a set of 10 vs
//! one raw Argon2 verification.
//!
//! `cargo bench -p twofa-core` runs the criterion suite, then the interleaved ratio
//! measurement. `TWOFA_BENCH_QUICK=1` (or `-- --quick`) runs only a short ratio measurement,
//! for smoke tests.

use std::hint::black_box;
use std::time::{Duration, Instant};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::PasswordVerifier;
use argon2::Argon2;
use criterion::Criterion;
use hmac::{Hmac, Mac};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha1::Sha1;
use subtle::ConstantTimeEq;
use twofa_core::{
    code_at, generate_recovery_codes, verify, RecoveryCode, RecoveryCodeHasher, Secret,
    StoredRecoveryCode, TotpCode, UnixTime,
};

/// Fixed time of performance.md §2.1.
const NOW: u64 = 1_700_000_000;

/// The physical-limit baseline: one full HMAC-SHA1 (key setup included) + dynamic truncation.
fn raw_hotp(key: &[u8], step: u64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).unwrap();
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    (u32::from_be_bytes([
        hash[offset],
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]) & 0x7fff_ffff)
        % 1_000_000
}

/// Hand-written ±1 window: three full HMACs, integer compare, no early exit.
fn raw_window(key: &[u8], step: u64, typed: u32) -> bool {
    let mut hit = 0u8;
    for s in [step - 1, step, step + 1] {
        hit |= u8::from(raw_hotp(key, s) == typed);
    }
    hit == 1
}

/// Bare HMAC-SHA1 with key setup (G2 baseline).
fn bare_hmac(key: &[u8], step: u64) -> u8 {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).unwrap();
    mac.update(&step.to_be_bytes());
    mac.finalize().into_bytes()[0]
}

/// totp-lite used naively for the window: three `String`s and constant-time compares.
fn totp_lite_window(secret: &Secret, typed: &str) -> bool {
    let mut hit = 0u8;
    for t in [NOW - 30, NOW, NOW + 30] {
        hit |= code_at(secret, UnixTime(t))
            .as_bytes()
            .ct_eq(typed.as_bytes())
            .unwrap_u8();
    }
    hit == 1
}

struct TotpFixture {
    secret: Secret,
    wrong: TotpCode,
    wrong_value: u32,
    matching: [TotpCode; 3],
}

impl TotpFixture {
    fn new() -> Self {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let window: Vec<String> = [NOW - 30, NOW, NOW + 30]
            .iter()
            .map(|&t| code_at(&secret, UnixTime(t)))
            .collect();
        let wrong = ["000000", "111111", "222222"]
            .into_iter()
            .find(|c| !window.iter().any(|w| w == c))
            .unwrap();
        let matching = [0, 1, 2].map(|i| TotpCode::parse(&window[i]).unwrap());
        TotpFixture {
            secret,
            wrong: TotpCode::parse(wrong).unwrap(),
            wrong_value: wrong.bytes().fold(0, |v, b| v * 10 + u32::from(b - b'0')),
            matching,
        }
    }

    fn verify(&self, code: &TotpCode, window: u8) -> bool {
        verify(
            black_box(&self.secret),
            black_box(code),
            black_box(UnixTime(NOW)),
            None,
            window,
        )
        .is_ok()
    }
}

struct RecoveryFixture {
    hasher: RecoveryCodeHasher,
    stored: Vec<StoredRecoveryCode>,
    attempt: RecoveryCode,
    attempt_normalised: String,
    /// Reused across checks, as a hashing thread of the server does.
    memory: std::cell::RefCell<twofa_core::Argon2Memory>,
}

impl RecoveryFixture {
    fn new() -> Self {
        let mut rng = ChaCha20Rng::from_seed([5; 32]);
        let hasher = RecoveryCodeHasher::new([7; 32]);
        let codes = generate_recovery_codes(&mut rng);
        let mut memory = twofa_core::Argon2Memory::new();
        let stored = codes
            .iter()
            .map(|c| hasher.hash(c, &mut rng, &mut memory))
            .collect();
        // The user types the 7th code in lower case with spaces.
        let typed = codes[6].display().to_lowercase().replace('-', " ");
        RecoveryFixture {
            hasher,
            stored,
            attempt: RecoveryCode::parse(&typed).unwrap(),
            attempt_normalised: codes[6].display().replace('-', ""),
            memory: std::cell::RefCell::new(memory),
        }
    }

    /// What the API does per attempt: tag, select the row (an index lookup in the DB; a
    /// constant-time scan here), then exactly one Argon2 verification.
    fn check_against_set(&self) -> bool {
        let tag = self.hasher.lookup_tag(&self.attempt);
        let mut row = 0usize;
        for (i, s) in self.stored.iter().enumerate() {
            let hit = s.lookup_tag.as_bytes().ct_eq(tag.as_bytes());
            row = if bool::from(hit) { i } else { row };
        }
        self.hasher.verify(
            &self.attempt,
            &self.stored[row].phc,
            &mut self.memory.borrow_mut(),
        )
    }

    /// The baseline: one raw Argon2 verification with the argon2 crate.
    fn raw_argon2_verify(&self) -> bool {
        let parsed = PasswordHash::new(&self.stored[6].phc).unwrap();
        Argon2::default()
            .verify_password(self.attempt_normalised.as_bytes(), &parsed)
            .is_ok()
    }
}

fn criterion_suite(c: &mut Criterion, totp: &TotpFixture, rec: &RecoveryFixture) {
    let key = totp.secret.expose_bytes();
    let step = NOW / 30;
    let mut g = c.benchmark_group("totp");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("bare_hmac_sha1", |b| {
        b.iter(|| bare_hmac(black_box(key), black_box(step)))
    });
    g.bench_function("raw_window_3x_hmac", |b| {
        b.iter(|| raw_window(black_box(key), black_box(step), black_box(totp.wrong_value)))
    });
    g.bench_function("totp_lite_window_3x_string", |b| {
        b.iter(|| totp_lite_window(black_box(&totp.secret), black_box(totp.wrong.as_str())))
    });
    g.bench_function("verify_w0_wrong", |b| {
        b.iter(|| totp.verify(&totp.wrong, 0))
    });
    g.bench_function("verify_w1_wrong", |b| {
        b.iter(|| totp.verify(&totp.wrong, 1))
    });
    for (name, code) in ["minus1", "zero", "plus1"].iter().zip(&totp.matching) {
        g.bench_function(format!("verify_w1_match_{name}"), |b| {
            b.iter(|| totp.verify(code, 1))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("recovery");
    g.sample_size(10);
    g.sampling_mode(criterion::SamplingMode::Flat);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("raw_argon2_verify", |b| b.iter(|| rec.raw_argon2_verify()));
    g.bench_function("check_against_set_of_10", |b| {
        b.iter(|| rec.check_against_set())
    });
    g.finish();
}

/// ns per call of `f` over `iters` calls.
fn time_batch(iters: u32, f: &mut dyn FnMut() -> bool) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(iters)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Interleaved rounds: every contender runs one batch per round, in rotating order, so slow
/// drifts of a shared machine hit all of them alike. Returns each contender's ns/op per round.
fn interleaved(
    rounds: usize,
    iters: u32,
    contenders: &mut [&mut dyn FnMut() -> bool],
) -> Vec<Vec<f64>> {
    let n = contenders.len();
    let mut samples = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            samples[i].push(time_batch(iters, &mut *contenders[i]));
        }
    }
    samples
}

/// Median over rounds of the per-round ratio a/b (paired, so a burst of load cancels out).
fn paired_ratio(a: &[f64], b: &[f64]) -> f64 {
    median(a.iter().zip(b).map(|(x, y)| x / y).collect())
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

fn print_ratios(quick: bool, totp: &TotpFixture, rec: &RecoveryFixture) {
    let key = totp.secret.expose_bytes();
    let step = NOW / 30;
    let (rounds, iters, argon_rounds) = if quick {
        (31, 1_000, 5)
    } else {
        (301, 2_000, 21)
    };

    let s = interleaved(
        rounds,
        iters,
        &mut [
            &mut || raw_window(black_box(key), black_box(step), black_box(totp.wrong_value)),
            &mut || totp.verify(&totp.wrong, 1),
            &mut || totp.verify(&totp.matching[0], 1),
            &mut || totp.verify(&totp.matching[1], 1),
            &mut || totp.verify(&totp.matching[2], 1),
            &mut || totp.verify(&totp.wrong, 0),
            &mut || bare_hmac(black_box(key), black_box(step)) == 0,
            &mut || totp_lite_window(black_box(&totp.secret), black_box(totp.wrong.as_str())),
        ],
    );
    let [raw, wrong, minus1, zero, plus1, w0, hmac1, lite] = &s[..] else {
        unreachable!("eight contenders")
    };

    let a = interleaved(
        argon_rounds,
        1,
        &mut [&mut || rec.raw_argon2_verify(), &mut || {
            rec.check_against_set()
        }],
    );
    let rec_ratio = paired_ratio(&a[1], &a[0]);
    let (argon_raw, argon_set) = (median(a[0].clone()), median(a[1].clone()));

    let g1 = paired_ratio(wrong, raw);
    let g2 = paired_ratio(w0, hmac1);
    let g3: Vec<f64> = [minus1, zero, plus1]
        .iter()
        .map(|x| paired_ratio(x, wrong))
        .collect();
    let g3_ok = g3.iter().all(|r| (0.9..=1.1).contains(r));
    let w1_over_w0 = paired_ratio(wrong, w0);
    let lite_over_raw = paired_ratio(lite, raw);
    let [raw, wrong, minus1, zero, plus1, w0, hmac1, lite] =
        [raw, wrong, minus1, zero, plus1, w0, hmac1, lite].map(|v| median(v.clone()));

    println!();
    println!(
        "twofa-core ratios ({} mode; medians over interleaved rounds in one run; ratios paired per round)",
        if quick { "quick" } else { "full" }
    );
    println!("  raw 3x HMAC-SHA1 window        {raw:>10.1} ns");
    println!("  verify +-1, wrong code         {wrong:>10.1} ns");
    println!("  verify +-1, match -1 / 0 / +1  {minus1:>10.1} / {zero:.1} / {plus1:.1} ns");
    println!("  verify window 0                {w0:>10.1} ns");
    println!("  bare HMAC-SHA1                 {hmac1:>10.1} ns");
    println!("  totp-lite 3x String window     {lite:>10.1} ns");
    println!(
        "  raw argon2 verify              {:>10.2} ms",
        argon_raw / 1e6
    );
    println!(
        "  recovery check, set of 10      {:>10.2} ms",
        argon_set / 1e6
    );
    println!(
        "G1 verify +-1 / raw 3x HMAC              = {g1:.3}  (target <= 1.25, hard <= 2.0) {}",
        verdict(g1 <= 1.25)
    );
    println!(
        "G3 match -1/0/+1 vs wrong code           = {:.3} / {:.3} / {:.3}  (0.9..1.1) {}",
        g3[0],
        g3[1],
        g3[2],
        verdict(g3_ok)
    );
    println!(
        "G2 verify window 0 / bare HMAC-SHA1      = {:.3}  (<= 2.0) {}",
        g2,
        verdict(g2 <= 2.0)
    );
    println!(
        "   verify +-1 / verify window 0          = {:.3}  (about 2: the key schedule is computed once, 8 vs 4 SHA-1 blocks)",
        w1_over_w0
    );
    println!(
        "   totp-lite 3x String / raw 3x HMAC     = {:.3}  (reference, not on the hot path)",
        lite_over_raw
    );
    println!(
        "recovery check vs 10 / raw argon2 verify = {rec_ratio:.3}  (<= 1.1) {}",
        verdict(rec_ratio <= 1.1)
    );
}

fn main() {
    let quick = std::env::var_os("TWOFA_BENCH_QUICK").is_some_and(|v| v != "0")
        || std::env::args().any(|a| a == "--quick");
    let totp = TotpFixture::new();
    let rec = RecoveryFixture::new();
    assert!(totp.matching.iter().all(|c| totp.verify(c, 1)) && !totp.verify(&totp.wrong, 1));
    assert!(rec.check_against_set() && rec.raw_argon2_verify());
    if !quick {
        let mut c = Criterion::default().configure_from_args();
        criterion_suite(&mut c, &totp, &rec);
        c.final_summary();
    }
    print_ratios(quick, &totp, &rec);
}
