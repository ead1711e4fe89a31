//! Enrolment artefacts: the `otpauth://` URI an authenticator app imports, and that URI as a
//! QR code in SVG. Parameters are fixed at SHA1 / 6 / 30 because the common apps ignore
//! anything else (checklist items 5, 8, 9).

use std::fmt::Write;

use qrcodegen::{QrCode, QrCodeEcc};

use crate::error::QrError;
use crate::secret::Secret;

/// Quiet zone around the QR symbol, in modules (ISO/IEC 18004 minimum for QR is 4).
const QUIET_ZONE: i32 = 4;

/// `otpauth://totp/{Issuer}:{account}?secret=..&issuer=..&algorithm=SHA1&digits=6&period=30`.
///
/// Issuer and account are percent-encoded per RFC 3986 over UTF-8: everything but the
/// unreserved characters is encoded, so a space is `%20` (never `+`) and a `:` inside either
/// part is `%3A`, leaving the label's one literal `:` as the separator.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &Secret) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
         &algorithm=SHA1&digits=6&period=30",
        account = percent_encode(account),
        secret = secret.to_base32(),
    )
}

/// RFC 3986 §2.3 unreserved characters pass; every other UTF-8 byte becomes `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `text` as a QR code (medium error correction) in a self-contained SVG: white background,
/// 4-module quiet zone, one path for the dark modules, and a `viewBox` so it scales.
pub fn qr_svg(text: &str) -> Result<String, QrError> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|_| QrError::TooLong)?;
    let size = qr.size();
    let dim = size + 2 * QUIET_ZONE;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE);
            }
        }
    }
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 {dim} {dim}\" \
         shape-rendering=\"crispEdges\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n\
         <path d=\"{path}\" fill=\"#000000\"/>\n\
         </svg>\n"
    ))
}
