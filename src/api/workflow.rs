//! The drafting workflow: transitions, appraisals, public consultation and comments.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::documents::today;
use super::export::{self, ExportFormat};
use super::responses::{
    BodyErrors, Conflict, IfMatchErrors, PublicErrors, ReadErrors, ThrottledErrors, WriteErrors,
};
use super::review::{summaries, DocumentSummary};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::db::{self, workflow as wf};
use crate::domain::structure::path_label;
use crate::domain::workflow::{CommentStatus, Disposition};
use crate::error::{ApiResult, AppError};
use crate::pdf::Block;
use crate::service::consultations::{
    self as cons, ConsultationReport, DispositionRequest, ModerationRequest, NewCommentRequest,
    PublicConsultation,
};
use crate::service::documents::response;
use crate::service::documents::DocumentResponse;
use crate::service::workflow::{
    self as svc, AppraisalRequest, AppraisalResponse, TransitionRequest,
};
use actix_web::http::StatusCode;

/// Take a workflow action (`allowed_actions` on the document lists the ones open to
/// you); a refused guard is a 409 naming it. Send the document's ETag in `If-Match`.
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = TransitionRequest,
    responses((status = 200, body = DocumentResponse), WriteErrors, BodyErrors, IfMatchErrors),
    security(("bearer" = []))
)]
#[post("/documents/{id}/transitions")]
pub async fn transition(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<TransitionRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    let caller = user.caller;
    let settings = st.settings.workflow.clone();
    let doc = st
        .db
        .tx(move |conn| {
            let d = svc::transition(conn, &caller, &id, version, &body, &settings)?;
            response(conn, d, today(), Some(caller.role))
        })
        .await?;
    Ok(tagged(StatusCode::OK, &doc.id, doc.row_version, &doc))
}

/// Record the justice office's appraisal of the current version (legal officer, while
/// the document is in appraisal). `needs_revision` sends it back to revising.
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path)),
    request_body = AppraisalRequest,
    responses((status = 201, body = AppraisalResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/documents/{id}/appraisals")]
pub async fn create_appraisal(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<AppraisalRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let a = st
        .db
        .tx(move |conn| svc::appraise(conn, &caller, &id, &body))
        .await?;
    Ok(HttpResponse::Created().json(AppraisalResponse::from_row(a)?))
}

/// A document's appraisals, oldest first.
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<AppraisalResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/documents/{id}/appraisals")]
pub async fn list_appraisals(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| -> ApiResult<Vec<AppraisalResponse>> {
            crate::service::documents::get(conn, Some(&caller), &id)?;
            wf::appraisals_of(conn, &id)?
                .into_iter()
                .map(AppraisalResponse::from_row)
                .collect()
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalRequestFilter {
    /// Waiting for an opinion.
    #[default]
    Open,
    /// Waiting past their due date.
    Overdue,
    All,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AppraisalRequestsQuery {
    /// `open` (default), `overdue` or `all`.
    pub state: Option<AppraisalRequestFilter>,
    /// The day `overdue` is judged on (default today).
    pub as_of: Option<NaiveDate>,
}

/// A draft sent to the justice office for appraisal.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppraisalRequestResponse {
    pub id: String,
    pub document: DocumentSummary,
    /// The version sent.
    pub version_id: String,
    pub requested_on: NaiveDate,
    /// Counted in days or working days as configured (`workflow.appraisal_days`).
    pub due_on: NaiveDate,
    /// Not answered and past its due date on `as_of`.
    pub overdue: bool,
    /// The opinion that answered it.
    pub appraisal_id: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub answered_at: Option<NaiveDateTime>,
}

/// Drafts sent for appraisal and the day each opinion is due, soonest first: the justice
/// office's work list. Staff see the requests on drafts they may see.
#[utoipa::path(
    tag = "workflow",
    params(AppraisalRequestsQuery),
    responses((status = 200, body = Vec<AppraisalRequestResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/appraisal-requests")]
pub async fn list_appraisal_requests(
    st: State,
    user: AuthUser,
    q: web::Query<AppraisalRequestsQuery>,
) -> ApiResult<HttpResponse> {
    let filter = q.state.unwrap_or_default();
    let as_of = q.as_of.unwrap_or_else(today);
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| -> ApiResult<Vec<AppraisalRequestResponse>> {
            let rows =
                svc::appraisal_requests(conn, &caller, filter != AppraisalRequestFilter::All)?;
            let map = summaries(conn, rows.iter().map(|(_, d)| d))?;
            rows.into_iter()
                .map(|(r, d)| {
                    let document = map
                        .get(&d.id)
                        .cloned()
                        .ok_or_else(|| AppError::internal("document summary missing"))?;
                    Ok(AppraisalRequestResponse {
                        overdue: r.answered_at.is_none() && r.due_on < as_of,
                        id: r.id,
                        document,
                        version_id: r.version_id,
                        requested_on: r.requested_on,
                        due_on: r.due_on,
                        appraisal_id: r.appraisal_id,
                        answered_at: r.answered_at,
                    })
                })
                .filter(|r| {
                    r.as_ref().map_or(true, |r| {
                        filter != AppraisalRequestFilter::Overdue || r.overdue
                    })
                })
                .collect()
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Drafts open for public comment today; no account needed.
#[utoipa::path(tag = "public", responses((status = 200, body = Vec<PublicConsultation>), PublicErrors))]
#[get("/public/consultations")]
pub async fn public_consultations(st: State) -> ApiResult<HttpResponse> {
    let list = cons::open_drafts(&st.db).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The draft file of an open consultation.
#[utoipa::path(
    tag = "public",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The file, PDF or DOCX", content(
            ([u8] = "application/pdf"),
            ([u8] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        )),
        PublicErrors
    )
)]
#[get("/public/consultations/{id}/file")]
pub async fn public_consultation_file(st: State, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let blob = st
        .db
        .run(move |conn| -> ApiResult<_> {
            let c = wf::consultation(conn, &id)?;
            if !cons::is_open(&c, svc::today()) {
                return Err(AppError::NotFound);
            }
            let v = db::versions::get(conn, &c.version_id)?;
            let sha = v.blob_sha256.ok_or(AppError::NotFound)?;
            Ok(db::blobs::get(conn, &sha)?)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, blob.content_type.clone()))
        .insert_header((header::ETAG, format!("\"{}\"", blob.sha256)))
        .body(blob.data))
}

/// A comment as its author and the public see it: no email. Text is as written (JSON
/// carries raw text; whatever shows it as HTML escapes it).
#[derive(Debug, Serialize, ToSchema)]
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
    fn from_row(c: wf::Comment) -> ApiResult<Self> {
        Ok(PublicComment {
            status: c.status.parse().map_err(AppError::internal)?,
            disposition: c
                .disposition
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(AppError::internal)?,
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

/// Comment on an open draft; no account needed. Keep the `tracking_code` to follow it.
/// Send an `Idempotency-Key` header to retry safely: the same key returns the same comment.
#[utoipa::path(
    tag = "public",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = NewCommentRequest,
    responses(
        (status = 201, body = PublicComment),
        (status = 200, body = PublicComment, description = "A retry with the same Idempotency-Key"),
        PublicErrors, BodyErrors, ThrottledErrors, Conflict
    )
)]
#[post("/public/consultations/{id}/comments")]
pub async fn submit_comment(
    st: State,
    id: web::Path<String>,
    req: HttpRequest,
    body: Json<NewCommentRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    if let Some(limiter) = &st.comment_limiter {
        let client = super::client_of(&req, &st.settings.server.trusted_proxies);
        if let Err(not_until) = limiter.check_key(&client) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Err(AppError::Throttled {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
    }
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| AppError::invalid("Idempotency-Key", "must be visible ASCII"))?
                .trim();
            if k.is_empty() || k.len() > 128 {
                return Err(AppError::invalid("Idempotency-Key", "1 to 128 characters"));
            }
            Some(k.to_owned())
        }
    };
    let settings = st.settings.workflow.clone();
    let (cid, k2, b2) = (id.clone(), key.clone(), body.0.clone());
    let first = st
        .db
        .tx(move |conn| cons::submit(conn, &cid, &b2, k2.as_deref(), &settings))
        .await;
    let (comment, created) = match (first, &key) {
        // Two retries raced: the other one committed first, so read what it wrote.
        (Err(AppError::Conflict { guard: None, .. }), Some(k)) => {
            let (k, b3) = (k.clone(), body.0.clone());
            let c = st
                .db
                .run(move |conn| -> ApiResult<_> {
                    cons::replay(conn, &id, &k, &b3)?.ok_or(AppError::NotFound)
                })
                .await?;
            (c, false)
        }
        (r, _) => r?,
    };
    let status = if created {
        actix_web::http::StatusCode::CREATED
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(PublicComment::from_row(comment)?))
}

/// Follow a comment by its tracking code: its status and, later, its disposition and response.
#[utoipa::path(
    tag = "public",
    params(("tracking_code" = String, Path)),
    responses((status = 200, body = PublicComment), PublicErrors)
)]
#[get("/public/comments/{tracking_code}")]
pub async fn get_public_comment(st: State, code: web::Path<String>) -> ApiResult<HttpResponse> {
    let code = code.into_inner();
    if code.len() > 32 {
        return Err(AppError::NotFound);
    }
    let c = st
        .db
        .run(move |conn| -> ApiResult<_> {
            wf::comment_by_tracking(conn, code.trim())?.ok_or(AppError::NotFound)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PublicComment::from_row(c)?))
}

/// A comment as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffComment {
    pub id: String,
    #[serde(flatten)]
    pub public: PublicComment,
    pub author_email: Option<String>,
    pub moderation_reason: Option<String>,
}

impl StaffComment {
    fn from_row(c: wf::Comment) -> ApiResult<Self> {
        Ok(StaffComment {
            id: c.id.clone(),
            author_email: c.author_email.clone(),
            moderation_reason: c.moderation_reason.clone(),
            public: PublicComment::from_row(c)?,
        })
    }
}

/// Every comment of a consultation (drafters and legal officers).
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<StaffComment>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/consultations/{id}/comments")]
pub async fn list_comments(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let list = st
        .db
        .run(move |conn| -> ApiResult<Vec<StaffComment>> {
            cons::list(conn, &caller, &id)?
                .into_iter()
                .map(StaffComment::from_row)
                .collect()
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Publish a pending comment, or reject it as spam (with a reason).
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path)),
    request_body = ModerationRequest,
    responses((status = 200, body = StaffComment), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/comments/{id}/moderation")]
pub async fn moderate_comment(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<ModerationRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let c = st
        .db
        .tx(move |conn| cons::moderate(conn, &caller, &id, &body))
        .await?;
    Ok(HttpResponse::Ok().json(StaffComment::from_row(c)?))
}

/// Record what was done with a published comment (tiếp thu / tiếp thu một phần /
/// không tiếp thu) and the explanation.
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path)),
    request_body = DispositionRequest,
    responses((status = 200, body = StaffComment), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/comments/{id}/disposition")]
pub async fn dispose_comment(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    body: Json<DispositionRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let caller = user.caller;
    let c = st
        .db
        .tx(move |conn| cons::dispose(conn, &caller, &id, &body))
        .await?;
    Ok(HttpResponse::Ok().json(StaffComment::from_row(c)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `json` (default), `csv` or `pdf`; else chosen by the `Accept` header.
    pub format: Option<ExportFormat>,
}

fn date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The consolidated report as a document: totals, then article by article each comment
/// with its disposition and response, and how the article changed in the next draft.
fn report_blocks(r: &ConsultationReport) -> Vec<Block> {
    let t = &r.totals;
    let mut blocks = vec![
        Block::Text(format!(
            "Dự thảo: {}{}. Thời gian lấy ý kiến: từ ngày {} đến ngày {}.",
            r.title,
            r.number
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            date_vi(r.opens_on),
            date_vi(r.closes_on)
        )),
        Block::Text(format!(
            "Tổng số ý kiến nhận được: {}; đã công khai: {}; không đăng: {}; chờ duyệt: {}. \
             Tiếp thu: {}; tiếp thu một phần: {}; không tiếp thu: {}; chưa giải trình: {}.",
            t.received,
            t.published,
            t.rejected,
            t.pending,
            t.accepted,
            t.partially_accepted,
            t.not_accepted,
            t.without_disposition
        )),
        Block::Gap,
    ];
    for a in &r.articles {
        let heading = match (&a.path, &a.heading) {
            (None, _) => "Ý kiến chung về dự thảo".to_owned(),
            (Some(p), Some(h)) => format!("{}. {h}", path_label(p)),
            (Some(p), None) => path_label(p),
        };
        blocks.push(Block::Subheading(heading));
        if a.comments.is_empty() {
            blocks.push(Block::Text("Không có ý kiến.".into()));
        }
        for (i, c) in a.comments.iter().enumerate() {
            let who = match &c.organisation {
                Some(o) => format!("{} ({o})", c.author_name),
                None => c.author_name.clone(),
            };
            blocks.push(Block::Text(format!(
                "{}. {who}, mã {}: {}",
                i + 1,
                c.tracking_code,
                c.body
            )));
            let answer = match (c.status, c.disposition) {
                (CommentStatus::Pending, _) => "Chưa duyệt.".to_owned(),
                (_, None) => "Chưa giải trình, tiếp thu.".to_owned(),
                (_, Some(d)) => format!(
                    "{}.{}",
                    d.label_vi(),
                    c.response
                        .as_deref()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default()
                ),
            };
            blocks.push(Block::Text(format!("Giải trình, tiếp thu: {answer}")));
        }
        if let Some(change) = &a.change {
            let status = match change.status.as_str() {
                "unchanged" => "không thay đổi",
                "added" => "bổ sung mới",
                "removed" => "bỏ",
                _ => "có chỉnh lý",
            };
            blocks.push(Block::Text(format!("Ở dự thảo tiếp theo: {status}.")));
            // The changed lines of the unified diff, without its headers.
            for line in change.diff.lines().filter(|l| {
                (l.starts_with('+') || l.starts_with('-'))
                    && !l.starts_with("+++")
                    && !l.starts_with("---")
            }) {
                blocks.push(Block::Text(line.to_owned()));
            }
        }
        blocks.push(Block::Gap);
    }
    blocks
}

/// The consolidated report (bản tổng hợp, giải trình, tiếp thu ý kiến): comments article
/// by article with their dispositions, and what changed in each article between the
/// consulted draft and the next version. JSON, CSV or PDF.
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path), ReportQuery),
    responses(
        (status = 200, description = "The report: JSON, CSV (format=csv) or PDF (format=pdf)", content(
            (ConsultationReport = "application/json"),
            (String = "text/csv"),
            ([u8] = "application/pdf")
        )),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/consultations/{id}/report")]
pub async fn consultation_report(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let format = ExportFormat::chosen(q.format, &req);
    let caller = user.caller;
    let report = st
        .db
        .run(move |conn| cons::report(conn, &caller, &id))
        .await?;
    let name = "bao-cao-tong-hop-y-kien";
    match format {
        ExportFormat::Json => Ok(HttpResponse::Ok().json(report)),
        ExportFormat::Csv => Ok(export::csv_file(name, cons::report_csv(&report)?)),
        ExportFormat::Pdf => {
            let title = "Bản tổng hợp, giải trình, tiếp thu ý kiến góp ý".to_owned();
            export::pdf_file(name, title, report_blocks(&report)).await
        }
    }
}
