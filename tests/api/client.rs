//! One HTTP client per simulated user agent: a browser (own cookie jar, sends `Origin`),
//! a mobile app (bearer token, no cookies), or a replay of a stolen cookie.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, ORIGIN};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};
use url::Url;

pub const SESSION_COOKIE: &str = "twofa_session";

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    origin: Option<String>,
    bearer: Option<String>,
    cookie: Option<String>,
    jar: Option<Arc<Jar>>,
}

impl Client {
    /// A browser: its own cookie jar and `Origin` = the server's origin on every request.
    pub fn browser(base: &Url) -> Self {
        let jar = Arc::new(Jar::default());
        let http = http_builder()
            .cookie_provider(jar.clone())
            .build()
            .expect("reqwest client");
        Self {
            http,
            base: base.clone(),
            origin: Some(origin_of(base)),
            bearer: None,
            cookie: None,
            jar: Some(jar),
        }
    }

    /// A non-browser client: `Authorization: Bearer`, no cookies, no `Origin`.
    pub fn bearer(base: &Url, token: &str) -> Self {
        Self {
            bearer: Some(token.to_owned()),
            origin: None,
            ..Self::bare(base)
        }
    }

    /// Sends exactly this session cookie (and the right `Origin`), never storing new ones.
    pub fn with_cookie(base: &Url, session_id: &str) -> Self {
        Self {
            cookie: Some(format!("{SESSION_COOKIE}={session_id}")),
            origin: Some(origin_of(base)),
            ..Self::bare(base)
        }
    }

    /// No jar, no `Origin`, no credentials: for hand-made requests.
    pub fn bare(base: &Url) -> Self {
        Self {
            http: http_builder().build().expect("reqwest client"),
            base: base.clone(),
            origin: None,
            bearer: None,
            cookie: None,
            jar: None,
        }
    }

    /// The same user agent (same jar) claiming another `Origin`, or none.
    pub fn with_origin(&self, origin: Option<&str>) -> Self {
        Self {
            origin: origin.map(str::to_owned),
            ..self.clone()
        }
    }

    /// A request with this client's credentials and `Origin` already attached.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = self.base.join(path).expect("path joins the base URL");
        let mut req = self.http.request(method, url);
        if let Some(origin) = &self.origin {
            req = req.header(ORIGIN, origin);
        }
        if let Some(token) = &self.bearer {
            req = req.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(cookie) = &self.cookie {
            req = req.header(COOKIE, cookie);
        }
        req
    }

    pub async fn get(&self, path: &str) -> Response {
        send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        send(self.request(Method::POST, path).json(&body)).await
    }

    /// A POST with exactly these bytes and this `Content-Type` (none when `None`).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Response {
        let mut req = self.request(Method::POST, path).body(body);
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        send(req).await
    }

    pub async fn setup(&self, username: &str, password: &str) -> Response {
        self.post(
            "/api/setup",
            json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/api/login",
            json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn login_for_token(&self, username: &str, password: &str) -> Response {
        let body = json!({"username": username, "password": password, "token": true});
        self.post("/api/login", body).await
    }

    pub async fn challenge_with_code(&self, challenge_id: &str, code: &str) -> Response {
        let body = json!({"challenge_id": challenge_id, "code": code});
        self.post("/api/login/challenge", body).await
    }

    pub async fn challenge_with_recovery_code(&self, challenge_id: &str, code: &str) -> Response {
        let body = json!({"challenge_id": challenge_id, "recovery_code": code});
        self.post("/api/login/challenge", body).await
    }

    pub async fn challenge_for_token(&self, challenge_id: &str, code: &str) -> Response {
        let body = json!({"challenge_id": challenge_id, "code": code, "token": true});
        self.post("/api/login/challenge", body).await
    }

    pub async fn logout(&self) -> Response {
        send(self.request(Method::POST, "/api/logout")).await
    }

    pub async fn me(&self) -> Response {
        self.get("/api/me").await
    }

    pub async fn enable(&self, password: &str) -> Response {
        self.post("/api/2fa/enable", json!({"password": password}))
            .await
    }

    pub async fn verify(&self, code: &str) -> Response {
        self.post("/api/2fa/verify", json!({"code": code})).await
    }

    pub async fn disable_with_code(&self, password: &str, code: &str) -> Response {
        self.post(
            "/api/2fa/disable",
            json!({"password": password, "code": code}),
        )
        .await
    }

    pub async fn disable_with_recovery_code(&self, password: &str, code: &str) -> Response {
        let body = json!({"password": password, "recovery_code": code});
        self.post("/api/2fa/disable", body).await
    }

    pub async fn regenerate_recovery_codes(&self, password: &str, code: &str) -> Response {
        let body = json!({"password": password, "code": code});
        self.post("/api/2fa/recovery-codes", body).await
    }

    /// Password step for a user with 2FA: asserts `2fa_required` and returns the challenge id.
    pub async fn start_challenge(&self, username: &str, password: &str) -> String {
        let body = expect_json(self.login(username, password).await, 200).await;
        assert_eq!(body["status"], "2fa_required", "login body: {body}");
        assert_eq!(body["expires_in"], 300, "login body: {body}");
        body["challenge_id"]
            .as_str()
            .expect("challenge_id is a string")
            .to_owned()
    }

    /// Both steps with a TOTP code; asserts a full session.
    pub async fn sign_in(&self, username: &str, password: &str, code: &str) {
        let challenge = self.start_challenge(username, password).await;
        let body = expect_json(self.challenge_with_code(&challenge, code).await, 200).await;
        assert_eq!(body["status"], "authenticated", "challenge body: {body}");
    }

    /// The session id the jar holds now, if any.
    pub fn session_cookie(&self) -> Option<String> {
        let header = self.jar.as_ref()?.cookies(&self.base)?;
        let header = header.to_str().expect("cookie header is ASCII").to_owned();
        header.split("; ").find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            name.ends_with(SESSION_COOKIE).then(|| value.to_owned())
        })
    }
}

/// The JSON body of a response that must have this status.
pub async fn expect_json(resp: Response, status: u16) -> Value {
    let got = resp.status().as_u16();
    let text = resp.text().await.expect("response body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"))
}

/// Asserts the error envelope `{"error":{"code":..,"message":..}}` with this status and code.
pub async fn assert_error(resp: Response, status: u16, code: &str) -> Value {
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let body = expect_json(resp, status).await;
    assert_eq!(body["error"]["code"], code, "error body: {body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "error message is empty: {body}");
    let content_type = content_type.unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "error content type {content_type:?}"
    );
    body
}

/// No connection reuse: a POST sent on a kept-alive connection just as the server closes it
/// fails without a retry, which made tests flaky on a loaded machine.
fn http_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().pool_max_idle_per_host(0)
}

fn origin_of(base: &Url) -> String {
    base.origin().ascii_serialization()
}

async fn send(req: RequestBuilder) -> Response {
    req.send().await.expect("the server answers")
}
