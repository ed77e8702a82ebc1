//! After promulgation: self-inspection, impact flags, review campaigns, systematisation.

use actix_web::http::{header, StatusCode};
use actix_web::test;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

async fn put_result(
    app: &TestApp,
    item: &str,
    token: &str,
    etag: Option<&str>,
    body: Value,
) -> crate::helpers::Response {
    let mut req = test::TestRequest::put()
        .uri(&format!("/api/v1/review-items/{item}/result"))
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
        .set_json(body);
    if let Some(e) = etag {
        req = req.insert_header((header::IF_MATCH, e.to_owned()));
    }
    app.send(req).await
}

/// An external (already promulgated) document, created by the legal officer.
async fn external(
    app: &TestApp,
    token: &str,
    kind: &str,
    number: &str,
    issuer: &str,
    signed: Option<&str>,
) -> String {
    let r = app
        .post(
            "/api/v1/documents",
            Some(token),
            json!({"kind": kind, "number": number, "title": format!("Văn bản {number}"),
                   "issuer": issuer, "signed_on": signed, "external": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    s(&r.body["id"])
}

async fn demo_campaign_progress_and_lists(b: Backend) {
    let app = TestApp::spawn(b).await;
    let viewer = app.login("viewer").await;
    app.get("/api/v1/review-campaigns", None).await.problem(401);
    let list = app.get("/api/v1/review-campaigns", Some(&viewer)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let campaigns = list.body.as_array().unwrap();
    assert_eq!(campaigns.len(), 1);
    let c = &campaigns[0];
    assert_eq!(c["name"], "Rà soát VBQPPL 2011–2016 (dữ liệu mẫu)");
    assert_eq!(c["total"], 34);
    assert_eq!(c["reviewed"], 13);
    assert_eq!(c["unreviewed"], 21);
    assert_eq!(
        c["by_result"],
        json!({"still_appropriate": 6, "amend": 3, "replace": 1, "repeal": 1, "expired": 2, "continue_to_apply": 0})
    );
    assert_eq!(c["state"], "open");
    let id = s(&c["id"]);

    let p = app
        .get(
            &format!("/api/v1/review-campaigns/{id}/progress"),
            Some(&viewer),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.body["total"], 34);
    assert_eq!(p.body["reviewed"], 13);
    let agencies = p.body["by_agency"].as_array().unwrap();
    let nv = agencies
        .iter()
        .find(|a| a["agency"]["code"] == "NV")
        .expect("Phòng Nội vụ has items");
    assert_eq!(nv["total"], 4);
    assert_eq!(nv["reviewed"], 2);
    assert_eq!(nv["by_result"]["expired"], 1);
    assert_eq!(nv["by_result"]["repeal"], 1);
    let sum: i64 = agencies.iter().map(|a| a["total"].as_i64().unwrap()).sum();
    assert_eq!(sum, 34);

    let items = app
        .get(
            &format!("/api/v1/review-campaigns/{id}/items?reviewed=true"),
            Some(&viewer),
        )
        .await;
    assert_eq!(items.body.as_array().unwrap().len(), 13);
    let all = app
        .get(
            &format!("/api/v1/review-campaigns/{id}/items"),
            Some(&viewer),
        )
        .await;
    let all = all.body.as_array().unwrap();
    assert_eq!(all.len(), 34);
    assert!(all.iter().all(|i| i["document"]["title"]
        .as_str()
        .unwrap()
        .ends_with("(dữ liệu mẫu)")));
    let repeal = app
        .get(
            &format!("/api/v1/review-campaigns/{id}/items?result=repeal&assignee=NV"),
            Some(&viewer),
        )
        .await;
    let repeal = repeal.body.as_array().unwrap();
    assert_eq!(repeal.len(), 1);
    assert_eq!(repeal[0]["document"]["number"], "02/2013/QĐ-UBND");
    assert_eq!(repeal[0]["result_label_vi"], "Cần bãi bỏ");
    assert!(repeal[0]["proposed_action"].is_string());

    // The sample relations show in legal effect: replaced in 2016.
    let nq = app.id_of("02/2011/NQ-HĐND").await;
    let e = app
        .get(
            &format!("/api/v1/documents/{nq}/effect?as_of=2016-06-30"),
            None,
        )
        .await;
    assert_eq!(e.body["effect"], "expired");
}
both_backends!(demo_campaign_progress_and_lists);

async fn systematization_lists_json_and_csv(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Public: the lists of documents in force and expired are published.
    let r = app
        .get("/api/v1/systematization?issuer=UBND&year=2015", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["issuer"]["code"], "UBND");
    assert_eq!(r.body["as_of"], "2015-12-31");
    let numbers = |list: &str| -> Vec<String> {
        r.body[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| s(&e["document"]["number"]))
            .collect()
    };
    let in_force = numbers("in_force");
    // 17 decisions in force at the end of 2015; the plan (a scheme) is not systematised.
    assert_eq!(in_force.len(), 17, "{in_force:?}");
    assert!(in_force.contains(&"04/2013/QĐ-UBND".to_owned()));
    assert!(!in_force.contains(&"01/2011/QĐ-UBND".to_owned()));
    assert!(!in_force.contains(&"02/2011/QĐ-UBND".to_owned()));
    let expired = r.body["expired"].as_array().unwrap();
    assert_eq!(expired.len(), 2, "{expired:?}");
    assert_eq!(expired[0]["document"]["number"], "02/2011/QĐ-UBND");
    assert_eq!(expired[0]["expired_in"], "full");
    assert_eq!(expired[0]["legal_effect"]["since"], "2015-03-20");
    assert_eq!(expired[0]["causes"][0]["kind"], "replaces");
    assert_eq!(
        expired[0]["causes"][0]["document"]["number"],
        "01/2015/QĐ-UBND"
    );
    assert_eq!(expired[1]["document"]["number"], "04/2013/QĐ-UBND");
    assert_eq!(expired[1]["expired_in"], "part");
    assert_eq!(expired[1]["causes"][0]["kind"], "repeals");

    let h = app
        .get("/api/v1/systematization?issuer=HDND&year=2016", None)
        .await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.body);
    assert_eq!(h.body["in_force"].as_array().unwrap().len(), 9);
    let expired: Vec<String> = h.body["expired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["document"]["number"]))
        .collect();
    assert_eq!(expired, ["01/2011/NQ-HĐND", "02/2011/NQ-HĐND"]);

    let csv = app
        .get(
            "/api/v1/systematization?issuer=UBND&year=2015&format=csv",
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv
        .header("content-disposition")
        .unwrap()
        .contains("he-thong-hoa-ubnd-2015.csv"));
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 17 + 2);
    assert!(lines[0].contains("list,number,kind,title"));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("expired_in_full,02/2011/QĐ-UBND,decision,")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("expired_in_part,04/2013/QĐ-UBND,")));

    let pdf = app
        .get(
            "/api/v1/systematization?issuer=UBND&year=2015&format=pdf",
            None,
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    assert!(pdf
        .header("content-disposition")
        .unwrap()
        .contains("he-thong-hoa-ubnd-2015.pdf"));
    let text = crate::copies::pdftotext(&pdf.bytes);
    for expected in [
        "Kết quả hệ thống hóa văn bản năm 2015",
        "I. Danh mục văn bản còn hiệu lực",
        "III. Danh mục văn bản hết hiệu lực toàn bộ hoặc một phần trong năm",
        "02/2011/QĐ-UBND",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    app.get("/api/v1/systematization?year=2015", None)
        .await
        .problem(400);
    app.get("/api/v1/systematization?issuer=NOPE&year=2015", None)
        .await
        .problem(422);
    app.get("/api/v1/systematization?issuer=UBND&year=20150", None)
        .await
        .problem(422);
}
both_backends!(systematization_lists_json_and_csv);

async fn self_inspection_opens_records_and_follows_up(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    let drafter = app.login("drafter").await;
    let viewer = app.login("viewer").await;
    let doc = app.id_of("03/2016/QĐ-UBND").await;
    let path = format!("/api/v1/documents/{doc}/self-inspection");

    app.post(&path, Some(&drafter), json!({}))
        .await
        .problem(403);
    let r = app.post(&path, Some(&legal), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = s(&r.body["id"]);
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/api/v1/self-inspections/{id}").as_str())
    );
    assert_eq!(r.body["state"], "open");
    assert_eq!(r.body["started_on"], "2016-06-07");
    // 30 working days after Tuesday 7 June 2016 (no holiday in between).
    assert_eq!(r.body["due_on"], "2016-07-19");
    assert_eq!(r.body["overdue"], true);
    assert_eq!(r.body["document"]["issuer"]["code"], "UBND");
    // One per document.
    let again = app.post(&path, Some(&legal), json!({})).await;
    assert_eq!(
        again.problem(409)["guard"],
        "one_self_inspection_per_document"
    );
    // Only after promulgation.
    let draft = s(&app.draft(&drafter, "Dự thảo chưa ban hành").await["id"]);
    let d = app
        .post(
            &format!("/api/v1/documents/{draft}/self-inspection"),
            Some(&legal),
            json!({}),
        )
        .await;
    assert_eq!(
        d.problem(409)["guard"],
        "self_inspection_after_promulgation"
    );

    // Lists: overdue on a date, by issuer, by document.
    let ids = |r: &crate::helpers::Response| -> Vec<String> {
        r.body
            .as_array()
            .unwrap()
            .iter()
            .map(|x| s(&x["id"]))
            .collect()
    };
    let overdue = app
        .get("/api/v1/self-inspections?overdue=true", Some(&viewer))
        .await;
    assert_eq!(overdue.status, StatusCode::OK, "{}", overdue.body);
    assert!(ids(&overdue).contains(&id));
    let on_due = app
        .get(
            "/api/v1/self-inspections?overdue=true&as_of=2016-07-19",
            Some(&viewer),
        )
        .await;
    assert!(!ids(&on_due).contains(&id));
    let after = app
        .get(
            "/api/v1/self-inspections?overdue=true&as_of=2016-07-20",
            Some(&viewer),
        )
        .await;
    assert!(ids(&after).contains(&id));
    let hdnd = app
        .get("/api/v1/self-inspections?issuer=HDND", Some(&viewer))
        .await;
    assert!(!ids(&hdnd).contains(&id));
    let ubnd = app
        .get("/api/v1/self-inspections?issuer=UBND", Some(&viewer))
        .await;
    assert!(ids(&ubnd).contains(&id));
    let one = app
        .get(
            &format!("/api/v1/self-inspections?document={doc}"),
            Some(&viewer),
        )
        .await;
    assert_eq!(ids(&one), std::slice::from_ref(&id));
    app.get(
        "/api/v1/self-inspections?overdue=true&state=recorded",
        Some(&viewer),
    )
    .await
    .problem(422);

    // Recording: the legal officer, once; handling unless lawful.
    let result = format!("/api/v1/self-inspections/{id}/result");
    app.post(&result, Some(&drafter), json!({"result": "lawful"}))
        .await
        .problem(403);
    app.post(
        &result,
        Some(&legal),
        json!({"result": "unlawful_content", "findings": "Điều 5 trái luật"}),
    )
    .await
    .problem(422);
    app.post(
        &result,
        Some(&legal),
        json!({"result": "lawful", "handling": "amend"}),
    )
    .await
    .problem(422);
    app.post(
        &result,
        Some(&legal),
        json!({"result": "improper_form_or_competence", "handling": "repeal"}),
    )
    .await
    .problem(422);
    app.post(
        &result,
        Some(&legal),
        json!({"result": "bad", "handling": "amend"}),
    )
    .await
    .problem(422);
    let rec = app
        .post(
            &result,
            Some(&legal),
            json!({"result": "unlawful_content", "findings": "Khoản 2 Điều 7 quy định mức thưởng vượt quy định", "handling": "amend"}),
        )
        .await;
    assert_eq!(rec.status, StatusCode::OK, "{}", rec.body);
    assert_eq!(rec.body["state"], "recorded");
    assert_eq!(rec.body["overdue"], false);
    assert_eq!(rec.body["result_label_vi"], "Có nội dung trái pháp luật");
    assert_eq!(rec.body["handling"], "amend");
    assert_eq!(rec.body["follow_up"]["action"], "amend");
    assert_eq!(rec.body["follow_up"]["open"], true);
    let flag = s(&rec.body["follow_up"]["flag_id"]);
    let twice = app
        .post(&result, Some(&legal), json!({"result": "lawful"}))
        .await;
    assert_eq!(twice.problem(409)["guard"], "self_inspection_recorded_once");
    let overdue = app
        .get("/api/v1/self-inspections?overdue=true", Some(&viewer))
        .await;
    assert!(!ids(&overdue).contains(&id));

    // The follow-up is a review flag on the document.
    let flags = app
        .get(
            &format!("/api/v1/review-flags?document={doc}"),
            Some(&viewer),
        )
        .await;
    let flags = flags.body.as_array().unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(s(&flags[0]["id"]), flag);
    assert_eq!(flags[0]["cause_kind"], "self_inspection");
    assert_eq!(flags[0]["cause_self_inspection_id"], id.as_str());
    assert_eq!(flags[0]["action"], "amend");

    // Audited.
    let log = app
        .get(&format!("/api/v1/audit/self_inspection/{id}"), Some(&legal))
        .await;
    let actions: Vec<String> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["action"]))
        .collect();
    assert_eq!(actions, ["self_inspection.open", "self_inspection.record"]);
    let get = app
        .get(&format!("/api/v1/self-inspections/{id}"), Some(&viewer))
        .await;
    assert_eq!(get.status, StatusCode::OK);
    assert_eq!(
        get.body["findings"],
        "Khoản 2 Điều 7 quy định mức thưởng vượt quy định"
    );
}
both_backends!(self_inspection_opens_records_and_follows_up);

/// The function the promulgation workflow calls, with deadlines in calendar days.
async fn promulgation_opens_a_self_inspection(b: Backend) {
    use vanban::domain::calendar::Calendar;
    use vanban::service::deadlines::Deadlines;
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    let id = external(
        &app,
        &legal,
        "decision",
        "07/2017/QĐ-UBND",
        "UBND",
        Some("2017-01-20"),
    )
    .await;
    let mut conn = app.conn();
    let doc = vanban::db::documents::get(&mut conn, &id).unwrap();
    let days = Deadlines {
        calendar: Calendar::vietnamese(),
        working_days: false,
        overrides: vanban::domain::regime::Overrides {
            self_inspection_days: Some(10),
            ..Default::default()
        },
        regime_pin: None,
    };
    let si = vanban::db::write_transaction(&mut conn, |tx| {
        vanban::service::self_inspection::open_self_inspection_with(
            tx,
            &vanban::db::audit::Actor::system(),
            &doc,
            &days,
        )
    })
    .unwrap();
    // Ten days after 20 January 2017 falls in the Tết break: the next working day.
    assert_eq!(si.due_on.to_string(), "2017-02-02");
    assert_eq!(si.state, vanban::domain::review::InspectionState::Open);
    // The default configuration: 30 working days.
    let id2 = external(
        &app,
        &legal,
        "decision",
        "08/2017/QĐ-UBND",
        "UBND",
        Some("2017-01-20"),
    )
    .await;
    let doc2 = vanban::db::documents::get(&mut conn, &id2).unwrap();
    let si2 = vanban::db::write_transaction(&mut conn, |tx| {
        vanban::service::self_inspection::open_self_inspection(
            tx,
            &vanban::db::audit::Actor::system(),
            &doc2,
        )
    })
    .unwrap();
    assert_eq!(si2.due_on.to_string(), "2017-03-10");
    let err = vanban::db::write_transaction(&mut conn, |tx| {
        vanban::service::self_inspection::open_self_inspection(
            tx,
            &vanban::db::audit::Actor::system(),
            &doc2,
        )
    })
    .unwrap_err();
    assert!(matches!(err, vanban::error::AppError::Conflict { .. }));
}
both_backends!(promulgation_opens_a_self_inspection);

async fn changed_legal_basis_flags_dependents(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    let drafter = app.login("drafter").await;
    let viewer = app.login("viewer").await;

    // The demo raised its own: 01/2013/QĐ-UBND is based on a resolution replaced in 2016.
    let open = app.get("/api/v1/review-flags", Some(&viewer)).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    let sample = open
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["document"]["number"] == "01/2013/QĐ-UBND")
        .expect("sample flag")
        .clone();
    assert_eq!(sample["cause_kind"], "replaces");
    assert_eq!(sample["cause_document"]["number"], "01/2015/NQ-HĐND");
    assert!(sample["detail"]
        .as_str()
        .unwrap()
        .contains("02/2011/NQ-HĐND"));

    // A basis, three documents based on it: one old, one a draft, one signed later.
    let basis = external(
        &app,
        &legal,
        "decree",
        "99/2010/NĐ-CP",
        "CP",
        Some("2010-05-01"),
    )
    .await;
    let old = app.id_of("02/2012/QĐ-UBND").await;
    let draft = s(&app.draft(&drafter, "Dự thảo căn cứ nghị định 99").await["id"]);
    let later = external(
        &app,
        &legal,
        "decision",
        "09/2018/QĐ-UBND",
        "UBND",
        Some("2018-03-01"),
    )
    .await;
    for (src, token) in [(&old, &legal), (&draft, &drafter), (&later, &legal)] {
        let r = app
            .post(
                &format!("/api/v1/documents/{src}/relations"),
                Some(token),
                json!({"target_id": basis, "kind": "based_on"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // Guiding it changes nothing.
    let guide = external(
        &app,
        &legal,
        "circular",
        "01/2011/TT-BTP",
        "BTP",
        Some("2011-01-01"),
    )
    .await;
    app.post(
        &format!("/api/v1/documents/{guide}/relations"),
        Some(&legal),
        json!({"target_id": basis, "kind": "guides", "effective_on": "2011-01-01"}),
    )
    .await;
    let flags_of = |doc: String, token: String| {
        let app = &app;
        async move {
            app.get(
                &format!("/api/v1/review-flags?document={doc}&state=all"),
                Some(&token),
            )
            .await
            .body
            .as_array()
            .unwrap()
            .clone()
        }
    };
    assert!(flags_of(old.clone(), legal.clone()).await.is_empty());

    // Repealed from 2017: the old one and the draft are flagged, the later one is not.
    let repealer = external(
        &app,
        &legal,
        "decree",
        "12/2016/NĐ-CP",
        "CP",
        Some("2016-12-01"),
    )
    .await;
    let rel = app
        .post(
            &format!("/api/v1/documents/{repealer}/relations"),
            Some(&legal),
            json!({"target_id": basis, "kind": "repeals", "effective_on": "2017-01-01"}),
        )
        .await;
    assert_eq!(rel.status, StatusCode::CREATED, "{}", rel.body);
    let old_flags = flags_of(old.clone(), viewer.clone()).await;
    assert_eq!(old_flags.len(), 1);
    let f = &old_flags[0];
    assert_eq!(f["cause_kind"], "repeals");
    assert_eq!(f["cause_label_vi"], "Căn cứ bị bãi bỏ");
    assert_eq!(f["cause_document"]["number"], "12/2016/NĐ-CP");
    assert_eq!(f["cause_relation_id"], rel.body["id"]);
    assert_eq!(f["open"], true);
    assert!(f["detail"].as_str().unwrap().contains("99/2010/NĐ-CP"));
    assert_eq!(flags_of(draft.clone(), legal.clone()).await.len(), 1);
    // A draft's flag stays as hidden as the draft.
    assert!(flags_of(draft.clone(), viewer.clone()).await.is_empty());
    assert!(flags_of(later.clone(), legal.clone()).await.is_empty());
    // By issuer.
    let ubnd = app
        .get("/api/v1/review-flags?issuer=UBND", Some(&viewer))
        .await;
    assert!(ubnd
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == f["id"]));
    let hdnd = app
        .get("/api/v1/review-flags?issuer=HDND", Some(&viewer))
        .await;
    assert!(!hdnd
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == f["id"]));

    // Resolving: the legal officer, once, with a note.
    let fid = s(&f["id"]);
    let resolve = format!("/api/v1/review-flags/{fid}/resolve");
    app.post(&resolve, Some(&drafter), json!({"resolution": "x"}))
        .await
        .problem(403);
    app.post(&resolve, Some(&legal), json!({"resolution": "  "}))
        .await
        .problem(422);
    let done = app
        .post(
            &resolve,
            Some(&legal),
            json!({"resolution": "Đã rà soát: vẫn phù hợp với căn cứ mới"}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["open"], false);
    assert_eq!(
        done.body["resolution"],
        "Đã rà soát: vẫn phù hợp với căn cứ mới"
    );
    let again = app
        .post(&resolve, Some(&legal), json!({"resolution": "lần nữa"}))
        .await;
    assert_eq!(again.problem(409)["guard"], "review_flag_resolved_once");
    let open_old = app
        .get(
            &format!("/api/v1/review-flags?document={old}"),
            Some(&viewer),
        )
        .await;
    assert!(open_old.body.as_array().unwrap().is_empty());
    let resolved = app
        .get(
            &format!("/api/v1/review-flags?document={old}&state=resolved"),
            Some(&viewer),
        )
        .await;
    assert_eq!(resolved.body.as_array().unwrap().len(), 1);
    let log = app
        .get(&format!("/api/v1/audit/review_flag/{fid}"), Some(&legal))
        .await;
    let actions: Vec<String> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["action"]))
        .collect();
    assert_eq!(actions, ["review_flag.open", "review_flag.resolve"]);
}
both_backends!(changed_legal_basis_flags_dependents);

async fn campaign_selection_assignment_results_and_closing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    let drafter = app.login("drafter").await;
    let approver = app.login("approver").await;
    let create = |body: Value| {
        let app = &app;
        let legal = legal.clone();
        async move {
            app.post("/api/v1/review-campaigns", Some(&legal), body)
                .await
        }
    };

    // Selections that cannot open a campaign.
    let a = app.id_of("02/2012/QĐ-UBND").await;
    let draft = s(&app.draft(&drafter, "Dự thảo").await["id"]);
    create(json!({"name": "X"})).await.problem(422);
    create(json!({"name": "X", "issuers": ["UBND"], "document_ids": [a]}))
        .await
        .problem(422);
    create(json!({"name": "X", "document_ids": [a, draft]}))
        .await
        .problem(422);
    create(json!({"name": "X", "document_ids": ["nope"]}))
        .await
        .problem(422);
    create(json!({"name": "X", "issuers": ["HDND"], "signed_to": "1990-01-01"}))
        .await
        .problem(422);
    create(json!({"name": "X", "issuers": ["HDND"], "signed_from": "2012-01-01", "signed_to": "2011-01-01"}))
        .await
        .problem(422);
    create(json!({"name": "X", "kinds": ["memo"]}))
        .await
        .problem(422);
    app.post(
        "/api/v1/review-campaigns",
        Some(&drafter),
        json!({"name": "X", "document_ids": [a]}),
    )
    .await
    .problem(403);

    // A list of documents.
    let listed = create(json!({"name": "Rà soát chuyên đề", "document_ids": [a, a]})).await;
    assert_eq!(listed.status, StatusCode::CREATED, "{}", listed.body);
    assert_eq!(listed.body["total"], 1);

    // The HĐND resolutions of 2011–2012.
    let c = create(json!({
        "name": "Rà soát nghị quyết 2011–2012", "issuers": ["HDND"], "kinds": ["resolution"],
        "signed_from": "2011-01-01", "signed_to": "2012-12-31"
    }))
    .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    assert_eq!(c.body["total"], 4);
    assert_eq!(c.body["reviewed"], 0);
    assert_eq!(c.body["selection"]["kinds"], json!(["resolution"]));
    let cid = s(&c.body["id"]);
    let items = app
        .get(
            &format!("/api/v1/review-campaigns/{cid}/items"),
            Some(&legal),
        )
        .await;
    let items: Vec<Value> = items.body.as_array().unwrap().clone();
    let numbers: Vec<String> = items.iter().map(|i| s(&i["document"]["number"])).collect();
    assert_eq!(
        numbers,
        [
            "01/2011/NQ-HĐND",
            "02/2011/NQ-HĐND",
            "01/2012/NQ-HĐND",
            "02/2012/NQ-HĐND"
        ]
    );
    let item = |n: usize| s(&items[n]["id"]);

    // Assignment: the legal officer assigns; items must belong to the campaign.
    let assign = format!("/api/v1/review-campaigns/{cid}/assignments");
    app.post(
        &assign,
        Some(&drafter),
        json!({"assignee": "NV", "item_ids": [item(0)]}),
    )
    .await
    .problem(403);
    let foreign = app
        .get(
            &format!("/api/v1/review-campaigns/{}/items", s(&listed.body["id"])),
            Some(&legal),
        )
        .await;
    let foreign = s(&foreign.body[0]["id"]);
    app.post(
        &assign,
        Some(&legal),
        json!({"assignee": "NV", "item_ids": [item(0), foreign]}),
    )
    .await
    .problem(422);
    app.post(
        &assign,
        Some(&legal),
        json!({"assignee": "NOPE", "item_ids": [item(0)]}),
    )
    .await
    .problem(422);
    let asg = app
        .post(
            &assign,
            Some(&legal),
            json!({"assignee": "NV", "item_ids": [item(0), item(1)]}),
        )
        .await;
    assert_eq!(asg.status, StatusCode::OK, "{}", asg.body);
    assert!(asg
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["assignee"]["code"] == "NV"));
    app.post(
        &assign,
        Some(&legal),
        json!({"assignee": "TCKH", "item_ids": [item(2)]}),
    )
    .await;

    // Results: the assigned agency's drafter or a legal officer, with If-Match.
    let get = app
        .get(&format!("/api/v1/review-items/{}", item(0)), Some(&drafter))
        .await;
    assert_eq!(get.status, StatusCode::OK);
    let etag = get.etag();
    let body =
        json!({"result": "still_appropriate", "reasons": "Phù hợp với Luật Ngân sách nhà nước"});
    put_result(&app, &item(0), &drafter, None, body.clone())
        .await
        .problem(428);
    put_result(&app, &item(0), &approver, Some(&etag), body.clone())
        .await
        .problem(403);
    put_result(
        &app,
        &item(0),
        &drafter,
        Some(&etag),
        json!({"result": "amend", "reasons": "Lỗi thời"}),
    )
    .await
    .problem(422);
    put_result(
        &app,
        &item(0),
        &drafter,
        Some(&etag),
        json!({"result": "amend", "reasons": " "}),
    )
    .await
    .problem(422);
    let ok = put_result(&app, &item(0), &drafter, Some(&etag), body.clone()).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["result"], "still_appropriate");
    assert_eq!(ok.body["result_label_vi"], "Còn phù hợp");
    // A stale ETag: 412; a correction with the new one works.
    put_result(&app, &item(0), &drafter, Some(&etag), body.clone())
        .await
        .problem(412);
    let fixed = put_result(
        &app,
        &item(0),
        &drafter,
        Some(&ok.etag()),
        json!({"result": "replace", "reasons": "Giai đoạn 2011–2015 đã kết thúc", "proposed_action": "Ban hành nghị quyết giai đoạn mới"}),
    )
    .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    // Not the drafter's agency: 403; the legal officer may.
    let other = app
        .get(&format!("/api/v1/review-items/{}", item(2)), Some(&legal))
        .await;
    put_result(&app, &item(2), &drafter, Some(&other.etag()), body.clone())
        .await
        .problem(403);
    let by_legal = put_result(
        &app,
        &item(2),
        &legal,
        Some(&other.etag()),
        json!({"result": "expired", "reasons": "Hết thời hạn áp dụng"}),
    )
    .await;
    assert_eq!(by_legal.status, StatusCode::OK, "{}", by_legal.body);

    let p = app
        .get(
            &format!("/api/v1/review-campaigns/{cid}/progress"),
            Some(&approver),
        )
        .await;
    assert_eq!(p.body["total"], 4);
    assert_eq!(p.body["reviewed"], 2);
    assert_eq!(p.body["by_result"]["replace"], 1);
    assert_eq!(p.body["by_result"]["expired"], 1);
    let agencies = p.body["by_agency"].as_array().unwrap();
    assert_eq!(agencies.len(), 3);
    assert_eq!(agencies[0]["agency"]["code"], "NV");
    assert_eq!(agencies[0]["total"], 2);
    assert_eq!(agencies[0]["reviewed"], 1);
    assert_eq!(agencies[1]["agency"]["code"], "TCKH");
    assert!(agencies[2]["agency"].is_null());
    assert_eq!(agencies[2]["total"], 1);
    let list = app.get("/api/v1/review-campaigns", Some(&drafter)).await;
    let mine = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == cid.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["total"], 4);
    assert_eq!(mine["reviewed"], 2);
    assert_eq!(mine["by_result"]["replace"], 1);

    // Closing: not with unreviewed items unless forced with a reason; then final.
    let close = format!("/api/v1/review-campaigns/{cid}/close");
    app.post(&close, Some(&drafter), json!({}))
        .await
        .problem(403);
    let refused = app.post(&close, Some(&legal), json!({})).await;
    assert_eq!(
        refused.problem(409)["guard"],
        "campaign_has_unreviewed_items"
    );
    app.post(&close, Some(&legal), json!({"force": true}))
        .await
        .problem(422);
    let closed = app
        .post(
            &close,
            Some(&legal),
            json!({"force": true, "reason": "Chuyển sang đợt rà soát năm 2017"}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.body["state"], "closed");
    assert_eq!(
        closed.body["close_reason"],
        "Chuyển sang đợt rà soát năm 2017"
    );
    let twice = app.post(&close, Some(&legal), json!({})).await;
    assert_eq!(twice.problem(409)["guard"], "campaign_closed");
    let late = app
        .get(&format!("/api/v1/review-items/{}", item(3)), Some(&legal))
        .await;
    let r = put_result(&app, &item(3), &legal, Some(&late.etag()), body.clone()).await;
    assert_eq!(r.problem(409)["guard"], "campaign_closed");
    let r = app
        .post(
            &assign,
            Some(&legal),
            json!({"assignee": "NV", "item_ids": [item(3)]}),
        )
        .await;
    assert_eq!(r.problem(409)["guard"], "campaign_closed");

    // A campaign with every item reviewed closes without force.
    let lid = s(&listed.body["id"]);
    let li = app
        .get(
            &format!("/api/v1/review-campaigns/{lid}/items"),
            Some(&legal),
        )
        .await;
    let li = s(&li.body[0]["id"]);
    let e = app
        .get(&format!("/api/v1/review-items/{li}"), Some(&legal))
        .await
        .etag();
    put_result(&app, &li, &legal, Some(&e), body).await;
    let done = app
        .post(
            &format!("/api/v1/review-campaigns/{lid}/close"),
            Some(&legal),
            json!({}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let log = app
        .get(
            &format!("/api/v1/audit/review_campaign/{cid}"),
            Some(&legal),
        )
        .await;
    let actions: Vec<String> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["action"]))
        .collect();
    assert_eq!(
        actions,
        [
            "review_campaign.open",
            "review_campaign.assign",
            "review_campaign.assign",
            "review_campaign.close"
        ]
    );
    let ilog = app
        .get(
            &format!("/api/v1/audit/review_item/{}", item(0)),
            Some(&legal),
        )
        .await;
    assert_eq!(ilog.body.as_array().unwrap().len(), 2);
    assert_eq!(ilog.body[1]["from_state"], "still_appropriate");
    assert_eq!(ilog.body[1]["to_state"], "replace");
}
both_backends!(campaign_selection_assignment_results_and_closing);

/// The periodic report: who may read it, periods that add up, one agency, CSV and PDF.
async fn periodic_report_by_agency(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    let path = "/api/v1/reports/activity?year=2015&period=year";
    app.get(path, None).await.problem(401);
    for role in ["viewer", "drafter", "iso_controller"] {
        let token = app.login(role).await;
        app.get(path, Some(&token)).await.problem(403);
    }
    let approver = app.login("approver").await;
    assert_eq!(app.get(path, Some(&approver)).await.status, StatusCode::OK);

    let report = |q: String| {
        let app = &app;
        let legal = legal.clone();
        async move {
            let r = app
                .get(&format!("/api/v1/reports/activity?{q}"), Some(&legal))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
            r.body
        }
    };
    let year = report("year=2015&period=year".into()).await;
    assert_eq!(year["period"]["from"], "2015-01-01");
    assert_eq!(year["period"]["to"], "2015-12-31");
    assert_eq!(year["period"]["as_of"], "2015-12-31");
    assert_eq!(year["period"]["label_vi"], "Năm 2015");
    let figure = |body: &Value, k: &str| body["total"][k].as_i64().unwrap();

    // Documents promulgated in 2015: the district's own documents signed that year.
    let mut signed_2015 = 0;
    let mut cursor: Option<String> = None;
    loop {
        let page = app
            .get(
                &format!(
                    "/api/v1/documents?year=2015&external=false&limit=200{}",
                    cursor
                        .as_deref()
                        .map(|c| format!("&cursor={c}"))
                        .unwrap_or_default()
                ),
                Some(&legal),
            )
            .await
            .body;
        signed_2015 += page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| !d["kind"].as_str().unwrap().starts_with("iso_"))
            .count() as i64;
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    assert!(signed_2015 > 0);
    assert_eq!(figure(&year, "documents_promulgated"), signed_2015);

    // Agencies by code, and the total is their sum, figure by figure.
    let agencies = year["agencies"].as_array().unwrap();
    let codes: Vec<&str> = agencies
        .iter()
        .map(|a| a["agency"]["code"].as_str().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
    for (k, total) in year["total"].as_object().unwrap() {
        let sum: i64 = agencies.iter().map(|a| a[k].as_i64().unwrap()).sum();
        assert_eq!(sum, total.as_i64().unwrap(), "{k}");
    }

    // The four quarters add up to the year; six months are the first two.
    let mut quarters = 0;
    let mut first_half = 0;
    for q in ["q1", "q2", "q3", "q4"] {
        let n = figure(
            &report(format!("year=2015&period={q}")).await,
            "documents_promulgated",
        );
        quarters += n;
        if q == "q1" || q == "q2" {
            first_half += n;
        }
    }
    assert_eq!(quarters, signed_2015);
    let half = report("year=2015&period=six_months".into()).await;
    assert_eq!(figure(&half, "documents_promulgated"), first_half);
    assert_eq!(half["period"]["to"], "2015-06-30");

    // One agency.
    let ubnd = report("year=2015&period=year&agency=UBND".into()).await;
    let rows = ubnd["agencies"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["agency"]["code"], "UBND");
    assert_eq!(
        figure(&ubnd, "documents_promulgated"),
        rows[0]["documents_promulgated"].as_i64().unwrap()
    );

    // The current quarter by default; the demo campaign's items are open or done.
    let now = report(String::new()).await;
    assert_eq!(
        figure(&now, "review_items_done") + figure(&now, "review_items_open"),
        34
    );

    let csv = app.get(&format!("{path}&format=csv"), Some(&legal)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv
        .header("content-disposition")
        .unwrap()
        .contains("bao-cao-year-2015.csv"));
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert!(lines[0].starts_with("\u{feff}agency_code,agency_name,drafts_started,"));
    assert_eq!(lines.len(), agencies.len() + 2);
    assert!(lines[lines.len() - 1].starts_with(",Tổng cộng,"));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("UBND,Ủy ban nhân dân huyện")));

    let pdf = app
        .send(
            test::TestRequest::get()
                .uri(path)
                .insert_header((header::AUTHORIZATION, format!("Bearer {legal}")))
                .insert_header((header::ACCEPT, "application/pdf")),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    // Lines wrap where they will: compare words.
    let text = crate::copies::pdftotext(&pdf.bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "Báo cáo công tác xây dựng, kiểm tra và rà soát văn bản năm 2015",
        "(UBND)",
        &format!("Văn bản đã ban hành: {signed_2015}"),
        "Tổng cộng",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }

    // Bad input: 400 for a malformed query, 422 for values out of range.
    app.get("/api/v1/reports/activity?period=q5", Some(&legal))
        .await
        .problem(400);
    app.get("/api/v1/reports/activity?year=20150", Some(&legal))
        .await
        .problem(422);
    app.get("/api/v1/reports/activity?agency=NOPE", Some(&legal))
        .await
        .problem(422);
}
both_backends!(periodic_report_by_agency);
