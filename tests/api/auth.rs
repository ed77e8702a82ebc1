use actix_web::http::StatusCode;
use base64::Engine;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp, PASSWORD};

async fn login_refresh_logout(b: Backend) {
    let app = TestApp::spawn(b).await;
    let tokens = app.login_full("admin").await;
    assert!(tokens["expires_in"].as_i64().unwrap() > 0);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    let me = app.get("/api/v1/auth/me", Some(&access)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], "admin");
    assert_eq!(me.body["role"], "admin");

    // Rotation: the refresh token works once.
    let r = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let refresh2 = r.body["refresh_token"].as_str().unwrap().to_owned();
    let access2 = r.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh);

    // Reusing the old one is theft: 401, and the whole session dies.
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh}),
    )
    .await
    .problem(401);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh2}),
    )
    .await
    .problem(401);
    app.get("/api/v1/auth/me", Some(&access2))
        .await
        .problem(401);

    // Logout ends a fresh session: access and refresh tokens both stop working.
    let t = app.login_full("admin").await;
    let access = t["access_token"].as_str().unwrap();
    let r = app
        .post("/api/v1/auth/logout", Some(access), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.get("/api/v1/auth/me", Some(access)).await.problem(401);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": t["refresh_token"]}),
    )
    .await
    .problem(401);
}
both_backends!(login_refresh_logout);

use crate::helpers::login_from;

async fn wrong_passwords_are_throttled(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| {
                s.auth.max_failed_logins = 3;
                s.auth.max_failed_logins_per_address = 5;
                s.auth.failure_window_seconds = 60;
            },
        },
    )
    .await;
    let attacker = "203.0.113.7";
    for _ in 0..3 {
        login_from(&app, attacker, "viewer", "not-the-password")
            .await
            .problem(401);
    }
    // This address may not try viewer again, even with the right password...
    let r = login_from(&app, attacker, "viewer", PASSWORD).await;
    r.problem(429);
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 60, "{retry}");
    // ... but the account is not locked for anyone else: the owner logs in from elsewhere.
    login_from(&app, "198.51.100.20", "viewer", PASSWORD)
        .await
        .status_is(200);
    // Unknown usernames count toward the address's limit: two more failures fill it.
    for name in ["nobody", "nobody-else"] {
        login_from(&app, attacker, name, "x").await.problem(401);
    }
    login_from(&app, attacker, "someone", "x")
        .await
        .problem(429);
    login_from(&app, attacker, "admin", PASSWORD)
        .await
        .problem(429);
    // A correct password from an address without failures always logs in.
    login_from(&app, "198.51.100.21", "admin", PASSWORD)
        .await
        .status_is(200);
}
both_backends!(wrong_passwords_are_throttled);

/// A correct login gives its slot back and clears the account's failures from that address.
async fn a_success_clears_the_failures_of_its_address(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| {
                s.auth.max_failed_logins = 3;
                s.auth.max_failed_logins_per_address = 100;
            },
        },
    )
    .await;
    let ip = "192.0.2.44";
    for _ in 0..10 {
        login_from(&app, ip, "drafter", "wrong-password")
            .await
            .problem(401);
        login_from(&app, ip, "drafter", "wrong-password")
            .await
            .problem(401);
        login_from(&app, ip, "drafter", PASSWORD)
            .await
            .status_is(200);
    }
}
both_backends!(a_success_clears_the_failures_of_its_address);

/// Exactly `max_failed_logins` guesses are evaluated under concurrency, per account and per
/// address, and the counts are in the database.
async fn concurrent_guesses_are_counted_exactly(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| {
                s.database.pool_size = 16;
            },
        },
    )
    .await;
    // 40 concurrent wrong guesses at one account from one address: 5 evaluated (401).
    let rs = futures_util::future::join_all(
        (0..40).map(|_| login_from(&app, "203.0.113.50", "admin", "guess-guess")),
    )
    .await;
    let evaluated = rs.iter().filter(|r| r.status.as_u16() == 401).count();
    let throttled = rs.iter().filter(|r| r.status.as_u16() == 429).count();
    assert_eq!((evaluated, throttled), (5, 35), "per account and address");
    // 40 concurrent guesses at 40 different (mostly unknown) usernames from one address: 20.
    let names: Vec<String> = (0..40).map(|i| format!("user{i}")).collect();
    let rs = futures_util::future::join_all(
        names
            .iter()
            .map(|name| login_from(&app, "203.0.113.51", name, "guess-guess")),
    )
    .await;
    let evaluated = rs.iter().filter(|r| r.status.as_u16() == 401).count();
    let throttled = rs.iter().filter(|r| r.status.as_u16() == 429).count();
    assert_eq!((evaluated, throttled), (20, 20), "per address");
    assert!(rs.iter().all(|r| r.status.as_u16() < 500));
}
both_backends!(concurrent_guesses_are_counted_exactly);

async fn bad_tokens_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| {
        b64.encode(
            json!({"sub": "x", "name": "admin", "role": "admin", "org": null, "sid": "s",
                   "iat": now, "exp": exp, "typ": "access"})
            .to_string(),
        )
    };
    let none = format!(
        "{}.{}.",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        claims(now + 600)
    );
    let other_key = vanban::auth::token::TokenKeys::new(b"another-secret-another-secret-xxxx", 600)
        .issue("x", "admin", vanban::domain::kinds::Role::Admin, None, "s")
        .unwrap();
    let expired = vanban::auth::token::TokenKeys::new(crate::helpers::SECRET, -3600)
        .issue("x", "admin", vanban::domain::kinds::Role::Admin, None, "s")
        .unwrap();
    for token in [
        "garbage",
        "a.b.c",
        none.as_str(),
        other_key.as_str(),
        expired.as_str(),
    ] {
        let r = app.get("/api/v1/users", Some(token)).await;
        r.problem(401);
        assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    }
    // A valid token of a deactivated account stops working.
    let admin = app.login("admin").await;
    let viewer = app.login("viewer").await;
    let users = app.get("/api/v1/users", Some(&admin)).await.body;
    let v = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "viewer")
        .unwrap()
        .clone();
    let id = v["id"].as_str().unwrap();
    let got = app.get(&format!("/api/v1/users/{id}"), Some(&admin)).await;
    let r = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            Some(&got.etag()),
            json!({"active": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.get("/api/v1/documents", Some(&viewer))
        .await
        .problem(401);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": "viewer", "password": PASSWORD}),
    )
    .await
    .problem(401);
}
both_backends!(bad_tokens_are_refused);

async fn admin_manages_users_and_org_units(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    let r = app
        .post(
            "/api/v1/org-units",
            Some(&admin),
            json!({"code": "X-TEST", "name": "UBND xã Thử", "kind": "commune", "parent": "ST"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.post(
        "/api/v1/org-units",
        Some(&admin),
        json!({"code": "X-TEST", "name": "again", "kind": "commune"}),
    )
    .await
    .problem(409);
    let unit = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "chuyenvien2", "password": "a-long-password", "role": "drafter", "org_unit": "X-TEST"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["org_unit_id"], unit.as_str());
    assert!(r.body.get("password_hash").is_none());
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "chuyenvien2", "password": "a-long-password"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    // Short passwords and duplicate usernames are refused.
    app.post(
        "/api/v1/users",
        Some(&admin),
        json!({"username": "x1", "password": "short", "role": "viewer"}),
    )
    .await
    .problem(422);
    app.post(
        "/api/v1/users",
        Some(&admin),
        json!({"username": "chuyenvien2", "password": "a-long-password", "role": "viewer"}),
    )
    .await
    .problem(409);
    // An org unit cannot be moved under itself.
    let got = app
        .get(&format!("/api/v1/org-units/{unit}"), Some(&admin))
        .await;
    app.patch(
        &format!("/api/v1/org-units/{unit}"),
        &admin,
        Some(&got.etag()),
        json!({"parent": unit}),
    )
    .await
    .problem(422);
}
both_backends!(admin_manages_users_and_org_units);
