//! The work queue: the first page after login, what the signed-in account has to do now.

use actix_web::{get, HttpRequest};
use askama::Template;

use super::{Frame, Staff};
use crate::api::State;
use crate::web::page::PageResult;

#[derive(Template)]
#[template(path = "staff/queue.html", config = "src/web/askama.toml")]
struct QueuePage {
    frame: Frame,
}

/// The work queue of the signed-in account.
#[get("/lam-viec")]
pub async fn queue(_st: State, req: HttpRequest, staff: Staff) -> PageResult {
    let page = QueuePage {
        frame: staff.frame(&req, "/lam-viec"),
    };
    staff.page(&req, &page)
}
