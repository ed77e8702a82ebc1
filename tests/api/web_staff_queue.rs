//! The work queue: for every demo role, the page shows the sections of
//! `GET /api/v1/work-queue` with the same counts, and each section's items are exactly its
//! source routes' answers to the same caller, filtered as the section says.

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::browser::{text, Browser};
use crate::helpers::{Backend, TestApp};

const ROLES: &[&str] = &[
    "admin",
    "drafter",
    "legal_officer",
    "approver",
    "iso_controller",
    "viewer",
];

/// The ids a section's source answer holds, filtered as the section's key says.
fn source_ids(key: &str, body: &Value, me: &str) -> Vec<String> {
    let list = |v: &Value| -> Vec<Value> {
        match v {
            Value::Array(a) => a.clone(),
            Value::Object(o) if o.contains_key("items") => {
                o["items"].as_array().cloned().unwrap_or_default()
            }
            other => vec![other.clone()],
        }
    };
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let items = list(body);
    match key {
        "revisions_to_approve" | "revisions_to_issue" => {
            let want = if key == "revisions_to_approve" {
                "in_review"
            } else {
                "approved"
            };
            items
                .iter()
                .filter(|d| d["open_revision"]["state"] == want)
                .map(|d| s(&d["open_revision"]["version_id"]))
                .collect()
        }
        "to_publish" => items
            .iter()
            .filter(|d| {
                d["allowed_actions"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == "publish"))
            })
            .map(|d| s(&d["id"]))
            .collect(),
        "comments_to_moderate" => items
            .iter()
            .filter(|c| c["status"] == "pending")
            .map(|c| s(&c["id"]))
            .collect(),
        "comments_to_answer" => items
            .iter()
            .filter(|c| c["status"] == "published" && c["disposition"].is_null())
            .map(|c| s(&c["id"]))
            .collect(),
        "acknowledgements_missing" => items
            .iter()
            .filter(|a| a["missing"].as_array().is_some_and(|m| !m.is_empty()))
            .map(|a| s(&a["document_id"]))
            .collect(),
        "to_acknowledge" => items
            .iter()
            .filter(|a| {
                a["missing"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|u| u["id"] == me))
            })
            .map(|a| s(&a["document_id"]))
            .collect(),
        "reviews_due" => items.iter().map(|r| s(&r["document"]["id"])).collect(),
        _ => items.iter().map(|i| s(&i["id"])).collect(),
    }
}

/// The `data-count` of each section of the queue page, in order.
fn page_counts(html: &str) -> Vec<(String, usize)> {
    html.split("data-section=\"")
        .skip(1)
        .map(|rest| {
            let key = rest[..rest.find('"').unwrap()].to_owned();
            let at = rest.find("data-count=\"").unwrap() + 12;
            let n = rest[at..at + rest[at..].find('"').unwrap()]
                .parse()
                .unwrap();
            (key, n)
        })
        .collect()
}

async fn the_queue_is_the_apis_answer_for_every_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let drafter = app.login("drafter").await;
    app.draft(&drafter, "Quyết định thử hàng đợi").await;
    for role in ROLES {
        let token = app.login(role).await;
        let me = app.get("/api/v1/auth/me", Some(&token)).await;
        let me = me.body["id"].as_str().unwrap().to_owned();
        let q = app.get("/api/v1/work-queue", Some(&token)).await;
        q.status_is(200);
        let sections = q.body["sections"].as_array().unwrap().clone();
        for sec in &sections {
            let key = sec["key"].as_str().unwrap();
            let listed: Vec<String> = sec["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(sec["count"], listed.len(), "{role} {key}");
            let mut from_sources = vec![];
            for src in sec["sources"].as_array().unwrap() {
                let path = format!("/api/v1{}", src.as_str().unwrap());
                let r = app.get(&path, Some(&token)).await;
                assert_eq!(r.status, StatusCode::OK, "{role} {path}: {}", r.body);
                from_sources.extend(source_ids(key, &r.body, &me));
            }
            let a: BTreeSet<_> = listed.iter().collect();
            let b: BTreeSet<_> = from_sources.iter().collect();
            assert_eq!(a, b, "{role}: section {key} is not its sources' answer");
            assert_eq!(listed.len(), from_sources.len(), "{role} {key}: duplicates");
        }
        // The page shows the same sections with the same counts, and only their items.
        let mut b = Browser::signed_in(&app, role).await;
        let page = b.get("/lam-viec").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = text(&page);
        let want: Vec<(String, usize)> = sections
            .iter()
            .map(|s| {
                (
                    s["key"].as_str().unwrap().to_owned(),
                    s["count"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        assert_eq!(page_counts(&html), want, "{role}");
        for sec in &sections {
            for i in sec["items"].as_array().unwrap() {
                let id = i["id"].as_str().unwrap();
                assert!(html.contains(&format!("data-id=\"{id}\"")), "{role}: {id}");
            }
        }
    }
}
both_backends!(the_queue_is_the_apis_answer_for_every_role);

async fn each_role_gets_its_own_work(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let keys = |v: &Value| -> Vec<String> {
        v["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["key"].as_str().unwrap().to_owned())
            .collect()
    };
    let section = |v: &Value, key: &str| -> Value {
        v["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no section {key} in {v}"))
    };
    let get = |role: &'static str| {
        let app = &app;
        async move {
            let t = app.login(role).await;
            app.get("/api/v1/work-queue", Some(&t)).await.body
        }
    };
    let lo = get("legal_officer").await;
    for k in [
        "appraisals",
        "comments_to_moderate",
        "comments_to_answer",
        "self_inspections_due",
        "review_items",
        "review_flags",
    ] {
        assert!(keys(&lo).contains(&k.to_owned()), "legal officer lacks {k}");
    }
    assert!(!keys(&lo).contains(&"drafts".to_owned()));
    // The demo's comment waits for moderation.
    assert!(
        section(&lo, "comments_to_moderate")["count"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let ap = get("approver").await;
    assert!(keys(&ap).contains(&"to_sign".to_owned()));
    assert!(keys(&ap).contains(&"revisions_to_approve".to_owned()));
    assert!(!keys(&ap).contains(&"appraisals".to_owned()));
    let iso = get("iso_controller").await;
    for k in [
        "revisions_to_issue",
        "copies_out",
        "acknowledgements_missing",
        "reviews_due",
    ] {
        assert!(
            keys(&iso).contains(&k.to_owned()),
            "ISO controller lacks {k}"
        );
    }
    let dr = get("drafter").await;
    assert!(keys(&dr).contains(&"drafts".to_owned()));
    assert!(!keys(&dr).contains(&"to_sign".to_owned()));
    let viewer = get("viewer").await;
    assert_eq!(keys(&viewer), vec!["to_acknowledge".to_owned()]);

    // A draft submitted for signature reaches the approver's queue; a drafter of another
    // agency never sees it.
    let drafter = app.login("drafter").await;
    let d = app
        .post(
            "/api/v1/documents",
            Some(&drafter),
            json!({"kind": "decision", "title": "Quyết định của Phòng Nội vụ thử", "issuer": "NV"}),
        )
        .await;
    d.status_is(201);
    let d = d.body;
    let id = d["id"].as_str().unwrap().to_owned();
    let before = section(&get("drafter").await, "drafts");
    assert!(before["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == id.as_str()));
    let admin = app.login("admin").await;
    let units = app.get("/api/v1/org-units", Some(&admin)).await;
    let other_unit = units
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["kind"] == "agency" && u["code"] != "NV")
        .map(|u| u["id"].as_str().unwrap().to_owned());
    let unit = other_unit.expect("the demo has another agency");
    {
        app.post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "drafter2", "password": crate::helpers::PASSWORD,
                   "role": "drafter", "org_unit": unit}),
        )
        .await
        .status_is(201);
        let t = app.login("drafter2").await;
        let q = app.get("/api/v1/work-queue", Some(&t)).await.body;
        assert!(
            !q.to_string().contains(&id),
            "another agency's draft in the queue"
        );
        let mut b = Browser::signed_in(&app, "drafter2").await;
        assert!(!text(&b.get("/lam-viec").await).contains(&id));
    }
}
both_backends!(each_role_gets_its_own_work);

async fn the_queue_needs_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.get("/api/v1/work-queue", None).await.problem(401);
    let mut b = Browser::new(&app);
    assert_eq!(b.get("/lam-viec").await.status, StatusCode::SEE_OTHER);
}
both_backends!(the_queue_needs_a_session);
