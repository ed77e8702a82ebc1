use actix_web::http::{header, StatusCode};
use actix_web::test;
use chrono::{Datelike, Duration};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, Options, Response, TestApp};

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn quick(b: Backend) -> Options {
    let _ = b;
    Options {
        demo: true,
        tweak: |s| {
            s.workflow.consultation_min_days = Some(0);
            s.workflow.effective_min_days = Some(7);
            s.workflow.comments_per_minute = 0;
        },
    }
}

/// The open consultation of a document (the demo has one of its own).
async fn consultation_of(app: &TestApp, document_id: &str) -> String {
    let open = app.get("/api/v1/public/consultations", None).await;
    open.body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["document_id"] == document_id)
        .expect("the document's consultation is open")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// This quarter's figures of one agency in the periodic report (zeros when it has none).
async fn agency_figures(app: &TestApp, token: &str, unit: &Value) -> Value {
    let r = app.get("/api/v1/reports/activity", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"]["id"] == *unit)
        .cloned()
        .unwrap_or_else(|| {
            let mut zeros = r.body["total"].clone();
            for v in zeros.as_object_mut().unwrap().values_mut() {
                *v = json!(0);
            }
            zeros
        })
}

pub(crate) async fn act(app: &TestApp, token: &str, id: &str, body: Value) -> Response {
    let etag = app
        .get(&format!("/api/v1/documents/{id}"), Some(token))
        .await
        .etag();
    app.post_with_etag(
        &format!("/api/v1/documents/{id}/transitions"),
        token,
        &etag,
        body,
    )
    .await
}

async fn comment(app: &TestApp, consultation: &str, key: Option<&str>, body: Value) -> Response {
    let mut req = test::TestRequest::post()
        .uri(&format!(
            "/api/v1/public/consultations/{consultation}/comments"
        ))
        .set_json(body);
    if let Some(k) = key {
        req = req.insert_header(("idempotency-key", k.to_owned()));
    }
    app.send(req).await
}

const DRAFT_1: &str = "Điều 1. Phạm vi điều chỉnh\n1. Quy chế này quy định việc tiếp nhận hồ sơ.\na) Tại bộ phận một cửa;\nb) Qua dịch vụ bưu chính.\nĐiều 2. Đối tượng áp dụng\nCơ quan, tổ chức, cá nhân.";
const DRAFT_2: &str = "Điều 1. Phạm vi điều chỉnh\n1. Quy chế này quy định việc tiếp nhận và trả kết quả hồ sơ.\na) Tại bộ phận một cửa;\nb) Qua dịch vụ bưu chính công ích.\nĐiều 2. Đối tượng áp dụng\nCơ quan, tổ chức, cá nhân.";

/// One decision from drafting to in force, with public comments, through HTTP only.
async fn a_decision_from_drafting_to_in_force(b: Backend) {
    let app = TestApp::spawn_with(b, quick(b)).await;
    let drafter = app.login("drafter").await;
    let legal = app.login("legal_officer").await;
    let approver = app.login("approver").await;
    let unit = app.get("/api/v1/auth/me", Some(&drafter)).await.body["org_unit_id"].clone();
    let before = agency_figures(&app, &legal, &unit).await;

    let doc = app
        .draft(&drafter, "Quyết định ban hành Quy chế tiếp nhận hồ sơ")
        .await;
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!(
        doc["allowed_actions"],
        json!(["open_consultation", "request_appraisal"])
    );
    let r = act(&app, &drafter, &id, json!({"action": "open_consultation"})).await;
    assert_eq!(r.problem(409)["guard"], "draft_has_text");
    let v1 = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({"label": "Dự thảo 1", "body": DRAFT_1}),
        )
        .await;
    assert_eq!(v1.status, StatusCode::CREATED);

    let r = act(&app, &drafter, &id, json!({"action": "open_consultation"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "consultation");

    // The public sees the draft and comments without an account.
    let open = app.get("/api/v1/public/consultations", None).await;
    let c = open
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["document_id"] == id.as_str())
        .expect("listed")
        .clone();
    assert!(c["text"].as_str().unwrap().contains("Điều 1"));
    assert!(c["provision_paths"]
        .as_array()
        .unwrap()
        .contains(&json!("dieu-1/khoan-1/diem-b")));
    let cid = c["id"].as_str().unwrap();
    let body = json!({"name": "Nguyễn Văn A <b>", "email": "a@example.vn", "provision_path": "dieu-1/khoan-1", "body": "Đề nghị bổ sung trả kết quả."});
    let first = comment(&app, cid, Some("retry-1"), body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let code = first.body["tracking_code"].as_str().unwrap().to_owned();
    assert!(first.body.get("author_email").is_none());
    assert_eq!(first.body["author_name"], "Nguyễn Văn A <b>");
    let retry = comment(&app, cid, Some("retry-1"), body.clone()).await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.body["tracking_code"], code.as_str());
    comment(
        &app,
        cid,
        Some("retry-1"),
        json!({"name": "X", "body": "khác"}),
    )
    .await
    .problem(409);
    comment(
        &app,
        cid,
        None,
        json!({"name": "X", "provision_path": "dieu-9", "body": "?"}),
    )
    .await
    .problem(422);
    comment(
        &app,
        cid,
        None,
        json!({"name": "X", "email": "not-an-email", "body": "?"}),
    )
    .await
    .problem(422);
    let spam = comment(&app, cid, None, json!({"name": "Spam", "body": "mua ngay"})).await;
    let general = comment(&app, cid, None, json!({"name": "Trần Thị B", "organisation": "UBND xã Sơn Bua", "body": "Đồng ý với dự thảo."})).await;
    let status = app
        .get(&format!("/api/v1/public/comments/{code}"), None)
        .await;
    assert_eq!(status.body["status"], "pending");

    // Moderation.
    let staff = app
        .get(
            &format!("/api/v1/consultations/{cid}/comments"),
            Some(&drafter),
        )
        .await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    let ids: Vec<(String, String)> = staff
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["tracking_code"].as_str().unwrap().to_owned(),
                c["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let id_of = |code: &str| ids.iter().find(|(c, _)| c == code).unwrap().1.clone();
    let main_id = id_of(&code);
    let spam_id = id_of(spam.body["tracking_code"].as_str().unwrap());
    let general_id = id_of(general.body["tracking_code"].as_str().unwrap());
    app.post(
        &format!("/api/v1/comments/{spam_id}/moderation"),
        Some(&drafter),
        json!({"action": "reject"}),
    )
    .await
    .problem(422);
    let r = app
        .post(
            &format!("/api/v1/comments/{spam_id}/moderation"),
            Some(&drafter),
            json!({"action": "reject", "reason": "quảng cáo"}),
        )
        .await;
    assert_eq!(r.body["status"], "rejected");
    for cmt in [&main_id, &general_id] {
        let r = app
            .post(
                &format!("/api/v1/comments/{cmt}/moderation"),
                Some(&drafter),
                json!({"action": "publish"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app
        .post(
            &format!("/api/v1/comments/{main_id}/moderation"),
            Some(&drafter),
            json!({"action": "publish"}),
        )
        .await;
    assert_eq!(r.problem(409)["guard"], "moderated_once");

    // The consultation closes (it was opened for today), then appraisal.
    let r = act(&app, &drafter, &id, json!({"action": "close_consultation"})).await;
    assert_eq!(r.body["state"], "revising", "{}", r.body);
    comment(&app, cid, None, json!({"name": "Late", "body": "muộn"}))
        .await
        .problem(409);
    let r = act(&app, &drafter, &id, json!({"action": "request_appraisal"})).await;
    assert_eq!(r.body["state"], "appraisal");
    // The justice office's work list: due in ten working days (holidays skipped).
    let due = vanban::domain::calendar::Calendar::vietnamese()
        .deadline(today(), 10, true)
        .unwrap();
    let waiting = |list: &Value| -> Option<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["document"]["id"] == id.as_str())
            .cloned()
    };
    let list = app.get("/api/v1/appraisal-requests", Some(&legal)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let req = waiting(&list.body).expect("the request is open");
    assert_eq!(req["due_on"], due.to_string());
    assert_eq!(req["requested_on"], today().to_string());
    assert_eq!(req["overdue"], false);
    assert!(waiting(
        &app.get("/api/v1/appraisal-requests?state=overdue", Some(&legal))
            .await
            .body
    )
    .is_none());
    let late = due + Duration::days(1);
    let overdue = app
        .get(
            &format!("/api/v1/appraisal-requests?state=overdue&as_of={late}"),
            Some(&legal),
        )
        .await;
    assert_eq!(
        waiting(&overdue.body).expect("overdue the day after")["overdue"],
        true
    );
    // Staff of another agency do not see it.
    let other = app.login("viewer").await;
    assert!(waiting(
        &app.get("/api/v1/appraisal-requests", Some(&other))
            .await
            .body
    )
    .is_none());
    let r = act(&app, &drafter, &id, json!({"action": "submit"})).await;
    assert_eq!(r.problem(409)["guard"], "comments_have_dispositions");
    app.post(
        &format!("/api/v1/comments/{spam_id}/disposition"),
        Some(&drafter),
        json!({"disposition": "accepted", "response": "x"}),
    )
    .await
    .problem(409);
    for (cmt, d) in [(&main_id, "accepted"), (&general_id, "not_accepted")] {
        let r = app
            .post(
                &format!("/api/v1/comments/{cmt}/disposition"),
                Some(&drafter),
                json!({"disposition": d, "response": "Đã tiếp thu, chỉnh lý Điều 1."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = act(&app, &drafter, &id, json!({"action": "submit"})).await;
    assert_eq!(r.problem(409)["guard"], "appraisal_fit_to_submit");
    // Needs revision: back to revising; a new version; appraised again; fit to submit.
    app.post(
        &format!("/api/v1/documents/{id}/appraisals"),
        Some(&drafter),
        json!({"opinion": "fit_to_submit"}),
    )
    .await
    .problem(403);
    let a = app
        .post(
            &format!("/api/v1/documents/{id}/appraisals"),
            Some(&legal),
            json!({"opinion": "needs_revision", "findings": "Làm rõ Điều 1."}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    // The opinion answers the request: off the open list, kept in `all`.
    assert!(waiting(
        &app.get("/api/v1/appraisal-requests", Some(&legal))
            .await
            .body
    )
    .is_none());
    let all = app
        .get("/api/v1/appraisal-requests?state=all", Some(&legal))
        .await;
    assert_eq!(waiting(&all.body).unwrap()["appraisal_id"], a.body["id"]);
    assert_eq!(
        app.get(&format!("/api/v1/documents/{id}"), Some(&drafter))
            .await
            .body["state"],
        "revising"
    );
    app.post(
        &format!("/api/v1/documents/{id}/appraisals"),
        Some(&legal),
        json!({"opinion": "fit_to_submit"}),
    )
    .await
    .problem(409);
    let v2 = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({"label": "Dự thảo 2", "body": DRAFT_2}),
        )
        .await;
    assert_eq!(v2.status, StatusCode::CREATED);
    act(&app, &drafter, &id, json!({"action": "request_appraisal"})).await;
    let a = app
        .post(
            &format!("/api/v1/documents/{id}/appraisals"),
            Some(&legal),
            json!({"opinion": "fit_to_submit"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let r = act(&app, &drafter, &id, json!({"action": "submit"})).await;
    assert_eq!(r.body["state"], "submitted", "{}", r.body);

    // Only an approver signs; the effective date respects the minimum delay.
    act(
        &app,
        &drafter,
        &id,
        json!({"action": "sign", "effective_from": "2099-01-01"}),
    )
    .await
    .problem(403);
    let early = (today() + Duration::days(3)).to_string();
    let r = act(
        &app,
        &approver,
        &id,
        json!({"action": "sign", "effective_from": early}),
    )
    .await;
    assert_eq!(r.problem(409)["guard"], "effective_after_signing");
    let eff = today() + Duration::days(10);
    let r = act(
        &app,
        &approver,
        &id,
        json!({"action": "sign", "effective_from": eff.to_string()}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "signed");
    assert_eq!(r.body["number"], format!("01/{}/QĐ-UBND", today().year()));
    assert_eq!(r.body["signed_on"], today().to_string());
    let p = app
        .patch(
            &format!("/api/v1/documents/{id}"),
            &drafter,
            Some(&r.etag()),
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(p.problem(409)["guard"], "published_is_immutable");
    app.post(
        &format!("/api/v1/documents/{id}/versions"),
        Some(&drafter),
        json!({"body": "x"}),
    )
    .await
    .problem(409);
    let r = act(&app, &legal, &id, json!({"action": "publish"})).await;
    assert_eq!(r.body["state"], "published", "{}", r.body);
    assert_eq!(r.body["legal_effect"]["effect"], "not_yet_effective");
    let later = app
        .get(&format!("/api/v1/documents/{id}?as_of={eff}"), None)
        .await;
    assert_eq!(later.body["legal_effect"]["effect"], "in_force");
    assert!(later.body["allowed_actions"].as_array().unwrap().is_empty());
    // Promulgation opened the self-inspection.
    let si = app
        .get(
            &format!("/api/v1/self-inspections?document={id}"),
            Some(&legal),
        )
        .await;
    assert_eq!(si.status, StatusCode::OK, "{}", si.body);
    assert_eq!(
        si.body
            .as_array()
            .map(|a| a.len())
            .or_else(|| si.body["items"].as_array().map(|a| a.len())),
        Some(1),
        "{}",
        si.body
    );

    // The public follows its comment to the answer.
    let status = app
        .get(&format!("/api/v1/public/comments/{code}"), None)
        .await;
    assert_eq!(status.body["disposition"], "accepted");
    assert_eq!(status.body["response"], "Đã tiếp thu, chỉnh lý Điều 1.");

    // The consolidated report, article by article, with what changed.
    let rep = app
        .get(
            &format!("/api/v1/consultations/{cid}/report"),
            Some(&drafter),
        )
        .await;
    assert_eq!(rep.status, StatusCode::OK, "{}", rep.body);
    assert_eq!(rep.body["totals"]["received"], 3);
    assert_eq!(rep.body["totals"]["rejected"], 1);
    assert_eq!(rep.body["totals"]["accepted"], 1);
    let arts = rep.body["articles"].as_array().unwrap();
    let d1 = arts.iter().find(|a| a["path"] == "dieu-1").unwrap();
    assert_eq!(d1["comments"].as_array().unwrap().len(), 1);
    assert_eq!(d1["change"]["status"], "changed");
    assert!(d1["change"]["diff"]
        .as_str()
        .unwrap()
        .contains("+1. Quy chế này quy định việc tiếp nhận và trả kết quả hồ sơ."));
    let d2 = arts.iter().find(|a| a["path"] == "dieu-2").unwrap();
    assert_eq!(d2["change"]["status"], "unchanged");
    assert!(arts
        .iter()
        .any(|a| a["path"].is_null() && a["comments"].as_array().unwrap().len() == 1));
    let csv = app
        .get(
            &format!("/api/v1/consultations/{cid}/report?format=csv"),
            Some(&drafter),
        )
        .await;
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(text.starts_with("\u{feff}article,heading,tracking_code"));
    assert!(text.contains(&code));
    let pdf = app
        .get(
            &format!("/api/v1/consultations/{cid}/report?format=pdf"),
            Some(&drafter),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    let text = crate::copies::pdftotext(&pdf.bytes);
    for expected in [
        "Bản tổng hợp, giải trình, tiếp thu ý kiến góp ý",
        "Điều 1. Phạm vi điều chỉnh",
        "Ý kiến chung về dự thảo",
        "Trần Thị B (UBND xã Sơn Bua)",
        "Tiếp thu. Đã tiếp thu, chỉnh lý Điều 1.",
        "Ở dự thảo tiếp theo: có chỉnh lý.",
        "mua ngay",
    ] {
        assert_eq!(
            text.contains(expected),
            expected != "mua ngay",
            "{expected} in the PDF report:\n{text}"
        );
    }

    // The periodic report counts this decision for the drafter's agency.
    let after = agency_figures(&app, &legal, &unit).await;
    let delta = |k: &str| after[k].as_i64().unwrap() - before[k].as_i64().unwrap();
    for (figure, expected) in [
        ("drafts_started", 1),
        ("drafts_in_progress", 0),
        ("consultations_held", 1),
        ("comments_received", 2),
        ("comments_rejected", 1),
        ("comments_answered", 2),
        ("comments_unanswered", 0),
        ("appraisals_requested", 2),
        ("appraisals", 2),
        ("appraisals_overdue", 0),
        ("appraisals_fit_to_submit", 1),
        ("appraisals_needs_revision", 1),
        ("documents_promulgated", 1),
        ("self_inspections_done", 0),
        ("self_inspections_overdue", 0),
    ] {
        assert_eq!(delta(figure), expected, "{figure}: {before} → {after}");
    }
    let viewer = app.login("viewer").await;
    app.get(
        &format!("/api/v1/consultations/{cid}/report"),
        Some(&viewer),
    )
    .await
    .problem(403);

    // Every step is in the audit log.
    let log = app
        .get(&format!("/api/v1/audit/document/{id}"), Some(&legal))
        .await;
    let actions: Vec<&str> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "workflow.open_consultation",
        "workflow.close_consultation",
        "workflow.appraisal",
        "workflow.submit",
        "workflow.sign",
        "workflow.publish",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}
both_backends!(a_decision_from_drafting_to_in_force);

async fn consultation_guards(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| {
                s.workflow.consultation_min_days = Some(10);
                s.workflow.comments_per_minute = 2;
            },
        },
    )
    .await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Dự thảo lấy ý kiến").await;
    let id = doc["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/documents/{id}/versions"),
        Some(&drafter),
        json!({"body": DRAFT_1}),
    )
    .await;
    // Too short.
    let short = (today() + Duration::days(3)).to_string();
    let r = act(
        &app,
        &drafter,
        id,
        json!({"action": "open_consultation", "closes_on": short}),
    )
    .await;
    assert_eq!(r.problem(409)["guard"], "consultation_min_days");
    let r = act(&app, &drafter, id, json!({"action": "open_consultation"})).await;
    assert_eq!(r.status, StatusCode::OK);
    // Cannot close early; a wrong action for the state is named too.
    let r = act(&app, &drafter, id, json!({"action": "close_consultation"})).await;
    assert_eq!(r.problem(409)["guard"], "consultation_not_closed_early");
    let r = act(&app, &drafter, id, json!({"action": "submit"})).await;
    assert_eq!(r.problem(409)["guard"], "action_allowed_in_state");
    // Stale ETag, unknown action.
    let stale = app
        .post_with_etag(
            &format!("/api/v1/documents/{id}/transitions"),
            &drafter,
            "\"x-1\"",
            json!({"action": "close_consultation"}),
        )
        .await;
    stale.problem(412);
    let etag = app
        .get(&format!("/api/v1/documents/{id}"), Some(&drafter))
        .await
        .etag();
    app.post_with_etag(
        &format!("/api/v1/documents/{id}/transitions"),
        &drafter,
        &etag,
        json!({"action": "fly"}),
    )
    .await
    .problem(422);
    // Public abuse: rate limit with Retry-After, size limit, unknown consultation.
    let cid = consultation_of(&app, id).await;
    app.post(
        "/api/v1/public/consultations/00000000-0000-0000-0000-000000000000/comments",
        None,
        json!({"name": "A", "body": "x"}),
    )
    .await
    .problem(404);
    for _ in 0..1 {
        assert_eq!(
            comment(&app, &cid, None, json!({"name": "A", "body": "ý kiến"}))
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let r = comment(&app, &cid, None, json!({"name": "A", "body": "ý kiến"})).await;
    r.problem(429);
    assert!(r.header("retry-after").is_some());
}
both_backends!(consultation_guards);

/// Behind a trusted reverse proxy each citizen has a limit of their own, read from
/// X-Forwarded-For; a forged header from anyone else changes nothing.
async fn rate_limit_per_client_behind_a_proxy(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| {
                s.workflow.comments_per_minute = 1;
                s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
            },
        },
    )
    .await;
    let open = app.get("/api/v1/public/consultations", None).await;
    let cid = open.body[0]["id"]
        .as_str()
        .expect("the demo's consultation")
        .to_owned();
    let send = |peer: &str, forwarded: &str| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/consultations/{cid}/comments"))
            .peer_addr(peer.parse().unwrap())
            .insert_header(("x-forwarded-for", forwarded.to_owned()))
            .set_json(json!({"name": "Người dân", "body": "Ý kiến về dự thảo."}))
    };
    let proxy = "127.0.0.1:40000";
    assert_eq!(
        app.send(send(proxy, "198.51.100.1")).await.status,
        StatusCode::CREATED
    );
    app.send(send(proxy, "198.51.100.1")).await.problem(429);
    assert_eq!(
        app.send(send(proxy, "203.0.113.5, 198.51.100.2"))
            .await
            .status,
        StatusCode::CREATED
    );
    // Not from the proxy: the header is ignored, the peer is the client.
    let direct = "192.0.2.10:50000";
    assert_eq!(
        app.send(send(direct, "198.51.100.3")).await.status,
        StatusCode::CREATED
    );
    app.send(send(direct, "198.51.100.4")).await.problem(429);
}
both_backends!(rate_limit_per_client_behind_a_proxy);

async fn long_comments_are_refused(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| {
                s.workflow.consultation_min_days = Some(0);
                s.workflow.comment_max_chars = 50;
            },
        },
    )
    .await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Dự thảo").await;
    let id = doc["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/documents/{id}/versions"),
        Some(&drafter),
        json!({"body": DRAFT_1}),
    )
    .await;
    act(&app, &drafter, id, json!({"action": "open_consultation"})).await;
    let cid = consultation_of(&app, id).await;
    comment(
        &app,
        &cid,
        None,
        json!({"name": "A", "body": "x".repeat(51)}),
    )
    .await
    .problem(422);
    comment(&app, &cid, None, json!({"name": "A", "body": "ok\u{0007}"}))
        .await
        .problem(422);
}
both_backends!(long_comments_are_refused);

/// Signing: the signer may not be the version's author, and concurrent signings of one
/// issuer's decisions get consecutive numbers, never the same one.
async fn signing_guards_and_numbers(b: Backend) {
    let app = TestApp::spawn_with(b, quick(b)).await;
    let drafter = app.login("drafter").await;
    let legal = app.login("legal_officer").await;
    let approver = app.login("approver").await;
    let mut ids = vec![];
    for i in 0..4 {
        let doc = app.draft(&drafter, &format!("Quyết định {i}")).await;
        let id = doc["id"].as_str().unwrap().to_owned();
        app.post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({"body": DRAFT_1}),
        )
        .await;
        act(&app, &drafter, &id, json!({"action": "request_appraisal"})).await;
        app.post(
            &format!("/api/v1/documents/{id}/appraisals"),
            Some(&legal),
            json!({"opinion": "fit_to_submit"}),
        )
        .await;
        let r = act(&app, &drafter, &id, json!({"action": "submit"})).await;
        assert_eq!(r.body["state"], "submitted", "{}", r.body);
        ids.push(id);
    }
    // The approver wrote the last version of the first draft: may not sign it.
    let mut c = app.conn();
    let approver_id = vanban::db::users::by_username(&mut c, "approver")
        .unwrap()
        .unwrap()
        .id;
    drop(c);
    app.sql(&format!(
        "UPDATE versions SET author_id = '{approver_id}' WHERE document_id = '{}'",
        ids[0]
    ));
    let eff = (today() + Duration::days(30)).to_string();
    let r = act(
        &app,
        &approver,
        &ids[0],
        json!({"action": "sign", "effective_from": eff}),
    )
    .await;
    assert_eq!(r.problem(409)["guard"], "signer_is_not_author");
    // Three signed at once.
    let mut calls = vec![];
    for id in &ids[1..] {
        let etag = app
            .get(&format!("/api/v1/documents/{id}"), Some(&approver))
            .await
            .etag();
        calls.push((format!("/api/v1/documents/{id}/transitions"), etag));
    }
    let futures = calls.iter().map(|(path, etag)| {
        app.post_with_etag(
            path,
            &approver,
            etag,
            json!({"action": "sign", "effective_from": eff}),
        )
    });
    let results = futures_util::future::join_all(futures).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let y = today().year();
    assert_eq!(
        numbers,
        vec![
            format!("01/{y}/QĐ-UBND"),
            format!("02/{y}/QĐ-UBND"),
            format!("03/{y}/QĐ-UBND")
        ]
    );
    // A returned draft goes back to revising, with a reason.
    let doc = app.draft(&drafter, "Trả lại").await;
    let id = doc["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/documents/{id}/versions"),
        Some(&drafter),
        json!({"body": DRAFT_1}),
    )
    .await;
    act(&app, &drafter, &id, json!({"action": "request_appraisal"})).await;
    app.post(
        &format!("/api/v1/documents/{id}/appraisals"),
        Some(&legal),
        json!({"opinion": "fit_to_submit"}),
    )
    .await;
    act(&app, &drafter, &id, json!({"action": "submit"})).await;
    act(
        &app,
        &approver,
        &id,
        json!({"action": "return_for_revision"}),
    )
    .await
    .problem(422);
    let r = act(
        &app,
        &approver,
        &id,
        json!({"action": "return_for_revision", "reason": "Chưa rõ thẩm quyền"}),
    )
    .await;
    assert_eq!(r.body["state"], "revising");
    let _ = header::ETAG;
}
both_backends!(signing_guards_and_numbers);

/// A comment still waiting for moderation blocks submission; external documents have
/// no drafting workflow.
async fn pending_comments_and_external_documents(b: Backend) {
    let app = TestApp::spawn_with(b, quick(b)).await;
    let drafter = app.login("drafter").await;
    let legal = app.login("legal_officer").await;
    let doc = app.draft(&drafter, "Dự thảo chờ duyệt ý kiến").await;
    let id = doc["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/documents/{id}/versions"),
        Some(&drafter),
        json!({"body": DRAFT_1}),
    )
    .await;
    act(&app, &drafter, &id, json!({"action": "open_consultation"})).await;
    let cid = consultation_of(&app, &id).await;
    let c = comment(&app, &cid, None, json!({"name": "A", "body": "Chờ duyệt"})).await;
    assert_eq!(c.status, StatusCode::CREATED);
    act(&app, &drafter, &id, json!({"action": "close_consultation"})).await;
    act(&app, &drafter, &id, json!({"action": "request_appraisal"})).await;
    app.post(
        &format!("/api/v1/documents/{id}/appraisals"),
        Some(&legal),
        json!({"opinion": "fit_to_submit"}),
    )
    .await;
    let r = act(&app, &drafter, &id, json!({"action": "submit"})).await;
    assert_eq!(r.problem(409)["guard"], "comments_moderated");

    let d63 = app.id_of("63/2010/NĐ-CP").await;
    let r = act(&app, &legal, &d63, json!({"action": "request_appraisal"})).await;
    assert_eq!(r.problem(409)["guard"], "legal_workflow_only");
}
both_backends!(pending_comments_and_external_documents);
