//! /api/v1/iso: ISO 9001 document control (clause 7.5) — quality documents and their
//! control metadata, change requests, the revision workflow, controlled copies,
//! acknowledgements, periodic review and the compliance report.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, IntoResponses, ToSchema};

use super::dto::ReasonRequest;
use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::review::ok;
use super::route::routes;
use super::tagged;
use crate::error::AppError;
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

fn document(status: StatusCode, d: IsoDocumentResponse) -> HttpResponse {
    tagged(status, &d.id, d.row_version, &d)
}

fn revision(r: IsoRevisionResponse) -> HttpResponse {
    tagged(StatusCode::OK, &r.version_id, r.row_version, &r)
}

fn change_request(status: StatusCode, c: ChangeRequestResponse) -> HttpResponse {
    tagged(status, &c.id, c.row_version, &c)
}
