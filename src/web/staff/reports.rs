//! Reports (`/lam-viec/bao-cao`): the periodic report on the legal workflow (per agency,
//! for a quarter, six or nine months, or a year) with its PDF and CSV, and the way to an
//! issuer's systematisation lists (the public page, which has their downloads).

use actix_web::{get, HttpRequest};
use askama::Template;
use serde::Deserialize;

use super::{Frame, Staff};
use crate::api::export::ExportFormat;
use crate::api::State;
use crate::domain::report::ReportPeriod;
use crate::error::AppError;
use crate::service::dto::OrgUnitRef;
use crate::service::reports::{self as svc, ActivityReportResponse, ReportRequest};
use crate::web::page::{query, PageError, PageResult};

const HERE: &str = "/lam-viec/bao-cao";

#[derive(Debug, Default, Deserialize)]
struct ReportQuery {
    #[serde(default)]
    nam: Option<String>,
    #[serde(default)]
    ky: Option<String>,
    #[serde(default, rename = "dinh-dang")]
    format: Option<String>,
}

impl ReportQuery {
    /// The report asked for: this quarter of this year unless told.
    fn request(&self) -> Result<ReportRequest, AppError> {
        let today = crate::service::today();
        let year = match self.nam.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(y) => y
                .parse::<i32>()
                .ok()
                .filter(|y| (1990..=2100).contains(y))
                .ok_or_else(|| AppError::invalid("nam", "a year such as 2026"))?,
            None => chrono::Datelike::year(&today),
        };
        let period = match self.ky.as_deref().filter(|s| !s.is_empty()) {
            Some(p) => p.parse::<ReportPeriod>().map_err(|_| {
                AppError::invalid("ky", "q1 to q4, six_months, nine_months or year")
            })?,
            None => ReportPeriod::quarter_of(today),
        };
        Ok(ReportRequest {
            year,
            period,
            agency: None,
        })
    }
}

/// One figure of the report: its label, the total and each agency's count.
pub struct Row {
    pub key: &'static str,
    pub label: &'static str,
    pub total: u32,
    pub by_agency: Vec<u32>,
}

#[derive(Template)]
#[template(path = "staff/reports.html", config = "src/web/askama.toml")]
struct ReportPage {
    frame: Frame,
    r: ActivityReportResponse,
    agencies: Vec<String>,
    rows: Vec<Row>,
    periods: &'static [ReportPeriod],
    issuers: Vec<OrgUnitRef>,
    download: String,
}

/// The periodic report of the period asked (`?nam=2026&ky=q3`).
#[get("/lam-viec/bao-cao")]
pub async fn report(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    let q: ReportQuery = query(&req)?;
    let request = q.request().map_err(PageError)?;
    let files = format!(
        "{HERE}/tai?nam={}&ky={}",
        request.year,
        request.period.as_str()
    );
    let today = crate::service::today();
    let r = svc::activity_report(&st.db, staff.caller.clone(), request, today).await?;
    let agencies = r
        .agencies
        .iter()
        .map(|a| {
            a.agency
                .as_ref()
                .map(|u| u.name.clone())
                .unwrap_or_else(|| "Không xác định".into())
        })
        .collect();
    let per_agency: Vec<_> = r.agencies.iter().map(|a| a.counts.figures()).collect();
    let rows = r
        .total
        .figures()
        .iter()
        .enumerate()
        .map(|(i, (key, label, total))| Row {
            key,
            label,
            total: *total,
            by_agency: per_agency.iter().map(|f| f[i].2).collect(),
        })
        .collect();
    let page = ReportPage {
        frame: staff.frame(&req, HERE),
        r,
        agencies,
        rows,
        periods: ReportPeriod::ALL,
        issuers: crate::service::org_units::public_issuers(&st.db).await?,
        download: files,
    };
    staff.page(&req, &page)
}

/// The report as a file: `?nam=&ky=&dinh-dang=pdf|csv`.
#[get("/lam-viec/bao-cao/tai")]
pub async fn download(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    let q: ReportQuery = query(&req)?;
    let request = q.request().map_err(PageError)?;
    let format = match q.format.as_deref() {
        Some("pdf") => ExportFormat::Pdf,
        Some("csv") => ExportFormat::Csv,
        _ => {
            return Err(PageError(AppError::BadRequest(
                "Định dạng báo cáo là pdf hoặc csv.".into(),
            )))
        }
    };
    let file =
        crate::api::reports::activity_report_file(&st, staff.caller.clone(), request, format);
    Ok(file.await?)
}
