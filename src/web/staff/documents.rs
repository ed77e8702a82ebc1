//! The document workspace (`/lam-viec/van-ban`): the documents the signed-in account may
//! see, a new draft, and one document's workspace — its metadata (changed at the row version
//! it was read at, so a conflicting change is refused and shown), its versions with an upload
//! and the structure read from the latest, the workflow actions open to the caller (the
//! document's `allowed_actions`; a refused guard is shown with its message), its relations
//! both ways and its history.

use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{answered, date_field, refused, Form, Frame, Staff};
use crate::api::State;
use crate::domain::kinds::{DocumentKind, DocumentState, RelationKind};
use crate::domain::structure::path_label;
// A workflow step, by its short name here (these pages ask no policy question).
use crate::domain::workflow::WorkflowAction as Step;
use crate::error::AppError;
use crate::service::documents::{
    self as docs, CreateDocumentRequest, DocumentQuery, DocumentResponse, UpdateDocumentRequest,
};
use crate::service::dto::OrgUnitRef;
use crate::service::relations::{self, CreateRelationRequest};
use crate::service::versions::{self, ProvisionNode};
use crate::service::workflow::{self as wf, TransitionRequest};
use crate::service::workspace::{self, Workspace};
use crate::web::page::{page_id, query, PageError, PageResult};

const HERE: &str = "/lam-viec/van-ban";

fn at(id: &str) -> String {
    format!("{HERE}/{id}")
}

// ---- the list and a new draft ----

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
    /// Notices (`tb`) are the frame's.
    #[serde(default)]
    #[allow(dead_code)]
    tb: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/documents.html", config = "src/web/askama.toml")]
struct ListPage {
    frame: Frame,
    items: Vec<DocumentResponse>,
    q: String,
    state: Option<DocumentState>,
    states: &'static [DocumentState],
    next: Option<String>,
    /// The kinds a new draft may be (absent when the account drafts nothing).
    draft_kinds: Vec<DocumentKind>,
    /// The units a new draft may be issued by.
    issuers: Vec<OrgUnitRef>,
    draft: DraftForm,
}

#[derive(Debug, Default, Deserialize)]
struct DraftForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    field: String,
}

/// The documents the signed-in account may see, newest first, drafts included.
#[get("/lam-viec/van-ban")]
pub async fn list(st: State, req: HttpRequest, staff: Staff) -> PageResult {
    let q: ListQuery = query(&req)?;
    list_page(&st, &req, &staff, q, DraftForm::default(), None).await
}

async fn list_page(
    st: &State,
    req: &HttpRequest,
    staff: &Staff,
    q: ListQuery,
    draft: DraftForm,
    problem: Option<&AppError>,
) -> PageResult {
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse::<DocumentState>()
                .map_err(|_| PageError(AppError::invalid("state", "not a document state")))?,
        ),
        None => None,
    };
    let text = q.q.clone().unwrap_or_default();
    let found = docs::page(
        &st.db,
        Some(staff.caller.clone()),
        DocumentQuery {
            q: Some(text.clone()).filter(|t| !t.trim().is_empty()),
            state,
            cursor: q.cursor.clone().filter(|c| !c.is_empty()),
            ..DocumentQuery::default()
        },
    )
    .await?;
    let next = found.next_cursor.map(|c| {
        let mut params = vec![("cursor", c)];
        if !text.is_empty() {
            params.push(("q", text.clone()));
        }
        if let Some(s) = state {
            params.push(("state", s.as_str().to_owned()));
        }
        format!(
            "{HERE}?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    });
    let page = ListPage {
        frame: staff.frame_with(req, HERE, problem),
        items: found.items,
        q: text,
        state,
        states: DocumentState::ALL,
        next,
        draft_kinds: workspace::draft_kinds(&staff.caller),
        issuers: workspace::issuers(&st.db, staff.caller.clone()).await?,
        draft,
    };
    staff.page(req, &page)
}

/// A new draft: its kind, title, issuer (among those the policy lets the account choose) and
/// field; the draft's workspace opens next.
#[post("/lam-viec/van-ban")]
pub async fn create(
    st: State,
    req: HttpRequest,
    staff: Staff,
    form: Form<DraftForm>,
) -> PageResult {
    let f = form.0;
    let made = async {
        let kind = f
            .kind
            .parse::<DocumentKind>()
            .map_err(|_| AppError::invalid("kind", "choose the kind of document"))?;
        let field = Some(f.field.trim().to_owned()).filter(|s| !s.is_empty());
        let issuer = Some(f.issuer.trim().to_owned()).filter(|s| !s.is_empty());
        let body = CreateDocumentRequest::draft(kind, f.title.clone(), issuer, field);
        docs::create_document(&st.db, staff.caller.clone(), body).await
    };
    match made.await {
        Ok(doc) => Ok(super::see_other(&format!("{}?tb=saved", at(&doc.id)))),
        Err(e) => {
            refused(e, |e| async move {
                list_page(&st, &req, &staff, ListQuery::default(), f, Some(&e)).await
            })
            .await
        }
    }
}

// ---- one document ----

/// One provision of the structure, flattened for a list with its depth.
pub struct Line {
    pub depth: usize,
    pub label: String,
    pub heading: Option<String>,
}

fn flatten(nodes: &[ProvisionNode], depth: usize, out: &mut Vec<Line>) {
    for n in nodes {
        out.push(Line {
            depth,
            label: path_label(&n.path),
            heading: n.heading.clone(),
        });
        flatten(&n.children, depth + 1, out);
    }
}

#[derive(Template)]
#[template(path = "staff/document.html", config = "src/web/askama.toml")]
struct DocumentPage {
    frame: Frame,
    w: Workspace,
    lines: Vec<Line>,
    relation_kinds: &'static [RelationKind],
    today: NaiveDate,
}

impl DocumentPage {
    fn iso(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }

    /// Whether an action asks for a reason, a closing day, or the signing dates.
    fn asks(&self, a: &Step, what: &str) -> bool {
        matches!(
            (a, what),
            (Step::ReturnForRevision, "reason")
                | (Step::OpenConsultation, "closes_on")
                | (Step::Sign, "signed_on")
                | (Step::Sign, "effective_from")
        )
    }
}

/// A document's workspace.
#[get("/lam-viec/van-ban/{id}")]
pub async fn show(st: State, req: HttpRequest, staff: Staff, id: web::Path<String>) -> PageResult {
    let id = page_id(&id)?;
    document_page(&st, &req, &staff, id, None).await
}

async fn document_page(
    st: &State,
    req: &HttpRequest,
    staff: &Staff,
    id: String,
    problem: Option<&AppError>,
) -> PageResult {
    let w = workspace::workspace(&st.db, staff.caller.clone(), id).await?;
    let mut lines = vec![];
    if let Some(s) = &w.structure {
        flatten(&s.provisions, 0, &mut lines);
    }
    let page = DocumentPage {
        frame: staff.frame_with(req, HERE, problem),
        w,
        lines,
        relation_kinds: RelationKind::ALL,
        today: crate::service::today(),
    };
    staff.page(req, &page)
}

/// Redraws the workspace with the refused form's problem.
async fn redraw(st: &State, req: &HttpRequest, staff: &Staff, id: &str, e: AppError) -> PageResult {
    document_page(st, req, staff, id.to_owned(), Some(&e)).await
}

/// The metadata form: each field sent is set (an empty one cleared); the row version is the
/// one the page was read at.
#[derive(Debug, Deserialize)]
pub struct MetadataForm {
    row_version: i32,
    title: Option<String>,
    number: Option<String>,
    field: Option<String>,
    signer: Option<String>,
    signed_on: Option<String>,
    published_on: Option<String>,
    effective_from: Option<String>,
    effective_until: Option<String>,
}

fn text_change(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref()
        .map(|s| Some(s.trim().to_owned()).filter(|s| !s.is_empty()))
}

fn date_change(field: &str, v: &Option<String>) -> Result<Option<Option<NaiveDate>>, AppError> {
    match v {
        None => Ok(None),
        Some(s) => date_field(field, Some(s)).map(Some),
    }
}

impl MetadataForm {
    fn request(&self) -> Result<UpdateDocumentRequest, AppError> {
        Ok(UpdateDocumentRequest {
            title: self.title.clone(),
            number: text_change(&self.number),
            field: text_change(&self.field),
            signer: text_change(&self.signer),
            signed_on: date_change("signed_on", &self.signed_on)?,
            published_on: date_change("published_on", &self.published_on)?,
            effective_from: date_change("effective_from", &self.effective_from)?,
            effective_until: date_change("effective_until", &self.effective_until)?,
            ..UpdateDocumentRequest::default()
        })
    }
}

/// Changes the metadata at the row version the page was read at.
#[post("/lam-viec/van-ban/{id}")]
pub async fn update(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<MetadataForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let f = form.0;
    let done = async {
        let body = f.request()?;
        let caller = staff.caller.clone();
        docs::update_document(&st.db, caller, id.clone(), f.row_version, body).await
    }
    .await;
    let back = format!("{}?tb=saved", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    row_version: i32,
    action: Step,
    reason: Option<String>,
    closes_on: Option<String>,
    signed_on: Option<String>,
    effective_from: Option<String>,
}

/// Takes a workflow action (a refused guard is shown with its message).
#[post("/lam-viec/van-ban/{id}/chuyen")]
pub async fn transition(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<ActionForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let f = form.0;
    let done = async {
        let body = TransitionRequest {
            action: f.action,
            reason: f.reason.clone().filter(|r| !r.trim().is_empty()),
            closes_on: date_field("closes_on", f.closes_on.as_deref())?,
            signed_on: date_field("signed_on", f.signed_on.as_deref())?,
            effective_from: date_field("effective_from", f.effective_from.as_deref())?,
        };
        let (settings, caller) = (st.settings.workflow.clone(), staff.caller.clone());
        wf::transition_document(&st.db, caller, id.clone(), f.row_version, body, settings).await
    }
    .await;
    let back = format!("{}?tb=done", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

/// Uploads a version (PDF or DOCX, multipart; the form token is in the form's address).
#[post("/lam-viec/van-ban/{id}/phien-ban")]
pub async fn upload(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let id = page_id(&id)?;
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Err(PageError(AppError::UnsupportedFormat(
            "Tệp phải được gửi bằng biểu mẫu tải lên (multipart/form-data).".into(),
        )));
    }
    // The form token rides in the form's address: it is checked before the body is read.
    #[derive(Deserialize)]
    struct Token {
        #[serde(default)]
        form_token: String,
    }
    let token: Token = query(&req)?;
    super::check_token(&st, &req, &token.form_token)?;
    let limit = st.settings.server.upload_limit_bytes;
    let (fields, upload_file) =
        match crate::api::versions::read_multipart(&req, payload, limit).await {
            Ok(read) => read,
            Err(e) => return refused(e, |e| redraw(&st, &req, &staff, &id, e)).await,
        };
    let done = versions::add_version(
        &st.db,
        staff.caller.clone(),
        id.clone(),
        fields,
        Some(upload_file),
        &st.settings.pdf,
    )
    .await;
    let back = format!("{}?tb=saved#phien-ban", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

/// A version's original file, for the staff who may see the version.
#[get("/lam-viec/phien-ban/{id}/tep")]
pub async fn file(st: State, staff: Staff, id: web::Path<String>) -> PageResult {
    let id = page_id(&id)?;
    let (blob, name) = versions::file_of(&st.db, Some(staff.caller.clone()), id).await?;
    let name = name.unwrap_or_else(|| "tep".into());
    let disposition = actix_web::http::header::ContentDisposition {
        disposition: actix_web::http::header::DispositionType::Attachment,
        parameters: vec![actix_web::http::header::DispositionParam::FilenameExt(
            actix_web::http::header::ExtendedValue {
                charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.into_bytes(),
            },
        )],
    };
    Ok(actix_web::HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_TYPE,
            blob.content_type.clone(),
        ))
        .insert_header(disposition)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-cache"))
        .body(blob.data))
}

#[derive(Debug, Deserialize)]
pub struct RelationForm {
    target: String,
    kind: RelationKind,
    effective_on: Option<String>,
    note: Option<String>,
}

/// Relates this document to another, named by its number or id.
#[post("/lam-viec/van-ban/{id}/quan-he")]
pub async fn relate(
    st: State,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<String>,
    form: Form<RelationForm>,
) -> PageResult {
    let id = page_id(&id)?;
    let f = form.0;
    let done = async {
        let body = CreateRelationRequest {
            target_id: String::new(),
            kind: f.kind,
            scope: None,
            effective_on: date_field("effective_on", f.effective_on.as_deref())?,
            effective_until: None,
            note: f.note.clone().filter(|n| !n.trim().is_empty()),
        };
        let caller = staff.caller.clone();
        workspace::relate_to(&st.db, caller, id.clone(), f.target.clone(), body).await
    }
    .await;
    let back = format!("{}?tb=saved#quan-he", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}

/// Removes one of this document's relations.
#[post("/lam-viec/van-ban/{id}/quan-he/{relation}/xoa")]
pub async fn unrelate(
    st: State,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, String)>,
    _form: Form<super::NoFields>,
) -> PageResult {
    let id = page_id(&path.0)?;
    let relation = page_id(&path.1)?;
    let done = relations::remove_relation(&st.db, staff.caller.clone(), relation).await;
    let back = format!("{}?tb=done#quan-he", at(&id));
    answered(done, &back, |e| redraw(&st, &req, &staff, &id, e)).await
}
