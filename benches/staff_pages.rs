//! The staff pages: server time per page type for the role that works on it, on the demo
//! district with the corpus imported, beside the JSON API answering the same question (the
//! cost of rendering the page, as a ratio in the same run).
//!
//! cargo bench --bench staff_pages [-- --requests 300 --files 4]
//!
//! Each account signs in through the login page, as a browser does; each page type is asked
//! `--requests` times, one request at a time over one kept-alive connection, with the
//! session cookie; the time is the client's, on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::pages::{args, demo_server, measure, print_rows, ratio, Client, Row, BROWSER};

const JSON: &str = "application/json";

/// The bearer token of a demo account, for the API's side of the comparisons.
fn token(c: &Client, username: &str) -> String {
    c.sys.block_on(async {
        let mut r = c
            .client
            .post(format!("{}/api/v1/auth/login", c.base))
            .send_json(
                &serde_json::json!({"username": username, "password": common::pages::PASSWORD}),
            )
            .await
            .expect("login");
        let v: serde_json::Value = r.json().await.expect("token");
        v["access_token"].as_str().unwrap().to_owned()
    })
}

/// `GET path` as JSON with a bearer token.
fn api(c: &Client, token: &str, path: &str) -> serde_json::Value {
    c.sys.block_on(async {
        let mut r = c
            .client
            .get(format!("{}{path}", c.base))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
            .await
            .expect("api");
        r.json().limit(64 << 20).await.expect("json")
    })
}

/// The API's time for `path` with the account's token, as a row of its own.
fn measure_api(
    base: &str,
    token: &str,
    name: &str,
    n: usize,
    path: impl FnMut(usize) -> String,
) -> Row {
    let mut c = Client::new(base);
    c.bearer(token);
    measure(&c, name, n, JSON, false, path)
}

fn main() {
    let a = args();
    let (_tmp, base) = demo_server(a.files);
    let r = a.requests;
    let mut rows = vec![];

    // Ids to visit, as each account's API gives them.
    let probe = Client::new(&base);
    let legal = token(&probe, "legal_officer");
    let drafter = token(&probe, "drafter");
    let iso = token(&probe, "iso_controller");
    let docs = api(&probe, &legal, "/api/v1/documents?limit=200");
    let ids: Vec<String> = docs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    let queue = api(&probe, &drafter, "/api/v1/work-queue");
    let draft = queue["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "drafts")
        .and_then(|s| s["items"][0]["document_id"].as_str())
        .map(str::to_owned);
    let consultation = api(&probe, &legal, "/api/v1/public/consultations")[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let campaign = api(&probe, &legal, "/api/v1/review-campaigns")[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let iso_doc = api(&probe, &iso, "/api/v1/iso/documents")[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let doc = |i: usize| ids[i % ids.len()].clone();

    for role in [
        "drafter",
        "legal_officer",
        "approver",
        "iso_controller",
        "viewer",
    ] {
        let mut c = Client::new(&base);
        c.sign_in(role);
        rows.push(measure(
            &c,
            format!("work queue ({role})"),
            r,
            BROWSER,
            false,
            |_| "/lam-viec".into(),
        ));
    }
    rows.push(measure_api(
        &base,
        &legal,
        "  API: GET /api/v1/work-queue (legal_officer)",
        r,
        |_| "/api/v1/work-queue".into(),
    ));

    let mut lo = Client::new(&base);
    lo.sign_in("legal_officer");
    rows.push(measure(
        &lo,
        "documents (legal_officer)",
        r,
        BROWSER,
        false,
        |_| "/lam-viec/van-ban".into(),
    ));
    rows.push(measure(
        &lo,
        "document workspace (legal_officer)",
        r,
        BROWSER,
        false,
        |i| format!("/lam-viec/van-ban/{}", doc(i)),
    ));
    rows.push(measure_api(
        &base,
        &legal,
        "  API: GET /api/v1/documents/{id}",
        r,
        |i| format!("/api/v1/documents/{}", doc(i)),
    ));
    rows.push(measure(&lo, "consultation desk", r, BROWSER, false, |_| {
        "/lam-viec/gop-y".into()
    }));
    rows.push(measure(
        &lo,
        "consultation: comments",
        r,
        BROWSER,
        false,
        |_| format!("/lam-viec/gop-y/{consultation}"),
    ));
    rows.push(measure(&lo, "appraisals", r, BROWSER, false, |_| {
        "/lam-viec/tham-dinh?state=all".into()
    }));
    rows.push(measure(&lo, "reviews", r, BROWSER, false, |_| {
        "/lam-viec/ra-soat".into()
    }));
    rows.push(measure(
        &lo,
        "review campaign (34 documents)",
        r,
        BROWSER,
        false,
        |_| format!("/lam-viec/ra-soat/dot/{campaign}"),
    ));
    rows.push(measure(
        &lo,
        "periodic report (year)",
        r,
        BROWSER,
        false,
        |_| "/lam-viec/bao-cao?ky=year".into(),
    ));

    let mut d = Client::new(&base);
    d.sign_in("drafter");
    if let Some(draft) = &draft {
        rows.push(measure(
            &d,
            "document workspace: a draft (drafter)",
            r,
            BROWSER,
            false,
            |_| format!("/lam-viec/van-ban/{draft}"),
        ));
    }

    let mut ic = Client::new(&base);
    ic.sign_in("iso_controller");
    rows.push(measure(&ic, "ISO", r, BROWSER, false, |_| {
        "/lam-viec/iso".into()
    }));
    rows.push(measure(&ic, "ISO document", r, BROWSER, false, |_| {
        format!("/lam-viec/iso/{iso_doc}")
    }));
    rows.push(measure_api(
        &base,
        &iso,
        "  API: GET /api/v1/iso/documents/{id}",
        r,
        |_| format!("/api/v1/iso/documents/{iso_doc}"),
    ));

    let mut ad = Client::new(&base);
    ad.sign_in("admin");
    rows.push(measure(&ad, "administration", r, BROWSER, false, |_| {
        "/lam-viec/quan-tri".into()
    }));

    print_rows(&rows, r);
    let (q50, q99) = ratio(
        &rows,
        "work queue (legal_officer)",
        "  API: GET /api/v1/work-queue (legal_officer)",
    );
    let (w50, w99) = ratio(
        &rows,
        "document workspace (legal_officer)",
        "  API: GET /api/v1/documents/{id}",
    );
    println!("\npage / API: work queue p50 {q50:.2}x p99 {q99:.2}x; workspace / one document p50 {w50:.2}x p99 {w99:.2}x");
    let worst = rows
        .iter()
        .filter(|x| !x.name.starts_with("  API"))
        .max_by(|a, b| a.p99.total_cmp(&b.p99))
        .unwrap();
    println!(
        "worst page p99: {:.2} ms, {} (target < 80 ms)",
        worst.p99, worst.name
    );
    let errors: usize = rows.iter().map(|x| x.errors).sum();
    assert_eq!(errors, 0, "pages that did not answer 2xx");
}
