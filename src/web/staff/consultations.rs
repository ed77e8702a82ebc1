//! The consultation desk (`/lam-viec/gop-y`): the consultations whose comments the account
//! handles, and one consultation's comments with their moderation (publish, or reject as spam
//! with a reason) and their disposition and response, article by article, and the
//! consolidated report to download (PDF, CSV) — the API's use cases, the API's report.

use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use serde::Deserialize;

use super::{answered, Form, Frame, Staff};
use crate::api::export::ExportFormat;
use crate::api::State;
use crate::domain::structure::path_label;
use crate::domain::workflow::{CommentStatus, Disposition};
use crate::error::AppError;
use crate::service::consultations::{
    self as cons, DeskConsultation, DispositionRequest, ModerationAction, ModerationRequest,
    StaffComment,
};
use crate::web::page::{page_id, query, PageError, PageResult};

const HERE: &str = "/lam-viec/gop-y";

#[derive(Template)]
#[template(path = "staff/consultations.html", config = "src/web/askama.toml")]
struct ListPage {
    frame: Frame,
    desk: Vec<DeskConsultation>,
}

/// The consultations on the account's desk.
#[get("/lam-viec/gop-y")]
pub async fn list(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    let desk = cons::desk(&st.db, staff.caller.clone()).await?;
    let page = ListPage {
        frame: staff.frame(&req, HERE),
        desk,
    };
    staff.page(&req, &page)
}

/// The comments of one article (or of the draft as a whole), in the order received.
pub struct Article {
    pub label: String,
    pub comments: Vec<StaffComment>,
}

#[derive(Template)]
#[template(path = "staff/consultation.html", config = "src/web/askama.toml")]
struct DeskPage {
    frame: Frame,
    c: DeskConsultation,
    articles: Vec<Article>,
    dispositions: &'static [Disposition],
}

impl DeskPage {
    fn pending(&self, c: &StaffComment) -> bool {
        c.public.status == CommentStatus::Pending
    }

    fn published(&self, c: &StaffComment) -> bool {
        c.public.status == CommentStatus::Published
    }
}

/// Groups a consultation's comments by article, the draft as a whole first.
fn by_article(comments: &[StaffComment]) -> Vec<Article> {
    let mut groups: std::collections::BTreeMap<Option<String>, Vec<StaffComment>> =
        Default::default();
    for c in comments {
        let key = c.public.provision_path.clone();
        groups.entry(key).or_default().push(c.clone());
    }
    groups
        .into_iter()
        .map(|(path, comments)| Article {
            label: path
                .as_deref()
                .map(path_label)
                .unwrap_or_else(|| "Góp ý chung về dự thảo".into()),
            comments,
        })
        .collect()
}

async fn desk_page(
    st: &State,
    req: &HttpRequest,
    staff: &Staff,
    id: String,
    problem: Option<&AppError>,
) -> PageResult {
    let c = cons::desk_one(&st.db, staff.caller.clone(), id).await?;
    let page = DeskPage {
        frame: staff.frame_with(req, HERE, problem),
        articles: by_article(&c.comments),
        c,
        dispositions: Disposition::ALL,
    };
    staff.page(req, &page)
}

/// One consultation's comments.
#[get("/lam-viec/gop-y/{id}")]
pub async fn show(st: State, req: HttpRequest, staff: Staff, id: web::Path<String>) -> PageResult {
    let id = page_id(&id)?;
    desk_page(&st, &req, &staff, id, None).await
}

#[derive(Debug, Deserialize)]
pub struct ModerationForm {
    action: ModerationAction,
    reason: Option<String>,
}

/// Publishes a pending comment or rejects it as spam.
#[post("/lam-viec/gop-y/{id}/y-kien/{comment}/duyet")]
pub async fn moderate(
    st: State,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, String)>,
    form: Form<ModerationForm>,
) -> PageResult {
    let (id, comment) = (page_id(&path.0)?, page_id(&path.1)?);
    let f = form.0;
    let body = ModerationRequest {
        action: f.action,
        reason: f.reason.filter(|r| !r.trim().is_empty()),
    };
    let done = cons::moderate_comment(&st.db, staff.caller.clone(), comment.clone(), body).await;
    let back = format!("{HERE}/{id}?tb=done#y-kien-{comment}");
    answered(done, &back, |e| async move {
        desk_page(&st, &req, &staff, id, Some(&e)).await
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct DispositionForm {
    disposition: Disposition,
    #[serde(default)]
    response: String,
}

/// Records what was done with a published comment, and the explanation.
#[post("/lam-viec/gop-y/{id}/y-kien/{comment}/tiep-thu")]
pub async fn dispose(
    st: State,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, String)>,
    form: Form<DispositionForm>,
) -> PageResult {
    let (id, comment) = (page_id(&path.0)?, page_id(&path.1)?);
    let f = form.0;
    let body = DispositionRequest {
        disposition: f.disposition,
        response: f.response,
    };
    let done = cons::dispose_comment(&st.db, staff.caller.clone(), comment.clone(), body).await;
    let back = format!("{HERE}/{id}?tb=saved#y-kien-{comment}");
    answered(done, &back, |e| async move {
        desk_page(&st, &req, &staff, id, Some(&e)).await
    })
    .await
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    #[serde(rename = "dinh-dang")]
    format: String,
}

/// The consolidated report (bản tổng hợp, giải trình, tiếp thu), `?dinh-dang=pdf` or `csv`.
#[get("/lam-viec/gop-y/{id}/bao-cao")]
pub async fn report(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
) -> PageResult {
    let id = page_id(&id)?;
    let q: ReportQuery = query(&req)?;
    let format = match q.format.as_str() {
        "pdf" => ExportFormat::Pdf,
        "csv" => ExportFormat::Csv,
        _ => {
            return Err(PageError(AppError::BadRequest(
                "Định dạng báo cáo là pdf hoặc csv.".into(),
            )))
        }
    };
    let file =
        crate::api::workflow::consultation_report_file(&st, staff.caller.clone(), id, format);
    Ok(file.await?)
}
