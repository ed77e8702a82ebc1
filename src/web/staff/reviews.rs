//! Review work (`/lam-viec/ra-soat`): the review campaigns with their progress, the
//! self-inspections still open (with the result form for who runs them), the open review
//! flags (resolved with a note), and one campaign's page — progress by result and by agency,
//! and each item with the result form when the caller may record it.

use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use serde::Deserialize;

use super::{answered, Form, Frame, Staff};
use crate::api::State;
use crate::domain::review::{InspectionHandling, ReviewResult, SelfInspectionResult};
use crate::error::AppError;
use crate::service::review::{
    self as svc, CampaignDesk, RecordReviewRequest, ResolveFlagRequest, ReviewDesk,
};
use crate::service::self_inspection::{self as si, RecordInspectionRequest};
use crate::web::page::{page_id, PageResult};

const HERE: &str = "/lam-viec/ra-soat";

#[derive(Template)]
#[template(path = "staff/reviews.html", config = "src/web/askama.toml")]
struct ListPage {
    frame: Frame,
    desk: ReviewDesk,
    results: &'static [SelfInspectionResult],
    handlings: &'static [InspectionHandling],
}

async fn list_page(
    st: &State,
    req: &HttpRequest,
    staff: &Staff,
    e: Option<&AppError>,
) -> PageResult {
    let page = ListPage {
        frame: staff.frame_with(req, HERE, e),
        desk: svc::review_desk(&st.db, staff.caller.clone()).await?,
        results: SelfInspectionResult::ALL,
        handlings: InspectionHandling::ALL,
    };
    staff.page(req, &page)
}

/// Campaigns, open self-inspections and open flags.
#[get("/lam-viec/ra-soat")]
pub async fn list(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    list_page(&st, &req, &staff, None).await
}

#[derive(Debug, Deserialize)]
pub struct InspectionForm {
    result: SelfInspectionResult,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    handling: String,
}

/// Records a self-inspection's result.
#[post("/lam-viec/ra-soat/tu-kiem-tra/{id}")]
pub async fn inspect(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<InspectionForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let f = form.0;
    let done = async {
        let handling = match f.handling.trim() {
            "" => None,
            h => Some(
                h.parse::<InspectionHandling>()
                    .map_err(|_| AppError::invalid("handling", "not a handling"))?,
            ),
        };
        let body = RecordInspectionRequest {
            result: f.result,
            findings: Some(f.findings).filter(|s| !s.trim().is_empty()),
            handling,
        };
        si::record_inspection(&st.db, staff.caller.clone(), id, body).await
    }
    .await;
    let back = format!("{HERE}?tb=saved");
    answered(done, &back, |e| async move {
        list_page(&st, &req, &staff, Some(&e)).await
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    resolution: String,
}

/// Resolves a review flag with a note.
#[post("/lam-viec/ra-soat/co/{id}")]
pub async fn resolve(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<ResolveForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let body = ResolveFlagRequest {
        resolution: form.0.resolution,
    };
    let done = svc::resolve_review_flag(&st.db, staff.caller.clone(), id, body).await;
    let back = format!("{HERE}?tb=done");
    answered(done, &back, |e| async move {
        list_page(&st, &req, &staff, Some(&e)).await
    })
    .await
}

#[derive(Template)]
#[template(path = "staff/campaign.html", config = "src/web/askama.toml")]
struct CampaignPage {
    frame: Frame,
    d: CampaignDesk,
    results: &'static [ReviewResult],
}

async fn campaign_page(
    st: &State,
    req: &HttpRequest,
    staff: &Staff,
    id: String,
    e: Option<&AppError>,
) -> PageResult {
    let page = CampaignPage {
        frame: staff.frame_with(req, HERE, e),
        d: svc::campaign_desk(&st.db, staff.caller.clone(), id).await?,
        results: ReviewResult::ALL,
    };
    staff.page(req, &page)
}

/// One campaign: progress and items.
#[get("/lam-viec/ra-soat/dot/{id}")]
pub async fn campaign(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
) -> PageResult {
    campaign_page(&st, &req, &staff, page_id(&id)?, None).await
}

#[derive(Debug, Deserialize)]
pub struct ResultForm {
    row_version: i32,
    result: ReviewResult,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    proposed_action: String,
}

/// Records (or corrects) an item's result at the row version the page was read at.
#[post("/lam-viec/ra-soat/dot/{id}/muc/{item}")]
pub async fn record(
    st: State,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, String)>,
    form: Form<ResultForm>,
) -> PageResult {
    let (id, item) = (page_id(&path.0)?, page_id(&path.1)?);
    let f = form.0;
    let body = RecordReviewRequest {
        result: f.result,
        reasons: f.reasons,
        proposed_action: Some(f.proposed_action).filter(|s| !s.trim().is_empty()),
    };
    let caller = staff.caller.clone();
    let done = svc::record_review_result(&st.db, caller, item.clone(), f.row_version, body).await;
    let back = format!("{HERE}/dot/{id}?tb=saved#muc-{item}");
    answered(done, &back, |e| async move {
        campaign_page(&st, &req, &staff, id, Some(&e)).await
    })
    .await
}
