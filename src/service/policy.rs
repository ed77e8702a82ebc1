//! Who may change which document. The role decides the kind of act
//! ([`crate::auth::allows`]); this module adds the document's scope: its family (legal or
//! ISO), whether it is external (promulgated elsewhere, registered here), and the unit it
//! belongs to. Every write to a document, its versions or the relations it makes goes
//! through [`require_document_write`] (or, to withdraw, [`require_withdraw`]), whatever
//! the route, so that a role cannot act on another unit's documents through a side door.
//!
//! - A legal document drafted here: a drafter of its drafting agency (the creator's unit)
//!   writing for that agency or a unit above it (an agency drafts for the People's
//!   Committee), or a legal officer.
//! - An external legal document (a decree, a circular, a provincial decision): only a legal
//!   officer registers and maintains it; its legal effect is the law's, not a drafter's.
//! - A quality (ISO) document: only the ISO controller of its owner agency or of a unit
//!   above it (the same rule as the ISO routes).
//! - Withdrawal: legal documents by a legal officer or an approver; quality documents by
//!   the ISO controller of the owner agency.

use super::Caller;
use crate::auth::roles::may_edit_kind;
use crate::auth::Action;
use crate::db::models::Document;
use crate::db::{self, Conn};
use crate::domain::kinds::{DocumentKind, RelationKind, Role};
use crate::error::{ApiResult, AppError};

fn forbidden(why: &str) -> AppError {
    AppError::Forbidden(why.to_owned())
}

fn in_chain(caller: &Caller, unit: Option<&str>) -> bool {
    unit.is_some_and(|u| caller.org_chain.iter().any(|c| c == u))
}

/// The unit whose ISO controller controls a quality document: its owner agency as
/// recorded by ISO document control, else its issuer.
fn iso_owner(conn: &mut Conn, doc: &Document) -> ApiResult<Option<String>> {
    Ok(db::iso::find_document(conn, &doc.id)?
        .map(|i| i.owner_unit_id)
        .or_else(|| doc.issuer_id.clone()))
}

/// The caller is the ISO controller of the quality document's owner agency (or of a unit
/// above it); `why` is the refusal.
fn require_owner_controller(
    conn: &mut Conn,
    caller: &Caller,
    doc: &Document,
    why: &str,
) -> ApiResult<()> {
    let owner = iso_owner(conn, doc)?;
    if caller.role == Role::IsoController && in_chain(caller, owner.as_deref()) {
        Ok(())
    } else {
        Err(forbidden(why))
    }
}

/// The role may write documents of this family at all.
pub fn require_family(caller: &Caller, kind: DocumentKind) -> ApiResult<()> {
    caller.require(Action::EditDocuments)?;
    let iso = kind.is_iso();
    if !may_edit_kind(caller.role, iso) {
        return Err(AppError::Forbidden(format!(
            "the {} role may not write {} documents",
            caller.role.as_str(),
            if iso { "ISO" } else { "legal" }
        )));
    }
    Ok(())
}

/// The issuer (or owner) a document of this kind may be given by the caller.
pub fn require_issuer(
    caller: &Caller,
    kind: DocumentKind,
    issuer_id: Option<&str>,
    external: bool,
) -> ApiResult<()> {
    match caller.role {
        Role::LegalOfficer if !kind.is_iso() => Ok(()),
        Role::Drafter if external => Err(forbidden(
            "registering an external (already promulgated) document is a legal officer's task",
        )),
        Role::Drafter | Role::IsoController if in_chain(caller, issuer_id) => Ok(()),
        Role::Drafter => Err(forbidden(
            "a drafter writes only for their own unit or the units above it",
        )),
        Role::IsoController => Err(forbidden(
            "an ISO controller writes only the quality documents of their own agency",
        )),
        _ => Err(forbidden("this role may not write documents")),
    }
}

/// May the caller change this document: its metadata, its versions, its deletion, the
/// relations it makes?
pub fn require_document_write(conn: &mut Conn, caller: &Caller, doc: &Document) -> ApiResult<()> {
    require_family(caller, doc.kind)?;
    if doc.kind.is_iso() {
        return require_owner_controller(
            conn,
            caller,
            doc,
            "only the ISO controller of the owner agency controls this document",
        );
    }
    // After a reorganisation the document is its inheritor's (the holder), no longer the
    // abolished issuer's.
    require_issuer(caller, doc.kind, doc.holder(), doc.external)?;
    // A draft belongs to the agency that drafts it, not only to its issuer: every agency
    // drafts for the People's Committee, and none may change another's draft.
    if caller.role == Role::Drafter && !in_chain(caller, drafting_unit(conn, doc)?.as_deref()) {
        return Err(forbidden(
            "a drafter changes only the drafts of their own unit (or of a unit above it)",
        ));
    }
    Ok(())
}

/// The caller may move `doc` along the drafting workflow as far as its scope goes (the
/// role's actions are [`crate::domain::workflow::role_may`]): a drafting agency moves only
/// its own drafts, the justice office and the approvers any draft.
pub fn require_move_draft(conn: &mut Conn, caller: &Caller, doc: &Document) -> ApiResult<()> {
    caller.require_unit_active()?;
    match caller.role {
        Role::Drafter => require_document_write(conn, caller, doc),
        _ => Ok(()),
    }
}

/// Whether [`require_move_draft`] lets the caller move `doc`.
pub fn may_move_draft(conn: &mut Conn, caller: &Caller, doc: &Document) -> bool {
    require_move_draft(conn, caller, doc).is_ok()
}

/// A relation of this kind is the ISO controller citing a quality document's legal basis,
/// which they record themselves (every other relation is the relation managers').
pub fn cites_own_basis(caller: &Caller, kind: RelationKind) -> bool {
    kind == RelationKind::BasedOn && caller.role == Role::IsoController
}

/// Relations are written by who may write their source document; a legal officer for any
/// document (registering what a promulgated text does to another, or correcting a
/// citation).
pub fn require_relation_scope(
    conn: &mut Conn,
    caller: &Caller,
    source: &Document,
) -> ApiResult<()> {
    if caller.role == Role::LegalOfficer {
        return Ok(());
    }
    require_document_write(conn, caller, source)
}

/// The caller may relate `source` to another document by a relation of `kind`: the ISO
/// controller of a quality document its legal basis; otherwise a relation manager within
/// [`require_relation_scope`] (a relation is the source document's statement: it amends,
/// repeals, suspends... its target).
pub fn require_relate(
    conn: &mut Conn,
    caller: &Caller,
    source: &Document,
    kind: RelationKind,
) -> ApiResult<()> {
    if cites_own_basis(caller, kind) {
        if !source.kind.is_iso() {
            return Err(forbidden(
                "an ISO controller records the legal basis of quality documents only",
            ));
        }
        return require_owner_controller(
            conn,
            caller,
            source,
            "only the ISO controller of the owner agency records this document's legal basis",
        );
    }
    caller.require(Action::ManageRelations)?;
    require_relation_scope(conn, caller, source)
}

/// The caller may record the result of a review item assigned to `assignee_id`: a legal
/// officer any item, the staff of an agency the items assigned to it.
pub fn require_record_review_item(caller: &Caller, assignee_id: Option<&str>) -> ApiResult<()> {
    caller.require(Action::RecordReviewResults)?;
    if caller.may(Action::RecordAnyReviewResult)
        || assignee_id.is_some_and(|a| caller.org_unit_id.as_deref() == Some(a))
    {
        return Ok(());
    }
    Err(forbidden(
        "only the staff of the agency this item is assigned to, or a legal officer, record its result",
    ))
}

/// The drafting agency of a document: its inheritor after a reorganisation, else the unit
/// of the account that created it, else its issuer (the same rule as the periodic
/// report's).
fn drafting_unit(conn: &mut Conn, doc: &Document) -> ApiResult<Option<String>> {
    if doc.holder_id.is_some() {
        return Ok(doc.holder_id.clone());
    }
    let creator_unit = match &doc.created_by {
        Some(u) => db::users::get(conn, u)?.org_unit_id,
        None => None,
    };
    Ok(creator_unit.or_else(|| doc.issuer_id.clone()))
}

/// May the caller withdraw this document?
pub fn require_withdraw(conn: &mut Conn, caller: &Caller, doc: &Document) -> ApiResult<()> {
    caller.require(Action::WithdrawDocuments)?;
    if doc.kind.is_iso() {
        return require_owner_controller(
            conn,
            caller,
            doc,
            "only the ISO controller of the owner agency withdraws a quality document",
        );
    }
    match caller.role {
        Role::LegalOfficer | Role::Approver => Ok(()),
        _ => Err(forbidden(
            "a legal document is withdrawn by a legal officer or an approver",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What creating a document asks: the family, then the issuer.
    fn require_create(
        caller: &Caller,
        kind: &str,
        issuer_id: Option<&str>,
        external: bool,
    ) -> ApiResult<()> {
        let kind: DocumentKind = kind.parse().unwrap();
        require_family(caller, kind)?;
        require_issuer(caller, kind, issuer_id, external)
    }

    fn caller(role: Role, chain: &[&str]) -> Caller {
        Caller {
            user_id: "u".into(),
            username: "u".into(),
            role,
            org_unit_id: chain.first().map(|s| s.to_string()),
            org_chain: chain.iter().map(|s| s.to_string()).collect(),
            unit_abolished_on: None,
        }
    }

    #[test]
    fn only_legal_officers_register_external_legal_documents() {
        let drafter = caller(Role::Drafter, &["NV", "UBND"]);
        let legal = caller(Role::LegalOfficer, &["TP"]);
        assert!(require_create(&drafter, "resolution", Some("HDND"), true).is_err());
        assert!(require_create(&drafter, "decision", Some("UBND"), true).is_err());
        assert!(require_create(&legal, "decree", None, true).is_ok());
        assert!(require_create(&drafter, "decision", Some("UBND"), false).is_ok());
        assert!(require_create(&drafter, "decision", Some("HDND"), false).is_err());
    }

    #[test]
    fn the_staff_of_an_abolished_unit_read_but_no_longer_act() {
        let mut legal = caller(Role::LegalOfficer, &["TP", "UBND"]);
        assert!(require_create(&legal, "decision", Some("UBND"), false).is_ok());
        legal.unit_abolished_on = chrono::NaiveDate::from_ymd_opt(2025, 7, 1);
        let refused = require_create(&legal, "decision", Some("UBND"), false);
        assert!(
            matches!(&refused, Err(AppError::Forbidden(w)) if w.contains("ceased")),
            "{refused:?}"
        );
        assert!(!legal.may(Action::RecordAnyReviewResult));
        assert!(legal.may(Action::ReadReviews));
        let mut admin = caller(Role::Admin, &["VP"]);
        admin.unit_abolished_on = legal.unit_abolished_on;
        assert!(
            admin.may(Action::ManageUsers),
            "accounts are moved by the admin"
        );
        // A unit abolished from a day to come still acts until then.
        legal.unit_abolished_on = Some(super::super::today() + chrono::Duration::days(1));
        assert!(legal.may(Action::EditDocuments));
    }

    #[test]
    fn iso_documents_belong_to_their_agencys_controller() {
        let own = caller(Role::IsoController, &["VP", "UBND"]);
        let other = caller(Role::IsoController, &["TP", "UBND"]);
        assert!(require_create(&own, "iso_procedure", Some("VP"), false).is_ok());
        assert!(require_create(&other, "iso_procedure", Some("VP"), false).is_err());
        assert!(require_create(&own, "decision", Some("VP"), false).is_err());
    }
}

/// The parts of the staff pages, each open to the roles whose work it holds. The pages show
/// a part in their menu when [`reaches`] says so; every page still calls a use case that
/// checks the caller itself, so a hidden link is a convenience, never the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// The work queue (everyone on staff).
    Queue,
    /// Drafting and keeping documents.
    Documents,
    /// The public's comments on drafts.
    Comments,
    /// The justice office's appraisals.
    Appraisals,
    /// Self-inspections, review campaigns, review flags.
    Reviews,
    /// ISO document control.
    Iso,
    /// The periodic report and systematisation.
    Reports,
    /// Accounts and org units.
    Admin,
}

/// Whether the caller's role has work in `area` (see [`Area`]).
pub fn reaches(caller: &Caller, area: Area) -> bool {
    match area {
        Area::Queue | Area::Reviews | Area::Iso => true,
        Area::Documents => caller.may(Action::EditDocuments) || caller.may(Action::ReadAllDrafts),
        Area::Comments => caller.may(Action::HandleComments),
        Area::Appraisals => caller.may(Action::AppraiseDrafts) || caller.may(Action::ReadAllDrafts),
        Area::Reports => caller.may(Action::ReadReports),
        Area::Admin => caller.may(Action::ManageUsers),
    }
}
