//! The work queue: the first page after login, what the signed-in account has to do now
//! (the work-queue use case, as `GET /api/v1/work-queue` answers the same caller).

use actix_web::{get, HttpRequest};
use askama::Template;

use super::{Frame, Staff};
use crate::api::State;
use crate::service::queue::{work_queue, QueueItem, QueueSection};
use crate::web::page::PageResult;

#[derive(Template)]
#[template(path = "staff/queue.html", config = "src/web/askama.toml")]
struct QueuePage {
    frame: Frame,
    sections: Vec<QueueSection>,
    total: usize,
}

/// The staff page where an item of a section is worked on.
pub fn href(section: &str, item: &QueueItem) -> String {
    let doc = item.document_id.as_deref().unwrap_or_default();
    match section {
        "drafts" | "to_sign" | "to_publish" => format!("/lam-viec/van-ban/{doc}"),
        "comments_to_moderate" | "comments_to_answer" => format!(
            "/lam-viec/gop-y/{}",
            item.consultation_id.as_deref().unwrap_or_default()
        ),
        "appraisals" => "/lam-viec/tham-dinh".into(),
        "review_items" => match &item.campaign_id {
            Some(c) => format!("/lam-viec/ra-soat/dot/{c}#muc-{}", item.id),
            None => "/lam-viec/ra-soat".into(),
        },
        "self_inspections_due" | "review_flags" => "/lam-viec/ra-soat".into(),
        _ => format!("/lam-viec/iso/{doc}"),
    }
}

/// The work queue of the signed-in account.
#[get("/lam-viec")]
pub async fn queue(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    let q = work_queue(&st.db, staff.caller.clone()).await?;
    let total = q.sections.iter().map(|s| s.count).sum();
    let page = QueuePage {
        frame: staff.frame(&req, "/lam-viec"),
        sections: q.sections,
        total,
    };
    staff.page(&req, &page)
}
