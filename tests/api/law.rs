//! Current law: the regime a draft follows and its rules guard by guard (Luật 80/2015 and
//! Luật 64/2025), the reorganisation of 1 July 2025 that passed Sơn Tây district's documents
//! to its successor communes, and a commune decision walked under the 2025 regime.

use std::collections::HashMap;
use std::time::Instant;

use actix_web::http::{header, StatusCode};
use actix_web::test;
use chrono::Duration;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, Options, Response, TestApp};
use crate::workflow::act;

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// A draft of `issuer` with a version, appraised fit to submit and submitted.
async fn submitted(app: &TestApp, drafter: &str, legal: &str, body: Value) -> String {
    let r = app.post("/api/v1/documents", Some(drafter), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let v = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(drafter),
            json!({"label": "Dự thảo", "body": "Điều 1. Phạm vi\nQuy định này áp dụng trên địa bàn."}),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.body);
    let r = act(app, drafter, &id, json!({"action": "request_appraisal"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a = app
        .post(
            &format!("/api/v1/documents/{id}/appraisals"),
            Some(legal),
            json!({"opinion": "fit_to_submit"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let r = act(app, drafter, &id, json!({"action": "submit"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

/// The details of the latest audit entry of `action` on a document.
async fn audit_details(app: &TestApp, token: &str, id: &str, action: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/audit/document/{id}"), Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let entries = r.body["items"]
        .as_array()
        .or_else(|| r.body.as_array())
        .cloned()
        .unwrap_or_default();
    entries
        .iter()
        .rev()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no {action} entry in {}", r.body))["details"]
        .clone()
}

async fn regimes_are_listed_with_their_articles(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app.get("/api/v1/legal-regimes", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let regimes = r.body.as_array().unwrap();
    let find = |regime: &str, level: &str| -> Value {
        let r = regimes.iter().find(|r| r["regime"] == regime).unwrap();
        r["levels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["level"] == level)
            .unwrap()
            .clone()
    };
    let current: Vec<&Value> = regimes.iter().filter(|r| r["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["regime"], "law_64_2025");
    assert_eq!(current[0]["in_force_from"], "2025-04-01");
    let commune = find("law_64_2025", "commune");
    assert_eq!(commune["effective_min_days"]["value"], 10);
    assert!(commune["effective_min_days"]["basis"]
        .as_str()
        .unwrap()
        .contains("Điều 53"));
    assert_eq!(commune["effective_min_days"]["checked"], true);
    assert_eq!(
        find("law_80_2015", "district")["effective_min_days"]["value"],
        7
    );
    assert_eq!(
        find("law_80_2015", "province")["effective_min_days"]["value"],
        10
    );
    assert_eq!(
        find("law_80_2015", "province")["appraisal_days"]["value"],
        15
    );
    // A number whose article was not read here says so.
    assert_eq!(commune["consultation_min_days"]["checked"], false);
}
both_backends!(regimes_are_listed_with_their_articles);

/// The regime is the one in force when drafting began, shown on the document and in the
/// audit; each regime's rule refuses (and cites itself) where the other would not.
async fn each_regime_guards_a_draft_by_its_own_rules(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let legal = app.login("legal_officer").await;
    let approver = app.login("approver").await;
    let draft = |started: Option<&str>, issuer: &str| {
        let mut body = json!({"kind": "decision", "title": format!("Quyết định thử chế độ {started:?}"), "issuer": issuer});
        if let Some(s) = started {
            body["drafting_started_on"] = json!(s);
        }
        body
    };

    // Drafting begun today: Luật 64/2025; begun in March 2025: Luật 80/2015.
    let new = submitted(&app, &drafter, &legal, draft(None, "UBND")).await;
    let old = submitted(&app, &drafter, &legal, draft(Some("2025-03-01"), "UBND")).await;
    let doc = app
        .get(&format!("/api/v1/documents/{new}"), Some(&drafter))
        .await;
    assert_eq!(doc.body["legal_regime"], "law_64_2025");
    assert!(doc.body["legal_regime_label_vi"]
        .as_str()
        .unwrap()
        .contains("64/2025"));
    let doc = app
        .get(&format!("/api/v1/documents/{old}"), Some(&drafter))
        .await;
    assert_eq!(doc.body["legal_regime"], "law_80_2015");
    assert_eq!(
        audit_details(&app, &legal, &old, "document.create").await["legal_regime"],
        "law_80_2015"
    );
    assert_eq!(
        audit_details(&app, &legal, &new, "workflow.submit").await["legal_regime"],
        "law_64_2025"
    );

    // Effect after signing: 7 days under Luật 80/2015 for a district, 10 under Luật
    // 64/2025 for every local document.
    let signed = today();
    let on = |days: i64| (signed + Duration::days(days)).to_string();
    for (id, refused, accepted, article) in [(&old, 6, 7, "Điều 151"), (&new, 9, 10, "Điều 53")]
    {
        let r = act(
            &app,
            &approver,
            id,
            json!({"action": "sign", "effective_from": on(refused)}),
        )
        .await;
        let p = r.problem(409);
        assert_eq!(p["guard"], "effective_after_signing");
        assert!(p["detail"].as_str().unwrap().contains(article), "{p}");
        let r = act(
            &app,
            &approver,
            id,
            json!({"action": "sign", "effective_from": on(accepted)}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    // The appraisal period: 15 days for a provincial draft under Luật 80/2015 (Điều 121),
    // the earlier default of 10 under Luật 64/2025, whose article is not verified here.
    let province_old = submitted(&app, &drafter, &legal, draft(Some("2024-12-02"), "QNG")).await;
    let province_new = submitted(&app, &drafter, &legal, draft(None, "QNG")).await;
    let d = audit_details(&app, &legal, &province_old, "workflow.request_appraisal").await;
    assert_eq!(d["days"], 15, "{d}");
    assert!(d["basis"].as_str().unwrap().contains("Điều 121"), "{d}");
    let d = audit_details(&app, &legal, &province_new, "workflow.request_appraisal").await;
    assert_eq!(d["days"], 10, "{d}");
    assert_eq!(d["legal_regime"], "law_64_2025");

    // The consultation: the refusal cites the regime of the draft.
    for (started, act_name) in [(Some("2025-03-01"), "80/2015"), (None, "64/2025")] {
        let r = app
            .post("/api/v1/documents", Some(&drafter), draft(started, "UBND"))
            .await;
        let id = r.body["id"].as_str().unwrap().to_owned();
        app.post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({"label": "Dự thảo", "body": "Điều 1. Phạm vi"}),
        )
        .await
        .status_is(201);
        let r = act(
            &app,
            &drafter,
            &id,
            json!({"action": "open_consultation", "closes_on": on(5)}),
        )
        .await;
        let p = r.problem(409);
        assert_eq!(p["guard"], "consultation_min_days");
        assert!(p["detail"].as_str().unwrap().contains(act_name), "{p}");
    }

    // The start of drafting is checked.
    for (started, why) in [(on(1), "future"), ("2016-06-30".to_owned(), "80/2015")] {
        let r = app
            .post(
                "/api/v1/documents",
                Some(&drafter),
                draft(Some(&started), "UBND"),
            )
            .await;
        let p = r.problem(422);
        assert!(p.to_string().contains(why), "{p}");
    }
    let r = app
        .post(
            "/api/v1/documents",
            Some(&legal),
            json!({"kind": "decree", "title": "Nghị định", "external": true, "drafting_started_on": "2025-01-01"}),
        )
        .await;
    r.problem(422);
}
both_backends!(each_regime_guards_a_draft_by_its_own_rules);

/// An operator's pin and numbers: the basis says where the number comes from.
async fn configuration_overrides_the_law_and_says_so(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| {
                s.workflow.effective_min_days = Some(3);
            },
        },
    )
    .await;
    let r = app.get("/api/v1/legal-regimes", None).await;
    for regime in r.body.as_array().unwrap() {
        for level in regime["levels"].as_array().unwrap() {
            assert_eq!(level["effective_min_days"]["value"], 3);
            assert!(level["effective_min_days"]["basis"]
                .as_str()
                .unwrap()
                .starts_with("cấu hình workflow.effective_min_days"));
        }
    }
}
both_backends!(configuration_overrides_the_law_and_says_so);

/// An account of the admin's making.
async fn account(app: &TestApp, admin: &str, username: &str, role: &str, unit: &str) -> String {
    let r = app
        .post(
            "/api/v1/users",
            Some(admin),
            json!({"username": username, "password": crate::helpers::PASSWORD, "role": role, "org_unit": unit}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": username, "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["access_token"].as_str().unwrap().to_owned()
}

async fn put_result(app: &TestApp, item: &str, token: &str, body: Value) -> Response {
    let etag = app
        .get(&format!("/api/v1/review-items/{item}"), Some(token))
        .await
        .etag();
    let req = test::TestRequest::put()
        .uri(&format!("/api/v1/review-items/{item}/result"))
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
        .insert_header((header::IF_MATCH, etag))
        .set_json(body);
    app.send(req).await
}

/// Every document (id → body) the legal officer lists.
async fn all_documents(app: &TestApp, token: &str, query: &str) -> HashMap<String, Value> {
    let r = app
        .get(&format!("/api/v1/documents?limit=200{query}"), Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["next_cursor"].is_null(), "more than a page");
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_owned(), d.clone()))
        .collect()
}

/// The reorganisation of 1 July 2025: Sơn Tây district ceases, its 34 documents pass to the
/// communes that succeed it, their effect unchanged, and a review campaign at each inheritor
/// lists what it inherited still in force.
async fn the_district_passes_its_documents_to_its_successors(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    let legal = app.login("legal_officer").await;
    let drafter = app.login("drafter").await;
    let samples: Vec<String> = {
        let mut v = vec![];
        for (number, ..) in vanban::demo::review::DOCUMENTS {
            v.push(app.id_of(number).await);
        }
        v
    };
    let before = all_documents(&app, &legal, "").await;
    let upland = [
        app.id_of("03/2011/QĐ-UBND").await,
        app.id_of("03/2014/QĐ-UBND").await,
    ];
    let body = json!({
        "effective_on": "2025-07-01",
        "basis": "Nghị quyết 1677/NQ-UBTVQH15 ngày 16/6/2025",
        "abolished": ["ST"],
        "successors": ["X-SONTAY", "X-SONTAYTHUONG", "X-SONTAYHA"],
        "default_successor": "X-SONTAY",
        "assignments": [
            {"document_id": upland[0], "successor": "X-SONTAYTHUONG"},
            {"document_id": upland[1], "successor": "X-SONTAYTHUONG"},
        ],
    });

    // Guards first: the admin's task; the date; an inheritor for every document; the
    // successors exist on the day.
    app.post("/api/v1/reorganisations", Some(&legal), body.clone())
        .await
        .problem(403);
    let mut future = body.clone();
    future["effective_on"] = json!((today() + Duration::days(1)).to_string());
    app.post("/api/v1/reorganisations", Some(&admin), future)
        .await
        .problem(422);
    let mut no_default = body.clone();
    no_default
        .as_object_mut()
        .unwrap()
        .remove("default_successor");
    let p = app
        .post("/api/v1/reorganisations", Some(&admin), no_default)
        .await;
    assert!(p.problem(422).to_string().contains("no inheritor"));
    let mut early = body.clone();
    early["effective_on"] = json!("2025-06-01");
    let p = app
        .post("/api/v1/reorganisations", Some(&admin), early)
        .await;
    assert_eq!(p.problem(409)["guard"], "successor_exists");

    // A successor that ceases itself; a document assigned twice; one the units do not hold.
    let mut bad = body.clone();
    bad["successors"] = json!(["X-SONTAY", "X-SONDUNG"]);
    let p = app.post("/api/v1/reorganisations", Some(&admin), bad).await;
    assert!(p
        .problem(422)
        .to_string()
        .contains("ceases in this reorganisation"));
    let mut twice = body.clone();
    twice["assignments"] = json!([
        {"document_id": upland[0], "successor": "X-SONTAYTHUONG"},
        {"document_id": upland[0], "successor": "X-SONTAYHA"},
    ]);
    let p = app
        .post("/api/v1/reorganisations", Some(&admin), twice)
        .await;
    assert!(p.problem(422).to_string().contains("assigned twice"));
    let mut foreign = body.clone();
    foreign["assignments"] = json!([
        {"document_id": app.id_of("63/2010/NĐ-CP").await, "successor": "X-SONTAYHA"},
    ]);
    let p = app
        .post("/api/v1/reorganisations", Some(&admin), foreign)
        .await;
    assert!(p
        .problem(422)
        .to_string()
        .contains("not a document of the units that cease"));

    let started = Instant::now();
    let rec = app
        .post("/api/v1/reorganisations", Some(&admin), body.clone())
        .await;
    let elapsed = started.elapsed();
    assert_eq!(rec.status, StatusCode::CREATED, "{}", rec.body);
    eprintln!(
        "succession of the district's documents ({b:?}): {:.1} ms over HTTP, one transaction",
        elapsed.as_secs_f64() * 1000.0
    );
    let codes: Vec<&str> = rec.body["abolished"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    for c in ["ST", "UBND", "HDND", "NV", "TP", "X-SONDUNG", "X-SONTINH"] {
        assert!(codes.contains(&c), "{c} ceased: {codes:?}");
    }
    assert!(!codes.contains(&"QNG"));
    let inherited: HashMap<&str, &Value> = rec.body["inherited"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["successor"]["code"].as_str().unwrap(), i))
        .collect();
    assert_eq!(inherited["X-SONTAYTHUONG"]["documents"], 2);
    assert_eq!(inherited["X-SONTAYHA"]["documents"], 0);
    assert!(inherited["X-SONTAYHA"]["campaign_id"].is_null());

    // The 34: each passed to its inheritor, its legal effect unchanged.
    let after = all_documents(&app, &legal, "").await;
    for id in &samples {
        let (b, a) = (&before[id], &after[id]);
        let want = if upland.contains(id) {
            "X-SONTAYTHUONG"
        } else {
            "X-SONTAY"
        };
        assert_eq!(a["holder"]["code"], want, "{}", a["number"]);
        assert_eq!(a["issuer"], b["issuer"], "the issuer is history");
        assert_eq!(a["legal_effect"], b["legal_effect"], "{}", a["number"]);
    }
    // The public page names the inheritor beside the issuer.
    let page = app.get(&format!("/van-ban/{}", upland[0]), None).await;
    let html = crate::browser::text(&page);
    assert!(
        html.contains(r#"data-holder="X-SONTAYTHUONG""#),
        "the page names the inheritor"
    );
    let held = all_documents(&app, &legal, "&holder=X-SONTAY").await;
    assert_eq!(
        inherited["X-SONTAY"]["documents"].as_u64().unwrap() as usize,
        held.len()
    );
    assert!(samples
        .iter()
        .filter(|s| !upland.contains(s))
        .all(|s| held.contains_key(s)));

    // Systematisation and search follow the holder: Sơn Tây Thượng's 2016 lists hold the
    // two forest documents it inherited; a search by holder finds only them once indexed.
    let sys = app
        .get(
            "/api/v1/systematization?issuer=X-SONTAYTHUONG&year=2016",
            None,
        )
        .await;
    assert_eq!(sys.status, StatusCode::OK, "{}", sys.body);
    let listed: Vec<&str> = sys.body["in_force"]
        .as_array()
        .unwrap()
        .iter()
        .chain(sys.body["expired"].as_array().unwrap())
        .map(|e| e["document"]["id"].as_str().or(e["id"].as_str()).unwrap())
        .collect();
    assert!(!listed.is_empty());
    assert!(
        listed.iter().all(|id| upland.iter().any(|u| u == id)),
        "{listed:?}"
    );
    let thuong = app
        .get("/api/v1/org-units", Some(&legal))
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "X-SONTAYTHUONG")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut found = vec![];
    for _ in 0..100 {
        let r = app
            .get(
                &format!("/api/v1/search?q=quy%20%C4%91%E1%BB%8Bnh&holder={thuong}"),
                Some(&legal),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        found = r.body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["document_id"].as_str().unwrap().to_owned())
            .collect();
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!found.is_empty(), "the index follows the succession");
    assert!(found.iter().all(|id| upland.contains(id)), "{found:?}");
    let everyone = app
        .get(
            "/api/v1/search?q=quy%20%C4%91%E1%BB%8Bnh&limit=50",
            Some(&legal),
        )
        .await;
    assert!(
        everyone.body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| !upland.iter().any(|u| h["document_id"] == u.as_str())),
        "without the filter others match: {}",
        everyone.body
    );

    // The campaign at Sơn Tây lists what it inherited that is not expired, assigned to it.
    let campaign = inherited["X-SONTAY"]["campaign_id"].as_str().unwrap();
    let items = app
        .get(
            &format!("/api/v1/review-campaigns/{campaign}/items"),
            Some(&legal),
        )
        .await;
    assert_eq!(items.status, StatusCode::OK, "{}", items.body);
    let items = items.body["items"]
        .as_array()
        .or_else(|| items.body.as_array())
        .cloned()
        .unwrap();
    let expected: Vec<&String> = held
        .iter()
        .filter(|(_, d)| d["legal_effect"]["effect"] != "expired" && d["state"] == "published")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(items.len(), expected.len());
    assert!(expected.len() < held.len(), "the expired are left out");
    assert!(
        items.iter().all(|i| i["assignee"]["code"] == "X-SONTAY"),
        "assigned to the inheritor: {items:?}"
    );

    // The old unit's staff no longer act; the inheritor's do.
    let old_item = items[0]["id"].as_str().unwrap();
    let p = put_result(
        &app,
        old_item,
        &legal,
        json!({"result": "continue_to_apply", "reasons": "Còn phù hợp trên địa bàn"}),
    )
    .await;
    assert!(p.problem(403)["detail"]
        .as_str()
        .unwrap()
        .contains("ceased"));
    app.post(
        "/api/v1/documents",
        Some(&drafter),
        json!({"kind": "decision", "title": "Dự thảo của phòng đã giải thể", "issuer": "UBND"}),
    )
    .await
    .problem(403);
    // The old district's chair no longer moves a draft (the sample draft under consultation).
    let approver = app.login("approver").await;
    let draft = before
        .values()
        .find(|d| d["state"] == "consultation")
        .expect("the demo's sample draft")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = act(&app, &approver, &draft, json!({"action": "sign"})).await;
    assert!(p.problem(403)["detail"]
        .as_str()
        .unwrap()
        .contains("ceased"));
    let commune_legal = account(&app, &admin, "tuphap_sontay", "legal_officer", "X-SONTAY").await;
    let r = put_result(
        &app,
        old_item,
        &commune_legal,
        json!({"result": "continue_to_apply", "reasons": "Còn phù hợp trên địa bàn"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["result"], "continue_to_apply");
    let c = app
        .get(
            &format!("/api/v1/review-campaigns/{campaign}"),
            Some(&legal),
        )
        .await;
    assert_eq!(c.body["by_result"]["continue_to_apply"], 1, "{}", c.body);

    // The inheritor repeals an inherited document by a decision of its own.
    let commune_drafter = account(&app, &admin, "soanthao_sontay", "drafter", "X-SONTAY").await;
    let own = app
        .post(
            "/api/v1/documents",
            Some(&commune_drafter),
            json!({"kind": "decision", "title": "Quyết định bãi bỏ văn bản kế thừa", "issuer": "X-SONTAY"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    assert_eq!(own.body["legal_regime"], "law_64_2025");
    let target = expected[0];
    let rel = app
        .post(
            &format!(
                "/api/v1/documents/{}/relations",
                own.body["id"].as_str().unwrap()
            ),
            Some(&commune_drafter),
            json!({"target_id": target, "kind": "repeals", "effective_on": today().to_string()}),
        )
        .await;
    assert_eq!(rel.status, StatusCode::CREATED, "{}", rel.body);

    // The same units cannot cease twice; the record reads back.
    let p = app
        .post("/api/v1/reorganisations", Some(&admin), body)
        .await;
    assert_eq!(p.problem(409)["guard"], "unit_not_abolished");
    let list = app.get("/api/v1/reorganisations", Some(&legal)).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let one = app
        .get(
            &format!("/api/v1/reorganisations/{}", r_id(&list.body)),
            Some(&drafter),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.body["inherited"], rec.body["inherited"]);
    assert_eq!(
        rec.header("location").as_deref(),
        Some(format!("/api/v1/reorganisations/{}", r_id(&list.body)).as_str())
    );
}
both_backends!(the_district_passes_its_documents_to_its_successors);

fn r_id(list: &Value) -> String {
    list[0]["id"].as_str().unwrap().to_owned()
}

/// A commune's decision from drafting to in force under Luật 64/2025, through HTTP only.
async fn a_commune_decision_under_the_2025_law(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = app.login("admin").await;
    let drafter = account(&app, &admin, "vanphong_sontay", "drafter", "X-SONTAY").await;
    let legal = account(&app, &admin, "tuphap_xa", "legal_officer", "X-SONTAY").await;
    let chair = account(&app, &admin, "chutich_sontay", "approver", "X-SONTAY").await;
    let id = submitted(
        &app,
        &drafter,
        &legal,
        json!({"kind": "decision", "title": "Quyết định ban hành Quy chế quản lý chợ xã Sơn Tây", "issuer": "X-SONTAY", "field": "Kinh tế"}),
    )
    .await;
    let doc = app
        .get(&format!("/api/v1/documents/{id}"), Some(&drafter))
        .await;
    assert_eq!(doc.body["legal_regime"], "law_64_2025");
    // The staff page of the draft says which law it follows.
    let mut browser = crate::browser::Browser::signed_in(&app, "vanphong_sontay").await;
    let page = browser.get(&format!("/lam-viec/van-ban/{id}")).await;
    assert!(crate::browser::text(&page).contains(r#"data-regime="law_64_2025""#));
    let effective = today() + Duration::days(10);
    let r = act(
        &app,
        &chair,
        &id,
        json!({"action": "sign", "effective_from": (effective - Duration::days(1)).to_string()}),
    )
    .await;
    assert_eq!(r.problem(409)["guard"], "effective_after_signing");
    let r = act(
        &app,
        &chair,
        &id,
        json!({"action": "sign", "effective_from": effective.to_string()}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let number = r.body["number"].as_str().unwrap();
    assert!(number.ends_with("/QĐ-UBND"), "{number}");
    let r = act(&app, &chair, &id, json!({"action": "publish"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let effect = |on: chrono::NaiveDate| {
        let app = &app;
        let id = id.clone();
        async move {
            app.get(&format!("/api/v1/documents/{id}/effect?as_of={on}"), None)
                .await
                .body["effect"]
                .clone()
        }
    };
    assert_eq!(effect(today()).await, "not_yet_effective");
    assert_eq!(effect(effective).await, "in_force");
    let d = audit_details(&app, &legal, &id, "workflow.publish").await;
    assert_eq!(d["legal_regime"], "law_64_2025");
}
both_backends!(a_commune_decision_under_the_2025_law);
