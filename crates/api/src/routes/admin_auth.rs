//! Who may call `/api/admin`: a signed-in administrator (403 `forbidden` for anyone else, whatever
//! the request body holds), and how an administrator's confirmation becomes an `Authority`.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::auth::CurrentUser;
use crate::dto_admin::AdminStepUpRequest;
use crate::error::ApiError;
use crate::service::step_up::{Authority, StepUp};

/// A signed-in administrator.
pub struct Admin(pub CurrentUser);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let current = CurrentUser::from_request(req, payload);
        Box::pin(async move {
            let current = current.await?;
            if !current.user.is_admin {
                return Err(ApiError::Forbidden);
            }
            Ok(Admin(current))
        })
    }
}

impl Admin {
    /// The administrator, confirmed by what they typed (checked by `step_up::confirmed`).
    pub fn confirmed_by(&self, body: AdminStepUpRequest) -> Authority<'_> {
        Authority::Confirmed {
            admin: &self.0.user,
            step_up: StepUp {
                password: body.password,
                code: body.code,
            },
        }
    }
}

/// An administrator's JSON body, read only once the caller is known to be an administrator: the
/// body's errors (400, 413, 415) never come before the caller's 401 or 403.
pub struct AdminJson<T>(pub Admin, pub T);

impl<T: DeserializeOwned + 'static> FromRequest for AdminJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let admin = Admin::from_request(req, payload);
        // Created now (it takes the payload) but polled only after the administrator check.
        let body = web::Json::<T>::from_request(req, payload);
        Box::pin(async move {
            let admin = admin.await?;
            let body = body.await?;
            Ok(AdminJson(admin, body.into_inner()))
        })
    }
}
