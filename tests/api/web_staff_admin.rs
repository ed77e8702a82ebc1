//! The reports and administration pages: the periodic report's figures are the API's, with
//! its PDF and CSV; the admin page creates and changes accounts and units through the API's
//! use cases (a deactivation ends the account's sessions); other roles do not reach either.

use actix_web::http::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::browser::{text, Browser};
use crate::copies::pdftotext;
use crate::helpers::{Backend, TestApp, PASSWORD};

async fn the_periodic_report_is_the_apis(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.login("legal_officer").await;
    let api = app
        .get(
            "/api/v1/reports/activity?year=2017&period=year",
            Some(&token),
        )
        .await;
    api.status_is(200);
    let mut b = Browser::signed_in(&app, "legal_officer").await;
    let page = b.get("/lam-viec/bao-cao?nam=2017&ky=year").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = text(&page);
    for key in [
        "drafts_started",
        "documents_promulgated",
        "comments_received",
    ] {
        let want = &api.body["total"][key];
        assert!(
            html.contains(&format!("data-figure=\"{key}\"><th scope=\"row\">"))
                && html.contains(&format!("data-total=\"{want}\"")),
            "{key} = {want}"
        );
    }
    let pdf = b
        .get("/lam-viec/bao-cao/tai?nam=2017&ky=year&dinh-dang=pdf")
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdftotext(&pdf.bytes).contains("Báo cáo công tác"));
    let csv = b
        .get("/lam-viec/bao-cao/tai?nam=2017&ky=year&dinh-dang=csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(text(&csv)
        .trim_start_matches('\u{feff}')
        .starts_with("agency_code"));
    for bad in ["?nam=abc", "?ky=q9"] {
        let r = b.get(&format!("/lam-viec/bao-cao{bad}")).await;
        assert!(r.status.is_client_error(), "{bad}: {}", r.status);
    }
    // Who does not read reports does not get them.
    let mut d = Browser::signed_in(&app, "drafter").await;
    assert_eq!(
        d.get("/lam-viec/bao-cao").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        d.get("/lam-viec/bao-cao/tai?dinh-dang=csv").await.status,
        StatusCode::FORBIDDEN
    );
}
both_backends!(the_periodic_report_is_the_apis);

fn user<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap()
}

async fn the_admin_manages_accounts_and_units(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.login("admin").await;
    let mut b = Browser::signed_in(&app, "admin").await;
    let page = text(&b.get("/lam-viec/quan-tri").await);
    let users = app.get("/api/v1/users", Some(&admin)).await.body;
    for u in users.as_array().unwrap() {
        assert!(page.contains(&format!("data-id=\"{}\"", u["id"].as_str().unwrap())));
    }
    // A new unit, then an account in it.
    let r = b
        .post(
            "/lam-viec/quan-tri/don-vi",
            &[
                ("code", "TN-MT"),
                ("name", "Phòng Tài nguyên và Môi trường"),
                ("kind", "agency"),
                ("parent", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let units = app.get("/api/v1/org-units", Some(&admin)).await.body;
    let unit = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "TN-MT")
        .cloned()
        .expect("the new unit");
    let uid = unit["id"].as_str().unwrap();
    let r = b
        .post(
            "/lam-viec/quan-tri/tai-khoan",
            &[
                ("username", "chuyenvien2"),
                ("display_name", "Chuyên viên hai"),
                ("password", PASSWORD),
                ("role", "drafter"),
                ("org_unit", uid),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    // A duplicate username is the use case's refusal, shown.
    let r = b
        .post(
            "/lam-viec/quan-tri/tai-khoan",
            &[
                ("username", "chuyenvien2"),
                ("password", PASSWORD),
                ("role", "drafter"),
            ],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(text(&r).contains("data-problem"));

    // The new account signs in; deactivated from the page, its session ends.
    let mut n = Browser::signed_in(&app, "chuyenvien2").await;
    assert_eq!(n.get("/lam-viec").await.status, StatusCode::OK);
    let users = app.get("/api/v1/users", Some(&admin)).await.body;
    let u = user(&users, "chuyenvien2");
    let rv = u["row_version"].to_string();
    let id = u["id"].as_str().unwrap();
    let r = b
        .post(
            &format!("/lam-viec/quan-tri/tai-khoan/{id}"),
            &[
                ("row_version", rv.as_str()),
                ("role", "drafter"),
                ("org_unit", uid),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let users = app.get("/api/v1/users", Some(&admin)).await.body;
    assert_eq!(user(&users, "chuyenvien2")["active"], false);
    assert_eq!(n.get("/lam-viec").await.status, StatusCode::SEE_OTHER);
    // A stale form is refused.
    let r = b
        .post(
            &format!("/lam-viec/quan-tri/tai-khoan/{id}"),
            &[
                ("row_version", rv.as_str()),
                ("role", "viewer"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    // A unit renamed.
    let rv = unit["row_version"].to_string();
    let r = b
        .post(
            &format!("/lam-viec/quan-tri/don-vi/{uid}"),
            &[
                ("row_version", rv.as_str()),
                ("name", "Phòng Nông nghiệp và Môi trường"),
                ("parent", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let u = app
        .get(&format!("/api/v1/org-units/{uid}"), Some(&admin))
        .await;
    assert_eq!(u.body["name"], "Phòng Nông nghiệp và Môi trường");

    // Nobody else administers.
    for role in ["legal_officer", "drafter", "viewer"] {
        let mut o = Browser::signed_in(&app, role).await;
        assert_eq!(
            o.get("/lam-viec/quan-tri").await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
        let r = o
            .post(
                "/lam-viec/quan-tri/tai-khoan",
                &[
                    ("username", "x1"),
                    ("password", PASSWORD),
                    ("role", "admin"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
    }
    let users = app.get("/api/v1/users", Some(&admin)).await.body;
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["username"] != "x1"));
}
both_backends!(the_admin_manages_accounts_and_units);
