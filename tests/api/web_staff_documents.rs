//! The document workspace: a drafter creates a draft, uploads a DOCX and sees its structure,
//! takes an action; a refused guard and a stale form are shown on the page with the API's
//! words; the actions a page offers are the document's `allowed_actions` for that caller
//! (none on another agency's draft); forms without their token are refused.

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::browser::{text, Browser};
use crate::helpers::{Backend, TestApp};

const DOCX: &[u8] = include_bytes!("../fixtures/lo-liberation-serif.docx");

/// The id in a `Location` of `/lam-viec/van-ban/{id}?...`.
fn created_id(r: &crate::helpers::Response) -> String {
    let to = r.header("location").expect("a Location");
    let rest = to.strip_prefix("/lam-viec/van-ban/").expect(&to);
    rest.split(['?', '#']).next().unwrap().to_owned()
}

/// The `data-action` values of the forms of `data-form="transition"` on a page.
fn offered_actions(html: &str) -> Vec<String> {
    html.split("data-form=\"transition\" data-action=\"")
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].to_owned())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

fn count_nodes(v: &Value) -> usize {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| 1 + count_nodes(&n["children"]))
        .sum()
}

async fn a_drafter_works_a_draft_in_the_browser(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.login("drafter").await;
    let mut b = Browser::signed_in(&app, "drafter").await;
    let list = b.get("/lam-viec/van-ban").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(text(&list).contains("data-form=\"create_document\""));

    // A new draft, from the list page's form.
    let r = b
        .post(
            "/lam-viec/van-ban",
            &[
                ("kind", "decision"),
                ("title", "Quyết định thử trên trang làm việc"),
                ("issuer", "UBND"),
                ("field", "Nội vụ"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let id = created_id(&r);
    let doc = app
        .get(&format!("/api/v1/documents/{id}"), Some(&token))
        .await;
    doc.status_is(200);
    assert_eq!(doc.body["title"], "Quyết định thử trên trang làm việc");
    assert_eq!(doc.body["state"], "drafting");

    // Opening the consultation without a version: the guard's refusal, in the API's words,
    // on the workspace, with the guard's status.
    let api = app
        .post_with_etag(
            &format!("/api/v1/documents/{id}/transitions"),
            &token,
            &doc.etag(),
            json!({"action": "open_consultation"}),
        )
        .await;
    let detail = api.problem(409)["detail"].as_str().unwrap().to_owned();
    let rv = doc.body["row_version"].to_string();
    let page = b
        .post(
            &format!("/lam-viec/van-ban/{id}/chuyen"),
            &[
                ("row_version", rv.as_str()),
                ("action", "open_consultation"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    let html = text(&page);
    assert!(html.contains("data-problem"), "{html}");
    assert!(
        html.contains(&detail.replace('\'', "&#x27;")) || html.contains(&detail),
        "the guard's message {detail:?} on the page"
    );

    // Upload a DOCX: the form token rides in the address; without it, refused.
    let parts: &[(&str, Option<&str>, &[u8])] = &[
        ("file", Some("du-thao.docx"), DOCX),
        ("label", None, "Dự thảo 1".as_bytes()),
        ("change_summary", None, b""),
    ];
    let refused = b
        .post_multipart(&format!("/lam-viec/van-ban/{id}/phien-ban"), parts)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let path = format!("/lam-viec/van-ban/{id}/phien-ban?form_token={}", b.token());
    let up = b.post_multipart(&path, parts).await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", text(&up));
    let versions = app
        .get(&format!("/api/v1/documents/{id}/versions"), Some(&token))
        .await;
    let v = versions.body[0].clone();
    assert_eq!(v["label"], "Dự thảo 1");
    // A file that is not a PDF or DOCX is shown as the page's problem.
    let bad = b
        .post_multipart(&path, &[("file", Some("x.txt"), b"plain text")])
        .await;
    assert_eq!(bad.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(text(&bad).contains("data-problem"));

    // The workspace shows the version, its file and its structure as the API reads it.
    let ws = text(&b.get(&format!("/lam-viec/van-ban/{id}")).await);
    assert!(ws.contains(&format!("data-id=\"{}\"", v["id"].as_str().unwrap())));
    assert!(ws.contains("du-thao.docx"));
    let structure = app
        .get(
            &format!("/api/v1/versions/{}/structure", v["id"].as_str().unwrap()),
            Some(&token),
        )
        .await;
    let n = count_nodes(&structure.body["provisions"]);
    let lines = ws.matches("<li class=\"toc-").count();
    assert_eq!(lines, n, "one line per provision of the structure");
    let file = b
        .get(&format!(
            "/lam-viec/phien-ban/{}/tep",
            v["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, DOCX);

    // A stale form (the row version of before the upload's... of before a change) is refused
    // and shows the latest state; the current one is taken.
    let doc = app
        .get(&format!("/api/v1/documents/{id}"), Some(&token))
        .await;
    let rv = doc.body["row_version"].as_i64().unwrap();
    let stale = (rv - 1).to_string();
    let page = b
        .post(
            &format!("/lam-viec/van-ban/{id}"),
            &[("row_version", stale.as_str()), ("title", "Tên cũ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::PRECONDITION_FAILED);
    assert!(text(&page).contains("Nội dung đã thay đổi"));
    let now = rv.to_string();
    let saved = b
        .post(
            &format!("/lam-viec/van-ban/{id}"),
            &[
                ("row_version", now.as_str()),
                ("title", "Quyết định thử, tên mới"),
                ("field", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", text(&saved));
    let doc = app
        .get(&format!("/api/v1/documents/{id}"), Some(&token))
        .await;
    assert_eq!(doc.body["title"], "Quyết định thử, tên mới");
    assert!(doc.body["field"].is_null(), "an emptied field is cleared");

    // Now the consultation opens, from the page.
    let rv = doc.body["row_version"].to_string();
    let opened = b
        .post(
            &format!("/lam-viec/van-ban/{id}/chuyen"),
            &[
                ("row_version", rv.as_str()),
                ("action", "open_consultation"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", text(&opened));
    let doc = app
        .get(&format!("/api/v1/documents/{id}"), Some(&token))
        .await;
    assert_eq!(doc.body["state"], "consultation");

    // Without the form token nothing is taken.
    let rv = doc.body["row_version"].to_string();
    let forged = b
        .post_raw(
            &format!("/lam-viec/van-ban/{id}/chuyen"),
            &[
                ("row_version", rv.as_str()),
                ("action", "close_consultation"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let doc = app
        .get(&format!("/api/v1/documents/{id}"), Some(&token))
        .await;
    assert_eq!(doc.body["state"], "consultation");

    // The history shows what was done.
    let lo = Browser::signed_in(&app, "legal_officer").await;
    let mut lo = lo;
    let ws = text(&lo.get(&format!("/lam-viec/van-ban/{id}")).await);
    assert!(ws.contains("workflow.open_consultation"));
}
both_backends!(a_drafter_works_a_draft_in_the_browser);

async fn the_page_offers_what_the_api_allows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let drafter = app.login("drafter").await;
    let mine = app
        .post(
            "/api/v1/documents",
            Some(&drafter),
            json!({"kind": "decision", "title": "Dự thảo của Phòng Nội vụ", "issuer": "UBND"}),
        )
        .await;
    mine.status_is(201);
    let mine = mine.body["id"].as_str().unwrap().to_owned();

    // A drafter of another agency: the draft is visible (issued for the People's Committee)
    // but none of its actions is theirs, on the page or in the API.
    let admin = app.login("admin").await;
    let units = app.get("/api/v1/org-units", Some(&admin)).await;
    let other = units
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["kind"] == "agency" && u["code"] != "NV")
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .expect("another agency");
    app.post(
        "/api/v1/users",
        Some(&admin),
        json!({"username": "drafter2", "password": crate::helpers::PASSWORD,
               "role": "drafter", "org_unit": other}),
    )
    .await
    .status_is(201);

    for role in [
        "drafter",
        "drafter2",
        "legal_officer",
        "approver",
        "iso_controller",
        "admin",
        "viewer",
    ] {
        let token = app.login(role).await;
        let mut b = Browser::signed_in(&app, role).await;
        let listed = app.get("/api/v1/documents?limit=200", Some(&token)).await;
        listed.status_is(200);
        let api_ids: Vec<String> = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect();
        let page = b.get("/lam-viec/van-ban").await;
        assert_eq!(page.status, StatusCode::OK, "{role}");
        let html = text(&page);
        // Every row of the page is a document the API gives the same caller.
        for row in html.split("<tr data-id=\"").skip(1) {
            let id = &row[..row.find('"').unwrap()];
            assert!(
                api_ids.iter().any(|a| a == id),
                "{role}: {id} not the API's"
            );
        }
        let api = app
            .get(&format!("/api/v1/documents/{mine}"), Some(&token))
            .await;
        let ws = b.get(&format!("/lam-viec/van-ban/{mine}")).await;
        if api.status == StatusCode::NOT_FOUND {
            assert_eq!(ws.status, StatusCode::NOT_FOUND, "{role}");
            continue;
        }
        assert_eq!(ws.status, StatusCode::OK, "{role}");
        let allowed = strings(&api.body["allowed_actions"]);
        assert_eq!(offered_actions(&text(&ws)), allowed, "{role}");
        if role == "drafter2" {
            assert!(
                allowed.is_empty(),
                "another agency's draft is not theirs to move"
            );
            assert!(!text(&ws).contains("data-form=\"update_document\""));
            assert!(!text(&ws).contains("data-form=\"upload_version\""));
            // And the API refuses what the page does not offer.
            let r = app
                .post_with_etag(
                    &format!("/api/v1/documents/{mine}/transitions"),
                    &token,
                    &api.etag(),
                    json!({"action": "request_appraisal"}),
                )
                .await;
            r.problem(403);
        }
        if role == "drafter" {
            assert!(text(&ws).contains("data-form=\"update_document\""));
            assert!(text(&ws).contains("data-form=\"create_relation\""));
        }
    }
}
both_backends!(the_page_offers_what_the_api_allows);

async fn relations_are_added_by_number_and_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.login("legal_officer").await;
    let drafter = app.login("drafter").await;
    let d = app.draft(&drafter, "Quyết định sửa đổi thử").await;
    let id = d["id"].as_str().unwrap().to_owned();
    let target = app.id_of("63/2010/NĐ-CP").await;
    let mut b = Browser::signed_in(&app, "legal_officer").await;
    let r = b
        .post(
            &format!("/lam-viec/van-ban/{id}/quan-he"),
            &[
                ("kind", "amends"),
                ("target", "63/2010/nđ-cp"),
                ("effective_on", "2027-01-01"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let rels = app
        .get(&format!("/api/v1/documents/{id}/relations"), Some(&token))
        .await;
    let out = rels.body["outgoing"].as_array().unwrap().clone();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["target_id"], target.as_str());
    // A number nobody has is the form's problem, not an error page.
    let r = b
        .post(
            &format!("/lam-viec/van-ban/{id}/quan-he"),
            &[
                ("kind", "amends"),
                ("target", "99/2099/QĐ-XYZ"),
                ("effective_on", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("no document has this number"));
    // An amendment needs its date: the API's rule, shown.
    let r = b
        .post(
            &format!("/lam-viec/van-ban/{id}/quan-he"),
            &[
                ("kind", "amends"),
                ("target", target.as_str()),
                ("effective_on", ""),
            ],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(text(&r).contains("data-problem"));
    // Removed from the page.
    let rel = out[0]["id"].as_str().unwrap();
    let r = b
        .post(&format!("/lam-viec/van-ban/{id}/quan-he/{rel}/xoa"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let rels = app
        .get(&format!("/api/v1/documents/{id}/relations"), Some(&token))
        .await;
    assert!(rels.body["outgoing"].as_array().unwrap().is_empty());
}
both_backends!(relations_are_added_by_number_and_removed);
