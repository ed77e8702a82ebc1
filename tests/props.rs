//! Property tests of every parser that reads input from outside: the search query path
//! (query parser and analysis chain), the legal-structure parser, the document-number
//! parser, the PDF loader, extractor and stamper, and the DOCX reader. Random input biased
//! toward what the parsers meet (Vietnamese words, "Điều", numbers, query operators), and
//! mutations of the real fixtures (bytes flipped, inserted, removed, truncated).
//!
//! Each case must end, within a bounded time, in a value or in the parser's own error,
//! never in a panic: not even one the library catches itself (a panic hook counts them),
//! and it runs on a thread of its own so that a hang fails the case instead of the run.
//! The runs are seeded (ChaCha, fixed seed) and replay identically. A longer run:
//! `PROPTEST_CASES=20000 cargo test --test props`, and `PROPS_SEED=<u64>` to explore
//! other inputs.
//!
//! A test binary of its own: it needs no HTTP app and no PostgreSQL, and its panic hook
//! sees only its own cases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::sync::{mpsc, Arc, Once, OnceLock};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use vanban::domain::number::{number_key, DocumentNumber};
use vanban::domain::structure;
use vanban::pdf::{self, DocxLimits, Limits, StampKind, StampRequest};
use vanban::search::query::{Audience, Granularity, SortOrder, Syntax};
use vanban::search::{analysis, SearchError, SearchIndex, SearchRequest};

// ---------------------------------------------------------------------------------------
// The runner

/// `PROPTEST_CASES`, or the default of each target (chosen so the whole file runs in well
/// under a minute in a debug build).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(default_cases: u32) -> TestRunner {
    let config = Config {
        cases: cases(default_cases),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let rng = match std::env::var("PROPS_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(seed) => {
            let mut bytes = [0u8; 32];
            bytes[..8].copy_from_slice(&seed.to_le_bytes());
            TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
        }
        None => TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    };
    TestRunner::new_with_rng(config, rng)
}

/// Runs a property; a failure reports the smallest input found.
fn check<S: Strategy>(
    name: &str,
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let started = Instant::now();
    let mut runner = runner(default_cases);
    // `PROPS_TRACE=1`: each input before it runs (to find one that kills the process).
    let trace = std::env::var_os("PROPS_TRACE").is_some();
    let result = runner.run(&strategy, |value| {
        if trace {
            eprintln!("{name} case: {value:?}");
        }
        test(value)
    });
    eprintln!(
        "{name}: {} cases in {:.1} s",
        runner.config().cases,
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

thread_local! {
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

/// Counts every panic on the thread it happens on, caught or not.
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            previous(info);
        }));
    });
}

/// Runs `f` on a thread of its own: its value, or a failure if it panicked (even if the
/// panic was caught inside) or took longer than `limit`.
fn bounded<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TestCaseError> {
    count_panics();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("prop-case".into())
        .stack_size(4 << 20)
        .spawn(move || {
            PANICS.with(|p| p.set(0));
            let value = f();
            let _ = tx.send((value, PANICS.with(Cell::get)));
        })
        .map_err(|e| TestCaseError::fail(format!("thread: {e}")))?;
    match rx.recv_timeout(limit) {
        Ok((_, panics)) if panics > 0 => Err(TestCaseError::fail(format!(
            "{panics} panic(s), caught inside"
        ))),
        Ok((value, _)) => Ok(value),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "took longer than {} s",
            limit.as_secs()
        ))),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(TestCaseError::fail("panicked")),
    }
}

/// Peak resident memory of this process so far, from /proc (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The process never held more than this (all targets, run in parallel, together).
const MAX_RSS: u64 = 2 << 30;

fn assert_memory_bounded(name: &str) {
    if let Some(peak) = peak_rss() {
        eprintln!("{name}: peak resident memory {} MB", peak >> 20);
        assert!(peak < MAX_RSS, "{name}: peak resident memory {peak} bytes");
    }
}

// ---------------------------------------------------------------------------------------
// Text biased toward the domain

const WORDS: &[&str] = &[
    "Điều",
    "điều",
    "ĐIỀU",
    "Chương",
    "CHƯƠNG",
    "Mục",
    "Phần",
    "thứ",
    "nhất",
    "Khoản",
    "Điểm",
    "cải",
    "cách",
    "hành",
    "chính",
    "thủ",
    "tục",
    "một",
    "cửa",
    "liên",
    "thông",
    "quyết",
    "định",
    "nghị",
    "Nghị",
    "thông",
    "tư",
    "Ủy",
    "ban",
    "nhân",
    "dân",
    "xã",
    "huyện",
    "hoà",
    "hòa",
    "quy",
    "qui",
    "y",
    "tế",
    "cai",
    "cach",
    "hanh",
    "chinh",
    "dieu",
    "a",
    "đ",
    "b",
    "9/2015/QĐ-TTg",
    "09/2015/qd-ttg",
    "05/2017/QĐ-UBND",
    "83-CP",
    "63/2010/NĐ-CP",
    "I",
    "II",
    "IV",
    "XL",
    "MMXX",
    "2.1",
    "1.",
    "a)",
    "đ)",
    "1a",
];

const OPERATORS: &[&str] = &[
    ":", "*", "(", ")", "\"", "'", "-", "+", "OR", "AND", "NOT", "~", "~2", "^", "^2", "^-1",
    "^1e40", "^NaN", "[", "]", "{", "}", "TO", "IN", "/", "\\", ">", "<", ">=", "<=", "=", "!",
    "&&", "||", ",", ".", "?", "$", "#", "@", "%", "\u{0}", "\t", "\n",
];

const FIELDS: &[&str] = &[
    "title:",
    "body:",
    "heading:",
    "number:",
    "title:*",
    "body:*",
    "heading:*",
    "number:*",
    "year:",
    "signed_day:",
    "public:",
    "kind:",
    "doc_id:",
    "body_text:",
    "body_pairs:",
    "heading_pairs:",
    "title_folded:",
    "facets:",
    "unit:",
    "x:",
    "title.a:",
];

/// Combining marks, invisible and bidirectional characters.
const MARKS: &[&str] = &[
    "\u{300}", "\u{301}", "\u{303}", "\u{309}", "\u{323}", "\u{306}", "\u{302}", "\u{31B}",
    "\u{200B}", "\u{202E}", "\u{2066}", "\u{FEFF}", "\u{110}", "\u{111}",
];

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => prop::sample::select(WORDS).prop_map(str::to_owned),
        4 => prop::sample::select(OPERATORS).prop_map(str::to_owned),
        2 => prop::sample::select(FIELDS).prop_map(str::to_owned),
        1 => prop::sample::select(MARKS).prop_map(str::to_owned),
        1 => (0u64..100_000).prop_map(|n| n.to_string()),
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Tokens glued together or apart.
fn domain_text(max_tokens: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        (token(), prop::sample::select(&["", " ", " ", "  "][..])),
        0..max_tokens,
    )
    .prop_map(|parts| parts.into_iter().map(|(t, s)| t + s).collect())
}

/// Query text: domain tokens, or shapes that stress the parser (deep nesting, long
/// disjunctions, every field with `*`).
fn query_text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => domain_text(24),
        1 => (1usize..400).prop_map(|n| format!("{}a{}", "(".repeat(n), ")".repeat(n))),
        1 => (1usize..400).prop_map(|n| "-(".repeat(n)),
        1 => (1usize..300).prop_map(|n| "a OR ".repeat(n) + "b"),
        1 => (1usize..300).prop_map(|n| "\"a b\"~9 ".repeat(n)),
        1 => (prop::sample::select(FIELDS), prop::sample::select(OPERATORS))
            .prop_map(|(f, o)| format!("{f}{o}")),
    ]
}

// ---------------------------------------------------------------------------------------
// Search

/// The demo district, indexed once for every search case.
fn demo_index() -> Arc<SearchIndex> {
    static INDEX: OnceLock<(Arc<SearchIndex>, tempfile::TempDir)> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("props.db").display());
            let db = vanban::db::Db::connect(&url, 2).expect("database");
            db.migrate().expect("migrate");
            let mut conn = db.get().expect("connection");
            vanban::db::write_transaction(&mut conn, |c| {
                vanban::demo::load(c, "props-password-123")
            })
            .expect("demo loads");
            let index = Arc::new(SearchIndex::open(None).expect("index"));
            index.catch_up(&mut conn).expect("index the demo");
            (index, dir)
        })
        .0
        .clone()
}

fn search_request() -> impl Strategy<Value = SearchRequest> {
    (
        query_text(),
        prop::bool::ANY,
        prop::bool::ANY,
        prop::bool::ANY,
        prop::option::of(1usize..=100),
    )
        .prop_map(|(q, plain, document, by_date, limit)| SearchRequest {
            q,
            syntax: if plain { Syntax::Plain } else { Syntax::Query },
            granularity: if document {
                Granularity::Document
            } else {
                Granularity::Provision
            },
            sort: if by_date {
                SortOrder::Date
            } else {
                SortOrder::Relevance
            },
            limit,
            ..Default::default()
        })
}

/// A search is an answer or a query error (a 400), in every syntax, sort and granularity.
fn search_answers(index: &Arc<SearchIndex>, req: SearchRequest) -> Result<(), TestCaseError> {
    let index = index.clone();
    let shown = format!("{req:?}");
    let outcome = bounded(Duration::from_secs(20), move || {
        let r = index.search(&req, &Audience::Everything);
        let public = index.search(&req, &Audience::Public).map(|_| ());
        (
            r.map(|resp| {
                (
                    serde_json::to_string(&resp).map_err(|e| e.to_string()),
                    resp,
                )
            }),
            public,
            req.limit,
        )
    })?;
    let (result, public, limit) = outcome;
    match public {
        Ok(()) | Err(SearchError::Query(_)) => {}
        Err(e) => return Err(TestCaseError::fail(format!("{shown}: public: {e}"))),
    }
    match result {
        Ok((json, resp)) => {
            prop_assert!(json.is_ok(), "{shown}: {json:?}");
            prop_assert!(resp.hits.len() <= limit.unwrap_or(10), "{shown}");
            prop_assert!(resp.total >= resp.hits.len(), "{shown}");
            prop_assert!(resp.hits.iter().all(|h| h.score.is_finite()), "{shown}");
            Ok(())
        }
        Err(SearchError::Query(m)) => {
            prop_assert!(!m.is_empty(), "{shown}");
            Ok(())
        }
        Err(e) => Err(TestCaseError::fail(format!("{shown}: {e}"))),
    }
}

#[test]
fn any_query_text_is_an_answer_or_a_400() {
    let index = demo_index();
    check("search", 400, search_request(), |req| {
        search_answers(&index, req)
    });
    assert_memory_bounded("search");
}

/// Inputs the properties found, kept as ordinary tests.
#[test]
fn search_regressions() {
    let index = demo_index();
    let mut queries: Vec<String> = ["title:*", "body:*", "heading:*", "number:*"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    queries.extend([
        "year:*".into(),
        "title:[a TO b]".into(),
        "year:>2000".into(),
        "body_pairs:\"a b\"".into(),
        "title: IN [a b]".into(),
        "a^1e40".into(),
        format!("{}a{}", "(".repeat(300), ")".repeat(300)),
        "-(".repeat(300),
    ]);
    for q in queries {
        for plain in [false, true] {
            for document in [false, true] {
                for by_date in [false, true] {
                    let req = SearchRequest {
                        q: q.clone(),
                        syntax: if plain { Syntax::Plain } else { Syntax::Query },
                        granularity: if document {
                            Granularity::Document
                        } else {
                            Granularity::Provision
                        },
                        sort: if by_date {
                            SortOrder::Date
                        } else {
                            SortOrder::Relevance
                        },
                        ..Default::default()
                    };
                    if let Err(e) = search_answers(&index, req) {
                        panic!("{q:?}: {e}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_analysis_chain_takes_any_text() {
    check("analysis", 2_000, domain_text(40), |s| {
        bounded(Duration::from_secs(10), move || {
            let normalized = analysis::normalize_text(&s);
            let _ = analysis::query_terms(&normalized);
            let _ = analysis::query_words(&s);
            let _ = analysis::folded_terms(&s);
            let _ = analysis::syllable_pairs(&s);
            let _ = analysis::looks_like_number(&s);
            let _ = analysis::number_key(&s);
        })
    });
}

// ---------------------------------------------------------------------------------------
// Legal structure and document numbers

fn structure_line() -> impl Strategy<Value = String> {
    let heading = prop::sample::select(
        &[
            "Chương",
            "CHƯƠNG",
            "Điều",
            "ĐIỀU",
            "Mục",
            "Tiểu mục",
            "Phần",
            "PHẦN",
            "Khoản",
            "Điểm",
        ][..],
    );
    let number = prop_oneof![
        (0u64..200).prop_map(|n| n.to_string()),
        Just("99999999999999999999999".to_owned()),
        prop::sample::select(
            &[
                "I",
                "II",
                "IV",
                "XL",
                "thứ nhất",
                "thứ hai",
                "1a",
                "2.1",
                "đ",
                "a"
            ][..]
        )
        .prop_map(str::to_owned),
    ];
    let punct = prop::sample::select(&[".", ":", "", ". ", ")", " -"][..]);
    prop_oneof![
        4 => (heading, number, punct, domain_text(6))
            .prop_map(|(h, n, p, rest)| format!("{h} {n}{p} {rest}")),
        2 => ((0u64..30), prop::sample::select(&[".", ")", ".1.", ". "][..]), domain_text(6))
            .prop_map(|(n, p, rest)| format!("{n}{p} {rest}")),
        2 => (prop::sample::select(&["a", "b", "c", "đ", "e"][..]), domain_text(6))
            .prop_map(|(l, rest)| format!("{l}) {rest}")),
        1 => prop::sample::select(&["\"", "“", "”", "«", "»", "\"Điều 1. Trích", "”."][..])
            .prop_map(str::to_owned),
        3 => domain_text(12),
    ]
}

fn structure_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(structure_line(), 0..40),
        prop::sample::select(&["\n", "\r\n", "\n\n", "\r"][..]),
    )
        .prop_map(|(lines, sep)| lines.join(sep))
}

#[test]
fn the_structure_parser_takes_any_text() {
    check("structure", 600, structure_text(), |text| {
        let shown = text.clone();
        let (paths, found, labels) = bounded(Duration::from_secs(10), move || {
            let tree = structure::parse(&text);
            let flat = structure::flatten(&tree);
            let paths: Vec<String> = flat.iter().map(|p| p.path.clone()).collect();
            let found = paths
                .iter()
                .all(|p| structure::find(&tree, p).is_some_and(|n| &n.path == p));
            let labels = paths
                .iter()
                .filter(|p| !structure::path_label(p).is_empty())
                .count();
            (paths, found, labels)
        })?;
        let mut unique = paths.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), paths.len(), "paths unique: {:?}", shown);
        prop_assert!(found, "every path found: {:?}", shown);
        prop_assert_eq!(labels, paths.len());
        Ok(())
    });
}

fn number_text() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        (0u64..100_000).prop_map(|n| n.to_string()),
        Just("0000".to_owned()),
        Just("99999999999999999999999".to_owned()),
        prop::sample::select(
            &[
                "QĐ", "qd", "NĐ", "CP", "TTg", "UBND", "HĐND", "NQ", "TT", "BTC", "đ", "Đ", "ĐĐ",
            ][..]
        )
        .prop_map(str::to_owned),
        prop::sample::select(OPERATORS).prop_map(str::to_owned),
        prop::sample::select(MARKS).prop_map(str::to_owned),
        any::<char>().prop_map(String::from),
    ];
    let sep = prop::sample::select(&["/", "-", " ", "", "//", " / "][..]);
    prop::collection::vec((part, sep), 0..10)
        .prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect())
}

#[test]
fn the_document_number_parser_takes_any_text() {
    check("number", 3_000, number_text(), |raw| {
        let shown = raw.clone();
        let (parsed, key) = bounded(Duration::from_secs(5), move || {
            let parsed = DocumentNumber::parse(&raw).map(|n| (n.as_str().to_owned(), n.key()));
            (parsed, number_key(&raw))
        })?;
        if let Ok((kept, k)) = parsed {
            prop_assert!(kept.chars().count() <= 64, "{:?}", shown);
            prop_assert_eq!(k, number_key(&kept));
        }
        let _ = key;
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// PDF and DOCX

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

const PDFS: &[&str] = &[
    "libreoffice-de-an.pdf",
    "libreoffice-de-an-xref-stream.pdf",
    "lo-dejavu-sans.pdf",
    "lo-liberation-mono.pdf",
    "lo-liberation-serif.pdf",
    "lo-noto-serif.pdf",
];

/// One change to a file; positions are taken modulo its length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Set { at: usize, byte: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
    Repeat { at: usize, len: usize, times: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        4 => (at, 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        2 => (at, prop::sample::select(&[b'0', b'9', b'-', b'[', b'<', b'(', b'/', b' ', 0, 255][..]))
            .prop_map(|(at, byte)| Mutation::Set { at, byte }),
        2 => (at, prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (at, prop::sample::select(vec![
                &b" 0 R"[..], b"<<", b">>", b"[", b"]", b"obj", b"endobj", b"stream", b"endstream",
                b"/Length 999999999", b"/Filter /FlateDecode", b"-1", b"99999999999999999999",
                b"/Type /Pages /Kids [1 0 R] /Count 1", b"BT /F1 1e30 Tf (a) Tj ET",
            ]))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes: bytes.to_vec() }),
        2 => (at, 1usize..512).prop_map(|(at, len)| Mutation::Remove { at, len }),
        1 => (at, 1usize..256, 2usize..16).prop_map(|(at, len, times)| Mutation::Repeat { at, len, times }),
        1 => at.prop_map(|at| Mutation::Truncate { at }),
    ]
}

/// Applies the mutations; `keep_ends` leaves the first and last KB alone, so that the file
/// still passes the header and trailer checks and reaches the parser.
fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation], keep_ends: bool) -> Vec<u8> {
    let (head, tail) = if keep_ends && bytes.len() > 4096 {
        (1024, 1024)
    } else {
        (0, 0)
    };
    let tail_bytes = bytes.split_off(bytes.len() - tail);
    for m in mutations {
        let span = bytes.len().saturating_sub(head).max(1);
        let pos = |at: usize| head + at % span;
        match m {
            Mutation::Flip { at, bit } if !bytes.is_empty() => {
                let i = pos(*at).min(bytes.len() - 1);
                bytes[i] ^= 1 << bit;
            }
            Mutation::Set { at, byte } if !bytes.is_empty() => {
                let i = pos(*at).min(bytes.len() - 1);
                bytes[i] = *byte;
            }
            Mutation::Insert { at, bytes: b } => {
                let i = pos(*at).min(bytes.len());
                bytes.splice(i..i, b.iter().copied());
            }
            Mutation::Remove { at, len } => {
                let i = pos(*at).min(bytes.len());
                let end = (i + len).min(bytes.len());
                bytes.drain(i..end);
            }
            Mutation::Repeat { at, len, times } => {
                let i = pos(*at).min(bytes.len());
                let end = (i + len).min(bytes.len());
                let chunk = bytes[i..end].repeat(*times);
                bytes.splice(end..end, chunk);
            }
            Mutation::Truncate { at } if !keep_ends => {
                let i = at % (bytes.len() + 1);
                bytes.truncate(i);
            }
            _ => {}
        }
    }
    bytes.extend(tail_bytes);
    bytes
}

/// Limits small enough that a case stays quick, and that show they are kept.
fn test_limits() -> Limits {
    Limits {
        max_decoded_bytes: 16 << 20,
        max_operators_per_page: 200_000,
        max_duration: Duration::from_secs(5),
        ..Limits::default()
    }
}

/// A PDF's text is read, or the file refused with a [`pdf::PdfError`]; stamping it too.
fn pdf_is_read_or_refused(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let limits = test_limits();
    let outcome = bounded(Duration::from_secs(30), move || {
        let extracted = pdf::extract_pdf(&bytes, &limits);
        let stamp = StampRequest {
            kind: StampKind::Draft {
                label: "Dự thảo".into(),
            },
            verify_code: "7K3Q-9XWD".into(),
            verify_url: "http://127.0.0.1:8080/api/v1/verify/7K3Q-9XWD".into(),
        };
        let stamped = pdf::stamp_pdf(&bytes, &stamp, &limits).map(|out| out.len());
        (extracted, stamped)
    })?;
    match &outcome.0 {
        Ok(e) => {
            prop_assert!(e.pages >= 1);
            prop_assert!(e.text_layer || e.text.is_empty());
        }
        Err(e) => prop_assert!(e.is_client_error(), "{e}"),
    }
    if let (_, Err(e)) = &outcome {
        prop_assert!(e.is_client_error(), "stamping: {e}");
    }
    Ok(())
}

#[test]
fn mutated_pdfs_are_read_or_refused() {
    let originals: Vec<Vec<u8>> = PDFS.iter().map(|n| fixture(n)).collect();
    let strategy = (
        0..originals.len(),
        prop::collection::vec(mutation(), 1..8),
        prop::bool::weighted(0.7),
    );
    check(
        "pdf mutations",
        120,
        strategy,
        |(which, mutations, keep_ends)| {
            pdf_is_read_or_refused(mutate(originals[which].clone(), &mutations, keep_ends))
        },
    );
    assert_memory_bounded("pdf mutations");
}

/// A fixture with its first page's content replaced by random operators, uncompressed:
/// the content-stream interpreter meets them with the fixture's real fonts.
fn with_content(original: &[u8], content: &[u8]) -> Option<Vec<u8>> {
    let mut doc = lopdf::Document::load_mem(original).ok()?;
    let page = *doc.get_pages().values().next()?;
    let stream = lopdf::Stream::new(lopdf::Dictionary::new(), content.to_vec());
    let id = doc.add_object(stream);
    doc.get_object_mut(page)
        .ok()?
        .as_dict_mut()
        .ok()?
        .set("Contents", lopdf::Object::Reference(id));
    let mut out = Vec::new();
    doc.save_to(&mut out).ok()?;
    Some(out)
}

fn content_token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(vec![
            &b"BT"[..], b"ET", b"Tf", b"Tj", b"TJ", b"'", b"\"", b"Td", b"TD", b"Tm", b"T*",
            b"Tc", b"Tw", b"Tz", b"TL", b"Ts", b"Tr", b"cm", b"q", b"Q", b"Do", b"re", b"f",
            b"BI", b"ID", b"EI", b"BMC", b"BDC", b"EMC", b"gs", b"d0", b"d1",
            b"/F1", b"/F2", b"/TT0", b"/TT1", b"/Im0", b"/Fm0", b"[", b"]", b"<<", b">>",
            b"(a)", b"(\\)", b"(\\\\", b"<00410042>", b"<4", b"()", b"(\xC4\x90i\xe1\xbb\x81u)",
            b"1e308", b"-1e308", b"nan", b"0", b"-0", b"12", b"99999999999", b"0.001", b"-.5",
        ]).prop_map(|t| t.to_vec()),
        1 => prop::collection::vec(any::<u8>(), 1..8),
    ]
}

#[test]
fn random_content_streams_are_read_or_refused() {
    let originals: Vec<Vec<u8>> = PDFS.iter().map(|n| fixture(n)).collect();
    let strategy = (
        0..originals.len(),
        prop::collection::vec(content_token(), 0..200),
    );
    check("pdf content", 100, strategy, |(which, tokens)| {
        let content = tokens.join(&b' ');
        match with_content(&originals[which], &content) {
            Some(bytes) => pdf_is_read_or_refused(bytes),
            None => Ok(()),
        }
    });
    // Fonts and every font's names: the font of the page may be named by tokens above.
    assert_memory_bounded("pdf content");
}

#[test]
fn random_bytes_are_refused_as_pdfs() {
    let strategy = (prop::collection::vec(any::<u8>(), 0..4096), prop::bool::ANY);
    check("pdf bytes", 200, strategy, |(body, framed)| {
        let bytes = if framed {
            [&b"%PDF-1.7\n"[..], &body, b"\nstartxref\n9\n%%EOF\n"].concat()
        } else {
            body
        };
        pdf_is_read_or_refused(bytes)
    });
}

/// A DOCX's text is read, or the file refused with a [`pdf::DocxError`].
fn docx_is_read_or_refused(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let outcome = bounded(Duration::from_secs(20), move || {
        pdf::extract_docx(&bytes, &DocxLimits::default()).map(|e| e.pages)
    })?;
    if let Err(e) = outcome {
        prop_assert!(e.is_client_error(), "{e}");
    }
    Ok(())
}

/// The fixture's parts, to rebuild archives with one part changed.
fn docx_parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the fixture is a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut data = vec![];
            entry.read_to_end(&mut data).expect("entry reads");
            (entry.name().to_owned(), data)
        })
        .collect()
}

fn zipped(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in parts {
        let options = zip::write::SimpleFileOptions::default();
        if out.start_file(name.as_str(), options).is_err() || out.write_all(data).is_err() {
            return vec![];
        }
    }
    out.finish().map(|c| c.into_inner()).unwrap_or_default()
}

#[test]
fn mutated_docx_are_read_or_refused() {
    let original = fixture("lo-liberation-serif.docx");
    let parts = docx_parts(&original);
    // The archive itself mutated.
    let strategy = (prop::collection::vec(mutation(), 1..8), prop::bool::ANY);
    check("docx archive", 300, strategy, |(mutations, keep_ends)| {
        docx_is_read_or_refused(mutate(original.clone(), &mutations, keep_ends))
    });
    // One part mutated inside a well-formed archive: the XML readers meet it.
    let strategy = (
        0..parts.len(),
        prop::collection::vec(mutation(), 1..8),
        prop::collection::vec(
            prop::sample::select(vec![
                &b"<w:p>"[..],
                b"</w:p>",
                b"<w:t>",
                b"</w:t>",
                b"<w:r>",
                b"<w:tab/>",
                b"<w:br/>",
                b"&amp;",
                b"&#0;",
                b"&#x110000;",
                b"&unknown;",
                b"<![CDATA[",
                b"]]>",
                b"<!--",
                b"<?xml",
                b"<!DOCTYPE a [<!ENTITY e \"x\">]>",
                b"xmlns:w=\"x\"",
                b"\"",
                b"<",
                b"Target=\"../../etc/passwd\"",
                b"<Pages>99999999999999999999</Pages>",
            ]),
            0..6,
        ),
    );
    check(
        "docx parts",
        300,
        strategy,
        |(which, mutations, inserts)| {
            let mut parts = parts.clone();
            let (_, data) = &mut parts[which];
            let mut changed = mutate(std::mem::take(data), &mutations, false);
            for (i, ins) in inserts.iter().enumerate() {
                let at = (i * 7919) % (changed.len() + 1);
                changed.splice(at..at, ins.iter().copied());
            }
            *data = changed;
            docx_is_read_or_refused(zipped(&parts))
        },
    );
    assert_memory_bounded("docx");
}

#[test]
fn random_bytes_are_refused_as_docx() {
    let strategy = (prop::collection::vec(any::<u8>(), 0..4096), prop::bool::ANY);
    check("docx bytes", 400, strategy, |(body, framed)| {
        let bytes = if framed {
            [&b"PK\x03\x04"[..], &body].concat()
        } else {
            body
        };
        docx_is_read_or_refused(bytes)
    });
}
