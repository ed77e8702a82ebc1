//! The audit chain under concurrent writers of every kind.

use std::cell::RefCell;
use std::collections::BTreeMap;

use actix_web::test::TestRequest;
use futures_util::future::join_all;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp, PASSWORD};

/// Tasks per kind of client; four kinds, so 16 concurrent clients.
const TASKS: usize = 4;
/// Successful logins per login task.
const LOGINS: usize = 10;
/// Wrong passwords for one account, then unknown usernames, per failing task (one address
/// each): 5 of the first are evaluated and 3 refused (429); of the unknown usernames, 15
/// are evaluated (the address reaches its 20 failures) and 1 refused.
const WRONG_PASSWORDS: usize = 8;
const UNKNOWN_USERS: usize = 16;
/// Drafts per drafter task, each created, given a version and PATCHed with its ETag.
const DRAFTS: usize = 6;
/// Public comments per commenting task.
const COMMENTS: usize = 12;

/// What the clients saw: (operation, status) → count.
#[derive(Default)]
struct Tally(RefCell<BTreeMap<(&'static str, u16), usize>>);

impl Tally {
    fn saw(&self, op: &'static str, status: u16, body: &serde_json::Value) {
        assert!(status < 500, "{op}: {status} {body}");
        assert_ne!(status, 409, "{op}: a conflict: {body}");
        *self.0.borrow_mut().entry((op, status)).or_default() += 1;
    }
    fn count(&self, op: &'static str, status: u16) -> usize {
        self.0.borrow().get(&(op, status)).copied().unwrap_or(0)
    }
}

use crate::helpers::login_from;

/// 16 concurrent clients, 4 of each kind, on a pool of 16 connections:
/// - 4 × 10 successful logins (admin, viewer, approver, legal_officer, each from its own
///   address): 40 logins, no audit entry;
/// - 4 × 24 failed logins, each task from its own address: 8 wrong passwords for `viewer`
///   (5 evaluated, 3 refused with 429) then 16 unknown usernames (15 evaluated, 1 refused):
///   96 attempts, 80 audit entries;
/// - 4 drafters × 6 drafts, each created, given a version, read for its ETag and PATCHed:
///   96 requests (72 writes, 72 audit entries);
/// - 4 × 12 public comments on the demo's open consultation, each with its own
///   Idempotency-Key, from 48 addresses: 48 audit entries.
///
/// 280 requests in all (plus 4 logins of the drafters and the consultation lookup). At the
/// end: no 5xx, no 409, every status as expected, and the audit chain verifies with no
/// break and exactly 200 entries more than before.
async fn the_audit_chain_survives_concurrent_writers(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| {
                s.database.pool_size = 16;
                s.workflow.comments_per_minute = 0;
            },
        },
    )
    .await;
    let before = vanban::db::audit::verify(&mut app.conn(), |_, _| {}).expect("verify");
    assert!(before.breaks.is_empty(), "{:?}", before.breaks);
    let open = app.get("/api/v1/public/consultations", None).await;
    let consultation = open.body[0]["id"]
        .as_str()
        .expect("an open consultation")
        .to_owned();
    let mut drafters = vec![];
    for t in 0..TASKS {
        let r = login_from(&app, &format!("10.0.3.{t}"), "drafter", PASSWORD).await;
        r.status_is(200);
        drafters.push(r.body["access_token"].as_str().expect("token").to_owned());
    }

    let tally = Tally::default();
    let (app, tally) = (&app, &tally);
    let mut clients: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>> = vec![];
    for (t, user) in ["admin", "viewer", "approver", "legal_officer"]
        .into_iter()
        .enumerate()
    {
        clients.push(Box::pin(async move {
            for _ in 0..LOGINS {
                let r = login_from(app, &format!("10.0.1.{t}"), user, PASSWORD).await;
                tally.saw("login", r.status.as_u16(), &r.body);
            }
        }));
    }
    for t in 0..TASKS {
        clients.push(Box::pin(async move {
            let ip = format!("10.0.2.{t}");
            for _ in 0..WRONG_PASSWORDS {
                let r = login_from(app, &ip, "viewer", "not-the-password").await;
                tally.saw("wrong password", r.status.as_u16(), &r.body);
            }
            for n in 0..UNKNOWN_USERS {
                let r = login_from(app, &ip, &format!("nobody-{t}-{n}"), "x").await;
                tally.saw("unknown user", r.status.as_u16(), &r.body);
            }
        }));
    }
    for (t, token) in drafters.iter().enumerate() {
        clients.push(Box::pin(async move {
            for n in 0..DRAFTS {
                let r = app
                    .post(
                        "/api/v1/documents",
                        Some(token),
                        json!({"kind": "decision", "title": format!("Quyết định thử {t}-{n}"), "issuer": "UBND", "field": "Nội vụ"}),
                    )
                    .await;
                tally.saw("create", r.status.as_u16(), &r.body);
                let Some(id) = r.body["id"].as_str() else {
                    continue;
                };
                let path = format!("/api/v1/documents/{id}");
                let r = app
                    .post(
                        &format!("{path}/versions"),
                        Some(token),
                        json!({"label": "Dự thảo 1", "body": "Điều 1. Phạm vi điều chỉnh\nQuy định này áp dụng thử."}),
                    )
                    .await;
                tally.saw("version", r.status.as_u16(), &r.body);
                let etag = app.get(&path, Some(token)).await.etag();
                let r = app
                    .patch(&path, token, Some(&etag), json!({"field": "Tư pháp"}))
                    .await;
                tally.saw("patch", r.status.as_u16(), &r.body);
            }
        }));
    }
    for t in 0..TASKS {
        let consultation = consultation.clone();
        clients.push(Box::pin(async move {
            for n in 0..COMMENTS {
                let req = TestRequest::post()
                    .uri(&format!(
                        "/api/v1/public/consultations/{consultation}/comments"
                    ))
                    .peer_addr(format!("10.1.{t}.{n}:40000").parse().expect("an address"))
                    .insert_header(("idempotency-key", format!("concurrency-{t}-{n}")))
                    .set_json(json!({"name": format!("Người góp ý {t}-{n}"), "body": "Đề nghị làm rõ phạm vi."}));
                let r = app.send(req).await;
                tally.saw("comment", r.status.as_u16(), &r.body);
            }
        }));
    }
    assert_eq!(clients.len(), 4 * TASKS);
    join_all(clients).await;

    let want = [
        ("login", 200, TASKS * LOGINS),
        ("wrong password", 401, TASKS * 5),
        ("wrong password", 429, TASKS * (WRONG_PASSWORDS - 5)),
        ("unknown user", 401, TASKS * 15),
        ("unknown user", 429, TASKS * (UNKNOWN_USERS - 15)),
        ("create", 201, TASKS * DRAFTS),
        ("version", 201, TASKS * DRAFTS),
        ("patch", 200, TASKS * DRAFTS),
        ("comment", 201, TASKS * COMMENTS),
    ];
    let seen = tally.0.borrow().clone();
    for (op, status, n) in want {
        assert_eq!(tally.count(op, status), n, "{op} {status}: {seen:?}");
    }
    assert_eq!(
        seen.values().sum::<usize>(),
        want.iter().map(|w| w.2).sum::<usize>(),
        "unexpected statuses: {seen:?}"
    );
    // One entry per evaluated failure, draft, version, PATCH and comment.
    let added = tally.count("wrong password", 401)
        + tally.count("unknown user", 401)
        + 3 * TASKS * DRAFTS
        + TASKS * COMMENTS;
    assert_eq!(added, 200);
    let after = vanban::db::audit::verify(&mut app.conn(), |_, _| {}).expect("verify");
    assert!(after.breaks.is_empty(), "breaks: {:?}", after.breaks);
    assert_eq!(after.entries - before.entries, added as i64);
}
both_backends!(the_audit_chain_survives_concurrent_writers);
