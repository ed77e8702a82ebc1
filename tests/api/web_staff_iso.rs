//! ISO control on the staff pages: a revision is submitted, approved and issued from the
//! document's page (each step offered only to who may take it, as the API decides), its
//! controlled copies are downloaded stamped, the superseded revision's copy carries the
//! obsolete stamp, a recipient acknowledges, and forms without their token are refused.

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::browser::{text, Browser};
use crate::copies::pdftotext;
use crate::helpers::{Backend, TestApp};

/// The steps offered on a page, in order.
fn steps(html: &str) -> Vec<String> {
    html.split("data-form=\"revision_step\" data-action=\"")
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].to_owned())
        .collect()
}

async fn revision(app: &TestApp, token: &str, vid: &str) -> Value {
    app.get(&format!("/api/v1/iso/revisions/{vid}"), Some(token))
        .await
        .body
}

/// Posts a step from the page at the revision's current row version.
async fn step(b: &mut Browser<'_>, app: &TestApp, doc: &str, vid: &str, step: &str) -> StatusCode {
    let t = app.login("iso_controller").await;
    let rv = revision(app, &t, vid).await["row_version"].to_string();
    let mut fields = vec![("row_version", rv.as_str())];
    if step == "return" {
        fields.push(("reason", "Cần sửa."));
    }
    let r = b
        .post(
            &format!("/lam-viec/iso/{doc}/ban-sua-doi/{vid}/{step}"),
            &fields,
        )
        .await;
    assert!(
        r.status == StatusCode::SEE_OTHER || r.status.is_client_error(),
        "{step}: {} {}",
        r.status,
        text(&r)
    );
    r.status
}

async fn a_revision_goes_from_draft_to_issued_on_the_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ctl = app.login("iso_controller").await;
    let created = app
        .post(
            "/api/v1/iso/documents",
            Some(&ctl),
            json!({
                "kind": "iso_procedure", "iso_code": "QT-WEB-01", "title": "Quy trình thử trên trang",
                "owner": "VP", "review_period_months": 12, "retention_years": 5,
                "distribution": [{"org_unit": "TP"}], "label": "Dự thảo 01",
                "body": "1. Mục đích\nThử.\n2. Phạm vi\nThử.", "change_summary": "Ban hành lần đầu"
            }),
        )
        .await;
    created.status_is(201);
    let doc = created.body["id"].as_str().unwrap().to_owned();
    let v1 = created.body["open_revision"]["version_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = format!("/lam-viec/iso/{doc}");

    let mut c = Browser::signed_in(&app, "iso_controller").await;
    let mut a = Browser::signed_in(&app, "approver").await;
    let mut v = Browser::signed_in(&app, "viewer").await;
    // A draft: the controller submits or abandons it; nobody else is offered a step.
    assert_eq!(steps(&text(&c.get(&page).await)), ["submit", "withdraw"]);
    assert!(steps(&text(&a.get(&page).await)).is_empty());
    assert!(steps(&text(&v.get(&page).await)).is_empty());
    // The approver's post of a step they are not offered is the API's refusal.
    assert_eq!(
        step(&mut a, &app, &doc, &v1, "submit").await,
        StatusCode::FORBIDDEN
    );
    // A post without the form token does nothing.
    let rv = revision(&app, &ctl, &v1).await["row_version"].to_string();
    let forged = c
        .post_raw(
            &format!("{page}/ban-sua-doi/{v1}/submit"),
            &[("row_version", rv.as_str())],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(revision(&app, &ctl, &v1).await["state"], "draft");

    assert_eq!(
        step(&mut c, &app, &doc, &v1, "submit").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(revision(&app, &ctl, &v1).await["state"], "in_review");
    // In review: the approver approves or returns; the controller may return or abandon.
    assert_eq!(steps(&text(&a.get(&page).await)), ["return", "approve"]);
    assert_eq!(steps(&text(&c.get(&page).await)), ["return", "withdraw"]);
    // A reviewer's comment, from the page.
    let r = a
        .post(
            &format!("{page}/ban-sua-doi/{v1}/y-kien"),
            &[("body", "Đề nghị nêu rõ thời hạn.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    assert!(text(&c.get(&page).await).contains("Đề nghị nêu rõ thời hạn."));
    assert_eq!(
        step(&mut a, &app, &doc, &v1, "approve").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(steps(&text(&c.get(&page).await)), ["issue", "withdraw"]);
    assert_eq!(
        step(&mut c, &app, &doc, &v1, "issue").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(revision(&app, &ctl, &v1).await["state"], "current");

    // The distribution's copy, stamped, from the page.
    let copies = app
        .get(&format!("/api/v1/iso/documents/{doc}/copies"), Some(&ctl))
        .await;
    let first_copy = copies.body[0]["id"].as_str().unwrap().to_owned();
    let html = text(&c.get(&page).await);
    assert!(html.contains(&format!("/lam-viec/iso/ban-sao/{first_copy}/pdf")));
    let pdf = c
        .get(&format!("/lam-viec/iso/ban-sao/{first_copy}/pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(!pdftotext(&pdf.bytes).contains("LỖI THỜI"));

    // A second revision (through the API), issued from the page: the first one's copy is
    // now stamped obsolete.
    let cr = app
        .post(
            &format!("/api/v1/iso/documents/{doc}/change-requests"),
            Some(&ctl),
            json!({"reason": "Sửa thời hạn."}),
        )
        .await;
    cr.status_is(201);
    let accepted = app
        .post_with_etag(
            &format!(
                "/api/v1/iso/change-requests/{}/accept",
                cr.body["id"].as_str().unwrap()
            ),
            &ctl,
            &cr.etag(),
            json!({}),
        )
        .await;
    accepted.status_is(200);
    let v2 = accepted.body["revision_version_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ver = app.get(&format!("/api/v1/versions/{v2}"), Some(&ctl)).await;
    app.patch(
        &format!("/api/v1/versions/{v2}"),
        &ctl,
        Some(&ver.etag()),
        json!({"body": "1. Mục đích\nThử, sửa.\n2. Phạm vi\nThử.", "change_summary": "Sửa thời hạn"}),
    )
    .await
    .status_is(200);
    assert_eq!(
        step(&mut c, &app, &doc, &v2, "submit").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&mut a, &app, &doc, &v2, "approve").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&mut c, &app, &doc, &v2, "issue").await,
        StatusCode::SEE_OTHER
    );
    let html = text(&c.get(&page).await);
    assert!(
        html.contains("TÀI LIỆU LỖI THỜI"),
        "the superseded revision is marked"
    );
    let old = c
        .get(&format!("/lam-viec/iso/ban-sao/{first_copy}/pdf"))
        .await;
    assert_eq!(old.status, StatusCode::OK);
    assert!(
        pdftotext(&old.bytes).contains("LỖI THỜI"),
        "the old copy is stamped obsolete"
    );

    // The recalled copy is confirmed returned from the page.
    let out = app
        .get(&format!("/api/v1/iso/documents/{doc}/copies"), Some(&ctl))
        .await;
    let recalled = out
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["outstanding"] == true)
        .cloned()
        .expect("a recalled copy");
    let rv = recalled["row_version"].to_string();
    let r = c
        .post(
            &format!(
                "{page}/ban-sao/{}/thu-hoi",
                recalled["id"].as_str().unwrap()
            ),
            &[("row_version", rv.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    // The ISO page lists the document; a viewer reads it without any form.
    let list = text(&v.get("/lam-viec/iso").await);
    assert!(list.contains(&format!("data-id=\"{doc}\"")));
    assert!(!text(&v.get(&page).await).contains("data-form=\"periodic_review\""));
    assert!(text(&c.get(&page).await).contains("data-form=\"periodic_review\""));
}
both_backends!(a_revision_goes_from_draft_to_issued_on_the_page);

async fn a_recipient_acknowledges_from_the_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.login("viewer").await;
    let q = app.get("/api/v1/work-queue", Some(&viewer)).await;
    let section = q.body["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "to_acknowledge")
        .cloned()
        .unwrap();
    let Some(item) = section["items"].as_array().unwrap().first().cloned() else {
        panic!("the demo leaves the viewer something to acknowledge");
    };
    let doc = item["document_id"].as_str().unwrap().to_owned();
    let mut b = Browser::signed_in(&app, "viewer").await;
    let html = text(&b.get(&format!("/lam-viec/iso/{doc}")).await);
    assert!(html.contains("data-form=\"acknowledge\""));
    let acks = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/acknowledgements"),
            Some(&viewer),
        )
        .await;
    let vid = acks.body["version_id"].as_str().unwrap().to_owned();
    let r = b
        .post(
            &format!("/lam-viec/iso/{doc}/xac-nhan"),
            &[("version_id", vid.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let html = text(&b.get(&format!("/lam-viec/iso/{doc}")).await);
    assert!(
        !html.contains("data-form=\"acknowledge\""),
        "acknowledged once"
    );
    let acks = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/acknowledgements"),
            Some(&viewer),
        )
        .await;
    assert!(acks.body["missing"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["username"] != "viewer"));
}
both_backends!(a_recipient_acknowledges_from_the_page);
