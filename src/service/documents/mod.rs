//! Documents: create, read, list, update, delete, withdraw, legal effect.

mod wire;
pub use wire::{AsOfQuery, DocumentPage, DocumentQuery, DocumentResponse, EffectResponse};

use crate::db::Tx;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::{clean_opt, clean_text, ensure_visible, policy, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, DocumentChanges};
use crate::db::{self, documents as q, Conn, Db};
use crate::domain::effect::{legal_effect, Effect, EffectInput, IncomingRelation};
use crate::domain::kinds::{DocumentKind, DocumentState};
use crate::domain::number::{title_key, DocumentNumber};
use crate::error::{ApiResult, AppError};

/// `Some(None)` when a field is sent as `null`, `None` when it is absent.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDocumentRequest {
    pub kind: DocumentKind,
    /// Số ký hiệu, e.g. `05/2017/QĐ-UBND`; assigned at signing for drafts.
    pub number: Option<String>,
    /// Trích yếu.
    pub title: String,
    /// Org unit id or code of the issuing body.
    pub issuer: Option<String>,
    pub field: Option<String>,
    pub signer: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    /// An external document (decree, circular, provincial decision...) recorded as
    /// already promulgated, so that relations can point at it.
    #[serde(default)]
    pub external: bool,
    pub iso_code: Option<String>,
    pub iso_revision: Option<String>,
    /// A legal draft: the day its drafting began, when that was before it was entered here
    /// (default: today). It decides the regime the draft follows (`legal_regime`).
    #[serde(default)]
    pub drafting_started_on: Option<NaiveDate>,
}

impl CreateDocumentRequest {
    /// A draft drafted here: its kind, title, issuer and field, nothing else yet.
    pub fn draft(
        kind: DocumentKind,
        title: String,
        issuer: Option<String>,
        field: Option<String>,
    ) -> Self {
        CreateDocumentRequest {
            kind,
            number: None,
            title,
            issuer,
            field,
            signer: None,
            signed_on: None,
            published_on: None,
            effective_from: None,
            effective_until: None,
            external: false,
            iso_code: None,
            iso_revision: None,
            drafting_started_on: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDocumentRequest {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub number: Option<Option<String>>,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub issuer: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub field: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub signer: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub signed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub published_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_from: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_until: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub iso_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub iso_revision: Option<Option<String>>,
}

/// Resolves an org unit given by id or by code.
pub fn resolve_org_unit(conn: &mut Conn, field: &'static str, key: &str) -> ApiResult<String> {
    if let Ok(u) = db::org_units::get(conn, key) {
        return Ok(u.id);
    }
    match db::org_units::by_code(conn, key)? {
        Some(u) => Ok(u.id),
        None => Err(AppError::invalid(field, format!("no org unit {key:?}"))),
    }
}

fn parse_number(raw: Option<&str>) -> ApiResult<Option<DocumentNumber>> {
    match raw {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => Ok(Some(DocumentNumber::parse(s)?)),
    }
}

fn check_dates(d: &Document) -> ApiResult<()> {
    if let (Some(s), Some(e)) = (d.signed_on, d.effective_from) {
        if e < s {
            return Err(AppError::invalid(
                "effective_from",
                "must not be before signed_on",
            ));
        }
    }
    if let (Some(f), Some(u)) = (d.effective_from.or(d.signed_on), d.effective_until) {
        if u <= f {
            return Err(AppError::invalid(
                "effective_until",
                "must be after the document takes effect",
            ));
        }
    }
    Ok(())
}

fn ensure_number_free(conn: &mut Conn, doc: &Document) -> ApiResult<()> {
    if let Some(key) = &doc.number_key {
        let clash = q::by_number_key(conn, key)?
            .into_iter()
            .any(|o| o.id != doc.id && o.issuer_id == doc.issuer_id && o.kind == doc.kind);
        if clash {
            return Err(AppError::Conflict {
                guard: Some("number_unique_per_issuer".into()),
                detail: format!(
                    "{} is already used by another document of this issuer",
                    doc.number.as_deref().unwrap_or_default()
                ),
            });
        }
    }
    Ok(())
}

/// Builds a document row from a request (no permission checks; used by import and demo too).
pub fn new_document(
    conn: &mut Conn,
    req: &CreateDocumentRequest,
    created_by: Option<String>,
) -> ApiResult<Document> {
    let number = parse_number(req.number.as_deref())?;
    let title = clean_text("title", &req.title, 2000)?;
    let issuer_id = match &req.issuer {
        Some(i) => Some(resolve_org_unit(conn, "issuer", i)?),
        None => None,
    };
    let state = if req.external {
        DocumentState::Published
    } else {
        DocumentState::Drafting
    };
    let legal_regime = if req.external || req.kind.is_iso() {
        if req.drafting_started_on.is_some() {
            return Err(AppError::invalid(
                "drafting_started_on",
                "only a legal draft made here has a drafting start",
            ));
        }
        None
    } else {
        Some(super::regimes::regime_for_new_draft(
            req.drafting_started_on,
        )?)
    };
    let now = db::now();
    let doc = Document {
        id: db::new_id(),
        kind: req.kind,
        number_key: number.as_ref().map(DocumentNumber::key),
        number: number.map(|n| n.as_str().to_owned()),
        title_key: title_key(&title),
        title,
        issuer_id,
        field: clean_opt("field", req.field.as_deref(), 200)?,
        signer: clean_opt("signer", req.signer.as_deref(), 200)?,
        signed_on: req.signed_on,
        published_on: req.published_on,
        effective_from: req.effective_from,
        effective_until: req.effective_until,
        state,
        external: req.external,
        external_id: None,
        iso_code: clean_opt("iso_code", req.iso_code.as_deref(), 64)?,
        iso_revision: clean_opt("iso_revision", req.iso_revision.as_deref(), 64)?,
        ever_approved: req.external,
        withdrawn_at: None,
        created_by,
        created_at: now,
        updated_at: now,
        row_version: 1,
        legal_regime,
        holder_id: None,
    };
    check_dates(&doc)?;
    Ok(doc)
}

/// Inserts a built document with its audit entry.
pub fn insert_audited(conn: &mut Tx<'_>, actor: &Actor, doc: &Document) -> ApiResult<Document> {
    ensure_number_free(conn, doc)?;
    let doc = q::insert(conn, doc)?;
    audit::append(
        conn,
        actor,
        Event {
            action: "document.create",
            entity_type: "document",
            entity_id: &doc.id,
            to_state: Some(doc.state.as_str()),
            details: Some(serde_json::json!({
                "kind": doc.kind, "number": doc.number, "title": doc.title,
                "legal_regime": doc.legal_regime,
            })),
            ..Default::default()
        },
    )?;
    Ok(doc)
}

pub fn create(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateDocumentRequest,
) -> ApiResult<Document> {
    policy::require_family(caller, req.kind)?;
    let doc = new_document(conn, req, Some(caller.user_id.clone()))?;
    policy::require_issuer(caller, doc.kind, doc.issuer_id.as_deref(), doc.external)?;
    let doc = insert_audited(conn, &caller.actor(), &doc)?;
    if req.kind.is_iso() {
        super::iso_hooks::register_defaults(conn, &caller.actor(), &doc)?;
    }
    Ok(doc)
}

/// What a district signed and published is immutable: a change is a new document that
/// amends it. (External documents are records of someone else's text: their metadata
/// may still be corrected; ISO documents change by new revisions under document control.)
pub fn ensure_not_promulgated(doc: &Document) -> ApiResult<()> {
    if !doc.external
        && !doc.kind.is_iso()
        && matches!(doc.state, DocumentState::Signed | DocumentState::Published)
    {
        return Err(AppError::Conflict {
            guard: Some("published_is_immutable".into()),
            detail: "a signed or published document cannot change; amend it with a new document"
                .into(),
        });
    }
    Ok(())
}

pub fn get(conn: &mut Conn, caller: Option<&Caller>, id: &str) -> ApiResult<Document> {
    ensure_visible(caller, q::get(conn, id)?)
}

pub fn update(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &UpdateDocumentRequest,
) -> ApiResult<Document> {
    let current = get(conn, Some(caller), id)?;
    policy::require_document_write(conn, caller, &current)?;
    ensure_changeable(&current, req, expected_version)?;
    let (next, ch) = apply(conn, &current, req)?;
    check_dates(&next)?;
    // A new issuer (or owner) must be one the caller may write for too.
    if next.issuer_id != current.issuer_id {
        policy::require_issuer(caller, next.kind, next.issuer_id.as_deref(), next.external)?;
    }
    ensure_number_free(conn, &next)?;
    let updated = q::update(conn, id, expected_version, &ch)?;
    audit::append(
        conn,
        &caller.actor(),
        Event::detailed(
            "document.update",
            "document",
            id,
            changed_fields(&current, &updated),
        ),
    )?;
    Ok(updated)
}

/// Whether the document's state lets its metadata change, and the client read the
/// current row version.
fn ensure_changeable(
    current: &Document,
    req: &UpdateDocumentRequest,
    expected_version: i32,
) -> ApiResult<()> {
    if current.state == DocumentState::Withdrawn {
        return Err(AppError::Conflict {
            guard: Some("withdrawn_is_final".into()),
            detail: "a withdrawn document is kept for the record and cannot change".into(),
        });
    }
    ensure_not_promulgated(current)?;
    if current.kind.is_iso() && req.iso_revision.is_some() {
        return Err(AppError::Conflict {
            guard: Some("iso_revision_set_by_issue".into()),
            detail: "an ISO document's revision changes only when a revision is issued".into(),
        });
    }
    if current.row_version != expected_version {
        return Err(AppError::Stale);
    }
    Ok(())
}

/// The document as the request would leave it, and the changes to store (each sent field
/// cleaned).
fn apply(
    conn: &mut Conn,
    current: &Document,
    req: &UpdateDocumentRequest,
) -> ApiResult<(Document, DocumentChanges)> {
    let mut ch = DocumentChanges::default();
    let mut next = current.clone();
    if let Some(n) = &req.number {
        let parsed = parse_number(n.as_deref())?;
        next.number_key = parsed.as_ref().map(DocumentNumber::key);
        next.number = parsed.map(|p| p.as_str().to_owned());
        ch.number = Some(next.number.clone());
        ch.number_key = Some(next.number_key.clone());
    }
    if let Some(t) = &req.title {
        next.title = clean_text("title", t, 2000)?;
        next.title_key = title_key(&next.title);
        ch.title = Some(next.title.clone());
        ch.title_key = Some(next.title_key.clone());
    }
    if let Some(i) = &req.issuer {
        next.issuer_id = match i {
            Some(i) => Some(resolve_org_unit(conn, "issuer", i)?),
            None => None,
        };
        ch.issuer_id = Some(next.issuer_id.clone());
    }
    macro_rules! text_field {
        ($name:ident, $max:expr) => {
            if let Some(v) = &req.$name {
                next.$name = clean_opt(stringify!($name), v.as_deref(), $max)?;
                ch.$name = Some(next.$name.clone());
            }
        };
    }
    text_field!(field, 200);
    text_field!(signer, 200);
    text_field!(iso_code, 64);
    text_field!(iso_revision, 64);
    macro_rules! date_field {
        ($name:ident) => {
            if let Some(v) = req.$name {
                next.$name = v;
                ch.$name = Some(v);
            }
        };
    }
    date_field!(signed_on);
    date_field!(published_on);
    date_field!(effective_from);
    date_field!(effective_until);
    Ok((next, ch))
}

/// The before/after of every field that changed, for the audit entry.
fn changed_fields(before: &Document, after: &Document) -> serde_json::Value {
    let (b, a) = (document_json(before), document_json(after));
    let mut out = serde_json::Map::new();
    if let (Some(b), Some(a)) = (b.as_object(), a.as_object()) {
        for (k, av) in a {
            if matches!(
                k.as_str(),
                "updated_at" | "row_version" | "title_key" | "number_key"
            ) {
                continue;
            }
            if b.get(k) != Some(av) {
                out.insert(k.clone(), serde_json::json!({"from": b.get(k), "to": av}));
            }
        }
    }
    serde_json::Value::Object(out)
}

fn document_json(d: &Document) -> serde_json::Value {
    serde_json::json!({
        "number": d.number, "title": d.title, "issuer_id": d.issuer_id, "field": d.field,
        "signer": d.signer, "signed_on": d.signed_on, "published_on": d.published_on,
        "effective_from": d.effective_from, "effective_until": d.effective_until,
        "iso_code": d.iso_code, "iso_revision": d.iso_revision,
    })
}

pub fn delete(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
) -> ApiResult<()> {
    let current = get(conn, Some(caller), id)?;
    policy::require_document_write(conn, caller, &current)?;
    if current.row_version != expected_version {
        return Err(AppError::Stale);
    }
    if current.ever_approved {
        return Err(AppError::Conflict {
            guard: Some("delete_only_before_approval".into()),
            detail: "a version of this document was approved: withdraw it instead".into(),
        });
    }
    q::delete(conn, id)?;
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "document.delete",
            entity_type: "document",
            entity_id: id,
            from_state: Some(current.state.as_str()),
            details: Some(serde_json::json!({"number": current.number, "title": current.title})),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub fn withdraw(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    reason: &str,
) -> ApiResult<Document> {
    caller.require(Action::WithdrawDocuments)?;
    let current = get(conn, Some(caller), id)?;
    policy::require_withdraw(conn, caller, &current)?;
    let reason = clean_text("reason", reason, 2000)?;
    if current.row_version != expected_version {
        return Err(AppError::Stale);
    }
    if current.state == DocumentState::Withdrawn {
        return Err(AppError::Conflict {
            guard: Some("withdrawn_is_final".into()),
            detail: "the document is already withdrawn".into(),
        });
    }
    let ch = DocumentChanges {
        state: Some(DocumentState::Withdrawn),
        withdrawn_at: Some(Some(db::now())),
        ..Default::default()
    };
    let updated = q::update(conn, id, expected_version, &ch)?;
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "document.withdraw",
            entity_type: "document",
            entity_id: id,
            from_state: Some(current.state.as_str()),
            to_state: Some(updated.state.as_str()),
            reason: Some(&reason),
            ..Default::default()
        },
    )?;
    super::iso_hooks::on_document_withdrawn(
        conn,
        &caller.actor(),
        Some(&caller.user_id),
        &updated,
        &reason,
    )?;
    Ok(updated)
}

pub fn incoming_relations(conn: &mut Conn, id: &str) -> ApiResult<Vec<IncomingRelation>> {
    Ok(db::search_feed::incoming_relations(conn, id)?)
}

/// The relation as the effect rules see it (see `db::search_feed::to_incoming`).
pub fn to_incoming(r: crate::db::models::Relation) -> ApiResult<Option<IncomingRelation>> {
    Ok(db::search_feed::to_incoming(r)?)
}

pub fn effect_with(
    doc: &Document,
    incoming: &[IncomingRelation],
    on: NaiveDate,
) -> ApiResult<Effect> {
    Ok(legal_effect(
        &EffectInput {
            state: doc.state,
            signed_on: doc.signed_on,
            effective_from: doc.effective_from,
            effective_until: doc.effective_until,
            incoming,
        },
        on,
    ))
}

pub fn effect(conn: &mut Conn, doc: &Document, on: NaiveDate) -> ApiResult<Effect> {
    let incoming = incoming_relations(conn, &doc.id)?;
    effect_with(doc, &incoming, on)
}

/// The incoming relations of many documents at once (one query), by target id.
pub fn incoming_for(
    conn: &mut Conn,
    docs: &[Document],
) -> ApiResult<std::collections::HashMap<String, Vec<IncomingRelation>>> {
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let rows = db::relations::incoming_to_any(conn, &ids)?;
    let mut by_target: std::collections::HashMap<String, Vec<IncomingRelation>> =
        std::collections::HashMap::new();
    for r in rows {
        let target = r.target_id.clone();
        if let Some(inc) = to_incoming(r)? {
            by_target.entry(target).or_default().push(inc);
        }
    }
    Ok(by_target)
}

/// Legal effect of many documents at once (one query for all their incoming relations).
pub fn effects(
    conn: &mut Conn,
    docs: &[Document],
    on: NaiveDate,
) -> ApiResult<std::collections::HashMap<String, Effect>> {
    let by_target = incoming_for(conn, docs)?;
    docs.iter()
        .map(|d| {
            let inc = by_target.get(&d.id).map(Vec::as_slice).unwrap_or(&[]);
            Ok((d.id.clone(), effect_with(d, inc, on)?))
        })
        .collect()
}

// Use cases: each opens its own connection or transaction and answers a read model.

/// Full read models for a page of documents: issuers and legal effects in two queries,
/// with the actions the role may take.
pub fn responses(
    conn: &mut Conn,
    docs: Vec<Document>,
    as_of: NaiveDate,
    caller: Option<&Caller>,
) -> ApiResult<Vec<DocumentResponse>> {
    let ids: Vec<&str> = docs
        .iter()
        .flat_map(|d| [d.issuer_id.as_deref(), d.holder_id.as_deref()])
        .flatten()
        .collect();
    let units = db::org_units::by_ids(conn, &ids)?;
    let mut found = effects(conn, &docs, as_of)?;
    docs.into_iter()
        .map(|d| {
            let e = found
                .remove(&d.id)
                .ok_or_else(|| AppError::internal("effect missing"))?;
            // A drafter moves only the drafts of their own unit: the actions of another
            // unit's draft are not theirs to take (the transition refuses them too).
            let role = caller
                .filter(|c| policy::may_move_draft(conn, c, &d))
                .map(|c| c.role);
            let mut r = DocumentResponse::from_row(d, &units, e, as_of)?;
            r.allowed_actions = crate::domain::workflow::allowed_actions(
                r.state,
                role,
                r.external || r.kind.is_iso(),
            );
            Ok(r)
        })
        .collect()
}

/// The read model of one document.
pub fn response(
    conn: &mut Conn,
    doc: Document,
    as_of: NaiveDate,
    caller: Option<&Caller>,
) -> ApiResult<DocumentResponse> {
    responses(conn, vec![doc], as_of, caller)?
        .pop()
        .ok_or_else(|| AppError::internal("empty response"))
}

fn encode_cursor(d: &Document) -> String {
    use base64::Engine;
    let raw = format!("{}|{}", d.created_at.and_utc().timestamp_micros(), d.id);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(c: &str) -> ApiResult<(chrono::NaiveDateTime, String)> {
    use base64::Engine;
    let bad = || AppError::invalid("cursor", "not a cursor returned by this API");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (micros, id) = raw.split_once('|').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = chrono::DateTime::from_timestamp_micros(micros)
        .ok_or_else(bad)?
        .naive_utc();
    // Only a document id reaches the database (PostgreSQL refuses text with a NUL).
    let id = uuid::Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((at, id.to_string()))
}

/// One page of the documents the caller may see, newest first.
pub async fn page(db: &Db, caller: Option<Caller>, q: DocumentQuery) -> ApiResult<DocumentPage> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid("limit", "between 1 and 200"));
    }
    let as_of = q.as_of.unwrap_or_else(super::today);
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let text = match q.q.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => {
            if t.chars().count() > 200 {
                return Err(AppError::invalid("q", "at most 200 characters"));
            }
            Some(t.to_owned())
        }
        _ => None,
    };
    let vis = super::visibility(caller.as_ref());
    db.run(move |conn| -> ApiResult<DocumentPage> {
        let issuer_id = match &q.issuer {
            Some(i) => Some(resolve_org_unit(conn, "issuer", i)?),
            None => None,
        };
        let holder_id = match &q.holder {
            Some(h) => Some(resolve_org_unit(conn, "holder", h)?),
            None => None,
        };
        let filter = q::ListFilter {
            kind: q.kind.map(|k| k.as_str().to_owned()),
            issuer_id,
            holder_id,
            field: q.field.clone(),
            year: q.year,
            state: q.state.map(|s| s.as_str().to_owned()),
            legal_effect: q.legal_effect.map(|e| (e, as_of)),
            text,
            external: q.external,
            after,
            limit: limit + 1,
        };
        let mut docs = q::list(conn, &vis, &filter)?;
        let more = docs.len() as i64 > limit;
        docs.truncate(limit as usize);
        let next_cursor = if more {
            docs.last().map(encode_cursor)
        } else {
            None
        };
        Ok(DocumentPage {
            items: responses(conn, docs, as_of, caller.as_ref())?,
            next_cursor,
        })
    })
    .await
}

/// Creates a document.
pub async fn create_document(
    db: &Db,
    caller: Caller,
    req: CreateDocumentRequest,
) -> ApiResult<DocumentResponse> {
    written(db, caller, move |conn, c| create(conn, c, &req)).await
}

/// Runs a write as the caller in one transaction and answers the document as it left it.
async fn written<F>(db: &Db, caller: Caller, write: F) -> ApiResult<DocumentResponse>
where
    F: FnOnce(&mut Tx<'_>, &Caller) -> ApiResult<Document> + Send + 'static,
{
    db.tx(move |conn| {
        let d = write(conn, &caller)?;
        response(conn, d, super::today(), Some(&caller))
    })
    .await
}

/// A document the caller may see, with its legal effect on `as_of`.
pub async fn get_document(
    db: &Db,
    caller: Option<Caller>,
    id: String,
    as_of: NaiveDate,
) -> ApiResult<DocumentResponse> {
    db.run(move |conn| {
        let d = get(conn, caller.as_ref(), &id)?;
        response(conn, d, as_of, caller.as_ref())
    })
    .await
}

/// Changes a document's metadata at its row version.
pub async fn update_document(
    db: &Db,
    caller: Caller,
    id: String,
    row_version: i32,
    req: UpdateDocumentRequest,
) -> ApiResult<DocumentResponse> {
    written(db, caller, move |conn, c| {
        update(conn, c, &id, row_version, &req)
    })
    .await
}

/// Deletes a document at its row version.
pub async fn delete_document(
    db: &Db,
    caller: Caller,
    id: String,
    row_version: i32,
) -> ApiResult<()> {
    db.tx(move |conn| delete(conn, &caller, &id, row_version))
        .await
}

/// Withdraws a document at its row version.
pub async fn withdraw_document(
    db: &Db,
    caller: Caller,
    id: String,
    row_version: i32,
    reason: String,
) -> ApiResult<DocumentResponse> {
    written(db, caller, move |conn, c| {
        withdraw(conn, c, &id, row_version, &reason)
    })
    .await
}

/// The legal effect on `on` of a document the caller may see.
pub async fn effect_of(
    db: &Db,
    caller: Option<Caller>,
    id: String,
    on: NaiveDate,
) -> ApiResult<Effect> {
    db.run(move |conn| {
        let d = get(conn, caller.as_ref(), &id)?;
        effect(conn, &d, on)
    })
    .await
}
