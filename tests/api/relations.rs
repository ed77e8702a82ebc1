use actix_web::http::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

async fn plan_is_based_on_what_it_cites(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = app.get("/api/v1/documents?kind=scheme", None).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rels = app
        .get(&format!("/api/v1/documents/{plan}/relations"), None)
        .await;
    assert_eq!(rels.status, StatusCode::OK);
    let out = rels.body["outgoing"].as_array().unwrap();
    assert_eq!(out.len(), 16);
    assert!(out.iter().all(|r| r["kind"] == "based_on"));
    let d130 = out
        .iter()
        .find(|r| r["other"]["number"] == "130/2005/NĐ-CP")
        .expect("130/2005 cited");
    assert_eq!(
        d130["target_id"],
        app.id_of("130/2005/NĐ-CP").await.as_str()
    );

    // Read from the other side: what is based on 63/2010, and what amends it.
    let d63 = app.id_of("63/2010/NĐ-CP").await;
    let back = app
        .get(&format!("/api/v1/documents/{d63}/relations"), None)
        .await;
    let inc = back.body["incoming"].as_array().unwrap();
    assert!(inc
        .iter()
        .any(|r| r["kind"] == "based_on" && r["source_id"] == plan.as_str()));
    assert!(inc
        .iter()
        .any(|r| r["kind"] == "amends" && r["other"]["number"] == "48/2013/NĐ-CP"));
    let d = app.get(&format!("/api/v1/documents/{d63}"), None).await;
    assert_eq!(d.body["issuer"]["name"], "Chính phủ");
    assert_eq!(d.body["signed_on"], "2010-06-08");
    let d130 = app
        .get(
            &format!("/api/v1/documents/{}", app.id_of("130/2005/NĐ-CP").await),
            None,
        )
        .await;
    assert_eq!(d130.body["signed_on"], "2005-10-17");
}
both_backends!(plan_is_based_on_what_it_cites);

async fn legal_effect_on_any_date(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    let d14 = app.id_of("14/2008/NĐ-CP").await;
    let effect = |id: String, on: &'static str| {
        let app = &app;
        async move {
            let r = app
                .get(&format!("/api/v1/documents/{id}/effect?as_of={on}"), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body
        }
    };
    assert_eq!(
        effect(d14.clone(), "2008-01-01").await["effect"],
        "not_yet_effective"
    );
    assert_eq!(
        effect(d14.clone(), "2014-06-19").await["effect"],
        "in_force"
    );
    let e = effect(d14.clone(), "2016-06-30").await;
    assert_eq!(e["effect"], "expired");
    assert_eq!(e["since"], "2014-06-20");
    assert_eq!(e["label_vi"], "Hết hiệu lực toàn bộ");
    // Amended: still in force.
    let d63 = app.id_of("63/2010/NĐ-CP").await;
    assert_eq!(
        effect(d63.clone(), "2016-06-30").await["effect"],
        "in_force"
    );

    // Partial repeal, then suspension, each from its date.
    let d64 = app.id_of("64/2007/NĐ-CP").await;
    let d130 = app.id_of("130/2005/NĐ-CP").await;
    let r = app
        .post(
            &format!("/api/v1/documents/{d130}/relations"),
            Some(&legal),
            json!({"target_id": d64, "kind": "repeals", "scope": "partial", "effective_on": "2015-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        effect(d64.clone(), "2015-01-02").await["effect"],
        "partially_expired"
    );
    let s = app
        .post(
            &format!("/api/v1/documents/{d63}/relations"),
            Some(&legal),
            json!({"target_id": d64, "kind": "suspends", "effective_on": "2016-01-01", "effective_until": "2016-07-01"}),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.body);
    assert_eq!(
        effect(d64.clone(), "2016-03-01").await["effect"],
        "suspended"
    );
    assert_eq!(
        effect(d64.clone(), "2016-07-01").await["effect"],
        "partially_expired"
    );
    // A suspension of a part (ngưng hiệu lực một phần) while the first runs is not said;
    // after it, it is.
    let d77 = app.id_of("77/2015/QH13").await;
    let part = app
        .post(
            &format!("/api/v1/documents/{d77}/relations"),
            Some(&legal),
            json!({"target_id": d64, "kind": "suspends", "scope": "partial", "effective_on": "2016-05-01", "effective_until": "2016-09-01"}),
        )
        .await;
    assert_eq!(part.status, StatusCode::CREATED, "{}", part.body);
    assert_eq!(
        effect(d64.clone(), "2016-06-01").await["effect"],
        "suspended"
    );
    let e = effect(d64.clone(), "2016-08-01").await;
    assert_eq!(e["effect"], "partially_suspended", "{e}");
    assert_eq!(e["label_vi"], "Ngưng hiệu lực một phần");
    assert_eq!(
        effect(d64.clone(), "2016-09-01").await["effect"],
        "partially_expired"
    );
    // The document read on a date carries the same answer.
    let d = app
        .get(&format!("/api/v1/documents/{d64}?as_of=2016-03-01"), None)
        .await;
    assert_eq!(d.body["legal_effect"]["effect"], "suspended");

    // Guards: a dated relation needs its date; no self-relation; no duplicate.
    app.post(
        &format!("/api/v1/documents/{d130}/relations"),
        Some(&legal),
        json!({"target_id": d14, "kind": "repeals"}),
    )
    .await
    .problem(422);
    app.post(
        &format!("/api/v1/documents/{d130}/relations"),
        Some(&legal),
        json!({"target_id": d130, "kind": "guides", "effective_on": "2015-01-01"}),
    )
    .await
    .problem(422);
    app.post(
        &format!("/api/v1/documents/{d130}/relations"),
        Some(&legal),
        json!({"target_id": d64, "kind": "repeals", "scope": "partial", "effective_on": "2015-01-01"}),
    )
    .await
    .problem(409);
    // Removing the relation restores the effect.
    let del = app
        .delete(
            &format!("/api/v1/relations/{}", s.body["id"].as_str().unwrap()),
            &legal,
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(
        effect(d64.clone(), "2016-03-01").await["effect"],
        "partially_expired"
    );
}
both_backends!(legal_effect_on_any_date);

/// The list filter (SQL) and the per-document answer (Rust) agree on every document,
/// every effect and several dates.
async fn list_filter_agrees_with_effect_rules(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    let d64 = app.id_of("64/2007/NĐ-CP").await;
    let d130 = app.id_of("130/2005/NĐ-CP").await;
    let d63 = app.id_of("63/2010/NĐ-CP").await;
    for body in [
        json!({"target_id": d64, "kind": "repeals", "scope": "partial", "effective_on": "2012-01-01"}),
        json!({"target_id": d63, "kind": "suspends", "effective_on": "2013-01-01", "effective_until": "2013-06-01"}),
    ] {
        let r = app
            .post(
                &format!("/api/v1/documents/{d130}/relations"),
                Some(&legal),
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // Suspensions of a part, one ended and one still running.
    let d77 = app.id_of("77/2015/QH13").await;
    for body in [
        json!({"target_id": d64, "kind": "suspends", "scope": "partial", "effective_on": "2014-01-01", "effective_until": "2015-01-01"}),
        json!({"target_id": d63, "kind": "suspends", "scope": "partial", "effective_on": "2013-03-01"}),
    ] {
        let r = app
            .post(
                &format!("/api/v1/documents/{d77}/relations"),
                Some(&legal),
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    for on in [
        "2000-01-01",
        "2012-06-01",
        "2013-03-01",
        "2014-06-20",
        "2026-01-01",
    ] {
        let all = app
            .get(
                &format!("/api/v1/documents?limit=200&as_of={on}"),
                Some(&legal),
            )
            .await;
        let items = all.body["items"].as_array().unwrap();
        for effect in [
            "not_yet_effective",
            "in_force",
            "partially_expired",
            "expired",
            "suspended",
            "partially_suspended",
        ] {
            let mut expected: Vec<&str> = items
                .iter()
                .filter(|d| d["legal_effect"]["effect"] == effect)
                .map(|d| d["id"].as_str().unwrap())
                .collect();
            let filtered = app
                .get(
                    &format!("/api/v1/documents?limit=200&as_of={on}&legal_effect={effect}"),
                    Some(&legal),
                )
                .await;
            let mut got: Vec<&str> = filtered.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap())
                .collect();
            expected.sort();
            got.sort();
            assert_eq!(got, expected, "{effect} on {on}");
        }
    }
}
both_backends!(list_filter_agrees_with_effect_rules);
