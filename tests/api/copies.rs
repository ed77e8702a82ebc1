use std::io::Write;
use std::time::{Duration, Instant};

use actix_web::http::{header, StatusCode};
use actix_web::test;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use vanban::pdf::testing;

const FIXTURE: &[u8] = include_bytes!("../fixtures/libreoffice-de-an.pdf");

pub fn pdftotext(pdf: &[u8]) -> String {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(pdf).expect("write");
    let out = std::process::Command::new("pdftotext")
        .arg(f.path())
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is required");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn upload_pdf(
    app: &TestApp,
    token: &str,
    doc: &str,
    data: &[u8],
) -> crate::helpers::Response {
    upload_pdf_with_text(app, token, doc, data, None).await
}

/// Uploads `data` as the version's file, with the version's text beside it when given.
async fn upload_pdf_with_text(
    app: &TestApp,
    token: &str,
    doc: &str,
    data: &[u8],
    text: Option<&str>,
) -> crate::helpers::Response {
    let boundary = "b0undary";
    let mut body = Vec::new();
    if let Some(text) = text {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n{text}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.send(
        test::TestRequest::post()
            .uri(&format!("/api/v1/documents/{doc}/versions"))
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            .insert_header((
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .set_payload(body),
    )
    .await
}

async fn stamped_copies_and_verification(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let legal = app.login("legal_officer").await;

    // A draft typed in: rendered, stamped as a draft, verifiable.
    let doc = app
        .draft(&drafter, "Quyết định về cải cách hành chính")
        .await;
    let id = doc["id"].as_str().unwrap();
    let v = app
        .post(&format!("/api/v1/documents/{id}/versions"), Some(&drafter), json!({"label": "Dự thảo 2", "body": "Điều 1. Phạm vi điều chỉnh\nQuy định về một cửa liên thông."}))
        .await;
    let vid = v.body["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/versions/{vid}/pdf"), Some(&drafter))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some("application/pdf"));
    let text = pdftotext(&r.bytes);
    assert!(text.contains("DỰ THẢO"), "{text}");
    assert!(text.contains("Dự thảo 2"));
    assert!(text.contains("Trang 1/1"));
    let code = r.header("x-verification-code").expect("code");
    assert!(text.contains(&code));
    let ver = app.get(&format!("/api/v1/verify/{code}"), None).await;
    assert_eq!(ver.status, StatusCode::OK);
    assert_eq!(ver.body["stamp"], "draft");
    assert_eq!(ver.body["source_intact"], true);
    assert_eq!(ver.body["version_id"], vid);
    app.get("/api/v1/verify/NOSUCHCODE", None)
        .await
        .problem(404);
    // Downloading it again prints the same code and issues nothing new.
    let again = app
        .get(
            &format!("/api/v1/versions/{vid}/pdf?stamp=draft"),
            Some(&drafter),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.header("x-verification-code"), Some(code.clone()));
    // A draft has no official copy, and nobody mints controlled copies here: they are
    // issued through ISO distribution, numbered, to their recipients.
    let r = app
        .get(
            &format!("/api/v1/versions/{vid}/pdf?stamp=official"),
            Some(&drafter),
        )
        .await;
    assert_eq!(r.problem(409)["guard"], "stamp_matches_state");
    for query in [
        "stamp=controlled_copy",
        "stamp=controlled_copy&copy_no=3&recipient=Ph%C3%B2ng%20T%C6%B0%20ph%C3%A1p",
        "copy_no=1",
    ] {
        let r = app
            .get(
                &format!("/api/v1/versions/{vid}/pdf?{query}"),
                Some(&drafter),
            )
            .await;
        assert_eq!(
            r.problem(409)["guard"],
            "controlled_copies_through_distribution",
            "{query}"
        );
    }
    // The public does not get a draft.
    app.get(&format!("/api/v1/versions/{vid}/pdf"), None)
        .await
        .problem(404);

    // An uploaded PDF is never rewritten: the original is a prefix of the stamped copy.
    let up = upload_pdf(&app, &drafter, id, FIXTURE).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let uid = up.body["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/versions/{uid}/pdf"), Some(&drafter))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.bytes.len() > FIXTURE.len());
    assert_eq!(&r.bytes[..FIXTURE.len()], FIXTURE);
    let text = pdftotext(&r.bytes);
    assert!(text.contains("Trang 3/3"), "{text}");

    // A document no longer in force is stamped so, and nothing else.
    let d14 = app.id_of("14/2008/NĐ-CP").await;
    let v14 = app
        .post(
            &format!("/api/v1/documents/{d14}/versions"),
            Some(&legal),
            json!({"body": "Điều 1. Cơ quan chuyên môn"}),
        )
        .await;
    assert_eq!(v14.status, StatusCode::CREATED, "{}", v14.body);
    let v14 = v14.body["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/versions/{v14}/pdf?stamp=official"), None)
        .await;
    assert_eq!(r.problem(409)["guard"], "stamp_matches_state");
    let r = app.get(&format!("/api/v1/versions/{v14}/pdf"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = pdftotext(&r.bytes);
    assert!(text.contains("HẾT HIỆU LỰC"), "{text}");
    assert!(text.contains("37/2014/NĐ-CP"), "what replaced it: {text}");
    let code = r.header("x-verification-code").unwrap();
    let ver = app.get(&format!("/api/v1/verify/{code}"), None).await;
    assert_eq!(ver.body["in_force"], false);
    assert_eq!(ver.body["legal_effect"], "expired");
}
both_backends!(stamped_copies_and_verification);

async fn damaged_pdfs_are_client_errors(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Tệp hỏng").await;
    let id = doc["id"].as_str().unwrap();
    for (what, data) in [
        ("truncated", FIXTURE[..FIXTURE.len() / 2].to_vec()),
        ("encrypted", encrypted_fixture()),
        (
            "garbage after the header",
            [b"%PDF-1.7\n".as_slice(), &[0u8; 2048]].concat(),
        ),
    ] {
        // Refused when uploaded, with a problem naming the file.
        let up = upload_pdf(&app, &drafter, id, &data).await;
        assert!(up.status.is_client_error(), "{what}: {}", up.status);
        assert_eq!(
            up.problem(up.status.as_u16())["errors"][0]["field"],
            "file",
            "{what}"
        );
    }
}
both_backends!(damaged_pdfs_are_client_errors);

fn encrypted_fixture() -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inp, out) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::write(&inp, FIXTURE).expect("write");
    let st = std::process::Command::new("qpdf")
        .args(["--encrypt", "user-pw", "owner-pw", "256", "--"])
        .arg(&inp)
        .arg(&out)
        .status()
        .expect("qpdf is required");
    assert!(st.success());
    std::fs::read(out).expect("encrypted file")
}

/// A well-formed PDF without pages, and a decompression bomb (a few KB whose content stream
/// inflates far past the extraction cap): refused when uploaded, with or without the text sent
/// beside them, promptly and with a problem naming the file. Such a file stored anyway (by an
/// import, or before uploads were checked) is stamped or refused, never a 500; and the server
/// still answers afterwards.
async fn empty_and_inflating_pdfs_are_client_errors(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Tệp rỗng và tệp nén").await;
    let id = doc["id"].as_str().unwrap();
    let max = vanban::pdf::Limits::default().max_decoded_bytes;
    let bomb = testing::decompression_bomb(4 * max).unwrap();
    assert!(bomb.len() < 16 * 1024, "{}", bomb.len());
    for (what, data, says) in [
        (
            "zero pages",
            testing::zero_pages().unwrap(),
            "the PDF has no pages".to_string(),
        ),
        (
            "decompression bomb",
            bomb,
            format!("the PDF's content inflates to more than {max} bytes"),
        ),
    ] {
        for text in [None, Some("Điều 1. Phạm vi điều chỉnh")] {
            let started = Instant::now();
            let up = upload_pdf_with_text(&app, &drafter, id, &data, text).await;
            assert!(
                up.status.is_client_error(),
                "{what}, text {text:?}: {} {}",
                up.status,
                up.body
            );
            let problem = up.problem(422);
            assert_eq!(problem["title"], "The request has invalid fields", "{what}");
            assert_eq!(problem["errors"][0]["field"], "file", "{what}");
            assert_eq!(problem["detail"], format!("file: {says}"), "{what}");
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{what}: {:?}",
                started.elapsed()
            );
        }

        let vid = stored_anyway(&app, id, &data);
        let r = app
            .get(&format!("/api/v1/versions/{vid}/pdf"), Some(&drafter))
            .await;
        if what == "zero pages" {
            // A stored file that cannot be stamped is the document's defect: 409, never a
            // 5xx and never a 422 about a request that was well formed.
            let problem = r.problem(409);
            assert_eq!(problem["guard"], "stored_file_readable", "{what}");
            assert!(
                problem["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains(says.as_str())),
                "{what}: {problem}"
            );
        } else {
            // Stamping appends to the file without inflating its pages' content.
            assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.body);
            assert_eq!(&r.bytes[..data.len()], &data[..], "{what}");
        }
    }

    // The server still answers, and still takes a good file.
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    let up = upload_pdf(&app, &drafter, id, FIXTURE).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
}
both_backends!(empty_and_inflating_pdfs_are_client_errors);

/// A version whose file was stored without the upload's checks; returns its id.
fn stored_anyway(app: &TestApp, document_id: &str, data: &[u8]) -> String {
    use vanban::service::versions::{insert_version, NewVersion, Upload, PDF};
    let mut conn = app.conn();
    let doc = vanban::db::documents::get(&mut conn, document_id).expect("the document");
    vanban::db::write_transaction(&mut conn, |tx| {
        insert_version(
            tx,
            &vanban::db::audit::Actor::system(),
            &doc,
            NewVersion {
                body: Some("Điều 1. Phạm vi điều chỉnh".into()),
                upload: Some(Upload {
                    content_type: PDF.into(),
                    file_name: Some("imported.pdf".into()),
                    data: data.to_vec(),
                }),
                ..Default::default()
            },
        )
    })
    .expect("the version is stored")
    .id
}

async fn oversize_pdfs_are_refused(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        crate::helpers::Options {
            demo: true,
            tweak: |s| s.pdf.max_bytes = 20_000,
        },
    )
    .await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Tệp bị khóa").await;
    let id = doc["id"].as_str().unwrap();
    // Over the configured PDF size (the fixture is about 33 KB): 413.
    upload_pdf(&app, &drafter, id, FIXTURE).await.problem(413);
}
both_backends!(oversize_pdfs_are_refused);

/// More pages than `[pdf] max_pages`, or content inflating past `max_decoded_bytes`, as
/// configured: refused, and the same files pass under the default limits.
async fn pdfs_over_the_configured_page_and_inflation_limits(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        crate::helpers::Options {
            demo: true,
            tweak: |s| {
                s.pdf.max_pages = 5;
                s.pdf.max_decoded_bytes = 1 << 20;
            },
        },
    )
    .await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Tệp nhiều trang").await;
    let id = doc["id"].as_str().unwrap();
    let long = testing::rendered(6).unwrap();
    let r = upload_pdf(&app, &drafter, id, &long).await;
    let p = r.problem(413);
    assert!(p["detail"].as_str().unwrap().contains("6 pages"), "{p}");
    let inflating = testing::decompression_bomb(2 << 20).unwrap();
    let r = upload_pdf(&app, &drafter, id, &inflating).await;
    let p = r.problem(422);
    assert!(
        p["detail"].as_str().unwrap().contains("1048576 bytes"),
        "{p}"
    );
    let five = testing::rendered(5).unwrap();
    let up = upload_pdf(&app, &drafter, id, &five).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);

    let roomy = TestApp::spawn(b).await;
    let drafter = roomy.login("drafter").await;
    let doc = roomy.draft(&drafter, "Tệp nhiều trang").await;
    let id = doc["id"].as_str().unwrap();
    let up = upload_pdf(&roomy, &drafter, id, &long).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
}
both_backends!(pdfs_over_the_configured_page_and_inflation_limits);

/// Everyone gets the stamp the state calls for, and a copy's code is stable: the published
/// plan (no number, no date) has an official copy printing what it has, the public cannot
/// mint "expired" or "draft" copies of it, and downloading it again writes nothing.
async fn the_state_decides_the_stamp_for_everyone(b: Backend) {
    let app = TestApp::spawn(b).await;
    let list = app
        .get("/api/v1/documents?kind=scheme&limit=10", None)
        .await;
    let plan = list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|d| d["number"].is_null() && d["state"] == "published")
        .expect("the published plan")
        .clone();
    let plan_id = plan["id"].as_str().unwrap();
    let versions = app
        .get(&format!("/api/v1/documents/{plan_id}/versions"), None)
        .await;
    let vid = versions.body[0]["id"]
        .as_str()
        .or_else(|| versions.body["items"][0]["id"].as_str())
        .expect("a version")
        .to_owned();
    let r = app.get(&format!("/api/v1/versions/{vid}/pdf"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = pdftotext(&r.bytes);
    assert!(text.contains("BẢN CHÍNH THỨC"), "{text}");
    assert!(!text.contains("Số:"), "no number to print: {text}");
    let code = r.header("x-verification-code").expect("code");
    let count = |app: &TestApp| {
        use diesel::prelude::*;
        use vanban::db::schema::{audit_log, verifications};
        let mut c = app.conn();
        let v: i64 = verifications::table.count().get_result(&mut *c).unwrap();
        let a: i64 = audit_log::table.count().get_result(&mut *c).unwrap();
        (v, a)
    };
    let before = count(&app);
    let legal = app.login("legal_officer").await;
    for token in [None, None, Some(legal.as_str())] {
        let again = app
            .get(&format!("/api/v1/versions/{vid}/pdf?stamp=official"), token)
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.header("x-verification-code"), Some(code.clone()));
    }
    assert_eq!(count(&app), before, "repeated downloads write nothing");
    // A stamp that disagrees with the state is refused, for the public and for staff.
    for token in [None, Some(legal.as_str())] {
        for query in ["stamp=expired", "stamp=draft"] {
            let r = app
                .get(&format!("/api/v1/versions/{vid}/pdf?{query}"), token)
                .await;
            assert_eq!(r.problem(409)["guard"], "stamp_matches_state", "{query}");
        }
        let r = app
            .get(
                &format!("/api/v1/versions/{vid}/pdf?stamp=controlled_copy&copy_no=1&recipient=X"),
                token,
            )
            .await;
        assert_eq!(
            r.problem(409)["guard"],
            "controlled_copies_through_distribution"
        );
    }
    assert_eq!(count(&app), before, "refusals write nothing");
    let ver = app.get(&format!("/api/v1/verify/{code}"), None).await;
    assert_eq!(ver.body["stamp"], "official");
    assert_eq!(ver.body["in_force"], true);
}
both_backends!(the_state_decides_the_stamp_for_everyone);
