//! The pages' stylesheet and script, compiled into the binary and served under a name
//! that carries their hash, so that a browser may keep them for a year.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "site.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/site.css"),
    },
    Asset {
        name: "icon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("assets/icon.svg"),
    },
    Asset {
        name: "site.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/site.js"),
    },
];

/// Each asset's short hash, computed once.
static HASHES: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| hex::encode(&Sha256::digest(a.bytes)[..6]))
        .collect()
});

fn url_of(name: &str) -> String {
    let i = ASSETS.iter().position(|a| a.name == name).unwrap_or(0);
    format!("/assets/{}/{}", HASHES[i], ASSETS[i].name)
}

/// The stylesheet's address, for the templates.
pub fn css() -> String {
    url_of("site.css")
}

/// The script's address, for the templates.
pub fn js() -> String {
    url_of("site.js")
}

/// The icon's address, for the templates.
pub fn icon() -> String {
    url_of("icon.svg")
}

/// The bytes the pages weigh beyond their HTML: every asset (for the benchmark).
pub fn total_bytes() -> usize {
    ASSETS.iter().map(|a| a.bytes.len()).sum()
}

/// An asset; under its current hash it may be cached for a year, under any other it is
/// served too (an old page asking for it) but not kept.
#[get("/assets/{hash}/{name}")]
pub async fn asset(path: web::Path<(String, String)>) -> HttpResponse {
    let (hash, name) = path.into_inner();
    let Some(i) = ASSETS.iter().position(|a| a.name == name) else {
        return super::error_page(&crate::error::AppError::NotFound);
    };
    let cache = if HASHES[i] == hash {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, ASSETS[i].content_type))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, format!("\"{}\"", HASHES[i])))
        .body(ASSETS[i].bytes)
}
