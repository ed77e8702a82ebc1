//! Periodic review and the clause 7.5 compliance report.

use super::*;

routes! {
    tag "iso";

    /// Documents whose periodic review is due (within `within_days`) or overdue.
    get "/iso/reviews/due" => due_reviews(st, caller: Auth, q: Query<DueQuery>)
        -> [(status = 200, body = Vec<DueReviewResponse>), ReadErrors]
        { ok(svc::list_due_reviews(&st.db, caller, q.owner, q.within_days).await?) }

    /// Record a periodic review: `confirmed` sets the next review date, `change_needed`
    /// raises a change request (ISO controller of the owner agency; `If-Match` of the document).
    post "/iso/documents/{id}/review"
        => review_document(st, caller: Auth, (id, version): IfMatch, body: Json<ReviewRequest>)
        -> [(status = 200, body = ReviewResponse), WriteErrors, BodyErrors, IfMatchErrors]
        {
            let r = svc::review_document(&st.db, caller, id, version, body).await?;
            Ok(tagged(StatusCode::OK, &r.document.id, r.document.row_version, &r))
        }

    /// The clause 7.5 compliance report per owner agency: documents current, reviews due
    /// and overdue, copies in use and not withdrawn, acknowledgements missing, change
    /// requests open, each row naming the requirement it answers. JSON, or CSV with
    /// `format=csv` or `Accept: text/csv`.
    get "/iso/compliance"
        => compliance_report(st, caller: Auth, q: Query<ComplianceQuery>, req: Request)
        -> [
            (status = 200, description = "The report", content(
                (ComplianceReport = "application/json"),
                (String = "text/csv")
            )),
            ReadErrors
        ] {
            let wants_csv = match q.format {
                Some(f) => f == ReportFormat::Csv,
                None => req
                    .headers()
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|a| a.to_ascii_lowercase().contains("text/csv")),
            };
            let report = svc::compliance_report(&st.db, caller, q.owner, q.within_days).await?;
            if wants_csv {
                return Ok(HttpResponse::Ok()
                    .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
                    .insert_header((
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"iso-compliance-{}.csv\"",
                            report.as_of
                        ),
                    ))
                    .body(svc::compliance_csv(&report)?));
            }
            ok(report)
        }
}
