//! Periodic review and the clause 7.5 compliance report.

use super::*;

/// Documents whose periodic review is due (within `within_days`) or overdue.
#[utoipa::path(
    tag = "iso",
    params(DueQuery),
    responses((status = 200, body = Vec<DueReviewResponse>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/iso/reviews/due")]
pub async fn due_reviews(
    st: State,
    user: AuthUser,
    query: web::Query<DueQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let list = svc::list_due_reviews(&st.db, user.caller, q.owner, q.within_days).await?;
    Ok(HttpResponse::Ok().json(list))
}

by_id!(
    /// Record a periodic review: `confirmed` sets the next review date, `change_needed`
    /// raises a change request (ISO controller of the owner agency; `If-Match` of the document).
    post "/iso/documents/{id}/review"
        => review_document(if_match: IfMatchHeader, body: ReviewRequest)
        -> [(status = 200, body = ReviewResponse), WriteErrors, BodyErrors, IfMatchErrors],
    svc::review_document,
    |r| Ok(tagged(StatusCode::OK, &r.document.id, r.document.row_version, &r))
);

/// The clause 7.5 compliance report per owner agency: documents current, reviews due
/// and overdue, copies in use and not withdrawn, acknowledgements missing, change
/// requests open, each row naming the requirement it answers. JSON, or CSV with
/// `format=csv` or `Accept: text/csv`.
#[utoipa::path(
    tag = "iso",
    params(ComplianceQuery),
    responses(
        (status = 200, description = "The report", content(
            (ComplianceReport = "application/json"),
            (String = "text/csv")
        )),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/iso/compliance")]
pub async fn compliance_report(
    st: State,
    user: AuthUser,
    query: web::Query<ComplianceQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let wants_csv = match q.format {
        Some(f) => f == ReportFormat::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.to_ascii_lowercase().contains("text/csv")),
    };
    let report = svc::compliance_report(&st.db, user.caller, q.owner, q.within_days).await?;
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
    Ok(HttpResponse::Ok().json(report))
}
