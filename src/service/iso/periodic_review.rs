//! Periodic review: documents due, and the review recorded.

use chrono::NaiveDate;

use super::{check_row_version, doc_ref, document_response, ensure_in_use, load, owned_by};
use super::{raise_unchecked, require_owner, unit_ref, within};
use super::{ChangeRequestResponse, DueReviewResponse, ReviewRequest, ReviewResponse};
use crate::auth::Action;
use crate::db::audit::{self, Event};
use crate::db::models::IsoDocumentChanges;
use crate::db::{self, iso as q, Conn, Tx};
use crate::domain::iso as rules;
use crate::domain::kinds::{ChangeRequestOrigin, DocumentState, ReviewOutcome};
use crate::error::{ApiResult, AppError};
use crate::service::iso_hooks::{guard, open_change_requests};
use crate::service::{can_see, clean_opt, today, Caller};

use_cases! {
    /// Documents in use whose periodic review is due within `within_days` (default 30,
    /// at most 366) or overdue.
    run list_due_reviews(owner: Option<String>, within_days: Option<i64>)
        -> Vec<DueReviewResponse> = due_reviews(owner.as_deref(), within(within_days)?, today());
    /// Records a periodic review of a document at the row version of its metadata.
    tx review_document(document_id: String, expected_version: i32, req: ReviewRequest)
        -> ReviewResponse = record_review(&document_id, expected_version, &req, today());
}

/// Documents in use whose review falls within `within_days` of `today` (or is overdue).
pub fn due_reviews(
    conn: &mut Conn,
    caller: &Caller,
    owner: Option<&str>,
    within_days: i64,
    today: NaiveDate,
) -> ApiResult<Vec<DueReviewResponse>> {
    caller.require(Action::ReadIsoRecords)?;
    let mut out = vec![];
    for iso in owned_by(conn, owner)? {
        let Some(next) = iso.next_review_on else {
            continue;
        };
        if !rules::review_due(Some(next), today, within_days) {
            continue;
        }
        let doc = db::documents::get(conn, &iso.document_id)?;
        if doc.state == DocumentState::Withdrawn
            || q::current_revision(conn, &doc.id)?.is_none()
            || !can_see(Some(caller), &doc)
        {
            continue;
        }
        let open = open_change_requests(conn, std::slice::from_ref(&doc.id))?;
        let days_left = (next - today).num_days();
        out.push(DueReviewResponse {
            document: doc_ref(&doc)?,
            owner: unit_ref(conn, &iso.owner_unit_id)?,
            next_review_on: next,
            last_reviewed_on: iso.last_reviewed_on,
            days_left,
            overdue: days_left < 0,
            open_change_request_id: open.into_iter().next().map(|c| c.id),
        });
    }
    out.sort_by(|a, b| {
        a.next_review_on
            .cmp(&b.next_review_on)
            .then(a.document.id.cmp(&b.document.id))
    });
    Ok(out)
}

/// Records a periodic review: a confirmed document gets its next review date; one that
/// needs a change gets a change request.
pub fn record_review(
    conn: &mut Tx<'_>,
    caller: &Caller,
    document_id: &str,
    expected_version: i32,
    req: &ReviewRequest,
    today: NaiveDate,
) -> ApiResult<ReviewResponse> {
    let (doc, iso) = load(conn, Some(caller), document_id)?;
    require_owner(caller, &iso)?;
    ensure_in_use(&doc)?;
    if q::current_revision(conn, document_id)?.is_none() {
        return Err(guard(
            "review_documents_in_use",
            "the document has no issued revision to review",
        ));
    }
    check_row_version(iso.row_version, expected_version)?;
    let actor = caller.actor();
    let note = clean_opt("note", req.note.as_deref(), 5000)?;
    let (changes, change_request) = match req.outcome {
        ReviewOutcome::Confirmed => (
            IsoDocumentChanges {
                last_reviewed_on: Some(Some(today)),
                next_review_on: Some(rules::next_review(today, iso.review_period_months)),
                ..Default::default()
            },
            None,
        ),
        ReviewOutcome::ChangeNeeded => {
            let reason = note
                .clone()
                .ok_or_else(|| AppError::invalid("note", "say what needs to change"))?;
            let c = raise_unchecked(
                conn,
                &actor,
                Some(&caller.user_id),
                &doc,
                ChangeRequestOrigin::PeriodicReview,
                &reason,
                None,
            )?;
            // The review stays due until the revised document is issued.
            (
                IsoDocumentChanges {
                    last_reviewed_on: Some(Some(today)),
                    ..Default::default()
                },
                Some(c),
            )
        }
    };
    let updated = q::update_document(conn, document_id, expected_version, &changes)?;
    audit::append(
        conn,
        &actor,
        Event {
            action: "iso.review",
            entity_type: "document",
            entity_id: document_id,
            reason: note.as_deref(),
            details: Some(serde_json::json!({
                "outcome": req.outcome, "reviewed_on": today,
                "next_review_on": updated.next_review_on,
                "change_request_id": change_request.as_ref().map(|c| &c.id),
            })),
            ..Default::default()
        },
    )?;
    Ok(ReviewResponse {
        document: document_response(conn, &doc, &updated, today)?,
        outcome: req.outcome,
        change_request: change_request
            .map(ChangeRequestResponse::from_row)
            .transpose()?,
    })
}
