//! Review (rà soát): flags raised when a document's legal basis changes, and review
//! campaigns over a set of documents with a result for each.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::documents as docs;
use super::{can_see, clean_opt, clean_text, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{Document, Relation, ReviewCampaign, ReviewFlag, ReviewItem};
use crate::db::review::{FlagFilter, ItemFilter, ItemResult, Selection};
use crate::db::{self, Conn, Tx};
use crate::domain::kinds::{DocumentKind, DocumentState, RelationKind, Role};
use crate::domain::review::{
    check_close, check_review_result, dependent_needs_review, ensure_campaign_open, flag_cause,
    CampaignState, ResultCounts, ReviewResult,
};
use crate::error::{ApiResult, AppError};

/// Most documents one campaign covers.
pub const MAX_ITEMS: usize = 5000;

fn short_name(d: &Document) -> String {
    d.number.clone().unwrap_or_else(|| d.title.clone())
}

pub fn audit_flag_opened(conn: &mut Tx<'_>, actor: &Actor, flag: &ReviewFlag) -> ApiResult<()> {
    audit::append(
        conn,
        actor,
        Event {
            action: "review_flag.open",
            entity_type: "review_flag",
            entity_id: &flag.id,
            to_state: Some("open"),
            details: Some(serde_json::json!({
                "document_id": flag.document_id, "cause_kind": flag.cause_kind,
                "cause_document_id": flag.cause_document_id,
                "cause_relation_id": flag.cause_relation_id,
                "cause_self_inspection_id": flag.cause_self_inspection_id,
                "action": flag.action, "detail": flag.detail,
            })),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// After a relation that amends, replaces, repeals or suspends its target: flags every
/// document based on that target for review, with the cause. Documents signed after the
/// change took effect, or already expired by then, are left alone.
pub fn flag_dependents(
    conn: &mut Tx<'_>,
    actor: &Actor,
    relation: &Relation,
) -> ApiResult<Vec<ReviewFlag>> {
    let kind: RelationKind = relation.kind.parse().map_err(AppError::internal)?;
    let Some(cause) = flag_cause(kind) else {
        return Ok(vec![]);
    };
    let source = db::documents::get(conn, &relation.source_id)?;
    let target = db::documents::get(conn, &relation.target_id)?;
    let on = relation.effective_on.unwrap_or_else(super::today);
    let mut flags = vec![];
    for dep in db::review::based_on(conn, &target.id)? {
        if dep.id == source.id || super::state_of(&dep)? == DocumentState::Withdrawn {
            continue;
        }
        let effect = docs::effect(conn, &dep, on)?;
        if !dependent_needs_review(dep.signed_on, effect.effect, relation.effective_on) {
            continue;
        }
        let detail = format!(
            "{}: {} — {} bởi {}, từ {}",
            cause.label_vi(),
            short_name(&target),
            kind.label_vi(),
            short_name(&source),
            on.format("%d/%m/%Y"),
        );
        let flag = db::review::insert_flag(
            conn,
            &ReviewFlag {
                id: db::new_id(),
                document_id: dep.id.clone(),
                cause_kind: cause.as_str().to_owned(),
                cause_document_id: Some(source.id.clone()),
                cause_relation_id: Some(relation.id.clone()),
                cause_self_inspection_id: None,
                action: None,
                detail,
                created_by: actor.id.clone(),
                created_at: db::now(),
                resolved_at: None,
                resolved_by: None,
                resolution: None,
            },
        )?;
        audit_flag_opened(conn, actor, &flag)?;
        flags.push(flag);
    }
    Ok(flags)
}

/// A flag with the document to review and the document that caused it.
#[derive(Debug, Clone)]
pub struct FlagView {
    pub flag: ReviewFlag,
    pub document: Document,
    pub cause_document: Option<Document>,
}

fn documents_by_id(conn: &mut Conn, ids: &[&str]) -> ApiResult<HashMap<String, Document>> {
    use crate::db::schema::documents;
    use diesel::prelude::*;
    Ok(documents::table
        .filter(documents::id.eq_any(ids))
        .load::<Document>(conn)
        .map_err(db::DbError::from)?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect())
}

fn flag_views(
    conn: &mut Conn,
    caller: &Caller,
    flags: Vec<ReviewFlag>,
) -> ApiResult<Vec<FlagView>> {
    let mut ids: Vec<&str> = flags.iter().map(|f| f.document_id.as_str()).collect();
    ids.extend(flags.iter().filter_map(|f| f.cause_document_id.as_deref()));
    let documents = documents_by_id(conn, &ids)?;
    let mut out = vec![];
    for flag in flags {
        let Some(document) = documents.get(&flag.document_id).cloned() else {
            continue;
        };
        // A draft under review stays as hidden as the draft itself.
        if !can_see(Some(caller), &document) {
            continue;
        }
        let cause_document = flag
            .cause_document_id
            .as_ref()
            .and_then(|c| documents.get(c))
            .filter(|d| can_see(Some(caller), d))
            .cloned();
        out.push(FlagView {
            flag,
            document,
            cause_document,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct FlagQuery {
    pub document_id: Option<String>,
    pub issuer: Option<String>,
    pub open: Option<bool>,
    pub limit: i64,
}

pub fn list_flags(conn: &mut Conn, caller: &Caller, q: &FlagQuery) -> ApiResult<Vec<FlagView>> {
    caller.require(Action::ReadReviews)?;
    let issuer_id = match &q.issuer {
        Some(i) => Some(docs::resolve_org_unit(conn, "issuer", i)?),
        None => None,
    };
    let flags = db::review::list_flags(
        conn,
        &FlagFilter {
            document_id: q.document_id.clone(),
            issuer_id,
            open: q.open,
            limit: q.limit,
        },
    )?;
    flag_views(conn, caller, flags)
}

/// Resolves a flag with a note; a resolved flag stays resolved.
pub fn resolve_flag(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    resolution: &str,
) -> ApiResult<FlagView> {
    caller.require(Action::RunReviews)?;
    let flag = db::review::get_flag(conn, id)?;
    let resolution = clean_text("resolution", resolution, 2000)?;
    if !db::review::resolve_flag(conn, id, Some(&caller.user_id), db::now(), &resolution)? {
        return Err(AppError::Conflict {
            guard: Some("review_flag_resolved_once".into()),
            detail: "this flag is already resolved".into(),
        });
    }
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "review_flag.resolve",
            entity_type: "review_flag",
            entity_id: id,
            from_state: Some("open"),
            to_state: Some("resolved"),
            reason: Some(&resolution),
            details: Some(serde_json::json!({"document_id": flag.document_id})),
        },
    )?;
    let flag = db::review::get_flag(conn, id)?;
    flag_views(conn, caller, vec![flag])?
        .pop()
        .ok_or(AppError::NotFound)
}

// ---- campaigns ----

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

fn campaign_state(c: &ReviewCampaign) -> ApiResult<CampaignState> {
    c.state.parse().map_err(AppError::internal)
}

fn parse_result(s: &str) -> ApiResult<ReviewResult> {
    s.parse().map_err(AppError::internal)
}

fn views_of(conn: &mut Conn, campaigns: Vec<ReviewCampaign>) -> ApiResult<Vec<CampaignView>> {
    let ids: Vec<String> = campaigns.iter().map(|c| c.id.clone()).collect();
    let mut counts: HashMap<String, (i64, i64, ResultCounts)> = HashMap::new();
    for (campaign, result, n) in db::review::counts_by_campaign(conn, &ids)? {
        let entry = counts.entry(campaign).or_default();
        entry.0 += n;
        if let Some(r) = result {
            entry.1 += n;
            entry.2.add(parse_result(&r)?, n);
        }
    }
    Ok(campaigns
        .into_iter()
        .map(|c| {
            let (total, reviewed, by_result) = counts.remove(&c.id).unwrap_or_default();
            CampaignView {
                campaign: c,
                total,
                reviewed,
                by_result,
            }
        })
        .collect())
}

fn view_of(conn: &mut Conn, c: ReviewCampaign) -> ApiResult<CampaignView> {
    views_of(conn, vec![c])?
        .pop()
        .ok_or_else(|| AppError::internal("empty campaign view"))
}

/// Opens a campaign over the published documents a selection covers, one item each.
pub fn create_campaign(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateCampaignRequest,
) -> ApiResult<CampaignView> {
    caller.require(Action::RunReviews)?;
    insert_campaign(conn, &caller.actor(), Some(&caller.user_id), req)
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
        issuer_ids.push(docs::resolve_org_unit(conn, "issuers", i)?);
    }
    let mut document_ids = vec![];
    for d in &req.document_ids {
        let id = uuid::Uuid::parse_str(d)
            .map_err(|_| AppError::invalid("document_ids", format!("{d:?} is not a document id")))?
            .to_string();
        if !document_ids.contains(&id) {
            document_ids.push(id);
        }
    }
    let selection = Selection {
        issuer_ids: issuer_ids.clone(),
        kinds: req.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        signed_from: req.signed_from,
        signed_to: req.signed_to,
        document_ids: document_ids.clone(),
    };
    let chosen = db::review::select_documents(conn, &selection, MAX_ITEMS as i64 + 1)?;
    if chosen.len() > MAX_ITEMS {
        return Err(AppError::invalid(
            "issuers",
            format!("the selection covers more than {MAX_ITEMS} documents: narrow it"),
        ));
    }
    if !document_ids.is_empty() && chosen.len() != document_ids.len() {
        let missing: Vec<&String> = document_ids
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
    let now = db::now();
    let campaign = db::review::insert_campaign(
        conn,
        &ReviewCampaign {
            id: db::new_id(),
            name,
            description,
            selection: serde_json::json!({
                "issuers": issuer_ids, "kinds": selection.kinds,
                "signed_from": req.signed_from, "signed_to": req.signed_to,
                "document_ids": document_ids,
            })
            .to_string(),
            state: CampaignState::Open.as_str().to_owned(),
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
            to_state: Some(&campaign.state),
            details: Some(serde_json::json!({
                "name": campaign.name, "items": items.len(),
                "selection": serde_json::from_str::<serde_json::Value>(&campaign.selection).ok(),
            })),
            ..Default::default()
        },
    )?;
    view_of(conn, campaign)
}

pub fn list_campaigns(conn: &mut Conn, caller: &Caller) -> ApiResult<Vec<CampaignView>> {
    caller.require(Action::ReadReviews)?;
    let campaigns = db::review::list_campaigns(conn)?;
    views_of(conn, campaigns)
}

pub fn get_campaign(conn: &mut Conn, caller: &Caller, id: &str) -> ApiResult<CampaignView> {
    caller.require(Action::ReadReviews)?;
    let c = db::review::get_campaign(conn, id)?;
    view_of(conn, c)
}

#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    pub assignee: Option<String>,
    pub result: Option<ReviewResult>,
    pub reviewed: Option<bool>,
}

pub fn items(
    conn: &mut Conn,
    caller: &Caller,
    campaign_id: &str,
    q: &ItemQuery,
) -> ApiResult<Vec<(ReviewItem, Document)>> {
    caller.require(Action::ReadReviews)?;
    db::review::get_campaign(conn, campaign_id)?;
    let assignee_id = match &q.assignee {
        Some(a) => Some(docs::resolve_org_unit(conn, "assignee", a)?),
        None => None,
    };
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
    let documents = documents_by_id(conn, &ids)?;
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

pub fn get_item(conn: &mut Conn, caller: &Caller, id: &str) -> ApiResult<(ReviewItem, Document)> {
    caller.require(Action::ReadReviews)?;
    let item = db::review::get_item(conn, id)?;
    with_documents(conn, vec![item])?
        .pop()
        .ok_or_else(|| AppError::internal("empty item"))
}

/// Progress of one agency (or of the unassigned items, `agency_id = None`).
#[derive(Debug, Clone, Default)]
pub struct AgencyProgress {
    pub agency_id: Option<String>,
    pub total: i64,
    pub reviewed: i64,
    pub by_result: ResultCounts,
}

pub fn progress(
    conn: &mut Conn,
    caller: &Caller,
    id: &str,
) -> ApiResult<(CampaignView, Vec<AgencyProgress>)> {
    let view = get_campaign(conn, caller, id)?;
    let mut by_agency: BTreeMap<Option<String>, AgencyProgress> = BTreeMap::new();
    for (agency, result, n) in db::review::counts_by_assignee(conn, id)? {
        let entry = by_agency
            .entry(agency.clone())
            .or_insert_with(|| AgencyProgress {
                agency_id: agency,
                ..Default::default()
            });
        entry.total += n;
        if let Some(r) = result {
            entry.reviewed += n;
            entry.by_result.add(parse_result(&r)?, n);
        }
    }
    Ok((view, by_agency.into_values().collect()))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The org unit (id or code) that reviews these items; `null` takes them back.
    pub assignee: Option<String>,
    pub item_ids: Vec<String>,
}

/// Assigns items of an open campaign to an agency.
pub fn assign(
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
    ensure_campaign_open(campaign_state(&campaign)?)?;
    if req.item_ids.is_empty() || req.item_ids.len() > MAX_ITEMS {
        return Err(AppError::invalid(
            "item_ids",
            format!("between 1 and {MAX_ITEMS} items"),
        ));
    }
    let assignee_id = match &req.assignee {
        Some(a) => Some(docs::resolve_org_unit(conn, "assignee", a)?),
        None => None,
    };
    let mut ids: Vec<String> = vec![];
    for raw in &req.item_ids {
        let id = uuid::Uuid::parse_str(raw)
            .map_err(|_| AppError::invalid("item_ids", format!("{raw:?} is not an item id")))?
            .to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
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
pub fn record_item(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &RecordReviewRequest,
) -> ApiResult<(ReviewItem, Document)> {
    caller.require(Action::RecordReviewResults)?;
    let item = db::review::get_item(conn, id)?;
    if caller.role != Role::LegalOfficer
        && (item.assignee_id.is_none() || item.assignee_id != caller.org_unit_id)
    {
        return Err(AppError::Forbidden(
            "only the staff of the agency this item is assigned to, or a legal officer, record its result"
                .into(),
        ));
    }
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
    ensure_campaign_open(campaign_state(&campaign)?)?;
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
            from_state: item.result.as_deref(),
            to_state: Some(req.result.as_str()),
            reason: Some(&reasons),
            details: Some(serde_json::json!({
                "campaign_id": item.campaign_id, "document_id": item.document_id,
                "proposed_action": action,
            })),
        },
    )?;
    with_documents(conn, vec![updated])?
        .pop()
        .ok_or_else(|| AppError::internal("empty item"))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseCampaignRequest {
    /// Close although some items have no result (needs a reason).
    #[serde(default)]
    pub force: bool,
    pub reason: Option<String>,
}

pub fn close_campaign(
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
        campaign_state(&current.campaign)?,
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
