//! Org units: the province, district, councils, committees, agencies, communes and
//! the external bodies that issue documents.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents::double_option;
use super::{clean_text, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::OrgUnit;
use crate::db::org_units::OrgUnitChanges;
use crate::db::{self, Conn, Db, Tx};
use crate::domain::kinds::OrgUnitKind;
use crate::domain::regime::UnitLevel;
use crate::error::{ApiResult, AppError};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgUnitRequest {
    /// Short unique code, e.g. `TP` for Phòng Tư pháp.
    pub code: String,
    pub name: String,
    pub kind: OrgUnitKind,
    /// Id or code of the parent unit.
    pub parent: Option<String>,
    /// The tier of local government; default: the kind's (a province is of the province
    /// tier, a district of the district tier, a commune of the commune tier), else the
    /// parent's (a council, committee or agency is of its territory's tier).
    #[serde(default)]
    pub level: Option<UnitLevel>,
    /// The day the unit came into being (e.g. 2025-07-01 for a commune formed by the 2025
    /// arrangement).
    #[serde(default)]
    pub established_on: Option<NaiveDate>,
    /// The day it ceased; a reorganisation records it for the units it abolishes.
    #[serde(default)]
    pub abolished_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgUnitRequest {
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<OrgUnitKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<UnitLevel>)]
    pub level: Option<Option<UnitLevel>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub established_on: Option<Option<NaiveDate>>,
}

fn clean_code(code: &str) -> ApiResult<String> {
    let c = clean_text("code", code, 32)?;
    if !c
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        return Err(AppError::invalid(
            "code",
            "letters, digits, '-' and '_' only",
        ));
    }
    Ok(c)
}

/// Inserts a unit with its audit entry (no permission check: CLI and demo use it).
pub fn insert_audited(
    conn: &mut Tx<'_>,
    actor: &Actor,
    req: &CreateOrgUnitRequest,
) -> ApiResult<OrgUnit> {
    let parent_id = match &req.parent {
        Some(p) => Some(super::documents::resolve_org_unit(conn, "parent", p)?),
        None => None,
    };
    let level = match (req.level.or(level_of_kind(req.kind)), &parent_id) {
        (Some(l), _) => Some(l),
        (None, Some(p)) if req.kind != OrgUnitKind::ExternalBody => {
            db::org_units::get(conn, p)?.level
        }
        (None, _) => None,
    };
    if let (Some(e), Some(a)) = (req.established_on, req.abolished_on) {
        if a <= e {
            return Err(AppError::invalid(
                "abolished_on",
                "must be after established_on",
            ));
        }
    }
    let now = db::now();
    let inserted = db::org_units::insert(
        conn,
        &OrgUnit {
            id: db::new_id(),
            code: clean_code(&req.code)?,
            name: clean_text("name", &req.name, 300)?,
            kind: req.kind,
            parent_id,
            created_at: now,
            updated_at: now,
            row_version: 1,
            level,
            established_on: req.established_on,
            abolished_on: req.abolished_on,
        },
    );
    let unit = super::unique(inserted, || format!("code {} is taken", req.code.trim()))?;
    audit::append(
        conn,
        actor,
        Event::detailed(
            "org_unit.create",
            "org_unit",
            &unit.id,
            serde_json::json!({
                "code": unit.code, "name": unit.name, "kind": unit.kind, "level": unit.level,
                "established_on": unit.established_on, "abolished_on": unit.abolished_on,
            }),
        ),
    )?;
    Ok(unit)
}

/// The tier a unit of this kind is of when nothing else says.
fn level_of_kind(kind: OrgUnitKind) -> Option<UnitLevel> {
    match kind {
        OrgUnitKind::Province => Some(UnitLevel::Province),
        OrgUnitKind::District => Some(UnitLevel::District),
        OrgUnitKind::Commune => Some(UnitLevel::Commune),
        _ => None,
    }
}

pub fn create(
    conn: &mut Tx<'_>,
    caller: &Caller,
    req: &CreateOrgUnitRequest,
) -> ApiResult<OrgUnit> {
    caller.require(Action::ManageOrgUnits)?;
    insert_audited(conn, &caller.actor(), req)
}

pub fn update(
    conn: &mut Tx<'_>,
    caller: &Caller,
    id: &str,
    expected_version: i32,
    req: &UpdateOrgUnitRequest,
) -> ApiResult<OrgUnit> {
    caller.require(Action::ManageOrgUnits)?;
    let current = db::org_units::get(conn, id)?;
    if current.row_version != expected_version {
        return Err(AppError::Stale);
    }
    let parent_id = match &req.parent {
        Some(Some(p)) => {
            let pid = super::documents::resolve_org_unit(conn, "parent", p)?;
            if db::org_units::ancestors_and_self(conn, &pid)?.contains(&current.id) {
                return Err(AppError::invalid(
                    "parent",
                    "a unit cannot be placed under itself",
                ));
            }
            Some(Some(pid))
        }
        Some(None) => Some(None),
        None => None,
    };
    let changes = OrgUnitChanges {
        code: req.code.as_deref().map(clean_code).transpose()?,
        name: req
            .name
            .as_deref()
            .map(|n| clean_text("name", n, 300))
            .transpose()?,
        kind: req.kind,
        parent_id,
        level: req.level,
        established_on: req.established_on,
    };
    let updated = db::org_units::update(conn, id, expected_version, &changes)?;
    audit::append(
        conn,
        &caller.actor(),
        Event::detailed(
            "org_unit.update",
            "org_unit",
            id,
            serde_json::json!({
                "code": updated.code, "name": updated.name, "kind": updated.kind,
                "parent_id": updated.parent_id, "level": updated.level,
                "established_on": updated.established_on,
            }),
        ),
    )?;
    Ok(updated)
}

/// Every org unit, by code.
pub async fn list_units(db: &Db, caller: &Caller) -> ApiResult<Vec<OrgUnitResponse>> {
    let units = super::read_allowed(db, caller, Action::ReadOrgUnits, db::org_units::list).await?;
    units.into_iter().map(OrgUnitResponse::from_row).collect()
}

/// The units that issued a document anyone may read, by code: what the public pages
/// filter and name issuers by (no account needed, as the documents themselves).
pub async fn public_issuers(db: &Db) -> ApiResult<Vec<crate::service::dto::OrgUnitRef>> {
    let units = db.run(db::org_units::public_issuers).await?;
    Ok(units
        .into_iter()
        .map(|u| crate::service::dto::OrgUnitRef {
            id: u.id,
            code: u.code,
            name: u.name,
        })
        .collect())
}

/// One org unit.
pub async fn get_unit(db: &Db, caller: &Caller, id: String) -> ApiResult<OrgUnitResponse> {
    let read = move |conn: &mut Conn| db::org_units::get(conn, &id);
    OrgUnitResponse::from_row(super::read_allowed(db, caller, Action::ReadOrgUnits, read).await?)
}

/// Creates an org unit.
pub async fn add_unit(
    db: &Db,
    caller: Caller,
    req: CreateOrgUnitRequest,
) -> ApiResult<OrgUnitResponse> {
    caller.require(Action::ManageOrgUnits)?;
    OrgUnitResponse::from_row(db.tx(move |conn| create(conn, &caller, &req)).await?)
}

/// Changes an org unit at its row version.
pub async fn change_unit(
    db: &Db,
    caller: Caller,
    id: String,
    row_version: i32,
    req: UpdateOrgUnitRequest,
) -> ApiResult<OrgUnitResponse> {
    caller.require(Action::ManageOrgUnits)?;
    let u = db
        .tx(move |conn| update(conn, &caller, &id, row_version, &req))
        .await?;
    OrgUnitResponse::from_row(u)
}

// ---- Wire shapes ----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgUnitResponse {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: OrgUnitKind,
    pub label_vi: &'static str,
    pub parent_id: Option<String>,
    /// The tier of local government; none for bodies outside it.
    pub level: Option<UnitLevel>,
    pub established_on: Option<NaiveDate>,
    /// Set by a reorganisation: from this day the unit's documents belong to its successors
    /// and its staff no longer act for it.
    pub abolished_on: Option<NaiveDate>,
    #[serde(with = "crate::service::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::service::timestamp::utc")]
    pub updated_at: NaiveDateTime,
    pub row_version: i32,
}

impl OrgUnitResponse {
    pub fn from_row(u: OrgUnit) -> ApiResult<Self> {
        let kind: OrgUnitKind = u.kind;
        Ok(OrgUnitResponse {
            id: u.id,
            code: u.code,
            name: u.name,
            kind,
            label_vi: kind.label_vi(),
            parent_id: u.parent_id,
            level: u.level,
            established_on: u.established_on,
            abolished_on: u.abolished_on,
            created_at: u.created_at,
            updated_at: u.updated_at,
            row_version: u.row_version,
        })
    }
}
