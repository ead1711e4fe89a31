//! Independent oracles run as external programs: `oathtool` computes TOTP codes, and
//! `rsvg-convert` + `zbarimg` read the QR code the way a phone camera would. A missing tool fails
//! the test (it never skips it).

use std::process::Command;

use url::Url;

/// The 6-digit SHA-1 TOTP code for `secret` (base32) at unix time `unix`, from `oathtool`.
pub fn totp_at(secret: &str, unix: i64) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "-b", secret, "-N", &format!("@{unix}")])
        .output()
        .expect("oathtool is required: apt-get install oathtool");
    assert!(out.status.success(), "oathtool failed: {out:?}");
    let code = String::from_utf8(out.stdout).expect("oathtool prints ASCII");
    let code = code.trim().to_owned();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    code
}

/// A well-formed code that is wrong for every step from T-20 to T+20 around `unix`: neither
/// accepted nor diagnosed as `clock_drift` at enrolment (which looks 10 minutes either way).
pub fn wrong_code(secret: &str, unix: i64) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "-b", secret, "-w", "40", "-N"])
        .arg(format!("@{}", unix - 20 * 30))
        .output()
        .expect("oathtool is required: apt-get install oathtool");
    assert!(out.status.success(), "oathtool failed: {out:?}");
    let near = String::from_utf8(out.stdout).expect("oathtool prints ASCII");
    let near: Vec<&str> = near.lines().map(str::trim).collect();
    assert_eq!(near.len(), 41, "oathtool -w 40 prints 41 codes: {near:?}");
    ["000000", "111111", "222222", "333333", "444444", "555555"]
        .into_iter()
        .find(|c| !near.contains(c))
        .expect("six candidates cannot all be valid codes")
        .to_owned()
}

/// Renders the SVG to PNG and decodes the QR code in it; returns the text it carries.
pub fn decode_qr_svg(svg: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let svg_path = dir.path().join("qr.svg");
    let png_path = dir.path().join("qr.png");
    std::fs::write(&svg_path, svg).expect("write svg");
    let render = Command::new("rsvg-convert")
        .args(["-w", "400", "-h", "400"])
        .arg(&svg_path)
        .arg("-o")
        .arg(&png_path)
        .output()
        .expect("rsvg-convert is required: apt-get install librsvg2-bin");
    assert!(render.status.success(), "rsvg-convert failed: {render:?}");
    // zbarimg prints D-Bus noise on stderr even when it succeeds, so only stdout counts.
    let scan = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&png_path)
        .output()
        .expect("zbarimg is required: apt-get install zbar-tools");
    assert!(scan.status.success(), "zbarimg found no QR code: {scan:?}");
    String::from_utf8(scan.stdout)
        .expect("QR text is UTF-8")
        .trim_end_matches('\n')
        .to_owned()
}

/// The parts of an `otpauth://totp/...` URI that authenticator apps read.
pub struct OtpauthUri {
    pub label: String,
    pub secret: String,
    pub issuer: String,
    pub algorithm: String,
    pub digits: String,
    pub period: String,
}

pub fn parse_otpauth(uri: &str) -> OtpauthUri {
    let url = Url::parse(uri).unwrap_or_else(|e| panic!("not a URI ({e}): {uri}"));
    assert_eq!(url.scheme(), "otpauth", "{uri}");
    assert_eq!(url.host_str(), Some("totp"), "{uri}");
    let query = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("{key} missing from {uri}"))
    };
    let path = url.path().trim_start_matches('/');
    let label = percent_decode(path);
    OtpauthUri {
        label,
        secret: query("secret"),
        issuer: query("issuer"),
        algorithm: query("algorithm"),
        digits: query("digits"),
        period: query("period"),
    }
}

fn percent_decode(s: &str) -> String {
    // Reuse the url crate's form decoder on a path segment with `+` protected, since a label
    // is percent-encoded and a literal `+` in it is a plus, not a space.
    let protected = s.replace('+', "%2B");
    url::form_urlencoded::parse(format!("x={protected}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[test]
fn oathtool_reproduces_the_rfc_6238_sha1_vectors_as_six_digit_codes() {
    // RFC 6238 Appendix B seed "12345678901234567890" in base32; the 6-digit codes are the low
    // six digits of the 8-digit vectors.
    let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let vectors = [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_111_111_111, "050471"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
        (20_000_000_000, "353130"),
    ];
    for (time, expected) in vectors {
        assert_eq!(totp_at(seed, time), expected, "T = {time}");
    }
}

#[test]
fn the_otpauth_parser_decodes_the_label_and_keeps_a_literal_plus() {
    let uri = "otpauth://totp/Borg%20Backup%20Server:a%2Bb?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
               &issuer=Borg%20Backup%20Server&algorithm=SHA1&digits=6&period=30";
    let parsed = parse_otpauth(uri);
    assert_eq!(parsed.label, "Borg Backup Server:a+b");
    assert_eq!(parsed.issuer, "Borg Backup Server");
    assert_eq!(parsed.secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(
        (parsed.algorithm.as_str(), parsed.digits.as_str()),
        ("SHA1", "6")
    );
    assert_eq!(parsed.period, "30");
}
