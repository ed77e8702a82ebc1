//! The role matrix: every route × every role → allowed (anything but 403) or 403;
//! the public gets 401 wherever an account is needed. Routes on a resource that belongs to
//! a unit (a drafting agency's draft, an agency's quality documents) are tried again by an
//! account of an allowed role in another unit: 403.

use actix_web::http::{header, Method};
use actix_web::test;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

const ROLES: [&str; 6] = [
    "admin",
    "drafter",
    "legal_officer",
    "approver",
    "iso_controller",
    "viewer",
];

struct Route {
    method: Method,
    path: String,
    body: Option<Value>,
    if_match: bool,
    /// Roles allowed; `*` for every signed-in role.
    allowed: &'static [&'static str],
    public: bool,
    /// The resource belongs to a unit: allowed roles of another unit get 403.
    scoped: bool,
}

fn route(
    method: Method,
    path: String,
    body: Option<Value>,
    allowed: &'static [&'static str],
) -> Route {
    Route {
        method,
        path,
        body,
        if_match: false,
        allowed,
        public: false,
        scoped: false,
    }
}

/// The route's request, as `token`, with a fixed If-Match where the route needs one (the
/// permission is decided before the row version is compared).
fn request(rt: &Route, token: Option<&str>) -> test::TestRequest {
    let mut req = test::TestRequest::default()
        .method(rt.method.clone())
        .uri(&rt.path);
    if let Some(t) = token {
        req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
    }
    if rt.if_match {
        req = req.insert_header((
            header::IF_MATCH,
            "\"00000000-0000-0000-0000-000000000000-1\"",
        ));
    }
    if let Some(body) = &rt.body {
        req = req.set_json(body);
    }
    req
}

fn scoped(r: Route) -> Route {
    Route { scoped: true, ..r }
}

async fn role_matrix(b: Backend) {
    let app = TestApp::spawn(b).await;
    let legal = app.login("legal_officer").await;
    let drafter = app.login("drafter").await;
    let d63 = app.id_of("63/2010/NĐ-CP").await;
    let d130 = app.id_of("130/2005/NĐ-CP").await;
    let d64 = app.id_of("64/2007/NĐ-CP").await;
    let draft = app.draft(&drafter, "Matrix draft").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = app
        .post(
            &format!("/api/v1/documents/{draft}/versions"),
            Some(&drafter),
            json!({"body": "Điều 1. X"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let relation = app
        .post(
            &format!("/api/v1/documents/{d130}/relations"),
            Some(&legal),
            json!({"target_id": d64, "kind": "guides", "effective_on": "2010-01-01"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = app.login("admin").await;
    let users = app.get("/api/v1/users", Some(&admin)).await.body;
    let viewer_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "viewer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let units = app.get("/api/v1/org-units", Some(&admin)).await.body;
    let unit_id = units[0]["id"].as_str().unwrap().to_owned();
    // Review: the demo campaign, an item of it assigned to the drafter's unit (NV), a
    // review flag, and a self-inspection.
    let str_of = |v: &Value| v.as_str().unwrap().to_owned();
    let campaign = str_of(&app.get("/api/v1/review-campaigns", Some(&legal)).await.body[0]["id"]);
    let items = app
        .get(
            &format!("/api/v1/review-campaigns/{campaign}/items"),
            Some(&legal),
        )
        .await
        .body;
    let item = str_of(
        &items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["document"]["number"] == "03/2016/QĐ-UBND")
            .unwrap()["id"],
    );
    let flag = str_of(&app.get("/api/v1/review-flags", Some(&legal)).await.body[0]["id"]);
    let consultation = str_of(&app.get("/api/v1/public/consultations", None).await.body[0]["id"]);
    let published = app.id_of("04/2016/QĐ-UBND").await;
    let inspected = app.id_of("02/2016/QĐ-UBND").await;
    let inspection = str_of(
        &app.post(
            &format!("/api/v1/documents/{inspected}/self-inspection"),
            Some(&legal),
            json!({}),
        )
        .await
        .body["id"],
    );

    const ALL: &[&str] = &["*"];
    const ADMIN: &[&str] = &["admin"];
    const LEGAL_WRITERS: &[&str] = &["drafter", "legal_officer"];
    const LEGAL: &[&str] = &["legal_officer"];
    let mut routes = vec![
        route(Method::GET, "/api/v1/auth/me".into(), None, ALL),
        route(Method::GET, "/api/v1/users".into(), None, ADMIN),
        route(
            Method::POST,
            "/api/v1/users".into(),
            Some(json!({"username": "u-x", "password": "0123456789ab", "role": "viewer"})),
            ADMIN,
        ),
        route(
            Method::GET,
            format!("/api/v1/users/{viewer_id}"),
            None,
            ADMIN,
        ),
        Route {
            if_match: true,
            ..route(
                Method::PATCH,
                format!("/api/v1/users/{viewer_id}"),
                Some(json!({"display_name": "V"})),
                ADMIN,
            )
        },
        route(Method::GET, "/api/v1/org-units".into(), None, ALL),
        route(
            Method::GET,
            format!("/api/v1/org-units/{unit_id}"),
            None,
            ALL,
        ),
        route(
            Method::POST,
            "/api/v1/org-units".into(),
            Some(json!({"code": "Z1", "name": "Z", "kind": "agency"})),
            ADMIN,
        ),
        Route {
            if_match: true,
            ..route(
                Method::PATCH,
                format!("/api/v1/org-units/{unit_id}"),
                Some(json!({"name": "Tỉnh Quảng Ngãi"})),
                ADMIN,
            )
        },
        Route {
            public: true,
            ..route(Method::GET, "/api/v1/documents".into(), None, ALL)
        },
        Route {
            public: true,
            ..route(Method::GET, format!("/api/v1/documents/{d63}"), None, ALL)
        },
        Route {
            public: true,
            ..route(
                Method::GET,
                format!("/api/v1/documents/{d63}/effect"),
                None,
                ALL,
            )
        },
        Route {
            public: true,
            ..route(
                Method::GET,
                format!("/api/v1/documents/{d63}/relations"),
                None,
                ALL,
            )
        },
        Route {
            public: true,
            ..route(
                Method::GET,
                format!("/api/v1/documents/{d63}/versions"),
                None,
                ALL,
            )
        },
        route(
            Method::POST,
            "/api/v1/documents".into(),
            Some(json!({"kind": "decision", "title": "M", "issuer": "UBND"})),
            LEGAL_WRITERS,
        ),
        route(
            Method::POST,
            "/api/v1/documents".into(),
            Some(json!({"kind": "iso_procedure", "title": "QT", "issuer": "VP"})),
            &["iso_controller"],
        ),
        Route {
            if_match: true,
            ..route(
                Method::PATCH,
                format!("/api/v1/documents/{d63}"),
                Some(json!({"field": "Kiểm soát TTHC"})),
                LEGAL,
            )
        },
        Route {
            if_match: true,
            ..route(
                Method::DELETE,
                format!("/api/v1/documents/{d63}"),
                None,
                LEGAL,
            )
        },
        Route {
            if_match: true,
            ..route(
                Method::POST,
                format!("/api/v1/documents/{d63}/withdraw"),
                Some(json!({"reason": "r"})),
                &["legal_officer", "approver"],
            )
        },
        // Registering an external document is the legal officers' (whatever its issuer).
        route(
            Method::POST,
            "/api/v1/documents".into(),
            Some(
                json!({"kind": "resolution", "issuer": "HDND", "external": true,
                        "title": "Nghị quyết", "number": "88/2026/NQ-HĐND",
                        "signed_on": "2026-01-05"}),
            ),
            LEGAL,
        ),
        route(
            Method::POST,
            "/api/v1/documents".into(),
            Some(
                json!({"kind": "decision", "issuer": "UBND", "external": true,
                        "title": "Quyết định", "number": "89/2026/QĐ-UBND",
                        "signed_on": "2026-01-05"}),
            ),
            LEGAL,
        ),
        // The drafter's own draft (Phòng Nội vụ): another agency's drafter may not touch it.
        scoped(Route {
            if_match: true,
            ..route(
                Method::PATCH,
                format!("/api/v1/documents/{draft}"),
                Some(json!({"field": "Nội vụ"})),
                LEGAL_WRITERS,
            )
        }),
        scoped(Route {
            if_match: true,
            ..route(
                Method::DELETE,
                format!("/api/v1/documents/{draft}"),
                None,
                LEGAL_WRITERS,
            )
        }),
        scoped(Route {
            if_match: true,
            ..route(
                Method::POST,
                format!("/api/v1/documents/{draft}/transitions"),
                Some(json!({"action": "open_consultation", "closes_on": "2030-01-31"})),
                LEGAL_WRITERS,
            )
        }),
        scoped(route(
            Method::POST,
            format!("/api/v1/documents/{draft}/relations"),
            Some(json!({"target_id": d63, "kind": "repeals", "effective_on": "2030-01-01"})),
            LEGAL_WRITERS,
        )),
        scoped(route(
            Method::POST,
            format!("/api/v1/documents/{draft}/versions"),
            Some(json!({"body": "Điều 1. Y"})),
            LEGAL_WRITERS,
        )),
        scoped(Route {
            if_match: true,
            ..route(
                Method::PATCH,
                format!("/api/v1/versions/{version}"),
                Some(json!({"label": "L"})),
                LEGAL_WRITERS,
            )
        }),
        route(
            Method::POST,
            format!("/api/v1/versions/{version}/approve"),
            Some(json!({})),
            &["approver"],
        ),
        route(
            Method::POST,
            format!("/api/v1/documents/{d130}/relations"),
            Some(json!({"target_id": d63, "kind": "guides", "effective_on": "2010-01-01"})),
            LEGAL,
        ),
        route(
            Method::DELETE,
            format!("/api/v1/relations/{relation}"),
            None,
            LEGAL,
        ),
        route(
            Method::GET,
            format!("/api/v1/audit/document/{d63}"),
            None,
            &["admin", "legal_officer", "approver", "iso_controller"],
        ),
        route(
            Method::GET,
            "/api/v1/self-inspections?overdue=true".into(),
            None,
            ALL,
        ),
        route(
            Method::GET,
            format!("/api/v1/self-inspections/{inspection}"),
            None,
            ALL,
        ),
        route(
            Method::POST,
            format!("/api/v1/documents/{published}/self-inspection"),
            Some(json!({})),
            LEGAL,
        ),
        route(
            Method::POST,
            format!("/api/v1/self-inspections/{inspection}/result"),
            Some(json!({"result": "lawful"})),
            LEGAL,
        ),
        route(Method::GET, "/api/v1/review-flags".into(), None, ALL),
        route(
            Method::POST,
            format!("/api/v1/review-flags/{flag}/resolve"),
            Some(json!({"resolution": "Đã rà soát"})),
            LEGAL,
        ),
        route(Method::GET, "/api/v1/review-campaigns".into(), None, ALL),
        route(
            Method::POST,
            "/api/v1/review-campaigns".into(),
            Some(json!({"name": "M", "document_ids": [published]})),
            LEGAL,
        ),
        route(
            Method::GET,
            format!("/api/v1/review-campaigns/{campaign}"),
            None,
            ALL,
        ),
        route(
            Method::GET,
            format!("/api/v1/review-campaigns/{campaign}/items"),
            None,
            ALL,
        ),
        route(
            Method::GET,
            format!("/api/v1/review-campaigns/{campaign}/progress"),
            None,
            ALL,
        ),
        route(
            Method::POST,
            format!("/api/v1/review-campaigns/{campaign}/assignments"),
            Some(json!({"assignee": "NV", "item_ids": [item]})),
            LEGAL,
        ),
        route(
            Method::GET,
            format!("/api/v1/review-items/{item}"),
            None,
            ALL,
        ),
        // Assigned to NV: a drafter of another unit may not record it; a legal officer
        // (of the justice office) records any item.
        scoped(Route {
            if_match: true,
            ..route(
                Method::PUT,
                format!("/api/v1/review-items/{item}/result"),
                Some(json!({"result": "still_appropriate", "reasons": "Phù hợp"})),
                LEGAL_WRITERS,
            )
        }),
        Route {
            public: true,
            ..route(
                Method::GET,
                "/api/v1/systematization?issuer=UBND&year=2015".into(),
                None,
                ALL,
            )
        },
        route(Method::GET, "/api/v1/appraisal-requests".into(), None, ALL),
        // Only the justice office appraises (the draft is not in appraisal: 409 for it).
        route(
            Method::POST,
            format!("/api/v1/documents/{draft}/appraisals"),
            Some(json!({"opinion": "fit_to_submit"})),
            LEGAL,
        ),
        // The public's comments are handled by the drafting agencies and the justice office.
        route(
            Method::GET,
            format!("/api/v1/consultations/{consultation}/comments"),
            None,
            LEGAL_WRITERS,
        ),
        route(
            Method::GET,
            "/api/v1/reports/activity?year=2015&period=year".into(),
            None,
            &["legal_officer", "approver"],
        ),
        route(
            Method::POST,
            format!("/api/v1/review-campaigns/{campaign}/close"),
            Some(json!({"force": true, "reason": "Kết thúc"})),
            LEGAL,
        ),
    ];
    // ISO document control, on the sample documents of Văn phòng (the demo ISO
    // controller's unit): the one-stop procedure, its current revision, the form's open
    // change request and a recalled copy still out.
    let iso = app.login("iso_controller").await;
    let list = app
        .get("/api/v1/iso/documents?owner=VP", Some(&iso))
        .await
        .body;
    let by_code = |code: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|d| d["iso_code"] == code)
            .unwrap()
            .clone()
    };
    let mc = by_code("QT-MC-01");
    let mc_id = mc["id"].as_str().unwrap().to_owned();
    let current = mc["current_revision"]["version_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form_id = by_code("BM-MC-01")["id"].as_str().unwrap().to_owned();
    let crs = app
        .get(
            &format!("/api/v1/iso/documents/{form_id}/change-requests"),
            Some(&iso),
        )
        .await
        .body;
    let cr = crs[0]["id"].as_str().unwrap().to_owned();
    let out = app
        .get("/api/v1/iso/copies/outstanding", Some(&iso))
        .await
        .body;
    let copy = out[0]["id"].as_str().unwrap().to_owned();
    const CONTROLLER: &[&str] = &["iso_controller"];
    const REVIEWERS: &[&str] = &["drafter", "legal_officer", "approver", "iso_controller"];
    // The approver's unit (UBND) is not on the procedure's distribution list.
    const RECIPIENTS: &[&str] = &[
        "admin",
        "drafter",
        "legal_officer",
        "iso_controller",
        "viewer",
    ];
    let with_if_match = |r: Route| Route {
        if_match: true,
        ..r
    };
    routes.extend([
        route(Method::GET, "/api/v1/iso/documents".into(), None, ALL),
        route(
            Method::POST,
            "/api/v1/iso/documents".into(),
            Some(json!({"kind": "iso_procedure", "iso_code": "QT-MATRIX-01", "title": "M", "owner": "VP"})),
            CONTROLLER,
        ),
        route(Method::GET, format!("/api/v1/iso/documents/{mc_id}"), None, ALL),
        with_if_match(route(
            Method::PATCH,
            format!("/api/v1/iso/documents/{mc_id}"),
            Some(json!({"review_period_months": 12})),
            CONTROLLER,
        )),
        route(
            Method::GET,
            format!("/api/v1/iso/documents/{mc_id}/revisions"),
            None,
            ALL,
        ),
        route(Method::GET, format!("/api/v1/iso/revisions/{current}"), None, ALL),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/revisions/{current}/submit"),
            Some(json!({})),
            CONTROLLER,
        )),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/revisions/{current}/return"),
            Some(json!({"reason": "r"})),
            &["approver", "iso_controller"],
        )),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/revisions/{current}/approve"),
            Some(json!({})),
            &["approver"],
        )),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/revisions/{current}/issue"),
            Some(json!({})),
            CONTROLLER,
        )),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/revisions/{current}/withdraw"),
            Some(json!({"reason": "r"})),
            CONTROLLER,
        )),
        route(
            Method::GET,
            format!("/api/v1/iso/revisions/{current}/comments"),
            None,
            ALL,
        ),
        route(
            Method::POST,
            format!("/api/v1/iso/revisions/{current}/comments"),
            Some(json!({"body": "x"})),
            REVIEWERS,
        ),
        route(
            Method::GET,
            format!("/api/v1/iso/revisions/{current}/diff"),
            None,
            ALL,
        ),
        route(
            Method::GET,
            format!("/api/v1/iso/documents/{mc_id}/change-requests"),
            None,
            ALL,
        ),
        route(
            Method::POST,
            format!("/api/v1/iso/documents/{mc_id}/change-requests"),
            Some(json!({"reason": "r"})),
            ALL,
        ),
        route(Method::GET, format!("/api/v1/iso/change-requests/{cr}"), None, ALL),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/change-requests/{cr}/reject"),
            Some(json!({"reason": "r"})),
            CONTROLLER,
        )),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/change-requests/{cr}/accept"),
            Some(json!({})),
            CONTROLLER,
        )),
        route(
            Method::GET,
            format!("/api/v1/iso/documents/{mc_id}/copies"),
            None,
            ALL,
        ),
        route(Method::GET, "/api/v1/iso/copies/outstanding".into(), None, ALL),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/copies/{copy}/confirm-withdrawal"),
            Some(json!({})),
            CONTROLLER,
        )),
        route(
            Method::POST,
            format!("/api/v1/iso/documents/{mc_id}/acknowledge"),
            Some(json!({})),
            RECIPIENTS,
        ),
        route(
            Method::GET,
            format!("/api/v1/iso/documents/{mc_id}/acknowledgements"),
            None,
            ALL,
        ),
        route(Method::GET, "/api/v1/iso/reviews/due".into(), None, ALL),
        with_if_match(route(
            Method::POST,
            format!("/api/v1/iso/documents/{mc_id}/review"),
            Some(json!({"outcome": "confirmed"})),
            CONTROLLER,
        )),
        route(Method::GET, "/api/v1/iso/compliance".into(), None, ALL),
    ]);
    // Văn phòng's procedure through the generic document routes: its controller's too.
    routes.extend([
        scoped(with_if_match(route(
            Method::PATCH,
            format!("/api/v1/documents/{mc_id}"),
            Some(json!({"field": "Hành chính"})),
            CONTROLLER,
        ))),
        scoped(with_if_match(route(
            Method::POST,
            format!("/api/v1/documents/{mc_id}/withdraw"),
            Some(json!({"reason": "r"})),
            CONTROLLER,
        ))),
    ]);
    // Every ISO control route acts on Văn phòng's documents: scoped to its controller.
    for rt in routes.iter_mut() {
        if rt.path.starts_with("/api/v1/iso/")
            && rt.method != Method::GET
            && (rt.allowed == CONTROLLER || rt.path.ends_with("/return"))
            && rt.path != "/api/v1/iso/documents"
        {
            rt.scoped = true;
        }
    }
    let mut tokens = vec![];
    for r in ROLES {
        tokens.push((r, Some(app.login(r).await)));
    }
    tokens.push(("anonymous", None));
    // Accounts of the unit-bound roles in another unit than the resources'.
    let mut outsiders = vec![];
    for (role, unit) in [("drafter", "TNMT"), ("iso_controller", "TP")] {
        let name = format!("{role}-{}", unit.to_lowercase());
        app.post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": name, "password": crate::helpers::PASSWORD, "role": role,
                   "org_unit": unit}),
        )
        .await
        .status_is(201);
        outsiders.push((role, name.clone(), app.login(&name).await));
    }
    let mut scoped_checks = 0;
    for rt in routes.drain(..) {
        for (role, name, token) in &outsiders {
            if !rt.scoped || !rt.allowed.contains(role) {
                continue;
            }
            let r = app.send(request(&rt, Some(token))).await;
            let label = format!(
                "{} {} as {name}: {} {}",
                rt.method, rt.path, r.status, r.body
            );
            assert_eq!(r.status.as_u16(), 403, "{label}");
            scoped_checks += 1;
        }
        for (role, token) in &tokens {
            let r = app.send(request(&rt, token.as_deref())).await;
            let status = r.status.as_u16();
            let label = format!("{} {} as {role}: {status} {}", rt.method, rt.path, r.body);
            match token {
                None if rt.public => assert!(status < 400, "{label}"),
                None => assert_eq!(status, 401, "{label}"),
                Some(_) => {
                    let allowed = rt.allowed.contains(&"*") || rt.allowed.contains(role);
                    // A draft is hidden from who may not see drafts: 404, not 403.
                    let on_draft = rt.path.contains(&draft) || rt.path.contains(&version);
                    if allowed {
                        assert!(status != 403 && status != 401 && status < 500, "{label}");
                    } else if on_draft && status == 404 {
                        let sees_drafts = ["drafter", "legal_officer", "approver"];
                        assert!(!sees_drafts.contains(role), "{label}");
                    } else {
                        assert_eq!(status, 403, "{label}");
                    }
                }
            }
        }
    }
    // The draft's six routes, the ISO controller's eleven and the review item's result.
    assert!(scoped_checks >= 18, "{scoped_checks} scoped checks");
}
both_backends!(role_matrix);

/// The use case asks the policy before it judges what was sent: a role that may not act
/// is refused (403) whatever the body, the entity type or the limit, and nothing is hashed,
/// looked up or validated for it.
async fn policy_comes_before_validation(b: Backend) {
    let app = TestApp::spawn(b).await;
    let viewer = app.login("viewer").await;
    let drafter = app.login("drafter").await;
    // A password too short to be accepted, a code with forbidden characters.
    app.post(
        "/api/v1/users",
        Some(&viewer),
        json!({"username": "x", "password": "short", "role": "viewer"}),
    )
    .await
    .problem(403);
    app.post(
        "/api/v1/org-units",
        Some(&drafter),
        json!({"code": "not a code!", "name": "Z", "kind": "agency"}),
    )
    .await
    .problem(403);
    let id = "00000000-0000-0000-0000-000000000000";
    // An entity type without a history, and a limit out of range.
    app.get(&format!("/api/v1/audit/nothing/{id}"), Some(&viewer))
        .await
        .problem(403);
    app.get(
        &format!("/api/v1/audit/document/{id}?limit=0"),
        Some(&viewer),
    )
    .await
    .problem(403);
    // Allowed roles get the answers the content deserves.
    let admin = app.login("admin").await;
    app.post(
        "/api/v1/users",
        Some(&admin),
        json!({"username": "x", "password": "short", "role": "viewer"}),
    )
    .await
    .problem(422);
    app.get(&format!("/api/v1/audit/nothing/{id}"), Some(&admin))
        .await
        .problem(404);
    app.get(
        &format!("/api/v1/audit/document/{id}?limit=0"),
        Some(&admin),
    )
    .await
    .problem(422);
}
both_backends!(policy_comes_before_validation);
