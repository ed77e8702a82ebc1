//! Public consultation: open drafts, comments from anyone (no account), moderation,
//! dispositions, and the consolidated report (bản tổng hợp, giải trình, tiếp thu ý kiến).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents as docs;
use super::{clean_opt, clean_text, Caller};
use crate::auth::Action;
use crate::config::WorkflowSettings;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Blob, Document};
use crate::db::workflow::{self as wf, Comment, CommentChanges, Consultation};
use crate::db::{self, Conn, Db, Tx};
use crate::domain::workflow::{CommentStatus, Disposition};
use crate::error::{ApiResult, AppError};

mod public;
mod report;

pub use public::*;
pub use report::*;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommentRequest {
    pub name: String,
    /// Never shown publicly.
    pub email: Option<String>,
    pub organisation: Option<String>,
    /// The article, clause or point concerned: `dieu-5`, `dieu-5/khoan-2/diem-a`.
    pub provision_path: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModerationAction {
    Publish,
    Reject,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    pub action: ModerationAction,
    /// Required to reject.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionRequest {
    pub disposition: Disposition,
    /// The explanation (giải trình).
    pub response: String,
}

/// The fingerprint of a comment request, stored with its idempotency key: SHA-256 of
/// every field, serialised canonically (a JSON array in a fixed order, absent fields as
/// `null`), so that a retry is recognised whatever the JSON's spacing or key order, and a
/// different request under the same key is not.
pub fn fingerprint(req: &NewCommentRequest) -> String {
    use sha2::{Digest, Sha256};
    let NewCommentRequest {
        name,
        email,
        organisation,
        provision_path,
        body,
    } = req;
    let canonical = serde_json::json!([
        "comment/v1",
        name,
        email,
        organisation,
        provision_path,
        body
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Whether `req` is the request that took `existing` under the same key. Comments taken
/// before fingerprints were stored are compared field by field, as they were cleaned.
fn same_request(existing: &Comment, req: &NewCommentRequest, fp: &str) -> bool {
    if let Some(stored) = &existing.request_fingerprint {
        return stored == fp;
    }
    let cleaned = |v: Option<&str>| v.map(crate::domain::text::clean).filter(|v| !v.is_empty());
    existing.author_name == crate::domain::text::clean(&req.name)
        && existing.author_email == cleaned(req.email.as_deref())
        && existing.organisation == cleaned(req.organisation.as_deref())
        && existing.provision_path.as_deref()
            == req
                .provision_path
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
        && existing.body == crate::domain::text::clean(&req.body)
}

/// The comment already taken under `key`, if any: the same request gets it back; a
/// different one is a 409 (`idempotency_key_reused`).
pub fn replay(
    conn: &mut Conn,
    consultation_id: &str,
    key: &str,
    req: &NewCommentRequest,
) -> ApiResult<Option<Comment>> {
    match wf::comment_by_key(conn, consultation_id, key)? {
        None => Ok(None),
        Some(existing) if same_request(&existing, req, &fingerprint(req)) => Ok(Some(existing)),
        Some(_) => Err(AppError::Conflict {
            guard: Some("idempotency_key_reused".into()),
            detail: "this Idempotency-Key was used for a different request".into(),
        }),
    }
}

fn tracking_code() -> String {
    use crate::domain::text::{random_code, CODE_ALPHABET};
    format!(
        "YK-{}-{}",
        random_code(CODE_ALPHABET, 4),
        random_code(CODE_ALPHABET, 4)
    )
}

pub fn is_open(c: &Consultation, day: NaiveDate) -> bool {
    c.closed_at.is_none() && c.opens_on <= day && day <= c.closes_on
}

/// Whether a consultation's period had ended by `day`: closed early by staff, or past its
/// closing date. Its public report is out from then on.
pub fn is_closed(c: &Consultation, day: NaiveDate) -> bool {
    c.opens_on <= day && (c.closed_at.is_some() || c.closes_on < day)
}

/// The author's email, if given: cleaned and shaped like an address.
fn email_of(raw: Option<&str>) -> ApiResult<Option<String>> {
    let email = clean_opt("email", raw, 254)?;
    if let Some(e) = &email {
        let ok = e.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty() && d.contains('.') && !e.contains(char::is_whitespace)
        });
        if !ok {
            return Err(AppError::invalid("email", "not an email address"));
        }
    }
    Ok(email)
}

/// The provision a comment names, if any: one of the consulted draft's.
fn provision_of(conn: &mut Conn, c: &Consultation, raw: Option<&str>) -> ApiResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(p) => {
            let known = db::versions::provisions(conn, &c.version_id)?
                .into_iter()
                .any(|r| r.path == p);
            if !known {
                return Err(AppError::invalid(
                    "provision_path",
                    format!("the draft has no provision {p}"),
                ));
            }
            Ok(Some(p.to_owned()))
        }
    }
}

/// Takes a comment. With an idempotency key, a retry of the same request returns the
/// comment already taken (`false`) instead of taking it twice; another request under the
/// same key is a 409.
pub fn submit(
    conn: &mut Tx<'_>,
    consultation_id: &str,
    req: &NewCommentRequest,
    idempotency_key: Option<&str>,
    settings: &WorkflowSettings,
) -> ApiResult<(Comment, bool)> {
    let c = wf::consultation(conn, consultation_id)?;
    if let Some(key) = idempotency_key {
        if let Some(existing) = replay(conn, consultation_id, key, req)? {
            return Ok((existing, false));
        }
    }
    if !is_open(&c, super::today()) {
        return Err(AppError::Conflict {
            guard: Some("consultation_open".into()),
            detail: format!(
                "the consultation is closed (it ran {} to {})",
                c.opens_on, c.closes_on
            ),
        });
    }
    let name = clean_text("name", &req.name, 200)?;
    let email = email_of(req.email.as_deref())?;
    let body = clean_text("body", &req.body, settings.comment_max_chars)?;
    let provision_path = provision_of(conn, &c, req.provision_path.as_deref())?;
    let comment = wf::insert_comment(
        conn,
        &Comment {
            id: db::new_id(),
            consultation_id: c.id.clone(),
            tracking_code: tracking_code(),
            idempotency_key: idempotency_key.map(str::to_owned),
            author_name: name,
            author_email: email,
            organisation: clean_opt("organisation", req.organisation.as_deref(), 300)?,
            provision_path,
            body,
            status: CommentStatus::Pending,
            moderation_reason: None,
            moderated_by: None,
            moderated_at: None,
            disposition: None,
            response: None,
            disposed_by: None,
            disposed_at: None,
            created_at: db::now(),
            row_version: 1,
            request_fingerprint: idempotency_key.map(|_| fingerprint(req)),
        },
    )?;
    audit::append(
        conn,
        &Actor {
            id: None,
            name: "public".into(),
        },
        Event {
            action: "comment.submit",
            entity_type: "comment",
            entity_id: &comment.id,
            to_state: Some(comment.status.as_str()),
            details: Some(
                serde_json::json!({"consultation_id": c.id, "provision_path": comment.provision_path}),
            ),
            ..Default::default()
        },
    )?;
    Ok((comment, true))
}

fn staff_for(
    conn: &mut Conn,
    caller: &Caller,
    consultation_id: &str,
) -> ApiResult<(Consultation, Document)> {
    caller.require_because(Action::HandleComments, || {
        format!("the {} role does not handle comments", caller.role.as_str())
    })?;
    let c = wf::consultation(conn, consultation_id)?;
    let d = docs::get(conn, Some(caller), &c.document_id)?;
    Ok((c, d))
}

fn list(conn: &mut Conn, caller: &Caller, consultation_id: &str) -> ApiResult<Vec<Comment>> {
    staff_for(conn, caller, consultation_id)?;
    Ok(wf::comments_of(conn, consultation_id)?)
}

/// A comment that staff handle, read with its consultation's permission check.
fn staff_comment(conn: &mut Conn, caller: &Caller, comment_id: &str) -> ApiResult<Comment> {
    let comment = wf::comment(conn, comment_id)?;
    staff_for(conn, caller, &comment.consultation_id)?;
    Ok(comment)
}

/// Writes `ch` on a comment at the row version read, with the audit entry of `event`, and
/// reads it back.
fn write_comment(
    conn: &mut Tx<'_>,
    caller: &Caller,
    comment: &Comment,
    ch: &CommentChanges,
    event: Event<'_>,
) -> ApiResult<Comment> {
    if !wf::update_comment(conn, &comment.id, comment.row_version, ch)? {
        return Err(AppError::Stale);
    }
    audit::append(conn, &caller.actor(), event)?;
    Ok(wf::comment(conn, &comment.id)?)
}

fn moderate(
    conn: &mut Tx<'_>,
    caller: &Caller,
    comment_id: &str,
    req: &ModerationRequest,
) -> ApiResult<Comment> {
    let comment = staff_comment(conn, caller, comment_id)?;
    if comment.status != CommentStatus::Pending {
        return Err(AppError::Conflict {
            guard: Some("moderated_once".into()),
            detail: format!("the comment is already {}", comment.status),
        });
    }
    let reason = clean_opt("reason", req.reason.as_deref(), 2000)?;
    let status = match req.action {
        ModerationAction::Publish => CommentStatus::Published,
        ModerationAction::Reject => {
            if reason.is_none() {
                return Err(AppError::invalid(
                    "reason",
                    "say why the comment is rejected",
                ));
            }
            CommentStatus::Rejected
        }
    };
    let ch = CommentChanges {
        status: Some(status),
        moderation_reason: Some(reason.clone()),
        moderated_by: Some(Some(caller.user_id.clone())),
        moderated_at: Some(Some(db::now())),
        ..Default::default()
    };
    let event = Event {
        action: "comment.moderate",
        entity_type: "comment",
        entity_id: comment_id,
        from_state: Some(comment.status.as_str()),
        to_state: Some(status.as_str()),
        reason: reason.as_deref(),
        ..Default::default()
    };
    write_comment(conn, caller, &comment, &ch, event)
}

fn dispose(
    conn: &mut Tx<'_>,
    caller: &Caller,
    comment_id: &str,
    req: &DispositionRequest,
) -> ApiResult<Comment> {
    let comment = staff_comment(conn, caller, comment_id)?;
    if comment.status != CommentStatus::Published {
        return Err(AppError::Conflict {
            guard: Some("disposition_needs_published_comment".into()),
            detail: "only a published comment gets a disposition".into(),
        });
    }
    let response = clean_text("response", &req.response, 20_000)?;
    let ch = CommentChanges {
        disposition: Some(Some(req.disposition)),
        response: Some(Some(response)),
        disposed_by: Some(Some(caller.user_id.clone())),
        disposed_at: Some(Some(db::now())),
        ..Default::default()
    };
    let event = Event {
        action: "comment.dispose",
        entity_type: "comment",
        entity_id: comment_id,
        from_state: comment.disposition.map(|v| v.as_str()),
        to_state: Some(req.disposition.as_str()),
        ..Default::default()
    };
    write_comment(conn, caller, &comment, &ch, event)
}

/// A comment as its author and the public see it: no email. Text is as written (JSON
/// carries raw text; whatever shows it as HTML escapes it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicComment {
    pub tracking_code: String,
    pub consultation_id: String,
    pub author_name: String,
    pub organisation: Option<String>,
    pub provision_path: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub disposition: Option<Disposition>,
    pub response: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

impl PublicComment {
    fn from_row(c: Comment) -> ApiResult<Self> {
        Ok(PublicComment {
            status: c.status,
            disposition: c.disposition,
            tracking_code: c.tracking_code,
            consultation_id: c.consultation_id,
            author_name: c.author_name,
            organisation: c.organisation,
            provision_path: c.provision_path,
            body: c.body,
            response: c.response,
            created_at: c.created_at,
        })
    }
}

/// A comment as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffComment {
    pub id: String,
    #[serde(flatten)]
    pub public: PublicComment,
    pub author_email: Option<String>,
    pub moderation_reason: Option<String>,
}

impl StaffComment {
    fn from_row(c: Comment) -> ApiResult<Self> {
        Ok(StaffComment {
            id: c.id.clone(),
            author_email: c.author_email.clone(),
            moderation_reason: c.moderation_reason.clone(),
            public: PublicComment::from_row(c)?,
        })
    }
}

// ---- the use cases, each in its own connection or transaction ----

/// The draft file of a consultation open today.
pub async fn consultation_file(db: &Db, consultation_id: String) -> ApiResult<Blob> {
    db.run(move |conn| -> ApiResult<_> {
        let c = wf::consultation(conn, &consultation_id)?;
        if !is_open(&c, super::today()) {
            return Err(AppError::NotFound);
        }
        let v = db::versions::get(conn, &c.version_id)?;
        let sha = v.blob_sha256.ok_or(AppError::NotFound)?;
        Ok(db::blobs::get(conn, &sha)?)
    })
    .await
}

/// Takes a comment from the public, once per idempotency key (see [`submit`]): the
/// comment and whether it was taken now (`false`: a retry, answered with the first).
pub async fn submit_comment(
    db: &Db,
    consultation_id: String,
    req: NewCommentRequest,
    idempotency_key: Option<String>,
    settings: WorkflowSettings,
) -> ApiResult<(PublicComment, bool)> {
    let (cid, key, body) = (
        consultation_id.clone(),
        idempotency_key.clone(),
        req.clone(),
    );
    let first = db
        .tx(move |conn| submit(conn, &cid, &body, key.as_deref(), &settings))
        .await;
    let (comment, created) = match (first, idempotency_key) {
        // Two retries raced: the other one committed first, so read what it wrote.
        (Err(AppError::Conflict { guard: None, .. }), Some(key)) => {
            let c = db
                .run(move |conn| -> ApiResult<_> {
                    replay(conn, &consultation_id, &key, &req)?.ok_or(AppError::NotFound)
                })
                .await?;
            (c, false)
        }
        (r, _) => r?,
    };
    Ok((PublicComment::from_row(comment)?, created))
}

/// A comment found by its tracking code.
pub async fn public_comment(db: &Db, tracking_code: String) -> ApiResult<PublicComment> {
    if tracking_code.len() > 32 {
        return Err(AppError::NotFound);
    }
    let c = db
        .run(move |conn| -> ApiResult<_> {
            wf::comment_by_tracking(conn, tracking_code.trim())?.ok_or(AppError::NotFound)
        })
        .await?;
    PublicComment::from_row(c)
}

/// Every comment of a consultation, as staff see them.
pub async fn staff_comments(
    db: &Db,
    caller: Caller,
    consultation_id: String,
) -> ApiResult<Vec<StaffComment>> {
    let list = db
        .run(move |conn| list(conn, &caller, &consultation_id))
        .await?;
    list.into_iter().map(StaffComment::from_row).collect()
}

/// A staff write on a comment (see [`moderate`], [`dispose`]), in one transaction.
type StaffWrite<R> = fn(&mut Tx<'_>, &Caller, &str, &R) -> ApiResult<Comment>;

/// Runs `write` on a comment as the caller; answers the comment as staff see it.
async fn staff_write<R: Send + 'static>(
    db: &Db,
    caller: Caller,
    comment_id: String,
    req: R,
    write: StaffWrite<R>,
) -> ApiResult<StaffComment> {
    let c = db
        .tx(move |conn| write(conn, &caller, &comment_id, &req))
        .await?;
    StaffComment::from_row(c)
}

/// Publishes a pending comment or rejects it, once.
pub async fn moderate_comment(
    db: &Db,
    caller: Caller,
    comment_id: String,
    req: ModerationRequest,
) -> ApiResult<StaffComment> {
    staff_write(db, caller, comment_id, req, moderate).await
}

/// Records what was done with a published comment.
pub async fn dispose_comment(
    db: &Db,
    caller: Caller,
    comment_id: String,
    req: DispositionRequest,
) -> ApiResult<StaffComment> {
    staff_write(db, caller, comment_id, req, dispose).await
}

/// A draft open for comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicConsultation {
    pub id: String,
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub version_id: String,
    pub version_label: String,
    /// The draft's text.
    pub text: Option<String>,
    /// The draft's file, when there is one.
    pub file_url: Option<String>,
    /// The provisions a comment may name.
    pub provision_paths: Vec<String>,
    pub comments_url: String,
}

/// Drafts open for public comment today.
pub async fn open_drafts(db: &Db) -> ApiResult<Vec<PublicConsultation>> {
    let open = db.run(|conn| wf::open_drafts(conn, super::today())).await?;
    Ok(open
        .into_iter()
        .map(|o| {
            let (c, d, v) = (o.consultation, o.document, o.version);
            PublicConsultation {
                comments_url: format!("/api/v1/public/consultations/{}/comments", c.id),
                file_url: v
                    .blob_sha256
                    .as_ref()
                    .map(|_| format!("/api/v1/public/consultations/{}/file", c.id)),
                id: c.id,
                document_id: d.id,
                number: d.number,
                title: d.title,
                issuer: o.issuer,
                opens_on: c.opens_on,
                closes_on: c.closes_on,
                version_id: v.id,
                version_label: v.label,
                text: v.body,
                provision_paths: o.provision_paths,
            }
        })
        .collect())
}

/// A consultation on the staff's desk: the draft, its period, and its comments as staff
/// see them.
#[derive(Debug, Serialize)]
pub struct DeskConsultation {
    pub id: String,
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Comments are still taken today.
    pub open: bool,
    pub comments: Vec<StaffComment>,
}

impl DeskConsultation {
    pub fn pending(&self) -> usize {
        self.count(|c| c.public.status == CommentStatus::Pending)
    }

    /// Published comments still without a disposition.
    pub fn unanswered(&self) -> usize {
        self.count(|c| {
            c.public.status == CommentStatus::Published && c.public.disposition.is_none()
        })
    }

    fn count(&self, f: impl Fn(&StaffComment) -> bool) -> usize {
        self.comments.iter().filter(|c| f(c)).count()
    }
}

/// One consultation of the desk with its comments, read with the permission check of
/// `GET /consultations/{id}/comments`.
fn desk_entry(conn: &mut Conn, caller: &Caller, id: &str) -> ApiResult<DeskConsultation> {
    let (c, d) = staff_for(conn, caller, id)?;
    let comments = wf::comments_of(conn, id)?
        .into_iter()
        .map(StaffComment::from_row)
        .collect::<ApiResult<_>>()?;
    Ok(DeskConsultation {
        open: is_open(&c, super::today()),
        id: c.id,
        document_id: d.id,
        number: d.number,
        title: d.title,
        opens_on: c.opens_on,
        closes_on: c.closes_on,
        comments,
    })
}

/// The consultations whose comments the caller handles (open ones, then the latest closed,
/// as the public lists have them), each with its comments, in one connection.
pub async fn desk(db: &Db, caller: Caller) -> ApiResult<Vec<DeskConsultation>> {
    db.run(move |conn| -> ApiResult<Vec<DeskConsultation>> {
        let today = super::today();
        let mut all = wf::open_on(conn, today)?;
        all.extend(wf::closed_by(conn, today, public::CLOSED_LIST_LIMIT)?);
        let mut out = vec![];
        for c in all {
            match desk_entry(conn, &caller, &c.id) {
                Ok(d) => out.push(d),
                Err(AppError::Forbidden(_) | AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    })
    .await
}

/// One consultation of the caller's desk (404 when it is not theirs to handle).
pub async fn desk_one(db: &Db, caller: Caller, id: String) -> ApiResult<DeskConsultation> {
    db.run(move |conn| match desk_entry(conn, &caller, &id) {
        Err(AppError::Forbidden(_)) => Err(AppError::NotFound),
        other => other,
    })
    .await
}
