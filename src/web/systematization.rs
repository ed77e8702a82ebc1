//! An issuer's systematisation for a year: in force on 31 December, suspended, and
//! expired in full or in part during the year, with the API's CSV and PDF downloads.

use actix_web::{get, HttpRequest};
use askama::Template;
use serde::Deserialize;

use super::page::{html, query, PageResult};
use crate::api::State;
use crate::error::AppError;
use crate::service::dto::OrgUnitRef;
use crate::service::org_units::public_issuers;
use crate::service::systematization::{report, SystematizationEntry};

#[derive(Debug, Default, Deserialize)]
struct ListsForm {
    /// The issuer's code.
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    year: String,
}

struct Section {
    title: &'static str,
    entries: Vec<SystematizationEntry>,
}

#[derive(Template)]
#[template(path = "systematization.html", config = "src/web/askama.toml")]
struct Lists {
    issuers: Vec<OrgUnitRef>,
    issuer: String,
    year: String,
    /// The issuer's name and the year, once chosen.
    heading: Option<String>,
    sections: Vec<Section>,
    /// The query string of the downloads.
    download: String,
}

/// The form, and the lists once an issuer and a year are chosen.
#[get("/he-thong-hoa")]
pub async fn lists(st: State, req: HttpRequest) -> PageResult {
    let f: ListsForm = query(&req)?;
    let issuers = public_issuers(&st.db).await?;
    let issuer = f.issuer.trim().to_owned();
    let year = f.year.trim().to_owned();
    let mut page = Lists {
        issuers,
        download: serde_urlencoded::to_string([("issuer", &issuer), ("year", &year)])
            .unwrap_or_default(),
        issuer,
        year,
        heading: None,
        sections: vec![],
    };
    if !page.issuer.is_empty() && !page.year.is_empty() {
        let y = page
            .year
            .parse::<i32>()
            .map_err(|_| AppError::invalid("year", "năm gồm bốn chữ số"))?;
        let r = report(&st.db, page.issuer.clone(), y).await?;
        page.heading = Some(format!("{}, năm {}", r.issuer.name, r.year));
        page.sections = vec![
            Section {
                title: "Văn bản còn hiệu lực ngày 31/12",
                entries: r.in_force,
            },
            Section {
                title: "Văn bản ngưng hiệu lực",
                entries: r.suspended,
            },
            Section {
                title: "Văn bản hết hiệu lực toàn bộ hoặc một phần trong năm",
                entries: r.expired,
            },
        ];
    }
    html(&req, &page, false)
}
