//! The QR SVG decodes to exactly the URI: rendered with `rsvg-convert` (librsvg2-bin) and
//! read with `zbarimg` (zbar-tools). The tools are required: missing tools fail the test.

mod common;

use std::path::PathBuf;
use std::process::Command;

use twofa_core::{otpauth_uri, qr_svg, QrError, Secret};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("twofa-core-qr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn decode_svg(svg: &str, name: &str) -> String {
    let svg_path = scratch(&format!("{name}.svg"));
    let png_path = scratch(&format!("{name}.png"));
    std::fs::write(&svg_path, svg).unwrap();
    let status = Command::new("rsvg-convert")
        .args(["-w", "600", "-h", "600", "-o"])
        .arg(&png_path)
        .arg(&svg_path)
        .status()
        .expect("rsvg-convert must be installed (apt-get install -y librsvg2-bin)");
    assert!(status.success(), "rsvg-convert failed");
    // zbarimg prints harmless D-Bus noise on stderr; only stdout matters.
    let out = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&png_path)
        .output()
        .expect("zbarimg must be installed (apt-get install -y zbar-tools)");
    assert!(out.status.success(), "zbarimg found no code: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

#[test]
fn qr_svg_of_the_otpauth_uri_decodes_to_exactly_the_uri() {
    let secret = Secret::generate(&mut common::rng(21));
    for (i, (issuer, account)) in [
        ("Borg Backup", "alice@example.com"),
        ("Borg: Backup & Co #1 + Zoë", "alice+test@example.com"),
        ("Zoë", "x&y#z% a:b"),
    ]
    .into_iter()
    .enumerate()
    {
        let uri = otpauth_uri(issuer, account, &secret);
        let svg = qr_svg(&uri).unwrap();
        assert_eq!(decode_svg(&svg, &format!("uri{i}")), uri);
    }
}

#[test]
fn svg_is_scalable_with_white_background_and_quiet_zone() {
    let svg = qr_svg("otpauth://totp/A:b?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
    assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("fill=\"#FFFFFF\""));
    // The smallest symbol for this text at ECC M is version 4 (33 modules) + 2 * 4 quiet zone.
    assert!(svg.contains("viewBox=\"0 0 41 41\""), "{svg}");
    // No dark module inside the quiet zone: every path segment starts at x, y >= 4.
    let path = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
    for segment in path.split('M').skip(1) {
        let coords = segment.split('h').next().unwrap();
        let (x, y) = coords.split_once(',').unwrap();
        let (x, y): (i32, i32) = (x.parse().unwrap(), y.parse().unwrap());
        assert!((4..37).contains(&x) && (4..37).contains(&y), "{segment}");
    }
}

#[test]
fn text_too_long_for_any_qr_code_is_an_error() {
    assert_eq!(qr_svg(&"x".repeat(5_000)), Err(QrError::TooLong));
}
