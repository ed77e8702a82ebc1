//! ISO 9001 document control (clause 7.5): quality documents with their control
//! metadata, change requests, the revision workflow (review, approval, issue),
//! controlled copies and their recall, read-and-understood acknowledgements, periodic
//! review, and the compliance report.
//!
//! A quality document is a document whose kind starts with `iso_`; its revisions are its
//! versions, each with a control state in `iso_revisions`. The state changes follow
//! `domain::iso`, which is where "exactly one current revision" is decided. Every change
//! appends an audit entry on the document (so the search index follows it too).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents::{self as docs, double_option, resolve_org_unit, CreateDocumentRequest};
use super::versions::{self as versions, NewVersion, Upload};
use super::{clean_opt, clean_text, state_of, Caller};
use crate::auth::Action;
use crate::db::audit::{self, Actor, Event};
use crate::db::models::{
    Acknowledgement, ControlledCopy, Document, DocumentChanges, IsoChangeRequest,
    IsoChangeRequestChanges, IsoDistributionRow, IsoDocument, IsoDocumentChanges, IsoReviewComment,
    IsoRevision, IsoRevisionChanges, User, Version,
};
use crate::db::{self, iso as q, Conn, Tx};
use crate::domain::diff::{diff_lines, DiffLine, DiffOp};
use crate::domain::iso::{self as rules, CopyView, ObsoleteStamp, Recipient, RevisionEvent};
use crate::domain::kinds::{
    ChangeRequestOrigin, ChangeRequestState, DocumentKind, DocumentState, ReviewOutcome,
    RevisionState,
};
use crate::error::{ApiResult, AppError};

mod acknowledgements;
mod change_requests;
mod compliance;
mod copies;
mod documents;
mod periodic_review;
mod responses;
mod revisions;
mod wire;

use super::iso_hooks::{
    audit_doc, copy_view, guard, is_iso, parse, recall, set_change_request_state, stamp_for, views,
};
pub use super::iso_hooks::{
    controlled_copy_stamp, required_stamp, revision_state, ControlledCopyStamp,
    DEFAULT_REVIEW_PERIOD_MONTHS,
};
pub use acknowledgements::*;
pub use change_requests::*;
pub use compliance::*;
pub use copies::*;
pub use documents::*;
pub use periodic_review::*;
pub use responses::*;
pub use revisions::*;
pub use wire::*;

// ---------------------------------------------------------------------------------
// Loading and permissions, shared by the parts
// ---------------------------------------------------------------------------------

/// A quality document the caller may see, with its control metadata.
fn load(conn: &mut Conn, caller: Option<&Caller>, id: &str) -> ApiResult<(Document, IsoDocument)> {
    let doc = docs::get(conn, caller, id)?;
    if !is_iso(&doc) {
        return Err(AppError::NotFound);
    }
    let iso = q::find_document(conn, id)?.ok_or(AppError::NotFound)?;
    Ok((doc, iso))
}

/// The ISO controller of the owner agency, or of a unit above it.
fn require_owner(caller: &Caller, iso: &IsoDocument) -> ApiResult<()> {
    caller.require(Action::ControlIsoDocuments)?;
    if caller.org_chain.iter().any(|u| u == &iso.owner_unit_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the ISO controller of the owner agency controls this document".into(),
        ))
    }
}

/// The caller controls this quality document (for its `based_on` relations).
pub fn require_controller_of(conn: &mut Conn, caller: &Caller, doc: &Document) -> ApiResult<()> {
    let iso = match is_iso(doc) {
        true => q::find_document(conn, &doc.id)?,
        false => None,
    };
    match iso {
        Some(iso) => require_owner(caller, &iso),
        None => Err(AppError::Forbidden(
            "an ISO controller records the legal basis of quality documents only".into(),
        )),
    }
}

fn ensure_in_use(doc: &Document) -> ApiResult<()> {
    if state_of(doc)? == DocumentState::Withdrawn {
        return Err(guard(
            "withdrawn_is_final",
            "the document was withdrawn from use",
        ));
    }
    Ok(())
}

/// A revision, its version and its document (visible to the caller), and the metadata.
fn load_revision(
    conn: &mut Conn,
    caller: Option<&Caller>,
    version_id: &str,
) -> ApiResult<(IsoRevision, Version, Document, IsoDocument)> {
    let rev = q::get_revision(conn, version_id)?;
    let (doc, iso) = load(conn, caller, &rev.document_id)?;
    let v = db::versions::get(conn, version_id)?;
    Ok((rev, v, doc, iso))
}

fn check_row_version(actual: i32, expected: i32) -> ApiResult<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(AppError::Stale)
    }
}

// ---------------------------------------------------------------------------------
// Used by the demo loader: the same rules, acting as a given account.
// ---------------------------------------------------------------------------------

/// Issues a revision effective on a past date as `caller` (the demo's history).
pub fn issue_on(
    conn: &mut Tx<'_>,
    caller: &Caller,
    version_id: &str,
    effective_from: NaiveDate,
) -> ApiResult<IsoRevisionResponse> {
    let rev = q::get_revision(conn, version_id)?;
    issue(
        conn,
        caller,
        version_id,
        rev.row_version,
        &IssueRequest {
            effective_from: Some(effective_from),
        },
        super::today(),
    )
}
