//! /api/v1/iso: ISO 9001 document control (clause 7.5) — quality documents and their
//! control metadata, change requests, the revision workflow, controlled copies,
//! acknowledgements, periodic review and the compliance report.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::Required;
use utoipa::{IntoParams, IntoResponses, ToSchema};

use super::dto::ReasonRequest;
use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::{parse_id, tagged, AuthUser, IfMatch, Json, State};
use crate::error::{ApiResult, AppError};
use crate::service::iso::{
    self as svc, AcceptChangeRequest, AcknowledgeRequest, AcknowledgementResponse,
    AcknowledgementsResponse, ChangeRequestResponse, CommentRequest, ComplianceReport,
    ControlledCopyResponse, CreateIsoDocumentRequest, DiffResponse, DueReviewResponse,
    IsoDocumentResponse, IsoRevisionResponse, IssueRequest, RaiseChangeRequest,
    ReviewCommentResponse, ReviewRequest, ReviewResponse, UpdateIsoDocumentRequest,
};

mod acknowledgements;
mod change_requests;
mod copies;
mod documents;
mod periodic_review;
mod revisions;

pub use acknowledgements::*;
pub use change_requests::*;
pub use copies::*;
pub use documents::*;
pub use periodic_review::*;
pub use revisions::*;

/// The query strings of the ISO routes: strict (an unknown parameter is refused), each
/// field documented as a query parameter.
macro_rules! queries {
    ($($name:ident { $($(#[$doc:meta])* $field:ident: $ty:ty,)+ })+) => {$(
        #[derive(Debug, Deserialize, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($(#[$doc])* pub $field: $ty,)+
        }
    )+};
}

queries! {
    OwnerQuery {
        /// Owner agency: org unit id or code.
        owner: Option<String>,
    }
    DueQuery {
        /// Owner agency: org unit id or code.
        owner: Option<String>,
        /// Reviews due within this many days count (0 to 366, default 30); overdue ones always do.
        within_days: Option<i64>,
    }
    ComplianceQuery {
        /// Owner agency: org unit id or code; every agency when absent.
        owner: Option<String>,
        /// Reviews due within this many days count as due (0 to 366, default 30).
        within_days: Option<i64>,
        /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV.
        format: Option<ReportFormat>,
    }
    CopiesQuery {
        /// Only copies asked back and not yet returned.
        outstanding: Option<bool>,
    }
    DiffQuery {
        /// The version to compare with (default: the revision this one follows).
        against: Option<String>,
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
}

/// The `If-Match` header a guarded write requires (beside its path id).
pub struct IfMatchHeader;

impl IntoParams for IfMatchHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![ParameterBuilder::new()
            .name("If-Match")
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .schema(Some(Object::with_type(Type::String)))
            .build()]
    }
}

/// The 200 answers of the ISO resources, each with the ETag of what it returns (a
/// set a route names in its `responses`, beside its problem sets).
macro_rules! tagged_ok {
    ($($name:ident = $body:ty),+ $(,)?) => {$(
        #[derive(IntoResponses)]
        #[response(status = 200, headers(("ETag" = String)))]
        pub struct $name(pub $body);
    )+};
}

tagged_ok!(
    RevisionOk = IsoRevisionResponse,
    ChangeRequestOk = ChangeRequestResponse,
    DocumentOk = IsoDocumentResponse,
    CopyOk = ControlledCopyResponse,
);

/// A route on the ISO resource at `id`: its OpenAPI entry and its handler, which parses
/// the id, then, for a write guarded by `If-Match`, the row version the client read,
/// runs the use case `(db, caller, id[, row_version][, body])` and answers through the
/// closure. A route reads
///
/// ```text
/// /// Doc comment of the route.
/// post "/iso/…/{id}/step" => name(if_match: IfMatchHeader, body: Request)
///     -> [responses and problem sets],
/// svc::use_case,
/// |r| Ok(answer(r))
/// ```
macro_rules! by_id {
    (
        $(#[$doc:meta])*
        $method:ident $route:tt => $name:ident(
            $($if_match:ident: $header:ident)? $(, $body:ident: $req:ty)?
        ) -> [$($responses:tt)*],
        $use_case:path,
        |$r:ident| $answer:expr
    ) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "iso",
            params(("id" = String, Path) $(, $header)?),
            $(request_body = $req,)?
            responses($($responses)*),
            security(("bearer" = []))
        )]
        #[$method($route)]
        pub async fn $name(
            st: State,
            user: AuthUser,
            id: web::Path<String>,
            $($if_match: IfMatch,)?
            $($body: Json<$req>,)?
        ) -> ApiResult<HttpResponse> {
            let id = parse_id(&id)?;
            $(let $if_match = $if_match.row_version()?;)?
            let $r = $use_case(&st.db, user.caller, id $(, $if_match)? $(, $body.0)?).await?;
            $answer
        }
    };
}
pub(super) use by_id;

fn document(status: StatusCode, d: IsoDocumentResponse) -> HttpResponse {
    tagged(status, &d.id, d.row_version, &d)
}

fn revision(r: IsoRevisionResponse) -> HttpResponse {
    tagged(StatusCode::OK, &r.version_id, r.row_version, &r)
}

fn change_request(status: StatusCode, c: ChangeRequestResponse) -> HttpResponse {
    tagged(status, &c.id, c.row_version, &c)
}
