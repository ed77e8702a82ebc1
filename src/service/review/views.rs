//! The read models of review, as the use cases answer them: flags, campaigns, their
//! items and their progress.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::{AgencyProgress, CampaignView, FlagView};
use crate::db::models::{Document, ReviewItem};
use crate::db::{self, Conn};
use crate::domain::review::{
    CampaignState, InspectionHandling, ResultCounts, ReviewFlagCause, ReviewResult,
};
use crate::error::{ApiResult, AppError};
use crate::service::dto::{summaries, unit_ref, DocumentSummary, OrgUnitRef};

/// The summary of document `id`, from a map that [`summaries`] made.
pub fn summary(map: &HashMap<String, DocumentSummary>, id: &str) -> ApiResult<DocumentSummary> {
    map.get(id)
        .cloned()
        .ok_or_else(|| AppError::internal("document summary missing"))
}

/// Rows paired with the summaries of their documents, in one query for the issuers.
pub fn summarised<T>(
    conn: &mut Conn,
    rows: Vec<(T, Document)>,
) -> ApiResult<Vec<(T, DocumentSummary)>> {
    let map = summaries(conn, rows.iter().map(|(_, d)| d))?;
    rows.into_iter()
        .map(|(r, d)| Ok((r, summary(&map, &d.id)?)))
        .collect()
}

/// The one read model made from a list of one row.
pub fn only<T>(mut list: Vec<T>) -> ApiResult<T> {
    list.pop()
        .ok_or_else(|| AppError::internal("empty read model"))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewFlagResponse {
    pub id: String,
    /// The document to review.
    pub document: DocumentSummary,
    pub cause_kind: ReviewFlagCause,
    pub cause_label_vi: &'static str,
    /// The document that changed its legal basis (absent for a self-inspection follow-up).
    pub cause_document: Option<DocumentSummary>,
    pub cause_relation_id: Option<String>,
    pub cause_self_inspection_id: Option<String>,
    /// For a self-inspection follow-up: the handling decided.
    pub action: Option<InspectionHandling>,
    /// The cause in words.
    pub detail: String,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    pub open: bool,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

pub(super) fn flag_responses(
    conn: &mut Conn,
    views: Vec<FlagView>,
) -> ApiResult<Vec<ReviewFlagResponse>> {
    let map = summaries(
        conn,
        views
            .iter()
            .flat_map(|v| std::iter::once(&v.document).chain(v.cause_document.as_ref())),
    )?;
    views
        .into_iter()
        .map(|v| {
            let f = v.flag;
            let cause: ReviewFlagCause = f.cause_kind;
            Ok(ReviewFlagResponse {
                document: summary(&map, &v.document.id)?,
                cause_document: v
                    .cause_document
                    .as_ref()
                    .map(|d| summary(&map, &d.id))
                    .transpose()?,
                cause_label_vi: cause.label_vi(),
                cause_kind: cause,
                action: f.action,
                open: f.resolved_at.is_none(),
                id: f.id,
                cause_relation_id: f.cause_relation_id,
                cause_self_inspection_id: f.cause_self_inspection_id,
                detail: f.detail,
                created_at: f.created_at,
                resolved_at: f.resolved_at,
                resolved_by: f.resolved_by,
                resolution: f.resolution,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignResponse {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The criteria the campaign was opened with.
    #[schema(value_type = Object)]
    pub selection: serde_json::Value,
    pub state: CampaignState,
    pub state_label_vi: &'static str,
    /// Documents covered.
    pub total: i64,
    /// Documents with a result.
    pub reviewed: i64,
    pub unreviewed: i64,
    pub by_result: ResultCounts,
    pub created_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<String>,
    pub close_reason: Option<String>,
}

impl CampaignResponse {
    pub(super) fn from_view(v: CampaignView) -> ApiResult<Self> {
        let c = v.campaign;
        let state: CampaignState = c.state;
        Ok(CampaignResponse {
            selection: serde_json::from_str(&c.selection).map_err(AppError::internal)?,
            state_label_vi: state.label_vi(),
            state,
            total: v.total,
            reviewed: v.reviewed,
            unreviewed: v.total - v.reviewed,
            by_result: v.by_result,
            id: c.id,
            name: c.name,
            description: c.description,
            created_by: c.created_by,
            created_at: c.created_at,
            closed_at: c.closed_at,
            closed_by: c.closed_by,
            close_reason: c.close_reason,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewItemResponse {
    pub id: String,
    pub campaign_id: String,
    pub document: DocumentSummary,
    /// The agency that reviews it.
    pub assignee: Option<OrgUnitRef>,
    pub result: Option<ReviewResult>,
    pub result_label_vi: Option<&'static str>,
    pub reasons: Option<String>,
    pub proposed_action: Option<String>,
    pub reviewed_by: Option<String>,
    #[serde(with = "crate::service::timestamp::utc_option")]
    pub reviewed_at: Option<NaiveDateTime>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    /// Send `If-Match` with the ETag (built from this) to record a result.
    pub row_version: i32,
}

/// The org units named by `ids`, as references keyed by id.
fn unit_refs<'a>(
    conn: &mut Conn,
    ids: impl Iterator<Item = &'a str>,
) -> ApiResult<HashMap<String, OrgUnitRef>> {
    let ids: Vec<&str> = ids.collect();
    Ok(db::org_units::by_ids(conn, &ids)?
        .iter()
        .map(|(id, u)| (id.clone(), unit_ref(u)))
        .collect())
}

pub(super) fn item_responses(
    conn: &mut Conn,
    rows: Vec<(ReviewItem, Document)>,
) -> ApiResult<Vec<ReviewItemResponse>> {
    let units = unit_refs(
        conn,
        rows.iter().filter_map(|(i, _)| i.assignee_id.as_deref()),
    )?;
    summarised(conn, rows)?
        .into_iter()
        .map(|(i, document)| {
            let result: Option<ReviewResult> = i.result;
            Ok(ReviewItemResponse {
                document,
                assignee: i.assignee_id.as_ref().and_then(|a| units.get(a)).cloned(),
                result_label_vi: result.map(ReviewResult::label_vi),
                result,
                id: i.id,
                campaign_id: i.campaign_id,
                reasons: i.reasons,
                proposed_action: i.proposed_action,
                reviewed_by: i.reviewed_by,
                reviewed_at: i.reviewed_at,
                updated_at: i.updated_at,
                row_version: i.row_version,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyProgressResponse {
    /// The agency; absent for the items not assigned yet.
    pub agency: Option<OrgUnitRef>,
    pub total: i64,
    pub reviewed: i64,
    pub by_result: ResultCounts,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressResponse {
    pub campaign_id: String,
    pub state: CampaignState,
    pub total: i64,
    pub reviewed: i64,
    pub unreviewed: i64,
    pub by_result: ResultCounts,
    pub by_agency: Vec<AgencyProgressResponse>,
}

pub(super) fn progress_response(
    conn: &mut Conn,
    view: CampaignView,
    agencies: Vec<AgencyProgress>,
) -> ApiResult<ProgressResponse> {
    let units = unit_refs(conn, agencies.iter().filter_map(|a| a.agency_id.as_deref()))?;
    let mut by_agency: Vec<AgencyProgressResponse> = agencies
        .iter()
        .map(|a| AgencyProgressResponse {
            agency: a.agency_id.as_ref().and_then(|i| units.get(i)).cloned(),
            total: a.total,
            reviewed: a.reviewed,
            by_result: a.by_result,
        })
        .collect();
    // Agencies by code, the unassigned items last.
    by_agency.sort_by_key(|x| {
        x.agency
            .as_ref()
            .map(|u| (0, u.code.clone()))
            .unwrap_or((1, String::new()))
    });
    Ok(ProgressResponse {
        state: view.campaign.state,
        campaign_id: view.campaign.id,
        total: view.total,
        reviewed: view.reviewed,
        unreviewed: view.total - view.reviewed,
        by_result: view.by_result,
        by_agency,
    })
}
