//! The consolidated report of a consultation (bản tổng hợp, giải trình, tiếp thu ý kiến):
//! comments article by article with their dispositions, and how each article changed
//! between the consulted draft and the next version.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use super::staff_for;
use crate::db::models::ProvisionRow;
use crate::db::workflow::{self as wf, Comment};
use crate::db::{self, Conn, Db};
use crate::domain::workflow::{CommentStatus, Disposition};
use crate::error::ApiResult;
use crate::service::Caller;

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

/// The comments grouped by the article they concern (`None`: the whole draft).
pub(super) type ByArticle = BTreeMap<Option<String>, Vec<ReportComment>>;

/// The totals of the comments, and those not rejected by article.
pub(super) fn tally(comments: Vec<Comment>) -> ApiResult<(ReportTotals, ByArticle)> {
    let mut totals = ReportTotals {
        received: comments.len(),
        ..Default::default()
    };
    let mut by_path = ByArticle::new();
    for cm in comments {
        let status: CommentStatus = cm.status;
        let disposition: Option<Disposition> = cm.disposition;
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
    Ok((totals, by_path))
}

/// An article of a version: its path, heading and text.
pub(super) type Article = (String, Option<String>, String);

/// The articles of a version (its top provisions when it has no articles).
pub(super) fn articles_of(rows: &[ProvisionRow]) -> Vec<Article> {
    rows.iter()
        .filter(|r| !r.path.contains('/') || r.kind == "article")
        .filter(|r| r.kind == "article" || !rows.iter().any(|x| x.kind == "article"))
        .map(|r| (r.path.clone(), r.heading.clone(), r.body.clone()))
        .collect()
}

/// How an article changed from `before` to `after`.
fn change_of(before: Option<&Article>, after: Option<&Article>) -> ArticleChange {
    let (old, new) = (
        before.map(|x| x.2.as_str()).unwrap_or(""),
        after.map(|x| x.2.as_str()).unwrap_or(""),
    );
    let status = match (before, after) {
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
}

/// The report's articles: general comments, then the articles in the draft's order and
/// any that only the next version has (`after` is `None` without a next version), then
/// comments on provisions that are articles of neither.
pub(super) fn report_articles(
    mut by_path: ByArticle,
    before: &[Article],
    after: Option<&[Article]>,
) -> Vec<ReportArticle> {
    let mut order: Vec<String> = before.iter().map(|a| a.0.clone()).collect();
    let seen: HashSet<String> = order.iter().cloned().collect();
    order.extend(
        after
            .unwrap_or_default()
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
        let b = before.iter().find(|a| a.0 == path);
        let a = after.and_then(|after| after.iter().find(|x| x.0 == path));
        articles.push(ReportArticle {
            heading: b.or(a).and_then(|x| x.1.clone()),
            comments: by_path.remove(&Some(path.clone())).unwrap_or_default(),
            path: Some(path),
            change: after.map(|_| change_of(b, a)),
        });
    }
    for (path, comments) in by_path {
        articles.push(ReportArticle {
            path,
            heading: None,
            comments,
            change: None,
        });
    }
    articles
}

/// The consolidated report of a consultation.
fn report(
    conn: &mut Conn,
    caller: &Caller,
    consultation_id: &str,
) -> ApiResult<ConsultationReport> {
    let (c, doc) = staff_for(conn, caller, consultation_id)?;
    let consulted = db::versions::get(conn, &c.version_id)?;
    let next = db::versions::list(conn, &doc.id)?
        .into_iter()
        .find(|v| v.seq > consulted.seq);
    let before = articles_of(&db::versions::provisions(conn, &consulted.id)?);
    let after = match &next {
        Some(v) => Some(articles_of(&db::versions::provisions(conn, &v.id)?)),
        None => None,
    };
    let (totals, by_path) = tally(wf::comments_of(conn, consultation_id)?)?;
    Ok(ConsultationReport {
        articles: report_articles(by_path, &before, after.as_deref()),
        consultation_id: c.id,
        document_id: doc.id,
        number: doc.number,
        title: doc.title,
        opens_on: c.opens_on,
        closes_on: c.closes_on,
        consulted_version_id: consulted.id,
        next_version_id: next.map(|v| v.id),
        totals,
    })
}

/// The consolidated report of a consultation (drafters and legal officers).
pub async fn consultation_report(
    db: &Db,
    caller: Caller,
    consultation_id: String,
) -> ApiResult<ConsultationReport> {
    db.run(move |conn| report(conn, &caller, &consultation_id))
        .await
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
    crate::service::export::csv_table(
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
