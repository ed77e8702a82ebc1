//! The appraisal list: the rows are `GET /appraisal-requests` for the same caller, the
//! opinion form is offered only to who records opinions, and an opinion recorded from the
//! page is the API's.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::browser::{text, Browser};
use crate::helpers::{Backend, TestApp};

async fn act(app: &TestApp, token: &str, id: &str, body: serde_json::Value) {
    let doc = app
        .get(&format!("/api/v1/documents/{id}"), Some(token))
        .await;
    app.post_with_etag(
        &format!("/api/v1/documents/{id}/transitions"),
        token,
        &doc.etag(),
        body,
    )
    .await
    .status_is(200);
}

async fn the_justice_office_appraises_from_its_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let drafter = app.login("drafter").await;
    let d = app.draft(&drafter, "Quyết định chờ thẩm định thử").await;
    let id = d["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/documents/{id}/versions"),
        Some(&drafter),
        json!({"body": "Điều 1. Phạm vi\nNội dung."}),
    )
    .await
    .status_is(201);
    act(&app, &drafter, &id, json!({"action": "request_appraisal"})).await;

    for role in ["legal_officer", "approver", "drafter"] {
        let token = app.login(role).await;
        let api = app
            .get("/api/v1/appraisal-requests?state=open", Some(&token))
            .await;
        let mut b = Browser::signed_in(&app, role).await;
        let page = b.get("/lam-viec/tham-dinh").await;
        assert_eq!(page.status, StatusCode::OK, "{role}");
        let html = text(&page);
        let rows = html.matches("<tr data-id=\"").count();
        if api.status == StatusCode::OK {
            let items = api.body.as_array().unwrap();
            assert_eq!(rows, items.len(), "{role}");
            for r in items {
                assert!(html.contains(&format!("data-id=\"{}\"", r["id"].as_str().unwrap())));
            }
        }
        let offers = html.contains("data-form=\"appraise\"");
        assert_eq!(offers, role == "legal_officer", "{role}: the opinion form");
    }

    // A form without its token does nothing; the legal officer's opinion is recorded.
    let mut b = Browser::signed_in(&app, "legal_officer").await;
    b.get("/lam-viec/tham-dinh").await;
    let path = format!("/lam-viec/tham-dinh/{id}");
    let forged = b.post_raw(&path, &[("opinion", "fit_to_submit")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // The drafter's post is the API's refusal, shown on the page.
    let mut d = Browser::signed_in(&app, "drafter").await;
    d.get("/lam-viec/tham-dinh").await;
    let refused = d.post(&path, &[("opinion", "fit_to_submit")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let r = b
        .post(
            &path,
            &[
                ("opinion", "fit_to_submit"),
                ("findings", "Đủ điều kiện trình."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let legal = app.login("legal_officer").await;
    let a = app
        .get(&format!("/api/v1/documents/{id}/appraisals"), Some(&legal))
        .await;
    assert_eq!(a.body.as_array().unwrap().len(), 1);
    assert_eq!(a.body[0]["opinion"], "fit_to_submit");
    assert_eq!(a.body[0]["findings"], "Đủ điều kiện trình.");
    // Answered: no form on its row any more.
    let all = text(&b.get("/lam-viec/tham-dinh?state=all").await);
    assert!(all.contains("Đã có ý kiến"));
    assert!(!all.contains(&format!("action=\"/lam-viec/tham-dinh/{id}\"")));
    // The filters answer.
    for f in ["open", "overdue", "all"] {
        let r = b.get(&format!("/lam-viec/tham-dinh?state={f}")).await;
        assert_eq!(r.status, StatusCode::OK, "{f}");
    }
    assert_eq!(
        b.get("/lam-viec/tham-dinh?state=soon").await.status,
        StatusCode::BAD_REQUEST
    );
}
both_backends!(the_justice_office_appraises_from_its_list);
