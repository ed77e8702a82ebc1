//! /api/v1/self-inspections: the issuer's own check of each promulgated document.

use actix_web::{get, post};

use super::responses::{BodyErrors, ReadErrors, WriteErrors};
use super::review::{created, ok};
use super::route::routes;
use crate::service::self_inspection::{self as svc, InspectionQuery, RecordInspectionRequest};
pub use crate::service::self_inspection::{FollowUp, SelfInspectionResponse};

routes! {
    tag "self-inspection";

    /// Self-inspections, soonest due first; `overdue=true` lists those past their due date.
    get "/self-inspections" => list_self_inspections(st, caller: Auth, q: Query<InspectionQuery>)
        -> [(status = 200, body = Vec<SelfInspectionResponse>), ReadErrors]
        { ok(svc::list_inspections(&st.db, caller, q).await?) }

    /// One self-inspection.
    get "/self-inspections/{id}" => get_self_inspection(st, caller: Auth, id: Path)
        -> [(status = 200, body = SelfInspectionResponse), ReadErrors]
        { ok(svc::get_inspection(&st.db, caller, id).await?) }

    /// Record the result of a self-inspection (once). Anything but `lawful` needs findings
    /// and a handling, which opens the follow-up: a review flag on the document.
    post "/self-inspections/{id}/result" => record_self_inspection(
        st, caller: Auth, id: Path, body: Json<RecordInspectionRequest>
    ) -> [(status = 200, body = SelfInspectionResponse), WriteErrors, BodyErrors]
        { ok(svc::record_inspection(&st.db, caller, id, body).await?) }

    /// Open the self-inspection of a published document, as promulgation does (for
    /// documents published before it did, or imported).
    post "/documents/{id}/self-inspection" => open_self_inspection(st, caller: Auth, id: Path)
        -> [(status = 201, body = SelfInspectionResponse), WriteErrors]
        {
            let out = svc::open_inspection(&st.db, caller, id).await?;
            created(format!("/api/v1/self-inspections/{}", out.id), &out)
        }
}
