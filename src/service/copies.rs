//! Copies that leave the system: every version as a PDF (the uploaded one, or a
//! rendering of its text), stamped with what it is, and a verification code that
//! says later which document, version and stamp a printed copy belongs to.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Caller;
use crate::config::PdfSettings;
use crate::db::audit::{self, Event};
use crate::db::copies::Verification;
use crate::db::models::{Document, Version};
use crate::db::{self, Conn, Tx};
pub use crate::domain::kinds::StampChoice;
use crate::domain::kinds::{DocumentState, LegalEffect, RevisionState};
use crate::error::{ApiResult, AppError};
use crate::pdf::{self, ExpiredTitle, PdfError, StampKind, StampRequest};

/// Version of the text renderer: part of the cache key, so a better renderer re-renders.
const RENDERER: &str = "render-v1";

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StampQuery {
    /// Optional: the stamp expected. Every copy gets the stamp the version's state calls
    /// for (draft, official while in force, expired once no longer in force, obsolete for
    /// a superseded ISO revision); asking for another is a 409 `stamp_matches_state`.
    pub stamp: Option<StampChoice>,
    /// Not on this route: numbered controlled copies are issued through ISO distribution
    /// (409 `controlled_copies_through_distribution`).
    pub copy_no: Option<u32>,
    /// Not on this route (see `copy_no`).
    pub recipient: Option<String>,
}

impl From<PdfError> for AppError {
    fn from(e: PdfError) -> Self {
        match e {
            PdfError::NotPdf => AppError::UnsupportedFormat(e.to_string()),
            PdfError::TooLarge { .. } | PdfError::TooManyPages { .. } => {
                AppError::TooLarge(e.to_string())
            }
            e if e.is_client_error() => AppError::invalid("file", e.to_string()),
            e => AppError::Internal(e.to_string()),
        }
    }
}

/// The PDF of a version: its uploaded PDF, or its text rendered (cached by hash).
pub fn source_pdf(conn: &mut Conn, doc: &Document, v: &Version) -> ApiResult<(Vec<u8>, String)> {
    if let Some(sha) = &v.blob_sha256 {
        let blob = db::blobs::get(conn, sha)?;
        if blob.content_type == crate::service::versions::PDF {
            return Ok((blob.data, blob.sha256));
        }
    }
    let Some(body) = v.body.as_deref() else {
        return Err(AppError::Conflict {
            guard: Some("version_has_text".into()),
            detail: "this version has neither a PDF nor text to print".into(),
        });
    };
    let key = db::blobs::sha256_hex(format!("{RENDERER}\0{}\0{body}", doc.title).as_bytes());
    let cached = db::copies::rendition(conn, &key)?;
    if let Some(sha) = cached {
        let blob = db::blobs::get(conn, &sha)?;
        return Ok((blob.data, blob.sha256));
    }
    let rendered = pdf::render_text_pdf(&doc.title, body)?;
    let sha = db::blobs::put(conn, crate::service::versions::PDF, rendered.clone())?;
    db::copies::keep_rendition(conn, &key, &sha)?;
    Ok((rendered, sha))
}

fn verify_code() -> String {
    crate::domain::text::random_code(crate::domain::text::CODE_ALPHABET, 12)
}

/// The stamp a version's state calls for, and the only one it gets: obsolete once an ISO
/// revision is superseded or withdrawn, expired once a document is no longer in force, a
/// draft while the document (or the ISO revision) is one, official otherwise, printing
/// what the document has of its number and dates.
fn required_stamp(
    conn: &mut Conn,
    doc: &Document,
    v: &Version,
    today: NaiveDate,
) -> ApiResult<StampKind> {
    if let Some(o) = super::iso_hooks::required_stamp(conn, &v.id)? {
        return Ok(StampKind::Expired {
            title: ExpiredTitle::Obsolete,
            since: o.since.unwrap_or(today),
            replaced_by: o.replaced_by,
        });
    }
    let effect = super::documents::effect(conn, doc, today)?;
    if effect.effect == LegalEffect::Expired {
        let replaced_by = match effect.because.first() {
            Some(rid) => {
                let r = db::relations::get(conn, rid)?;
                let src = db::documents::get(conn, &r.source_id)?;
                Some(src.number.unwrap_or(src.title))
            }
            None => None,
        };
        return Ok(StampKind::Expired {
            title: if doc.kind.is_iso() {
                ExpiredTitle::Obsolete
            } else {
                ExpiredTitle::NoLongerInForce
            },
            since: effect.since.unwrap_or(today),
            replaced_by,
        });
    }
    let state: DocumentState = doc.state;
    let draft_revision = matches!(
        super::iso_hooks::revision_state(conn, &v.id)?,
        Some(RevisionState::Draft | RevisionState::InReview | RevisionState::Approved)
    );
    if state.is_draft() || draft_revision {
        return Ok(StampKind::Draft {
            label: v.label.clone(),
        });
    }
    Ok(StampKind::Official {
        number: doc.number.clone(),
        signed_on: doc.signed_on,
        effective_from: doc.effective_from.or(doc.signed_on),
    })
}

/// A `stamp` asked for must be the one the state calls for: a copy never says more (or
/// less) than the document is, and numbered controlled copies are issued only through ISO
/// distribution, to their recipients.
fn check_asked(q: &StampQuery, required: &StampKind) -> ApiResult<()> {
    if q.copy_no.is_some() || q.recipient.is_some() || q.stamp == Some(StampChoice::ControlledCopy)
    {
        return Err(AppError::Conflict {
            guard: Some("controlled_copies_through_distribution".into()),
            detail: "numbered controlled copies are issued through ISO distribution \
                     (GET /api/v1/iso/copies/{id}/pdf), one per recipient"
                .into(),
        });
    }
    let required_choice = choice_of(required);
    match q.stamp {
        Some(asked) if asked != required_choice => Err(AppError::Conflict {
            guard: Some("stamp_matches_state".into()),
            detail: format!(
                "this version's state calls for the {required_choice} stamp, not {asked}"
            ),
        }),
        _ => Ok(()),
    }
}

/// The recipient and number of a controlled copy (None for every other stamp).
fn copy_identity(k: &StampKind) -> (Option<String>, Option<i32>) {
    match k {
        StampKind::ControlledCopy {
            recipient, copy_no, ..
        } => (Some(recipient.clone()), Some(*copy_no as i32)),
        _ => (None, None),
    }
}

/// What a stamp is, in the vocabulary of the API and of the `verifications` table.
fn choice_of(k: &StampKind) -> StampChoice {
    match k {
        StampKind::Draft { .. } => StampChoice::Draft,
        StampKind::Official { .. } => StampChoice::Official,
        StampKind::ControlledCopy { .. } => StampChoice::ControlledCopy,
        StampKind::Expired { .. } => StampChoice::Expired,
    }
}

/// A copy ready to be stamped: its source PDF and the stamp, decided in a transaction. The
/// stamping itself ([`stamp`]) runs outside it, so that a slow or hostile file holds no
/// connection and no lock; [`record`] then writes the verification code.
#[derive(Debug, Clone)]
pub struct PreparedCopy {
    pub document_id: String,
    pub version_id: String,
    pub source: Vec<u8>,
    pub source_sha256: String,
    /// The code was issued before for this very copy: nothing to record.
    pub recorded: bool,
    pub request: StampRequest,
}

impl PreparedCopy {
    pub fn code(&self) -> &str {
        &self.request.verify_code
    }
}

/// A stamped copy of a version: what it must say (obsolete and expired override what is
/// asked), from which PDF, under which new verification code.
pub fn prepare_copy(
    conn: &mut Conn,
    caller: Option<&Caller>,
    version_id: &str,
    q: &StampQuery,
    base_url: &str,
) -> ApiResult<PreparedCopy> {
    let (v, doc) = super::versions::get(conn, caller, version_id)?;
    let kind = required_stamp(conn, &doc, &v, super::today())?;
    check_asked(q, &kind)?;
    prepare(conn, &doc, &v, kind, base_url)
}

/// One numbered controlled copy of an ISO revision, stamped with its number, recipient,
/// code and revision (or as obsolete once the revision is no longer current).
pub fn prepare_controlled_copy(
    conn: &mut Conn,
    caller: &Caller,
    copy_id: &str,
    base_url: &str,
) -> ApiResult<PreparedCopy> {
    caller.require(crate::auth::Action::ReadIsoRecords)?;
    let stamp = super::iso_hooks::controlled_copy_stamp(conn, copy_id)?;
    let copy = crate::db::iso::get_copy(conn, copy_id)?;
    let (v, doc) = super::versions::get(conn, Some(caller), &copy.version_id)?;
    // Obsolete (or expired) overrides the copy's own stamp.
    let kind = match required_stamp(conn, &doc, &v, super::today())? {
        expired @ StampKind::Expired { .. } => expired,
        _ => StampKind::ControlledCopy {
            copy_no: stamp.copy_no.max(1) as u32,
            recipient: stamp.recipient,
            iso_code: stamp.iso_code,
            revision: stamp.revision,
        },
    };
    prepare(conn, &doc, &v, kind, base_url)
}

fn prepare(
    conn: &mut Conn,
    doc: &Document,
    v: &Version,
    kind: StampKind,
    base_url: &str,
) -> ApiResult<PreparedCopy> {
    let (source, source_sha256) = source_pdf(conn, doc, v)?;
    // One code per version, stamp (and controlled copy) and source: downloading the same
    // copy again prints the same code and writes nothing.
    let (recipient, copy_no) = copy_identity(&kind);
    let mut existing = db::copies::codes_of(conn, &v.id, choice_of(&kind), &source_sha256)?
        .into_iter()
        .filter(|(_, r, n)| *r == recipient && *n == copy_no)
        .map(|(code, _, _)| code);
    let (code, recorded) = match existing.next() {
        Some(code) => (code, true),
        None => (verify_code(), false),
    };
    Ok(PreparedCopy {
        document_id: doc.id.clone(),
        version_id: v.id.clone(),
        source,
        source_sha256,
        recorded,
        request: StampRequest {
            verify_url: format!("{}/api/v1/verify/{code}", base_url.trim_end_matches('/')),
            verify_code: code,
            kind,
        },
    })
}

/// Stamps the prepared copy (CPU work: call it off the async executor).
///
/// The file is the stored one, not the request's: when it cannot be read (stored before a
/// check existed, or under a limit lowered since), the document is at fault, so the answer is
/// a 409 naming the file's defect, not a 422 about the request.
pub fn stamp(p: &PreparedCopy, settings: &PdfSettings) -> ApiResult<Vec<u8>> {
    crate::metrics::timed(&crate::metrics::METRICS.pdf, &["stamp"], || {
        pdf::stamp_pdf(&p.source, &p.request, &super::pdf_limits(settings))
    })
    .map_err(|e| match e {
        PdfError::InvalidStamp(_) => e.into(),
        e if e.is_client_error() => AppError::Conflict {
            guard: Some("stored_file_readable".into()),
            detail: format!("the stored file of this version cannot be stamped: {e}"),
        },
        e => e.into(),
    })
}

/// Records the copy's verification code and the audit entry, once it was stamped.
pub fn record(conn: &mut Tx<'_>, caller: Option<&Caller>, p: &PreparedCopy) -> ApiResult<()> {
    if p.recorded {
        return Ok(());
    }
    let (recipient, copy_no) = copy_identity(&p.request.kind);
    let row = Verification {
        code: p.code().to_owned(),
        document_id: p.document_id.clone(),
        version_id: p.version_id.clone(),
        stamp: choice_of(&p.request.kind),
        recipient,
        copy_no,
        source_sha256: p.source_sha256.clone(),
        issued_by: caller.map(|c| c.user_id.clone()),
        issued_at: db::now(),
    };
    db::copies::insert_verification(conn, &row)?;
    audit::append(
        conn,
        &super::actor_of(caller),
        Event {
            action: "copy.issue",
            entity_type: "verification",
            entity_id: &row.code,
            details: Some(
                serde_json::json!({"document_id": row.document_id, "version_id": row.version_id, "stamp": row.stamp, "recipient": row.recipient}),
            ),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// What a verification code says about a printed copy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifyResponse {
    pub code: String,
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub version_id: String,
    pub version_label: String,
    pub stamp: StampChoice,
    pub recipient: Option<String>,
    pub copy_no: Option<i32>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub issued_at: chrono::NaiveDateTime,
    /// SHA-256 of the PDF the copy was stamped from.
    pub source_sha256: String,
    /// Whether that file is still stored unchanged (its hash checked now).
    pub source_intact: bool,
    pub legal_effect: LegalEffect,
    /// True while the document is in force (or, for an ISO document, while this revision is current).
    pub in_force: bool,
}

pub fn verify(conn: &mut Conn, code: &str) -> ApiResult<VerifyResponse> {
    let row = db::copies::verification(conn, code)?.ok_or(AppError::NotFound)?;
    let doc = db::documents::get(conn, &row.document_id)?;
    let v = db::versions::get(conn, &row.version_id)?;
    let source_intact = db::blobs::get(conn, &row.source_sha256).is_ok();
    let today = super::today();
    let effect = super::documents::effect(conn, &doc, today)?.effect;
    let obsolete = super::iso_hooks::required_stamp(conn, &v.id)?.is_some();
    let in_force = !obsolete
        && matches!(
            effect,
            LegalEffect::InForce | LegalEffect::PartiallyExpired | LegalEffect::PartiallySuspended
        );
    Ok(VerifyResponse {
        stamp: row.stamp,
        code: row.code,
        document_id: doc.id,
        number: doc.number,
        title: doc.title,
        version_id: v.id,
        version_label: v.label,
        recipient: row.recipient,
        copy_no: row.copy_no,
        issued_at: row.issued_at,
        source_sha256: row.source_sha256,
        source_intact,
        legal_effect: effect,
        in_force,
    })
}

// Use cases, as prepare / execute / record: the stamping runs outside any transaction.

/// Prepares the stamped copy of a version the caller may see.
pub async fn prepare_version_copy(
    db: &crate::db::Db,
    caller: Option<Caller>,
    version_id: String,
    q: StampQuery,
    base_url: String,
) -> ApiResult<PreparedCopy> {
    db.tx(move |conn| prepare_copy(conn, caller.as_ref(), &version_id, &q, &base_url))
        .await
}

/// Prepares the PDF of one numbered controlled copy.
pub async fn prepare_controlled(
    db: &crate::db::Db,
    caller: Caller,
    copy_id: String,
    base_url: String,
) -> ApiResult<PreparedCopy> {
    db.tx(move |conn| prepare_controlled_copy(conn, &caller, &copy_id, &base_url))
        .await
}

/// Stamps a prepared copy on the blocking threads, within the configured time.
pub async fn execute(
    prepared: std::sync::Arc<PreparedCopy>,
    settings: PdfSettings,
) -> ApiResult<Vec<u8>> {
    super::within(
        super::pdf_time_limit(&settings),
        AppError::invalid("file", "the PDF took too long to process"),
        move || stamp(&prepared, &settings),
    )
    .await
}

/// Records the verification of a stamped copy.
pub async fn record_copy(
    db: &crate::db::Db,
    caller: Option<Caller>,
    prepared: std::sync::Arc<PreparedCopy>,
) -> ApiResult<()> {
    db.tx(move |conn| record(conn, caller.as_ref(), &prepared))
        .await
}

/// What a printed copy's code belongs to. A code is at most 64 ASCII letters and digits;
/// anything else is not found.
pub async fn check_code(db: &crate::db::Db, code: String) -> ApiResult<VerifyResponse> {
    if code.len() > 64 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::NotFound);
    }
    db.run(move |conn| verify(conn, &code)).await
}
