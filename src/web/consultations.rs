//! The consultation pages: the drafts open for comment and those closed, a draft article
//! by article with a comment form per article, a comment's status by its tracking code,
//! and the public report once a consultation has closed.
//!
//! The comment form posts to the draft's own URL. It carries a signed form token (see
//! [`super::csrf`]) and an idempotency key made for each rendering of each form, so a
//! double click takes one comment; the API's public-comment rate limit applies to it too
//! ([`crate::api::throttle_comment`]). The use case is the API's: the page only reads the
//! form and renders what comes back.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::csrf::{self, FormKey};
use super::page::{day, html, page_id, PageError, PageResult};
use super::search::anchor_of;
use crate::api::State;
use crate::domain::structure::path_label;
use crate::domain::workflow::{CommentStatus, Disposition};
use crate::error::{AppError, FieldError};
use crate::service::consultations::{
    self as cons, ClosedConsultation, ConsultationPhase, NewCommentRequest, PublicComment,
    PublicConsultation, PublicDraft, PublicReport, ReportTotals,
};

/// The id of the form on the draft as a whole (and its anchor).
const GENERAL: &str = "gop-y-chung";

/// When a comment was sent, in the service's time zone.
fn sent_on(t: &chrono::NaiveDateTime) -> String {
    super::page::local_time(t, "%H:%M ngày %d/%m/%Y")
}

// ---- the list ----

#[derive(Template)]
#[template(path = "consultations.html", config = "src/web/askama.toml")]
struct ListPage {
    open: Vec<PublicConsultation>,
    closed: Vec<ClosedConsultation>,
}

/// The drafts open for comment, and the consultations closed with their reports.
#[get("/gop-y")]
pub async fn list(st: State, req: HttpRequest) -> PageResult {
    let open = cons::open_drafts(&st.db).await?;
    let closed = cons::closed_consultations(&st.db).await?;
    html(&req, &ListPage { open, closed }, false)
}

// ---- a draft and its comment forms ----

/// A comment form as posted: every field text, read leniently (unknown fields ignored).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    body: String,
    /// The article, empty for the draft as a whole.
    #[serde(default)]
    provision_path: String,
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    idempotency_key: String,
}

impl CommentForm {
    fn request(&self) -> NewCommentRequest {
        let given = |v: &str| Some(v.to_owned()).filter(|v| !v.trim().is_empty());
        NewCommentRequest {
            name: self.name.clone(),
            email: given(&self.email),
            organisation: given(&self.organisation),
            provision_path: given(&self.provision_path),
            body: self.body.clone(),
        }
    }

    /// The idempotency key sent, if it is one (1 to 128 visible ASCII characters).
    fn key(&self) -> Option<String> {
        let k = self.idempotency_key.trim();
        (!k.is_empty() && k.len() <= 128 && k.bytes().all(|b| b.is_ascii_graphic()))
            .then(|| k.to_owned())
    }
}

/// One comment form on the page: its values and the messages next to its fields.
#[derive(Default)]
struct FormView {
    /// Unique on the page: the prefix of its fields' ids.
    id: String,
    provision_path: String,
    /// What the form is about: "Điều 5", or the draft as a whole.
    about: String,
    key: String,
    name: String,
    email: String,
    organisation: String,
    body: String,
    name_error: Option<String>,
    email_error: Option<String>,
    organisation_error: Option<String>,
    body_error: Option<String>,
    /// A message about the form as a whole.
    error: Option<String>,
}

impl FormView {
    fn touched(&self) -> bool {
        self.error.is_some()
            || self.name_error.is_some()
            || self.email_error.is_some()
            || self.organisation_error.is_some()
            || self.body_error.is_some()
            || !self.body.is_empty()
    }
}

struct ArticleView {
    anchor: String,
    label: String,
    heading: Option<String>,
    /// The article's text without its heading line.
    text: String,
    form: FormView,
}

struct Notice {
    good: bool,
    text: String,
}

#[derive(Template)]
#[template(path = "consultation.html", config = "src/web/askama.toml")]
struct DraftPage {
    d: PublicDraft,
    open: bool,
    closes_on: String,
    opens_on: String,
    token: String,
    articles: Vec<ArticleView>,
    general: FormView,
    notice: Option<Notice>,
    max_chars: usize,
}

/// A fresh idempotency key for one form of one rendering.
fn fresh_key() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

fn draft_page(d: PublicDraft, token: String, max_chars: usize) -> DraftPage {
    let articles = d
        .articles
        .iter()
        .map(|a| {
            let anchor = anchor_of(&a.path);
            // An article's text begins with its heading line ("Điều 5. ..."), shown as
            // the article's heading.
            let text = if a.path.starts_with("dieu-") {
                a.text.split_once('\n').map(|(_, rest)| rest).unwrap_or("")
            } else {
                a.text.as_str()
            };
            ArticleView {
                form: FormView {
                    id: format!("gy-{anchor}"),
                    provision_path: a.path.clone(),
                    about: a.label.clone(),
                    key: fresh_key(),
                    ..Default::default()
                },
                anchor,
                label: a.label.clone(),
                heading: a.heading.clone(),
                text: text.trim().to_owned(),
            }
        })
        .collect();
    DraftPage {
        open: d.phase == ConsultationPhase::Open,
        closes_on: day(&d.closes_on),
        opens_on: day(&d.opens_on),
        d,
        token,
        articles,
        general: FormView {
            id: GENERAL.into(),
            about: "toàn bộ dự thảo".into(),
            key: fresh_key(),
            ..Default::default()
        },
        notice: None,
        max_chars,
    }
}

impl DraftPage {
    /// The form a post was sent from (the general one when it names no article here).
    fn form_of(&mut self, provision_path: &str) -> &mut FormView {
        let path = provision_path.trim();
        match self
            .articles
            .iter_mut()
            .position(|a| !path.is_empty() && a.form.provision_path == path)
        {
            Some(i) => &mut self.articles[i].form,
            None => &mut self.general,
        }
    }

    /// Keeps what was typed in the form it was typed in.
    fn keep(&mut self, f: &CommentForm) -> &mut FormView {
        let view = self.form_of(&f.provision_path);
        view.name = f.name.clone();
        view.email = f.email.clone();
        view.organisation = f.organisation.clone();
        view.body = f.body.clone();
        view
    }
}

/// The message next to a field the use case refused, in the visitor's words.
fn field_message(field: &str, max_chars: usize) -> String {
    match field {
        "name" => "Xin ghi họ và tên, không quá 200 ký tự.".into(),
        "email" => "Địa chỉ email chưa đúng (ví dụ: ten@example.vn); có thể để trống.".into(),
        "organisation" => "Tên cơ quan, tổ chức không quá 300 ký tự.".into(),
        "body" => format!("Xin ghi nội dung góp ý, không quá {max_chars} ký tự."),
        "provision_path" => "Điều được góp ý không có trong dự thảo này.".into(),
        _ => "Thông tin chưa hợp lệ.".into(),
    }
}

fn place_errors(view: &mut FormView, errors: &[FieldError], max_chars: usize) {
    for e in errors {
        let msg = Some(field_message(&e.field, max_chars));
        match e.field.as_str() {
            "name" => view.name_error = msg,
            "email" => view.email_error = msg,
            "organisation" => view.organisation_error = msg,
            "body" => view.body_error = msg,
            _ => view.error = msg,
        }
    }
    if view.error.is_none() {
        view.error = Some("Ý kiến chưa được gửi: xin sửa các mục được đánh dấu.".into());
    }
}

/// The page's form token for this browser, and the cookie to set when it had none.
fn token_for(
    st: &State,
    req: &HttpRequest,
) -> (String, Option<actix_web::cookie::Cookie<'static>>) {
    let secure = st.settings.server.base_url.starts_with("https://");
    let (nonce, cookie) = csrf::nonce(req, secure);
    (form_key(st).token(&nonce), cookie)
}

fn form_key(st: &State) -> FormKey {
    FormKey::of(&st.keys)
}

/// The draft page answered with `status`, carrying the form cookie if new.
fn render(
    req: &HttpRequest,
    page: &DraftPage,
    status: StatusCode,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> PageResult {
    let mut res = html(req, page, true)?;
    if res.status() != StatusCode::NOT_MODIFIED {
        *res.status_mut() = status;
    }
    if let Some(c) = cookie {
        res.add_cookie(&c).map_err(AppError::internal)?;
    }
    Ok(res)
}

/// A draft, article by article, each with its comment form while the consultation is open.
#[get("/gop-y/{id}")]
pub async fn draft(st: State, req: HttpRequest, id: web::Path<String>) -> PageResult {
    let d = cons::public_draft(&st.db, page_id(&id)?).await?;
    let (token, cookie) = token_for(&st, &req);
    let page = draft_page(d, token, st.settings.workflow.comment_max_chars);
    render(&req, &page, StatusCode::OK, cookie)
}

/// A comment posted from the draft page: 303 to its status page once taken; the draft
/// page again, with the typed values and a message, when it is not.
#[post("/gop-y/{id}")]
pub async fn comment(
    st: State,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let id = page_id(&id)?;
    let mut payload = payload.into_inner();
    let bytes = super::page::form_body(&req, &mut payload, &st).await?;
    let form: CommentForm = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
        PageError(AppError::BadRequest(
            "Nội dung biểu mẫu không đọc được; xin tải lại trang và gửi lại.".into(),
        ))
    })?;
    let max_chars = st.settings.workflow.comment_max_chars;
    if !csrf::verify(&req, &form_key(&st), form.form_token.trim()) {
        // A forged post gets nothing; a visitor whose form went stale keeps the text.
        let d = cons::public_draft(&st.db, id).await?;
        let (token, cookie) = token_for(&st, &req);
        let mut page = draft_page(d, token, max_chars);
        page.keep(&form).error = Some(
            "Biểu mẫu đã hết hạn hoặc không hợp lệ, nên ý kiến chưa được gửi. Xin bấm Gửi \
             ý kiến một lần nữa."
                .into(),
        );
        page.notice = Some(Notice {
            good: false,
            text: "Ý kiến chưa được gửi: biểu mẫu đã hết hạn hoặc không hợp lệ.".into(),
        });
        return render(&req, &page, StatusCode::FORBIDDEN, cookie);
    }
    crate::api::throttle_comment(&st, &req)?;
    let settings = st.settings.workflow.clone();
    let taken =
        cons::submit_comment(&st.db, id.clone(), form.request(), form.key(), settings).await;
    let (status, message, errors) = match taken {
        Ok((c, _)) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, format!("/y-kien/{}", c.tracking_code)))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish())
        }
        Err(AppError::Validation(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, None, errors),
        Err(AppError::Conflict { guard, .. }) => {
            let message = match guard.as_deref() {
                Some("idempotency_key_reused") => {
                    "Một ý kiến khác đã được gửi từ biểu mẫu này. Nếu muốn gửi ý kiến mới, \
                     xin bấm Gửi ý kiến một lần nữa."
                }
                Some("consultation_open") => {
                    "Dự thảo đã hết thời gian lấy ý kiến; ý kiến chưa được gửi."
                }
                _ => "Ý kiến chưa được gửi; xin thử lại.",
            };
            (StatusCode::CONFLICT, Some(message.to_owned()), vec![])
        }
        Err(e) => return Err(PageError(e)),
    };
    let d = cons::public_draft(&st.db, id).await?;
    let (token, cookie) = token_for(&st, &req);
    let mut page = draft_page(d, token, max_chars);
    let view = page.keep(&form);
    match &message {
        Some(m) => view.error = Some(m.clone()),
        None => place_errors(view, &errors, max_chars),
    }
    // A draft no longer open shows no form: the message stands alone.
    page.notice = Some(Notice {
        good: false,
        text: message
            .unwrap_or_else(|| "Ý kiến chưa được gửi. Xin xem thông báo bên cạnh biểu mẫu.".into()),
    });
    render(&req, &page, status, cookie)
}

// ---- a comment's status ----

#[derive(Template)]
#[template(path = "comment_status.html", config = "src/web/askama.toml")]
struct StatusPage {
    c: PublicComment,
    draft_title: String,
    about: String,
    about_href: String,
    sent_on: String,
    status_label: &'static str,
    status_help: &'static str,
    disposition_label: Option<&'static str>,
    disposition_class: &'static str,
}

fn disposition_class(d: Option<Disposition>) -> &'static str {
    match d {
        Some(Disposition::Accepted) => "disposition-accepted",
        Some(Disposition::PartiallyAccepted) => "disposition-partially_accepted",
        Some(Disposition::NotAccepted) => "disposition-not_accepted",
        None => "",
    }
}

/// A comment by its tracking code: its status and, once given, its disposition and response.
#[get("/y-kien/{tracking_code}")]
pub async fn comment_status(st: State, req: HttpRequest, code: web::Path<String>) -> PageResult {
    let c = cons::public_comment(&st.db, code.into_inner()).await?;
    let d = cons::public_draft(&st.db, c.consultation_id.clone()).await?;
    let (about, about_href) = match &c.provision_path {
        Some(p) => {
            let article = p.split('/').next().unwrap_or(p);
            (
                path_label(p),
                format!("/gop-y/{}#{}", d.id, anchor_of(article)),
            )
        }
        None => ("Toàn bộ dự thảo".to_owned(), format!("/gop-y/{}", d.id)),
    };
    let status_help = match c.status {
        CommentStatus::Pending => {
            "Ý kiến đã được nhận và đang chờ cơ quan soạn thảo xem xét trước khi công khai."
        }
        CommentStatus::Published => {
            "Ý kiến đã được công khai và sẽ được tổng hợp, giải trình trong báo cáo lấy ý kiến."
        }
        CommentStatus::Rejected => {
            "Ý kiến không được đăng công khai vì không phù hợp quy định góp ý."
        }
    };
    let page = StatusPage {
        draft_title: d.title,
        about,
        about_href,
        sent_on: sent_on(&c.created_at),
        status_label: c.status.label_vi(),
        status_help,
        disposition_label: c.disposition.map(|x| x.label_vi()),
        disposition_class: disposition_class(c.disposition),
        c,
    };
    html(&req, &page, true)
}

// ---- the public report ----

struct ReportCommentView {
    author_name: String,
    organisation: Option<String>,
    body: String,
    sent_on: String,
    disposition_label: Option<String>,
    disposition_class: &'static str,
    response: Option<String>,
}

struct ReportArticleView {
    anchor: String,
    title: String,
    comments: Vec<ReportCommentView>,
}

#[derive(Template)]
#[template(path = "consultation_report.html", config = "src/web/askama.toml")]
struct ReportPage {
    r: PublicReport,
    t: ReportTotals,
    opens_on: String,
    closes_on: String,
    articles: Vec<ReportArticleView>,
}

/// The public report of a closed consultation: per article the published comments, their
/// dispositions and responses, and the totals.
#[get("/gop-y/{id}/bao-cao")]
pub async fn report(st: State, req: HttpRequest, id: web::Path<String>) -> PageResult {
    let r = match cons::public_consultation_report(&st.db, page_id(&id)?).await {
        Err(AppError::Conflict { guard, .. })
            if guard.as_deref() == Some("consultation_closed") =>
        {
            return Err(PageError(AppError::Conflict {
                guard,
                detail: "Báo cáo tổng hợp ý kiến được công bố sau khi kết thúc lấy ý kiến. \
                         Dự thảo vẫn đang lấy ý kiến."
                    .into(),
            }))
        }
        r => r?,
    };
    let articles = r
        .articles
        .iter()
        .map(|a| ReportArticleView {
            anchor: a
                .path
                .as_deref()
                .map(anchor_of)
                .unwrap_or_else(|| GENERAL.into()),
            title: match (&a.label, &a.heading) {
                (Some(l), Some(h)) => format!("{l}. {h}"),
                (Some(l), None) => l.clone(),
                _ => "Ý kiến chung về toàn bộ dự thảo".into(),
            },
            comments: a
                .comments
                .iter()
                .map(|c| ReportCommentView {
                    author_name: c.author_name.clone(),
                    organisation: c.organisation.clone(),
                    body: c.body.clone(),
                    sent_on: sent_on(&c.created_at),
                    disposition_label: c.disposition_label_vi.clone(),
                    disposition_class: disposition_class(c.disposition),
                    response: c.response.clone(),
                })
                .collect(),
        })
        .collect();
    let page = ReportPage {
        opens_on: day(&r.opens_on),
        closes_on: day(&r.closes_on),
        t: r.totals.clone(),
        articles,
        r,
    };
    html(&req, &page, false)
}
