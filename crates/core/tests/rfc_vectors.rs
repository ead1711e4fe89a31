//! RFC 4226 Appendix D and RFC 6238 Appendix B (with errata 2866 seed lengths), plus the
//! 6-digit SHA1 forms of checklist Appendix A.3 and times beyond 32 bits.

use twofa_core::{code_at, code_with, Algorithm, Secret, TimeStep, UnixTime};

const SEED20: &[u8] = b"12345678901234567890";
const SEED32: &[u8] = b"12345678901234567890123456789012";
const SEED64: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

fn secret(bytes: &[u8]) -> Secret {
    Secret::from_bytes(bytes).unwrap()
}

#[test]
fn rfc4226_appendix_d_hotp_values() {
    // TOTP at t = count * 30 with period 30 is HOTP(K, count).
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    let key = secret(SEED20);
    for (count, want) in expected.iter().enumerate() {
        let t = UnixTime(count as u64 * 30);
        assert_eq!(t.step(), TimeStep(count as u64));
        assert_eq!(
            code_with(Algorithm::Sha1, 6, 30, &key, t),
            *want,
            "count {count}"
        );
    }
}

#[test]
fn rfc6238_appendix_b_all_18_rows() {
    let rows: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];
    let (s1, s256, s512) = (secret(SEED20), secret(SEED32), secret(SEED64));
    for (t, sha1, sha256, sha512) in rows {
        let at = UnixTime(t);
        assert_eq!(
            code_with(Algorithm::Sha1, 8, 30, &s1, at),
            sha1,
            "SHA1 t={t}"
        );
        assert_eq!(
            code_with(Algorithm::Sha256, 8, 30, &s256, at),
            sha256,
            "SHA256 t={t}"
        );
        assert_eq!(
            code_with(Algorithm::Sha512, 8, 30, &s512, at),
            sha512,
            "SHA512 t={t}"
        );
    }
}

#[test]
fn rfc6238_sha256_and_sha512_need_their_own_seed_lengths() {
    // The common mistake (20-byte seed for every algorithm) gives these wrong values.
    let s1 = secret(SEED20);
    assert_eq!(
        code_with(Algorithm::Sha256, 8, 30, &s1, UnixTime(59)),
        "32247374"
    );
    assert_eq!(
        code_with(Algorithm::Sha512, 8, 30, &s1, UnixTime(59)),
        "69342147"
    );
}

#[test]
fn six_digit_production_codes_keep_leading_zeros() {
    let rows = [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_111_111_111, "050471"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
        (20_000_000_000, "353130"),
    ];
    let key = secret(SEED20);
    for (t, want) in rows {
        assert_eq!(code_at(&key, UnixTime(t)), want, "t={t}");
    }
}

#[test]
fn time_counter_is_64_bit() {
    let key = secret(SEED20);
    let t = (1u64 << 32) + 59;
    assert_eq!(UnixTime(t).step(), TimeStep(t / 30));
    // Value from Python hmac and oathtool; a 32-bit counter would wrap and give 287082.
    assert_eq!(code_at(&key, UnixTime(t)), "350130");
    assert_eq!(UnixTime(20_000_000_000).step(), TimeStep(0x27BC_86AA));
    assert_eq!(UnixTime(1_111_111_109).step(), TimeStep(0x0235_23EC));
}
