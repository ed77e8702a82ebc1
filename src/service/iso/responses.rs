//! Read models of quality documents and their revisions, built from the rows.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::UnitRef;
use super::{doc_ref, user_ref, IsoDocumentResponse, IsoRevisionResponse, RecipientResponse};
use crate::db::models::{Document, IsoDistributionRow, IsoDocument, IsoRevision, OrgUnit, Version};
use crate::db::{self, iso as q, Conn};
use crate::domain::iso as rules;
use crate::domain::kinds::{DocumentKind, RevisionState};
use crate::error::ApiResult;
use crate::service::iso_hooks::{recipient_ids, stamp_for};

pub fn revision_response(
    conn: &mut Conn,
    rev: IsoRevision,
    v: &Version,
) -> ApiResult<IsoRevisionResponse> {
    let state: RevisionState = rev.state;
    let obsolete_stamp = stamp_for(conn, &rev)?;
    let change_request_id = q::change_request_of_revision(conn, &rev.version_id)?.map(|c| c.id);
    Ok(IsoRevisionResponse {
        version_id: rev.version_id,
        document_id: rev.document_id,
        seq: v.seq,
        label: v.label.clone(),
        state_label_vi: state.label_vi(),
        is_current: state == RevisionState::Current,
        state,
        revision_label: rev.revision_no.map(rules::revision_label),
        revision_no: rev.revision_no,
        change_summary: v.change_summary.clone(),
        author_id: v.author_id.clone(),
        submitted_at: rev.submitted_at,
        approved_at: v.approved_at,
        approved_by: v.approved_by.clone(),
        issued_at: rev.issued_at,
        issued_by: rev.issued_by,
        effective_from: rev.effective_from,
        superseded_at: rev.superseded_at,
        superseded_by: rev.superseded_by,
        withdrawn_at: rev.withdrawn_at,
        withdrawal_reason: rev.withdrawal_reason,
        change_request_id,
        obsolete_stamp,
        row_version: rev.row_version,
    })
}

pub(super) fn unit_ref(conn: &mut Conn, id: &str) -> ApiResult<UnitRef> {
    Ok(unit_of(&db::org_units::get(conn, id)?))
}

fn unit_of(u: &OrgUnit) -> UnitRef {
    UnitRef {
        id: u.id.clone(),
        code: u.code.clone(),
        name: u.name.clone(),
    }
}

pub(super) fn distribution_response(
    conn: &mut Conn,
    rows: &[IsoDistributionRow],
) -> ApiResult<Vec<RecipientResponse>> {
    let (unit_ids, user_ids) = recipient_ids(rows);
    let units: HashMap<String, _> = q::units_by_ids(conn, &unit_ids)?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let users: HashMap<String, _> = q::users_by_ids(conn, &user_ids)?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    Ok(rows
        .iter()
        .map(|r| {
            let unit = r.recipient_unit_id.as_ref().and_then(|i| units.get(i));
            let user = r.recipient_user_id.as_ref().and_then(|i| users.get(i));
            RecipientResponse {
                name: unit
                    .map(|u| u.name.clone())
                    .or_else(|| user.map(|u| u.display_name.clone()))
                    .unwrap_or_default(),
                org_unit: unit.map(unit_of),
                user: user.map(user_ref),
            }
        })
        .collect())
}

pub fn document_response(
    conn: &mut Conn,
    doc: &Document,
    iso: &IsoDocument,
    today: NaiveDate,
) -> ApiResult<IsoDocumentResponse> {
    let kind: DocumentKind = doc.kind;
    let revs = q::revisions(conn, &doc.id)?;
    let mut current = None;
    let mut open = None;
    for r in revs {
        let state: RevisionState = r.state;
        let v = db::versions::get(conn, &r.version_id)?;
        match state {
            RevisionState::Current => current = Some(revision_response(conn, r, &v)?),
            RevisionState::Draft | RevisionState::InReview | RevisionState::Approved => {
                open = Some(revision_response(conn, r, &v)?)
            }
            _ => {}
        }
    }
    let parent = match &iso.parent_id {
        Some(p) => Some(doc_ref(&db::documents::get(conn, p)?)?),
        None => None,
    };
    let mut attachments = vec![];
    for c in q::children_of(conn, &doc.id)? {
        attachments.push(doc_ref(&db::documents::get(conn, &c)?)?);
    }
    let rows = q::distribution(conn, &doc.id)?;
    Ok(IsoDocumentResponse {
        id: doc.id.clone(),
        kind,
        kind_label_vi: kind.label_vi(),
        iso_code: doc.iso_code.clone(),
        title: doc.title.clone(),
        field: doc.field.clone(),
        document_state: doc.state,
        owner: unit_ref(conn, &iso.owner_unit_id)?,
        review_period_months: iso.review_period_months,
        retention_years: iso.retention_years,
        next_review_on: iso.next_review_on,
        last_reviewed_on: iso.last_reviewed_on,
        review_overdue: iso.next_review_on.is_some_and(|d| d < today) && current.is_some(),
        parent,
        attachments,
        current_revision: current,
        open_revision: open,
        distribution: distribution_response(conn, &rows)?,
        row_version: iso.row_version,
    })
}
