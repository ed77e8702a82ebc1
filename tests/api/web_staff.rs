//! The staff pages' sessions: login and logout through the pages, the cookie's attributes,
//! the form token on every form, the API's throttling, and what ends a session.

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::browser::{text, Browser};
use crate::helpers::{Backend, Options, TestApp};

async fn user_id(app: &TestApp, admin: &str, username: &str) -> String {
    let users = app.get("/api/v1/users", Some(admin)).await;
    users
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .and_then(|u| u["id"].as_str())
        .unwrap()
        .to_owned()
}

async fn change_user(app: &TestApp, username: &str, change: Value) {
    let admin = app.login("admin").await;
    let id = user_id(app, &admin, username).await;
    let got = app.get(&format!("/api/v1/users/{id}"), Some(&admin)).await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        &admin,
        Some(&got.etag()),
        change,
    )
    .await
    .status_is(200);
}

async fn a_session_is_a_cookie_of_its_own_kind(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut b = Browser::new(&app);
    // No session: the login page, which brings the visitor back.
    let r = b.get("/lam-viec?x=1").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/dang-nhap?tiep=%2Flam-viec%3Fx%3D1")
    );
    let form = b.get("/dang-nhap?tiep=%2Flam-viec").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(text(&form).contains("name=\"form_token\""));
    // A login posted without the form token is refused, whatever the password.
    let r = b
        .post_raw(
            "/dang-nhap",
            &[
                ("username", "drafter"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(b.session().is_none());
    // Another site's redirect target is not followed.
    let r = b
        .post(
            "/dang-nhap",
            &[
                ("username", "drafter"),
                ("password", crate::helpers::PASSWORD),
                ("tiep", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").as_deref(), Some("/lam-viec"));
    let set: Vec<String> = r
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .filter(|c| c.starts_with("vanban_session="))
        .collect();
    assert_eq!(set.len(), 1, "{set:?}");
    assert!(set[0].contains("HttpOnly") && set[0].contains("SameSite=Lax"));
    assert!(!set[0].contains("Secure"), "served over plain HTTP here");
    let queue = b.get("/lam-viec").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(text(&queue).contains("drafter"));
    assert_eq!(
        queue.header("cache-control").as_deref(),
        Some("private, no-cache")
    );

    // The cookie is no refresh token, and no bearer token.
    let session = b.session().unwrap().to_owned();
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": session }),
    )
    .await
    .problem(401);
    app.get("/api/v1/auth/me", Some(&session))
        .await
        .problem(401);
    // Nor is a refresh token a web session.
    let api = app.login_full("drafter").await;
    let mut other = Browser::new(&app);
    other.set_cookie("vanban_session", api["refresh_token"].as_str().unwrap());
    assert_eq!(other.get("/lam-viec").await.status, StatusCode::SEE_OTHER);

    // Logout ends the session: the old cookie is refused afterwards.
    let r = b.post("/dang-xuat", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut replay = Browser::new(&app);
    replay.set_cookie("vanban_session", &session);
    assert_eq!(replay.get("/lam-viec").await.status, StatusCode::SEE_OTHER);
    // Logout itself needs the form token.
    let mut c = Browser::signed_in(&app, "viewer").await;
    assert_eq!(
        c.post_raw("/dang-xuat", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(c.get("/lam-viec").await.status, StatusCode::OK);
}
both_backends!(a_session_is_a_cookie_of_its_own_kind);

async fn an_admins_change_ends_the_web_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A role change ends it.
    let mut b = Browser::signed_in(&app, "viewer").await;
    assert_eq!(b.get("/lam-viec").await.status, StatusCode::OK);
    change_user(&app, "viewer", json!({"role": "drafter"})).await;
    assert_eq!(b.get("/lam-viec").await.status, StatusCode::SEE_OTHER);
    // So does a deactivation; and the account cannot log in again.
    let mut b = Browser::signed_in(&app, "approver").await;
    change_user(&app, "approver", json!({"active": false})).await;
    assert_eq!(b.get("/lam-viec").await.status, StatusCode::SEE_OTHER);
    let r = b
        .post(
            "/dang-nhap",
            &[
                ("username", "approver"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(text(&r).contains("không đúng"));
}
both_backends!(an_admins_change_ends_the_web_session);

async fn idle_and_absolute_timeouts_end_it(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            tweak: |s| {
                s.auth.web_idle_seconds = 1;
                s.auth.web_absolute_seconds = 3600;
            },
            ..Options::default()
        },
    )
    .await;
    let mut b = Browser::signed_in(&app, "viewer").await;
    assert_eq!(b.get("/lam-viec").await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(b.get("/lam-viec").await.status, StatusCode::SEE_OTHER);

    // The absolute limit holds however busy the session is: moved past it in the database.
    let mut b = Browser::signed_in(&app, "viewer").await;
    app.sql(match backend {
        Backend::Postgres => {
            "UPDATE refresh_tokens SET created_at = created_at - INTERVAL '2 hours' \
             WHERE kind = 'web'"
        }
        Backend::Sqlite => {
            "UPDATE refresh_tokens SET created_at = datetime(created_at, '-2 hours') \
             WHERE kind = 'web'"
        }
    });
    assert_eq!(b.get("/lam-viec").await.status, StatusCode::SEE_OTHER);
}
both_backends!(idle_and_absolute_timeouts_end_it);

async fn logins_are_throttled_as_the_apis(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        Options {
            tweak: |s| s.auth.max_failed_logins = 2,
            ..Options::default()
        },
    )
    .await;
    let mut b = Browser::new(&app);
    b.get("/dang-nhap").await;
    for _ in 0..2 {
        let r = b
            .post(
                "/dang-nhap",
                &[("username", "drafter"), ("password", "wrong")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(text(&r).contains("value=\"drafter\""), "the name is kept");
    }
    let r = b
        .post(
            "/dang-nhap",
            &[
                ("username", "drafter"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
    assert!(text(&r).contains("quá nhiều lần"));
    // The API counts the same failures (the same client, the same account).
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": "drafter", "password": crate::helpers::PASSWORD}),
    )
    .await
    .problem(429);
}
both_backends!(logins_are_throttled_as_the_apis);
