//! /api/v1/systematization: the lists of a year's systematisation (hệ thống hóa) for one
//! issuer, as JSON or CSV.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{DocumentRef, EffectResponse, OrgUnitRef};
use super::review::{summaries, unit_ref, DocumentSummary};
use super::{MaybeUser, State};
use crate::db::Conn;
use crate::domain::kinds::{RelationKind, RelationScope};
use crate::error::{ApiResult, AppError, Problem};
use crate::service::systematization::{self as svc, Entry, Systematization};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SystematizationFormat {
    #[default]
    Json,
    Csv,
    Pdf,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SystematizationQuery {
    /// The issuer (org unit id or code), e.g. `UBND`.
    pub issuer: String,
    pub year: i32,
    /// `json` (default) or `csv`; `pdf` is not available yet (406).
    pub format: Option<SystematizationFormat>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CauseResponse {
    pub relation_id: String,
    pub kind: RelationKind,
    pub label_vi: &'static str,
    pub scope: RelationScope,
    pub effective_on: NaiveDate,
    /// The document that repealed, replaced or suspended it (when published).
    pub document: Option<DocumentRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystematizationEntry {
    pub document: DocumentSummary,
    /// Legal effect on 31 December of the year.
    pub legal_effect: EffectResponse,
    /// In the list of expired documents: `full` or `part`.
    pub expired_in: Option<String>,
    pub causes: Vec<CauseResponse>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystematizationResponse {
    pub issuer: OrgUnitRef,
    pub year: i32,
    /// 31 December of the year.
    pub as_of: NaiveDate,
    /// In force, in whole or in part, at the end of the year.
    pub in_force: Vec<SystematizationEntry>,
    /// Suspended at the end of the year.
    pub suspended: Vec<SystematizationEntry>,
    /// Expired in full or in part during the year.
    pub expired: Vec<SystematizationEntry>,
}

fn build(conn: &mut Conn, s: Systematization) -> ApiResult<SystematizationResponse> {
    let all = s
        .in_force
        .iter()
        .chain(&s.suspended)
        .chain(&s.expired_in_full)
        .chain(&s.expired_in_part);
    let map = summaries(conn, all.map(|e| &e.document))?;
    let entry = |e: &Entry, expired_in: Option<&str>| -> ApiResult<SystematizationEntry> {
        Ok(SystematizationEntry {
            document: map
                .get(&e.document.id)
                .cloned()
                .ok_or_else(|| AppError::internal("document summary missing"))?,
            legal_effect: EffectResponse::new(e.effect.clone(), s.end_of_year),
            expired_in: expired_in.map(str::to_owned),
            causes: e
                .causes
                .iter()
                .map(|(r, d)| -> ApiResult<CauseResponse> {
                    Ok(CauseResponse {
                        relation_id: r.id.clone(),
                        kind: r.kind,
                        label_vi: r.kind.label_vi(),
                        scope: r.scope,
                        effective_on: r.effective_on,
                        document: d
                            .as_ref()
                            .map(|d| -> ApiResult<DocumentRef> {
                                Ok(DocumentRef {
                                    id: d.id.clone(),
                                    kind: d.kind.parse().map_err(AppError::internal)?,
                                    number: d.number.clone(),
                                    title: d.title.clone(),
                                })
                            })
                            .transpose()?,
                    })
                })
                .collect::<ApiResult<_>>()?,
        })
    };
    let mut expired: Vec<SystematizationEntry> = s
        .expired_in_full
        .iter()
        .map(|e| entry(e, Some("full")))
        .chain(s.expired_in_part.iter().map(|e| entry(e, Some("part"))))
        .collect::<ApiResult<_>>()?;
    expired.sort_by(|a, b| {
        (a.document.signed_on, &a.document.number).cmp(&(b.document.signed_on, &b.document.number))
    });
    Ok(SystematizationResponse {
        issuer: unit_ref(&s.issuer),
        year: s.year,
        as_of: s.end_of_year,
        in_force: s
            .in_force
            .iter()
            .map(|e| entry(e, None))
            .collect::<ApiResult<_>>()?,
        suspended: s
            .suspended
            .iter()
            .map(|e| entry(e, None))
            .collect::<ApiResult<_>>()?,
        expired,
    })
}

/// One CSV field, quoted when it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn csv(r: &SystematizationResponse) -> String {
    // A byte-order mark, so that spreadsheet programs read the Vietnamese as UTF-8.
    let mut out = String::from("\u{feff}");
    out.push_str(
        "list,number,kind,title,signed_on,effective_from,legal_effect,legal_effect_label_vi,since,causes\r\n",
    );
    let lists: [(&str, &Vec<SystematizationEntry>); 3] = [
        ("in_force", &r.in_force),
        ("suspended", &r.suspended),
        ("expired", &r.expired),
    ];
    for (name, entries) in lists {
        for e in entries {
            let list = match e.expired_in.as_deref() {
                Some(part) => format!("{name}_in_{part}"),
                None => name.to_owned(),
            };
            let causes: Vec<String> = e
                .causes
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
                .collect();
            let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            let row = [
                list,
                e.document.number.clone().unwrap_or_default(),
                e.document.kind.as_str().to_owned(),
                e.document.title.clone(),
                date(e.document.signed_on),
                date(e.document.effective_from),
                e.legal_effect.effect.as_str().to_owned(),
                e.legal_effect.label_vi.to_owned(),
                date(e.legal_effect.since),
                causes.join("; "),
            ];
            let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// The systematisation of one issuer's documents for a year: those in force on
/// 31 December, those suspended then, and those that expired in full or in part during
/// the year, with the relations that ended them. JSON or CSV; PDF is not available yet.
#[utoipa::path(
    tag = "review",
    params(SystematizationQuery),
    responses(
        (status = 200, body = SystematizationResponse),
        (status = 200, description = "CSV (format=csv)", content_type = "text/csv"),
        (status = 400, body = Problem), (status = 406, body = Problem), (status = 422, body = Problem)
    ),
    security((), ("bearer" = []))
)]
#[get("/systematization")]
pub async fn get_systematization(
    st: State,
    _user: MaybeUser,
    query: web::Query<SystematizationQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let format = q.format.unwrap_or_default();
    if format == SystematizationFormat::Pdf {
        return Err(AppError::NotAcceptable(
            "the systematisation is not yet available as PDF: ask for format=json or format=csv"
                .into(),
        ));
    }
    let issuer = q.issuer;
    let year = q.year;
    let out = st
        .db
        .run(move |conn| {
            let s = svc::systematize(conn, &issuer, year)?;
            build(conn, s)
        })
        .await?;
    Ok(match format {
        SystematizationFormat::Csv => {
            let name = format!(
                "he-thong-hoa-{}-{}.csv",
                out.issuer.code.to_lowercase(),
                out.year
            );
            HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ))
                .body(csv(&out))
        }
        _ => HttpResponse::Ok().json(out),
    })
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("Quyết định"), "Quyết định");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
