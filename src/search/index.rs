//! The index: its schema, opening (rebuilt when its schema version changed), and
//! keeping it current from the database.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use diesel::prelude::*;
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, STORED, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::analysis;
use super::SearchError;
use crate::db::models::{Document, OrgUnit, ProvisionRow};
use crate::db::schema::{audit_log, documents, org_units, provisions};
use crate::db::{self, Conn, Db};
use crate::domain::kinds::DocumentState;

/// Bump when the schema or the analysis changes: an older index is rebuilt on start.
pub const SCHEMA_VERSION: u32 = 6;
const VERSION_FILE: &str = "vanban-schema-version";
const WRITER_HEAP: usize = 100_000_000;

/// Day number used for "no start" and "no end".
pub const NEVER: i64 = i64::MAX;
pub const ALWAYS: i64 = i64::MIN;

pub fn day(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::MIN).num_days()
}

#[derive(Clone, Copy)]
pub struct Fields {
    pub doc_id: Field,
    pub unit: Field,
    pub path: Field,
    pub external_id: Field,
    pub number: Field,
    pub number_display: Field,
    pub title: Field,
    pub title_folded: Field,
    pub heading: Field,
    pub heading_folded: Field,
    pub body: Field,
    /// The stored text of `body`, as bytes: tantivy checks stored strings with the
    /// standard UTF-8 validation, which took half the time of reading a hit.
    pub body_text: Field,
    pub body_folded: Field,
    pub heading_pairs: Field,
    pub body_pairs: Field,
    pub kind: Field,
    pub issuer_id: Field,
    /// The unit the document belongs to now: its issuer, or its inheritor after a
    /// reorganisation.
    pub holder_id: Field,
    /// The document's row version when indexed (what `vanban check` compares).
    pub row_version: Field,
    pub field: Field,
    pub public: Field,
    pub created_by: Field,
    pub year: Field,
    pub start_day: Field,
    pub end_day: Field,
    pub signed_day: Field,
    pub facets: Field,
    /// Keys of the suggestions (see `suggest`): the folded title and the number key of a
    /// document, the folded heading of an article.
    pub suggest: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let o = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        o.set_stored()
    } else {
        o
    }
}

fn pairs() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::PAIRS_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let num = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        doc_id: b.add_text_field("doc_id", STRING | STORED),
        unit: b.add_text_field("unit", STRING | STORED),
        path: b.add_text_field("path", STRING | STORED),
        external_id: b.add_text_field("external_id", STRING | STORED),
        number: b.add_text_field("number", text(analysis::NUMBER_TOKENIZER, false)),
        number_display: b.add_text_field("number_display", STORED),
        title: b.add_text_field("title", text(analysis::TOKENIZER, true)),
        title_folded: b.add_text_field("title_folded", text(analysis::FOLDED_TOKENIZER, false)),
        heading: b.add_text_field("heading", text(analysis::TOKENIZER, true)),
        heading_folded: b.add_text_field("heading_folded", text(analysis::FOLDED_TOKENIZER, false)),
        body: b.add_text_field("body", text(analysis::TOKENIZER, false)),
        body_text: b.add_bytes_field("body_text", STORED),
        body_folded: b.add_text_field("body_folded", text(analysis::FOLDED_TOKENIZER, false)),
        heading_pairs: b.add_text_field("heading_pairs", pairs()),
        body_pairs: b.add_text_field("body_pairs", pairs()),
        kind: b.add_text_field("kind", STRING | STORED),
        issuer_id: b.add_text_field("issuer_id", STRING | STORED),
        holder_id: b.add_text_field("holder_id", STRING),
        row_version: b.add_i64_field("row_version", NumericOptions::default().set_stored()),
        field: b.add_text_field("field", STRING),
        public: b.add_text_field("public", STRING),
        created_by: b.add_text_field("created_by", STRING),
        year: b.add_u64_field("year", num.clone()),
        start_day: b.add_i64_field("start_day", num.clone()),
        end_day: b.add_i64_field("end_day", num.clone()),
        signed_day: b.add_i64_field("signed_day", num.set_stored()),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        suggest: b.add_text_field("suggest", STRING),
    };
    (b.build(), fields)
}

pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub fields: Fields,
    /// The last audit sequence number reflected in the index.
    last_seq: AtomicI64,
    plain_weights: std::sync::RwLock<super::weights::PlainWeights>,
    /// Per-segment facet groups and filter bitsets, reused between searches.
    pub(super) segments: super::collect::SegmentCache,
    /// The accented forms of each folded syllable, for questions typed without diacritics.
    pub(super) statistics: super::restore::Statistics,
}

/// The file of an index folder that names the database it mirrors (see [`Mirror`]).
const MIRROR_FILE: &str = "mirrors";

/// How an index folder stands to a database. The database is named by the hash of its
/// audit log's first entry ([`crate::db::audit::first_hash`]): two databases never share it,
/// a copy of the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    /// The folder mirrors this database, or has not said which (a new folder).
    Same,
    /// It mirrors another database (`database`: this one's name; none when it is empty).
    Other {
        recorded: String,
        database: Option<String>,
    },
}

impl Mirror {
    /// The name of the database of `conn` (none while it is empty).
    pub fn name_of(conn: &mut crate::db::Conn) -> Result<Option<String>, SearchError> {
        Ok(crate::db::audit::first_hash(conn)?)
    }

    /// Whether the folder `dir` mirrors the database named `database`.
    pub fn of(dir: &Path, database: Option<&str>) -> Mirror {
        let Ok(recorded) = std::fs::read_to_string(dir.join(MIRROR_FILE)) else {
            return Mirror::Same;
        };
        let recorded = recorded.trim().to_owned();
        if Some(recorded.as_str()) == database {
            Mirror::Same
        } else {
            Mirror::Other {
                recorded,
                database: database.map(str::to_owned),
            }
        }
    }

    /// Records in `dir` that it mirrors the database named `database` (an empty database
    /// has no name: the next start adopts the folder).
    pub fn record(dir: &Path, database: Option<&str>) -> Result<(), SearchError> {
        let path = dir.join(MIRROR_FILE);
        let io = |e: std::io::Error| SearchError::Index(format!("{}: {e}", path.display()));
        match database {
            Some(name) => std::fs::write(&path, name).map_err(io),
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
                _ => Ok(()),
            },
        }
    }
}

/// A reader reloaded by hand, and the last audit entry the index's last commit applied.
fn reader_of(index: &Index) -> Result<(IndexReader, i64), SearchError> {
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let last_seq = index
        .load_metas()?
        .payload
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(0);
    Ok((reader, last_seq))
}

/// What an index folder holds, as [`snapshot`] reads it.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every document with the row version it was indexed at.
    pub documents: std::collections::HashMap<String, i64>,
    /// The last audit entry applied.
    pub last_seq: i64,
}

/// What an index folder holds, read without taking its writer (a running server may hold
/// it). `None` when the folder holds no index of this schema version.
pub fn snapshot(dir: &Path) -> Result<Option<Snapshot>, SearchError> {
    let current = std::fs::read_to_string(dir.join(VERSION_FILE))
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok());
    if current != Some(SCHEMA_VERSION) {
        return Ok(None);
    }
    let index = Index::open_in_dir(dir)?;
    analysis::register(index.tokenizers());
    let (reader, last_seq) = reader_of(&index)?;
    let (_, fields) = build_schema();
    let searcher = reader.searcher();
    let unit = tantivy::query::TermQuery::new(
        Term::from_field_text(fields.unit, "document"),
        IndexRecordOption::Basic,
    );
    let addrs = searcher.search(&unit, &tantivy::collector::DocSetCollector)?;
    let mut out = std::collections::HashMap::with_capacity(addrs.len());
    for addr in addrs {
        use tantivy::schema::Value;
        let doc: TantivyDocument = searcher.doc(addr)?;
        let id = doc.get_first(fields.doc_id).and_then(|v| v.as_str());
        let version = doc.get_first(fields.row_version).and_then(|v| v.as_i64());
        if let Some(id) = id {
            out.insert(id.to_owned(), version.unwrap_or(-1));
        }
    }
    Ok(Some(Snapshot {
        documents: out,
        last_seq,
    }))
}

impl SearchIndex {
    /// Opens the index in `dir` (created if missing; wiped and recreated if its schema
    /// version differs), or in RAM when `dir` is None.
    pub fn open(dir: Option<&Path>) -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        let index = match dir {
            None => Index::create_in_ram(schema),
            Some(dir) => {
                let version_path = dir.join(VERSION_FILE);
                let current = std::fs::read_to_string(&version_path)
                    .ok()
                    .and_then(|v| v.trim().parse::<u32>().ok());
                if current != Some(SCHEMA_VERSION) && dir.exists() {
                    tracing::info!(dir = %dir.display(), "search index from another schema version: rebuilding");
                    std::fs::remove_dir_all(dir)
                        .map_err(|e| SearchError::Index(format!("{}: {e}", dir.display())))?;
                }
                std::fs::create_dir_all(dir)
                    .map_err(|e| SearchError::Index(format!("{}: {e}", dir.display())))?;
                let mmap = tantivy::directory::MmapDirectory::open(dir)
                    .map_err(|e| SearchError::Index(e.to_string()))?;
                let index = Index::open_or_create(mmap, schema)?;
                std::fs::write(&version_path, SCHEMA_VERSION.to_string())
                    .map_err(|e| SearchError::Index(format!("{}: {e}", version_path.display())))?;
                index
            }
        };
        // Tokenizers are not persisted: register them every time.
        analysis::register(index.tokenizers());
        let writer: IndexWriter = index.writer(WRITER_HEAP)?;
        let (reader, last_seq) = reader_of(&index)?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            last_seq: AtomicI64::new(last_seq),
            plain_weights: std::sync::RwLock::new(Default::default()),
            segments: Default::default(),
            statistics: Default::default(),
        })
    }

    pub fn plain_weights(&self) -> super::weights::PlainWeights {
        self.plain_weights.read().map(|w| *w).unwrap_or_default()
    }

    /// Changes the plain-text weights (used to tune them against the question sets).
    pub fn set_plain_weights(&self, w: super::weights::PlainWeights) {
        if let Ok(mut cur) = self.plain_weights.write() {
            *cur = w;
        }
    }

    pub fn last_seq(&self) -> i64 {
        self.last_seq.load(Ordering::SeqCst)
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, SearchError> {
        self.writer
            .lock()
            .map_err(|_| SearchError::Index("index writer poisoned".into()))
    }

    /// Replaces the entries of the given documents with their current state.
    fn put(
        &self,
        conn: &mut Conn,
        writer: &IndexWriter,
        ids: &[String],
    ) -> Result<(), SearchError> {
        let f = self.fields;
        for id in ids {
            writer.delete_term(Term::from_field_text(f.doc_id, id));
        }
        let docs: Vec<Document> = documents::table
            .filter(documents::id.eq_any(ids))
            .load(conn)?;
        let issuer_ids: Vec<&str> = docs.iter().filter_map(|d| d.issuer_id.as_deref()).collect();
        let units: std::collections::HashMap<String, OrgUnit> = org_units::table
            .filter(org_units::id.eq_any(issuer_ids))
            .load::<OrgUnit>(conn)?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        for d in docs {
            for td in documents_for(conn, &f, &d, &units)? {
                writer.add_document(td)?;
            }
        }
        Ok(())
    }

    fn commit(&self, writer: &mut IndexWriter, seq: i64) -> Result<(), SearchError> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&seq.to_string());
        prepared.commit()?;
        self.last_seq.store(seq, Ordering::SeqCst);
        self.reload()
    }

    /// Reloads the reader, and the statistics of the new segments, here rather than in
    /// the next search.
    fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload()?;
        self.statistics
            .get(&self.reader.searcher(), self.fields.body)
            .map(|_| ())
    }

    /// Indexes every document change after the last indexed audit entry. Returns the
    /// number of entries read.
    pub fn catch_up(&self, conn: &mut Conn) -> Result<usize, SearchError> {
        let mut total = 0;
        loop {
            let after = self.last_seq();
            let rows: Vec<(i64, String)> = audit_log::table
                .filter(audit_log::entity_type.eq("document"))
                .filter(audit_log::seq.gt(after))
                .order(audit_log::seq.asc())
                .select((audit_log::seq, audit_log::entity_id))
                .limit(2_000)
                .load(conn)?;
            let Some(max) = rows.last().map(|r| r.0) else {
                return Ok(total);
            };
            total += rows.len();
            let mut ids: Vec<String> = rows.into_iter().map(|r| r.1).collect();
            ids.sort();
            ids.dedup();
            let mut writer = self.writer()?;
            for chunk in ids.chunks(500) {
                self.put(conn, &writer, chunk)?;
            }
            self.commit(&mut writer, max)?;
        }
    }

    /// Rebuilds the whole index from the database; `progress(done, total)`.
    pub fn rebuild(
        &self,
        conn: &mut Conn,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<u64, SearchError> {
        // Changes committed while rebuilding are picked up by the next catch-up.
        let head: i64 = audit_log::table
            .select(diesel::dsl::max(audit_log::seq))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0);
        let total: i64 = documents::table.count().get_result(conn)?;
        let mut writer = self.writer()?;
        // No merges while rebuilding: all segments are merged into one at the end.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        writer.delete_all_documents()?;
        let mut done = 0u64;
        let mut after = String::new();
        loop {
            let ids: Vec<String> = documents::table
                .filter(documents::id.gt(&after))
                .order(documents::id.asc())
                .select(documents::id)
                .limit(500)
                .load(conn)?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            self.put(conn, &writer, &ids)?;
            done += ids.len() as u64;
            progress(done, total as u64);
            after = last;
        }
        let committed = self.commit(&mut writer, head);
        // One segment: each search looks every term up, and sets up its scorers, once
        // per segment (a rebuild leaves a dozen).
        let merged = committed.and_then(|_| {
            let segments = self.index.searchable_segment_ids()?;
            if segments.len() > 1 {
                writer.merge(&segments).wait()?;
                self.reload()?;
            }
            Ok(())
        });
        writer.set_merge_policy(Box::<tantivy::indexer::LogMergePolicy>::default());
        merged?;
        Ok(done)
    }

    /// Keeps the index current in a background thread until `stop` is set: a change
    /// committed by any process is searchable within about `interval`.
    pub fn follow(
        self: &Arc<Self>,
        db: Db,
        interval: Duration,
        stop: Arc<AtomicBool>,
    ) -> std::thread::JoinHandle<()> {
        let me = self.clone();
        std::thread::Builder::new()
            .name("search-follower".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let result = db
                        .get()
                        .map_err(SearchError::from)
                        .and_then(|mut c| me.catch_up(&mut c));
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "search index catch-up failed; retrying");
                    }
                    std::thread::sleep(interval);
                }
            })
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot start the search follower");
                std::thread::spawn(|| {})
            })
    }
}

/// The interval during which a document is in force, as day numbers [start, end),
/// ignoring suspensions (checked against the database for the hits shown).
fn in_force_days(conn: &mut Conn, d: &Document) -> Result<(i64, i64), SearchError> {
    let published = matches!(d.state, DocumentState::Published | DocumentState::Withdrawn);
    if !published {
        return Ok((NEVER, NEVER));
    }
    let start = d.effective_from.or(d.signed_on).map(day).unwrap_or(ALWAYS);
    let mut end = d.effective_until.map(day).unwrap_or(NEVER);
    let incoming = db::search_feed::incoming_relations(conn, &d.id)?;
    for r in incoming {
        if crate::domain::effect::ends_in_full(r.kind, r.scope) {
            end = end.min(day(r.effective_on));
        }
    }
    Ok((start, end))
}

fn documents_for(
    conn: &mut Conn,
    f: &Fields,
    d: &Document,
    units: &std::collections::HashMap<String, OrgUnit>,
) -> Result<Vec<TantivyDocument>, SearchError> {
    // A quality document is found by its current revision, never by a draft or an
    // obsolete one; other documents by their latest version.
    let version = match db::search_feed::indexed_version_id(conn, d)? {
        Some(id) => Some(db::versions::get(conn, &id)?),
        None => None,
    };
    // The provision hits are the articles; a text without articles (a plan, a scheme)
    // is cut at its sections, or else at its parts.
    let rows: Vec<ProvisionRow> = match &version {
        Some(v) => provisions::table
            .filter(provisions::version_id.eq(&v.id))
            .filter(provisions::depth.le(1).or(provisions::kind.eq("article")))
            .order(provisions::ord.asc())
            .load(conn)?,
        None => vec![],
    };
    let articles: Vec<ProvisionRow> = if rows.iter().any(|r| r.kind == "article") {
        rows.into_iter().filter(|r| r.kind == "article").collect()
    } else if rows.iter().any(|r| r.depth == 1) {
        rows.into_iter().filter(|r| r.depth == 1).collect()
    } else {
        rows
    };
    let (start, end) = in_force_days(conn, d)?;
    let public = matches!(d.state, DocumentState::Published | DocumentState::Withdrawn);
    let year = d
        .signed_on
        .map(|s| chrono::Datelike::year(&s))
        .filter(|y| *y > 0);
    let base = |unit: &str| {
        let mut td = TantivyDocument::default();
        td.add_text(f.doc_id, &d.id);
        td.add_i64(f.row_version, i64::from(d.row_version));
        td.add_text(f.unit, unit);
        if let Some(n) = &d.number {
            td.add_text(f.number, analysis::number_key(n));
            td.add_text(f.number_display, n);
            if unit == "document" {
                td.add_text(f.suggest, super::keys::number_key(n));
            }
        }
        if unit == "document" {
            td.add_text(f.suggest, super::keys::title_key(&d.title));
        }
        td.add_text(f.title, &d.title);
        td.add_text(f.title_folded, &d.title);
        td.add_text(f.kind, d.kind.as_str());
        td.add_facet(f.facets, Facet::from_path(["kind", d.kind.as_str()]));
        if let Some(i) = &d.issuer_id {
            td.add_text(f.issuer_id, i);
            let code = units.get(i).map(|u| u.code.as_str()).unwrap_or(i.as_str());
            td.add_facet(f.facets, Facet::from_path(["issuer", code]));
        }
        if let Some(h) = d.holder() {
            td.add_text(f.holder_id, h);
        }
        if let Some(fl) = &d.field {
            td.add_text(f.field, fl);
            td.add_facet(f.facets, Facet::from_path(["field", fl.as_str()]));
        }
        td.add_text(f.public, if public { "1" } else { "0" });
        if let Some(c) = &d.created_by {
            td.add_text(f.created_by, c);
        }
        if let Some(y) = year {
            td.add_u64(f.year, y as u64);
            td.add_facet(f.facets, Facet::from_path(["year", y.to_string().as_str()]));
        }
        td.add_i64(f.start_day, start);
        td.add_i64(f.end_day, end);
        td.add_i64(f.signed_day, d.signed_on.map(day).unwrap_or(0));
        td
    };
    let add_body = |td: &mut TantivyDocument, body: &str| {
        td.add_text(f.body, body);
        td.add_bytes(f.body_text, body.as_bytes());
        td.add_text(f.body_folded, body);
        td.add_text(f.body_pairs, analysis::syllable_pairs(body));
    };
    let text = version.as_ref().and_then(|v| v.body.as_deref());
    let mut out = Vec::with_capacity(articles.len() + 2);
    let mut whole = base("document");
    if let Some(body) = text {
        add_body(&mut whole, body);
    }
    out.push(whole);
    // A document without articles (only its metadata, or a text not cut into them) is a
    // hit of its own in the provision view, without a path.
    if articles.is_empty() {
        let mut td = base("provision");
        if let Some(body) = text {
            add_body(&mut td, body);
        }
        out.push(td);
    }
    for a in articles {
        let mut td = base("provision");
        td.add_text(f.path, &a.path);
        if let Some(e) = &a.external_id {
            td.add_text(f.external_id, e);
        }
        if let Some(h) = &a.heading {
            td.add_text(f.suggest, super::keys::heading_key(h));
            td.add_text(f.heading, h);
            td.add_text(f.heading_folded, h);
            td.add_text(f.heading_pairs, analysis::syllable_pairs(h));
        }
        add_body(&mut td, &a.body);
        out.push(td);
    }
    Ok(out)
}
