//! ISO 9001 document control (clause 7.5): quality documents with their control
//! metadata, change requests, the revision workflow (review, approval, issue),
//! controlled copies and their recall, read-and-understood acknowledgements, periodic
//! review, and the compliance report.
//!
//! A quality document is a document whose kind starts with `iso_`; its revisions are its
//! versions, each with a control state in `iso_revisions`. The state changes follow
//! `domain::iso`, which is where "exactly one current revision" is decided. Every change
//! appends an audit entry on the document (so the search index follows it too).
//!
//! Each use case is an `async fn(db: &Db, caller: Caller, …)` that opens its own
//! connection or transaction; the `fn(conn, …)` step it runs there is public too, for
//! the demo loader, which replays a history inside its own transaction.

use super::documents::{self as docs, resolve_org_unit};
use super::iso_hooks::guard;
use super::Caller;
use crate::auth::Action;
use crate::db::models::{Document, IsoDocument, IsoRevision, Version};
use crate::db::{self, iso as q, Conn};
use crate::domain::kinds::DocumentState;
use crate::error::{ApiResult, AppError};

/// The use cases of ISO document control, over their steps: each
/// `run|tx name(args…) -> Out = step(call args…) [then f];` is an
/// `async fn name(db, caller, args…) -> ApiResult<Out>` that opens a connection (`run`)
/// or a write transaction (`tx`), runs `step(conn, &caller, call args…)` there and
/// answers what it returns, through `f` (`Result::and_then`) when one is given.
macro_rules! use_cases {
    ($(
        $(#[$doc:meta])*
        $mode:ident $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty
            = $step:ident($($call:expr),* $(,)?) $(then $then:expr)?;
    )+) => {$(
        $(#[$doc])*
        pub async fn $name(
            db: &$crate::db::Db,
            caller: $crate::service::Caller,
            $($arg: $ty),*
        ) -> $crate::error::ApiResult<$out> {
            db.$mode(move |conn| $step(conn, &caller, $($call),*))
                .await
                $(.and_then($then))?
        }
    )+};
}

mod acknowledgements;
mod change_requests;
mod compliance;
mod copies;
mod desk;
mod documents;
mod issue;
mod periodic_review;
mod responses;
mod revisions;
mod wire;

pub use super::iso_hooks::{
    controlled_copy_stamp, required_stamp, revision_state, ControlledCopyStamp,
    DEFAULT_REVIEW_PERIOD_MONTHS,
};
pub use acknowledgements::*;
pub use change_requests::*;
pub use compliance::*;
pub use copies::*;
pub use desk::*;
pub use documents::*;
pub use issue::*;
pub use periodic_review::*;
pub use responses::*;
pub use revisions::*;
pub use wire::*;

/// A quality document the caller may see, with its control metadata.
fn load(conn: &mut Conn, caller: Option<&Caller>, id: &str) -> ApiResult<(Document, IsoDocument)> {
    let doc = docs::get(conn, caller, id)?;
    if !doc.kind.is_iso() {
        return Err(AppError::NotFound);
    }
    let iso = q::find_document(conn, id)?.ok_or(AppError::NotFound)?;
    Ok((doc, iso))
}

/// The ISO controller of the owner agency, or of a unit above it.
fn require_owner(caller: &Caller, iso: &IsoDocument) -> ApiResult<()> {
    require_owner_unit(caller, &iso.owner_unit_id)
}

/// The ISO controller of the unit `owner_id`, or of a unit above it.
fn require_owner_unit(caller: &Caller, owner_id: &str) -> ApiResult<()> {
    caller.require(Action::ControlIsoDocuments)?;
    if caller.org_chain.iter().any(|u| u == owner_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the ISO controller of the owner agency controls this document".into(),
        ))
    }
}

fn ensure_in_use(doc: &Document) -> ApiResult<()> {
    if doc.state == DocumentState::Withdrawn {
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

/// A quality document the caller may read the control records of.
fn load_readable(conn: &mut Conn, caller: &Caller, id: &str) -> ApiResult<(Document, IsoDocument)> {
    caller.require(Action::ReadIsoRecords)?;
    load(conn, Some(caller), id)
}

/// The control metadata of every quality document, or of those of one owner agency
/// (its id or code).
fn owned_by(conn: &mut Conn, owner: Option<&str>) -> ApiResult<Vec<IsoDocument>> {
    let owners = match owner {
        Some(o) => Some(vec![resolve_org_unit(conn, "owner", o)?]),
        None => None,
    };
    Ok(q::list_documents(conn, owners.as_deref())?)
}

/// The window of a report of reviews due: `within_days` (0 to 366), 30 when absent.
fn within(days: Option<i64>) -> ApiResult<i64> {
    let d = days.unwrap_or(30);
    if (0..=366).contains(&d) {
        Ok(d)
    } else {
        Err(AppError::invalid("within_days", "between 0 and 366"))
    }
}
