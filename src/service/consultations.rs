//! Public consultation: open drafts, comments from anyone (no account), moderation,
//! dispositions, and the consolidated report (bản tổng hợp, giải trình, tiếp thu ý kiến).

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents as docs;
use super::{clean_opt, clean_text, Caller};
use crate::config::WorkflowSettings;
use crate::db::audit::{self, Actor, Event};
use crate::db::workflow::{self as wf, Comment, CommentChanges, Consultation};
use crate::db::{self, Conn, Tx};
use crate::domain::kinds::Role;
use crate::domain::workflow::{CommentStatus, Disposition};
use crate::error::{ApiResult, AppError};

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
    if !is_open(&c, super::workflow::today()) {
        return Err(AppError::Conflict {
            guard: Some("consultation_open".into()),
            detail: format!(
                "the consultation is closed (it ran {} to {})",
                c.opens_on, c.closes_on
            ),
        });
    }
    let name = clean_text("name", &req.name, 200)?;
    let email = clean_opt("email", req.email.as_deref(), 254)?;
    if let Some(e) = &email {
        let ok = e.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty() && d.contains('.') && !e.contains(char::is_whitespace)
        });
        if !ok {
            return Err(AppError::invalid("email", "not an email address"));
        }
    }
    let body = clean_text("body", &req.body, settings.comment_max_chars)?;
    let provision_path = match req.provision_path.as_deref().map(str::trim) {
        None | Some("") => None,
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
            Some(p.to_owned())
        }
    };
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
            status: CommentStatus::Pending.as_str().to_owned(),
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
            to_state: Some(&comment.status),
            details: Some(
                serde_json::json!({"consultation_id": c.id, "provision_path": comment.provision_path}),
            ),
            ..Default::default()
        },
    )?;
    Ok((comment, true))
}

fn staff_for(conn: &mut Conn, caller: &Caller, consultation_id: &str) -> ApiResult<Consultation> {
    if !matches!(caller.role, Role::Drafter | Role::LegalOfficer) {
        return Err(AppError::Forbidden(format!(
            "the {} role does not handle comments",
            caller.role.as_str()
        )));
    }
    let c = wf::consultation(conn, consultation_id)?;
    docs::get(conn, Some(caller), &c.document_id)?;
    Ok(c)
}

pub fn list(conn: &mut Conn, caller: &Caller, consultation_id: &str) -> ApiResult<Vec<Comment>> {
    staff_for(conn, caller, consultation_id)?;
    Ok(wf::comments_of(conn, consultation_id)?)
}

pub fn moderate(
    conn: &mut Tx<'_>,
    caller: &Caller,
    comment_id: &str,
    req: &ModerationRequest,
) -> ApiResult<Comment> {
    let comment = wf::comment(conn, comment_id)?;
    staff_for(conn, caller, &comment.consultation_id)?;
    if comment.status != CommentStatus::Pending.as_str() {
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
        status: Some(status.as_str().to_owned()),
        moderation_reason: Some(reason.clone()),
        moderated_by: Some(Some(caller.user_id.clone())),
        moderated_at: Some(Some(db::now())),
        ..Default::default()
    };
    if !wf::update_comment(conn, comment_id, comment.row_version, &ch)? {
        return Err(AppError::Stale);
    }
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "comment.moderate",
            entity_type: "comment",
            entity_id: comment_id,
            from_state: Some(&comment.status),
            to_state: Some(status.as_str()),
            reason: reason.as_deref(),
            ..Default::default()
        },
    )?;
    Ok(wf::comment(conn, comment_id)?)
}

pub fn dispose(
    conn: &mut Tx<'_>,
    caller: &Caller,
    comment_id: &str,
    req: &DispositionRequest,
) -> ApiResult<Comment> {
    let comment = wf::comment(conn, comment_id)?;
    staff_for(conn, caller, &comment.consultation_id)?;
    if comment.status != CommentStatus::Published.as_str() {
        return Err(AppError::Conflict {
            guard: Some("disposition_needs_published_comment".into()),
            detail: "only a published comment gets a disposition".into(),
        });
    }
    let response = clean_text("response", &req.response, 20_000)?;
    let ch = CommentChanges {
        disposition: Some(Some(req.disposition.as_str().to_owned())),
        response: Some(Some(response)),
        disposed_by: Some(Some(caller.user_id.clone())),
        disposed_at: Some(Some(db::now())),
        ..Default::default()
    };
    if !wf::update_comment(conn, comment_id, comment.row_version, &ch)? {
        return Err(AppError::Stale);
    }
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "comment.dispose",
            entity_type: "comment",
            entity_id: comment_id,
            from_state: comment.disposition.as_deref(),
            to_state: Some(req.disposition.as_str()),
            ..Default::default()
        },
    )?;
    Ok(wf::comment(conn, comment_id)?)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportComment {
    pub tracking_code: String,
    pub author_name: String,
    pub organisation: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub disposition: Option<Disposition>,
    pub response: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleChange {
    /// unchanged, changed, added or removed between the consulted draft and the next version.
    pub status: String,
    /// Unified diff of the article's text.
    pub diff: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportArticle {
    /// The provision (`dieu-5`); absent for comments on the whole draft.
    pub path: Option<String>,
    pub heading: Option<String>,
    pub comments: Vec<ReportComment>,
    pub change: Option<ArticleChange>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ReportTotals {
    pub received: usize,
    pub published: usize,
    pub rejected: usize,
    pub pending: usize,
    pub accepted: usize,
    pub partially_accepted: usize,
    pub not_accepted: usize,
    pub without_disposition: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationReport {
    pub consultation_id: String,
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub consulted_version_id: String,
    /// The version that followed the consultation, if there is one yet.
    pub next_version_id: Option<String>,
    pub totals: ReportTotals,
    /// Article by article, in the draft's order; rejected (spam) comments are counted, not listed.
    pub articles: Vec<ReportArticle>,
}

/// The consolidated report of a consultation.
pub fn report(
    conn: &mut Conn,
    caller: &Caller,
    consultation_id: &str,
) -> ApiResult<ConsultationReport> {
    let c = staff_for(conn, caller, consultation_id)?;
    let doc = db::documents::get(conn, &c.document_id)?;
    let consulted = db::versions::get(conn, &c.version_id)?;
    let next = db::versions::list(conn, &doc.id)?
        .into_iter()
        .find(|v| v.seq > consulted.seq);
    let before = db::versions::provisions(conn, &consulted.id)?;
    let after = match &next {
        Some(v) => db::versions::provisions(conn, &v.id)?,
        None => vec![],
    };
    let comments = wf::comments_of(conn, consultation_id)?;
    let mut totals = ReportTotals {
        received: comments.len(),
        ..Default::default()
    };
    let mut by_path: BTreeMap<Option<String>, Vec<ReportComment>> = BTreeMap::new();
    for cm in comments {
        let status: CommentStatus = cm.status.parse().map_err(AppError::internal)?;
        let disposition: Option<Disposition> = cm
            .disposition
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(AppError::internal)?;
        match status {
            CommentStatus::Pending => totals.pending += 1,
            CommentStatus::Rejected => totals.rejected += 1,
            CommentStatus::Published => {
                totals.published += 1;
                match disposition {
                    Some(Disposition::Accepted) => totals.accepted += 1,
                    Some(Disposition::PartiallyAccepted) => totals.partially_accepted += 1,
                    Some(Disposition::NotAccepted) => totals.not_accepted += 1,
                    None => totals.without_disposition += 1,
                }
            }
        }
        if status == CommentStatus::Rejected {
            continue;
        }
        // A comment on a clause or point is reported under its article.
        let article = cm
            .provision_path
            .as_deref()
            .map(|p| p.split('/').next().unwrap_or(p).to_owned());
        by_path.entry(article).or_default().push(ReportComment {
            tracking_code: cm.tracking_code,
            author_name: cm.author_name,
            organisation: cm.organisation,
            body: cm.body,
            status,
            disposition,
            response: cm.response,
            created_at: cm.created_at,
        });
    }
    // Articles in the draft's order, then any that only the next version has.
    let top = |rows: &[crate::db::models::ProvisionRow]| -> Vec<(String, Option<String>, String)> {
        rows.iter()
            .filter(|r| !r.path.contains('/') || r.kind == "article")
            .filter(|r| r.kind == "article" || !rows.iter().any(|x| x.kind == "article"))
            .map(|r| (r.path.clone(), r.heading.clone(), r.body.clone()))
            .collect()
    };
    let (before_top, after_top) = (top(&before), top(&after));
    let mut order: Vec<String> = before_top.iter().map(|a| a.0.clone()).collect();
    let seen: HashSet<String> = order.iter().cloned().collect();
    order.extend(
        after_top
            .iter()
            .map(|a| a.0.clone())
            .filter(|p| !seen.contains(p)),
    );
    let mut articles = vec![];
    if let Some(general) = by_path.remove(&None) {
        articles.push(ReportArticle {
            path: None,
            heading: None,
            comments: general,
            change: None,
        });
    }
    for path in order {
        let b = before_top.iter().find(|a| a.0 == path);
        let a = after_top.iter().find(|x| x.0 == path);
        let change = next.as_ref().map(|_| {
            let (old, new) = (
                b.map(|x| x.2.as_str()).unwrap_or(""),
                a.map(|x| x.2.as_str()).unwrap_or(""),
            );
            let status = match (b, a) {
                (Some(_), None) => "removed",
                (None, Some(_)) => "added",
                _ if old == new => "unchanged",
                _ => "changed",
            };
            let diff = if old == new {
                String::new()
            } else {
                similar::TextDiff::from_lines(old, new)
                    .unified_diff()
                    .header("consulted", "next")
                    .to_string()
            };
            ArticleChange {
                status: status.to_owned(),
                diff,
            }
        });
        articles.push(ReportArticle {
            heading: b.or(a).and_then(|x| x.1.clone()),
            comments: by_path.remove(&Some(path.clone())).unwrap_or_default(),
            path: Some(path),
            change,
        });
    }
    // Comments on provisions that are not articles of either version.
    for (path, comments) in by_path {
        articles.push(ReportArticle {
            path,
            heading: None,
            comments,
            change: None,
        });
    }
    Ok(ConsultationReport {
        consultation_id: c.id,
        document_id: doc.id,
        number: doc.number,
        title: doc.title,
        opens_on: c.opens_on,
        closes_on: c.closes_on,
        consulted_version_id: consulted.id,
        next_version_id: next.map(|v| v.id),
        totals,
        articles,
    })
}

/// The report as CSV, one row per comment.
pub fn report_csv(r: &ConsultationReport) -> ApiResult<Vec<u8>> {
    let rows = r.articles.iter().flat_map(|a| {
        a.comments.iter().map(move |c| {
            vec![
                a.path.as_deref().unwrap_or(""),
                a.heading.as_deref().unwrap_or(""),
                &c.tracking_code,
                &c.author_name,
                c.organisation.as_deref().unwrap_or(""),
                &c.body,
                c.status.as_str(),
                c.disposition.map(|d| d.as_str()).unwrap_or(""),
                c.response.as_deref().unwrap_or(""),
                a.change.as_ref().map(|x| x.status.as_str()).unwrap_or(""),
            ]
        })
    });
    super::export::csv_table(
        &[
            "article",
            "heading",
            "tracking_code",
            "author",
            "organisation",
            "comment",
            "status",
            "disposition",
            "response",
            "article_change",
        ],
        rows,
    )
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
pub async fn open_drafts(db: &crate::db::Db) -> ApiResult<Vec<PublicConsultation>> {
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
