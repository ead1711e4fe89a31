//! Building the server: keys, database, state, middleware and routes; binds the listener itself
//! so port 0 works.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::SessionMiddleware;
use actix_web::cookie::{time::Duration, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::clock::SharedClock;
use crate::db::{challenges, sessions, Db};
use crate::json::{self, AllowTable};
use crate::keys::{self, Keys};
use crate::service::hashing::HashGate;
use crate::session_store::{AnyStore, DbSessionStore, RedisSessionStore};
use crate::settings::Settings;
use crate::state::AppState;
use crate::{openapi, origin, routes, security_headers, telemetry};

const BLOCKING_THREADS_PER_WORKER: usize = 8;

pub fn cookie_name(settings: &Settings) -> String {
    if settings.https() {
        "__Host-twofa_session".into()
    } else {
        "twofa_session".into()
    }
}

pub struct Application {
    server: Server,
    addr: SocketAddr,
    state: web::Data<AppState>,
    heartbeat: Arc<crate::instance::Heartbeat>,
}

/// Opens (creating when needed) the data dir and database, loads and checks the key.
pub async fn prepare(settings: &Settings) -> anyhow::Result<(Db, Keys)> {
    create_data_dir(settings)?;
    let master = keys::load_master_key(settings)?;
    let mut keys = Keys::from_master(&master);
    let url = settings.database_url();
    let db = tokio::task::spawn_blocking(move || Db::connect(&url))
        .await
        .context("database setup panicked")??;
    keys::check_against_database(&db, &keys)?;
    crate::keys_rotate::apply_stored_lookup_key(&db, &mut keys)?;
    Ok((db, keys))
}

fn create_data_dir(settings: &Settings) -> anyhow::Result<()> {
    let dir = &settings.data_dir;
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    Ok(())
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // Before any side effect: a taken port must not leave a key file or a migrated
        // database behind (an operator retrying on another port would keep that key).
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let addr = listener.local_addr()?;
        let (db, keys) = prepare(&settings).await?;
        let heartbeat = Arc::new(crate::instance::Heartbeat::new());
        heartbeat
            .beat(&db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot write the instance heartbeat: {e}"))?;
        #[cfg(feature = "test-clock")]
        let test_clock = Arc::new(crate::clock::SettableClock::new());
        #[cfg(feature = "test-clock")]
        let clock: SharedClock = test_clock.clone();
        #[cfg(not(feature = "test-clock"))]
        let clock: SharedClock = Arc::new(crate::clock::SystemClock);

        let redis_sessions = match &settings.session_store {
            Some(url) => Some(
                RedisSessionStore::connect(url, &settings.session_store_prefix, clock.clone())
                    .await?,
            ),
            None => None,
        };
        let state = web::Data::new(AppState {
            db,
            clock,
            keys: Arc::new(keys),
            hashing: HashGate::per_core(),
            trusted_proxies: crate::request_id::parse_trusted(settings.trusted_proxies.as_deref())?,
            redis_sessions,
            settings,
            #[cfg(feature = "test-clock")]
            test_clock,
        });
        crate::service::policy::start(&state)?;
        crate::request_id::parse_trusted(state.settings.trusted_proxies.as_deref())?;
        routes::spa::warn_if_missing(&state.settings.static_dir);
        let doc = openapi::document();
        let allow = web::Data::new(AllowTable::from_openapi(&doc));
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            let state = app_state.clone();
            let settings = &state.settings;
            let store = match &state.redis_sessions {
                Some(redis) => AnyStore::Redis(redis.clone()),
                None => {
                    AnyStore::Database(DbSessionStore::new(state.db.clone(), state.clock.clone()))
                }
            };
            let session = SessionMiddleware::builder(store, state.keys.cookie.clone())
                .cookie_name(cookie_name(settings))
                .cookie_secure(settings.https())
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Strict)
                .cookie_path("/".into())
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(BrowserSession::default().state_ttl(Duration::hours(12)))
                .build();
            let static_dir = settings.static_dir.clone();
            let swagger = SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", doc.clone());
            App::new()
                .app_data(state.clone())
                .app_data(allow.clone())
                .app_data(json::json_config())
                .app_data(json::path_config())
                .app_data(json::query_config())
                // Innermost: everything outside still sees the HEAD the client sent.
                .wrap(from_fn(crate::head::head_as_get))
                // Inside the session middleware, so a refused request can be audited to its user.
                .wrap(from_fn(origin::origin_check))
                .wrap(session)
                .wrap(from_fn(json::json_errors))
                .wrap(from_fn(security_headers::security_headers))
                .wrap(from_fn(telemetry::request_log))
                .wrap(from_fn(crate::metrics::track))
                .wrap(from_fn(crate::request_id::request_id))
                .into_utoipa_app()
                .map(|app| app.service(swagger))
                .service(
                    utoipa_actix_web::scope("/api")
                        .configure(routes::configure)
                        .default_service(web::to(json::api_fallback)),
                )
                .into_app()
                .route("/metrics", web::get().to(crate::metrics::endpoint))
                .configure(|cfg| routes::spa::configure(cfg, &static_dir))
                .default_service(web::to(json::api_fallback))
        })
        // Every database call and hash runs on the blocking pool; a small pool keeps a flood
        // queued (bounded memory) instead of spawning hundreds of threads.
        .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER)
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Application {
            server,
            addr,
            state,
            heartbeat,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until SIGTERM/SIGINT (graceful), purging expired rows in the background.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state.clone();
        actix_web::rt::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tick.tick().await;
                let now = state.now();
                let purged = state
                    .db
                    .write(move |conn| {
                        let s = sessions::purge_expired(conn, now)?;
                        let c = challenges::purge_expired(conn, now - 3600)?;
                        Ok(s + c)
                    })
                    .await;
                if let Err(err) = purged {
                    tracing::warn!(error = %err, "purging expired sessions failed");
                }
            }
        });
        let heartbeat = self.heartbeat.clone();
        let (beat, db) = (heartbeat.clone(), self.state.db.clone());
        let beating = actix_web::rt::spawn(async move { beat.run(db).await });
        let served = self.server.await;
        beating.abort();
        if let Err(err) = heartbeat.end(&self.state.db).await {
            tracing::warn!(error = %err, "could not remove the instance heartbeat");
        }
        served
    }
}
