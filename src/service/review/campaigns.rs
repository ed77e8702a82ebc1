//! Review campaigns: a set of published documents, one item each, assigned to the
//! agencies that review them, each with a result.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::views::{item_responses, only, progress_response, CampaignResponse};
use super::{unit_named, ProgressResponse, ReviewItemResponse};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, ReviewCampaign, ReviewItem};
use crate::db::review::{ItemFilter, ItemResult, Selection};
use crate::db::{self, Conn, Tx};
use crate::domain::kinds::DocumentKind;
use crate::domain::review::{
    check_close, check_review_result, ensure_campaign_open, CampaignState, ResultCounts,
    ReviewResult,
};
use crate::error::{ApiResult, AppError};
use crate::service::{clean_opt, clean_text, Caller};

/// Most documents one campaign covers.
pub const MAX_ITEMS: usize = 5000;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCampaignRequest {
    pub name: String,
    pub description: Option<String>,
    /// Issuers (org unit ids or codes) whose published documents are covered.
    #[serde(default)]
    pub issuers: Vec<String>,
    #[serde(default)]
    pub kinds: Vec<DocumentKind>,
    /// Documents signed on or after this date.
    pub signed_from: Option<NaiveDate>,
    /// Documents signed on or before this date.
    pub signed_to: Option<NaiveDate>,
    /// Exactly these published documents, instead of the filters above.
    #[serde(default)]
    pub document_ids: Vec<String>,
}

/// A campaign with its counts.
#[derive(Debug, Clone)]
pub struct CampaignView {
    pub campaign: ReviewCampaign,
    pub total: i64,
    pub reviewed: i64,
    pub by_result: ResultCounts,
}

/// How many items, how many reviewed, and the count of each result.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    total: i64,
    reviewed: i64,
    by_result: ResultCounts,
}

impl Tally {
    fn add(&mut self, result: Option<ReviewResult>, n: i64) -> ApiResult<()> {
        self.total += n;
        if let Some(r) = result {
            self.reviewed += n;
            self.by_result.add(r, n);
        }
        Ok(())
    }
}

fn views_of(conn: &mut Conn, campaigns: Vec<ReviewCampaign>) -> ApiResult<Vec<CampaignView>> {
    let ids: Vec<String> = campaigns.iter().map(|c| c.id.clone()).collect();
    let mut counts: HashMap<String, Tally> = HashMap::new();
    for (campaign, result, n) in db::review::counts_by_campaign(conn, &ids)? {
        counts.entry(campaign).or_default().add(result, n)?;
    }
    Ok(campaigns
        .into_iter()
        .map(|c| {
            let t = counts.remove(&c.id).unwrap_or_default();
            CampaignView {
                campaign: c,
                total: t.total,
                reviewed: t.reviewed,
                by_result: t.by_result,
            }
        })
        .collect())
}

fn view_of(conn: &mut Conn, c: ReviewCampaign) -> ApiResult<CampaignView> {
    only(views_of(conn, vec![c])?)
}

/// The ids of `raw` (field `field`), each once, in order; one that is not an id is a 422.
fn unique_ids(field: &'static str, what: &str, raw: &[String]) -> ApiResult<Vec<String>> {
    let mut ids: Vec<String> = vec![];
    for r in raw {
        let id = uuid::Uuid::parse_str(r)
            .map_err(|_| AppError::invalid(field, format!("{r:?} is not {what}")))?
            .to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Opens a campaign over the published documents a selection covers, one item each.
fn create_campaign(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateCampaignRequest,
) -> ApiResult<CampaignView> {
    caller.require(Action::RunReviews)?;
    insert_campaign(conn, &caller.actor(), Some(&caller.user_id), req)
}

/// The selection a request describes, checked: filters or a list of documents.
fn selection_of(conn: &mut Conn, req: &CreateCampaignRequest) -> ApiResult<Selection> {
    let filtered = !req.issuers.is_empty()
        || !req.kinds.is_empty()
        || req.signed_from.is_some()
        || req.signed_to.is_some();
    if filtered && !req.document_ids.is_empty() {
        return Err(AppError::invalid(
            "document_ids",
            "give either a list of documents or filters (issuers, kinds, dates), not both",
        ));
    }
    if !filtered && req.document_ids.is_empty() {
        return Err(AppError::invalid(
            "issuers",
            "choose the documents: issuers, kinds, a range of signing dates, or document_ids",
        ));
    }
    if let (Some(from), Some(to)) = (req.signed_from, req.signed_to) {
        if to < from {
            return Err(AppError::invalid(
                "signed_to",
                "must not be before signed_from",
            ));
        }
    }
    if req.document_ids.len() > MAX_ITEMS {
        return Err(AppError::invalid(
            "document_ids",
            format!("at most {MAX_ITEMS} documents"),
        ));
    }
    let mut issuer_ids = vec![];
    for i in &req.issuers {
        issuer_ids.extend(unit_named(conn, "issuers", Some(i))?);
    }
    Ok(Selection {
        issuer_ids,
        kinds: req.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        signed_from: req.signed_from,
        signed_to: req.signed_to,
        document_ids: unique_ids("document_ids", "a document id", &req.document_ids)?,
    })
}

/// The published documents a selection covers: at least one, at most [`MAX_ITEMS`], and
/// every document it lists.
fn chosen_documents(conn: &mut Conn, selection: &Selection) -> ApiResult<Vec<Document>> {
    let chosen = db::review::select_documents(conn, selection, MAX_ITEMS as i64 + 1)?;
    if chosen.len() > MAX_ITEMS {
        return Err(AppError::invalid(
            "issuers",
            format!("the selection covers more than {MAX_ITEMS} documents: narrow it"),
        ));
    }
    let listed = &selection.document_ids;
    if !listed.is_empty() && chosen.len() != listed.len() {
        let missing: Vec<&String> = listed
            .iter()
            .filter(|id| !chosen.iter().any(|d| &&d.id == id))
            .collect();
        return Err(AppError::invalid(
            "document_ids",
            format!("not a published document: {missing:?}"),
        ));
    }
    if chosen.is_empty() {
        return Err(AppError::invalid(
            "issuers",
            "the selection covers no published document",
        ));
    }
    Ok(chosen)
}

/// Opens a campaign (no permission check; the demo loader uses it too).
pub fn insert_campaign(
    conn: &mut Tx<'_>,
    actor: &Actor,
    created_by: Option<&str>,
    req: &CreateCampaignRequest,
) -> ApiResult<CampaignView> {
    let name = clean_text("name", &req.name, 300)?;
    let description = clean_opt("description", req.description.as_deref(), 5000)?;
    let selection = selection_of(conn, req)?;
    let chosen = chosen_documents(conn, &selection)?;
    let now = db::now();
    let campaign = db::review::insert_campaign(
        conn,
        &ReviewCampaign {
            id: db::new_id(),
            name,
            description,
            selection: serde_json::json!({
                "issuers": selection.issuer_ids, "kinds": selection.kinds,
                "signed_from": req.signed_from, "signed_to": req.signed_to,
                "document_ids": selection.document_ids,
            })
            .to_string(),
            state: CampaignState::Open,
            created_by: created_by.map(str::to_owned),
            created_at: now,
            closed_at: None,
            closed_by: None,
            close_reason: None,
        },
    )?;
    let items: Vec<ReviewItem> = chosen
        .iter()
        .map(|d| ReviewItem {
            id: db::new_id(),
            campaign_id: campaign.id.clone(),
            document_id: d.id.clone(),
            assignee_id: None,
            result: None,
            reasons: None,
            proposed_action: None,
            reviewed_by: None,
            reviewed_at: None,
            created_at: now,
            updated_at: now,
            row_version: 1,
        })
        .collect();
    db::review::insert_items(conn, &items)?;
    audit::append(
        conn,
        actor,
        Event {
            action: "review_campaign.open",
            entity_type: "review_campaign",
            entity_id: &campaign.id,
            to_state: Some(campaign.state.as_str()),
            details: Some(serde_json::json!({
                "name": campaign.name, "items": items.len(),
                "selection": serde_json::from_str::<serde_json::Value>(&campaign.selection).ok(),
            })),
            ..Default::default()
        },
    )?;
    view_of(conn, campaign)
}

/// The ids of a campaign's items.
pub fn items_of(conn: &mut Conn, campaign_id: &str) -> ApiResult<Vec<String>> {
    Ok(
        db::review::items(conn, campaign_id, &ItemFilter::default())?
            .into_iter()
            .map(|i| i.id)
            .collect(),
    )
}

fn get_campaign(conn: &mut Conn, caller: &Caller, id: &str) -> ApiResult<CampaignView> {
    caller.require(Action::ReadReviews)?;
    let c = db::review::get_campaign(conn, id)?;
    view_of(conn, c)
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemListQuery {
    /// Items assigned to this org unit (id or code).
    pub assignee: Option<String>,
    pub result: Option<ReviewResult>,
    /// `true`: only items with a result; `false`: only those without.
    pub reviewed: Option<bool>,
}

fn items(
    conn: &mut Conn,
    caller: &Caller,
    campaign_id: &str,
    q: &ItemListQuery,
) -> ApiResult<Vec<(ReviewItem, Document)>> {
    caller.require(Action::ReadReviews)?;
    db::review::get_campaign(conn, campaign_id)?;
    let assignee_id = unit_named(conn, "assignee", q.assignee.as_deref())?;
    let rows = db::review::items(
        conn,
        campaign_id,
        &ItemFilter {
            assignee_id,
            result: q.result.map(|r| r.as_str().to_owned()),
            reviewed: q.reviewed,
        },
    )?;
    with_documents(conn, rows)
}

fn with_documents(
    conn: &mut Conn,
    rows: Vec<ReviewItem>,
) -> ApiResult<Vec<(ReviewItem, Document)>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.document_id.as_str()).collect();
    let documents = db::review::documents_by_ids(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let d = documents
                .get(&r.document_id)
                .cloned()
                .ok_or_else(|| AppError::internal("reviewed document missing"))?;
            Ok((r, d))
        })
        .collect()
}

fn with_document(conn: &mut Conn, item: ReviewItem) -> ApiResult<(ReviewItem, Document)> {
    only(with_documents(conn, vec![item])?)
}

/// Progress of one agency (or of the unassigned items, `agency_id = None`).
#[derive(Debug, Clone, Default)]
pub struct AgencyProgress {
    pub agency_id: Option<String>,
    pub total: i64,
    pub reviewed: i64,
    pub by_result: ResultCounts,
}

fn progress(
    conn: &mut Conn,
    caller: &Caller,
    id: &str,
) -> ApiResult<(CampaignView, Vec<AgencyProgress>)> {
    let view = get_campaign(conn, caller, id)?;
    let mut by_agency: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    for (agency, result, n) in db::review::counts_by_assignee(conn, id)? {
        by_agency.entry(agency).or_default().add(result, n)?;
    }
    let agencies = by_agency
        .into_iter()
        .map(|(agency_id, t)| AgencyProgress {
            agency_id,
            total: t.total,
            reviewed: t.reviewed,
            by_result: t.by_result,
        })
        .collect();
    Ok((view, agencies))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The org unit (id or code) that reviews these items; `null` takes them back.
    pub assignee: Option<String>,
    pub item_ids: Vec<String>,
}

/// Assigns items of an open campaign to an agency.
fn assign(
    conn: &mut Tx<'_>,
    caller: &Caller,
    campaign_id: &str,
    req: &AssignRequest,
) -> ApiResult<Vec<(ReviewItem, Document)>> {
    caller.require(Action::RunReviews)?;
    assign_audited(conn, &caller.actor(), campaign_id, req)
}

/// Assigns items (no permission check; the demo loader uses it too).
pub fn assign_audited(
    conn: &mut Tx<'_>,
    actor: &Actor,
    campaign_id: &str,
    req: &AssignRequest,
) -> ApiResult<Vec<(ReviewItem, Document)>> {
    let campaign = db::review::get_campaign(conn, campaign_id)?;
    ensure_campaign_open(campaign.state)?;
    if req.item_ids.is_empty() || req.item_ids.len() > MAX_ITEMS {
        return Err(AppError::invalid(
            "item_ids",
            format!("between 1 and {MAX_ITEMS} items"),
        ));
    }
    let assignee_id = unit_named(conn, "assignee", req.assignee.as_deref())?;
    let ids = unique_ids("item_ids", "an item id", &req.item_ids)?;
    let changed = db::review::assign(conn, campaign_id, &ids, assignee_id.as_deref(), db::now())?;
    if changed != ids.len() {
        return Err(AppError::invalid(
            "item_ids",
            "every item must belong to this campaign",
        ));
    }
    audit::append(
        conn,
        actor,
        Event {
            action: "review_campaign.assign",
            entity_type: "review_campaign",
            entity_id: campaign_id,
            details: Some(serde_json::json!({"assignee_id": assignee_id, "item_ids": ids})),
            ..Default::default()
        },
    )?;
    let rows: Vec<ReviewItem> = db::review::items(conn, campaign_id, &ItemFilter::default())?
        .into_iter()
        .filter(|i| ids.contains(&i.id))
        .collect();
    with_documents(conn, rows)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordReviewRequest {
    pub result: ReviewResult,
    /// Why: against which law, which practice.
    pub reasons: String,
    /// What should be done; required for amend, replace and repeal.
    pub proposed_action: Option<String>,
}

/// Records (or corrects) the result of an item while its campaign is open: a legal
/// officer, or the staff of the agency the item is assigned to.
fn record_item(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &RecordReviewRequest,
) -> ApiResult<(ReviewItem, Document)> {
    caller.require(Action::RecordReviewResults)?;
    let item = db::review::get_item(conn, id)?;
    crate::service::policy::require_record_review_item(caller, item.assignee_id.as_deref())?;
    record_item_audited(
        conn,
        &caller.actor(),
        Some(&caller.user_id),
        &item,
        expected_version,
        req,
    )
}

/// Records a result (no permission check; the demo loader uses it too).
pub fn record_item_audited(
    conn: &mut Tx<'_>,
    actor: &Actor,
    by: Option<&str>,
    item: &ReviewItem,
    expected_version: i32,
    req: &RecordReviewRequest,
) -> ApiResult<(ReviewItem, Document)> {
    let campaign = db::review::get_campaign(conn, &item.campaign_id)?;
    ensure_campaign_open(campaign.state)?;
    let reasons = clean_text("reasons", &req.reasons, 5000)?;
    let action = clean_opt("proposed_action", req.proposed_action.as_deref(), 2000)?;
    check_review_result(req.result, action.as_deref())?;
    if item.row_version != expected_version {
        return Err(AppError::Stale);
    }
    let updated = db::review::record_item(
        conn,
        &item.id,
        expected_version,
        &ItemResult {
            result: req.result.as_str(),
            reasons: &reasons,
            proposed_action: action.as_deref(),
            by,
            at: db::now(),
        },
    )?;
    audit::append(
        conn,
        actor,
        Event {
            action: "review_item.record",
            entity_type: "review_item",
            entity_id: &item.id,
            from_state: item.result.map(|v| v.as_str()),
            to_state: Some(req.result.as_str()),
            reason: Some(&reasons),
            details: Some(serde_json::json!({
                "campaign_id": item.campaign_id, "document_id": item.document_id,
                "proposed_action": action,
            })),
        },
    )?;
    with_document(conn, updated)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseCampaignRequest {
    /// Close although some items have no result (needs a reason).
    #[serde(default)]
    pub force: bool,
    pub reason: Option<String>,
}

fn close_campaign(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    req: &CloseCampaignRequest,
) -> ApiResult<CampaignView> {
    caller.require(Action::RunReviews)?;
    let campaign = db::review::get_campaign(conn, id)?;
    let current = view_of(conn, campaign)?;
    let reason = clean_opt("reason", req.reason.as_deref(), 2000)?;
    check_close(
        current.campaign.state,
        current.total - current.reviewed,
        req.force,
        reason.as_deref(),
    )?;
    if !db::review::close_campaign(
        conn,
        id,
        Some(&caller.user_id),
        db::now(),
        reason.as_deref(),
    )? {
        return Err(AppError::Conflict {
            guard: Some("campaign_closed".into()),
            detail: "the campaign is already closed".into(),
        });
    }
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "review_campaign.close",
            entity_type: "review_campaign",
            entity_id: id,
            from_state: Some(CampaignState::Open.as_str()),
            to_state: Some(CampaignState::Closed.as_str()),
            reason: reason.as_deref(),
            details: Some(serde_json::json!({
                "total": current.total, "reviewed": current.reviewed, "forced": req.force,
            })),
        },
    )?;
    get_campaign(conn, caller, id)
}

// ---- the use cases, each in its own connection or transaction ----

on_db! {
    /// Every campaign, newest first, with its counts.
    run review_campaigns(caller: Caller) -> Vec<CampaignResponse> = |conn| {
        caller.require(Action::ReadReviews)?;
        let campaigns = db::review::list_campaigns(conn)?;
        views_of(conn, campaigns)?
            .into_iter()
            .map(CampaignResponse::from_view)
            .collect()
    };
    /// Opens a campaign; see [`insert_campaign`].
    tx open_review_campaign(caller: Caller, req: CreateCampaignRequest) -> CampaignResponse
        = |conn| create_campaign(conn, &caller, &req), then CampaignResponse::from_view;
    /// One campaign with its counts.
    run review_campaign(caller: Caller, id: String) -> CampaignResponse
        = |conn| get_campaign(conn, &caller, &id), then CampaignResponse::from_view;
    /// The items of a campaign, in the campaign's order.
    run review_items(caller: Caller, id: String, q: ItemListQuery) -> Vec<ReviewItemResponse>
        = |conn| {
        let rows = items(conn, &caller, &id, &q)?;
        item_responses(conn, rows)
    };
    /// How far a campaign is, in all and by agency.
    run review_progress(caller: Caller, id: String) -> ProgressResponse = |conn| {
        let (view, agencies) = progress(conn, &caller, &id)?;
        progress_response(conn, view, agencies)
    };
    /// Assigns items of an open campaign; see [`assign_audited`].
    tx assign_review_items(caller: Caller, id: String, req: AssignRequest)
        -> Vec<ReviewItemResponse> = |conn| {
        let rows = assign(conn, &caller, &id, &req)?;
        item_responses(conn, rows)
    };
    /// Closes a campaign, once.
    tx close_review_campaign(caller: Caller, id: String, req: CloseCampaignRequest)
        -> CampaignResponse
        = |conn| close_campaign(conn, &caller, &id, &req), then CampaignResponse::from_view;
    /// One item of a campaign.
    run review_item(caller: Caller, id: String) -> ReviewItemResponse = |conn| {
        caller.require(Action::ReadReviews)?;
        let item = db::review::get_item(conn, &id)?;
        let row = with_document(conn, item)?;
        only(item_responses(conn, vec![row])?)
    };
    /// Records the result of an item at its row version; see [`record_item_audited`].
    tx record_review_result(caller: Caller, id: String, expected_version: i32, req: RecordReviewRequest)
        -> ReviewItemResponse = |conn| {
        let row = record_item(conn, &caller, &id, expected_version, &req)?;
        only(item_responses(conn, vec![row])?)
    };
}
