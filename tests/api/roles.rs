//! The role matrix: every route × every role → allowed (anything but 403) or 403;
//! the public gets 401 wherever an account is needed.

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
    }
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
                LEGAL_WRITERS,
            )
        },
        Route {
            if_match: true,
            ..route(
                Method::DELETE,
                format!("/api/v1/documents/{d63}"),
                None,
                LEGAL_WRITERS,
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
        route(
            Method::POST,
            format!("/api/v1/documents/{draft}/versions"),
            Some(json!({"body": "Điều 1. Y"})),
            LEGAL_WRITERS,
        ),
        Route {
            if_match: true,
            ..route(
                Method::PATCH,
                format!("/api/v1/versions/{version}"),
                Some(json!({"label": "L"})),
                LEGAL_WRITERS,
            )
        },
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
            LEGAL_WRITERS,
        ),
        route(
            Method::DELETE,
            format!("/api/v1/relations/{relation}"),
            None,
            LEGAL_WRITERS,
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
        Route {
            if_match: true,
            ..route(
                Method::PUT,
                format!("/api/v1/review-items/{item}/result"),
                Some(json!({"result": "still_appropriate", "reasons": "Phù hợp"})),
                LEGAL_WRITERS,
            )
        },
        Route {
            public: true,
            ..route(
                Method::GET,
                "/api/v1/systematization?issuer=UBND&year=2015".into(),
                None,
                ALL,
            )
        },
        route(
            Method::POST,
            format!("/api/v1/review-campaigns/{campaign}/close"),
            Some(json!({"force": true, "reason": "Kết thúc"})),
            LEGAL,
        ),
    ];
    let mut tokens = vec![];
    for r in ROLES {
        tokens.push((r, Some(app.login(r).await)));
    }
    tokens.push(("anonymous", None));
    for rt in routes.drain(..) {
        for (role, token) in &tokens {
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
            let r = app.send(req).await;
            let status = r.status.as_u16();
            let label = format!("{} {} as {role}: {status} {}", rt.method, rt.path, r.body);
            match token {
                None if rt.public => assert!(status < 400, "{label}"),
                None => assert_eq!(status, 401, "{label}"),
                Some(_) => {
                    let allowed = rt.allowed.contains(&"*") || rt.allowed.contains(role);
                    if allowed {
                        assert!(status != 403 && status != 401 && status < 500, "{label}");
                    } else {
                        assert_eq!(status, 403, "{label}");
                    }
                }
            }
        }
    }
}
both_backends!(role_matrix);
