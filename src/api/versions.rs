//! Versions: add (JSON or multipart upload), list, read, edit while unapproved,
//! approve, download the original file, read the structure.

use actix_multipart::Multipart;
use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use super::responses::{BodyErrors, IfMatchErrors, PublicErrors, WriteErrors};
use super::review::ok;
use super::route::routes;
use super::{parse_id, AuthUser, IfMatch, Json, MaybeUser, State};
use crate::error::{ApiResult, AppError};
use crate::service::versions::{
    self as svc, CreateVersionRequest, StructureResponse, UpdateVersionRequest, Upload,
    VersionResponse,
};

/// The multipart form for uploading a version's file.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionUpload {
    /// The original PDF or DOCX.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub label: Option<String>,
    pub body: Option<String>,
    pub change_summary: Option<String>,
}

/// A version's multipart upload: its fields and its file (PDF or DOCX, by its bytes).
pub async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> ApiResult<(CreateVersionRequest, Upload)> {
    let mut form = Multipart::new(req.headers(), payload);
    let mut fields = CreateVersionRequest::default();
    let mut file: Option<(Vec<u8>, Option<String>)> = None;
    let mut total = 0usize;
    while let Some(item) = form.next().await {
        let mut field =
            item.map_err(|e| AppError::BadRequest(format!("malformed multipart body: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map_err(|e| AppError::BadRequest(format!("malformed multipart body: {e}")))?;
            total += chunk.len();
            if total > limit {
                return Err(AppError::TooLarge(format!("at most {limit} bytes")));
            }
            data.extend_from_slice(&chunk);
        }
        let text = |data: Vec<u8>| {
            String::from_utf8(data).map_err(|_| AppError::invalid(name.clone(), "not valid UTF-8"))
        };
        match name.as_str() {
            "file" => file = Some((data, file_name)),
            "label" => fields.label = Some(text(data)?),
            "body" => fields.body = Some(text(data)?),
            "change_summary" => fields.change_summary = Some(text(data)?),
            other => {
                return Err(AppError::invalid(
                    other.to_owned(),
                    "unknown field; expected file, label, body, change_summary",
                ))
            }
        }
    }
    let (data, file_name) =
        file.ok_or_else(|| AppError::invalid("file", "a file part is required"))?;
    let content_type = svc::sniff(&data).ok_or_else(|| {
        AppError::UnsupportedFormat("the file must be a PDF or a DOCX document".into())
    })?;
    Ok((
        fields,
        Upload {
            content_type: content_type.to_owned(),
            file_name,
            data,
        },
    ))
}

/// A version as JSON with its ETag, for the next `If-Match`.
fn version_reply(status: StatusCode, v: &VersionResponse) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{}\"", v.etag)))
        .json(v)
}

/// Add a version: JSON with the text, or multipart with a `file` part (PDF or DOCX)
/// and optional `label`, `body`, `change_summary` parts.
#[utoipa::path(
    tag = "versions",
    params(("id" = String, Path)),
    request_body(content(
        (CreateVersionRequest = "application/json"),
        (VersionUpload = "multipart/form-data")
    )),
    responses((status = 201, body = VersionResponse), WriteErrors, BodyErrors),
    security(("bearer" = []))
)]
#[post("/documents/{id}/versions")]
pub async fn create_version(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (fields, upload) = if ct.starts_with("application/json") {
        let mut payload = payload.into_inner();
        let bytes = super::read_limited(&mut payload, st.settings.server.json_limit_bytes).await?;
        (crate::error::parse_json(&bytes)?, None)
    } else if ct.starts_with("multipart/form-data") {
        let (f, u) = read_multipart(&req, payload, st.settings.server.upload_limit_bytes).await?;
        (f, Some(u))
    } else {
        return Err(AppError::UnsupportedFormat(
            "send application/json or multipart/form-data".into(),
        ));
    };
    let v = svc::add_version(&st.db, user.caller, id, fields, upload, &st.settings.pdf).await?;
    let location = format!("/api/v1/versions/{}", v.id);
    let mut resp = version_reply(StatusCode::CREATED, &v);
    if let Ok(l) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, l);
    }
    Ok(resp)
}

/// Edit a version that is not approved yet (send `If-Match`).
#[utoipa::path(
    tag = "versions",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body = UpdateVersionRequest,
    responses((status = 200, body = VersionResponse), WriteErrors, BodyErrors, IfMatchErrors),
    security(("bearer" = []))
)]
#[patch("/versions/{id}")]
pub async fn update_version(
    st: State,
    user: AuthUser,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<UpdateVersionRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let v = svc::update_version(&st.db, user.caller, id, if_match.0, body.0).await?;
    Ok(version_reply(StatusCode::OK, &v))
}

/// Download the original file of a version, checked against its SHA-256.
#[utoipa::path(
    tag = "versions",
    params(("id" = String, Path), ("If-None-Match" = Option<String>, Header)),
    responses(
        (status = 200, description = "The file, PDF or DOCX", headers(("ETag" = String)), content(
            ([u8] = "application/pdf"),
            ([u8] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        )),
        (status = 304, description = "Not modified"),
        PublicErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/versions/{id}/file")]
pub async fn download_file(
    st: State,
    user: MaybeUser,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    let (blob, file_name) = svc::file_of(&st.db, user.0, id).await?;
    let etag = format!("\"{}\"", blob.sha256);
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if not_modified {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let name = file_name.unwrap_or_else(|| {
        let ext = if blob.content_type == svc::PDF {
            "pdf"
        } else {
            "docx"
        };
        format!("{}.{ext}", &blob.sha256[..12])
    });
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, blob.content_type.clone()))
        .insert_header((header::ETAG, etag))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\""),
        ))
        .body(blob.data))
}

routes! {
    tag "versions";

    /// A document's versions, oldest first.
    get "/documents/{id}/versions" => list_versions(st, caller: Public, id: Path)
        -> [(status = 200, body = Vec<VersionResponse>), PublicErrors]
        { ok(svc::versions_of(&st.db, caller, id).await?) }

    /// One version, with its text.
    get "/versions/{id}" => get_version(st, caller: Public, id: Path)
        -> [(status = 200, body = VersionResponse, headers(("ETag" = String))), PublicErrors]
        { Ok(version_reply(StatusCode::OK, &svc::get_version(&st.db, caller, id).await?)) }

    /// Approve a version (approver only, never its author): it becomes immutable.
    post "/versions/{id}/approve" => approve_version(st, caller: Auth, id: Path)
        -> [(status = 200, body = VersionResponse), WriteErrors]
        { ok(svc::approve_version(&st.db, caller, id).await?) }

    /// The version's text as Phần / Chương / Mục / Điều / Khoản / Điểm, each provision
    /// with its stable path.
    get "/versions/{id}/structure" => get_structure(st, caller: Public, id: Path)
        -> [(status = 200, body = StructureResponse), PublicErrors]
        { ok(svc::structure_of(&st.db, caller, id).await?) }
}
