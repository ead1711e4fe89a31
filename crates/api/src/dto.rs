//! Request and response bodies of the JSON API (DESIGN §3a field names). Requests refuse
//! unknown fields; secrets in requests are plain `String`s that never reach a log line.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::users::UserRow;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// 1 to 64 characters of one script, no control characters or unusual spaces. Compared
    /// ignoring case and width (NFKC); a name that looks like an existing one (UTS #39
    /// confusables: `ВОВ` beside `bob`) counts as taken.
    pub username: String,
    pub password: String,
}

/// Whether first-run setup is still open.
#[derive(Serialize, ToSchema)]
pub struct SetupStatus {
    /// True only while no user exists.
    pub needed: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Ask for a bearer token in the body instead of the session cookie.
    #[serde(default)]
    pub token: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    pub challenge_id: String,
    /// 6-digit TOTP code (spaces allowed). Send this or `recovery_code`.
    #[serde(default)]
    pub code: Option<String>,
    /// Recovery code, e.g. `ABCD-EFGH-JKMN-PQRS` (case and dashes ignored).
    #[serde(default)]
    pub recovery_code: Option<String>,
    #[serde(default)]
    pub token: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnableRequest {
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableRequest {
    pub password: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegenerateRequest {
    pub password: String,
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
}

impl From<&UserRow> for UserView {
    fn from(row: &UserRow) -> Self {
        UserView {
            id: row.id,
            username: row.username.clone(),
            is_admin: row.is_admin,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    pub user: UserView,
}

#[derive(Serialize, ToSchema)]
#[serde(tag = "status")]
pub enum LoginResponse {
    #[serde(rename = "authenticated")]
    Authenticated {
        user: UserView,
        /// Present only when the request asked for `token: true`.
        #[serde(skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
    #[serde(rename = "2fa_required")]
    TwoFactorRequired {
        /// Opaque; send it to `/api/login/challenge`.
        challenge_id: String,
        /// Seconds until the challenge expires.
        expires_in: i64,
    },
}

#[derive(Serialize, ToSchema)]
pub enum AuthenticatedStatus {
    #[serde(rename = "authenticated")]
    Authenticated,
}

#[derive(Serialize, ToSchema)]
pub struct ChallengeResponse {
    pub status: AuthenticatedStatus,
    pub user: UserView,
    pub recovery_codes_remaining: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TwoFactorView {
    pub enabled: bool,
    /// RFC 3339 UTC.
    pub enabled_at: Option<String>,
    pub recovery_codes_remaining: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub two_factor: TwoFactorView,
    pub policy: TwoFactorPolicyView,
}

/// The 2FA policy as it applies to this user (`TWOFA_REQUIRE_2FA`).
#[derive(Serialize, ToSchema)]
pub struct TwoFactorPolicyView {
    /// The policy requires 2FA for this user.
    pub required: bool,
    /// RFC 3339 UTC: from then on, without 2FA only enrolment is allowed. Null when not required.
    pub deadline: Option<String>,
    /// The deadline has passed and 2FA is off: other calls answer 403 `enrollment_required`.
    pub enrollment_required: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EnableResponse {
    /// Base32 (RFC 4648, no padding) for manual entry.
    pub secret: String,
    pub otpauth_uri: String,
    /// The otpauth URI as an SVG QR code.
    pub qr_svg: String,
    /// Seconds until the pending enrollment expires.
    pub expires_in: i64,
    /// The server's time (RFC 3339 UTC), so a user can compare it with their phone's clock:
    /// codes depend on both agreeing within about 30 seconds.
    #[schema(example = "2026-12-04T11:35:00Z")]
    pub server_time: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesResponse {
    /// Shown once; store them somewhere safe.
    pub recovery_codes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DisableResponse {
    pub two_factor: TwoFactorView,
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    /// RFC 3339 UTC.
    pub at: String,
    pub event: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventsResponse {
    pub events: Vec<EventView>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Unique among sessions of one `kind` (browser sessions and tokens may be numbered apart).
    pub id: i64,
    /// `cookie` or `bearer`.
    pub kind: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsResponse {
    pub sessions: Vec<SessionView>,
}

#[derive(Serialize, ToSchema)]
pub struct RevokedResponse {
    pub revoked: u64,
}

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok` or `unavailable`.
    pub status: String,
    /// `ok` or `unreachable`.
    pub database: String,
    /// `/api/ready` with the Redis session store (`TWOFA_SESSION_STORE`) only: `ok` or
    /// `unreachable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_store: Option<String>,
}

/// RFC 3339 UTC with a `Z`, second precision.
pub fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_responses_carry_the_contract_status_values() {
        let json = serde_json::to_value(LoginResponse::TwoFactorRequired {
            challenge_id: "x".into(),
            expires_in: 300,
        })
        .unwrap();
        assert_eq!(json["status"], "2fa_required");
        assert_eq!(json["expires_in"], 300);
        let json = serde_json::to_value(LoginResponse::Authenticated {
            user: UserView {
                id: 1,
                username: "a".into(),
                is_admin: true,
            },
            token: None,
        })
        .unwrap();
        assert_eq!(json["status"], "authenticated");
        assert!(json.get("token").is_none());
    }

    #[test]
    fn requests_refuse_unknown_fields_and_numbers_for_codes() {
        assert!(serde_json::from_str::<VerifyRequest>(r#"{"code":"123456","x":1}"#).is_err());
        assert!(serde_json::from_str::<VerifyRequest>(r#"{"code":123456}"#).is_err());
        assert!(serde_json::from_str::<VerifyRequest>(r#"{"code":"1","code":"2"}"#).is_err());
    }

    #[test]
    fn timestamps_are_utc_with_z() {
        assert_eq!(rfc3339(1_111_111_109), "2005-03-18T01:58:29Z");
    }
}
