use actix_web::http::{header, StatusCode};
use actix_web::test;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{multipart, Backend, TestApp};

const PDF: &[u8] = include_bytes!("../fixtures/libreoffice-de-an.pdf");

async fn upload(
    app: &TestApp,
    token: &str,
    doc: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> crate::helpers::Response {
    let (ct, body) = multipart(parts);
    app.send(
        test::TestRequest::post()
            .uri(&format!("/api/v1/documents/{doc}/versions"))
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            .insert_header((header::CONTENT_TYPE, ct))
            .set_payload(body),
    )
    .await
}

async fn versions_text_files_and_hashes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Quyết định có tệp").await;
    let id = doc["id"].as_str().unwrap();

    let v1 = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({"label": "Dự thảo 1", "body": "Điều 1. Phạm vi điều chỉnh\n1. Khoản một.\na) Điểm a."}),
        )
        .await;
    assert_eq!(v1.status, StatusCode::CREATED, "{}", v1.body);
    assert_eq!(v1.body["seq"], 1);
    assert_eq!(v1.body["label"], "Dự thảo 1");

    let v2 = upload(
        &app,
        &drafter,
        id,
        &[
            ("file", Some("du-thao-2.pdf"), PDF),
            ("label", None, "Dự thảo 2".as_bytes()),
        ],
    )
    .await;
    assert_eq!(v2.status, StatusCode::CREATED, "{}", v2.body);
    assert_eq!(v2.body["seq"], 2);
    let sha = v2.body["file"]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha, vanban::db::blobs::sha256_hex(PDF));
    assert_eq!(v2.body["file"]["content_type"], "application/pdf");
    // The file's text became the version's text, with its structure.
    let full = app
        .get(
            &format!("/api/v1/versions/{}", v2.body["id"].as_str().unwrap()),
            Some(&drafter),
        )
        .await;
    assert!(
        full.body["body"]
            .as_str()
            .unwrap()
            .contains("Đẩy mạnh cải cách hành chính"),
        "{}",
        full.body["body"]
    );

    let list = app
        .get(&format!("/api/v1/documents/{id}/versions"), Some(&drafter))
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);

    // The original bytes come back with their type and an ETag; If-None-Match → 304.
    let url = format!("/api/v1/versions/{}/file", v2.body["id"].as_str().unwrap());
    let f = app.get(&url, Some(&drafter)).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.bytes, PDF);
    assert_eq!(f.header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(f.etag(), format!("\"{sha}\""));
    let nm = app
        .send(
            test::TestRequest::get()
                .uri(&url)
                .insert_header((header::AUTHORIZATION, format!("Bearer {drafter}")))
                .insert_header((header::IF_NONE_MATCH, format!("\"{sha}\""))),
        )
        .await;
    assert_eq!(nm.status, StatusCode::NOT_MODIFIED);
    // A text-only version has no file.
    app.get(
        &format!("/api/v1/versions/{}/file", v1.body["id"].as_str().unwrap()),
        Some(&drafter),
    )
    .await
    .problem(404);

    // A stored file whose bytes no longer match their hash is never served.
    app.sql(&format!(
        "UPDATE blobs SET size = size + 0, data = {} WHERE sha256 = '{sha}'",
        match b {
            Backend::Sqlite => "X'2550444600'",
            Backend::Postgres => "'\\x2550444600'::bytea",
        }
    ));
    let r = app.get(&url, Some(&drafter)).await;
    r.problem(500);
    assert!(!r.bytes.windows(4).any(|w| w == b"%PDF"));
}
both_backends!(versions_text_files_and_hashes);

async fn uploads_are_checked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Tệp sai").await;
    let id = doc["id"].as_str().unwrap();
    // Not a PDF or DOCX, whatever its name says.
    upload(
        &app,
        &drafter,
        id,
        &[("file", Some("virus.pdf"), b"MZ\x90\x00 not a pdf")],
    )
    .await
    .problem(415);
    // Too large (the test limit is 256 KiB).
    let big = [PDF, &vec![b'x'; 300 * 1024]].concat();
    upload(&app, &drafter, id, &[("file", Some("big.pdf"), &big)])
        .await
        .problem(413);
    // No file part, unknown part, text that is not UTF-8.
    upload(&app, &drafter, id, &[("label", None, b"x")])
        .await
        .problem(422);
    upload(
        &app,
        &drafter,
        id,
        &[("file", Some("a.pdf"), PDF), ("colour", None, b"red")],
    )
    .await
    .problem(422);
    upload(
        &app,
        &drafter,
        id,
        &[("file", Some("a.pdf"), PDF), ("label", None, b"\xff\xfe")],
    )
    .await
    .problem(422);
    // A damaged PDF is refused when it is uploaded.
    upload(
        &app,
        &drafter,
        id,
        &[("file", Some("cut.pdf"), &PDF[..PDF.len() / 2])],
    )
    .await
    .problem(422);
    // A DOCX is accepted by its bytes, and its text extracted.
    let docx: &[u8] = include_bytes!("../fixtures/lo-liberation-serif.docx");
    let r = upload(&app, &drafter, id, &[("file", Some("a.docx"), docx)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.body["file"]["content_type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    // Neither text nor file; another content type.
    app.post(
        &format!("/api/v1/documents/{id}/versions"),
        Some(&drafter),
        json!({"label": "empty"}),
    )
    .await
    .problem(422);
    let r = app
        .send(
            test::TestRequest::post()
                .uri(&format!("/api/v1/documents/{id}/versions"))
                .insert_header((header::AUTHORIZATION, format!("Bearer {drafter}")))
                .insert_header((header::CONTENT_TYPE, "text/plain"))
                .set_payload("Điều 1."),
        )
        .await;
    r.problem(415);
}
both_backends!(uploads_are_checked);

async fn approved_versions_are_immutable(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let approver = app.login("approver").await;
    let doc = app.draft(&drafter, "Bất biến").await;
    let id = doc["id"].as_str().unwrap();
    let v = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({"body": "Điều 1. A\nNội dung."}),
        )
        .await;
    let vid = v.body["id"].as_str().unwrap().to_owned();
    let vpath = format!("/api/v1/versions/{vid}");

    // Editable while unapproved, with If-Match.
    let got = app.get(&vpath, Some(&drafter)).await;
    assert_eq!(got.body["body"], "Điều 1. A\nNội dung.");
    app.patch(&vpath, &drafter, None, json!({"label": "x"}))
        .await
        .problem(428);
    let e = app
        .patch(
            &vpath,
            &drafter,
            Some(&got.etag()),
            json!({"body": "Điều 1. B\nNội dung mới."}),
        )
        .await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.body);
    app.patch(
        &vpath,
        &drafter,
        Some(&got.etag()),
        json!({"label": "stale"}),
    )
    .await
    .problem(412);

    // Only an approver approves, never the author, and only once.
    app.post(&format!("{vpath}/approve"), Some(&drafter), json!({}))
        .await
        .problem(403);
    let ok = app
        .post(&format!("{vpath}/approve"), Some(&approver), json!({}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["immutable"], true);
    let again = app
        .post(&format!("{vpath}/approve"), Some(&approver), json!({}))
        .await;
    assert_eq!(again.problem(409)["guard"], "approved_once");
    let now = app.get(&vpath, Some(&drafter)).await;
    let p = app
        .patch(
            &vpath,
            &drafter,
            Some(&now.etag()),
            json!({"body": "changed"}),
        )
        .await;
    assert_eq!(p.problem(409)["guard"], "approved_versions_are_immutable");
    assert_eq!(
        app.get(&vpath, Some(&drafter)).await.body["body"],
        "Điều 1. B\nNội dung mới."
    );

    // An approver who wrote a version may not approve it.
    let legal = app.login("legal_officer").await;
    let v2 = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&legal),
            json!({"body": "Điều 1. C"}),
        )
        .await;
    assert_eq!(v2.status, StatusCode::CREATED);
    let mut c = app.conn();
    let approver_id = vanban::db::users::by_username(&mut c, "approver")
        .unwrap()
        .unwrap()
        .id;
    drop(c);
    app.sql(&format!(
        "UPDATE versions SET author_id = '{approver_id}' WHERE id = '{}'",
        v2.body["id"].as_str().unwrap()
    ));
    let r = app
        .post(
            &format!(
                "/api/v1/versions/{}/approve",
                v2.body["id"].as_str().unwrap()
            ),
            Some(&approver),
            json!({}),
        )
        .await;
    assert_eq!(r.problem(409)["guard"], "approver_is_not_author");
}
both_backends!(approved_versions_are_immutable);

async fn structure_of_a_version(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Cấu trúc").await;
    let id = doc["id"].as_str().unwrap();
    let text = "QUYẾT ĐỊNH\nCăn cứ Luật Tổ chức chính quyền địa phương;\nChương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\n1. Quy chế này quy định về:\na) Tiếp nhận hồ sơ;\nđ) Trả kết quả.\n2. Theo quy định tại Điều 5 của Luật này.\nĐiều 2. Đối tượng áp dụng\nCơ quan, tổ chức.";
    let v = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({"body": text}),
        )
        .await;
    let s = app
        .get(
            &format!(
                "/api/v1/versions/{}/structure",
                v.body["id"].as_str().unwrap()
            ),
            Some(&drafter),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let paths = collect_paths(&s.body["provisions"]);
    for p in [
        "chuong-i",
        "dieu-1",
        "dieu-1/khoan-1",
        "dieu-1/khoan-1/diem-a",
        "dieu-1/khoan-1/diem-dd",
        "dieu-1/khoan-2",
        "dieu-2",
    ] {
        assert!(paths.contains(&p.to_owned()), "{p} in {paths:?}");
    }
    assert!(
        !paths.iter().any(|p| p.contains("dieu-5")),
        "an article cited in a sentence is not a heading"
    );
}
both_backends!(structure_of_a_version);

pub fn collect_paths(nodes: &serde_json::Value) -> Vec<String> {
    let mut out = vec![];
    for n in nodes.as_array().into_iter().flatten() {
        out.push(n["path"].as_str().unwrap_or_default().to_owned());
        out.extend(collect_paths(&n["children"]));
    }
    out
}
