//! Review work on the staff pages: the campaigns and their progress are the API's; an item's
//! result is recorded from the campaign page (and refused when stale); the forms are offered
//! to who may record (a legal officer any item, an agency its own); self-inspections and
//! flags are answered from the review page.

use actix_web::http::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::browser::{text, Browser};
use crate::helpers::{Backend, TestApp};

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn campaigns_are_worked_from_their_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.login("legal_officer").await;
    let campaigns = app.get("/api/v1/review-campaigns", Some(&token)).await;
    campaigns.status_is(200);
    let mut b = Browser::signed_in(&app, "legal_officer").await;
    let page = text(&b.get("/lam-viec/ra-soat").await);
    for id in ids(&campaigns.body) {
        assert!(page.contains(&format!("data-id=\"{id}\"")), "campaign {id}");
    }
    let c = campaigns.body[0].clone();
    let cid = c["id"].as_str().unwrap().to_owned();
    let progress = app
        .get(
            &format!("/api/v1/review-campaigns/{cid}/progress"),
            Some(&token),
        )
        .await;
    let html = text(&b.get(&format!("/lam-viec/ra-soat/dot/{cid}")).await);
    assert!(html.contains(&format!("data-reviewed=\"{}\"", progress.body["reviewed"])));
    assert!(html.contains(&format!("data-total=\"{}\"", progress.body["total"])));
    let items = app
        .get(
            &format!("/api/v1/review-campaigns/{cid}/items"),
            Some(&token),
        )
        .await;
    let listed = html.matches("data-form=\"record_review_result\"").count();
    let open = c["state"] == "open";
    assert_eq!(
        listed,
        if open {
            items.body.as_array().unwrap().len()
        } else {
            0
        },
        "a legal officer records any item of an open campaign"
    );
    assert!(open, "the demo's campaign is open");
    let item = items
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["result"].is_null())
        .cloned();
    let Some(item) = item else { return };
    let iid = item["id"].as_str().unwrap().to_owned();
    let path = format!("/lam-viec/ra-soat/dot/{cid}/muc/{iid}");
    let rv = item["row_version"].to_string();
    let stale = (item["row_version"].as_i64().unwrap() - 1).to_string();
    let r = b
        .post(
            &path,
            &[
                ("row_version", stale.as_str()),
                ("result", "amend"),
                ("reasons", "x"),
                ("proposed_action", "y"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    // Amend needs a proposed action: the API's rule, on the page.
    let r = b
        .post(
            &path,
            &[
                ("row_version", rv.as_str()),
                ("result", "amend"),
                ("reasons", "Căn cứ đã thay đổi."),
            ],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(text(&r).contains("data-problem"));
    let r = b
        .post(
            &path,
            &[
                ("row_version", rv.as_str()),
                ("result", "amend"),
                ("reasons", "Căn cứ đã thay đổi."),
                ("proposed_action", "Sửa Điều 2."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let after = app
        .get(&format!("/api/v1/review-items/{iid}"), Some(&token))
        .await;
    assert_eq!(after.body["result"], "amend");
    assert_eq!(after.body["proposed_action"], "Sửa Điều 2.");

    // A drafter is offered only the items assigned to their own agency, and the recording
    // use case agrees on both sides: their agency's item is taken, another's refused.
    let drafter = app.login("drafter").await;
    let me = app.get("/api/v1/auth/me", Some(&drafter)).await.body;
    // Read again: the item recorded above has a new row version.
    let items = app
        .get(
            &format!("/api/v1/review-campaigns/{cid}/items"),
            Some(&token),
        )
        .await;
    let list = items.body.as_array().unwrap();
    let mine: Vec<&serde_json::Value> = list
        .iter()
        .filter(|i| i["assignee"]["id"] == me["org_unit_id"])
        .collect();
    let theirs = list
        .iter()
        .find(|i| i["assignee"]["id"] != me["org_unit_id"])
        .expect("an item of another agency");
    assert!(
        !mine.is_empty(),
        "the demo assigns the drafter's agency some items"
    );
    let mut d = Browser::signed_in(&app, "drafter").await;
    let html = text(&d.get(&format!("/lam-viec/ra-soat/dot/{cid}")).await);
    assert_eq!(
        html.matches("data-form=\"record_review_result\"").count(),
        mine.len()
    );
    let post = |item: &serde_json::Value| {
        let (iid, rv) = (
            item["id"].as_str().unwrap().to_owned(),
            item["row_version"].to_string(),
        );
        let path = format!("/lam-viec/ra-soat/dot/{cid}/muc/{iid}");
        (path, rv)
    };
    let fields = |rv: &str| {
        [
            ("row_version", rv.to_owned()),
            ("result", "still_appropriate".to_owned()),
            ("reasons", "Còn phù hợp với văn bản cấp trên.".to_owned()),
        ]
    };
    let (path, rv) = post(theirs);
    let f = fields(&rv);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(d.post(&path, &f).await.status, StatusCode::FORBIDDEN);
    let (path, rv) = post(mine[0]);
    let f = fields(&rv);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = d.post(&path, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
}
both_backends!(campaigns_are_worked_from_their_page);

async fn self_inspections_and_flags_are_answered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.login("legal_officer").await;
    // A self-inspection opened on a published document of the district, as promulgation does.
    let docs = app
        .get(
            "/api/v1/documents?state=published&external=false&limit=200",
            Some(&token),
        )
        .await;
    let mut opened = false;
    for d in docs.body["items"].as_array().unwrap() {
        let path = format!(
            "/api/v1/documents/{}/self-inspection",
            d["id"].as_str().unwrap()
        );
        if app
            .post(&path, Some(&token), serde_json::json!({}))
            .await
            .status
            == StatusCode::CREATED
        {
            opened = true;
            break;
        }
    }
    assert!(opened, "a self-inspection to answer");
    let open = app
        .get("/api/v1/self-inspections?state=open", Some(&token))
        .await;
    let flags = app.get("/api/v1/review-flags", Some(&token)).await;
    let mut b = Browser::signed_in(&app, "legal_officer").await;
    let html = text(&b.get("/lam-viec/ra-soat").await);
    for id in ids(&open.body).into_iter().chain(ids(&flags.body)) {
        assert!(html.contains(&format!("data-id=\"{id}\"")), "{id}");
    }
    // Other roles read the lists without the forms.
    let mut v = Browser::signed_in(&app, "approver").await;
    let theirs = text(&v.get("/lam-viec/ra-soat").await);
    assert!(!theirs.contains("data-form=\"record_self_inspection\""));
    assert!(!theirs.contains("data-form=\"resolve_flag\""));

    assert!(
        !open.body.as_array().unwrap().is_empty(),
        "the demo has open self-inspections"
    );
    assert!(
        !flags.body.as_array().unwrap().is_empty(),
        "the demo has open flags"
    );
    if let Some(s) = open.body.as_array().unwrap().first() {
        let sid = s["id"].as_str().unwrap();
        let path = format!("/lam-viec/ra-soat/tu-kiem-tra/{sid}");
        // Unlawful content needs its findings and handling: refused, shown.
        let r = b.post(&path, &[("result", "unlawful_content")]).await;
        assert!(r.status.is_client_error());
        assert!(text(&r).contains("data-problem"));
        let r = b
            .post(
                &path,
                &[("result", "lawful"), ("findings", ""), ("handling", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
        let s = app
            .get(&format!("/api/v1/self-inspections/{sid}"), Some(&token))
            .await;
        assert_eq!(s.body["result"], "lawful");
    }
    if let Some(f) = flags.body.as_array().unwrap().first() {
        let fid = f["id"].as_str().unwrap();
        let r = b
            .post(
                &format!("/lam-viec/ra-soat/co/{fid}"),
                &[("resolution", "Đã rà soát, còn phù hợp.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
        let all = app
            .get("/api/v1/review-flags?state=resolved", Some(&token))
            .await;
        assert!(ids(&all.body).contains(&fid.to_owned()));
        // Once: a second resolution is the API's conflict.
        let again = b
            .post(
                &format!("/lam-viec/ra-soat/co/{fid}"),
                &[("resolution", "Lần nữa.")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
    }
}
both_backends!(self_inspections_and_flags_are_answered);
