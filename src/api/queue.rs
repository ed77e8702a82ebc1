//! /api/v1/work-queue: what the caller has to do now (the staff pages' first page).

use actix_web::get;

use super::responses::ReadErrors;
use super::review::ok;
use super::route::routes;
use crate::service::queue::{self as svc, WorkQueue};
pub use crate::service::queue::{QueueItem, QueueSection};

routes! {
    tag "work-queue";

    /// The caller's work, by section: each section names the API routes whose answers to
    /// the same caller (filtered as its `filter` says) are its items, so that its count is
    /// theirs. Which sections a caller gets follows from what their role may do.
    get "/work-queue" => work_queue(st, caller: Auth)
        -> [(status = 200, body = WorkQueue), ReadErrors]
        { ok(svc::work_queue(&st.db, caller).await?) }
}
