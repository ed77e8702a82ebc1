//! The layering of `src/` as a test: each file's `crate::…` and `super::…` paths (in `use`
//! items and inline, `crate::db::x()`) and its `actix_*` and `diesel` paths are read, and
//! the test fails on an edge that [`RULES`] forbids or on a cycle between the files of one
//! folder. `docs/ARCHITECTURE.md` explains the rules.
//!
//! Two more rules read the code of `src/api` and `src/web` as text: a handler or a page does
//! not decide who may act
//! ([`DECIDES`]: the use case asks the policy) and holds no connection ([`CONNECTS`]: the
//! use case opens its own).
//!
//! [`KNOWN`], [`KNOWN_CYCLES`] and [`KNOWN_CONNECTS`] list what is broken today. They only
//! shrink: an entry that no longer occurs fails the test too, so the lists stay true.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod source;

use std::collections::{BTreeMap, BTreeSet};

/// `(layer, layers and crates it must not reach, why)`. A layer is the first segment of a
/// module path (`api`, `service`, ...); a crate is an outside crate such as `diesel`; a
/// longer path (`db::schema`) forbids that module and what is below it.
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "api",
        &["db", "diesel"],
        "api calls use cases; it never sees a connection",
    ),
    (
        "web",
        &["db", "diesel"],
        "pages call the use cases of the API; they never see a connection",
    ),
    (
        "service",
        &[
            "api",
            "app",
            "web",
            "actix_web",
            "actix_multipart",
            "actix_http",
        ],
        "service knows nothing of HTTP",
    ),
    (
        "service",
        &["diesel", "db::schema"],
        "service calls the queries of db; it builds none itself",
    ),
    (
        "search",
        &["service", "api", "app", "web", "actix_web"],
        "search depends on domain and db only",
    ),
    (
        "pdf",
        &["service", "api", "app", "web", "search", "actix_web"],
        "pdf depends on domain and db only",
    ),
    (
        "db",
        &["service", "api", "app", "web", "search", "pdf", "actix_web"],
        "db is below every use case",
    ),
    (
        "domain",
        &[
            "db",
            "service",
            "api",
            "app",
            "web",
            "search",
            "pdf",
            "actix_web",
        ],
        "domain is pure rules, no I/O",
    ),
];

/// Edges a rule forbids but that are right: `(file, exact path)`. The app state in
/// `api/mod.rs` holds the pool handle and passes it to the use cases.
const ALLOWED: &[(&str, &str)] = &[("src/api/mod.rs", "crate::db::Db")];

/// Forbidden edges that exist today, `(file, layer or crate reached)`. Must shrink to empty.
const KNOWN: &[(&str, &str)] = &[];

/// Cycles between the files of one folder that exist today. Must shrink to empty.
const KNOWN_CYCLES: &[&str] = &[];

/// What a handler must not write: deciding who may act is the service's policy.
const DECIDES: &[&str] = &[".require(", "allows(", "Action::"];

/// What a handler must not write: the service opens its own connections and transactions.
const CONNECTS: &[&str] = &[".run(", ".tx(", "Conn"];

/// Handlers that still hold a connection today, `(file, word of [`CONNECTS`])`. Must shrink
/// to empty; an entry that no longer occurs fails the test.
const KNOWN_CONNECTS: &[(&str, &str)] = &[];

/// Outside crates whose paths are collected.
const CRATES: &[&str] = &["actix_web", "actix_multipart", "actix_http", "diesel"];

/// What a layout of files breaks: forbidden edges `(file, target, why, path)` and cycles.
#[derive(Debug, Default)]
struct Report {
    forbidden: BTreeSet<(String, String, String, String)>,
    cycles: BTreeSet<String>,
}

#[test]
fn layering_holds() {
    let mut files = source::sources();
    // The binary is the top of everything: it may reach any layer.
    files.retain(|(path, _)| path != "src/main.rs");
    let report = check(&files);

    let mut failures = Vec::new();
    let known: BTreeSet<(String, String)> = KNOWN
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    let mut seen = BTreeSet::new();
    for (file, target, why, path) in &report.forbidden {
        let key = (file.clone(), target.clone());
        if known.contains(&key) {
            seen.insert(key);
        } else {
            failures.push(format!("{file} → {target} ({path}): {why}"));
        }
    }
    for (file, target) in known.difference(&seen) {
        failures.push(format!(
            "KNOWN lists {file} → {target}, which no longer occurs: remove the entry"
        ));
    }
    let known_cycles: BTreeSet<String> = KNOWN_CYCLES.iter().map(|c| c.to_string()).collect();
    for cycle in report.cycles.difference(&known_cycles) {
        failures.push(format!("cycle between the files of one folder: {cycle}"));
    }
    for cycle in known_cycles.difference(&report.cycles) {
        failures.push(format!(
            "KNOWN_CYCLES lists {cycle}, which no longer occurs: remove the entry"
        ));
    }
    assert!(
        failures.is_empty(),
        "layering (see docs/ARCHITECTURE.md):\n{}",
        failures.join("\n")
    );
}

/// The `(file, word)` pairs of the files under `src/api` whose code (comments and strings
/// aside) contains one of `words`.
fn api_words(words: &[&str]) -> BTreeSet<(String, String)> {
    source::sources()
        .into_iter()
        .filter(|(path, _)| path.starts_with("src/api/") || path.starts_with("src/web/"))
        .flat_map(|(path, text)| {
            let code = strip(&text);
            words
                .iter()
                .filter(move |w| code.contains(*w))
                .map(move |w| (path.clone(), w.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Fails on the words of `found` not listed in `known`, and on the entries of `known`
/// that no longer occur.
fn compare(found: &BTreeSet<(String, String)>, known: &[(&str, &str)], why: &str) -> Vec<String> {
    let known: BTreeSet<(String, String)> = known
        .iter()
        .map(|(f, w)| (f.to_string(), w.to_string()))
        .collect();
    let new = found
        .difference(&known)
        .map(|(f, w)| format!("{f} contains `{w}`: {why}"));
    let gone = known
        .difference(found)
        .map(|(f, w)| format!("the list names {f} for `{w}`, which no longer occurs: remove it"));
    new.chain(gone).collect()
}

#[test]
fn handlers_do_not_decide_who_may_act() {
    let failures = compare(
        &api_words(DECIDES),
        &[],
        "the use case asks the policy (service/policy.rs), not the handler",
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn handlers_hold_no_connection() {
    let failures = compare(
        &api_words(CONNECTS),
        KNOWN_CONNECTS,
        "the use case opens its own connection or transaction",
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checker_catches_forbidden_edges_and_cycles() {
    let file = |p: &str, s: &str| (p.to_owned(), s.to_owned());
    let files = [
        file("src/lib.rs", "pub mod api; pub mod db; pub mod service;"),
        file("src/db/mod.rs", "pub struct Db; pub mod documents;"),
        file("src/db/documents.rs", ""),
        file(
            "src/api/mod.rs",
            "use crate::db::{self as store, Db};\n// crate::service::api\n",
        ),
        file(
            "src/api/documents.rs",
            "fn f() { let s = \"crate::db::x\"; let c = '\"'; crate::db::documents::by_id(s); }",
        ),
        file(
            "src/service/mod.rs",
            "pub mod a; pub mod b; /* use crate::api; */",
        ),
        file(
            "src/service/a.rs",
            "use super::{b::{self, run}, *}; fn f<'x>(y: &'x str) {}",
        ),
        file(
            "src/service/b.rs",
            "fn g() { super::a::f(); actix_web::HttpResponse::Ok(); }",
        ),
        file(
            "src/service/c.rs",
            "use crate::db::{self, schema::documents}; use diesel::prelude::*; fn h() { db::documents::by_id(); }",
        ),
    ];
    let report = check(&files);
    let forbidden: Vec<(&str, &str)> = report
        .forbidden
        .iter()
        .map(|(f, t, _, _)| (f.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        forbidden,
        [
            ("src/api/documents.rs", "db"),
            ("src/api/mod.rs", "db"),
            ("src/service/b.rs", "actix_web"),
            ("src/service/c.rs", "db::schema"),
            ("src/service/c.rs", "diesel"),
        ]
    );
    // `crate::db::Db` in api/mod.rs is allowed; `crate::db` itself (`self as store`) is not.
    assert!(report
        .forbidden
        .iter()
        .all(|(_, _, _, path)| path != "crate::db::Db"));
    assert_eq!(
        report.cycles,
        BTreeSet::from(["service::{a, b}".to_owned()])
    );
}

/// The checker: edges of every file, the rules applied to them, and the cycles.
fn check(files: &[(String, String)]) -> Report {
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(p, _)| module_of(p)).collect();
    let mut report = Report::default();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (path, text) in files {
        let from = module_of(path);
        for to in edges(&from, text) {
            let target = to.first().cloned().unwrap_or_default();
            let layer = from.first().cloned().unwrap_or_default();
            let shown = shown_path(&to);
            for (rule_layer, forbidden, why) in RULES {
                if *rule_layer != layer || ALLOWED.contains(&(path.as_str(), shown.as_str())) {
                    continue;
                }
                for reached in forbidden.iter().filter(|f| reaches(&to, f)) {
                    report.forbidden.insert((
                        path.clone(),
                        reached.to_string(),
                        why.to_string(),
                        shown.clone(),
                    ));
                }
            }
            // Within one folder: the sibling module the path lands in, if any.
            if from.is_empty() || CRATES.contains(&target.as_str()) {
                continue;
            }
            let module = longest_module(&to, &modules);
            let parent = &from[..from.len() - 1];
            if module.len() > parent.len() && module.starts_with(parent) {
                let sibling = module[..from.len()].to_vec();
                if sibling != from {
                    graph.entry(from.clone()).or_default().insert(sibling);
                }
            }
        }
    }
    report.cycles = cycles(&graph);
    report
}

/// Whether the path `to` lands in `forbidden` (`db`, `db::schema`) or below it.
fn reaches(to: &[String], forbidden: &str) -> bool {
    let segments: Vec<&str> = forbidden.split("::").collect();
    to.len() >= segments.len() && to.iter().zip(&segments).all(|(a, b)| a == b)
}

/// `src/api/mod.rs` → `["api"]`, `src/api/documents.rs` → `["api", "documents"]`.
fn module_of(path: &str) -> Vec<String> {
    let rel = path.strip_prefix("src/").unwrap_or(path);
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut segments: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if matches!(
        segments.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segments.pop();
    }
    segments
}

fn longest_module(path: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
        .unwrap_or_default()
}

fn shown_path(to: &[String]) -> String {
    if CRATES.contains(&to.first().map(String::as_str).unwrap_or("")) {
        to.join("::")
    } else {
        format!("crate::{}", to.join("::"))
    }
}

/// The paths a file names: crate-relative (`["db", "Db"]`), or starting with the name of an
/// outside crate of [`CRATES`].
fn edges(from: &[String], text: &str) -> Vec<Vec<String>> {
    let code: Vec<char> = strip(text).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let starts =
            is_ident(code[i]) && (i == 0 || !(is_ident(code[i - 1]) || code[i - 1] == ':'));
        if !starts {
            i += 1;
            continue;
        }
        let (word, end) = ident(&code, i);
        let roots = ["crate", "super"];
        if (roots.contains(&word.as_str()) || CRATES.contains(&word.as_str()))
            && code[end..].starts_with(&[':', ':'])
        {
            let (tails, next) = tree(&code, end + 2);
            for tail in tails {
                let mut full = vec![word.clone()];
                full.extend(tail);
                out.extend(resolve(from, &full));
            }
            i = next;
        } else {
            i = end;
        }
    }
    out
}

/// `crate::a::b` → `[a, b]`; `super::super::x` from `[a, b, c]` → `[a, x]`; outside crates
/// are kept as they are.
fn resolve(from: &[String], full: &[String]) -> Option<Vec<String>> {
    match full.first()?.as_str() {
        "crate" => Some(full[1..].to_vec()),
        "super" => {
            let ups = full.iter().take_while(|s| *s == "super").count();
            let base = from.get(..from.len().checked_sub(ups)?)?;
            Some(base.iter().chain(&full[ups..]).cloned().collect())
        }
        _ => Some(full.to_vec()),
    }
}

/// The paths of a `use` tree or an inline path starting at `i` (just after a `::`):
/// `a::{b, c::d}` → `[a, b]`, `[a, c, d]`. `self` in a group names the prefix itself.
fn tree(code: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        i = skip_ws(code, i);
        match code.get(i) {
            Some('{') => {
                let mut out = Vec::new();
                i += 1;
                loop {
                    i = skip_ws(code, i);
                    match code.get(i) {
                        Some('}') => return (out, i + 1),
                        Some(',') => i += 1,
                        None => return (out, i),
                        _ => {
                            let (tails, next) = tree(code, i);
                            for tail in tails {
                                let mut p = prefix.clone();
                                p.extend(tail.into_iter().filter(|s| s != "self"));
                                out.push(p);
                            }
                            i = next;
                            // Skip `as alias` and anything up to the next item of the group.
                            while let Some(c) = code.get(i) {
                                if *c == ',' || *c == '}' {
                                    break;
                                }
                                i += 1;
                            }
                        }
                    }
                }
            }
            Some(c) if is_ident(*c) => {
                let (word, end) = ident(code, i);
                prefix.push(word);
                let after = skip_ws(code, end);
                if code[after..].starts_with(&[':', ':']) {
                    i = after + 2;
                } else {
                    return (vec![prefix], end);
                }
            }
            // `*`, `<`, or the end of the path.
            _ => return (vec![prefix], i),
        }
    }
}

fn ident(code: &[char], i: usize) -> (String, usize) {
    let end = (i..code.len())
        .find(|&j| !is_ident(code[j]))
        .unwrap_or(code.len());
    (code[i..end].iter().collect(), end)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn skip_ws(code: &[char], mut i: usize) -> usize {
    while code.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// The text with comments, string literals and character literals blanked out, so that
/// only code is left to read.
fn strip(text: &str) -> String {
    let s: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && s.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if let Some(hashes) = raw_string_start(&s, i) {
            // r"..." or r#"..."#, possibly b-prefixed: ends at `"` followed by the hashes.
            i = (i..s.len()).find(|&j| s[j] == '"').unwrap_or(s.len()) + 1;
            while i < s.len() {
                if s[i] == '"' && (1..=hashes).all(|k| s.get(i + k) == Some(&'#')) {
                    i += hashes + 1;
                    break;
                }
                i += 1;
            }
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (next == Some('\\') || s.get(i + 2) == Some(&'\'')) {
            // A character literal; a lifetime (`'a`) has no closing quote two places on.
            i += 1;
            while i < s.len() && s[i] != '\'' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// If a raw string literal starts at `i` (`r"`, `r#"`, `br"`...), the number of `#`s.
fn raw_string_start(s: &[char], i: usize) -> Option<usize> {
    if i > 0 && is_ident(s[i - 1]) {
        return None;
    }
    let mut j = i;
    if s.get(j) == Some(&'b') {
        j += 1;
    }
    if s.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = s[j..].iter().take_while(|c| **c == '#').count();
    (s.get(j + hashes) == Some(&'"')).then_some(hashes)
}

/// The cycles of a graph of sibling modules, each shown as `parent::{a, b}`: every
/// strongly connected component of more than one module.
fn cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> BTreeSet<String> {
    let nodes: BTreeSet<&Vec<String>> = graph.keys().chain(graph.values().flatten()).collect();
    let reaches = |a: &Vec<String>, b: &Vec<String>| {
        let mut stack = vec![a];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            for m in graph.get(n).into_iter().flatten() {
                if m == b {
                    return true;
                }
                if seen.insert(m) {
                    stack.push(m);
                }
            }
        }
        false
    };
    let mut out = BTreeSet::new();
    let mut placed: BTreeSet<&Vec<String>> = BTreeSet::new();
    for &a in &nodes {
        if placed.contains(a) {
            continue;
        }
        let component: Vec<&Vec<String>> = nodes
            .iter()
            .copied()
            .filter(|b| *b == a || (reaches(a, b) && reaches(b, a)))
            .collect();
        if component.len() > 1 {
            let parent = a[..a.len() - 1].join("::");
            let names: Vec<&str> = component.iter().map(|m| m[m.len() - 1].as_str()).collect();
            out.insert(format!("{parent}::{{{}}}", names.join(", ")));
        }
        placed.extend(component);
    }
    out
}
