//! Administration (`/lam-viec/quan-tri`): the accounts (create; change role, unit, active,
//! password at the row version read — a change of role or a deactivation ends the account's
//! sessions, as the use case does) and the org units (create; rename, re-parent). The API's
//! use cases, for the admin only.

use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use serde::Deserialize;

use super::{answered, Form, Frame, Staff};
use crate::api::State;
use crate::domain::kinds::{OrgUnitKind, Role};
use crate::error::AppError;
use crate::service::accounts::{self, CreateUserRequest, UpdateUserRequest, UserResponse};
use crate::service::org_units::{
    self as units, CreateOrgUnitRequest, OrgUnitResponse, UpdateOrgUnitRequest,
};
use crate::web::page::{page_id, PageResult};

const HERE: &str = "/lam-viec/quan-tri";

#[derive(Template)]
#[template(path = "staff/admin.html", config = "src/web/askama.toml")]
struct AdminPage {
    frame: Frame,
    users: Vec<UserResponse>,
    /// The units of the local government (the ones accounts belong to and parents are).
    units: Vec<OrgUnitResponse>,
    /// The issuers outside it that documents name (often hundreds once a corpus is
    /// imported): listed without forms, which would repeat every unit in every row.
    external: Vec<OrgUnitResponse>,
    roles: &'static [Role],
    kinds: &'static [OrgUnitKind],
}

async fn admin_page(
    st: &State,
    req: &HttpRequest,
    staff: &Staff,
    e: Option<&AppError>,
) -> PageResult {
    let (external, units) = units::list_units(&st.db, &staff.caller)
        .await?
        .into_iter()
        .partition(|u| u.kind == OrgUnitKind::ExternalBody);
    let page = AdminPage {
        frame: staff.frame_with(req, HERE, e),
        users: accounts::list_users(&st.db, &staff.caller).await?,
        units,
        external,
        roles: Role::ALL,
        kinds: OrgUnitKind::ALL,
    };
    staff.page(req, &page)
}

/// Accounts and org units.
#[get("/lam-viec/quan-tri")]
pub async fn show(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    admin_page(&st, &req, &staff, None).await
}

fn opt(s: String) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    username: String,
    #[serde(default)]
    display_name: String,
    password: String,
    role: Role,
    #[serde(default)]
    org_unit: String,
}

/// Creates an account.
#[post("/lam-viec/quan-tri/tai-khoan")]
pub async fn create_user(
    st: State,
    req: HttpRequest,
    staff: Staff,
    form: Form<NewUserForm>,
) -> PageResult {
    let f = form.0;
    let body = CreateUserRequest {
        username: f.username,
        display_name: opt(f.display_name),
        password: f.password,
        role: f.role,
        org_unit: opt(f.org_unit),
    };
    let done = accounts::add_user(&st.db, &st.hasher, staff.caller.clone(), body).await;
    let back = format!("{HERE}?tb=saved");
    answered(done, &back, |e| async move {
        admin_page(&st, &req, &staff, Some(&e)).await
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    row_version: i32,
    role: Role,
    #[serde(default)]
    org_unit: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    password: String,
}

/// Changes an account at the row version read.
#[post("/lam-viec/quan-tri/tai-khoan/{id}")]
pub async fn update_user(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<UserForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let f = form.0;
    let body = UpdateUserRequest {
        display_name: None,
        password: opt(f.password),
        role: Some(f.role),
        org_unit: Some(opt(f.org_unit)),
        active: Some(f.active.is_some()),
    };
    let caller = staff.caller.clone();
    let done = accounts::change_user(&st.db, &st.hasher, caller, id, f.row_version, body).await;
    let back = format!("{HERE}?tb=saved");
    answered(done, &back, |e| async move {
        admin_page(&st, &req, &staff, Some(&e)).await
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct NewUnitForm {
    code: String,
    name: String,
    kind: OrgUnitKind,
    #[serde(default)]
    parent: String,
}

/// Creates an org unit.
#[post("/lam-viec/quan-tri/don-vi")]
pub async fn create_unit(
    st: State,
    req: HttpRequest,
    staff: Staff,
    form: Form<NewUnitForm>,
) -> PageResult {
    let f = form.0;
    let body = CreateOrgUnitRequest {
        code: f.code,
        name: f.name,
        kind: f.kind,
        parent: opt(f.parent),
        level: None,
        established_on: None,
        abolished_on: None,
    };
    let done = units::add_unit(&st.db, staff.caller.clone(), body).await;
    let back = format!("{HERE}?tb=saved#don-vi");
    answered(done, &back, |e| async move {
        admin_page(&st, &req, &staff, Some(&e)).await
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct UnitForm {
    row_version: i32,
    name: String,
    #[serde(default)]
    parent: String,
}

/// Renames or re-parents an org unit at the row version read.
#[post("/lam-viec/quan-tri/don-vi/{id}")]
pub async fn update_unit(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<UnitForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let f = form.0;
    let body = UpdateOrgUnitRequest {
        name: Some(f.name),
        parent: Some(opt(f.parent)),
        ..UpdateOrgUnitRequest::default()
    };
    let done = units::change_unit(&st.db, staff.caller.clone(), id, f.row_version, body).await;
    let back = format!("{HERE}?tb=saved#don-vi");
    answered(done, &back, |e| async move {
        admin_page(&st, &req, &staff, Some(&e)).await
    })
    .await
}
