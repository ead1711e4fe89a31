//! Error types of the core, in domain words only: the API crate maps them to HTTP.

use thiserror::Error;

/// A TOTP secret could not be built from the given bytes or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SecretError {
    /// The key is shorter than 16 or longer than 64 bytes.
    #[error("secret must be 16 to 64 bytes long")]
    InvalidLength,
    /// The text is not RFC 4648 base32 (after removing spaces and `=` padding).
    #[error("secret is not valid base32")]
    InvalidBase32,
}

/// A typed TOTP or recovery code is not in the accepted format; no cryptography was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CodeFormatError {
    /// The input is longer than any well-formed code could be.
    #[error("code is too long")]
    TooLong,
    /// The input has the wrong number of characters after normalisation.
    #[error("code has the wrong length")]
    WrongLength,
    /// The input contains a character outside the code's alphabet.
    #[error("code contains an invalid character")]
    InvalidCharacter,
}

/// A QR code could not be produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum QrError {
    /// The text does not fit in the largest QR code at medium error correction.
    #[error("text too long for a QR code")]
    TooLong,
}

/// A sealed blob could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SealError {
    /// The blob is too short to hold a nonce and a tag.
    #[error("sealed blob is malformed")]
    Malformed,
    /// Authentication failed: wrong key, wrong user id, or tampered data.
    #[error("sealed blob failed authentication")]
    Unauthentic,
    /// The blob decrypted, but the content is not a valid secret.
    #[error("sealed blob holds an invalid secret")]
    InvalidSecret,
}

/// A password was refused by the policy or could not be hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordError {
    /// Fewer than 8 characters.
    #[error("password must have at least 8 characters")]
    TooShort,
    /// More than 256 characters.
    #[error("password must have at most 256 characters")]
    TooLong,
    /// One character repeated, or a run like `12345678` or `hgfedcba` (NIST SP 800-63B
    /// §5.1.1.2: "repetitive or sequential characters").
    #[error("password is one character repeated or a sequence")]
    Repetitive,
    /// The password hasher failed (never expected with the fixed parameters).
    #[error("password hashing failed")]
    Hash,
}
