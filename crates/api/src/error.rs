//! The one API error type, its stable machine codes, and the single mapping to HTTP.
//! Internal details are logged here and never sent to the client.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Stable, snake_case error codes. Never reuse one for another meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    InvalidCodeFormat,
    UnsupportedMediaType,
    PayloadTooLarge,
    Unauthenticated,
    InvalidCredentials,
    InvalidCode,
    /// 401 at enrolment only: the code is wrong now but right for a time up to 10 minutes away,
    /// so the device clock is off by `drift_seconds`. Counts as a wrong code.
    ClockDrift,
    TotpReplayed,
    ChallengeInvalid,
    Forbidden,
    /// 403: the 2FA policy's deadline has passed and this user has not enrolled yet.
    EnrollmentRequired,
    CrossOrigin,
    NotFound,
    MethodNotAllowed,
    TotpAlreadyEnabled,
    TotpNotEnabled,
    NoPendingEnrollment,
    EnrollmentExpired,
    SetupDone,
    UsernameTaken,
    WeakPassword,
    TooManyAttempts,
    AccountLocked,
    Overloaded,
    Internal,
}

/// `{"error": {"code": "...", "message": "..."}}`
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// Human-readable; may change between versions. Match on `code`.
    pub message: String,
    /// Only with `clock_drift`: how far the device clock is from the server's, in seconds
    /// (a multiple of 30); positive when the device is ahead.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = 210)]
    pub drift_seconds: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("a code is 6 digits (spaces allowed); a recovery code (XXXX-XXXX-XXXX-XXXX) goes in `recovery_code`")]
    InvalidCodeFormat,
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("you are not signed in")]
    Unauthenticated,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("the code is not correct")]
    InvalidCode,
    #[error("{}", drift_message(*drift_seconds))]
    ClockDrift { drift_seconds: i64 },
    #[error("this code was already used; wait for the next one")]
    TotpReplayed,
    #[error("the sign-in attempt has expired or is no longer valid; sign in again")]
    ChallengeInvalid,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("two-factor authentication is required for your account; set it up to continue")]
    EnrollmentRequired,
    #[error("cross-origin request refused")]
    CrossOrigin,
    #[error("this server is not addressed as localhost or its bind address; set TWOFA_PUBLIC_ORIGIN to the URL it is served under")]
    UnlistedHost,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("two-factor authentication is already enabled")]
    TotpAlreadyEnabled,
    #[error("two-factor authentication is not enabled")]
    TotpNotEnabled,
    #[error("there is no pending two-factor enrollment; start again")]
    NoPendingEnrollment,
    #[error("the two-factor enrollment has expired; start again")]
    EnrollmentExpired,
    #[error("setup is already done")]
    SetupDone,
    #[error("this username is taken")]
    UsernameTaken,
    #[error("{0}")]
    WeakPassword(String),
    #[error("too many attempts; try again later")]
    TooManyAttempts { retry_after: u64 },
    #[error("too many wrong codes; the account is locked for a while")]
    AccountLocked { retry_after: u64 },
    #[error("the server is busy; try again shortly")]
    Overloaded { retry_after: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(err.into())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::InvalidRequest(_) => ErrorCode::InvalidRequest,
            ApiError::InvalidCodeFormat => ErrorCode::InvalidCodeFormat,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            ApiError::Unauthenticated => ErrorCode::Unauthenticated,
            ApiError::InvalidCredentials => ErrorCode::InvalidCredentials,
            ApiError::InvalidCode => ErrorCode::InvalidCode,
            ApiError::ClockDrift { .. } => ErrorCode::ClockDrift,
            ApiError::TotpReplayed => ErrorCode::TotpReplayed,
            ApiError::ChallengeInvalid => ErrorCode::ChallengeInvalid,
            ApiError::Forbidden => ErrorCode::Forbidden,
            ApiError::EnrollmentRequired => ErrorCode::EnrollmentRequired,
            ApiError::CrossOrigin | ApiError::UnlistedHost => ErrorCode::CrossOrigin,
            ApiError::NotFound => ErrorCode::NotFound,
            ApiError::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            ApiError::TotpAlreadyEnabled => ErrorCode::TotpAlreadyEnabled,
            ApiError::TotpNotEnabled => ErrorCode::TotpNotEnabled,
            ApiError::NoPendingEnrollment => ErrorCode::NoPendingEnrollment,
            ApiError::EnrollmentExpired => ErrorCode::EnrollmentExpired,
            ApiError::SetupDone => ErrorCode::SetupDone,
            ApiError::UsernameTaken => ErrorCode::UsernameTaken,
            ApiError::WeakPassword(_) => ErrorCode::WeakPassword,
            ApiError::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            ApiError::AccountLocked { .. } => ErrorCode::AccountLocked,
            ApiError::Overloaded { .. } => ErrorCode::Overloaded,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooManyAttempts { retry_after }
            | ApiError::AccountLocked { retry_after }
            | ApiError::Overloaded { retry_after } => Some((*retry_after).max(1)),
            _ => None,
        }
    }

    fn drift_seconds(&self) -> Option<i64> {
        match self {
            ApiError::ClockDrift { drift_seconds } => Some(*drift_seconds),
            _ => None,
        }
    }
}

/// "The code matches a time 3 min 30 s ahead of this server: ..." for a drift in seconds.
fn drift_message(drift_seconds: i64) -> String {
    let direction = if drift_seconds >= 0 {
        "ahead of"
    } else {
        "behind"
    };
    let secs = drift_seconds.unsigned_abs();
    let (min, sec) = (secs / 60, secs % 60);
    let amount = match (min, sec) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    };
    format!(
        "The code matches a time {amount} {direction} this server: set your phone's clock to \
         automatic (Google Authenticator on Android: Settings → Time correction for codes), \
         then enter the new code"
    )
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidRequest | ErrorCode::InvalidCodeFormat | ErrorCode::WeakPassword => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Unauthenticated
            | ErrorCode::InvalidCredentials
            | ErrorCode::InvalidCode
            | ErrorCode::ClockDrift
            | ErrorCode::TotpReplayed
            | ErrorCode::ChallengeInvalid => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::CrossOrigin | ErrorCode::EnrollmentRequired => {
                StatusCode::FORBIDDEN
            }
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::TotpAlreadyEnabled
            | ErrorCode::TotpNotEnabled
            | ErrorCode::NoPendingEnrollment
            | ErrorCode::SetupDone
            | ErrorCode::UsernameTaken => StatusCode::CONFLICT,
            ErrorCode::EnrollmentExpired => StatusCode::GONE,
            ErrorCode::TooManyAttempts | ErrorCode::AccountLocked => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Builds the JSON error response for a code and message (also used outside `ApiError`).
pub fn error_response(code: ErrorCode, message: String) -> HttpResponse {
    detail_response(ErrorDetail {
        code,
        message,
        drift_seconds: None,
    })
}

fn detail_response(detail: ErrorDetail) -> HttpResponse {
    let mut response = HttpResponse::build(detail.code.status()).json(ErrorBody { error: detail });
    crate::security_headers::set_api_headers(response.headers_mut());
    response
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(err) = self {
            tracing::error!(error = format!("{err:#}"), "internal error");
        }
        let mut response = detail_response(ErrorDetail {
            code: self.code(),
            message: self.to_string(),
            drift_seconds: self.drift_seconds(),
        });
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let ApiError::MethodNotAllowed { allow } = self {
            if let Ok(value) = HeaderValue::from_str(allow) {
                headers.insert(header::ALLOW, value);
            }
        }
        if matches!(self, ApiError::Unauthenticated) {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &err {
            // PostgreSQL aborted the transaction to break a lock cycle (40P01) or a serialization
            // conflict (40001): nothing was written, and the same request sent again succeeds.
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Overloaded { retry_after: 1 }
            }
            Error::DatabaseError(_, info) if info.message().starts_with("deadlock detected") => {
                tracing::warn!(
                    "database deadlock broken by the server; the request may be retried"
                );
                ApiError::Overloaded { retry_after: 1 }
            }
            _ => ApiError::internal(err),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    struct Info(&'static str);

    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    #[test]
    fn a_broken_deadlock_or_serialization_conflict_asks_for_a_retry() {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        let deadlock = Error::DatabaseError(Kind::Unknown, Box::new(Info("deadlock detected")));
        let conflict = Error::DatabaseError(
            Kind::SerializationFailure,
            Box::new(Info("could not serialize access")),
        );
        for err in [deadlock, conflict] {
            let response = ApiError::from(err).error_response();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(response.headers().get("retry-after").unwrap(), "1");
        }
        let other = Error::DatabaseError(Kind::Unknown, Box::new(Info("disk full")));
        assert_eq!(
            ApiError::from(other).error_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn throttling_errors_carry_retry_after_and_429() {
        let response = ApiError::TooManyAttempts { retry_after: 42 }.error_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "42");
    }

    #[test]
    fn clock_drift_carries_drift_seconds_and_says_which_way() {
        let ahead = ApiError::ClockDrift { drift_seconds: 210 };
        assert_eq!(ahead.status_code(), StatusCode::UNAUTHORIZED);
        assert!(ahead
            .to_string()
            .starts_with("The code matches a time 3 min 30 s ahead of this server"));
        let behind = ApiError::ClockDrift {
            drift_seconds: -120,
        };
        assert!(behind
            .to_string()
            .starts_with("The code matches a time 2 min behind this server"));
        let body = serde_json::to_value(ErrorDetail {
            code: ahead.code(),
            message: String::new(),
            drift_seconds: ahead.drift_seconds(),
        })
        .unwrap();
        assert_eq!(body["code"], "clock_drift");
        assert_eq!(body["drift_seconds"], 210);
        let plain = serde_json::to_value(ErrorDetail {
            code: ErrorCode::InvalidCode,
            message: String::new(),
            drift_seconds: None,
        })
        .unwrap();
        assert!(plain.get("drift_seconds").is_none(), "{plain}");
    }

    #[test]
    fn codes_serialise_as_snake_case() {
        let json = serde_json::to_string(&ErrorCode::TotpAlreadyEnabled).unwrap();
        assert_eq!(json, "\"totp_already_enabled\"");
        assert_eq!(ErrorCode::EnrollmentExpired.status(), StatusCode::GONE);
    }
}
