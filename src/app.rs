//! The one place where routes and middleware are assembled.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{get, web, App, HttpResponse};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::api::{self, AppState};
use crate::error::AppError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "vanban",
        description = "Document control for Vietnamese local government: legal normative documents \
                       and ISO 9001 quality documents, their versions, relations and legal effect.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(
        crate::api::problem::Problem,
        crate::error::FieldError,
        // Enums used only in query parameters: referenced there, so they must be here.
        crate::api::export::ExportFormat,
        crate::api::iso::ReportFormat,
        crate::api::review::FlagState,
        crate::api::workflow::AppraisalRequestFilter
    )),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// Every route of `/api/v1`, registered with `service(...)` so that each one is in the
/// OpenAPI document (a route missing from it does not compile).
fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(api::auth::login)
        .service(api::auth::refresh)
        .service(api::auth::logout)
        .service(api::auth::me)
        .service(api::users::list_users)
        .service(api::users::create_user)
        .service(api::users::get_user)
        .service(api::users::update_user)
        .service(api::org_units::list_org_units)
        .service(api::org_units::create_org_unit)
        .service(api::org_units::get_org_unit)
        .service(api::org_units::update_org_unit)
        .service(api::reorganisations::list_legal_regimes)
        .service(api::reorganisations::list_reorganisations)
        .service(api::reorganisations::create_reorganisation)
        .service(api::reorganisations::get_reorganisation)
        .service(api::documents::list_documents)
        .service(api::documents::create_document)
        .service(api::documents::get_document)
        .service(api::documents::update_document)
        .service(api::documents::delete_document)
        .service(api::documents::withdraw_document)
        .service(api::documents::get_effect)
        .service(api::documents::list_relations)
        .service(api::documents::create_relation)
        .service(api::documents::delete_relation)
        .service(api::versions::create_version)
        .service(api::versions::list_versions)
        .service(api::versions::get_version)
        .service(api::versions::update_version)
        .service(api::versions::approve_version)
        .service(api::versions::download_file)
        .service(api::versions::get_structure)
        .service(api::audit::entity_audit)
        .service(api::copies::version_pdf)
        .service(api::copies::verify)
        .service(api::copies::controlled_copy_pdf)
        .service(api::workflow::transition)
        .service(api::workflow::create_appraisal)
        .service(api::workflow::list_appraisals)
        .service(api::workflow::list_appraisal_requests)
        .service(api::workflow::public_consultations)
        .service(api::workflow::closed_consultations)
        .service(api::workflow::public_consultation)
        .service(api::workflow::public_consultation_report)
        .service(api::workflow::public_consultation_file)
        .service(api::workflow::submit_comment)
        .service(api::workflow::get_public_comment)
        .service(api::workflow::list_comments)
        .service(api::workflow::moderate_comment)
        .service(api::workflow::dispose_comment)
        .service(api::workflow::consultation_report)
        .service(api::search::search_get)
        .service(api::search::search_post)
        .service(api::search::suggest)
        .service(api::search::by_number)
        .service(api::search::similar)
        .service(api::self_inspections::list_self_inspections)
        .service(api::self_inspections::get_self_inspection)
        .service(api::self_inspections::record_self_inspection)
        .service(api::self_inspections::open_self_inspection)
        .service(api::review::list_review_flags)
        .service(api::review::resolve_review_flag)
        .service(api::review::list_review_campaigns)
        .service(api::review::create_review_campaign)
        .service(api::review::get_review_campaign)
        .service(api::review::list_review_items)
        .service(api::review::review_campaign_progress)
        .service(api::review::assign_review_items)
        .service(api::review::close_review_campaign)
        .service(api::review::get_review_item)
        .service(api::review::record_review_result)
        .service(api::systematization::get_systematization)
        .service(api::reports::activity_report)
        .service(api::iso::list_iso_documents)
        .service(api::iso::create_iso_document)
        .service(api::iso::get_iso_document)
        .service(api::iso::update_iso_document)
        .service(api::iso::list_iso_revisions)
        .service(api::iso::get_iso_revision)
        .service(api::iso::submit_iso_revision)
        .service(api::iso::return_iso_revision)
        .service(api::iso::approve_iso_revision)
        .service(api::iso::issue_iso_revision)
        .service(api::iso::withdraw_iso_revision)
        .service(api::iso::list_review_comments)
        .service(api::iso::create_review_comment)
        .service(api::iso::diff_iso_revision)
        .service(api::iso::list_change_requests)
        .service(api::iso::raise_change_request)
        .service(api::iso::get_change_request)
        .service(api::iso::accept_change_request)
        .service(api::iso::reject_change_request)
        .service(api::iso::list_copies)
        .service(api::iso::outstanding_copies)
        .service(api::iso::confirm_copy_withdrawal)
        .service(api::iso::acknowledge_document)
        .service(api::iso::list_acknowledgements)
        .service(api::iso::due_reviews)
        .service(api::iso::review_document)
        .service(api::iso::compliance_report)
        .service(api::queue::work_queue)
        .service(openapi_json);
}

/// The OpenAPI document of this API.
#[utoipa::path(tag = "meta", responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
#[get("/openapi.json")]
async fn openapi_json(doc: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(doc.get_ref())
}

/// The OpenAPI document, built from the same registrations as the server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope("/api/v1").configure(api_v1))
        .service(api::health::healthz)
        .service(api::health::readyz)
        .split_for_parts();
    api
}

/// One log line per request with its id and latency; an `X-Request-Id` on every
/// response; and every error that did not come from a handler (unknown route, wrong
/// method) turned into problem+json.
async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let mut res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    // The route template, not the path: one series per route whatever the ids.
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".to_owned());
    crate::metrics::request(&method, &route, status.as_u16(), started.elapsed());
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if (status.is_client_error() || status.is_server_error()) && !is_problem && !is_page {
        let err = match status.as_u16() {
            404 => AppError::NotFound,
            405 => AppError::BadRequest(format!("{method} is not allowed on {path}")),
            413 => AppError::TooLarge("the request body is too large".into()),
            s if s >= 500 => AppError::Internal(format!("status {s} without a problem body")),
            _ => AppError::BadRequest(status.canonical_reason().unwrap_or("bad request").into()),
        };
        let mut problem = actix_web::ResponseError::error_response(&err);
        *problem.status_mut() = status;
        res = res.into_response(problem);
    }
    crate::web::security_headers(res.headers_mut(), is_page);
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    tracing::info!(
        request_id = %request_id,
        method = %method,
        path = %path,
        status = status.as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
}

/// The longest request target (path and query) the application reads: longer ones are a
/// 414 problem. Search questions longer than this fit in `POST /search`. Targets beyond
/// 65,534 bytes never reach the application: the HTTP parser (the `http` crate's URI limit)
/// answers them with a bare 400, and request heads beyond 128 KiB with a bare 431, neither
/// configurable in actix-http; a reverse proxy in front should refuse them first.
pub const MAX_TARGET_BYTES: usize = 16 * 1024;

/// Refuses a request target longer than [`MAX_TARGET_BYTES`] before routing and
/// extraction, as problem+json.
async fn limit_target(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_TARGET_BYTES {
        let problem = crate::api::problem::Problem {
            type_: "/problems/uri-too-long".into(),
            title: "The request URI is too long".into(),
            status: 414,
            detail: Some(format!(
                "the path and query take {len} bytes, at most {MAX_TARGET_BYTES}; \
                 send a long search as POST /api/v1/search"
            )),
            instance: None,
            guard: None,
            errors: vec![],
        };
        let res = HttpResponse::UriTooLong()
            .insert_header((header::CONTENT_TYPE, "application/problem+json"))
            .body(serde_json::to_string(&problem).unwrap_or_default());
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Builds the application for one worker.
pub fn build(
    state: Arc<AppState>,
    doc: utoipa::openapi::OpenApi,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let json_limit = state.settings.server.json_limit_bytes;
    let (app, _) = App::new()
        .into_utoipa_app()
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(doc))
        .app_data(web::PayloadConfig::default().limit(json_limit))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|err, _| AppError::BadRequest(format!("query: {err}")).into()),
        )
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        // The pages first: the one page under /api/v1 (a copy's verification, for a
        // browser) is guarded by Accept and otherwise falls through to the API.
        .map(|app| app.configure(crate::web::routes))
        .service(scope("/api/v1").configure(api_v1))
        .service(api::health::healthz)
        .service(api::health::readyz)
        .split_for_parts();
    app.route("/metrics", web::get().to(api::health::metrics))
        .default_service(web::to(|req: actix_web::HttpRequest| async move {
            if crate::web::accepts_html(req.headers()) && !req.path().starts_with("/api/") {
                crate::web::error_page(&AppError::NotFound)
            } else {
                actix_web::ResponseError::error_response(&AppError::NotFound)
            }
        }))
        .wrap(from_fn(limit_target))
        .wrap(from_fn(observe))
}
