//! The drafting workflow: transitions, appraisals, public consultation and comments.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::export::ExportFormat;
use super::reports::exported;
use super::responses::{
    BodyErrors, Conflict, IfMatchErrors, PublicErrors, ReadErrors, ThrottledErrors, WriteErrors,
};
use super::review::{ok, Id, Reply};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::domain::structure::path_label;
use crate::domain::workflow::CommentStatus;
use crate::error::AppError;
use crate::pdf::Block;
use crate::service::consultations::{
    self as cons, ConsultationReport, DispositionRequest, ModerationRequest, NewCommentRequest,
    PublicComment, PublicConsultation, ReportArticle, StaffComment,
};
use crate::service::documents::DocumentResponse;
pub use crate::service::workflow::AppraisalRequestFilter;
use crate::service::workflow::{
    self as svc, AppraisalRequest, AppraisalRequestResponse, AppraisalRequestsQuery,
    AppraisalResponse, TransitionRequest,
};

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
    id: Id,
    if_match: IfMatch,
    body: Json<TransitionRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    let version = if_match.row_version()?;
    let settings = st.settings.workflow.clone();
    let doc = svc::transition_document(&st.db, user.caller, id, version, body.0, settings).await?;
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
    id: Id,
    body: Json<AppraisalRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    let a = svc::create_appraisal(&st.db, user.caller, id, body.0).await?;
    Ok(HttpResponse::Created().json(a))
}

/// A document's appraisals, oldest first.
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<AppraisalResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/documents/{id}/appraisals")]
pub async fn list_appraisals(st: State, user: AuthUser, id: Id) -> Reply {
    ok(svc::appraisals(&st.db, user.caller, parse_id(&id)?).await?)
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
) -> Reply {
    ok(svc::appraisal_request_list(&st.db, user.caller, q.into_inner()).await?)
}

/// Drafts open for public comment today; no account needed.
#[utoipa::path(tag = "public", responses((status = 200, body = Vec<PublicConsultation>), PublicErrors))]
#[get("/public/consultations")]
pub async fn public_consultations(st: State) -> Reply {
    ok(cons::open_drafts(&st.db).await?)
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
pub async fn public_consultation_file(st: State, id: Id) -> Reply {
    let blob = cons::consultation_file(&st.db, parse_id(&id)?).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, blob.content_type.clone()))
        .insert_header((header::ETAG, format!("\"{}\"", blob.sha256)))
        .body(blob.data))
}

/// The `Idempotency-Key` header, if sent: 1 to 128 visible ASCII characters.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(v) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let k = v
        .to_str()
        .map_err(|_| AppError::invalid("Idempotency-Key", "must be visible ASCII"))?
        .trim();
    if k.is_empty() || k.len() > 128 {
        return Err(AppError::invalid("Idempotency-Key", "1 to 128 characters"));
    }
    Ok(Some(k.to_owned()))
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
    id: Id,
    req: HttpRequest,
    body: Json<NewCommentRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    super::throttle_comment(&st, &req)?;
    let key = idempotency_key(&req)?;
    let settings = st.settings.workflow.clone();
    let (comment, created) = cons::submit_comment(&st.db, id, body.0, key, settings).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(comment))
}

/// Follow a comment by its tracking code: its status and, later, its disposition and response.
#[utoipa::path(
    tag = "public",
    params(("tracking_code" = String, Path)),
    responses((status = 200, body = PublicComment), PublicErrors)
)]
#[get("/public/comments/{tracking_code}")]
pub async fn get_public_comment(st: State, code: Id) -> Reply {
    ok(cons::public_comment(&st.db, code.into_inner()).await?)
}

/// Every comment of a consultation (drafters and legal officers).
#[utoipa::path(
    tag = "workflow",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<StaffComment>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/consultations/{id}/comments")]
pub async fn list_comments(st: State, user: AuthUser, id: Id) -> Reply {
    ok(cons::staff_comments(&st.db, user.caller, parse_id(&id)?).await?)
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
    id: Id,
    body: Json<ModerationRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    ok(cons::moderate_comment(&st.db, user.caller, id, body.0).await?)
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
    id: Id,
    body: Json<DispositionRequest>,
) -> Reply {
    let id = parse_id(&id)?;
    ok(cons::dispose_comment(&st.db, user.caller, id, body.0).await?)
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
        article_blocks(a, &mut blocks);
        blocks.push(Block::Gap);
    }
    blocks
}

/// An article of the report: its comments with their answers, then how it changed.
fn article_blocks(a: &ReportArticle, blocks: &mut Vec<Block>) {
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
    id: Id,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> Reply {
    let id = parse_id(&id)?;
    let format = ExportFormat::chosen(q.format, &req);
    let report = cons::consultation_report(&st.db, user.caller, id).await?;
    exported(
        format,
        "bao-cao-tong-hop-y-kien",
        &report,
        || cons::report_csv(&report),
        || {
            let title = "Bản tổng hợp, giải trình, tiếp thu ý kiến góp ý".to_owned();
            (title, report_blocks(&report))
        },
    )
    .await
}
