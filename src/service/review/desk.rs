//! Review work as the staff pages show it: the campaigns, the self-inspections still open and
//! the open flags, and one campaign with its progress and its items — each with whether the
//! caller may record its result now (the checks of the recording use cases).

use serde::Serialize;

use super::{
    review_campaign, review_campaigns, review_flags, review_items, review_progress,
    CampaignResponse, FlagListQuery, ItemListQuery, ProgressResponse, ReviewFlagResponse,
    ReviewItemResponse,
};
use crate::auth::Action;
use crate::db::Db;
use crate::domain::review::{CampaignState, InspectionState};
use crate::error::ApiResult;
use crate::service::self_inspection::{list_inspections, InspectionQuery, SelfInspectionResponse};
use crate::service::{policy, Caller};

/// The review page.
#[derive(Debug, Serialize)]
pub struct ReviewDesk {
    pub campaigns: Vec<CampaignResponse>,
    /// Open self-inspections, soonest due first.
    pub inspections: Vec<SelfInspectionResponse>,
    /// Open flags, newest first.
    pub flags: Vec<ReviewFlagResponse>,
    /// The caller records self-inspections and resolves flags (the legal officer).
    pub runs_reviews: bool,
}

/// The campaigns, the open self-inspections and the open flags the caller may read.
pub async fn review_desk(db: &Db, caller: Caller) -> ApiResult<ReviewDesk> {
    let inspections = InspectionQuery {
        state: Some(InspectionState::Open),
        ..InspectionQuery::default()
    };
    Ok(ReviewDesk {
        campaigns: review_campaigns(db, caller.clone()).await?,
        inspections: list_inspections(db, caller.clone(), inspections).await?,
        flags: review_flags(db, caller.clone(), FlagListQuery::default()).await?,
        runs_reviews: caller.may(Action::RunReviews),
    })
}

/// One item of a campaign, with whether the caller may record its result.
#[derive(Debug, Serialize)]
pub struct DeskItem {
    pub item: ReviewItemResponse,
    pub may_record: bool,
}

/// A campaign's page.
#[derive(Debug, Serialize)]
pub struct CampaignDesk {
    pub campaign: CampaignResponse,
    pub progress: ProgressResponse,
    pub items: Vec<DeskItem>,
}

/// Whether the caller may record the result of `item` of a campaign in `state`: while it is
/// open, and as the recording use case decides.
pub fn may_record(caller: &Caller, state: CampaignState, item: &ReviewItemResponse) -> bool {
    let assignee = item.assignee.as_ref().map(|a| a.id.as_str());
    state == CampaignState::Open && policy::require_record_review_item(caller, assignee).is_ok()
}

/// One campaign with its progress (by result and agency) and its items.
pub async fn campaign_desk(db: &Db, caller: Caller, id: String) -> ApiResult<CampaignDesk> {
    let campaign = review_campaign(db, caller.clone(), id.clone()).await?;
    let progress = review_progress(db, caller.clone(), id.clone()).await?;
    let items = review_items(db, caller.clone(), id, ItemListQuery::default()).await?;
    Ok(CampaignDesk {
        items: items
            .into_iter()
            .map(|item| DeskItem {
                may_record: may_record(&caller, campaign.state, &item),
                item,
            })
            .collect(),
        campaign,
        progress,
    })
}
