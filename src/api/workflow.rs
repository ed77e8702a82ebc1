//! The drafting workflow: transitions, appraisals, public consultation and comments.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::export::ExportFormat;
use super::reports::exported;
use super::responses::{
    BodyErrors, Conflict, IfMatchErrors, PublicErrors, ReadErrors, ThrottledErrors, WriteErrors,
};
use super::review::{ok, Id, Reply};
use super::route::routes;
use super::{parse_id, tagged, Json, State};
use crate::domain::structure::path_label;
use crate::domain::workflow::CommentStatus;
use crate::error::AppError;
use crate::pdf::Block;
use crate::service::consultations::{
    self as cons, ClosedConsultation, ConsultationReport, DispositionRequest, ModerationRequest,
    NewCommentRequest, PublicComment, PublicConsultation, PublicDraft, PublicReport, ReportArticle,
    StaffComment,
};
use crate::service::documents::DocumentResponse;
pub use crate::service::workflow::AppraisalRequestFilter;
use crate::service::workflow::{
    self as svc, AppraisalRequest, AppraisalRequestResponse, AppraisalRequestsQuery,
    AppraisalResponse, TransitionRequest,
};

routes! {
    tag "workflow";

    /// Take a workflow action (`allowed_actions` on the document lists the ones open to
    /// you); a refused guard is a 409 naming it. Send the document's ETag in `If-Match`.
    post "/documents/{id}/transitions" => transition(
        st, caller: Auth, (id, version): IfMatch, body: Json<TransitionRequest>
    ) -> [(status = 200, body = DocumentResponse), WriteErrors, BodyErrors, IfMatchErrors]
        {
            let settings = st.settings.workflow.clone();
            let doc = svc::transition_document(&st.db, caller, id, version, body, settings).await?;
            Ok(tagged(StatusCode::OK, &doc.id, doc.row_version, &doc))
        }

    /// Record the justice office's appraisal of the current version (legal officer, while
    /// the document is in appraisal). `needs_revision` sends it back to revising.
    post "/documents/{id}/appraisals"
        => create_appraisal(st, caller: Auth, id: Path, body: Json<AppraisalRequest>)
        -> [(status = 201, body = AppraisalResponse), WriteErrors, BodyErrors]
        { Ok(HttpResponse::Created().json(svc::create_appraisal(&st.db, caller, id, body).await?)) }

    /// A document's appraisals, oldest first.
    get "/documents/{id}/appraisals" => list_appraisals(st, caller: Auth, id: Path)
        -> [(status = 200, body = Vec<AppraisalResponse>), ReadErrors]
        { ok(svc::appraisals(&st.db, caller, id).await?) }

    /// Drafts sent for appraisal and the day each opinion is due, soonest first: the justice
    /// office's work list. Staff see the requests on drafts they may see.
    get "/appraisal-requests"
        => list_appraisal_requests(st, caller: Auth, q: Query<AppraisalRequestsQuery>)
        -> [(status = 200, body = Vec<AppraisalRequestResponse>), ReadErrors]
        { ok(svc::appraisal_request_list(&st.db, caller, q).await?) }

    /// Every comment of a consultation (drafters and legal officers).
    get "/consultations/{id}/comments" => list_comments(st, caller: Auth, id: Path)
        -> [(status = 200, body = Vec<StaffComment>), ReadErrors]
        { ok(cons::staff_comments(&st.db, caller, id).await?) }

    /// Publish a pending comment, or reject it as spam (with a reason).
    post "/comments/{id}/moderation"
        => moderate_comment(st, caller: Auth, id: Path, body: Json<ModerationRequest>)
        -> [(status = 200, body = StaffComment), WriteErrors, BodyErrors]
        { ok(cons::moderate_comment(&st.db, caller, id, body).await?) }

    /// Record what was done with a published comment (tiếp thu / tiếp thu một phần /
    /// không tiếp thu) and the explanation.
    post "/comments/{id}/disposition"
        => dispose_comment(st, caller: Auth, id: Path, body: Json<DispositionRequest>)
        -> [(status = 200, body = StaffComment), WriteErrors, BodyErrors]
        { ok(cons::dispose_comment(&st.db, caller, id, body).await?) }

    /// The consolidated report (bản tổng hợp, giải trình, tiếp thu ý kiến): comments article
    /// by article with their dispositions, and what changed in each article between the
    /// consulted draft and the next version. JSON, CSV or PDF.
    get "/consultations/{id}/report" => consultation_report(
        st, caller: Auth, id: Path, q: Query<ReportQuery>, req: Request
    ) -> [
        (status = 200, description = "The report: JSON, CSV (format=csv) or PDF (format=pdf)", content(
            (ConsultationReport = "application/json"),
            (String = "text/csv"),
            ([u8] = "application/pdf")
        )),
        ReadErrors
    ] {
        let format = ExportFormat::chosen(q.format, &req);
        consultation_report_file(&st, caller, id, format).await
    }
}

routes! {
    tag "public";

    /// Drafts open for public comment today; no account needed.
    get "/public/consultations" => public_consultations(st)
        -> [(status = 200, body = Vec<PublicConsultation>), PublicErrors]
        { ok(cons::open_drafts(&st.db).await?) }

    /// Consultations whose period ended (closed early or past their closing date), the
    /// latest to close first, at most 100; each links to its public report. No account needed.
    get "/public/consultations/closed" => closed_consultations(st)
        -> [(status = 200, body = Vec<ClosedConsultation>), PublicErrors]
        { ok(cons::closed_consultations(&st.db).await?) }

    /// One consultation, open or closed, with its draft article by article, the closing date
    /// and the provisions a comment may name. No account needed.
    get "/public/consultations/{id}" => public_consultation(st, id: Path)
        -> [(status = 200, body = PublicDraft), PublicErrors]
        { ok(cons::public_draft(&st.db, id).await?) }

    /// The public report of a closed consultation: per article the published comments (names
    /// as given, never emails), each disposition and response, and the totals. Before the
    /// consultation closes: 409 naming the `consultation_closed` guard.
    get "/public/consultations/{id}/report" => public_consultation_report(st, id: Path)
        -> [(status = 200, body = PublicReport), PublicErrors, Conflict]
        { ok(cons::public_consultation_report(&st.db, id).await?) }

    /// The draft file of an open consultation.
    get "/public/consultations/{id}/file" => public_consultation_file(st, id: Path)
        -> [
            (status = 200, description = "The file, PDF or DOCX", content(
                ([u8] = "application/pdf"),
                ([u8] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            )),
            PublicErrors
        ] {
            let blob = cons::consultation_file(&st.db, id).await?;
            Ok(HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, blob.content_type.clone()))
                .insert_header((header::ETAG, format!("\"{}\"", blob.sha256)))
                .body(blob.data))
        }
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

/// The consolidated report of a consultation in `format` (the staff pages' download too).
pub async fn consultation_report_file(
    st: &State,
    caller: crate::service::Caller,
    id: String,
    format: ExportFormat,
) -> Result<HttpResponse, AppError> {
    let report = cons::consultation_report(&st.db, caller, id).await?;
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
