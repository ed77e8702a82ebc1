//! /api/v1/org-units: the units that issue and draft documents.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post};

use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::review::ok;
use super::route::routes;
use super::tagged_row;
use crate::service::org_units::OrgUnitResponse;
use crate::service::org_units::{self as svc, CreateOrgUnitRequest, UpdateOrgUnitRequest};

routes! {
    tag "org-units";

    /// All org units, by code.
    get "/org-units" => list_org_units(st, caller: Auth)
        -> [(status = 200, body = Vec<OrgUnitResponse>), ReadErrors]
        { ok(svc::list_units(&st.db, &caller).await?) }

    /// Create an org unit (admin).
    post "/org-units" => create_org_unit(st, caller: Auth, body: Json<CreateOrgUnitRequest>)
        -> [(status = 201, body = OrgUnitResponse), WriteErrors, BodyErrors]
        { Ok(tagged_row(StatusCode::CREATED, &svc::add_unit(&st.db, caller, body).await?)) }

    /// One org unit.
    get "/org-units/{id}" => get_org_unit(st, caller: Auth, id: Path)
        -> [(status = 200, body = OrgUnitResponse, headers(("ETag" = String))), ReadErrors]
        { Ok(tagged_row(StatusCode::OK, &svc::get_unit(&st.db, &caller, id).await?)) }

    /// Change an org unit (admin; send `If-Match`).
    patch "/org-units/{id}" => update_org_unit(
        st, caller: Auth, (id, version): IfMatch, body: Json<UpdateOrgUnitRequest>
    ) -> [(status = 200, body = OrgUnitResponse), WriteErrors, BodyErrors, IfMatchErrors]
        {
            let u = svc::change_unit(&st.db, caller, id, version, body).await?;
            Ok(tagged_row(StatusCode::OK, &u))
        }
}
