use std::sync::Arc;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::test;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::Value;

use vanban::api::AppState;
use vanban::auth::token::TokenKeys;
use vanban::config::Settings;
use vanban::db::{Conn, Db};

pub const PASSWORD: &str = "test-password-123";
pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares a test that runs once per backend.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[actix_web::test]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    };
}

fn postgres_admin_url() -> String {
    std::env::var("VANBAN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database that removes itself when dropped.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("vanban.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!("PostgreSQL is required for the tests ({admin}): {e}")
                });
                let name = format!("vanban_test_{}", uuid::Uuid::new_v4().simple());
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut conn) = PgConnection::establish(&postgres_admin_url()) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Response {
    /// Asserts the status (the body shown when it differs).
    pub fn status_is(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        self
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn etag(&self) -> String {
        self.header("etag").expect("an ETag header")
    }

    /// Asserts an RFC 9457 problem with this status and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "problem content type for {}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("/problems/")));
        &self.body
    }
}

type Reply = std::pin::Pin<
    Box<
        dyn std::future::Future<
            Output = Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error>,
        >,
    >,
>;

/// A login from a given client address (the peer the throttle sees).
pub async fn login_from(app: &TestApp, ip: &str, username: &str, password: &str) -> Response {
    let req = test::TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr(format!("{ip}:40000").parse().expect("an address"))
        .set_json(serde_json::json!({"username": username, "password": password}));
    app.send(req).await
}

pub struct TestApp {
    pub db: Db,
    _search: Arc<vanban::search::SearchIndex>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    service: Box<dyn Fn(actix_http::Request) -> Reply>,
    _testdb: TestDb,
}

pub struct Options {
    pub demo: bool,
    pub tweak: fn(&mut Settings),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            demo: true,
            tweak: |_| {},
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl TestApp {
    /// The app's search index.
    pub fn search_index(&self) -> &vanban::search::SearchIndex {
        &self._search
    }

    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, opts: Options) -> Self {
        let testdb = TestDb::new(backend);
        let mut settings = Settings::load(None).expect("default settings");
        settings.database.url = testdb.url.clone();
        settings.database.pool_size = 4;
        settings.server.json_limit_bytes = 64 * 1024;
        settings.server.upload_limit_bytes = 256 * 1024;
        (opts.tweak)(&mut settings);
        let db = Db::connect(&settings.database.url, settings.database.pool_size).expect("connect");
        db.migrate().expect("migrate");
        if opts.demo {
            let mut conn = db.get().expect("conn");
            vanban::db::write_transaction(&mut conn, |c| vanban::demo::load(c, PASSWORD))
                .expect("demo loads");
        }
        let keys = TokenKeys::new(SECRET, settings.auth.access_ttl_seconds);
        let search = Arc::new(vanban::search::SearchIndex::open(None).expect("search index"));
        search
            .catch_up(&mut db.get().expect("conn"))
            .expect("index the demo");
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        search.follow(
            db.clone(),
            std::time::Duration::from_millis(50),
            stop.clone(),
        );
        let state = Arc::new(AppState::new(settings, db.clone(), keys, search.clone()));
        let app =
            test::init_service(vanban::app::build(state.clone(), vanban::app::openapi())).await;
        let app = std::rc::Rc::new(app);
        let service = Box::new(move |req: actix_http::Request| {
            let app = app.clone();
            Box::pin(async move { app.call(req).await }) as Reply
        });
        let _ = backend;
        TestApp {
            db,
            _search: search,
            stop,
            service,
            _testdb: testdb,
        }
    }

    pub fn conn(&self) -> vanban::db::PooledConn {
        self.db.get().expect("connection")
    }

    /// Runs SQL directly on the database (to play the attacker or the crash).
    pub fn sql(&self, sql: &str) {
        let mut c = self.conn();
        match &mut *c {
            Conn::Postgresql(p) => p.batch_execute(sql),
            Conn::Sqlite(s) => s.batch_execute(sql),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    pub async fn send(&self, req: test::TestRequest) -> Response {
        let resp = match (self.service)(req.to_request()).await {
            Ok(r) => r,
            Err(e) => {
                let r = e.error_response();
                return to_response(ServiceResponse::new(
                    test::TestRequest::default().to_http_request(),
                    r,
                ))
                .await;
            }
        };
        to_response(resp).await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = test::TestRequest::default().method(method).uri(path);
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        if let Some(b) = body {
            req = req.set_json(b);
        }
        self.send(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(
        &self,
        path: &str,
        token: &str,
        etag: Option<&str>,
        body: Value,
    ) -> Response {
        let mut req = test::TestRequest::patch()
            .uri(path)
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            .set_json(body);
        if let Some(e) = etag {
            req = req.insert_header((header::IF_MATCH, e.to_owned()));
        }
        self.send(req).await
    }

    pub async fn delete(&self, path: &str, token: &str, etag: Option<&str>) -> Response {
        let mut req = test::TestRequest::delete()
            .uri(path)
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        if let Some(e) = etag {
            req = req.insert_header((header::IF_MATCH, e.to_owned()));
        }
        self.send(req).await
    }

    pub async fn post_with_etag(
        &self,
        path: &str,
        token: &str,
        etag: &str,
        body: Value,
    ) -> Response {
        let req = test::TestRequest::post()
            .uri(path)
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            .insert_header((header::IF_MATCH, etag.to_owned()))
            .set_json(body);
        self.send(req).await
    }

    pub async fn login_full(&self, username: &str) -> Value {
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                serde_json::json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.body);
        r.body
    }

    /// An access token for a demo account (named after its role).
    pub async fn login(&self, username: &str) -> String {
        self.login_full(username).await["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Creates a draft decision of the People's Committee as the drafter; returns its JSON.
    pub async fn draft(&self, token: &str, title: &str) -> Value {
        let r = self
            .post(
                "/api/v1/documents",
                Some(token),
                serde_json::json!({"kind": "decision", "title": title, "issuer": "UBND", "field": "Nội vụ"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }

    /// The id of a demo document by its number.
    pub async fn id_of(&self, number: &str) -> String {
        let key = vanban::domain::number::number_key(number);
        let mut c = self.conn();
        let docs = vanban::db::documents::by_number_key(&mut c, &key).expect("query");
        docs.first()
            .unwrap_or_else(|| panic!("no document {number}"))
            .id
            .clone()
    }
}

/// A multipart body of `(name, file name, bytes)` parts, with its content type.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "vanbanboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file_name, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn to_response(resp: ServiceResponse<actix_web::body::BoxBody>) -> Response {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = test::read_body(resp).await.to_vec();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Response {
        status,
        headers,
        body,
        bytes,
    }
}
