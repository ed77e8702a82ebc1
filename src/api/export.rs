//! Reports and lists offered as JSON, CSV or PDF: the choice of format and the file replies.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError};
use crate::pdf::{self, Block};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    #[default]
    Json,
    Csv,
    Pdf,
}

impl ExportFormat {
    /// The format named in the query; else CSV or PDF when the `Accept` header asks for
    /// one of them; else JSON.
    pub fn chosen(asked: Option<ExportFormat>, req: &HttpRequest) -> ExportFormat {
        if let Some(f) = asked {
            return f;
        }
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if accept.contains("text/csv") {
            ExportFormat::Csv
        } else if accept.contains("application/pdf") {
            ExportFormat::Pdf
        } else {
            ExportFormat::Json
        }
    }
}

/// A file to save: `name` is its file name without the extension.
fn attachment(content_type: &str, name: &str, extension: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{extension}\""),
        ))
        .body(body)
}

pub fn csv_file(name: &str, body: Vec<u8>) -> HttpResponse {
    attachment("text/csv; charset=utf-8", name, "csv", body)
}

/// Lays the blocks out as an A4 PDF off the async executor.
pub async fn pdf_file(name: &str, title: String, blocks: Vec<Block>) -> ApiResult<HttpResponse> {
    let bytes = web::block(move || pdf::render_pdf(&title, &blocks))
        .await
        .map_err(AppError::internal)??;
    Ok(attachment("application/pdf", name, "pdf", bytes))
}
