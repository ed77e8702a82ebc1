//! The justice office's appraisal list (`/lam-viec/tham-dinh`): the drafts sent for
//! appraisal, open or overdue, with the form for an opinion on each open one (for the roles
//! that record opinions), as `GET /appraisal-requests` and `POST /documents/{id}/appraisals`.

use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use serde::Deserialize;

use super::{answered, Form, Frame, Staff};
use crate::api::State;
use crate::domain::workflow::AppraisalOpinion;
use crate::error::AppError;
use crate::service::workflow::{
    self as wf, AppraisalDesk, AppraisalRequest, AppraisalRequestFilter, AppraisalRequestsQuery,
};
use crate::web::page::{page_id, query, PageResult};

const HERE: &str = "/lam-viec/tham-dinh";

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    state: Option<AppraisalRequestFilter>,
    #[serde(default)]
    #[allow(dead_code)]
    tb: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/appraisals.html", config = "src/web/askama.toml")]
struct ListPage {
    frame: Frame,
    desk: AppraisalDesk,
    state: AppraisalRequestFilter,
    opinions: &'static [AppraisalOpinion],
}

impl ListPage {
    fn filter_href(&self, f: &str) -> String {
        format!("{HERE}?state={f}")
    }

    fn is(&self, f: &str) -> bool {
        matches!(
            (self.state, f),
            (AppraisalRequestFilter::Open, "open")
                | (AppraisalRequestFilter::Overdue, "overdue")
                | (AppraisalRequestFilter::All, "all")
        )
    }
}

async fn list_page(
    st: &State,
    req: &HttpRequest,
    staff: &Staff,
    state: AppraisalRequestFilter,
    problem: Option<&AppError>,
) -> PageResult {
    let q = AppraisalRequestsQuery {
        state: Some(state),
        as_of: None,
    };
    let page = ListPage {
        frame: staff.frame_with(req, HERE, problem),
        desk: wf::appraisal_desk(&st.db, staff.caller.clone(), q).await?,
        state,
        opinions: AppraisalOpinion::ALL,
    };
    staff.page(req, &page)
}

/// The appraisal requests, open (default), overdue or all.
#[get("/lam-viec/tham-dinh")]
pub async fn list(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    let q: ListQuery = query(&req)?;
    list_page(&st, &req, &staff, q.state.unwrap_or_default(), None).await
}

#[derive(Debug, Deserialize)]
pub struct OpinionForm {
    opinion: AppraisalOpinion,
    #[serde(default)]
    findings: String,
}

/// Records the opinion on a draft's current version.
#[post("/lam-viec/tham-dinh/{document}")]
pub async fn appraise(
    st: State,
    req: HttpRequest,
    staff: Staff,
    document: web::Path<String>,
    form: Form<OpinionForm>,
) -> PageResult {
    let id = page_id(&document)?;
    let f = form.0;
    let body = AppraisalRequest {
        opinion: f.opinion,
        findings: Some(f.findings).filter(|s| !s.trim().is_empty()),
    };
    let done = wf::create_appraisal(&st.db, staff.caller.clone(), id, body).await;
    let back = format!("{HERE}?tb=saved");
    answered(done, &back, |e| async move {
        list_page(&st, &req, &staff, AppraisalRequestFilter::Open, Some(&e)).await
    })
    .await
}
