//! The public pages over HTTP: HTML with its security headers and caching, the same
//! visibility as the API for the same caller, escaping, legal effect by date, copy
//! verification by `Accept`, and error pages. The browser scenarios are tests/browser.

use actix_web::http::header;
use actix_web::test;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, Response, TestApp};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// A page as a browser asks for it (with a bearer token when given).
async fn page(app: &TestApp, path: &str, token: Option<&str>) -> Response {
    let mut req = test::TestRequest::get()
        .uri(path)
        .insert_header((header::ACCEPT, BROWSER));
    if let Some(t) = token {
        req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
    }
    app.send(req).await
}

fn text(r: &Response) -> String {
    String::from_utf8_lossy(&r.bytes).into_owned()
}

#[track_caller]
fn is_page(r: &Response, status: u16) -> String {
    let body = text(r);
    assert_eq!(r.status.as_u16(), status, "{body}");
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(body.starts_with("<!doctype html>"), "{body}");
    assert!(body.contains(r#"<html lang="vi">"#));
    body
}

async fn pages_are_html_with_their_security_headers_and_validators(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_id(&app).await;
    for path in [
        "/".to_owned(),
        "/tim-kiem".to_owned(),
        "/tim-kiem?q=thoi+han+giai+quyet".to_owned(),
        format!("/van-ban/{plan}"),
        "/xac-minh".to_owned(),
        "/he-thong-hoa?issuer=UBND&year=2016".to_owned(),
        "/tai-lieu-api".to_owned(),
    ] {
        let r = page(&app, &path, None).await;
        is_page(&r, 200);
        let csp = r.header("content-security-policy").expect("a CSP");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        let etag = r.etag();
        let again = app
            .send(
                test::TestRequest::get()
                    .uri(&path)
                    .insert_header((header::ACCEPT, BROWSER))
                    .insert_header((header::IF_NONE_MATCH, etag.clone())),
            )
            .await;
        assert_eq!(again.status.as_u16(), 304, "{path}");
        assert!(again.bytes.is_empty());
    }
    // The assets the pages name are served, cacheable under their hash.
    let home = text(&page(&app, "/", None).await);
    for asset in ["site.css", "site.js"] {
        let start = home.find("/assets/").expect("an asset");
        let href = home[start..]
            .split('"')
            .next()
            .map(str::to_owned)
            .filter(|h| h.ends_with(asset))
            .or_else(|| {
                home.match_indices("/assets/")
                    .map(|(i, _)| home[i..].split('"').next().unwrap_or("").to_owned())
                    .find(|h| h.ends_with(asset))
            })
            .expect("the asset's address");
        let r = app.get(&href, None).await;
        r.status_is(200);
        assert!(r
            .header("cache-control")
            .is_some_and(|c| c.contains("immutable")));
    }
}
both_backends!(pages_are_html_with_their_security_headers_and_validators);

async fn plan_id(app: &TestApp) -> String {
    let r = app
        .get(
            "/api/v1/search?q=c%E1%BA%A3i+c%C3%A1ch+h%C3%A0nh+ch%C3%ADnh&granularity=document",
            None,
        )
        .await;
    r.status_is(200);
    r.body["hits"][0]["document_id"]
        .as_str()
        .expect("the plan")
        .to_owned()
}

async fn errors_are_pages_for_a_browser_and_problems_for_a_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = is_page(&page(&app, "/khong-co-trang-nay", None).await, 404);
    assert!(body.contains("Không tìm thấy trang"));
    app.get("/khong-co-trang-nay", None).await.problem(404);
    // Under /api/v1 a browser still gets the API's problem, but for the verify page.
    let r = page(&app, "/api/v1/khong-co", None).await;
    r.problem(404);
    is_page(&page(&app, "/van-ban/khong-phai-ma", None).await, 404);
    is_page(
        &page(&app, "/van-ban/00000000-0000-4000-8000-000000000000", None).await,
        404,
    );
    // A visitor's mistake is a 4xx page that says what is wrong, never a 500.
    let body = is_page(&page(&app, "/tim-kiem?q=a&year=hai-nghin", None).await, 422);
    assert!(body.contains("năm gồm bốn chữ số"), "{body}");
    // An issuer that issued nothing public: no hits, as the API answers.
    let none = is_page(
        &page(&app, "/tim-kiem?q=a&issuer=KHONG-CO", None).await,
        200,
    );
    assert!(none.contains("Không tìm thấy kết quả nào"), "{none}");
    is_page(
        &page(
            &app,
            "/van-ban/{}?ngay=31-12-2020"
                .replace("{}", &plan_id(&app).await)
                .as_str(),
            None,
        )
        .await,
        422,
    );
    is_page(
        &page(&app, "/he-thong-hoa?issuer=UBND&year=abc", None).await,
        422,
    );
    is_page(
        &page(&app, "/he-thong-hoa?issuer=UBND&year=1800", None).await,
        422,
    );
    is_page(&page(&app, "/tim-kiem?q=a&q=b", None).await, 400);
}
both_backends!(errors_are_pages_for_a_browser_and_problems_for_a_client);

async fn what_is_typed_comes_back_escaped(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = is_page(
        &page(
            &app,
            "/tim-kiem?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22+onfocus%3D%22x",
            None,
        )
        .await,
        200,
    );
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(!body.contains("\" onfocus=\"x"), "{body}");
    assert!(body.contains("&#60;script&#62;") || body.contains("&lt;script&gt;"));
}
both_backends!(what_is_typed_comes_back_escaped);

async fn a_page_shows_what_the_api_shows_the_same_caller(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let drafter = app.login("drafter").await;
    let draft = app
        .draft(&drafter, "Quy định thử nghiệm zyxwvq về chợ phiên")
        .await;
    let id = draft["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/documents/{id}/versions"),
        Some(&drafter),
        json!({"label": "Dự thảo 1", "body": "Điều 1. Phạm vi\nChợ phiên zyxwvq họp ngày rằm."}),
    )
    .await
    .status_is(201);
    // Let the index follow the write.
    let mut seen = false;
    for _ in 0..100 {
        let r = app.get("/api/v1/search?q=zyxwvq", Some(&drafter)).await;
        if r.body["total"].as_u64().unwrap_or(0) > 0 {
            seen = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen, "the draft is searchable by its drafter");
    // Anonymous: the API finds nothing, and neither does the page; the draft's page is a 404.
    let api = app.get("/api/v1/search?q=zyxwvq", None).await;
    assert_eq!(api.body["total"], 0);
    let anon = is_page(&page(&app, "/tim-kiem?q=zyxwvq", None).await, 200);
    assert!(!anon.contains(id), "{anon}");
    assert!(anon.contains("Không tìm thấy kết quả nào"));
    is_page(&page(&app, &format!("/van-ban/{id}"), None).await, 404);
    let home = is_page(&page(&app, "/", None).await, 200);
    assert!(!home.contains(id));
    // The drafter, with the same token the API takes, sees the same as through the API.
    let mine = is_page(&page(&app, "/tim-kiem?q=zyxwvq", Some(&drafter)).await, 200);
    assert!(mine.contains(&format!("/van-ban/{id}")), "{mine}");
    let doc = is_page(
        &page(&app, &format!("/van-ban/{id}"), Some(&drafter)).await,
        200,
    );
    assert!(doc.contains("zyxwvq"));
    assert!(
        doc.contains(r#"id="dieu-1""#),
        "the article is anchored: {doc}"
    );
}
both_backends!(a_page_shows_what_the_api_shows_the_same_caller);

async fn filters_and_facets_narrow_as_the_api_does(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let all = app
        .get("/api/v1/search?q=quy+dinh&granularity=document", None)
        .await;
    let decisions = app
        .get(
            "/api/v1/search?q=quy+dinh&granularity=document&kind=decision",
            None,
        )
        .await;
    let n_all = all.body["total"].as_u64().unwrap();
    let n_dec = decisions.body["total"].as_u64().unwrap();
    assert!(n_dec > 0 && n_dec < n_all, "{n_dec} of {n_all}");
    let body = is_page(
        &page(&app, "/tim-kiem?q=quy+dinh&xem=van-ban", None).await,
        200,
    );
    assert!(body.contains(&format!("{n_all} kết quả")), "{body}");
    // The kind facet links to the narrowed search, which counts what the API counts.
    assert!(body.contains("kind=decision"), "{body}");
    let narrowed = is_page(
        &page(&app, "/tim-kiem?q=quy+dinh&xem=van-ban&kind=decision", None).await,
        200,
    );
    assert!(narrowed.contains(&format!("{n_dec} kết quả")), "{narrowed}");
    // An issuer is chosen by its code, as the facets name it.
    let ubnd = is_page(
        &page(&app, "/tim-kiem?q=quy+dinh&xem=van-ban&issuer=UBND", None).await,
        200,
    );
    assert!(ubnd.contains("kết quả"));
    // Without diacritics the plan is still the first hit.
    let plan = plan_id(&app).await;
    let folded = is_page(
        &page(&app, "/tim-kiem?q=cai+cach+hanh+chinh&xem=van-ban", None).await,
        200,
    );
    let first = folded.find("/van-ban/").expect("a hit");
    assert!(
        folded[first..].starts_with(&format!("/van-ban/{plan}")),
        "{folded}"
    );
}
both_backends!(filters_and_facets_narrow_as_the_api_does);

async fn a_document_page_tells_its_effect_on_a_day_and_what_ended_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let old = app.id_of("01/2011/QĐ-UBND").await;
    let new = app.id_of("01/2014/QĐ-UBND").await;
    let api = app.get(&format!("/api/v1/documents/{old}"), None).await;
    assert_eq!(api.body["legal_effect"]["effect"], "expired");
    let today = is_page(&page(&app, &format!("/van-ban/{old}"), None).await, 200);
    assert!(today.contains(r#"data-effect="expired""#), "{today}");
    assert!(today.contains("Hết hiệu lực toàn bộ"));
    let because = today.find(r#"class="because""#).expect("what ended it");
    assert!(
        today[because..].contains(&format!("/van-ban/{new}")),
        "the replacing document is linked: {today}"
    );
    let before = is_page(
        &page(&app, &format!("/van-ban/{old}?ngay=2013-01-01"), None).await,
        200,
    );
    assert!(
        before.contains(r#"data-effect-on-day="in_force""#),
        "{before}"
    );
    assert!(before.contains("Còn hiệu lực"));
    // The replacing document names the one it replaced, the other way round.
    let other = is_page(&page(&app, &format!("/van-ban/{new}"), None).await, 200);
    assert!(other.contains(&format!("/van-ban/{old}")));
}
both_backends!(a_document_page_tells_its_effect_on_a_day_and_what_ended_it);

async fn a_copy_code_answers_a_page_to_a_browser_and_json_to_a_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_id(&app).await;
    let versions = app
        .get(&format!("/api/v1/documents/{plan}/versions"), None)
        .await;
    let vid = versions.body[0]["id"].as_str().unwrap().to_owned();
    let pdf = app.get(&format!("/api/v1/versions/{vid}/pdf"), None).await;
    pdf.status_is(200);
    let code = pdf.header("x-verification-code").expect("a code");
    let json = app.get(&format!("/api/v1/verify/{code}"), None).await;
    json.status_is(200);
    assert_eq!(json.body["document_id"], plan.as_str());
    let body = is_page(
        &page(&app, &format!("/api/v1/verify/{code}"), None).await,
        200,
    );
    assert!(body.contains(r#"data-verified="true""#), "{body}");
    assert!(body.contains("Bản sao này là xác thực"));
    assert!(body.contains(r#"data-in-force="true""#));
    assert!(body.contains(&format!("/van-ban/{plan}")));
    // One character changed: the not-found page, and the problem for a client.
    let mut chars: Vec<char> = code.chars().collect();
    chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let body = is_page(
        &page(&app, &format!("/api/v1/verify/{tampered}"), None).await,
        404,
    );
    assert!(body.contains("Không tìm thấy"));
    app.get(&format!("/api/v1/verify/{tampered}"), None)
        .await
        .problem(404);
    // The code form leads to the same page.
    let r = page(&app, &format!("/xac-minh?ma=+{code}+"), None).await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(r.header("location"), Some(format!("/api/v1/verify/{code}")));
    // Only signs typed: no code to look up, the form again (not a 404 of the API).
    let again = is_page(&page(&app, "/xac-minh?ma=-+-", None).await, 200);
    assert!(again.contains(r#"name="ma""#), "{again}");
}
both_backends!(a_copy_code_answers_a_page_to_a_browser_and_json_to_a_client);

async fn the_api_reference_lists_every_operation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    let body = is_page(&page(&app, "/tai-lieu-api", None).await, 200);
    let paths = doc.body["paths"].as_object().unwrap();
    assert!(paths.len() > 50);
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let shown = format!(
                r#"method-{method}">{}</span> <code>{}</code>"#,
                method.to_uppercase(),
                path.replace('&', "&#38;")
            );
            assert!(body.contains(&shown), "{shown} missing");
        }
    }
}
both_backends!(the_api_reference_lists_every_operation);

async fn systematisation_lists_match_the_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = app
        .get("/api/v1/systematization?issuer=UBND&year=2015", None)
        .await;
    api.status_is(200);
    let body = is_page(
        &page(&app, "/he-thong-hoa?issuer=UBND&year=2015", None).await,
        200,
    );
    for (list, title) in [
        ("in_force", "Văn bản còn hiệu lực ngày 31/12"),
        ("suspended", "Văn bản ngưng hiệu lực"),
        (
            "expired",
            "Văn bản hết hiệu lực toàn bộ hoặc một phần trong năm",
        ),
    ] {
        let n = api.body[list].as_array().unwrap().len();
        assert!(
            body.contains(&format!("{title} ({n})")),
            "{title} ({n}): {body}"
        );
        for e in api.body[list].as_array().unwrap() {
            let id = e["document"]["id"].as_str().unwrap();
            assert!(body.contains(&format!("/van-ban/{id}")));
        }
    }
    assert!(body.contains("format=csv"));
    assert!(body.contains("format=pdf"));
}
both_backends!(systematisation_lists_match_the_api);
