//! /api/v1/reports: the periodic report on the legal workflow, per agency.

use actix_web::{get, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::export::{self, ExportFormat};
use super::responses::ReadErrors;
use super::route::routes;
use super::State;
use crate::domain::report::{Counts, ReportPeriod};
use crate::error::ApiResult;
use crate::pdf::Block;
use crate::service::export::csv_table;
use crate::service::reports::{self as svc, ReportRequest};
pub use crate::service::reports::{ActivityReportResponse, AgencyActivity, PeriodResponse};
use crate::service::today;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// The year (default: this year).
    pub year: Option<i32>,
    /// `q1`–`q4`, `six_months`, `nine_months` (both from 1 January) or `year`
    /// (default: the current quarter).
    pub period: Option<ReportPeriod>,
    /// One agency (org unit id or code) instead of all.
    pub agency: Option<String>,
    /// `json` (default), `csv` or `pdf`; else chosen by the `Accept` header.
    pub format: Option<ExportFormat>,
}

/// A report in the format asked: `body` as JSON, the CSV that `csv` makes, or the PDF of
/// the title and blocks that `pdf` lays out; `name` is the file's name without extension.
pub(super) async fn exported<T: Serialize>(
    format: ExportFormat,
    name: &str,
    body: &T,
    csv: impl FnOnce() -> ApiResult<Vec<u8>>,
    pdf: impl FnOnce() -> (String, Vec<Block>),
) -> ApiResult<HttpResponse> {
    match format {
        ExportFormat::Json => Ok(HttpResponse::Ok().json(body)),
        ExportFormat::Csv => Ok(export::csv_file(name, csv()?)),
        ExportFormat::Pdf => {
            let (title, blocks) = pdf();
            export::pdf_file(name, title, blocks).await
        }
    }
}

const NO_AGENCY: &str = "Không xác định cơ quan";
const TOTAL: &str = "Tổng cộng";

fn csv(r: &ActivityReportResponse) -> ApiResult<Vec<u8>> {
    let mut header = vec!["agency_code", "agency_name"];
    header.extend(r.total.figures().iter().map(|(name, _, _)| *name));
    let row = |code: &str, name: &str, counts: &Counts| {
        let mut fields = vec![code.to_owned(), name.to_owned()];
        fields.extend(counts.figures().iter().map(|(_, _, n)| n.to_string()));
        fields
    };
    let rows = r
        .agencies
        .iter()
        .map(|a| match &a.agency {
            Some(u) => row(&u.code, &u.name, &a.counts),
            None => row("", NO_AGENCY, &a.counts),
        })
        .chain(std::iter::once(row("", TOTAL, &r.total)));
    csv_table(&header, rows)
}

fn pdf_blocks(r: &ActivityReportResponse) -> Vec<Block> {
    let p = &r.period;
    let mut blocks = vec![
        Block::Text(format!(
            "Kỳ báo cáo: từ ngày {} đến ngày {}. Số liệu tồn đọng tính đến ngày {}.",
            p.from.format("%d/%m/%Y"),
            p.to.format("%d/%m/%Y"),
            p.as_of.format("%d/%m/%Y")
        )),
        Block::Gap,
    ];
    // An agency lists the figures it has; the total lists them all.
    let mut section = |heading: String, counts: &Counts, all: bool| {
        blocks.push(Block::Subheading(heading));
        for (_, label, n) in counts.figures() {
            if all || n > 0 {
                blocks.push(Block::Text(format!("– {label}: {n}")));
            }
        }
    };
    for (i, a) in r.agencies.iter().enumerate() {
        let name = match &a.agency {
            Some(u) => format!("{}. {} ({})", i + 1, u.name, u.code),
            None => format!("{}. {NO_AGENCY}", i + 1),
        };
        section(name, &a.counts, false);
    }
    section(TOTAL.to_owned(), &r.total, true);
    blocks
}

routes! {
    tag "review";

    /// The periodic report (quarter, six months, nine months, year): per agency, drafts
    /// started and in progress, public consultations held, comments received, answered and
    /// still unanswered, appraisal opinions, documents promulgated, self-inspections done and
    /// overdue, review items done and open. JSON, CSV or PDF. Legal officers and approvers.
    get "/reports/activity"
        => activity_report(st, caller: Auth, q: Query<ActivityQuery>, req: Request)
        -> [
            (status = 200, description = "The report: JSON, CSV (format=csv) or PDF (format=pdf)", content(
                (ActivityReportResponse = "application/json"),
                (String = "text/csv"),
                ([u8] = "application/pdf")
            )),
            ReadErrors
        ] {
            let format = ExportFormat::chosen(q.format, &req);
            let today = today();
            let request = ReportRequest {
                year: q.year.unwrap_or_else(|| chrono::Datelike::year(&today)),
                period: q.period.unwrap_or_else(|| ReportPeriod::quarter_of(today)),
                agency: q.agency,
            };
            activity_report_file(&st, caller, request, format).await
        }
}

/// The periodic report in `format` (the staff pages' download too).
pub async fn activity_report_file(
    st: &State,
    caller: crate::service::Caller,
    request: ReportRequest,
    format: ExportFormat,
) -> ApiResult<HttpResponse> {
    let today = today();
    let report = svc::activity_report(&st.db, caller, request, today).await?;
    let name = format!(
        "bao-cao-{}-{}",
        report.period.period.as_str().replace('_', "-"),
        report.period.year
    );
    exported(
        format,
        &name,
        &report,
        || csv(&report),
        || {
            // "quý III năm 2026": only the first letter is lowered.
            let mut label = report.period.label_vi.chars();
            let period: String = label
                .next()
                .map(|c| c.to_lowercase().chain(label).collect())
                .unwrap_or_default();
            let title = format!("Báo cáo công tác xây dựng, kiểm tra và rà soát văn bản {period}");
            (title, pdf_blocks(&report))
        },
    )
    .await
}
