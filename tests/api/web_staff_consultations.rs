//! The consultation desk: the legal officer finds the demo's pending comment, publishes it,
//! records a disposition, and downloads the consolidated report (its PDF read back with
//! `pdftotext`, its CSV with the comment's row); a rejection needs its reason; the desk is
//! the API's answer; roles that do not handle comments do not reach it.

use actix_web::http::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::browser::{text, Browser};
use crate::copies::pdftotext;
use crate::helpers::{Backend, TestApp};

/// The demo consultation and its pending sample comment, as the API gives them.
async fn demo_comment(app: &TestApp, token: &str) -> (String, Value) {
    let q = app.get("/api/v1/work-queue", Some(token)).await;
    let section = q.body["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "comments_to_moderate")
        .cloned()
        .expect("a moderation section");
    let item = section["items"][0].clone();
    let consultation = item["consultation_id"].as_str().unwrap();
    demo_comment_by_id(app, token, consultation, item["id"].as_str().unwrap()).await
}

async fn the_legal_officer_answers_a_comment(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.login("legal_officer").await;
    let (consultation, comment) = demo_comment(&app, &token).await;
    let cid = comment["id"].as_str().unwrap().to_owned();
    assert_eq!(comment["status"], "pending");
    let mut b = Browser::signed_in(&app, "legal_officer").await;

    // The queue links the comment to its desk page, which lists it with its forms.
    let queue = text(&b.get("/lam-viec").await);
    assert!(queue.contains(&format!("/lam-viec/gop-y/{consultation}")));
    let list = text(&b.get("/lam-viec/gop-y").await);
    assert!(list.contains(&format!("data-id=\"{consultation}\"")));
    let desk = text(&b.get(&format!("/lam-viec/gop-y/{consultation}")).await);
    assert!(desk.contains(&format!("data-id=\"{cid}\" data-status=\"pending\"")));
    assert!(desk.contains("data-form=\"moderate\" data-action=\"publish\""));

    // Rejecting without a reason is the API's refusal, shown on the desk.
    let base = format!("/lam-viec/gop-y/{consultation}/y-kien/{cid}");
    let r = b
        .post(
            &format!("{base}/duyet"),
            &[("action", "reject"), ("reason", "")],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(text(&r).contains("data-problem"));
    // A forged post (no token) does nothing.
    let forged = b
        .post_raw(&format!("{base}/duyet"), &[("action", "publish")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Publish, then answer.
    let r = b
        .post(&format!("{base}/duyet"), &[("action", "publish")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let desk = text(&b.get(&format!("/lam-viec/gop-y/{consultation}")).await);
    assert!(desk.contains(&format!("data-id=\"{cid}\" data-status=\"published\"")));
    assert!(desk.contains("data-form=\"dispose\""));
    let answer = "Tiếp thu, đã sửa Điều 3 của dự thảo.";
    let r = b
        .post(
            &format!("{base}/tiep-thu"),
            &[("disposition", "accepted"), ("response", answer)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let (_, after) = demo_comment_by_id(&app, &token, &consultation, &cid).await;
    assert_eq!(after["status"], "published");
    assert_eq!(after["disposition"], "accepted");
    assert_eq!(after["response"], answer);

    // The consolidated report, as PDF and CSV.
    let pdf = b
        .get(&format!(
            "/lam-viec/gop-y/{consultation}/bao-cao?dinh-dang=pdf"
        ))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let t = pdftotext(&pdf.bytes);
    assert!(t.contains("Bản tổng hợp"), "{t}");
    assert!(
        t.contains(comment["tracking_code"].as_str().unwrap()),
        "{t}"
    );
    let csv = b
        .get(&format!(
            "/lam-viec/gop-y/{consultation}/bao-cao?dinh-dang=csv"
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = text(&csv);
    assert!(csv.contains(answer), "{csv}");
    let bad = b
        .get(&format!(
            "/lam-viec/gop-y/{consultation}/bao-cao?dinh-dang=xls"
        ))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
both_backends!(the_legal_officer_answers_a_comment);

async fn demo_comment_by_id(
    app: &TestApp,
    token: &str,
    consultation: &str,
    id: &str,
) -> (String, Value) {
    let comments = app
        .get(
            &format!("/api/v1/consultations/{consultation}/comments"),
            Some(token),
        )
        .await;
    let c = comments
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap();
    (consultation.to_owned(), c)
}

async fn the_desk_is_for_who_handles_comments(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let lo = app.login("legal_officer").await;
    let (consultation, _) = demo_comment(&app, &lo).await;
    for role in ["approver", "iso_controller", "viewer", "admin"] {
        let token = app.login(role).await;
        let api = app
            .get(
                &format!("/api/v1/consultations/{consultation}/comments"),
                Some(&token),
            )
            .await;
        assert!(api.status.is_client_error(), "{role}: {}", api.status);
        let mut b = Browser::signed_in(&app, role).await;
        let list = text(&b.get("/lam-viec/gop-y").await);
        assert!(
            !list.contains(&consultation),
            "{role} lists the consultation"
        );
        let page = b.get(&format!("/lam-viec/gop-y/{consultation}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{role}");
        let report = b
            .get(&format!(
                "/lam-viec/gop-y/{consultation}/bao-cao?dinh-dang=csv"
            ))
            .await;
        assert!(report.status.is_client_error(), "{role}: {}", report.status);
    }
}
both_backends!(the_desk_is_for_who_handles_comments);
