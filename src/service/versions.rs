//! Versions: immutable expressions of a document, with their text, file and structure.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents::{self as docs};
use super::{clean_opt, Caller};
use crate::auth::Action;
use crate::config::PdfSettings;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, ProvisionRow, Version};
use crate::db::{self, Conn, Db, Tx};
use crate::domain::kinds::DocumentState;
use crate::domain::structure;
use crate::error::{ApiResult, AppError};

/// Largest version text accepted (characters).
pub const MAX_BODY_CHARS: usize = 5_000_000;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVersionRequest {
    /// "Dự thảo 2", "Lần ban hành 03"; defaults to "Phiên bản N".
    pub label: Option<String>,
    /// The full text.
    pub body: Option<String>,
    pub change_summary: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateVersionRequest {
    pub label: Option<String>,
    pub body: Option<String>,
    pub change_summary: Option<String>,
}

/// An uploaded original file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub content_type: String,
    pub file_name: Option<String>,
    pub data: Vec<u8>,
}

pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Decides the type from the bytes themselves: a declared type is not trusted.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"%PDF-") {
        Some(PDF)
    } else if data.starts_with(b"PK\x03\x04") && contains(data, b"word/") {
        Some(DOCX)
    } else {
        None
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn clean_body(body: Option<&str>) -> ApiResult<Option<String>> {
    match body {
        None => Ok(None),
        Some(b) => {
            let b = crate::domain::text::nfc(b);
            if b.chars().count() > MAX_BODY_CHARS {
                return Err(AppError::invalid(
                    "body",
                    format!("at most {MAX_BODY_CHARS} characters"),
                ));
            }
            let b = crate::domain::text::strip_controls(&b);
            Ok(if b.trim().is_empty() { None } else { Some(b) })
        }
    }
}

/// Rows for the provisions of a text, addressed by their structure paths.
pub fn provision_rows(version_id: &str, body: &str) -> Vec<ProvisionRow> {
    structure::flatten(&structure::parse(body))
        .into_iter()
        .map(|p| ProvisionRow {
            id: db::new_id(),
            version_id: version_id.to_owned(),
            ord: p.ord,
            depth: p.depth,
            kind: serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            number: p.number,
            path: p.path,
            heading: p.heading,
            body: p.text,
            external_id: None,
        })
        .collect()
}

/// The caller may add a version to `doc` now (and change its metadata: the same checks).
pub fn check_writable(conn: &mut Conn, caller: &Caller, doc: &Document) -> ApiResult<()> {
    super::policy::require_document_write(conn, caller, doc)?;
    docs::ensure_not_promulgated(doc)?;
    if doc.state == DocumentState::Withdrawn {
        return Err(AppError::Conflict {
            guard: Some("withdrawn_is_final".into()),
            detail: "a withdrawn document takes no new versions".into(),
        });
    }
    Ok(())
}

/// What a new version is made of (already cleaned).
#[derive(Debug, Clone, Default)]
pub struct NewVersion {
    pub label: Option<String>,
    pub body: Option<String>,
    pub change_summary: Option<String>,
    pub upload: Option<Upload>,
    /// Provisions given by the caller (import keeps corpus ids); parsed from the body otherwise.
    pub provisions: Option<Vec<ProvisionRow>>,
}

/// Inserts a version (and its file and provisions) with its audit entry; no permission
/// checks, so that import and demo loading share it.
pub fn insert_version(
    conn: &mut Tx<'_>,
    actor: &Actor,
    doc: &Document,
    new: NewVersion,
) -> ApiResult<Version> {
    let NewVersion {
        label,
        body,
        change_summary,
        upload,
        provisions,
    } = new;
    if body.is_none() && upload.is_none() {
        return Err(AppError::invalid("body", "send the text, a file, or both"));
    }
    super::iso_hooks::before_new_revision(conn, doc)?;
    let seq = db::versions::next_seq(conn, &doc.id)?;
    let (blob_sha256, file_name) = match upload {
        Some(u) => {
            let sha = db::blobs::put(conn, &u.content_type, u.data)?;
            (Some(sha), u.file_name)
        }
        None => (None, None),
    };
    let id = db::new_id();
    let rows = match (&provisions, &body) {
        (Some(rows), _) => rows.clone(),
        (None, Some(b)) => provision_rows(&id, b),
        (None, None) => vec![],
    };
    let v = db::versions::insert(
        conn,
        &Version {
            id: id.clone(),
            document_id: doc.id.clone(),
            seq,
            label: label.unwrap_or_else(|| format!("Phiên bản {seq}")),
            body,
            blob_sha256,
            file_name,
            change_summary,
            author_id: actor.id.clone(),
            approved_at: None,
            approved_by: None,
            created_at: db::now(),
        },
    )?;
    db::versions::insert_provisions(conn, &rows)?;
    super::iso_hooks::record_new_revision(conn, doc, &v)?;
    audit::append(
        conn,
        actor,
        Event::detailed(
            "version.create",
            "document",
            &doc.id,
            serde_json::json!({
                "version_id": v.id, "seq": v.seq, "label": v.label, "file_sha256": v.blob_sha256
            }),
        ),
    )?;
    Ok(v)
}

/// An uploaded file that opened and whose text was read.
#[derive(Debug, Clone)]
pub struct CheckedUpload {
    pub upload: Upload,
    pub extracted: crate::pdf::Extracted,
}

/// Reads an uploaded file's text, which is also how it is checked: a PDF or DOCX that does
/// not open (damaged, encrypted, without pages, inflating past the limits, too slow) is the
/// client's error, whether or not the version's text was sent beside it. Needs no database:
/// it runs on the blocking threads within the configured time, before any connection is
/// taken (a hostile file holds neither an async worker nor SQLite's write lock).
pub async fn check_upload(
    caller: &Caller,
    upload: Upload,
    settings: &PdfSettings,
) -> ApiResult<CheckedUpload> {
    caller.require(Action::EditDocuments)?;
    let limit = super::pdf_time_limit(settings);
    let timed_out = AppError::invalid(
        "file",
        format!("reading the file took longer than {} s", limit.as_secs()),
    );
    let settings = settings.clone();
    super::within(limit, timed_out, move || {
        let extracted = extract(&upload, &settings)?;
        Ok(CheckedUpload { upload, extracted })
    })
    .await
}

pub fn create(
    conn: &mut Tx<'_>,
    caller: &Caller,
    document_id: &str,
    req: &CreateVersionRequest,
    upload: Option<CheckedUpload>,
) -> ApiResult<Version> {
    caller.require(Action::EditDocuments)?;
    let doc = docs::get(conn, Some(caller), document_id)?;
    check_writable(conn, caller, &doc)?;
    let label = clean_opt("label", req.label.as_deref(), 200)?;
    let change_summary = clean_opt("change_summary", req.change_summary.as_deref(), 10_000)?;
    let mut body = clean_body(req.body.as_deref())?;
    let (upload, extracted) = match upload {
        Some(c) => (Some(c.upload), Some(c.extracted)),
        None => (None, None),
    };
    // The text of an uploaded file becomes the version's text (and so its structure and
    // its search entries) unless the text was sent too.
    if let (Some(x), None) = (&extracted, &body) {
        if x.text_layer && !x.text.trim().is_empty() {
            body = clean_body(Some(&x.text))?;
        }
    }
    let v = insert_version(
        conn,
        &caller.actor(),
        &doc,
        NewVersion {
            label,
            body,
            change_summary,
            upload,
            provisions: None,
        },
    )?;
    if let Some(x) = extracted {
        db::versions::record_extraction(conn, &v.id, x.text_layer, x.pages as i32)?;
    }
    Ok(v)
}

/// Extracts the text of an uploaded PDF or DOCX; a damaged file is the client's error.
fn extract(u: &Upload, settings: &PdfSettings) -> ApiResult<crate::pdf::Extracted> {
    let work = if u.content_type == PDF {
        "extract_pdf"
    } else {
        "extract_docx"
    };
    crate::metrics::timed(&crate::metrics::METRICS.pdf, &[work], || {
        extract_any(u, settings)
    })
}

fn extract_any(u: &Upload, settings: &PdfSettings) -> ApiResult<crate::pdf::Extracted> {
    if u.content_type == PDF {
        Ok(crate::pdf::extract_pdf(
            &u.data,
            &super::pdf_limits(settings),
        )?)
    } else {
        let limits = crate::pdf::DocxLimits {
            max_bytes: settings.max_bytes,
            ..Default::default()
        };
        crate::pdf::extract_docx(&u.data, &limits)
            .map_err(|e| AppError::invalid("file", e.to_string()))
    }
}

/// A version and its document, if the caller may see the document.
pub fn get(conn: &mut Conn, caller: Option<&Caller>, id: &str) -> ApiResult<(Version, Document)> {
    let v = db::versions::get(conn, id)?;
    let doc = docs::get(conn, caller, &v.document_id)?;
    Ok((v, doc))
}

pub fn list(
    conn: &mut Conn,
    caller: Option<&Caller>,
    document_id: &str,
) -> ApiResult<Vec<Version>> {
    docs::get(conn, caller, document_id)?;
    Ok(db::versions::list(conn, document_id)?)
}

/// Edits an unapproved version. Approved versions are immutable: a correction is a
/// new version.
pub fn update(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    if_match: &str,
    req: &UpdateVersionRequest,
) -> ApiResult<Version> {
    caller.require(Action::EditDocuments)?;
    let (v, doc) = get(conn, Some(caller), id)?;
    check_writable(conn, caller, &doc)?;
    if v.approved_at.is_some() {
        return Err(AppError::Conflict {
            guard: Some("approved_versions_are_immutable".into()),
            detail: "this version was approved; add a new version instead".into(),
        });
    }
    super::iso_hooks::check_version_editable(conn, &v)?;
    if version_etag(&v) != if_match {
        return Err(AppError::Stale);
    }
    let label = clean_opt("label", req.label.as_deref(), 200)?.unwrap_or(v.label.clone());
    let change_summary = match &req.change_summary {
        Some(c) => clean_opt("change_summary", Some(c), 10_000)?,
        None => v.change_summary.clone(),
    };
    let body = match &req.body {
        Some(b) => clean_body(Some(b))?,
        None => v.body.clone(),
    };
    if body.is_none() && v.blob_sha256.is_none() {
        return Err(AppError::invalid(
            "body",
            "a version without a file needs its text",
        ));
    }
    let edited = db::versions::edit_unapproved(
        conn,
        id,
        &label,
        body.as_deref(),
        change_summary.as_deref(),
    )?;
    if !edited {
        return Err(AppError::Stale);
    }
    if req.body.is_some() {
        let rows = body
            .as_deref()
            .map(|b| provision_rows(id, b))
            .unwrap_or_default();
        db::versions::replace_provisions(conn, id, &rows)?;
    }
    audit::append(
        conn,
        &caller.actor(),
        Event::detailed(
            "version.update",
            "document",
            &doc.id,
            serde_json::json!({"version_id": id, "body_changed": req.body.is_some()}),
        ),
    )?;
    Ok(db::versions::get(conn, id)?)
}

/// Approves a version: it becomes immutable and its document can no longer be deleted.
pub fn approve(conn: &mut Tx<'_>, caller: &Caller, id: &str) -> ApiResult<Version> {
    caller.require(Action::ApproveVersions)?;
    let (v, doc) = get(conn, Some(caller), id)?;
    super::iso_hooks::refuse_generic_approval(conn, &v)?;
    if v.author_id.as_deref() == Some(caller.user_id.as_str()) {
        return Err(AppError::Conflict {
            guard: Some("approver_is_not_author".into()),
            detail: "the author of a version may not approve it".into(),
        });
    }
    if !db::versions::approve(conn, id, &caller.user_id, db::now())? {
        return Err(AppError::Conflict {
            guard: Some("approved_once".into()),
            detail: "this version is already approved".into(),
        });
    }
    db::documents::mark_ever_approved(conn, &doc)?;
    audit::append(
        conn,
        &caller.actor(),
        Event::detailed(
            "version.approve",
            "document",
            &doc.id,
            serde_json::json!({"version_id": id, "seq": v.seq}),
        ),
    )?;
    Ok(db::versions::get(conn, id)?)
}

// Use cases: each opens its own connection or transaction and answers a read model.

/// The read model of a version: its file's type and size, and its revision state.
pub fn response(conn: &mut Conn, v: Version, with_body: bool) -> ApiResult<VersionResponse> {
    let meta = match &v.blob_sha256 {
        None => None,
        Some(sha) => Some(db::blobs::meta(conn, sha)?),
    };
    let state = super::iso_hooks::revision_state(conn, &v.id)?;
    let mut resp = VersionResponse::from_row(v, meta, with_body);
    resp.state = state;
    resp.is_current = state.map(|s| s == crate::domain::kinds::RevisionState::Current);
    Ok(resp)
}

/// Adds a version to a document: its uploaded file (if any) is read first, outside any
/// transaction ([`check_upload`]), then the version is written.
pub async fn add_version(
    db: &Db,
    caller: Caller,
    document_id: String,
    req: CreateVersionRequest,
    upload: Option<Upload>,
    settings: &PdfSettings,
) -> ApiResult<VersionResponse> {
    let upload = match upload {
        Some(u) => Some(check_upload(&caller, u, settings).await?),
        None => None,
    };
    written(db, false, move |conn| {
        create(conn, &caller, &document_id, &req, upload)
    })
    .await
}

/// Runs a write in one transaction and answers the version as it left it (with its text
/// if `with_body`).
async fn written<F>(db: &Db, with_body: bool, write: F) -> ApiResult<VersionResponse>
where
    F: FnOnce(&mut Tx<'_>) -> ApiResult<Version> + Send + 'static,
{
    db.tx(move |conn| {
        let v = write(conn)?;
        response(conn, v, with_body)
    })
    .await
}

on_db! {
    /// The versions of a document the caller may see, oldest first.
    run versions_of(caller: Option<Caller>, document_id: String) -> Vec<VersionResponse>
        = |conn| {
        list(conn, caller.as_ref(), &document_id)?
            .into_iter()
            .map(|v| response(conn, v, false))
            .collect()
    };
    /// One version, with its text.
    run get_version(caller: Option<Caller>, id: String) -> VersionResponse = |conn| {
        let (v, _) = get(conn, caller.as_ref(), &id)?;
        response(conn, v, true)
    };
    /// The original file of a version, checked against its SHA-256, and its file name.
    run file_of(caller: Option<Caller>, id: String)
        -> (crate::db::models::Blob, Option<String>) = |conn| {
        let (v, _) = get(conn, caller.as_ref(), &id)?;
        let sha = v.blob_sha256.ok_or(AppError::NotFound)?;
        Ok((db::blobs::get(conn, &sha)?, v.file_name))
    };
}

/// Changes an unapproved version read with ETag `if_match`.
pub async fn update_version(
    db: &Db,
    caller: Caller,
    id: String,
    if_match: String,
    req: UpdateVersionRequest,
) -> ApiResult<VersionResponse> {
    written(db, true, move |conn| {
        update(conn, &caller, &id, &if_match, &req)
    })
    .await
}

/// Approves a version.
pub async fn approve_version(db: &Db, caller: Caller, id: String) -> ApiResult<VersionResponse> {
    written(db, false, move |conn| approve(conn, &caller, &id)).await
}

fn to_nodes(
    tree: Vec<structure::Provision>,
    ext: &std::collections::HashMap<String, String>,
) -> Vec<ProvisionNode> {
    tree.into_iter()
        .map(|p| ProvisionNode {
            external_id: ext.get(&p.path).cloned(),
            children: to_nodes(p.children, ext),
            kind: p.kind,
            number: p.number,
            path: p.path,
            heading: p.heading,
            text: p.text,
        })
        .collect()
}

/// A version's text as a tree of provisions, each with its stable path.
pub async fn structure_of(
    db: &Db,
    caller: Option<Caller>,
    id: String,
) -> ApiResult<StructureResponse> {
    db.run(move |conn| -> ApiResult<StructureResponse> {
        let (v, _) = get(conn, caller.as_ref(), &id)?;
        structure(conn, &v)
    })
    .await
}

/// The structure of a version already read (its text parsed, with the corpus ids of its
/// imported provisions).
pub fn structure(conn: &mut Conn, v: &Version) -> ApiResult<StructureResponse> {
    let ext: std::collections::HashMap<String, String> = db::versions::provisions(conn, &v.id)?
        .into_iter()
        .filter_map(|p| p.external_id.map(|e| (p.path, e)))
        .collect();
    let tree = structure::parse(v.body.as_deref().unwrap_or(""));
    Ok(StructureResponse {
        version_id: v.id.clone(),
        provisions: to_nodes(tree, &ext),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_trusts_bytes_not_names() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(PDF));
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml"), Some(DOCX));
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml"), None);
        assert_eq!(sniff(b"<html>"), None);
    }
}

// ---- Wire shapes ----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileInfo {
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub file_name: Option<String>,
    /// Where to download it.
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionResponse {
    pub id: String,
    pub document_id: String,
    pub seq: i32,
    pub label: String,
    /// The full text (only when one version is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub has_text: bool,
    pub file: Option<FileInfo>,
    pub change_summary: Option<String>,
    pub author_id: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub approved_at: Option<NaiveDateTime>,
    pub approved_by: Option<String>,
    /// Approved versions never change.
    pub immutable: bool,
    /// For a revision of an ISO document: draft, in_review, approved, current,
    /// superseded or withdrawn (absent for other documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<crate::domain::kinds::RevisionState>,
    /// For a revision of an ISO document: whether it is the one in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_current: Option<bool>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    pub etag: String,
}

impl VersionResponse {
    pub fn from_row(v: Version, file: Option<(String, i64)>, with_body: bool) -> Self {
        let etag = version_etag(&v);
        VersionResponse {
            file: v.blob_sha256.clone().map(|sha| {
                let (content_type, size) = file.unwrap_or_default();
                FileInfo {
                    url: format!("/api/v1/versions/{}/file", v.id),
                    sha256: sha,
                    content_type,
                    size,
                    file_name: v.file_name.clone(),
                }
            }),
            has_text: v.body.is_some(),
            body: if with_body { v.body } else { None },
            immutable: v.approved_at.is_some(),
            state: None,
            is_current: None,
            id: v.id,
            document_id: v.document_id,
            seq: v.seq,
            label: v.label,
            change_summary: v.change_summary,
            author_id: v.author_id,
            approved_at: v.approved_at,
            approved_by: v.approved_by,
            created_at: v.created_at,
            etag,
        }
    }
}

/// One provision of a version's structure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvisionNode {
    pub kind: crate::domain::structure::ProvisionKind,
    pub number: String,
    /// Stable address such as `dieu-5/khoan-2/diem-a`.
    pub path: String,
    pub heading: Option<String>,
    pub text: String,
    /// The corpus id of an imported article.
    pub external_id: Option<String>,
    #[schema(no_recursion)]
    pub children: Vec<ProvisionNode>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StructureResponse {
    pub version_id: String,
    pub provisions: Vec<ProvisionNode>,
}

/// The ETag of a version: it changes whenever anything editable changes.
pub fn version_etag(v: &Version) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        v.label.as_str(),
        v.body.as_deref().unwrap_or(""),
        v.change_summary.as_deref().unwrap_or(""),
        v.blob_sha256.as_deref().unwrap_or(""),
        if v.approved_at.is_some() {
            "approved"
        } else {
            ""
        },
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..12])
}
