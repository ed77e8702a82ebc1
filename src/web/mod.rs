//! The web pages: server-rendered HTML in Vietnamese over the same use cases as the API.
//!
//! A page calls the use case its API route calls, with the same caller, and renders what
//! comes back; it decides nothing (no rule, no permission) of its own, so that a page
//! shows exactly what the API would show (`tests/layering.rs` holds pages to the rules it
//! holds handlers to). Templates (askama, `src/web/templates`) are compiled in and escape
//! every value; assets (`src/web/assets`) are part of the binary. Pages work without
//! JavaScript; the one script adds search suggestions.

mod apidoc;
pub mod assets;
mod consultations;
pub mod csrf;
mod documents;
mod page;
pub mod search;
pub mod staff;
mod systematization;
mod verify;

use actix_web::web;

pub use page::{accepts_html, error_page, security_headers, PageError, PageResult};

/// The routes of the public pages (outside `/api/v1`, not in the OpenAPI document).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(assets::asset)
        .service(search::home)
        .service(search::results)
        .service(documents::document)
        .service(verify::form)
        .service(apidoc::reference)
        .service(systematization::lists)
        .service(
            web::resource("/api/v1/verify/{code}")
                .guard(verify::browser())
                .route(web::get().to(verify::verify)),
        )
        .service(consultations::list)
        .service(consultations::report)
        .service(consultations::draft)
        .service(consultations::comment)
        .service(consultations::comment_status)
        .configure(staff::routes);
}
