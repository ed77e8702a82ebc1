//! What the public reads of a consultation without an account: the draft article by
//! article, the consultations whose period ended, and, once one has closed, its public
//! report (the published comments with their dispositions; never an email, a tracking
//! code, or a comment that was not published).

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use super::report::{articles_of, report_articles, tally};
use super::{is_closed, is_open, ReportTotals};
use crate::db::workflow::{self as wf, Consultation, OpenDraft};
use crate::db::{self, Conn, Db};
use crate::domain::structure::path_label;
use crate::domain::workflow::{CommentStatus, Disposition};
use crate::error::{ApiResult, AppError};

/// At most this many closed consultations are listed, the latest to close first.
pub const CLOSED_LIST_LIMIT: i64 = 100;

/// Where a consultation stands for the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationPhase {
    /// Comments are taken.
    Open,
    /// The period ended; the public report is out.
    Closed,
}

/// One article of the consulted draft.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftArticle {
    /// `dieu-5`: what a comment on this article names as its `provision_path`.
    pub path: String,
    /// How it is cited: "Điều 5".
    pub label: String,
    /// "Phạm vi điều chỉnh" for "Điều 1. Phạm vi điều chỉnh".
    pub heading: Option<String>,
    /// The article's whole text, its heading line first.
    pub text: String,
}

/// A consultation as the public reads it: the consulted draft article by article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicDraft {
    pub id: String,
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub phase: ConsultationPhase,
    pub opens_on: NaiveDate,
    /// The last day comments are taken.
    pub closes_on: NaiveDate,
    pub version_id: String,
    pub version_label: String,
    /// The draft's articles in order (its top provisions when it has no articles).
    pub articles: Vec<DraftArticle>,
    /// Every provision a comment may name (articles, clauses, points); a comment that
    /// names none concerns the draft as a whole.
    pub provision_paths: Vec<String>,
    /// The draft's file, while the consultation is open and when there is one.
    pub file_url: Option<String>,
    /// Where to post a comment, while the consultation is open.
    pub comments_url: Option<String>,
    /// The public report, once the consultation has closed.
    pub report_url: Option<String>,
}

/// A consultation whose period ended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosedConsultation {
    pub id: String,
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub report_url: String,
}

/// A published comment in the public report: the name and organisation as given, the
/// text, and what was done with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicReportComment {
    pub author_name: String,
    pub organisation: Option<String>,
    pub body: String,
    pub disposition: Option<Disposition>,
    /// "Tiếp thu", "Tiếp thu một phần", "Không tiếp thu".
    pub disposition_label_vi: Option<String>,
    /// The explanation (giải trình).
    pub response: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicReportArticle {
    /// The article (`dieu-5`); absent for comments on the draft as a whole.
    pub path: Option<String>,
    /// "Điều 5"; absent for the draft as a whole.
    pub label: Option<String>,
    pub heading: Option<String>,
    pub comments: Vec<PublicReportComment>,
}

/// The public report of a closed consultation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicReport {
    pub consultation_id: String,
    pub document_id: String,
    pub number: Option<String>,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Every comment received is counted; only published ones are listed.
    pub totals: ReportTotals,
    /// Comments on the draft as a whole first, then the articles in the draft's order.
    pub articles: Vec<PublicReportArticle>,
}

/// A consultation the public may read on `day`: open, or closed (not one still to open).
fn visible(conn: &mut Conn, consultation_id: &str, day: NaiveDate) -> ApiResult<Consultation> {
    let c = wf::consultation(conn, consultation_id)?;
    if is_open(&c, day) || is_closed(&c, day) {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

fn draft(conn: &mut Conn, consultation_id: &str) -> ApiResult<PublicDraft> {
    let day = crate::service::today();
    let c = visible(conn, consultation_id, day)?;
    let open = is_open(&c, day);
    let rows = db::versions::provisions(conn, &c.version_id)?;
    let articles = articles_of(&rows)
        .into_iter()
        .map(|(path, heading, text)| DraftArticle {
            label: path_label(&path),
            path,
            heading,
            text,
        })
        .collect();
    let mut found = wf::with_drafts(conn, vec![c])?;
    let o: OpenDraft = found.pop().ok_or(AppError::NotFound)?;
    let (c, d, v) = (o.consultation, o.document, o.version);
    let base = format!("/api/v1/public/consultations/{}", c.id);
    Ok(PublicDraft {
        file_url: v
            .blob_sha256
            .as_ref()
            .filter(|_| open)
            .map(|_| format!("{base}/file")),
        comments_url: open.then(|| format!("{base}/comments")),
        report_url: (!open).then(|| format!("{base}/report")),
        phase: if open {
            ConsultationPhase::Open
        } else {
            ConsultationPhase::Closed
        },
        id: c.id,
        document_id: d.id,
        number: d.number,
        title: d.title,
        issuer: o.issuer,
        opens_on: c.opens_on,
        closes_on: c.closes_on,
        version_id: v.id,
        version_label: v.label,
        articles,
        provision_paths: o.provision_paths,
    })
}

fn public_report(conn: &mut Conn, consultation_id: &str) -> ApiResult<PublicReport> {
    let day = crate::service::today();
    let c = visible(conn, consultation_id, day)?;
    if !is_closed(&c, day) {
        return Err(AppError::Conflict {
            guard: Some("consultation_closed".into()),
            detail: format!(
                "the report is published once the consultation closes (comments are taken until {})",
                c.closes_on
            ),
        });
    }
    let doc = db::documents::get(conn, &c.document_id)?;
    let before = articles_of(&db::versions::provisions(conn, &c.version_id)?);
    let (totals, by_path) = tally(wf::comments_of(conn, &c.id)?)?;
    let articles = report_articles(by_path, &before, None)
        .into_iter()
        .map(|a| PublicReportArticle {
            label: a.path.as_deref().map(path_label),
            path: a.path,
            heading: a.heading,
            comments: a
                .comments
                .into_iter()
                .filter(|cm| cm.status == CommentStatus::Published)
                .map(|cm| PublicReportComment {
                    author_name: cm.author_name,
                    organisation: cm.organisation,
                    body: cm.body,
                    disposition_label_vi: cm.disposition.map(|d| d.label_vi().to_owned()),
                    disposition: cm.disposition,
                    response: cm.response,
                    created_at: cm.created_at,
                })
                .collect(),
        })
        .collect();
    Ok(PublicReport {
        consultation_id: c.id,
        document_id: doc.id,
        number: doc.number,
        title: doc.title,
        opens_on: c.opens_on,
        closes_on: c.closes_on,
        totals,
        articles,
    })
}

// ---- the use cases ----

/// A consultation, open or closed, with its draft article by article (404 for one
/// that has not opened yet).
pub async fn public_draft(db: &Db, consultation_id: String) -> ApiResult<PublicDraft> {
    db.run(move |conn| draft(conn, &consultation_id)).await
}

/// The consultations whose period ended, the latest to close first (at most
/// [`CLOSED_LIST_LIMIT`]).
pub async fn closed_consultations(db: &Db) -> ApiResult<Vec<ClosedConsultation>> {
    let closed = db
        .run(|conn| wf::closed_drafts(conn, crate::service::today(), CLOSED_LIST_LIMIT))
        .await?;
    Ok(closed
        .into_iter()
        .map(|o| ClosedConsultation {
            report_url: format!("/api/v1/public/consultations/{}/report", o.consultation.id),
            id: o.consultation.id,
            document_id: o.document.id,
            number: o.document.number,
            title: o.document.title,
            issuer: o.issuer,
            opens_on: o.consultation.opens_on,
            closes_on: o.consultation.closes_on,
        })
        .collect())
}

/// The public report of a consultation, once it has closed (before: a 409 naming the
/// `consultation_closed` guard).
pub async fn public_consultation_report(
    db: &Db,
    consultation_id: String,
) -> ApiResult<PublicReport> {
    db.run(move |conn| public_report(conn, &consultation_id))
        .await
}
