//! ISO document control (`/lam-viec/iso`): the quality documents, the periodic reviews due,
//! the copies still out and the compliance report; and one document's control page — its
//! revisions and state, the open revision's steps (those the revision use cases allow the
//! caller) and review comments, the distribution's controlled copies with their stamped PDFs,
//! the acknowledgements, and the periodic review.

use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{answered, date_field, Form, Frame, Staff};
use crate::api::State;
use crate::domain::kinds::ReviewOutcome;
use crate::error::AppError;
use crate::service::dto::ReasonRequest;
use crate::service::iso::{
    self as svc, AcknowledgeRequest, CommentRequest, IsoDesk, IsoWorkspace, IssueRequest,
    ReviewRequest, RevisionStep,
};
use crate::web::page::{page_id, PageError, PageResult};

const HERE: &str = "/lam-viec/iso";

fn at(id: &str) -> String {
    format!("{HERE}/{id}")
}

#[derive(Template)]
#[template(path = "staff/iso.html", config = "src/web/askama.toml")]
struct ListPage {
    frame: Frame,
    desk: IsoDesk,
}

/// The quality documents and what is due.
#[get("/lam-viec/iso")]
pub async fn list(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    let page = ListPage {
        frame: staff.frame(&req, HERE),
        desk: svc::iso_desk(&st.db, staff.caller.clone()).await?,
    };
    staff.page(&req, &page)
}

#[derive(Template)]
#[template(path = "staff/iso_document.html", config = "src/web/askama.toml")]
struct DocumentPage {
    frame: Frame,
    w: IsoWorkspace,
    outcomes: &'static [ReviewOutcome],
    today: NaiveDate,
}

async fn document_page(
    st: &State,
    req: &HttpRequest,
    staff: &Staff,
    id: String,
    e: Option<&AppError>,
) -> PageResult {
    let page = DocumentPage {
        frame: staff.frame_with(req, HERE, e),
        w: svc::iso_workspace(&st.db, staff.caller.clone(), id).await?,
        outcomes: ReviewOutcome::ALL,
        today: crate::service::today(),
    };
    staff.page(req, &page)
}

/// A quality document's control page.
#[get("/lam-viec/iso/{id}")]
pub async fn show(st: State, req: HttpRequest, staff: Staff, id: web::Path<String>) -> PageResult {
    document_page(&st, &req, &staff, page_id(&id)?, None).await
}

/// Redraws the document's page with a refused form's problem.
async fn redraw(st: &State, req: &HttpRequest, staff: &Staff, id: &str, e: AppError) -> PageResult {
    document_page(st, req, staff, id.to_owned(), Some(&e)).await
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    row_version: i32,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    effective_from: String,
}

/// Takes a step of the revision workflow on one revision, at its row version.
#[post("/lam-viec/iso/{id}/ban-sua-doi/{version}/{step}")]
pub async fn step(
    st: State,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, String, String)>,
    form: Form<StepForm>,
) -> PageResult {
    let (id, version) = (page_id(&path.0)?, page_id(&path.1)?);
    let step: RevisionStep = path.2.parse().map_err(|_| PageError(AppError::NotFound))?;
    let f = form.0;
    let (db, caller, rv) = (&st.db, staff.caller.clone(), f.row_version);
    let reason = || ReasonRequest {
        reason: f.reason.clone(),
    };
    let done = match step {
        RevisionStep::Submit => svc::submit_revision(db, caller, version, rv).await,
        RevisionStep::Return => svc::return_revision(db, caller, version, rv, reason()).await,
        RevisionStep::Approve => svc::approve_revision(db, caller, version, rv).await,
        RevisionStep::Withdraw => svc::withdraw_revision(db, caller, version, rv, reason()).await,
        RevisionStep::Issue => {
            async {
                let effective_from = date_field("effective_from", Some(&f.effective_from))?;
                let body = IssueRequest { effective_from };
                svc::issue_revision(db, caller, version, rv, body).await
            }
            .await
        }
    };
    let back = format!("{}?tb=done", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

/// Comments on a revision in review.
#[post("/lam-viec/iso/{id}/ban-sua-doi/{version}/y-kien")]
pub async fn comment(
    st: State,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, String)>,
    form: Form<CommentForm>,
) -> PageResult {
    let (id, version) = (page_id(&path.0)?, page_id(&path.1)?);
    let body = CommentRequest { body: form.0.body };
    let done = svc::add_comment(&st.db, staff.caller.clone(), version, body).await;
    let back = format!("{}?tb=saved#y-kien", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

#[derive(Debug, Deserialize)]
pub struct AcknowledgeForm {
    version_id: String,
}

/// Acknowledges the current revision as read and understood.
#[post("/lam-viec/iso/{id}/xac-nhan")]
pub async fn acknowledge(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<AcknowledgeForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let body = AcknowledgeRequest {
        version_id: Some(form.0.version_id),
    };
    let done = svc::acknowledge_document(&st.db, staff.caller.clone(), id.clone(), body).await;
    let back = format!("{}?tb=done#xac-nhan", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    row_version: i32,
    outcome: ReviewOutcome,
    #[serde(default)]
    note: String,
}

/// Records the periodic review of the document.
#[post("/lam-viec/iso/{id}/xem-xet")]
pub async fn review(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<ReviewForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let f = form.0;
    let body = ReviewRequest {
        outcome: f.outcome,
        note: Some(f.note).filter(|n| !n.trim().is_empty()),
    };
    let caller = staff.caller.clone();
    let done = svc::review_document(&st.db, caller, id.clone(), f.row_version, body).await;
    let back = format!("{}?tb=saved", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

#[derive(Debug, Deserialize)]
pub struct CopyForm {
    row_version: i32,
}

/// Confirms that a recalled copy came back.
#[post("/lam-viec/iso/{id}/ban-sao/{copy}/thu-hoi")]
pub async fn returned(
    st: State,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, String)>,
    form: Form<CopyForm>,
) -> PageResult {
    let (id, copy) = (page_id(&path.0)?, page_id(&path.1)?);
    let rv = form.0.row_version;
    let done = svc::confirm_withdrawal(&st.db, staff.caller.clone(), copy, rv).await;
    let back = format!("{}?tb=done#ban-sao", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

/// The stamped PDF of a controlled copy (obsolete once its revision is superseded).
#[get("/lam-viec/iso/ban-sao/{copy}/pdf")]
pub async fn copy_pdf(st: State, staff: Staff, copy: web::Path<String>) -> PageResult {
    let copy = page_id(&copy)?;
    Ok(crate::api::copies::controlled_copy_file(&st, staff.caller.clone(), copy).await?)
}
