//! Periodic review: documents due, and the review recorded.

use super::*;

/// Documents in use whose review falls within `within_days` of `today` (or is overdue).
pub fn due_reviews(
    conn: &mut Conn,
    caller: &Caller,
    owner: Option<&str>,
    within_days: i64,
    today: NaiveDate,
) -> ApiResult<Vec<DueReviewResponse>> {
    caller.require(Action::ReadIsoRecords)?;
    let owners = match owner {
        Some(o) => Some(vec![resolve_org_unit(conn, "owner", o)?]),
        None => None,
    };
    let mut out = vec![];
    for iso in q::list_documents(conn, owners.as_deref())? {
        let Some(next) = iso.next_review_on else {
            continue;
        };
        if !rules::review_due(Some(next), today, within_days) {
            continue;
        }
        let doc = db::documents::get(conn, &iso.document_id)?;
        if state_of(&doc)? == DocumentState::Withdrawn
            || q::current_revision(conn, &doc.id)?.is_none()
            || !crate::service::can_see(Some(caller), &doc)
        {
            continue;
        }
        let open = q::change_requests_in(
            conn,
            std::slice::from_ref(&doc.id),
            &[
                ChangeRequestState::Open.as_str(),
                ChangeRequestState::Accepted.as_str(),
            ],
        )?;
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
