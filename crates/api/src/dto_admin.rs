//! Bodies of the admin API (`/api/admin`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{rfc3339, EventView, TwoFactorView};
use crate::service::admin::UserSummary;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 1 to 64 characters of one script, no control characters or unusual spaces. Compared
    /// ignoring case and width (NFKC); a name that looks like an existing one (UTS #39
    /// confusables: `ВОВ` beside `bob`) counts as taken.
    pub username: String,
    pub password: String,
    /// Defaults to false.
    #[serde(default)]
    pub is_admin: bool,
    /// Required when `is_admin` is true (and refused otherwise): the creating administrator's
    /// own password, and a current code when their own 2FA is on.
    #[serde(default)]
    pub confirm: Option<AdminStepUpRequest>,
}

/// The acting administrator confirms an action that takes protection away from another account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminStepUpRequest {
    /// The administrator's own password.
    pub password: String,
    /// A current 6-digit code from the administrator's authenticator: required when their own
    /// account has two-factor authentication on, refused when it has not.
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminUserView {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    /// A disabled user cannot sign in and has no sessions.
    pub disabled: bool,
    /// RFC 3339 UTC.
    pub disabled_at: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub two_factor: TwoFactorView,
}

impl From<&UserSummary> for AdminUserView {
    fn from(s: &UserSummary) -> Self {
        AdminUserView {
            id: s.user.id,
            username: s.user.username.clone(),
            is_admin: s.user.is_admin,
            disabled: s.user.disabled_at.is_some(),
            disabled_at: s.user.disabled_at.map(rfc3339),
            created_at: rfc3339(s.user.created_at),
            two_factor: TwoFactorView {
                enabled: s.two_factor_enabled,
                enabled_at: s.two_factor_enabled_at.map(rfc3339),
                recovery_codes_remaining: s.recovery_codes_remaining,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AdminUsersResponse {
    pub users: Vec<AdminUserView>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminUserResponse {
    pub user: AdminUserView,
}

#[derive(Serialize, ToSchema)]
pub struct AdminEventsResponse {
    pub events: Vec<EventView>,
}
