//! `vanban import FILE`: loads the Pháp điển corpus (`.jsonl` or `.jsonl.gz`).
//!
//! Article files (`phapdien_articles.*`): articles sharing a `number` become one
//! external document with one version and one provision per article, each keeping its
//! corpus `id` as its external id. Documents files (`phapdien_documents.*`): one
//! external document per line with its text. A document is identified by its corpus
//! number (`external_id`), an article by its corpus id: importing twice changes nothing,
//! and articles of one document spread over several files join the same version.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, ProvisionRow, Version};
use crate::db::schema::{provisions, versions};
use crate::db::{self, Conn, Tx};
use crate::domain::kinds::{DocumentKind, DocumentState, OrgUnitKind};
use crate::domain::number::{number_key, title_key};
use crate::domain::structure;
use crate::domain::text::nfc;

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    effective_date: String,
    #[serde(default)]
    doc_type: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    // Article files only.
    #[serde(default)]
    doc_title: Option<String>,
    #[serde(default)]
    source_article: Option<String>,
    #[serde(default)]
    article_title: Option<String>,
    // Documents files only.
    #[serde(default)]
    article_ids: Option<Vec<String>>,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub records: usize,
    pub documents_added: usize,
    pub provisions_added: usize,
    pub skipped: usize,
}

fn open(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 20, reader)))
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// One document of the corpus and what belongs to it.
struct Group {
    external_id: String,
    head: Record,
    articles: Vec<Record>,
}

fn read_groups(
    path: &Path,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<(Vec<Group>, usize)> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut order: Vec<String> = vec![];
    let mut n = 0usize;
    for (i, line) in open(path)?.lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(&line).with_context(|| {
            format!("{}: line {} is not a corpus record", path.display(), i + 1)
        })?;
        n += 1;
        progress.inc(1);
        let is_document = r.article_ids.is_some();
        let number = nfc(r.number.trim());
        let external_id = if is_document {
            nfc(r.id.trim())
        } else if number.is_empty() {
            format!(
                "title:{}",
                nfc(r.doc_title.as_deref().unwrap_or(&r.title).trim())
            )
        } else {
            number
        };
        match groups.get_mut(&external_id) {
            Some(g) => {
                if !is_document {
                    g.articles.push(r);
                }
            }
            None => {
                order.push(external_id.clone());
                let (head, articles) = if is_document {
                    (r, vec![])
                } else {
                    (
                        Record {
                            id: String::new(),
                            number: r.number.clone(),
                            issuer: r.issuer.clone(),
                            date: r.date.clone(),
                            effective_date: r.effective_date.clone(),
                            doc_type: r.doc_type.clone(),
                            title: r.doc_title.clone().unwrap_or_default(),
                            text: String::new(),
                            doc_title: None,
                            source_article: None,
                            article_title: None,
                            article_ids: None,
                        },
                        vec![r],
                    )
                };
                groups.insert(
                    external_id.clone(),
                    Group {
                        external_id,
                        head,
                        articles,
                    },
                );
            }
        }
    }
    let mut out = Vec::with_capacity(order.len());
    for k in order {
        if let Some(g) = groups.remove(&k) {
            out.push(g);
        }
    }
    Ok((out, n))
}

/// The issuer name of a corpus record. A few records carry an extraction artefact (the
/// title run into the issuer, "... ngày 12/11/2012 của Bộ Công an"): the body after the
/// last "của" is the issuer then; a name still too long is dropped.
fn clean_issuer(raw: &str) -> Option<String> {
    let name = nfc(raw.trim());
    if name.is_empty() {
        return None;
    }
    if name.chars().count() <= 120 {
        return Some(name);
    }
    name.rsplit_once(" của ")
        .map(|(_, tail)| tail.trim().to_owned())
        .filter(|t| !t.is_empty() && t.chars().count() <= 120)
}

/// Caches issuers by name, creating an external body for a name not seen before.
struct Issuers(HashMap<String, String>);

impl Issuers {
    fn id_for(
        &mut self,
        conn: &mut Tx<'_>,
        actor: &Actor,
        name: &str,
    ) -> anyhow::Result<Option<String>> {
        let Some(name) = clean_issuer(name) else {
            return Ok(None);
        };
        if let Some(id) = self.0.get(&name) {
            return Ok(Some(id.clone()));
        }
        let id = match db::org_units::by_name(conn, &name)? {
            Some(u) => u.id,
            None => {
                let digest = db::blobs::sha256_hex(name.as_bytes());
                let req = crate::service::org_units::CreateOrgUnitRequest {
                    code: format!("EXT-{}", &digest[..10].to_uppercase()),
                    name: name.clone(),
                    kind: OrgUnitKind::ExternalBody,
                    parent: None,
                    level: None,
                    established_on: None,
                    abolished_on: None,
                };
                crate::service::org_units::insert_audited(conn, actor, &req)
                    .map_err(|e| {
                        anyhow::anyhow!("issuer {name:?}: {}", e.detail().unwrap_or_default())
                    })?
                    .id
            }
        };
        self.0.insert(name, id.clone());
        Ok(Some(id))
    }
}

fn article_block(a: &Record) -> String {
    let num = a.source_article.as_deref().unwrap_or("").trim();
    let heading = a.article_title.as_deref().unwrap_or("").trim();
    format!("Điều {num}. {heading}\n{}", nfc(a.text.trim()))
}

/// The provision row of one article, its path taken from the parser so that the
/// structure endpoint and the stored rows agree; duplicates get a suffix.
fn article_row(version_id: &str, a: &Record, ord: i32, used: &mut HashSet<String>) -> ProvisionRow {
    let block = article_block(a);
    let num = a.source_article.as_deref().unwrap_or("").trim().to_owned();
    let base = structure::parse(&block)
        .into_iter()
        .next()
        .map(|p| p.path)
        .unwrap_or_else(|| format!("dieu-{ord}"));
    let mut path = base.clone();
    let mut k = 2;
    while !used.insert(path.clone()) {
        path = format!("{base}-{k}");
        k += 1;
    }
    ProvisionRow {
        id: db::new_id(),
        version_id: version_id.to_owned(),
        ord,
        depth: 0,
        kind: "article".into(),
        number: num,
        path,
        heading: a.article_title.as_deref().map(|t| nfc(t.trim())),
        body: block,
        external_id: Some(a.id.clone()),
    }
}

fn import_group(
    conn: &mut Tx<'_>,
    actor: &Actor,
    issuers: &mut Issuers,
    g: Group,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let existing = db::documents::by_external_id(conn, &g.external_id)?;
    let doc = match existing {
        Some(d) => d,
        None => {
            let h = &g.head;
            let kind = DocumentKind::from_vietnamese(&h.doc_type).unwrap_or(DocumentKind::Decision);
            let number = nfc(h.number.trim());
            let title = {
                let t = nfc(h.title.trim());
                if t.is_empty() {
                    g.external_id.clone()
                } else {
                    t
                }
            };
            let signed_on = date(&h.date);
            let effective_from =
                date(&h.effective_date).filter(|e| signed_on.is_none_or(|s| *e >= s));
            let now = db::now();
            let d = Document {
                id: db::new_id(),
                kind,
                number_key: (!number.is_empty()).then(|| number_key(&number)),
                number: (!number.is_empty()).then_some(number),
                title_key: title_key(&title),
                title,
                issuer_id: issuers.id_for(conn, actor, &h.issuer)?,
                field: None,
                signer: None,
                signed_on,
                published_on: None,
                effective_from,
                effective_until: None,
                state: DocumentState::Published,
                external: true,
                external_id: Some(g.external_id.clone()),
                iso_code: None,
                iso_revision: None,
                ever_approved: true,
                withdrawn_at: None,
                created_by: None,
                created_at: now,
                updated_at: now,
                row_version: 1,
                legal_regime: None,
                holder_id: None,
            };
            let d = db::documents::insert(conn, &d)?;
            audit::append(
                conn,
                actor,
                Event {
                    action: "document.import",
                    entity_type: "document",
                    entity_id: &d.id,
                    to_state: Some(d.state.as_str()),
                    details: Some(
                        serde_json::json!({"external_id": d.external_id, "number": d.number}),
                    ),
                    ..Default::default()
                },
            )?;
            report.documents_added += 1;
            d
        }
    };

    let version = db::versions::latest(conn, &doc.id)?;
    if g.head.article_ids.is_some() {
        // A documents-file record: its text becomes the version when there is none yet.
        if version.is_none() && !g.head.text.trim().is_empty() {
            let v = new_version(conn, &doc, Some(nfc(&g.head.text)))?;
            let ids = g.head.article_ids.clone().unwrap_or_default();
            let mut rows =
                crate::service::versions::provision_rows(&v.id, v.body.as_deref().unwrap_or(""));
            attach_article_ids(conn, &mut rows, &ids)?;
            report.provisions_added += rows.iter().filter(|r| r.external_id.is_some()).count();
            db::versions::insert_provisions(conn, &rows)?;
        } else {
            report.skipped += 1;
        }
        return Ok(());
    }

    // Article records: add the articles not imported yet to the document's version.
    let ids: Vec<&str> = g.articles.iter().map(|a| a.id.as_str()).collect();
    let mut known: HashSet<String> = HashSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<Option<String>> = provisions::table
            .filter(provisions::external_id.eq_any(chunk))
            .select(provisions::external_id)
            .load(conn.conn())?;
        known.extend(found.into_iter().flatten());
    }
    let fresh: Vec<&Record> = g
        .articles
        .iter()
        .filter(|a| !known.contains(&a.id))
        .collect();
    report.skipped += g.articles.len() - fresh.len();
    if fresh.is_empty() {
        return Ok(());
    }
    let v = match version {
        Some(v) => v,
        None => new_version(conn, &doc, None)?,
    };
    let existing_rows = db::versions::provisions(conn, &v.id)?;
    let mut used: HashSet<String> = existing_rows.iter().map(|r| r.path.clone()).collect();
    let first_ord = existing_rows.iter().map(|r| r.ord).max().unwrap_or(-1) + 1;
    let mut body = v.body.clone().unwrap_or_default();
    let mut rows = Vec::with_capacity(fresh.len());
    for (ord, a) in (first_ord..).zip(fresh) {
        let row = article_row(&v.id, a, ord, &mut used);
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&row.body);
        rows.push(row);
    }
    report.provisions_added += rows.len();
    db::versions::insert_provisions(conn, &rows)?;
    diesel::update(versions::table.find(&v.id))
        .set(versions::body.eq(Some(body)))
        .execute(conn.conn())?;
    audit::append(
        conn,
        actor,
        Event {
            action: "document.import_articles",
            entity_type: "document",
            entity_id: &doc.id,
            details: Some(serde_json::json!({"articles": rows.len()})),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// Article ids of a documents-file record, matched to parsed articles in order when the
/// counts agree (an article id already imported elsewhere is left where it is).
fn attach_article_ids(
    conn: &mut Conn,
    rows: &mut [ProvisionRow],
    ids: &[String],
) -> anyhow::Result<()> {
    let articles: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == "article")
        .map(|(i, _)| i)
        .collect();
    if articles.len() != ids.len() {
        return Ok(());
    }
    let taken: HashSet<String> = provisions::table
        .filter(provisions::external_id.eq_any(ids))
        .select(provisions::external_id)
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    for (i, id) in articles.into_iter().zip(ids) {
        if !taken.contains(id) {
            rows[i].external_id = Some(id.clone());
        }
    }
    Ok(())
}

fn new_version(conn: &mut Conn, doc: &Document, body: Option<String>) -> anyhow::Result<Version> {
    let now = db::now();
    Ok(db::versions::insert(
        conn,
        &Version {
            id: db::new_id(),
            document_id: doc.id.clone(),
            seq: 1,
            label: "Văn bản hợp nhất (Pháp điển)".into(),
            body,
            blob_sha256: None,
            file_name: None,
            change_summary: None,
            author_id: None,
            approved_at: Some(now),
            approved_by: None,
            created_at: now,
        },
    )?)
}

/// Imports one file, committing every `batch` documents so that a crash loses at most
/// one batch and a rerun picks up where it stopped.
pub fn import_file(db: &db::Db, path: &Path, show_progress: bool) -> anyhow::Result<ImportReport> {
    let style = indicatif::ProgressStyle::with_template(
        "{msg:12} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    let spinner = if show_progress {
        indicatif::ProgressBar::new_spinner().with_message("reading")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (groups, records) = read_groups(path, &spinner)?;
    spinner.finish_and_clear();
    let bar = if show_progress {
        indicatif::ProgressBar::new(groups.len() as u64)
            .with_style(style)
            .with_message("importing")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let actor = Actor {
        id: None,
        name: "import".into(),
    };
    let mut report = ImportReport {
        records,
        ..Default::default()
    };
    let mut issuers = Issuers(HashMap::new());
    let mut conn = db.get()?;
    let mut it = groups.into_iter().peekable();
    while it.peek().is_some() {
        let batch: Vec<Group> = it.by_ref().take(100).collect();
        let n = batch.len() as u64;
        db::write_transaction(&mut conn, |conn| -> anyhow::Result<()> {
            for g in batch {
                import_group(conn, &actor, &mut issuers, g, &mut report)?;
            }
            Ok(())
        })
        .inspect_err(|_| issuers.0.clear())?;
        bar.inc(n);
    }
    bar.finish_and_clear();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_artefacts_are_cut_to_the_issuing_body() {
        assert_eq!(clean_issuer(" Quốc hội ").as_deref(), Some("Quốc hội"));
        assert_eq!(clean_issuer(""), None);
        let long = format!(
            "Thủ tướng Chính phủ {} ngày 06/12/2007 của Thủ tướng Chính phủ",
            "về chế độ ".repeat(20)
        );
        assert_eq!(clean_issuer(&long).as_deref(), Some("Thủ tướng Chính phủ"));
        assert_eq!(clean_issuer(&"x".repeat(300)), None);
    }
}
