//! Search as people type it: without (or with some) diacritics, in the default syntax
//! whatever the punctuation, by number in every view, and suggestions as they type.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use crate::search_syntax::enc;

async fn get_ok(app: &TestApp, token: Option<&str>, path: &str) -> Value {
    let r = app.get(path, token).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.body
}

async fn search(app: &TestApp, token: Option<&str>, q: &str, extra: &str) -> Value {
    get_ok(app, token, &format!("/api/v1/search?q={}{extra}", enc(q))).await
}

async fn suggest(app: &TestApp, token: Option<&str>, q: &str) -> Vec<Value> {
    let r = get_ok(app, token, &format!("/api/v1/search/suggest?q={}", enc(q))).await;
    r["suggestions"].as_array().unwrap().clone()
}

fn ids(r: &Value) -> Vec<String> {
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["document_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn folded_questions_find_the_accented_document(b: Backend) {
    let app = TestApp::spawn(b).await;
    let nfd: String =
        unicode_normalization::UnicodeNormalization::nfd("cải cách hành chính").collect::<String>();
    for q in [
        "cai cach hanh chinh Son Tay",
        "de an cai cach hanh chinh huyen son tay",
        "cải cach hanh chính",
        "cải cách hành chính",
        nfd.as_str(),
    ] {
        for syntax in ["", "&syntax=plain"] {
            let r = search(&app, None, q, &format!("&granularity=document{syntax}")).await;
            let first = r["hits"][0]["title"].as_str().unwrap_or_default();
            assert!(first.contains("cải cách hành chính"), "{q}{syntax}: {r}");
        }
    }
    // Articles too: a folded question and the accented one find the same first article.
    let accented = search(&app, None, "cơ chế một cửa liên thông", "").await;
    let folded = search(&app, None, "co che mot cua lien thong", "").await;
    assert_eq!(
        folded["hits"][0]["provision_path"], accented["hits"][0]["provision_path"],
        "{folded}"
    );
}
both_backends!(folded_questions_find_the_accented_document);

async fn a_word_with_diacritics_means_that_word(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let mut made = vec![];
    for (title, body) in [
        (
            "Quy định về cái bàn qqtest",
            "Điều 1. Cái bàn\nCái bàn, cái ghế và cái tủ của cơ quan.",
        ),
        (
            "Quy định về cải tạo qqtest",
            "Điều 1. Cải tạo\nViệc cải tạo trụ sở cơ quan.",
        ),
    ] {
        let doc = app.draft(&drafter, title).await;
        let id = doc["id"].as_str().unwrap().to_owned();
        let v = app
            .post(
                &format!("/api/v1/documents/{id}/versions"),
                Some(&drafter),
                json!({ "body": body }),
            )
            .await;
        assert_eq!(v.status, StatusCode::CREATED, "{}", v.body);
        made.push(id);
    }
    let (cai_ban, cai_tao) = (&made[0], &made[1]);
    let started = Instant::now();
    while search(&app, Some(&drafter), "qqtest", "&granularity=document").await["total"] != 2 {
        assert!(started.elapsed() < Duration::from_secs(2), "not indexed");
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    let extra = "&granularity=document&limit=100";
    let cai = ids(&search(&app, Some(&drafter), "cải", extra).await);
    assert!(cai.contains(cai_tao), "{cai:?}");
    assert!(!cai.contains(cai_ban), "cải is not cái: {cai:?}");
    let cai = ids(&search(&app, Some(&drafter), "cái", extra).await);
    assert!(cai.contains(cai_ban) && !cai.contains(cai_tao), "{cai:?}");
    // Without diacritics, either.
    let folded = ids(&search(&app, Some(&drafter), "cai qqtest", extra).await);
    assert!(
        folded.contains(cai_ban) && folded.contains(cai_tao),
        "{folded:?}"
    );
    // The operators of the default syntax: a field, an excluded word.
    let titled = ids(&search(&app, Some(&drafter), "title:qqtest cải", extra).await);
    assert_eq!(titled.len(), 2, "{titled:?}");
    assert_eq!(&titled[0], cai_tao, "{titled:?}");
    let without = ids(&search(&app, Some(&drafter), "qqtest -ghế", extra).await);
    assert_eq!(without, vec![cai_tao.clone()]);
    let either = ids(&search(&app, Some(&drafter), "title:qqtest tủ OR trụ", extra).await);
    assert_eq!(either.len(), 2, "{either:?}");
}
both_backends!(a_word_with_diacritics_means_that_word);

async fn any_text_is_an_answer_in_the_default_syntax(b: Backend) {
    let app = TestApp::spawn(b).await;
    let texts = [
        "title:(",
        "Thủ tục là gì?",
        "\"một cửa",
        "(cải cách) hành chính: thế nào?",
        "cải OR OR",
        "AND",
        "a^1e40",
        "title:[a TO z]",
        "year:*",
        "body_pairs:\"cải_cách hành_chính\"",
        "public:0",
        "số 09/2015/QĐ-TTg (về một cửa)",
        "\"\"",
        "-",
        "- -x",
        ":",
        "~2 ^ * ? ( ) [ ] { } ! \\",
        "điều 5: \"quyền\" và 'nghĩa vụ'?",
        "((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))",
    ];
    for q in texts {
        for extra in ["", "&granularity=document", "&sort=date", "&syntax=plain"] {
            search(&app, None, q, extra).await;
        }
        let r = app.post("/api/v1/search", None, json!({ "q": q })).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    }
    // A phrase is a boost, not a requirement; only the query syntax refuses.
    let r = search(&app, None, "\"một cửa liên thông\" tại huyện", "").await;
    assert!(r["total"].as_u64().unwrap() > 0, "{r}");
    for q in ["title:(", "a^1e40", "year:*"] {
        app.get(&format!("/api/v1/search?q={}&syntax=query", enc(q)), None)
            .await
            .problem(400);
    }
    // Only the length is limited.
    let long = "a ".repeat(600);
    app.post("/api/v1/search", None, json!({ "q": long }))
        .await
        .problem(400);
}
both_backends!(any_text_is_an_answer_in_the_default_syntax);

async fn a_number_finds_its_document_in_every_view(b: Backend) {
    let app = TestApp::spawn(b).await;
    let id = app.id_of("09/2015/QĐ-TTg").await;
    for q in [
        "9/2015/qd-ttg",
        "09/2015/QĐ-TTg",
        "quyet dinh 09/2015/qd-ttg",
        "09 / 2015 / QĐ-TTg",
    ] {
        for view in ["", "&granularity=provision", "&granularity=document"] {
            for syntax in ["", "&syntax=plain", "&syntax=query"] {
                if syntax == "&syntax=query" && q.contains(' ') {
                    continue;
                }
                let r = search(&app, None, q, &format!("{view}{syntax}")).await;
                assert_eq!(
                    r["hits"][0]["document_id"],
                    id.as_str(),
                    "{q}{view}{syntax}: {r}"
                );
                assert_eq!(r["hits"][0]["number"], "09/2015/QĐ-TTg");
            }
        }
    }
    // A document without text is a hit of its own among the articles, without a path.
    let r = search(&app, None, "9/2015/qd-ttg", "").await;
    assert!(r["hits"][0]["provision_path"].is_null(), "{r}");
}
both_backends!(a_number_finds_its_document_in_every_view);

async fn suggestions_as_people_type(b: Backend) {
    let app = TestApp::spawn(b).await;
    for typed in [
        "Ban hành Quy chế thực hiện cơ chế",
        "ban hanh quy che thuc hien co che",
    ] {
        let s = suggest(&app, None, typed).await;
        assert!(
            s.iter()
                .any(|h| h["hit"]["number"] == "09/2015/QĐ-TTg" && h["matched"] == "title"),
            "{typed}: {s:?}"
        );
    }
    let s = suggest(&app, None, "09/2015/qd").await;
    assert_eq!(s[0]["hit"]["number"], "09/2015/QĐ-TTg", "{s:?}");
    assert_eq!(s[0]["matched"], "number");
    let s = suggest(&app, None, "Luat to chuc chinh quyen").await;
    assert!(
        s.iter().any(|h| h["hit"]["number"] == "77/2015/QH13"),
        "{s:?}"
    );
    assert!(s.len() <= 10);
    assert!(suggest(&app, None, "").await.is_empty());
    assert!(suggest(&app, None, "zzzzqqq").await.is_empty());
    // The same visibility as search: a draft only to those who may see it.
    let drafter = app.login("drafter").await;
    app.draft(&drafter, "Quy chế quản lý xyzzysuggest").await;
    let started = Instant::now();
    while suggest(&app, Some(&drafter), "quy che quan ly xyzzys")
        .await
        .is_empty()
    {
        assert!(started.elapsed() < Duration::from_secs(2), "not indexed");
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(suggest(&app, None, "quy che quan ly xyzzys")
        .await
        .is_empty());
    let viewer = app.login("viewer").await;
    assert!(suggest(&app, Some(&viewer), "Quy chế quản lý xyzzy")
        .await
        .is_empty());
    app.get("/api/v1/search/suggest?q=a&limit=11", None)
        .await
        .problem(422);
}
both_backends!(suggestions_as_people_type);

/// A word typed without diacritics that the index's statistics have no accented form of
/// (not a syllable: letters and digits) is still matched through the folded fields.
async fn a_word_without_restored_forms_is_matched_folded(b: Backend) {
    let app = TestApp::spawn(b).await;
    let drafter = app.login("drafter").await;
    let doc = app.draft(&drafter, "Quy định về biểu mẫu").await;
    let id = doc["id"].as_str().unwrap().to_owned();
    let v = app
        .post(
            &format!("/api/v1/documents/{id}/versions"),
            Some(&drafter),
            json!({ "body": "Điều 1. Biểu mẫu\nDùng mẫu TĐ7Q khi đề nghị." }),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.body);
    let started = Instant::now();
    while !ids(&search(&app, Some(&drafter), "tđ7q", "&granularity=document").await).contains(&id)
    {
        assert!(started.elapsed() < Duration::from_secs(2), "not indexed");
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    for syntax in ["", "&syntax=plain"] {
        let r = search(
            &app,
            Some(&drafter),
            "td7q",
            &format!("&granularity=document{syntax}"),
        )
        .await;
        assert_eq!(ids(&r), vec![id.clone()], "{syntax}: {r}");
    }
}
both_backends!(a_word_without_restored_forms_is_matched_folded);

async fn a_long_folded_question_asks_a_bounded_number_of_alternates(b: Backend) {
    let app = TestApp::spawn(b).await;
    let index = app.search_index();
    let questions = [
        "thoi han giai quyet ho so cai cach hanh chinh tai bo phan tiep nhan va tra ket qua",
        "ke hoach cai cach hanh chinh cua uy ban nhan dan huyen son tay nam 2016",
        "trach nhiem cua co quan chuyen mon ve kiem soat thu tuc hanh chinh",
    ];
    let clauses = |cap: usize| {
        // Every form kept (the demo's few documents make most forms unlikely ones).
        index.set_plain_weights(vanban::search::weights::PlainWeights {
            restore_alternates_max: cap,
            restore_mass: 1.0,
            restore_keep: 0.0,
            ..Default::default()
        });
        questions
            .iter()
            .map(|q| index.query_cost(q).unwrap().0)
            .sum::<usize>()
    };
    let (none, two, all) = (clauses(0), clauses(2), clauses(usize::MAX));
    index.set_plain_weights(Default::default());
    assert!(
        none < all,
        "alternates are asked: {none} clauses without, {all} with"
    );
    assert!(none <= two && two <= all, "{none} <= {two} <= {all}");
}
both_backends!(a_long_folded_question_asks_a_bounded_number_of_alternates);
