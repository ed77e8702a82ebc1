//! Reorganisations of administrative units (sắp xếp đơn vị hành chính): units abolished or
//! merged on a date, their successors, and which successor inherits each document.
//!
//! Recording one, in one transaction: the named units and every unit below them cease on the
//! date; every legal document they hold passes to its inheritor (by the rule "all to the unit
//! named", or per document), which from then on lists it, filters on it, systematises it and
//! may amend or repeal it, while the old unit's staff no longer act for it; the legal effect
//! of the documents is unchanged; and a review campaign opens at each inheritor over its
//! inherited documents not expired, so that the new People's Council or Committee decides
//! which keep applying (Luật 64/2025/QH15, Điều 54 khoản 2, as amended by Luật 87/2025/QH15:
//! the documents of merged units keep applying in their territory until the new unit's
//! People's Council, People's Committee or its Chair decides otherwise).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents::resolve_org_unit;
use super::dto::OrgUnitRef;
use super::review::{self, AssignRequest, CreateCampaignRequest};
use super::{clean_opt, clean_text, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Event};
use crate::db::models::{Inheritance, OrgUnit, Reorganisation, ReorganisationUnit};
use crate::db::{self, Conn, Db, Tx};
use crate::domain::kinds::LegalEffect;
use crate::domain::regime::ReorganisationRole;
use crate::error::{ApiResult, AppError};

/// Most documents one reorganisation passes on per document (`assignments`).
pub const MAX_ASSIGNMENTS: usize = 20_000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReorganisationRequest {
    /// The day the units cease and their successors take over (on or before today).
    pub effective_on: NaiveDate,
    /// The act that decided it: "Nghị quyết 1677/NQ-UBTVQH15 ngày 16/6/2025".
    pub basis: String,
    pub note: Option<String>,
    /// Units (ids or codes) that cease; every unit below them ceases with them.
    pub abolished: Vec<String>,
    /// The units (ids or codes) that succeed them, existing on `effective_on`.
    pub successors: Vec<String>,
    /// The successor that inherits every document not assigned below.
    pub default_successor: Option<String>,
    /// Documents passed to a particular successor.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Open a review campaign at each inheritor over its inherited documents not expired
    /// (default true).
    #[serde(default = "yes")]
    pub open_review: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub document_id: String,
    /// One of the successors (id or code).
    pub successor: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InheritedCount {
    pub successor: OrgUnitRef,
    /// Documents it inherited.
    pub documents: usize,
    /// The review campaign opened over those not expired, if any.
    pub campaign_id: Option<String>,
    pub campaign_items: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReorganisationResponse {
    pub id: String,
    pub effective_on: NaiveDate,
    pub basis: String,
    pub note: Option<String>,
    /// Every unit that ceased, those named and those below them.
    pub abolished: Vec<OrgUnitRef>,
    pub successors: Vec<OrgUnitRef>,
    pub inherited: Vec<InheritedCount>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
}

fn unit_ref(u: &OrgUnit) -> OrgUnitRef {
    OrgUnitRef {
        id: u.id.clone(),
        code: u.code.clone(),
        name: u.name.clone(),
    }
}

fn guard(guard: &str, detail: String) -> AppError {
    AppError::Conflict {
        guard: Some(guard.into()),
        detail,
    }
}

/// The units named in `field`, resolved and without repeats.
fn units_named(conn: &mut Conn, field: &'static str, keys: &[String]) -> ApiResult<Vec<OrgUnit>> {
    if keys.is_empty() || keys.len() > 500 {
        return Err(AppError::invalid(field, "between 1 and 500 units"));
    }
    let mut out: Vec<OrgUnit> = vec![];
    for k in keys {
        let id = resolve_org_unit(conn, field, k)?;
        let u = db::org_units::get(conn, &id)?;
        if !out.iter().any(|o| o.id == u.id) {
            out.push(u);
        }
    }
    Ok(out)
}

/// Records a reorganisation (admin). See the module documentation.
pub fn record(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateReorganisationRequest,
) -> ApiResult<ReorganisationResponse> {
    caller.require(Action::ManageOrgUnits)?;
    let on = req.effective_on;
    if on > super::today() {
        return Err(AppError::invalid(
            "effective_on",
            "record a reorganisation on or after the day it takes effect",
        ));
    }
    let basis = clean_text("basis", &req.basis, 500)?;
    let note = clean_opt("note", req.note.as_deref(), 5000)?;
    if req.assignments.len() > MAX_ASSIGNMENTS {
        return Err(AppError::invalid(
            "assignments",
            format!("at most {MAX_ASSIGNMENTS}"),
        ));
    }
    let named = units_named(conn, "abolished", &req.abolished)?;
    let mut successors = units_named(conn, "successors", &req.successors)?;
    successors.sort_by(|a, b| a.code.cmp(&b.code));

    let named_ids: Vec<String> = named.iter().map(|u| u.id.clone()).collect();
    let mut ceasing: Vec<String> = named_ids.clone();
    ceasing.extend(db::reorganisations::descendants(conn, &named_ids)?);
    for s in &successors {
        if ceasing.contains(&s.id) {
            return Err(AppError::invalid(
                "successors",
                format!("{} ceases in this reorganisation", s.code),
            ));
        }
        if !s.exists_on(on) {
            return Err(guard(
                "successor_exists",
                format!("{} does not exist on {on}", s.code),
            ));
        }
    }
    for u in &named {
        if let Some(a) = u.abolished_on {
            return Err(guard(
                "unit_not_abolished",
                format!("{} already ceased on {a}", u.code),
            ));
        }
    }

    // Who inherits what.
    let successor_of = |conn: &mut Conn, field: &'static str, key: &str| -> ApiResult<String> {
        let id = resolve_org_unit(conn, field, key)?;
        if successors.iter().any(|s| s.id == id) {
            Ok(id)
        } else {
            Err(AppError::invalid(
                field,
                format!("{key} is not one of the successors"),
            ))
        }
    };
    let default = match &req.default_successor {
        Some(k) => Some(successor_of(conn, "default_successor", k)?),
        None => None,
    };
    let held = db::reorganisations::legal_documents_held_by(conn, &ceasing)?;
    let held_ids: HashSet<&str> = held.iter().map(|d| d.id.as_str()).collect();
    let mut chosen: HashMap<String, String> = HashMap::new();
    for a in &req.assignments {
        let to = successor_of(conn, "assignments", &a.successor)?;
        let id = crate::domain::ids::DocumentId::parse(&a.document_id)
            .map(|d| d.into_string())
            .filter(|d| held_ids.contains(d.as_str()))
            .ok_or_else(|| {
                AppError::invalid(
                    "assignments",
                    format!(
                        "{} is not a document of the units that cease",
                        a.document_id
                    ),
                )
            })?;
        if chosen.insert(id, to).is_some() {
            return Err(AppError::invalid(
                "assignments",
                format!("{} is assigned twice", a.document_id),
            ));
        }
    }
    let unassigned = held.iter().filter(|d| !chosen.contains_key(&d.id)).count();
    if unassigned > 0 {
        let Some(default) = &default else {
            return Err(AppError::invalid(
                "default_successor",
                format!("{unassigned} document(s) have no inheritor: name a default successor or assign each"),
            ));
        };
        for d in &held {
            chosen
                .entry(d.id.clone())
                .or_insert_with(|| default.clone());
        }
    }

    // Write it down.
    let actor = caller.actor();
    let r = db::reorganisations::insert(
        conn,
        &Reorganisation {
            id: db::new_id(),
            effective_on: on,
            basis,
            note,
            created_by: Some(caller.user_id.clone()),
            created_at: db::now(),
        },
    )?;
    let mut rows: Vec<ReorganisationUnit> = ceasing
        .iter()
        .map(|u| ReorganisationUnit {
            reorganisation_id: r.id.clone(),
            unit_id: u.clone(),
            role: ReorganisationRole::Abolished,
        })
        .collect();
    rows.extend(successors.iter().map(|s| ReorganisationUnit {
        reorganisation_id: r.id.clone(),
        unit_id: s.id.clone(),
        role: ReorganisationRole::Successor,
    }));
    db::reorganisations::insert_units(conn, &rows)?;
    db::reorganisations::abolish(conn, &ceasing, on)?;

    let inheritances: Vec<Inheritance> = held
        .iter()
        .filter_map(|d| {
            let to = chosen.get(&d.id)?;
            Some(Inheritance {
                reorganisation_id: r.id.clone(),
                document_id: d.id.clone(),
                from_unit_id: d.holder()?.to_owned(),
                to_unit_id: to.clone(),
                campaign_id: None,
            })
        })
        .collect();
    db::reorganisations::insert_inheritances(conn, &inheritances)?;
    let mut by_successor: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in &inheritances {
        by_successor
            .entry(i.to_unit_id.clone())
            .or_default()
            .push(i.document_id.clone());
    }
    for (to, ids) in &by_successor {
        db::reorganisations::set_holder(conn, ids, to)?;
    }
    // One entry a document: what the search index follows, and its history.
    for i in &inheritances {
        audit::append(
            conn,
            &actor,
            Event::detailed(
                "document.inherit",
                "document",
                &i.document_id,
                serde_json::json!({
                    "reorganisation_id": r.id, "from_unit_id": i.from_unit_id,
                    "to_unit_id": i.to_unit_id, "effective_on": on,
                }),
            ),
        )?;
    }

    // A review campaign at each inheritor over what it inherited, promulgated and not
    // expired today (the reorganisation took effect on or before today).
    let effects = super::documents::effects(conn, &held, super::today())?;
    let promulgated: HashSet<&str> = held
        .iter()
        .filter(|d| !d.state.is_draft())
        .map(|d| d.id.as_str())
        .collect();
    let mut inherited = vec![];
    for s in &successors {
        let ids = by_successor.get(&s.id).cloned().unwrap_or_default();
        let review_ids: Vec<String> = ids
            .iter()
            .filter(|id| {
                promulgated.contains(id.as_str())
                    && effects
                        .get(*id)
                        .is_some_and(|e| e.effect != LegalEffect::Expired)
            })
            .cloned()
            .collect();
        let (campaign_id, campaign_items) = if req.open_review && !review_ids.is_empty() {
            let c = review::insert_campaign(
                conn,
                &actor,
                Some(&caller.user_id),
                &CreateCampaignRequest {
                    name: format!("Rà soát văn bản kế thừa — {} ({on})", s.name),
                    description: Some(format!(
                        "Văn bản còn hiệu lực được {} kế thừa theo {}; kết quả: tiếp tục áp dụng, sửa đổi, thay thế hoặc bãi bỏ.",
                        s.name, r.basis
                    )),
                    document_ids: review_ids.clone(),
                    ..Default::default()
                },
            )?;
            let items = review::items_of(conn, &c.campaign.id)?;
            review::assign_audited(
                conn,
                &actor,
                &c.campaign.id,
                &AssignRequest {
                    item_ids: items.clone(),
                    assignee: Some(s.id.clone()),
                },
            )?;
            db::reorganisations::set_campaign(conn, &r.id, &review_ids, &c.campaign.id)?;
            (Some(c.campaign.id), items.len())
        } else {
            (None, 0)
        };
        inherited.push(InheritedCount {
            successor: unit_ref(s),
            documents: ids.len(),
            campaign_id,
            campaign_items,
        });
    }

    let abolished_units = db::org_units::by_ids(
        conn,
        &ceasing.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let mut abolished: Vec<OrgUnitRef> = abolished_units.values().map(unit_ref).collect();
    abolished.sort_by(|a, b| a.code.cmp(&b.code));
    audit::append(
        conn,
        &actor,
        Event::detailed(
            "reorganisation.record",
            "reorganisation",
            &r.id,
            serde_json::json!({
                "effective_on": on, "basis": r.basis,
                "abolished": ceasing, "successors": successors.iter().map(|s| &s.id).collect::<Vec<_>>(),
                "documents": inheritances.len(),
            }),
        ),
    )?;
    Ok(ReorganisationResponse {
        id: r.id,
        effective_on: r.effective_on,
        basis: r.basis,
        note: r.note,
        abolished,
        successors: successors.iter().map(unit_ref).collect(),
        inherited,
        created_at: r.created_at,
    })
}

/// A recorded reorganisation as it was recorded.
fn view(conn: &mut Conn, r: Reorganisation) -> ApiResult<ReorganisationResponse> {
    let units = db::reorganisations::units_of(conn, &r.id)?;
    let ids: Vec<&str> = units.iter().map(|u| u.unit_id.as_str()).collect();
    let found = db::org_units::by_ids(conn, &ids)?;
    let refs = |role: ReorganisationRole| {
        let mut v: Vec<OrgUnitRef> = units
            .iter()
            .filter(|u| u.role == role)
            .filter_map(|u| found.get(&u.unit_id).map(unit_ref))
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    };
    let inheritances = db::reorganisations::inheritances_of(conn, &r.id)?;
    let successors = refs(ReorganisationRole::Successor);
    let inherited = successors
        .iter()
        .map(|s| {
            let mine: Vec<&Inheritance> = inheritances
                .iter()
                .filter(|i| i.to_unit_id == s.id)
                .collect();
            let campaign_id = mine.iter().find_map(|i| i.campaign_id.clone());
            InheritedCount {
                successor: s.clone(),
                documents: mine.len(),
                campaign_items: mine.iter().filter(|i| i.campaign_id.is_some()).count(),
                campaign_id,
            }
        })
        .collect();
    Ok(ReorganisationResponse {
        id: r.id,
        effective_on: r.effective_on,
        basis: r.basis,
        note: r.note,
        abolished: refs(ReorganisationRole::Abolished),
        successors,
        inherited,
        created_at: r.created_at,
    })
}

/// Records a reorganisation in one transaction.
pub async fn record_reorganisation(
    db: &Db,
    caller: Caller,
    req: CreateReorganisationRequest,
) -> ApiResult<ReorganisationResponse> {
    db.tx(move |conn| record(conn, &caller, &req)).await
}

/// Every reorganisation, latest first (anyone on staff: org units are read by all).
pub async fn list_reorganisations(
    db: &Db,
    caller: Caller,
) -> ApiResult<Vec<ReorganisationResponse>> {
    caller.require(Action::ReadOrgUnits)?;
    db.run(move |conn| {
        db::reorganisations::list(conn)?
            .into_iter()
            .map(|r| view(conn, r))
            .collect()
    })
    .await
}

/// One reorganisation.
pub async fn get_reorganisation(
    db: &Db,
    caller: Caller,
    id: String,
) -> ApiResult<ReorganisationResponse> {
    caller.require(Action::ReadOrgUnits)?;
    db.run(move |conn| {
        let r = db::reorganisations::get(conn, &id)?;
        view(conn, r)
    })
    .await
}
