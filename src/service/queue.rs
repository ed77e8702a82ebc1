//! The work queue: what the caller has to do now, by section, each section built from the
//! use case of the API route it names (so that its count is that route's answer to the same
//! caller, filtered as the section says). The sections a caller gets follow from what their
//! role may do (the policy), not from the role's name.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::review::ItemListQuery;
use super::review::{FlagListQuery, FlagState};
use super::self_inspection::InspectionQuery;
use super::workflow::{AppraisalRequestFilter, AppraisalRequestsQuery};
use super::{consultations, documents, iso, Caller};
use crate::auth::Action;
use crate::db::Db;
use crate::domain::kinds::{DocumentState, RevisionState};
use crate::domain::review::{CampaignState, InspectionState};
use crate::domain::workflow::{CommentStatus, WorkflowAction};
use crate::error::{ApiResult, AppError};
use crate::service::documents::DocumentQuery;

/// What the caller has to do now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkQueue {
    pub sections: Vec<QueueSection>,
}

/// One kind of work: its items, and the API routes whose answers (filtered as `filter` says)
/// are those items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueSection {
    /// A stable name: `drafts`, `to_sign`, `to_publish`, `revisions_to_approve`,
    /// `appraisals`, `comments_to_moderate`, `comments_to_answer`, `self_inspections_due`,
    /// `review_items`, `review_flags`, `revisions_to_issue`, `copies_out`,
    /// `acknowledgements_missing`, `reviews_due`, `to_acknowledge`.
    pub key: &'static str,
    pub title_vi: &'static str,
    /// The API routes (under `/api/v1`) whose items, filtered by `filter`, make the section.
    pub sources: Vec<String>,
    /// How the sources' items are filtered, in words (none: all of them).
    pub filter: Option<&'static str>,
    pub count: usize,
    pub items: Vec<QueueItem>,
}

/// One thing to do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueItem {
    /// The id of the record the item is (a document, a comment, a request...).
    pub id: String,
    /// The document it concerns.
    pub document_id: Option<String>,
    /// The consultation it belongs to (comments).
    pub consultation_id: Option<String>,
    /// The review campaign it belongs to (review items).
    pub campaign_id: Option<String>,
    pub title: String,
    /// A number, a state, a name: what tells the item apart at a glance.
    pub detail: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
    /// The workflow actions open to the caller now (documents only).
    pub actions: Vec<WorkflowAction>,
}

impl QueueSection {
    fn new(key: &'static str, title_vi: &'static str, sources: Vec<String>) -> Self {
        QueueSection {
            key,
            title_vi,
            sources,
            filter: None,
            count: 0,
            items: vec![],
        }
    }

    fn filtered(mut self, filter: &'static str) -> Self {
        self.filter = Some(filter);
        self
    }

    fn with(mut self, items: Vec<QueueItem>) -> Self {
        self.count = items.len();
        self.items = items;
        self
    }
}

fn item(id: &str, document_id: Option<&str>, title: &str) -> QueueItem {
    QueueItem {
        id: id.to_owned(),
        document_id: document_id.map(str::to_owned),
        consultation_id: None,
        campaign_id: None,
        title: title.to_owned(),
        detail: None,
        due_on: None,
        overdue: false,
        actions: vec![],
    }
}

/// The most documents a section lists (the API's page limit).
const PAGE: i64 = 200;

/// Documents in a state, as `GET /documents?state=` answers the caller.
async fn in_state(db: &Db, caller: &Caller, state: DocumentState) -> ApiResult<Vec<QueueItem>> {
    let q = DocumentQuery {
        state: Some(state),
        limit: Some(PAGE),
        ..DocumentQuery::default()
    };
    let page = documents::page(db, Some(caller.clone()), q).await?;
    Ok(page
        .items
        .into_iter()
        .map(|d| QueueItem {
            detail: Some(match &d.number {
                Some(n) => format!("{} · {}", n, d.state_label_vi),
                None => d.state_label_vi.to_owned(),
            }),
            actions: d.allowed_actions.clone(),
            ..item(&d.id, Some(&d.id), &d.title)
        })
        .collect())
}

fn state_route(state: DocumentState) -> String {
    format!("/documents?state={state}&limit={PAGE}")
}

/// A section that the caller may not read (the use case refuses) is left out, not an error:
/// the queue shows what the caller may do.
fn allowed<T>(r: ApiResult<T>) -> ApiResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::Forbidden(_) | AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The caller's work queue.
pub async fn work_queue(db: &Db, caller: Caller) -> ApiResult<WorkQueue> {
    let mut sections = vec![];

    // Drafting agencies: their drafts still in their hands. (Those who read every agency's
    // drafts, and the ISO controllers, whose documents go through revisions, have their
    // own sections.)
    let drafts_own = caller.may(Action::EditDocuments)
        && !caller.may(Action::ReadAllDrafts)
        && !caller.may(Action::ControlIsoDocuments);
    if drafts_own {
        let states = [
            DocumentState::Drafting,
            DocumentState::Consultation,
            DocumentState::Revising,
        ];
        let mut items = vec![];
        for s in states {
            items.extend(in_state(db, &caller, s).await?);
        }
        let sources = states.iter().map(|s| state_route(*s)).collect();
        sections.push(QueueSection::new("drafts", "Dự thảo đang xử lý", sources).with(items));
    }

    // Leaders: drafts to sign, and quality revisions to approve.
    if caller.may(Action::ApproveVersions) {
        let items = in_state(db, &caller, DocumentState::Submitted).await?;
        let sources = vec![state_route(DocumentState::Submitted)];
        sections.push(QueueSection::new("to_sign", "Văn bản trình ký", sources).with(items));
    }
    if caller.may(Action::ReadAllDrafts) {
        let items = in_state(db, &caller, DocumentState::Signed).await?;
        let items: Vec<QueueItem> = items
            .into_iter()
            .filter(|i| i.actions.contains(&WorkflowAction::Publish))
            .collect();
        if !items.is_empty() || caller.may(Action::WithdrawDocuments) {
            let sources = vec![state_route(DocumentState::Signed)];
            sections.push(
                QueueSection::new("to_publish", "Văn bản đã ký, chờ công bố", sources)
                    .filtered("the caller may publish them (allowed_actions has publish)")
                    .with(items),
            );
        }
    }

    // Quality documents: revisions by state, for those who approve or issue them.
    let iso_docs = if caller.may(Action::ApproveVersions) || caller.may(Action::ControlIsoDocuments)
    {
        Some(iso::list_documents(db, caller.clone(), None).await?)
    } else {
        None
    };
    let open_in = |state: RevisionState| -> Vec<QueueItem> {
        iso_docs
            .iter()
            .flatten()
            .filter_map(|d| {
                let r = d.open_revision.as_ref()?;
                (r.state == state).then(|| QueueItem {
                    detail: Some(format!(
                        "{} · {}",
                        d.iso_code.as_deref().unwrap_or("ISO"),
                        r.label
                    )),
                    ..item(&r.version_id, Some(&d.id), &d.title)
                })
            })
            .collect()
    };
    if caller.may(Action::ApproveVersions) {
        sections.push(
            QueueSection::new(
                "revisions_to_approve",
                "Sửa đổi tài liệu ISO chờ phê duyệt",
                vec!["/iso/documents".into()],
            )
            .filtered("open_revision.state is in_review")
            .with(open_in(RevisionState::InReview)),
        );
    }

    // The justice office: appraisals, self-inspections, reviews.
    if caller.may(Action::AppraiseDrafts) {
        let q = AppraisalRequestsQuery {
            state: Some(AppraisalRequestFilter::Open),
            as_of: None,
        };
        let list = super::workflow::appraisal_request_list(db, caller.clone(), q).await?;
        let items = list
            .into_iter()
            .map(|a| QueueItem {
                detail: a.document.number.clone(),
                due_on: Some(a.due_on),
                overdue: a.overdue,
                ..item(&a.id, Some(&a.document.id), &a.document.title)
            })
            .collect();
        sections.push(
            QueueSection::new(
                "appraisals",
                "Dự thảo chờ thẩm định",
                vec!["/appraisal-requests?state=open".into()],
            )
            .with(items),
        );
    }

    // Comments on drafts: to moderate, then to answer.
    if caller.may(Action::HandleComments) {
        let (mut pending, mut unanswered, mut sources) = (vec![], vec![], vec![]);
        for desk in consultations::desk(db, caller.clone()).await? {
            let id = desk.id;
            sources.push(format!("/consultations/{id}/comments"));
            for c in desk.comments {
                let p = &c.public;
                let mut it = QueueItem {
                    detail: Some(match &p.provision_path {
                        Some(path) => format!("{} · {}", p.author_name, path),
                        None => p.author_name.clone(),
                    }),
                    ..item(&c.id, None, &excerpt(&p.body))
                };
                it.consultation_id = Some(id.clone());
                match (p.status, p.disposition) {
                    (CommentStatus::Pending, _) => pending.push(it),
                    (CommentStatus::Published, None) => unanswered.push(it),
                    _ => {}
                }
            }
        }
        sections.push(
            QueueSection::new("comments_to_moderate", "Ý kiến chờ duyệt", sources.clone())
                .filtered("status is pending")
                .with(pending),
        );
        sections.push(
            QueueSection::new(
                "comments_to_answer",
                "Ý kiến chờ tiếp thu, giải trình",
                sources,
            )
            .filtered("status is published and there is no disposition")
            .with(unanswered),
        );
    }

    if caller.may(Action::RunReviews) {
        let q = InspectionQuery {
            state: Some(InspectionState::Open),
            limit: Some(PAGE),
            ..InspectionQuery::default()
        };
        let list = super::self_inspection::list_inspections(db, caller.clone(), q).await?;
        let items = list
            .into_iter()
            .map(|s| QueueItem {
                detail: s.document.number.clone(),
                due_on: Some(s.due_on),
                overdue: s.overdue,
                ..item(&s.id, Some(&s.document.id), &s.document.title)
            })
            .collect();
        sections.push(
            QueueSection::new(
                "self_inspections_due",
                "Văn bản chờ tự kiểm tra",
                vec![format!("/self-inspections?state=open&limit={PAGE}")],
            )
            .with(items),
        );
    }

    if caller.may(Action::RecordReviewResults) {
        // A legal officer records any item; a drafting agency those assigned to it.
        let assignee = match caller.may(Action::RecordAnyReviewResult) {
            true => None,
            false => caller.org_unit_id.clone(),
        };
        if caller.may(Action::RecordAnyReviewResult) || assignee.is_some() {
            let campaigns = super::review::review_campaigns(db, caller.clone()).await?;
            let (mut items, mut sources) = (vec![], vec![]);
            for c in campaigns
                .into_iter()
                .filter(|c| c.state == CampaignState::Open)
            {
                let q = ItemListQuery {
                    assignee: assignee.clone(),
                    result: None,
                    reviewed: Some(false),
                };
                let mut route = format!("/review-campaigns/{}/items?reviewed=false", c.id);
                if let Some(a) = &assignee {
                    route.push_str(&format!("&assignee={a}"));
                }
                sources.push(route);
                let list = super::review::review_items(db, caller.clone(), c.id.clone(), q).await?;
                items.extend(list.into_iter().map(|i| QueueItem {
                    detail: Some(c.name.clone()),
                    campaign_id: Some(c.id.clone()),
                    ..item(&i.id, Some(&i.document.id), &i.document.title)
                }));
            }
            sections.push(
                QueueSection::new("review_items", "Văn bản cần rà soát", sources).with(items),
            );
        }
    }

    if caller.may(Action::RunReviews) {
        let q = FlagListQuery {
            document: None,
            issuer: None,
            state: Some(FlagState::Open),
            limit: Some(PAGE),
        };
        let list = super::review::review_flags(db, caller.clone(), q).await?;
        let items = list
            .into_iter()
            .map(|f| QueueItem {
                detail: Some(f.cause_label_vi.to_owned()),
                ..item(&f.id, Some(&f.document.id), &f.document.title)
            })
            .collect();
        sections.push(
            QueueSection::new(
                "review_flags",
                "Văn bản cần xem xét lại",
                vec![format!("/review-flags?state=open&limit={PAGE}")],
            )
            .with(items),
        );
    }

    // ISO controllers: revisions to issue, copies still out, acknowledgements missing,
    // reviews due.
    if caller.may(Action::ControlIsoDocuments) {
        sections.push(
            QueueSection::new(
                "revisions_to_issue",
                "Sửa đổi đã phê duyệt, chờ ban hành",
                vec!["/iso/documents".into()],
            )
            .filtered("open_revision.state is approved")
            .with(open_in(RevisionState::Approved)),
        );
        let copies = iso::list_outstanding_copies(db, caller.clone(), None).await?;
        let items = copies
            .into_iter()
            .map(|c| QueueItem {
                detail: Some(format!("{} · bản số {}", c.recipient_name, c.copy_no)),
                ..item(
                    &c.id,
                    Some(&c.document_id),
                    c.revision_label.as_deref().unwrap_or("Bản sao kiểm soát"),
                )
            })
            .collect();
        sections.push(
            QueueSection::new(
                "copies_out",
                "Bản sao lỗi thời chưa thu hồi",
                vec!["/iso/copies/outstanding".into()],
            )
            .with(items),
        );
        let mut missing = vec![];
        let mut sources = vec![];
        for d in iso_docs
            .iter()
            .flatten()
            .filter(|d| d.current_revision.is_some())
        {
            let Some(acks) =
                allowed(iso::list_acknowledgements(db, caller.clone(), d.id.clone()).await)?
            else {
                continue;
            };
            sources.push(format!("/iso/documents/{}/acknowledgements", d.id));
            if !acks.missing.is_empty() {
                missing.push(QueueItem {
                    detail: Some(format!("{} người chưa xác nhận", acks.missing.len())),
                    ..item(&d.id, Some(&d.id), &d.title)
                });
            }
        }
        sections.push(
            QueueSection::new(
                "acknowledgements_missing",
                "Tài liệu còn người chưa xác nhận đã đọc",
                sources,
            )
            .filtered("missing is not empty")
            .with(missing),
        );
        let due = iso::list_due_reviews(db, caller.clone(), None, None).await?;
        let items = due
            .into_iter()
            .map(|r| QueueItem {
                detail: r.document.iso_code.clone(),
                due_on: Some(r.next_review_on),
                overdue: r.overdue,
                ..item(&r.document.id, Some(&r.document.id), &r.document.title)
            })
            .collect();
        sections.push(
            QueueSection::new(
                "reviews_due",
                "Tài liệu đến hạn xem xét định kỳ",
                vec!["/iso/reviews/due".into()],
            )
            .with(items),
        );
    }

    // Everyone: quality documents to acknowledge as read and understood.
    if caller.may(Action::AcknowledgeDocuments) {
        let docs = match iso_docs {
            Some(d) => d,
            None => iso::list_documents(db, caller.clone(), None).await?,
        };
        let (mut items, mut sources) = (vec![], vec![]);
        for d in docs.iter().filter(|d| d.current_revision.is_some()) {
            let Some(acks) =
                allowed(iso::list_acknowledgements(db, caller.clone(), d.id.clone()).await)?
            else {
                continue;
            };
            sources.push(format!("/iso/documents/{}/acknowledgements", d.id));
            if acks.missing.iter().any(|u| u.id == caller.user_id) {
                items.push(QueueItem {
                    detail: acks.revision_label.clone(),
                    ..item(&d.id, Some(&d.id), &d.title)
                });
            }
        }
        sections.push(
            QueueSection::new("to_acknowledge", "Tài liệu cần xác nhận đã đọc", sources)
                .filtered("missing names the caller")
                .with(items),
        );
    }
    Ok(WorkQueue { sections })
}

/// The first words of a comment, for a list.
fn excerpt(body: &str) -> String {
    const MAX: usize = 120;
    let body = body.trim();
    match body.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &body[..at]),
        None => body.to_owned(),
    }
}
