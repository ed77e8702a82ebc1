//! Org units: the province, district, councils, committees, agencies, communes and
//! the external bodies that issue documents.

use serde::Deserialize;
use utoipa::ToSchema;

use super::documents::double_option;
use super::{clean_text, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::OrgUnit;
use crate::db::org_units::OrgUnitChanges;
use crate::db::{self, Db, Tx};
use crate::domain::kinds::OrgUnitKind;
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
    let now = db::now();
    let unit = db::org_units::insert(
        conn,
        &OrgUnit {
            id: db::new_id(),
            code: clean_code(&req.code)?,
            name: clean_text("name", &req.name, 300)?,
            kind: req.kind.as_str().to_owned(),
            parent_id,
            created_at: now,
            updated_at: now,
            row_version: 1,
        },
    )
    .map_err(|e| match e {
        db::DbError::Conflict(_) => {
            AppError::conflict(format!("code {} is taken", req.code.trim()))
        }
        other => other.into(),
    })?;
    audit::append(
        conn,
        actor,
        Event {
            action: "org_unit.create",
            entity_type: "org_unit",
            entity_id: &unit.id,
            details: Some(
                serde_json::json!({"code": unit.code, "name": unit.name, "kind": unit.kind}),
            ),
            ..Default::default()
        },
    )?;
    Ok(unit)
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
        kind: req.kind.map(|k| k.as_str().to_owned()),
        parent_id,
    };
    let updated = db::org_units::update(conn, id, expected_version, &changes)?;
    audit::append(
        conn,
        &caller.actor(),
        Event {
            action: "org_unit.update",
            entity_type: "org_unit",
            entity_id: id,
            details: Some(serde_json::json!({
                "code": updated.code, "name": updated.name, "kind": updated.kind, "parent_id": updated.parent_id
            })),
            ..Default::default()
        },
    )?;
    Ok(updated)
}

/// Every org unit, by code.
pub async fn list_units(db: &Db) -> ApiResult<Vec<OrgUnit>> {
    Ok(db.run(db::org_units::list).await?)
}

/// One org unit.
pub async fn get_unit(db: &Db, id: String) -> ApiResult<OrgUnit> {
    Ok(db.run(move |conn| db::org_units::get(conn, &id)).await?)
}

/// Creates an org unit.
pub async fn add_unit(db: &Db, caller: Caller, req: CreateOrgUnitRequest) -> ApiResult<OrgUnit> {
    db.tx(move |conn| create(conn, &caller, &req)).await
}

/// Changes an org unit at its row version.
pub async fn change_unit(
    db: &Db,
    caller: Caller,
    id: String,
    row_version: i32,
    req: UpdateOrgUnitRequest,
) -> ApiResult<OrgUnit> {
    db.tx(move |conn| update(conn, &caller, &id, row_version, &req))
        .await
}
