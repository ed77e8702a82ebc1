//! ISO 9001 document control through the HTTP API: change requests, review, approval,
//! issue, controlled copies and their recall, acknowledgements, periodic review, the
//! obsolete stamp, search, the compliance report, every guard, and random sequences
//! that must always leave exactly one current revision.

use std::time::{Duration, Instant};

use actix_web::http::{header, StatusCode};
use actix_web::test;
use chrono::{Duration as Days, Local, NaiveDate};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, Response, TestApp};

fn today() -> NaiveDate {
    Local::now().date_naive()
}

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

struct Iso<'a> {
    app: &'a TestApp,
    ctl: String,
    approver: String,
}

impl<'a> Iso<'a> {
    async fn new(app: &'a TestApp) -> Iso<'a> {
        Iso {
            ctl: app.login("iso_controller").await,
            approver: app.login("approver").await,
            app,
        }
    }

    /// Registers a procedure owned by Văn phòng with a first draft; returns (doc, draft).
    async fn procedure(&self, code: &str, body: &str, distribution: Value) -> (String, String) {
        let r = self
            .app
            .post(
                "/api/v1/iso/documents",
                Some(&self.ctl),
                json!({
                    "kind": "iso_procedure", "iso_code": code, "title": format!("Quy trình {code}"),
                    "owner": "VP", "review_period_months": 12, "retention_years": 5,
                    "distribution": distribution, "label": "Dự thảo 01", "body": body,
                    "change_summary": "Ban hành lần đầu"
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(r.header("etag").is_some());
        let draft = s(&r.body["open_revision"]["version_id"]);
        (s(&r.body["id"]), draft)
    }

    async fn revision(&self, vid: &str) -> Response {
        let r = self
            .app
            .get(&format!("/api/v1/iso/revisions/{vid}"), Some(&self.ctl))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r
    }

    async fn act(&self, token: &str, vid: &str, action: &str, body: Value) -> Response {
        let etag = self.revision(vid).await.etag();
        self.app
            .post_with_etag(
                &format!("/api/v1/iso/revisions/{vid}/{action}"),
                token,
                &etag,
                body,
            )
            .await
    }

    /// Submit, approve, issue (effective today unless given).
    async fn release(&self, vid: &str, effective: Option<NaiveDate>) -> Value {
        let r = self.act(&self.ctl, vid, "submit", json!({})).await;
        assert_eq!(r.body["state"], "in_review", "{}", r.body);
        let r = self.act(&self.approver, vid, "approve", json!({})).await;
        assert_eq!(r.body["state"], "approved", "{}", r.body);
        let body = match effective {
            Some(d) => json!({"effective_from": d}),
            None => json!({}),
        };
        let r = self.act(&self.ctl, vid, "issue", body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["state"], "current");
        r.body
    }

    async fn document(&self, id: &str) -> Response {
        let r = self
            .app
            .get(&format!("/api/v1/iso/documents/{id}"), Some(&self.ctl))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r
    }

    async fn revisions(&self, id: &str) -> Vec<Value> {
        let r = self
            .app
            .get(
                &format!("/api/v1/iso/documents/{id}/revisions"),
                Some(&self.ctl),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body.as_array().unwrap().clone()
    }

    /// Raises a change request as `token`, accepts it as the controller; returns the draft id.
    async fn change(&self, token: &str, doc: &str, reason: &str) -> (String, String) {
        let cr = self
            .app
            .post(
                &format!("/api/v1/iso/documents/{doc}/change-requests"),
                Some(token),
                json!({"reason": reason}),
            )
            .await;
        assert_eq!(cr.status, StatusCode::CREATED, "{}", cr.body);
        let id = s(&cr.body["id"]);
        let accepted = self
            .app
            .post_with_etag(
                &format!("/api/v1/iso/change-requests/{id}/accept"),
                &self.ctl,
                &cr.etag(),
                json!({"note": "Đồng ý"}),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        assert_eq!(accepted.body["state"], "accepted");
        (id, s(&accepted.body["revision_version_id"]))
    }

    async fn edit(&self, vid: &str, body: &str, summary: &str) {
        let v = self
            .app
            .get(&format!("/api/v1/versions/{vid}"), Some(&self.ctl))
            .await;
        let r = self
            .app
            .patch(
                &format!("/api/v1/versions/{vid}"),
                &self.ctl,
                Some(&v.etag()),
                json!({"body": body, "change_summary": summary}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

#[track_caller]
fn guard(r: &Response, name: &str) {
    assert_eq!(r.problem(409)["guard"], name, "{}", r.body);
}

async fn revise_review_approve_issue_distribute(b: Backend) {
    let app = TestApp::spawn(b).await;
    let iso = Iso::new(&app).await;
    let (doc, v1) = iso
        .procedure(
            "QT-TEST-01",
            "Bước 1. Tiếp nhận hồ sơ.\nBước 2. Giải quyết trong 05 ngày.\nBước 3. Trả kết quả.",
            json!([{"org_unit": "TP"}, {"user": "drafter"}]),
        )
        .await;
    // A version of an ISO document shows its state.
    let v = app
        .get(&format!("/api/v1/versions/{v1}"), Some(&iso.ctl))
        .await;
    assert_eq!(v.body["state"], "draft");
    assert_eq!(v.body["is_current"], false);

    // Submitting needs the revision's ETag: 428 without, 412 when stale.
    app.post(
        &format!("/api/v1/iso/revisions/{v1}/submit"),
        Some(&iso.ctl),
        json!({}),
    )
    .await
    .problem(428);
    app.post_with_etag(
        &format!("/api/v1/iso/revisions/{v1}/submit"),
        &iso.ctl,
        &format!("\"{v1}-7\""),
        json!({}),
    )
    .await
    .problem(412);
    let r = iso.act(&iso.ctl, &v1, "submit", json!({})).await;
    assert_eq!(r.body["state"], "in_review", "{}", r.body);

    // Reviewers comment while it is in review.
    let legal = app.login("legal_officer").await;
    let c = app
        .post(
            &format!("/api/v1/iso/revisions/{v1}/comments"),
            Some(&legal),
            json!({"body": "Đề nghị ghi rõ thời hạn giải quyết."}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let viewer = app.login("viewer").await;
    app.post(
        &format!("/api/v1/iso/revisions/{v1}/comments"),
        Some(&viewer),
        json!({"body": "x"}),
    )
    .await
    .problem(403);
    let cs = app
        .get(
            &format!("/api/v1/iso/revisions/{v1}/comments"),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(cs.body.as_array().unwrap().len(), 1);

    // Only an approver approves; the generic approval route refuses ISO revisions.
    iso.act(&iso.ctl, &v1, "approve", json!({}))
        .await
        .problem(403);
    guard(
        &app.post(
            &format!("/api/v1/versions/{v1}/approve"),
            Some(&iso.approver),
            json!({}),
        )
        .await,
        "iso_revisions_use_document_control",
    );
    let r = iso.act(&iso.approver, &v1, "approve", json!({})).await;
    assert_eq!(r.body["state"], "approved", "{}", r.body);
    let r = iso.act(&iso.ctl, &v1, "issue", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["is_current"], true);
    assert_eq!(r.body["revision_label"], "Lần ban hành 01");
    assert_eq!(r.body["effective_from"], today().to_string());
    assert!(r.body["obsolete_stamp"].is_null());

    // The document: published, its current revision one field away.
    let d = iso.document(&doc).await;
    assert_eq!(d.body["document_state"], "published");
    assert_eq!(d.body["current_revision"]["version_id"], v1.as_str());
    let generic = app.get(&format!("/api/v1/documents/{doc}"), None).await;
    assert_eq!(generic.body["iso_revision"], "Lần ban hành 01");
    // The revision label is not edited by hand.
    let p = app
        .patch(
            &format!("/api/v1/documents/{doc}"),
            &iso.ctl,
            Some(&generic.etag()),
            json!({"iso_revision": "Lần ban hành 09"}),
        )
        .await;
    assert_eq!(p.problem(409)["guard"], "iso_revision_set_by_issue");
    assert_eq!(generic.body["iso_code"], "QT-TEST-01");

    // Numbered copies for the list: Phòng Tư pháp and the drafter.
    let copies = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/copies"),
            Some(&iso.ctl),
        )
        .await;
    let copies = copies.body.as_array().unwrap().clone();
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[0]["copy_no"], 1);
    assert_eq!(copies[0]["recipient_name"], "Phòng Tư pháp");
    assert_eq!(copies[1]["copy_no"], 2);
    assert_eq!(copies[0]["revision_label"], "Lần ban hành 01");
    // A copy of the current revision is not withdrawn unless recalled.
    let c0 = s(&copies[0]["id"]);
    // Each copy is a stamped PDF with its number, recipient, code and revision.
    let pdf = app
        .get(&format!("/api/v1/iso/copies/{c0}/pdf"), Some(&iso.ctl))
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    let text = crate::copies::pdftotext(&pdf.bytes);
    for want in [
        "BẢN SAO KIỂM SOÁT SỐ 1",
        "Phòng Tư pháp",
        "QT-TEST-01",
        "Lần ban hành 01",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    guard(
        &app.post_with_etag(
            &format!("/api/v1/iso/copies/{c0}/confirm-withdrawal"),
            &iso.ctl,
            &format!("\"{c0}-1\""),
            json!({}),
        )
        .await,
        "withdraw_only_recalled_copies",
    );

    // Anyone on staff raises a change request; the owner accepts: a draft opens.
    let (cr, v2) = iso
        .change(&viewer, &doc, "Rút ngắn thời hạn giải quyết xuống 03 ngày.")
        .await;
    let draft = app
        .get(&format!("/api/v1/versions/{v2}"), Some(&iso.ctl))
        .await;
    assert!(
        s(&draft.body["body"]).contains("05 ngày"),
        "starts from the current text"
    );
    iso.edit(
        &v2,
        "Bước 1. Tiếp nhận hồ sơ.\nBước 2. Giải quyết trong 03 ngày.\nBước 3. Trả kết quả.",
        "Rút ngắn thời hạn giải quyết từ 05 xuống 03 ngày.",
    )
    .await;
    let issued = iso.release(&v2, None).await;
    assert_eq!(issued["revision_label"], "Lần ban hành 02");
    assert_eq!(issued["change_request_id"], cr.as_str());
    assert_eq!(
        issued["change_summary"],
        "Rút ngắn thời hạn giải quyết từ 05 xuống 03 ngày."
    );
    let cr = app
        .get(&format!("/api/v1/iso/change-requests/{cr}"), Some(&iso.ctl))
        .await;
    assert_eq!(cr.body["state"], "implemented");

    // Exactly one current; the old one superseded and stamped obsolete.
    let revs = iso.revisions(&doc).await;
    assert_eq!(revs.iter().filter(|r| r["is_current"] == true).count(), 1);
    let old = iso.revision(&v1).await.body;
    assert_eq!(old["state"], "superseded");
    assert_eq!(old["is_current"], false);
    assert_eq!(old["superseded_by"], v2.as_str());
    assert_eq!(old["obsolete_stamp"]["title"], "TÀI LIỆU LỖI THỜI");
    assert_eq!(old["obsolete_stamp"]["replaced_by"], "Lần ban hành 02");
    assert_eq!(old["obsolete_stamp"]["since"], today().to_string());
    let v = app.get(&format!("/api/v1/versions/{v1}"), None).await;
    assert_eq!(v.body["state"], "superseded");
    assert_eq!(v.body["is_current"], false);

    // The text diff between the two revisions.
    let diff = app
        .get(&format!("/api/v1/iso/revisions/{v2}/diff"), Some(&iso.ctl))
        .await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.body);
    assert_eq!(diff.body["from_version_id"], v1.as_str());
    assert_eq!(diff.body["added"], 1);
    assert_eq!(diff.body["removed"], 1);
    let lines = diff.body["lines"].as_array().unwrap();
    assert!(lines
        .iter()
        .any(|l| l["op"] == "delete" && l["text"] == "Bước 2. Giải quyết trong 05 ngày."));
    assert!(lines
        .iter()
        .any(|l| l["op"] == "insert" && l["text"] == "Bước 2. Giải quyết trong 03 ngày."));

    // The old copies are recalled until each is confirmed withdrawn; new ones issued.
    let out = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/copies?outstanding=true"),
            Some(&iso.ctl),
        )
        .await;
    let out = out.body.as_array().unwrap().clone();
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|c| c["version_id"] == v1.as_str()));
    let all_out = app
        .get("/api/v1/iso/copies/outstanding?owner=VP", Some(&iso.ctl))
        .await;
    assert!(all_out
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == out[0]["id"]));
    let c = s(&out[0]["id"]);
    let url = format!("/api/v1/iso/copies/{c}/confirm-withdrawal");
    app.post(&url, Some(&iso.ctl), json!({})).await.problem(428);
    app.post_with_etag(&url, &iso.ctl, &format!("\"{c}-1\""), json!({}))
        .await
        .problem(412);
    let etag = format!("\"{c}-{}\"", out[0]["row_version"]);
    let done = app.post_with_etag(&url, &iso.ctl, &etag, json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body["withdrawn_at"].is_string());
    guard(
        &app.post_with_etag(&url, &iso.ctl, &done.etag(), json!({}))
            .await,
        "copy_withdrawn_once",
    );
    let out = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/copies?outstanding=true"),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(out.body.as_array().unwrap().len(), 1);
    let all = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/copies"),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(
        all.body
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["version_id"] == v2.as_str())
            .count(),
        2
    );

    // The distribution list changes: a new recipient gets a copy at once, a removed
    // one's copy is recalled.
    let d = iso.document(&doc).await;
    let r = app
        .patch(
            &format!("/api/v1/iso/documents/{doc}"),
            &iso.ctl,
            Some(&d.etag()),
            json!({"distribution": [{"org_unit": "TP"}, {"org_unit": "X-SONDUNG"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["distribution"].as_array().unwrap().len(), 2);
    app.patch(
        &format!("/api/v1/iso/documents/{doc}"),
        &iso.ctl,
        Some(&d.etag()),
        json!({"review_period_months": 6}),
    )
    .await
    .problem(412);
    let copies = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/copies"),
            Some(&iso.ctl),
        )
        .await;
    let of_v2: Vec<&Value> = copies
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["version_id"] == v2.as_str())
        .collect();
    assert_eq!(of_v2.len(), 3);
    assert!(of_v2
        .iter()
        .any(|c| c["recipient_name"] == "UBND xã Sơn Dung" && c["copy_no"] == 3));
    assert!(of_v2
        .iter()
        .any(|c| c["recipient_user_id"].is_string() && c["outstanding"] == true));

    // The audit trail of the document tells the story.
    let audit = app
        .get(
            &format!("/api/v1/audit/document/{doc}?limit=500"),
            Some(&iso.ctl),
        )
        .await;
    let actions: Vec<String> = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["action"]))
        .collect();
    for a in [
        "iso.register",
        "iso.revision.submit",
        "iso.revision.comment",
        "iso.revision.approve",
        "iso.revision.issue",
        "iso.copies.issue",
        "iso.change_request.raise",
        "iso.change_request.accept",
        "iso.revision.supersede",
        "iso.copies.recall",
        "iso.copy.withdrawn",
        "iso.update",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}
both_backends!(revise_review_approve_issue_distribute);

async fn acknowledgements_and_withdrawal(b: Backend) {
    let app = TestApp::spawn(b).await;
    let iso = Iso::new(&app).await;
    // Recipients: everyone in Phòng Tư pháp (legal_officer) and the drafter.
    let (doc, v1) = iso
        .procedure(
            "QT-TEST-02",
            "Bước 1. Tiếp nhận.",
            json!([{"org_unit": "TP"}, {"user": "drafter"}]),
        )
        .await;
    let legal = app.login("legal_officer").await;
    let ack = |t: String, body: Value| {
        let app = &app;
        let doc = doc.clone();
        async move {
            app.post(
                &format!("/api/v1/iso/documents/{doc}/acknowledge"),
                Some(&t),
                body,
            )
            .await
        }
    };
    // Nothing to acknowledge before the first issue.
    guard(
        &ack(legal.clone(), json!({})).await,
        "acknowledge_current_revision",
    );
    iso.release(&v1, None).await;
    let list = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/acknowledgements"),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(list.body["version_id"], v1.as_str());
    let missing: Vec<String> = list.body["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| s(&u["username"]))
        .collect();
    assert_eq!(missing, vec!["drafter", "legal_officer"]);
    let r = ack(legal.clone(), json!({"version_id": v1})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Twice is harmless.
    assert_eq!(ack(legal.clone(), json!({})).await.status, StatusCode::OK);
    // Only recipients acknowledge.
    ack(iso.approver.clone(), json!({})).await.problem(403);
    let list = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/acknowledgements"),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(
        list.body["acknowledged"][0]["user"]["username"],
        "legal_officer"
    );
    assert_eq!(list.body["missing"].as_array().unwrap().len(), 1);

    // A new revision must be acknowledged again; the old one can no longer be.
    let (_, v2) = iso.change(&legal, &doc, "Cập nhật.").await;
    iso.edit(
        &v2,
        "Bước 1. Tiếp nhận trực tuyến.",
        "Tiếp nhận trực tuyến.",
    )
    .await;
    iso.release(&v2, None).await;
    guard(
        &ack(legal.clone(), json!({"version_id": v1})).await,
        "acknowledge_current_revision",
    );
    let list = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/acknowledgements"),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(list.body["version_id"], v2.as_str());
    assert_eq!(list.body["missing"].as_array().unwrap().len(), 2);

    // Withdrawing the document: no current revision, every copy recalled, the last
    // revision stamped obsolete, nothing more to do with it.
    let open = app
        .post(
            &format!("/api/v1/iso/documents/{doc}/change-requests"),
            Some(&legal),
            json!({"reason": "Còn phù hợp?"}),
        )
        .await;
    assert_eq!(open.status, StatusCode::CREATED);
    let d = app.get(&format!("/api/v1/documents/{doc}"), None).await;
    let r = app
        .post_with_etag(
            &format!("/api/v1/documents/{doc}/withdraw"),
            &iso.ctl,
            &d.etag(),
            json!({"reason": "Thủ tục hành chính đã bị bãi bỏ."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = iso.document(&doc).await;
    assert!(d.body["current_revision"].is_null());
    let revs = iso.revisions(&doc).await;
    assert!(revs.iter().all(|r| r["is_current"] == false));
    assert_eq!(revs[1]["state"], "withdrawn");
    assert_eq!(revs[1]["obsolete_stamp"]["title"], "TÀI LIỆU LỖI THỜI");
    assert_eq!(
        revs[1]["withdrawal_reason"],
        "Thủ tục hành chính đã bị bãi bỏ."
    );
    let out = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/copies?outstanding=true"),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(out.body.as_array().unwrap().len(), 4, "{}", out.body);
    let open = app
        .get(
            &format!("/api/v1/iso/change-requests/{}", s(&open.body["id"])),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(open.body["state"], "cancelled");
    guard(&ack(legal.clone(), json!({})).await, "withdrawn_is_final");
    guard(
        &app.post(
            &format!("/api/v1/iso/documents/{doc}/change-requests"),
            Some(&legal),
            json!({"reason": "x"}),
        )
        .await,
        "withdrawn_is_final",
    );
    let v = app.get(&format!("/api/v1/versions/{v2}"), None).await;
    assert_eq!(v.body["state"], "withdrawn");
    assert_eq!(v.body["is_current"], false);
}
both_backends!(acknowledgements_and_withdrawal);

/// `service::iso::required_stamp`, which the PDF endpoint calls: the obsolete stamp for
/// superseded and withdrawn revisions, whatever stamp was asked for; none otherwise.
async fn obsolete_revisions_must_be_stamped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let iso = Iso::new(&app).await;
    let (doc, v1) = iso.procedure("QT-TEST-03", "A", json!([])).await;
    let stamp = |vid: String| {
        let mut c = app.conn();
        vanban::service::iso::required_stamp(&mut c, &vid).expect("stamp")
    };
    assert_eq!(stamp(v1.clone()), None, "a draft");
    iso.release(&v1, Some(today() - Days::days(10))).await;
    assert_eq!(stamp(v1.clone()), None, "the current revision");
    let (_, v2) = iso.change(&iso.ctl, &doc, "B").await;
    iso.edit(&v2, "B", "B").await;
    iso.release(&v2, None).await;
    let s1 = stamp(v1.clone()).expect("superseded is stamped");
    assert_eq!(s1.title, "TÀI LIỆU LỖI THỜI");
    assert_eq!(s1.since, Some(today()));
    assert_eq!(s1.replaced_by.as_deref(), Some("Lần ban hành 02"));
    // Another stamp cannot be asked for: the state decides, and controlled copies go
    // through distribution.
    for (query, guard) in [
        ("?stamp=official", "stamp_matches_state"),
        ("?stamp=draft", "stamp_matches_state"),
        (
            "?stamp=controlled_copy&copy_no=1&recipient=X",
            "controlled_copies_through_distribution",
        ),
    ] {
        let r = app
            .get(&format!("/api/v1/versions/{v1}/pdf{query}"), Some(&iso.ctl))
            .await;
        assert_eq!(r.problem(409)["guard"], guard, "{query}");
    }
    // Served as a PDF, the superseded revision says so.
    for query in ["", "?stamp=expired"] {
        let pdf = app
            .get(&format!("/api/v1/versions/{v1}/pdf{query}"), Some(&iso.ctl))
            .await;
        assert_eq!(pdf.status, StatusCode::OK, "{query}: {}", pdf.body);
        let text = crate::copies::pdftotext(&pdf.bytes);
        assert!(text.contains("TÀI LIỆU LỖI THỜI"), "{query}: {text}");
        assert!(
            text.contains("Lần ban hành 02"),
            "{query}: what replaced it"
        );
    }
    // The current one is not stamped obsolete.
    let current = app
        .get(&format!("/api/v1/versions/{v2}/pdf"), Some(&iso.ctl))
        .await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    let text = crate::copies::pdftotext(&current.bytes);
    assert!(!text.contains("LỖI THỜI"), "{text}");
    assert!(text.contains("BẢN CHÍNH THỨC"), "{text}");
    // An abandoned draft is obsolete too, replaced by the current revision.
    let (_, v3) = iso.change(&iso.ctl, &doc, "C").await;
    let r = iso
        .act(
            &iso.ctl,
            &v3,
            "withdraw",
            json!({"reason": "Không cần sửa nữa."}),
        )
        .await;
    assert_eq!(r.body["state"], "withdrawn", "{}", r.body);
    let s3 = stamp(v3).expect("withdrawn is stamped");
    assert_eq!(s3.replaced_by.as_deref(), Some("Lần ban hành 02"));
    // A legal document's version carries no obsolete stamp.
    let plan = app.get("/api/v1/documents?kind=scheme", None).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pv = app
        .get(&format!("/api/v1/documents/{plan}/versions"), None)
        .await;
    assert_eq!(stamp(s(&pv.body[0]["id"])), None);
    assert!(pv.body[0].get("state").is_none());
}
both_backends!(obsolete_revisions_must_be_stamped);

async fn periodic_review(b: Backend) {
    let app = TestApp::spawn(b).await;
    let iso = Iso::new(&app).await;
    let (doc, v1) = iso.procedure("QT-TEST-04", "A", json!([])).await;
    // Issued 13 months ago with a 12-month review period: overdue.
    let issued_on = today() - Days::days(400);
    iso.release(&v1, Some(issued_on)).await;
    let due = app
        .get(
            "/api/v1/iso/reviews/due?owner=VP&within_days=0",
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(due.status, StatusCode::OK, "{}", due.body);
    let item = due
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["document"]["id"] == doc.as_str())
        .cloned()
        .expect("the document is due");
    assert_eq!(item["overdue"], true);
    app.get("/api/v1/iso/reviews/due?within_days=999", Some(&iso.ctl))
        .await
        .problem(422);
    let d = iso.document(&doc).await;
    assert_eq!(d.body["review_overdue"], true);
    let url = format!("/api/v1/iso/documents/{doc}/review");

    // A change needed must say what; it raises a change request and stays due.
    let r = app
        .post_with_etag(
            &url,
            &iso.ctl,
            &d.etag(),
            json!({"outcome": "change_needed"}),
        )
        .await;
    r.problem(422);
    let r = app
        .post_with_etag(
            &url,
            &iso.ctl,
            &d.etag(),
            json!({"outcome": "change_needed", "note": "Căn cứ pháp lý đã thay đổi."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["change_request"]["origin"], "periodic_review");
    assert_eq!(r.body["change_request"]["state"], "open");
    assert_eq!(r.body["document"]["last_reviewed_on"], today().to_string());
    let due = app
        .get("/api/v1/iso/reviews/due?owner=VP", Some(&iso.ctl))
        .await;
    let item = due
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["document"]["id"] == doc.as_str())
        .cloned()
        .expect("still due");
    assert_eq!(
        item["open_change_request_id"],
        r.body["change_request"]["id"]
    );
    // A stale ETag is refused; a confirmed review sets the next date.
    app.post_with_etag(&url, &iso.ctl, &d.etag(), json!({"outcome": "confirmed"}))
        .await
        .problem(412);
    let r = app
        .post_with_etag(&url, &iso.ctl, &r.etag(), json!({"outcome": "confirmed"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let next = chrono::Months::new(12);
    assert_eq!(
        r.body["document"]["next_review_on"],
        today().checked_add_months(next).unwrap().to_string()
    );
    let due = app
        .get("/api/v1/iso/reviews/due?owner=VP", Some(&iso.ctl))
        .await;
    assert!(due
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["document"]["id"] != doc.as_str()));
    let audit = app
        .get(&format!("/api/v1/audit/document/{doc}"), Some(&iso.ctl))
        .await;
    assert_eq!(
        audit
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "iso.review")
            .count(),
        2
    );
}
both_backends!(periodic_review);

/// Every guard of document control, each broken once.
async fn every_guard_refuses(b: Backend) {
    let app = TestApp::spawn(b).await;
    let iso = Iso::new(&app).await;
    let legal = app.login("legal_officer").await;
    let (doc, v1) = iso.procedure("QT-TEST-05", "A", json!([])).await;

    guard(
        &app.post(
            "/api/v1/iso/documents",
            Some(&iso.ctl),
            json!({"kind": "iso_form", "iso_code": "qt-test-05", "title": "X", "owner": "VP"}),
        )
        .await,
        "iso_code_unique",
    );
    guard(
        &app.post(
            &format!("/api/v1/documents/{doc}/versions"),
            Some(&iso.ctl),
            json!({"body": "B"}),
        )
        .await,
        "one_open_revision",
    );
    guard(
        &app.post(
            &format!("/api/v1/iso/documents/{doc}/change-requests"),
            Some(&legal),
            json!({"reason": "x"}),
        )
        .await,
        "change_requests_on_documents_in_use",
    );
    let d = iso.document(&doc).await;
    guard(
        &app.post_with_etag(
            &format!("/api/v1/iso/documents/{doc}/review"),
            &iso.ctl,
            &d.etag(),
            json!({"outcome": "confirmed"}),
        )
        .await,
        "review_documents_in_use",
    );
    guard(
        &iso.act(&iso.approver, &v1, "approve", json!({})).await,
        "approve_only_in_review",
    );
    guard(
        &iso.act(&iso.ctl, &v1, "issue", json!({})).await,
        "issue_only_approved",
    );
    guard(
        &iso.act(&iso.approver, &v1, "return", json!({"reason": "x"}))
            .await,
        "return_only_in_review",
    );
    guard(
        &app.post(
            &format!("/api/v1/iso/revisions/{v1}/comments"),
            Some(&legal),
            json!({"body": "x"}),
        )
        .await,
        "comments_only_in_review",
    );
    iso.act(&iso.ctl, &v1, "submit", json!({})).await;
    guard(
        &iso.act(&iso.ctl, &v1, "submit", json!({})).await,
        "submit_only_drafts",
    );
    let v = app
        .get(&format!("/api/v1/versions/{v1}"), Some(&iso.ctl))
        .await;
    guard(
        &app.patch(
            &format!("/api/v1/versions/{v1}"),
            &iso.ctl,
            Some(&v.etag()),
            json!({"body": "changed under review"}),
        )
        .await,
        "revision_editable_only_in_draft",
    );
    // Returned to draft, it can change again.
    let r = iso
        .act(
            &iso.approver,
            &v1,
            "return",
            json!({"reason": "Thiếu bước 2."}),
        )
        .await;
    assert_eq!(r.body["state"], "draft", "{}", r.body);
    iso.edit(&v1, "A\nB", "x").await;
    iso.act(&iso.ctl, &v1, "submit", json!({})).await;
    iso.act(&iso.approver, &v1, "approve", json!({})).await;
    guard(
        &iso.act(
            &iso.ctl,
            &v1,
            "issue",
            json!({"effective_from": today() + Days::days(1)}),
        )
        .await,
        "effective_not_in_future",
    );
    iso.act(&iso.ctl, &v1, "issue", json!({})).await;
    guard(
        &iso.act(&iso.ctl, &v1, "withdraw", json!({"reason": "x"}))
            .await,
        "withdraw_current_with_document",
    );

    let cr = app
        .post(
            &format!("/api/v1/iso/documents/{doc}/change-requests"),
            Some(&legal),
            json!({"reason": "Sửa"}),
        )
        .await;
    let cr_url = format!("/api/v1/iso/change-requests/{}", s(&cr.body["id"]));
    app.post(&format!("{cr_url}/accept"), Some(&iso.ctl), json!({}))
        .await
        .problem(428);
    let accepted = app
        .post_with_etag(&format!("{cr_url}/accept"), &iso.ctl, &cr.etag(), json!({}))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    guard(
        &app.post_with_etag(
            &format!("{cr_url}/reject"),
            &iso.ctl,
            &accepted.etag(),
            json!({"reason": "x"}),
        )
        .await,
        "decide_only_open_requests",
    );
    // A second request cannot open a second draft.
    let cr2 = app
        .post(
            &format!("/api/v1/iso/documents/{doc}/change-requests"),
            Some(&legal),
            json!({"reason": "Sửa nữa"}),
        )
        .await;
    guard(
        &app.post_with_etag(
            &format!("/api/v1/iso/change-requests/{}/accept", s(&cr2.body["id"])),
            &iso.ctl,
            &cr2.etag(),
            json!({}),
        )
        .await,
        "one_open_revision",
    );
    let rejected = app
        .post_with_etag(
            &format!("/api/v1/iso/change-requests/{}/reject", s(&cr2.body["id"])),
            &iso.ctl,
            &cr2.etag(),
            json!({"reason": "Trùng với phiếu số 01."}),
        )
        .await;
    assert_eq!(rejected.body["state"], "rejected", "{}", rejected.body);
    let v2 = s(&accepted.body["revision_version_id"]);
    iso.edit(&v2, "A\nB\nC", "C").await;
    iso.act(&iso.ctl, &v2, "submit", json!({})).await;
    iso.act(&iso.approver, &v2, "approve", json!({})).await;
    guard(
        &iso.act(
            &iso.ctl,
            &v2,
            "issue",
            json!({"effective_from": today() - Days::days(1)}),
        )
        .await,
        "effective_after_previous",
    );
    iso.act(&iso.ctl, &v2, "issue", json!({})).await;
    guard(
        &iso.act(&iso.ctl, &v1, "withdraw", json!({"reason": "x"}))
            .await,
        "obsolete_is_final",
    );

    // The approver is never the author: an ISO controller who drafted a revision and
    // later became an approver still may not approve it.
    let admin = app.login("admin").await;
    let u = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "ctl2", "password": crate::helpers::PASSWORD, "role": "iso_controller", "org_unit": "VP"}),
        )
        .await;
    assert_eq!(u.status, StatusCode::CREATED, "{}", u.body);
    let ctl2 = app.login("ctl2").await;
    let (doc2, w1) = {
        let r = app
            .post(
                "/api/v1/iso/documents",
                Some(&ctl2),
                json!({"kind": "iso_instruction", "iso_code": "HD-TEST-01", "title": "Hướng dẫn", "owner": "VP", "body": "A"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        (s(&r.body["id"]), s(&r.body["open_revision"]["version_id"]))
    };
    let etag = iso.revision(&w1).await.etag();
    app.post_with_etag(
        &format!("/api/v1/iso/revisions/{w1}/submit"),
        &ctl2,
        &etag,
        json!({}),
    )
    .await;
    let me = app.get("/api/v1/users", Some(&admin)).await;
    let id = me
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "ctl2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = app.get(&format!("/api/v1/users/{id}"), Some(&admin)).await;
    let r = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            Some(&user.etag()),
            json!({"role": "approver"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ctl2 = app.login("ctl2").await;
    guard(
        &iso.act(&ctl2, &w1, "approve", json!({})).await,
        "approver_is_not_author",
    );
    // Never approved, it can still be deleted, with its control records.
    let d2 = app
        .get(&format!("/api/v1/documents/{doc2}"), Some(&iso.ctl))
        .await;
    let r = app
        .delete(
            &format!("/api/v1/documents/{doc2}"),
            &iso.ctl,
            Some(&d2.etag()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    app.get(&format!("/api/v1/iso/documents/{doc2}"), Some(&iso.ctl))
        .await
        .problem(404);

    // The controller of another agency does not control Văn phòng's documents.
    let u = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "ctl-tp", "password": crate::helpers::PASSWORD, "role": "iso_controller", "org_unit": "TP"}),
        )
        .await;
    assert_eq!(u.status, StatusCode::CREATED, "{}", u.body);
    let other = app.login("ctl-tp").await;
    iso.act(&other, &v1, "withdraw", json!({"reason": "x"}))
        .await
        .problem(403);
    app.post(
        "/api/v1/iso/documents",
        Some(&other),
        json!({"kind": "iso_procedure", "iso_code": "QT-X-99", "title": "X", "owner": "VP"}),
    )
    .await
    .problem(403);
    // ... but does its own.
    let own = app
        .post(
            "/api/v1/iso/documents",
            Some(&other),
            json!({"kind": "iso_procedure", "iso_code": "QT-TP-99", "title": "X", "owner": "TP"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    // Bad input: a legal kind, an unknown field, a bad code, a bad period.
    for body in [
        json!({"kind": "decision", "iso_code": "QT-1", "title": "X", "owner": "VP"}),
        json!({"kind": "iso_form", "iso_code": "QT-2", "title": "X", "owner": "VP", "colour": "red"}),
        json!({"kind": "iso_form", "iso_code": "QT 3", "title": "X", "owner": "VP"}),
        json!({"kind": "iso_form", "iso_code": "QT-4", "title": "X", "owner": "VP", "review_period_months": 0}),
        json!({"kind": "iso_procedure", "iso_code": "QT-5", "title": "X", "owner": "VP", "parent_id": doc}),
    ] {
        app.post("/api/v1/iso/documents", Some(&iso.ctl), body)
            .await
            .problem(422);
    }
    // A form is attached to its procedure.
    let form = app
        .post(
            "/api/v1/iso/documents",
            Some(&iso.ctl),
            json!({"kind": "iso_form", "iso_code": "BM-TEST-01", "title": "Biểu mẫu", "owner": "VP", "parent_id": doc}),
        )
        .await;
    assert_eq!(form.status, StatusCode::CREATED, "{}", form.body);
    assert_eq!(form.body["parent"]["id"], doc.as_str());
    let d = iso.document(&doc).await;
    assert_eq!(d.body["attachments"][0]["iso_code"], "BM-TEST-01");
}
both_backends!(every_guard_refuses);

async fn search(app: &TestApp, token: &str, q: &str) -> u64 {
    let r = app
        .get(
            &format!("/api/v1/search?q={q}&granularity=document"),
            Some(token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["total"].as_u64().unwrap_or(0)
}

async fn until(app: &TestApp, token: &str, q: &str, want: u64) {
    let started = Instant::now();
    loop {
        let n = search(app, token, q).await;
        if n == want {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{q}: {n} hits, expected {want}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn search_shows_the_current_revision(b: Backend) {
    let app = TestApp::spawn(b).await;
    let iso = Iso::new(&app).await;
    let (doc, v1) = iso
        .procedure("QT-TEST-06", "Bước 1. Tiếp nhận xylofonmot.", json!([]))
        .await;
    iso.release(&v1, None).await;
    until(&app, &iso.ctl, "xylofonmot", 1).await;
    // A draft of the next revision is not what search shows.
    let (_, v2) = iso.change(&iso.ctl, &doc, "Đổi").await;
    iso.edit(&v2, "Bước 1. Tiếp nhận zebrahai.", "Đổi").await;
    // The edit is indexed (its audit entry is), yet the current text is still the one found.
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    until(&app, &iso.ctl, "xylofonmot", 1).await;
    assert_eq!(search(&app, &iso.ctl, "zebrahai").await, 0);
    iso.release(&v2, None).await;
    until(&app, &iso.ctl, "zebrahai", 1).await;
    until(&app, &iso.ctl, "xylofonmot", 0).await;
    // Anyone may search it: the document is published.
    until(&app, &app.login("viewer").await, "zebrahai", 1).await;
}
both_backends!(search_shows_the_current_revision);

async fn compliance_report_json_and_csv(b: Backend) {
    let app = TestApp::spawn(b).await;
    let viewer = app.login("viewer").await;
    // The sample data of the demo, owned by Văn phòng.
    let r = app
        .get("/api/v1/iso/compliance?owner=VP", Some(&viewer))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.body["rows"].as_array().unwrap();
    let value = |m: &str| {
        rows.iter()
            .find(|r| r["measure"] == m)
            .unwrap_or_else(|| panic!("{m}"))["value"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(value("documents_current"), 4);
    assert_eq!(value("copies_current"), 16);
    assert_eq!(value("copies_not_withdrawn"), 3);
    assert_eq!(value("acknowledgements_missing"), 14);
    assert_eq!(value("change_requests_open"), 1);
    assert!(rows.iter().all(|r| r["owner_code"] == "VP"
        && s(&r["clause"]).starts_with("7.5")
        && !s(&r["requirement"]).is_empty()));
    let clause = |m: &str| s(&rows.iter().find(|r| r["measure"] == m).unwrap()["clause"]);
    assert_eq!(clause("change_requests_open"), "7.5.3.2 c)");
    assert_eq!(clause("acknowledgements_missing"), "7.5.3.1 a)");

    let csv = app
        .get("/api/v1/iso/compliance?owner=VP&format=csv", Some(&viewer))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("\u{feff}owner_code,owner_name,measure,value,clause,requirement,requirement_vi")
    );
    assert!(text.contains(
        "VP,Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện,copies_not_withdrawn,3,7.5.3.2 d),"
    ));
    assert_eq!(text.lines().count(), rows.len() + 1);
    let by_accept = app
        .send(
            test::TestRequest::get()
                .uri("/api/v1/iso/compliance")
                .insert_header((header::AUTHORIZATION, format!("Bearer {viewer}")))
                .insert_header((header::ACCEPT, "text/csv")),
        )
        .await;
    assert!(by_accept
        .header("content-type")
        .unwrap()
        .starts_with("text/csv"));
    app.get("/api/v1/iso/compliance", None).await.problem(401);
    app.get("/api/v1/iso/compliance?format=pdf", Some(&viewer))
        .await
        .problem(400);
    app.get("/api/v1/iso/compliance?owner=NOPE", Some(&viewer))
        .await
        .problem(422);

    // The sample documents, labelled as such, with two revisions each.
    let ctl = app.login("iso_controller").await;
    let list = app.get("/api/v1/iso/documents?owner=VP", Some(&ctl)).await;
    let list = list.body.as_array().unwrap().clone();
    assert_eq!(list.len(), 4);
    assert!(list.iter().all(|d| s(&d["title"]).contains("Dữ liệu mẫu")));
    let mc = list.iter().find(|d| d["iso_code"] == "QT-MC-01").unwrap();
    assert_eq!(mc["current_revision"]["revision_label"], "Lần ban hành 02");
    assert_eq!(mc["attachments"][0]["iso_code"], "BM-MC-01");
    let revs = app
        .get(
            &format!("/api/v1/iso/documents/{}/revisions", s(&mc["id"])),
            Some(&ctl),
        )
        .await;
    let states: Vec<String> = revs
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(&r["state"]))
        .collect();
    assert_eq!(states, vec!["superseded", "current"]);
}
both_backends!(compliance_report_json_and_csv);

/// A seeded random walk through the HTTP API (new revision, submit, return, approve,
/// issue, abandon, withdraw the document): after every step exactly one revision is
/// current while the document is in use, none after its withdrawal, and every obsolete
/// revision carries the obsolete stamp.
async fn random_sequences_keep_one_current(b: Backend) {
    let app = TestApp::spawn(b).await;
    let iso = Iso::new(&app).await;
    let legal = app.login("legal_officer").await;
    let (mut issues, mut withdrawals) = (0, 0);
    for seed in 1..=3u64 {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let code = format!("QT-RND-{seed:02}");
        let (doc, v1) = iso.procedure(&code, "A", json!([{"org_unit": "TP"}])).await;
        let mut withdrawn = false;
        let mut issued_once = false;
        for step in 0..60 {
            let revs = iso.revisions(&doc).await;
            let open = revs
                .iter()
                .find(|r| {
                    ["draft", "in_review", "approved"].contains(&r["state"].as_str().unwrap())
                })
                .map(|r| s(&r["version_id"]));
            let any = s(&revs[next(revs.len() as u64) as usize]["version_id"]);
            let target = open.clone().unwrap_or(any);
            let r = match next(12) {
                0..=1 if open.is_none() && !withdrawn => {
                    if issued_once {
                        iso.change(&legal, &doc, "Sửa đổi").await;
                    } else {
                        let r = app
                            .post(
                                &format!("/api/v1/documents/{doc}/versions"),
                                Some(&iso.ctl),
                                json!({"body": format!("B{step}")}),
                            )
                            .await;
                        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                    }
                    continue;
                }
                2..=3 => iso.act(&iso.ctl, &target, "submit", json!({})).await,
                4 => {
                    iso.act(&iso.approver, &target, "return", json!({"reason": "Sửa"}))
                        .await
                }
                5..=6 => iso.act(&iso.approver, &target, "approve", json!({})).await,
                7..=9 => iso.act(&iso.ctl, &target, "issue", json!({})).await,
                10 if next(3) == 0 => {
                    iso.act(&iso.ctl, &target, "withdraw", json!({"reason": "Bỏ"}))
                        .await
                }
                _ if step > 40 && next(4) == 0 && !withdrawn => {
                    let d = app
                        .get(&format!("/api/v1/documents/{doc}"), Some(&iso.ctl))
                        .await;
                    let r = app
                        .post_with_etag(
                            &format!("/api/v1/documents/{doc}/withdraw"),
                            &iso.ctl,
                            &d.etag(),
                            json!({"reason": "Bãi bỏ"}),
                        )
                        .await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                    withdrawn = true;
                    withdrawals += 1;
                    r
                }
                _ => continue,
            };
            // Every refusal is a guard (409) or a role (403), never a server error.
            assert!(
                r.status.is_success() || [403, 409].contains(&r.status.as_u16()),
                "seed {seed} step {step}: {} {}",
                r.status,
                r.body
            );
            if r.body["state"] == "current" {
                issued_once = true;
                issues += 1;
            }
            let revs = iso.revisions(&doc).await;
            let current = revs.iter().filter(|r| r["is_current"] == true).count();
            let expected = usize::from(issued_once && !withdrawn);
            assert_eq!(current, expected, "seed {seed} step {step}: {revs:?}");
            for r in &revs {
                let obsolete = ["superseded", "withdrawn"].contains(&r["state"].as_str().unwrap());
                assert_eq!(
                    r["obsolete_stamp"].is_object(),
                    obsolete,
                    "seed {seed} step {step}: {r}"
                );
                let v = app
                    .get(
                        &format!("/api/v1/versions/{}", s(&r["version_id"])),
                        Some(&iso.ctl),
                    )
                    .await;
                assert_eq!(v.body["is_current"], r["is_current"]);
            }
        }
        let _ = v1;
    }
    // The walk does reach the states that matter.
    assert!(
        issues >= 3 && withdrawals >= 1,
        "{issues} issues, {withdrawals} withdrawals"
    );
}
both_backends!(random_sequences_keep_one_current);

/// A quality document cites its legal basis (`based_on`): its ISO controller records it,
/// so that a change to that basis reaches the procedure like any dependent document.
async fn legal_basis_is_recorded_by_the_controller(b: Backend) {
    let app = TestApp::spawn(b).await;
    let iso = Iso::new(&app).await;
    let (doc, v1) = iso.procedure("QT-TEST-07", "A", json!([])).await;
    iso.release(&v1, None).await;
    let d63 = app.id_of("63/2010/NĐ-CP").await;
    let d130 = app.id_of("130/2005/NĐ-CP").await;
    let url = format!("/api/v1/documents/{doc}/relations");
    let r = app
        .post(
            &url,
            Some(&iso.ctl),
            json!({"target_id": d63, "kind": "based_on"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rel = s(&r.body["id"]);
    // Only `based_on`, only from a quality document it controls.
    app.post(
        &url,
        Some(&iso.ctl),
        json!({"target_id": d63, "kind": "guides", "effective_on": "2020-01-01"}),
    )
    .await
    .problem(403);
    app.post(
        &format!("/api/v1/documents/{d130}/relations"),
        Some(&iso.ctl),
        json!({"target_id": d63, "kind": "based_on"}),
    )
    .await
    .problem(403);
    let incoming = app
        .get(&format!("/api/v1/documents/{d63}/relations"), None)
        .await;
    assert!(incoming.body["incoming"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["source_id"] == doc.as_str() && r["kind"] == "based_on"));
    // When the cited rule is repealed, the procedure is flagged for review with the cause.
    let legal = app.login("legal_officer").await;
    let r = app
        .post(
            &format!("/api/v1/documents/{d130}/relations"),
            Some(&legal),
            json!({"target_id": d63, "kind": "repeals", "effective_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let flags = app
        .get(
            &format!("/api/v1/review-flags?document={doc}"),
            Some(&iso.ctl),
        )
        .await;
    assert_eq!(flags.status, StatusCode::OK, "{}", flags.body);
    let list = flags
        .body
        .as_array()
        .cloned()
        .or_else(|| flags.body["items"].as_array().cloned())
        .unwrap_or_default();
    assert!(
        list.iter()
            .any(|f| f["cause_document_id"] == d130.as_str()
                || f["cause_relation_id"] == r.body["id"]),
        "the procedure is flagged: {}",
        flags.body
    );
    // Removing a citation stays with the legal officers.
    app.delete(&format!("/api/v1/relations/{rel}"), &iso.ctl, None)
        .await
        .problem(403);
    let r = app
        .delete(&format!("/api/v1/relations/{rel}"), &legal, None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}
both_backends!(legal_basis_is_recorded_by_the_controller);

/// Quality documents written before document control existed come under control when
/// the migration runs: owned by their issuer, approved versions waiting to be issued.
async fn migration_brings_existing_quality_documents_under_control(b: Backend) {
    use diesel_migrations::MigrationHarness;
    let app = TestApp::spawn(b).await;
    let ctl = app.login("iso_controller").await;
    let list = app.get("/api/v1/iso/documents?owner=VP", Some(&ctl)).await;
    let doc = s(&list.body[0]["id"]);
    {
        let mut c = app.conn();
        let source = || match b {
            Backend::Sqlite => vanban::db::SQLITE_MIGRATIONS,
            Backend::Postgres => vanban::db::POSTGRES_MIGRATIONS,
        };
        // Down to before document control (later migrations go down first), then up.
        while c
            .applied_migrations()
            .expect("applied")
            .iter()
            .any(|m| m.to_string().starts_with("20261127000005"))
        {
            c.revert_last_migration(source()).expect("down");
        }
        vanban::db::run_migrations(&mut c).expect("up again");
    }
    let d = app
        .get(&format!("/api/v1/iso/documents/{doc}"), Some(&ctl))
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert_eq!(d.body["owner"]["code"], "VP");
    assert_eq!(d.body["review_period_months"], 12);
    let revs = app
        .get(
            &format!("/api/v1/iso/documents/{doc}/revisions"),
            Some(&ctl),
        )
        .await;
    let revs = revs.body.as_array().unwrap();
    assert!(!revs.is_empty());
    assert!(revs.iter().all(|r| r["state"] == "approved"));
}
both_backends!(migration_brings_existing_quality_documents_under_control);
