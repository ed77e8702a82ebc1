//! /api/v1/legal-regimes and /api/v1/reorganisations: the law drafts follow, and the
//! reorganisations of administrative units with the documents their successors inherit.

use actix_web::http::StatusCode;
use actix_web::{get, post, HttpResponse};

use super::responses::{BodyErrors, PublicErrors, ReadErrors, WriteErrors};
use super::review::ok;
use super::route::routes;
use crate::service::regimes::{self, RegimeResponse};
use crate::service::reorganisations::{
    self as svc, CreateReorganisationRequest, ReorganisationResponse,
};

routes! {
    tag "legal-regimes";

    /// The regimes drafts follow (Luật 80/2015/QH13, Luật 64/2025/QH15), each with its rules
    /// at every tier of local government and the article each rule comes from; `checked:
    /// false` marks a number whose article was not verified (the configuration may override
    /// any number, and the basis then says so).
    get "/legal-regimes" => list_legal_regimes(st)
        -> [(status = 200, body = Vec<RegimeResponse>), PublicErrors]
        { ok(regimes::regimes(&st.settings.workflow)) }
}

routes! {
    tag "reorganisations";

    /// Every recorded reorganisation (sắp xếp đơn vị hành chính), latest first.
    get "/reorganisations" => list_reorganisations(st, caller: Auth)
        -> [(status = 200, body = Vec<ReorganisationResponse>), ReadErrors]
        { ok(svc::list_reorganisations(&st.db, caller).await?) }

    /// Record a reorganisation (admin), in one transaction: the units named and those below
    /// them cease on `effective_on`; their legal documents pass to their inheritors (the
    /// `default_successor`, or per document in `assignments`); a review campaign opens at
    /// each inheritor over its inherited documents not expired.
    post "/reorganisations" => create_reorganisation(st, caller: Auth, body: Json<CreateReorganisationRequest>)
        -> [(status = 201, body = ReorganisationResponse), WriteErrors, BodyErrors]
        {
            let r = svc::record_reorganisation(&st.db, caller, body).await?;
            Ok(HttpResponse::build(StatusCode::CREATED)
                .insert_header(("Location", format!("/api/v1/reorganisations/{}", r.id)))
                .json(r))
        }

    /// One reorganisation.
    get "/reorganisations/{id}" => get_reorganisation(st, caller: Auth, id: Path)
        -> [(status = 200, body = ReorganisationResponse), ReadErrors]
        { ok(svc::get_reorganisation(&st.db, caller, id).await?) }
}
