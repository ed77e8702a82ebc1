use actix_web::http::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

async fn create_read_update_with_optimistic_concurrency(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app
        .draft(&drafter, "Quyết định ban hành Quy chế làm việc")
        .await;
    let id = doc["id"].as_str().unwrap();
    assert_eq!(doc["state"], "drafting");
    assert_eq!(doc["issuer"]["code"], "UBND");
    assert_eq!(doc["legal_effect"]["effect"], "not_yet_effective");
    let path = format!("/api/v1/documents/{id}");

    let read = app.get(&path, Some(&drafter)).await;
    assert_eq!(read.status, StatusCode::OK);
    let etag = read.etag();

    // No If-Match: 428. A made-up one: 412.
    app.patch(&path, &drafter, None, json!({"field": "Tư pháp"}))
        .await
        .problem(428);
    app.patch(
        &path,
        &drafter,
        Some("\"nope-99\""),
        json!({"field": "Tư pháp"}),
    )
    .await
    .problem(412);

    // Two editors read the same version; the first write wins, the second gets 412.
    let first = app
        .patch(&path, &drafter, Some(&etag), json!({"field": "Tư pháp"}))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["field"], "Tư pháp");
    assert_ne!(first.etag(), etag);
    app.patch(
        &path,
        &drafter,
        Some(&etag),
        json!({"title": "Lost update"}),
    )
    .await
    .problem(412);
    let now = app.get(&path, Some(&drafter)).await;
    assert_eq!(now.body["title"], "Quyết định ban hành Quy chế làm việc");

    // null clears a field; dates are validated against each other.
    let r = app
        .patch(&path, &drafter, Some(&now.etag()), json!({"field": null}))
        .await;
    assert_eq!(r.body["field"], serde_json::Value::Null);
    let r2 = app
        .patch(
            &path,
            &drafter,
            Some(&r.etag()),
            json!({"signed_on": "2017-05-10", "effective_from": "2017-05-01"}),
        )
        .await;
    assert_eq!(r2.problem(422)["errors"][0]["field"], "effective_from");
}
both_backends!(create_read_update_with_optimistic_concurrency);

async fn concurrent_editors_never_lose_an_update(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Concurrent").await;
    let path = format!("/api/v1/documents/{}", doc["id"].as_str().unwrap());
    let etag = app.get(&path, Some(&drafter)).await.etag();
    let (a, c) = futures_util::future::join(
        app.patch(&path, &drafter, Some(&etag), json!({"signer": "A"})),
        app.patch(&path, &drafter, Some(&etag), json!({"signer": "B"})),
    )
    .await;
    let mut statuses = [a.status.as_u16(), c.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let winner = if a.status == StatusCode::OK { "A" } else { "B" };
    assert_eq!(app.get(&path, Some(&drafter)).await.body["signer"], winner);
}
both_backends!(concurrent_editors_never_lose_an_update);

async fn delete_only_before_approval_then_withdraw(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let approver = app.login("approver").await;
    let legal = app.login("legal_officer").await;

    let gone = app.draft(&drafter, "Deletable").await;
    let path = format!("/api/v1/documents/{}", gone["id"].as_str().unwrap());
    let etag = app.get(&path, Some(&drafter)).await.etag();
    app.delete(&path, &drafter, None).await.problem(428);
    let r = app.delete(&path, &drafter, Some(&etag)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.get(&path, Some(&drafter)).await.problem(404);

    let kept = app.draft(&drafter, "Approved once").await;
    let id = kept["id"].as_str().unwrap();
    let path = format!("/api/v1/documents/{id}");
    let v = app
        .post(
            &format!("{path}/versions"),
            Some(&drafter),
            json!({"body": "Điều 1. Phạm vi\nNội dung."}),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.body);
    let approve = app
        .post(
            &format!(
                "/api/v1/versions/{}/approve",
                v.body["id"].as_str().unwrap()
            ),
            Some(&approver),
            json!({}),
        )
        .await;
    assert_eq!(approve.status, StatusCode::OK, "{}", approve.body);
    let read = app.get(&path, Some(&drafter)).await;
    assert_eq!(read.body["ever_approved"], true);
    let p = app.delete(&path, &drafter, Some(&read.etag())).await;
    assert_eq!(p.problem(409)["guard"], "delete_only_before_approval");

    // Withdrawn, never erased: still readable, and final.
    let w = app
        .post_with_etag(
            &format!("{path}/withdraw"),
            &legal,
            &read.etag(),
            json!({"reason": "Không còn phù hợp"}),
        )
        .await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.body);
    assert_eq!(w.body["state"], "withdrawn");
    assert!(w.body["withdrawn_at"].is_string());
    let again = app
        .post_with_etag(
            &format!("{path}/withdraw"),
            &legal,
            &w.etag(),
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!(again.problem(409)["guard"], "withdrawn_is_final");
    let p = app
        .patch(&path, &drafter, Some(&w.etag()), json!({"title": "x"}))
        .await;
    assert_eq!(p.problem(409)["guard"], "withdrawn_is_final");
}
both_backends!(delete_only_before_approval_then_withdraw);

async fn list_filters_and_cursor_pagination(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    // The demo has 21 documents (17 legal, 4 sample ISO documents): collect them two at a time.
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/documents?limit=2&cursor={c}"),
            None => "/api/v1/documents?limit=2".to_owned(),
        };
        let page = app.get(&url, Some(&legal)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for d in page.body["items"].as_array().unwrap() {
            seen.push(d["id"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no document twice");
    // 17 documents of the district and its plan, 34 sample VBQPPL (demo::review), 4 sample
    // ISO documents (demo::iso) and the sample draft open for consultation.
    assert_eq!(seen.len(), 56);
    let all = app.get("/api/v1/documents?limit=200", Some(&legal)).await;
    let order: Vec<String> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(order, seen, "pages follow the same stable order");

    let count = |url: &str| {
        let url = url.to_owned();
        let legal = legal.clone();
        let app = &app;
        async move {
            let r = app.get(&url, Some(&legal)).await;
            assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
            r.body["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("/api/v1/documents?kind=decree").await, 7);
    assert_eq!(count("/api/v1/documents?issuer=TTG").await, 4);
    // 48/2013/NĐ-CP and six sample documents of the district.
    assert_eq!(count("/api/v1/documents?year=2013").await, 7);
    // Text in the title, with or without diacritics; numbers in any spelling.
    // The plan and Nghị quyết 30c/NQ-CP.
    assert_eq!(
        count("/api/v1/documents?q=cai%20cach%20hanh%20chinh").await,
        2
    );
    assert_eq!(
        count("/api/v1/documents?q=c%E1%BA%A3i%20c%C3%A1ch%20h%C3%A0nh%20ch%C3%ADnh").await,
        2
    );
    assert_eq!(count("/api/v1/documents?q=9/2015/qd-ttg").await, 1);
    assert_eq!(count("/api/v1/documents?q=100%25").await, 0);
    // Legal effect on a date: 14/2008/NĐ-CP was replaced on 2014-06-20 (external
    // documents only: some sample documents of the district expired too).
    let expired = app
        .get(
            "/api/v1/documents?legal_effect=expired&as_of=2016-06-30&external=true",
            Some(&legal),
        )
        .await;
    let numbers: Vec<&str> = expired.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, vec!["14/2008/NĐ-CP"]);
    assert_eq!(
        count("/api/v1/documents?legal_effect=expired&as_of=2014-06-19&external=true").await,
        0
    );
    // Bad parameters are client errors.
    app.get("/api/v1/documents?limit=0", Some(&legal))
        .await
        .problem(422);
    app.get("/api/v1/documents?cursor=%%%", Some(&legal))
        .await
        .problem(422);
    app.get("/api/v1/documents?cursor=bm90YWN1cnNvcg", Some(&legal))
        .await
        .problem(422);
    app.get("/api/v1/documents?as_of=2016-13-45", Some(&legal))
        .await
        .problem(400);
    app.get("/api/v1/documents?issuer=NOPE", Some(&legal))
        .await
        .problem(422);
}
both_backends!(list_filters_and_cursor_pagination);

async fn drafts_are_visible_only_to_their_issuers_staff(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await; // Phòng Nội vụ, under UBND
    let doc = app.draft(&drafter, "Dự thảo nội bộ").await;
    let path = format!("/api/v1/documents/{}", doc["id"].as_str().unwrap());
    for who in ["legal_officer", "approver", "iso_controller"] {
        let t = app.login(who).await;
        assert_eq!(
            app.get(&path, Some(&t)).await.status,
            StatusCode::OK,
            "{who} sees it"
        );
    }
    // The public and a commune viewer do not: 404, so its existence does not leak.
    app.get(&path, None).await.problem(404);
    let viewer = app.login("viewer").await;
    app.get(&path, Some(&viewer)).await.problem(404);
    let listed = app.get("/api/v1/documents?limit=200", Some(&viewer)).await;
    assert!(listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["state"] == "published"));
    let public = app.get("/api/v1/documents?limit=200", None).await;
    assert_eq!(public.body["items"].as_array().unwrap().len(), 55);
    // A drafter cannot draft for a unit outside their chain.
    let r = app
        .post(
            "/api/v1/documents",
            Some(&drafter),
            json!({"kind": "decision", "title": "x", "issuer": "X-SONBUA"}),
        )
        .await;
    r.problem(403);
}
both_backends!(drafts_are_visible_only_to_their_issuers_staff);
