//! /api/v1/systematization: the lists of a year's systematisation (hệ thống hóa) for one
//! issuer, as JSON, CSV or PDF.

use actix_web::get;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::export::ExportFormat;
use super::reports::exported;
use super::responses::PublicErrors;
use super::route::routes;
use crate::error::ApiResult;
use crate::pdf::Block;
use crate::service::dto::DocumentSummary;
use crate::service::export::csv_table;
use crate::service::systematization as svc;
pub use crate::service::systematization::{
    CauseResponse, SystematizationEntry, SystematizationResponse,
};

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SystematizationQuery {
    /// The issuer (org unit id or code), e.g. `UBND`.
    pub issuer: String,
    pub year: i32,
    /// `json` (default), `csv` or `pdf`; else chosen by the `Accept` header.
    pub format: Option<ExportFormat>,
}

/// "Quyết định số 05/2017/QĐ-UBND ngày 12/05/2017", as a list names a document.
fn cite(d: &DocumentSummary) -> String {
    let mut s = d.kind_label_vi.to_owned();
    if let Some(n) = &d.number {
        s.push_str(&format!(" số {n}"));
    }
    if let Some(on) = d.signed_on {
        s.push_str(&format!(" ngày {}", on.format("%d/%m/%Y")));
    }
    s
}

/// What ended a document, as one line: "Thay thế 07/2016/QĐ-UBND 01/01/2016".
fn causes(e: &SystematizationEntry) -> String {
    e.causes
        .iter()
        .map(|c| {
            let by = c
                .document
                .as_ref()
                .map(|d| d.number.clone().unwrap_or_else(|| d.title.clone()))
                .unwrap_or_default();
            format!(
                "{} {} {}",
                c.label_vi,
                by,
                c.effective_on.format("%d/%m/%Y")
            )
            .replace("  ", " ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn lists(
    r: &SystematizationResponse,
) -> [(&'static str, &'static str, &Vec<SystematizationEntry>); 3] {
    [
        ("in_force", "Danh mục văn bản còn hiệu lực", &r.in_force),
        ("suspended", "Danh mục văn bản ngưng hiệu lực", &r.suspended),
        (
            "expired",
            "Danh mục văn bản hết hiệu lực toàn bộ hoặc một phần trong năm",
            &r.expired,
        ),
    ]
}

fn csv(r: &SystematizationResponse) -> ApiResult<Vec<u8>> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows = lists(r).into_iter().flat_map(|(name, _, entries)| {
        entries.iter().map(move |e| {
            let list = match e.expired_in.as_deref() {
                Some(part) => format!("{name}_in_{part}"),
                None => name.to_owned(),
            };
            vec![
                list,
                e.document.number.clone().unwrap_or_default(),
                e.document.kind.as_str().to_owned(),
                e.document.title.clone(),
                date(e.document.signed_on),
                date(e.document.effective_from),
                e.legal_effect.effect.as_str().to_owned(),
                e.legal_effect.label_vi.to_owned(),
                date(e.legal_effect.since),
                causes(e),
            ]
        })
    });
    csv_table(
        &[
            "list",
            "number",
            "kind",
            "title",
            "signed_on",
            "effective_from",
            "legal_effect",
            "legal_effect_label_vi",
            "since",
            "causes",
        ],
        rows,
    )
}

/// The three lists as numbered paragraphs, in the order of a systematisation report.
fn pdf_blocks(r: &SystematizationResponse) -> Vec<Block> {
    let mut blocks = vec![
        Block::Text(format!(
            "Cơ quan ban hành: {}. Tình trạng hiệu lực tính đến ngày {}.",
            r.issuer.name,
            r.as_of.format("%d/%m/%Y")
        )),
        Block::Gap,
    ];
    for (n, (_, heading, entries)) in lists(r).into_iter().enumerate() {
        let roman = ["I", "II", "III"].get(n).copied().unwrap_or_default();
        blocks.push(Block::Heading(format!(
            "{roman}. {heading} ({})",
            entries.len()
        )));
        if entries.is_empty() {
            blocks.push(Block::Text("Không có.".into()));
        }
        for (i, e) in entries.iter().enumerate() {
            let mut line = format!("{}. {}: {}.", i + 1, cite(&e.document), e.document.title);
            if let Some(from) = e.document.effective_from {
                line.push_str(&format!(" Hiệu lực từ ngày {}.", from.format("%d/%m/%Y")));
            }
            if e.expired_in.is_some() || !e.causes.is_empty() {
                line.push_str(&format!(" {}", e.legal_effect.label_vi));
                if let Some(since) = e.legal_effect.since {
                    line.push_str(&format!(" từ ngày {}", since.format("%d/%m/%Y")));
                }
                let why = causes(e);
                if !why.is_empty() {
                    line.push_str(&format!(" ({why})"));
                }
                line.push('.');
            }
            blocks.push(Block::Text(line));
        }
        blocks.push(Block::Gap);
    }
    blocks
}

routes! {
    tag "review";

    /// The systematisation of one issuer's documents for a year: those in force on
    /// 31 December, those suspended then, and those that expired in full or in part during
    /// the year, with the relations that ended them. JSON, CSV or PDF.
    get "/systematization"
        => get_systematization(st, _caller: Public, q: Query<SystematizationQuery>, req: Request)
        -> [
            (status = 200, description = "The report: JSON, CSV (format=csv) or PDF (format=pdf)", content(
                (SystematizationResponse = "application/json"),
                (String = "text/csv"),
                ([u8] = "application/pdf")
            )),
            PublicErrors
        ] {
            let format = ExportFormat::chosen(q.format, &req);
            let out = svc::report(&st.db, q.issuer, q.year).await?;
            let name = format!(
                "he-thong-hoa-{}-{}",
                out.issuer.code.to_lowercase(),
                out.year
            );
            exported(
                format,
                &name,
                &out,
                || csv(&out),
                || {
                    let title = format!("Kết quả hệ thống hóa văn bản năm {}", out.year);
                    (title, pdf_blocks(&out))
                },
            )
            .await
        }
}
