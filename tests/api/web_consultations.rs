//! The consultation pages: the lists, a draft with its comment forms (form token, rate
//! limit, idempotency), a comment's status page, and the public report after closing.

use actix_web::http::{header, StatusCode};
use actix_web::test;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, Options, Response, TestApp};

/// The demo's open consultation.
async fn demo_consultation(app: &TestApp) -> String {
    let open = app.get("/api/v1/public/consultations", None).await;
    open.body[0]["id"]
        .as_str()
        .expect("the demo's consultation")
        .to_owned()
}

async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> Response {
    let mut req = test::TestRequest::get()
        .uri(path)
        .insert_header((header::ACCEPT, "text/html"));
    if let Some(c) = cookie {
        req = req.insert_header((header::COOKIE, c.to_owned()));
    }
    app.send(req).await
}

fn text(r: &Response) -> String {
    String::from_utf8(r.bytes.clone()).expect("UTF-8 page")
}

/// The value of the hidden input `name` in the form `form_id` of a page.
fn hidden(html: &str, form_id: &str, name: &str) -> String {
    let form = html
        .find(&format!("id=\"{form_id}\""))
        .unwrap_or_else(|| panic!("no form {form_id}"));
    let rest = &html[form..];
    let at = rest
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {form_id}"));
    let value = &rest[at + name.len() + 15..];
    value[..value.find('"').unwrap()].to_owned()
}

/// A browser's visit to a draft page: its form cookie and the page.
struct Visit {
    cookie: String,
    html: String,
}

impl Visit {
    async fn of(app: &TestApp, cid: &str) -> Visit {
        let r = page(app, &format!("/gop-y/{cid}"), None).await;
        assert_eq!(r.status, StatusCode::OK);
        let set = r.header("set-cookie").expect("the form cookie");
        let cookie = set.split(';').next().unwrap().to_owned();
        assert!(cookie.starts_with("vanban_form="), "{cookie}");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        Visit {
            cookie,
            html: text(&r),
        }
    }

    /// The fields of the form `form_id` as rendered, with `fields` added.
    fn fields<'a>(&self, form_id: &str, fields: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = ["form_token", "idempotency_key", "provision_path"]
            .iter()
            .map(|n| (n.to_string(), hidden(&self.html, form_id, n)))
            .collect();
        all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all
    }
}

async fn post_form(
    app: &TestApp,
    cid: &str,
    cookie: Option<&str>,
    fields: &[(String, String)],
) -> Response {
    let mut req = test::TestRequest::post()
        .uri(&format!("/gop-y/{cid}"))
        .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
        .set_payload(serde_urlencoded::to_string(fields).unwrap());
    if let Some(c) = cookie {
        req = req.insert_header((header::COOKIE, c.to_owned()));
    }
    app.send(req).await
}

/// The comments staff see on a consultation.
async fn staff_comments(app: &TestApp, cid: &str) -> Vec<Value> {
    let drafter = app.login("drafter").await;
    let r = app
        .get(
            &format!("/api/v1/consultations/{cid}/comments"),
            Some(&drafter),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The comments this test sent (the demo's own sample comment left aside).
    r.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            !c["author_name"]
                .as_str()
                .unwrap_or("")
                .contains("(dữ liệu mẫu)")
        })
        .cloned()
        .collect()
}

/// Ends the consultation's period (it ran last month).
fn close(app: &TestApp, cid: &str) {
    app.sql(&format!(
        "UPDATE consultations SET opens_on = '2020-01-01', closes_on = '2020-01-31' WHERE id = '{cid}'"
    ));
}

fn quiet(b: Backend) -> Options {
    let _ = b;
    Options {
        demo: true,
        tweak: |s| s.workflow.comments_per_minute = 0,
    }
}

/// `/gop-y` lists what the API lists: the open drafts, then the closed ones with their reports.
async fn the_list_page_shows_what_the_api_lists(b: Backend) {
    let app = TestApp::spawn_with(b, quiet(b)).await;
    let cid = demo_consultation(&app).await;
    let open = app.get("/api/v1/public/consultations", None).await;
    let html = text(&page(&app, "/gop-y", None).await);
    for c in open.body.as_array().unwrap() {
        assert!(html.contains(&format!("href=\"/gop-y/{}\"", c["id"].as_str().unwrap())));
        assert!(html.contains(&c["closes_on"].as_str().unwrap()[8..10]));
    }
    assert!(!html.contains("/bao-cao"));
    let closed = app.get("/api/v1/public/consultations/closed", None).await;
    assert_eq!(closed.body, json!([]));

    close(&app, &cid);
    assert_eq!(
        app.get("/api/v1/public/consultations", None).await.body,
        json!([])
    );
    let closed = app.get("/api/v1/public/consultations/closed", None).await;
    assert_eq!(closed.body[0]["id"], cid.as_str());
    assert_eq!(
        closed.body[0]["report_url"],
        format!("/api/v1/public/consultations/{cid}/report")
    );
    let html = text(&page(&app, "/gop-y", None).await);
    assert!(html.contains(&format!("href=\"/gop-y/{cid}/bao-cao\"")));
    assert!(html.contains("Hiện không có dự thảo nào đang lấy ý kiến"));

    // One that has not opened yet is nowhere, and its pages are 404.
    app.sql(&format!(
        "UPDATE consultations SET opens_on = '2999-01-01', closes_on = '2999-02-01' WHERE id = '{cid}'"
    ));
    assert_eq!(
        app.get("/api/v1/public/consultations/closed", None)
            .await
            .body,
        json!([])
    );
    app.get(&format!("/api/v1/public/consultations/{cid}"), None)
        .await
        .problem(404);
    for p in [format!("/gop-y/{cid}"), format!("/gop-y/{cid}/bao-cao")] {
        assert_eq!(page(&app, &p, None).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        page(&app, "/gop-y/not-an-id", None).await.status,
        StatusCode::NOT_FOUND
    );
}
both_backends!(the_list_page_shows_what_the_api_lists);

/// The draft page shows the API's articles, each anchored with its own form.
async fn the_draft_page_has_a_form_per_article(b: Backend) {
    let app = TestApp::spawn_with(b, quiet(b)).await;
    let cid = demo_consultation(&app).await;
    let api = app
        .get(&format!("/api/v1/public/consultations/{cid}"), None)
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_eq!(api.body["phase"], "open");
    assert_eq!(
        api.body["comments_url"],
        format!("/api/v1/public/consultations/{cid}/comments")
    );
    assert!(api.body["report_url"].is_null());
    let articles = api.body["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 4);
    assert_eq!(articles[0]["path"], "dieu-1");
    assert_eq!(articles[0]["label"], "Điều 1");
    assert_eq!(articles[0]["heading"], "Phạm vi điều chỉnh");
    assert!(api.body["provision_paths"]
        .as_array()
        .unwrap()
        .contains(&json!("dieu-3/khoan-1/diem-a")));

    let v = Visit::of(&app, &cid).await;
    assert_eq!(
        page(&app, &format!("/gop-y/{cid}"), None)
            .await
            .header("cache-control")
            .as_deref(),
        Some("private, no-cache")
    );
    for a in articles {
        let path = a["path"].as_str().unwrap();
        assert!(v
            .html
            .contains(&format!("<article class=\"provision\" id=\"{path}\"")));
        assert_eq!(
            hidden(&v.html, &format!("gy-{path}"), "provision_path"),
            path
        );
    }
    assert_eq!(hidden(&v.html, "gop-y-chung", "provision_path"), "");
    assert!(v
        .html
        .contains("Email của bạn không bao giờ được công khai"));
    assert!(v.html.contains("<label for=\"gy-dieu-1-email\">"));
    // A key per form and per rendering.
    let again = Visit::of(&app, &cid).await;
    assert_ne!(
        hidden(&v.html, "gy-dieu-1", "idempotency_key"),
        hidden(&again.html, "gy-dieu-1", "idempotency_key")
    );
    assert_ne!(
        hidden(&v.html, "gy-dieu-1", "idempotency_key"),
        hidden(&v.html, "gy-dieu-2", "idempotency_key")
    );
}
both_backends!(the_draft_page_has_a_form_per_article);

/// Without the form token, or with a wrong one, a post is refused and takes nothing; a
/// good one takes one comment (a double click none more) and lands on its status page.
async fn a_comment_from_the_form(b: Backend) {
    let app = TestApp::spawn_with(b, quiet(b)).await;
    let cid = demo_consultation(&app).await;
    let v = Visit::of(&app, &cid).await;
    let email = "nguoidan.rieng@example.vn";
    let typed = [
        ("name", "Nguyễn Văn Dân"),
        ("email", email),
        ("organisation", "Hợp tác xã Sơn Bua"),
        ("body", "Đề nghị bổ sung tiếp nhận hồ sơ trực tuyến."),
    ];
    let good = v.fields("gy-dieu-3", &typed);

    // No cookie; the cookie but no token; the cookie and another token; another
    // browser's cookie with this token.
    let refused = [
        post_form(&app, &cid, None, &good).await,
        post_form(
            &app,
            &cid,
            Some(&v.cookie),
            &good
                .iter()
                .filter(|(k, _)| k != "form_token")
                .cloned()
                .collect::<Vec<_>>(),
        )
        .await,
        post_form(
            &app,
            &cid,
            Some(&v.cookie),
            &good
                .iter()
                .map(|(k, val)| {
                    let val = if k == "form_token" {
                        "ab".repeat(32)
                    } else {
                        val.clone()
                    };
                    (k.clone(), val)
                })
                .collect::<Vec<_>>(),
        )
        .await,
        post_form(&app, &cid, Some(&Visit::of(&app, &cid).await.cookie), &good).await,
    ];
    for r in &refused {
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let html = text(r);
        assert!(
            html.contains("biểu mẫu đã hết hạn hoặc không hợp lệ"),
            "{html}"
        );
        // The visitor's text is kept in the form it was typed in.
        assert!(html.contains("Đề nghị bổ sung tiếp nhận hồ sơ trực tuyến."));
    }
    assert!(staff_comments(&app, &cid).await.is_empty());

    let r = post_form(&app, &cid, Some(&v.cookie), &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.header("location").unwrap();
    let code = location.strip_prefix("/y-kien/").unwrap().to_owned();
    assert!(code.starts_with("YK-"), "{code}");
    // A double click: the same comment, not a second one.
    let again = post_form(&app, &cid, Some(&v.cookie), &good).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.header("location").unwrap(), location);
    let taken = staff_comments(&app, &cid).await;
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0]["provision_path"], "dieu-3");
    assert_eq!(taken[0]["author_email"], email);
    assert_eq!(taken[0]["organisation"], "Hợp tác xã Sơn Bua");

    // The same form sent again with other words is not taken under the old key.
    let edited = v.fields(
        "gy-dieu-3",
        &[("name", "Nguyễn Văn Dân"), ("body", "Khác.")],
    );
    let r = post_form(&app, &cid, Some(&v.cookie), &edited).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(text(&r).contains("Một ý kiến khác đã được gửi từ biểu mẫu này"));
    assert_eq!(staff_comments(&app, &cid).await.len(), 1);

    // The status page shows the code, the status, and never the email.
    let status = page(&app, &location, None).await;
    assert_eq!(status.status, StatusCode::OK);
    let html = text(&status);
    assert!(html.contains(&format!("<code>{code}</code>")));
    assert!(html.contains("Chờ duyệt"));
    assert!(html.contains("Điều 3"));
    assert!(!html.contains(email));
    assert!(!text(&page(&app, &format!("/gop-y/{cid}"), None).await).contains(email));
    assert_eq!(
        page(&app, "/y-kien/YK-NONE-NONE", None).await.status,
        StatusCode::NOT_FOUND
    );

    // A post that is not a form.
    let r = app
        .send(
            test::TestRequest::post()
                .uri(&format!("/gop-y/{cid}"))
                .insert_header((header::COOKIE, v.cookie.clone()))
                .set_json(json!({"name": "A", "body": "B"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(staff_comments(&app, &cid).await.len(), 1);
}
both_backends!(a_comment_from_the_form);

/// Invalid input comes back on the draft page with 422, the message next to the field
/// and what was typed kept, escaped.
async fn invalid_input_is_shown_next_to_the_field(b: Backend) {
    let app = TestApp::spawn_with(b, quiet(b)).await;
    let cid = demo_consultation(&app).await;
    let v = Visit::of(&app, &cid).await;
    let fields = v.fields(
        "gy-dieu-2",
        &[("name", "  "), ("body", "<script>alert(1)</script>")],
    );
    let r = post_form(&app, &cid, Some(&v.cookie), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(&r);
    assert!(html.contains("id=\"gy-dieu-2-name-error\""), "{html}");
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"gy-dieu-2-name-error\""));
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;</textarea>"));
    assert!(!html.contains("<script>alert(1)"));

    let fields = v.fields(
        "gy-dieu-1",
        &[
            ("name", "An"),
            ("email", "không-phải-email"),
            ("body", "Ý kiến."),
        ],
    );
    let r = post_form(&app, &cid, Some(&v.cookie), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("id=\"gy-dieu-1-email-error\""));

    // A provision the draft does not have.
    let mut fields = v.fields("gy-dieu-1", &[("name", "An"), ("body", "Ý kiến.")]);
    fields.retain(|(k, _)| k != "provision_path");
    fields.push(("provision_path".into(), "dieu-99".into()));
    let r = post_form(&app, &cid, Some(&v.cookie), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("Điều được góp ý không có trong dự thảo này"));
    assert!(staff_comments(&app, &cid).await.is_empty());
}
both_backends!(invalid_input_is_shown_next_to_the_field);

/// The form and the API share the public comment rate limit.
async fn the_form_is_rate_limited_like_the_api(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            demo: true,
            tweak: |s| s.workflow.comments_per_minute = 1,
        },
    )
    .await;
    let cid = demo_consultation(&app).await;
    let v = Visit::of(&app, &cid).await;
    let first = v.fields("gop-y-chung", &[("name", "An"), ("body", "Một.")]);
    assert_eq!(
        post_form(&app, &cid, Some(&v.cookie), &first).await.status,
        StatusCode::SEE_OTHER
    );
    let second = v.fields("gy-dieu-1", &[("name", "An"), ("body", "Hai.")]);
    let r = post_form(&app, &cid, Some(&v.cookie), &second).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
    assert!(text(&r).contains("Quá nhiều yêu cầu"));
    app.post(
        &format!("/api/v1/public/consultations/{cid}/comments"),
        None,
        json!({"name": "An", "body": "Ba."}),
    )
    .await
    .problem(429);
    assert_eq!(staff_comments(&app, &cid).await.len(), 1);
}
both_backends!(the_form_is_rate_limited_like_the_api);

/// The public report: nothing before closing; after, per article only the published
/// comments with their dispositions, never an email or a tracking code.
async fn the_public_report_after_closing(b: Backend) {
    let app = TestApp::spawn_with(b, quiet(b)).await;
    let cid = demo_consultation(&app).await;
    let drafter = app.login("drafter").await;
    let report_page = format!("/gop-y/{cid}/bao-cao");
    let report_api = format!("/api/v1/public/consultations/{cid}/report");
    let r = page(&app, &report_page, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(text(&r).contains("sau khi kết thúc lấy ý kiến"));
    assert_eq!(
        app.get(&report_api, None).await.problem(409)["guard"],
        "consultation_closed"
    );

    let submit = |body: Value| {
        let path = format!("/api/v1/public/consultations/{cid}/comments");
        let app = &app;
        async move {
            let r = app.post(&path, None, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["tracking_code"].as_str().unwrap().to_owned()
        }
    };
    let kept = submit(json!({"name": "Lê Thị Hoa", "email": "hoa.rieng@example.vn", "organisation": "Hội Nông dân xã", "provision_path": "dieu-2/khoan-1", "body": "<script>alert(1)</script> nên nêu rõ lệ phí."})).await;
    let general = submit(json!({"name": "Phạm Minh", "body": "Đồng ý với toàn bộ dự thảo."})).await;
    let spam = submit(
        json!({"name": "Quảng cáo", "email": "spam@example.vn", "body": "Mua ngay hàng giảm giá"}),
    )
    .await;
    let pending = submit(
        json!({"name": "Chưa duyệt", "provision_path": "dieu-1", "body": "Ý kiến chưa được duyệt"}),
    )
    .await;
    let staff = staff_comments(&app, &cid).await;
    let id_of = |code: &str| {
        staff.iter().find(|c| c["tracking_code"] == code).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let act = |path: String, body: Value| {
        let (app, drafter) = (&app, &drafter);
        async move {
            let r = app.post(&path, Some(drafter), body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    };
    for (code, action) in [(&kept, "publish"), (&general, "publish"), (&spam, "reject")] {
        act(
            format!("/api/v1/comments/{}/moderation", id_of(code)),
            json!({"action": action, "reason": "quảng cáo"}),
        )
        .await;
    }
    act(
        format!("/api/v1/comments/{}/disposition", id_of(&kept)),
        json!({"disposition": "partially_accepted", "response": "Bổ sung mức lệ phí tại Điều 2."}),
    )
    .await;
    act(
        format!("/api/v1/comments/{}/disposition", id_of(&general)),
        json!({"disposition": "accepted", "response": "Xin cảm ơn."}),
    )
    .await;
    // Before closing, the status page already shows the answer.
    let html = text(&page(&app, &format!("/y-kien/{kept}"), None).await);
    assert!(html.contains("Tiếp thu một phần") && html.contains("Bổ sung mức lệ phí"));
    assert!(html.contains("&#60;script&#62;") && !html.contains("<script>alert"));
    assert!(!html.contains("hoa.rieng@example.vn"));

    close(&app, &cid);
    let r = app.get(&report_api, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let totals = &r.body["totals"];
    assert_eq!(
        (
            &totals["received"],
            &totals["published"],
            &totals["rejected"],
            &totals["pending"],
            &totals["accepted"],
            &totals["partially_accepted"]
        ),
        // The four comments of this test, and the demo's sample comment (still pending).
        (
            &json!(5),
            &json!(2),
            &json!(1),
            &json!(2),
            &json!(1),
            &json!(1)
        )
    );
    let articles = r.body["articles"].as_array().unwrap();
    assert!(articles[0]["path"].is_null());
    assert_eq!(articles[0]["comments"][0]["author_name"], "Phạm Minh");
    assert_eq!(
        articles[0]["comments"][0]["disposition_label_vi"],
        "Tiếp thu"
    );
    let d2 = articles.iter().find(|a| a["path"] == "dieu-2").unwrap();
    assert_eq!(d2["comments"].as_array().unwrap().len(), 1);
    assert_eq!(d2["comments"][0]["organisation"], "Hội Nông dân xã");
    assert_eq!(d2["comments"][0]["disposition"], "partially_accepted");
    let d1 = articles.iter().find(|a| a["path"] == "dieu-1").unwrap();
    assert_eq!(d1["comments"], json!([]));
    let raw = String::from_utf8(r.bytes.clone()).unwrap();
    for secret in [
        "example.vn",
        "tracking_code",
        "author_email",
        &kept,
        &spam,
        &pending,
        "Mua ngay",
        "Ý kiến chưa được duyệt",
    ] {
        assert!(!raw.contains(secret), "{secret} in {raw}");
    }

    let r = page(&app, &report_page, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = text(&r);
    for shown in [
        "Lê Thị Hoa",
        "Hội Nông dân xã",
        "Tiếp thu một phần",
        "Bổ sung mức lệ phí tại Điều 2.",
        "Phạm Minh",
        "Điều 2. Nguyên tắc thực hiện",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
    ] {
        assert!(html.contains(shown), "{shown} not in the report");
    }
    for secret in [
        "example.vn",
        &kept,
        &general,
        &spam,
        &pending,
        "Mua ngay",
        "Ý kiến chưa được duyệt",
        "<script>alert",
    ] {
        assert!(!html.contains(secret), "{secret} in the report page");
    }

    // The closed draft: its text, no form, a link to the report; a post is refused.
    let api = app
        .get(&format!("/api/v1/public/consultations/{cid}"), None)
        .await;
    assert_eq!(api.body["phase"], "closed");
    assert!(api.body["comments_url"].is_null() && api.body["file_url"].is_null());
    assert_eq!(api.body["report_url"], report_api.as_str());
    let v = page(&app, &format!("/gop-y/{cid}"), None).await;
    let html = text(&v);
    assert!(html.contains(&format!("href=\"{report_page}\"")));
    assert!(!html.contains("<form class=\"comment-form\""));
    assert!(!html.contains("example.vn"));
    let cookie = v
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = {
        // The token is the page's for this cookie; an open page rendered it.
        let keys = vanban::auth::token::TokenKeys::new(crate::helpers::SECRET, 60);
        let key = vanban::web::csrf::FormKey::of(&keys);
        key.token(cookie.trim_start_matches("vanban_form="))
    };
    let fields: Vec<(String, String)> = [
        ("form_token", token.as_str()),
        ("name", "Muộn"),
        ("body", "Gửi sau hạn."),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let r = post_form(&app, &cid, Some(&cookie), &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(text(&r).contains("Dự thảo đã hết thời gian lấy ý kiến"));
    assert_eq!(staff_comments(&app, &cid).await.len(), 4);
}
both_backends!(the_public_report_after_closing);
