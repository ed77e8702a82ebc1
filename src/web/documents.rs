//! A document's page: what it is, its legal effect today or on a chosen day and what
//! changed it, its relations both ways, its text by Chương and Điều, its versions and files.

use actix_web::{get, web, HttpRequest};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::page::{html, query, PageResult};
use super::search::anchor_of;
use crate::api::{parse_id, MaybeUser, State};
use crate::domain::kinds::RelationKind;
use crate::domain::structure::ProvisionKind;
use crate::error::AppError;
use crate::service::documents::{DocumentResponse, EffectResponse};
use crate::service::relations::{relations_of, RelationResponse};
use crate::service::versions::{structure_of, versions_of, ProvisionNode, VersionResponse};
use crate::service::{documents, today};

#[derive(Debug, Default, Deserialize)]
struct DocumentForm {
    /// The day on which legal effect is judged (YYYY-MM-DD); default today.
    #[serde(default)]
    ngay: String,
}

/// How a relation reads from the document it acts on.
fn incoming_label(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::BasedOn => "Là căn cứ của",
        RelationKind::Amends => "Được sửa đổi, bổ sung bởi",
        RelationKind::Replaces => "Bị thay thế bởi",
        RelationKind::Repeals => "Bị bãi bỏ bởi",
        RelationKind::Guides => "Được hướng dẫn bởi",
        RelationKind::Corrects => "Được đính chính bởi",
        RelationKind::Suspends => "Bị đình chỉ, ngưng hiệu lực bởi",
    }
}

/// One relation as a line of the page.
struct RelationLine {
    label: &'static str,
    href: Option<String>,
    other: String,
    scope: &'static str,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    note: Option<String>,
    /// This relation decided the legal effect today, or on the chosen day.
    decides_today: bool,
    decides_day: bool,
}

impl RelationLine {
    fn new(r: &RelationResponse, incoming: bool, today: &[String], day: &[String]) -> Self {
        let (href, other) = match &r.other {
            Some(d) => (
                Some(format!("/van-ban/{}", d.id)),
                match &d.number {
                    Some(n) => format!("{n} · {}", d.title),
                    None => d.title.clone(),
                },
            ),
            None => (None, "(văn bản không công khai)".to_owned()),
        };
        RelationLine {
            label: if incoming {
                incoming_label(r.kind)
            } else {
                r.label_vi
            },
            href,
            other,
            scope: r.scope.label_vi(),
            from: r.effective_on,
            until: r.effective_until,
            note: r.note.clone(),
            decides_today: today.contains(&r.id),
            decides_day: day.contains(&r.id),
        }
    }
}

/// A heading (Phần, Chương, Mục) or an article with its text, in document order.
struct Block {
    anchor: String,
    /// 2 for a part or chapter, 3 for a section or an article.
    level: u8,
    title: String,
    /// The text below the title line.
    text: String,
    is_article: bool,
}

fn title_of(p: &ProvisionNode) -> String {
    let name = p.kind.label_vi();
    match &p.heading {
        Some(h) => format!("{name} {}. {h}", p.number),
        None => format!("{name} {}", p.number),
    }
}

/// The text of a provision without its first line (the title, shown as a heading).
fn body_of(p: &ProvisionNode) -> String {
    match p.text.split_once('\n') {
        Some((_, rest)) => rest.trim().to_owned(),
        None => String::new(),
    }
}

/// A division's own text: what comes before its first child (all of it without children).
fn intro_of(p: &ProvisionNode) -> String {
    let body = body_of(p);
    let Some(first) = p.children.first() else {
        return body;
    };
    let line = first.text.lines().next().unwrap_or("").trim();
    match body.find(line) {
        Some(i) if !line.is_empty() => body[..i].trim().to_owned(),
        _ => String::new(),
    }
}

fn blocks(nodes: &[ProvisionNode], out: &mut Vec<Block>) {
    for p in nodes {
        match p.kind {
            ProvisionKind::Part | ProvisionKind::Chapter | ProvisionKind::Section => {
                out.push(Block {
                    anchor: anchor_of(&p.path),
                    level: if p.kind == ProvisionKind::Section {
                        3
                    } else {
                        2
                    },
                    title: title_of(p),
                    text: intro_of(p),
                    is_article: false,
                });
                blocks(&p.children, out);
            }
            _ => out.push(Block {
                anchor: anchor_of(&p.path),
                level: 3,
                title: title_of(p),
                text: body_of(p),
                is_article: true,
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "document.html", config = "src/web/askama.toml")]
struct DocumentPage {
    d: DocumentResponse,
    /// The effect on the chosen day, when it is not today.
    on_day: Option<EffectResponse>,
    day: String,
    today: NaiveDate,
    changed_by: Vec<RelationLine>,
    acts_on: Vec<RelationLine>,
    versions: Vec<VersionResponse>,
    shown: Option<VersionResponse>,
    blocks: Vec<Block>,
    /// The text when it has no articles.
    plain_text: Option<String>,
}

/// The version whose text the page shows: the last approved one, else the last.
fn shown_version(versions: &[VersionResponse]) -> Option<&VersionResponse> {
    versions
        .iter()
        .rev()
        .find(|v| v.is_current == Some(true))
        .or_else(|| versions.iter().rev().find(|v| v.immutable))
        .or_else(|| versions.last())
}

/// A document the caller may see, as the API's `GET /api/v1/documents/{id}` shows it.
#[get("/van-ban/{id}")]
pub async fn document(
    st: State,
    user: MaybeUser,
    req: HttpRequest,
    id: web::Path<String>,
) -> PageResult {
    let id = parse_id(&id)?;
    let form: DocumentForm = query(&req)?;
    let today = today();
    let day = match form.ngay.trim() {
        "" => None,
        d => Some(
            d.parse::<NaiveDate>()
                .map_err(|_| AppError::invalid("ngay", "ngày theo dạng năm-tháng-ngày"))?,
        ),
    };
    let caller = user.0;
    let d = documents::get_document(&st.db, caller.clone(), id.clone(), today).await?;
    let on_day = match day {
        Some(day) if day != today => {
            let e = documents::effect_of(&st.db, caller.clone(), id.clone(), day).await?;
            Some(EffectResponse::new(e, day))
        }
        _ => None,
    };
    let relations = relations_of(&st.db, caller.clone(), id.clone()).await?;
    let by_today = &d.legal_effect.because;
    let by_day = on_day
        .as_ref()
        .map(|o| o.because.as_slice())
        .unwrap_or_default();
    let changed_by = relations
        .incoming
        .iter()
        .map(|r| RelationLine::new(r, true, by_today, by_day))
        .collect();
    let acts_on = relations
        .outgoing
        .iter()
        .map(|r| RelationLine::new(r, false, by_today, by_day))
        .collect();
    let versions = versions_of(&st.db, caller.clone(), id).await?;
    let shown = shown_version(&versions).cloned();
    let mut out = vec![];
    let mut plain_text = None;
    if let Some(v) = shown.as_ref().filter(|v| v.has_text) {
        let tree = structure_of(&st.db, caller.clone(), v.id.clone()).await?;
        blocks(&tree.provisions, &mut out);
        if out.is_empty() {
            let full = crate::service::versions::get_version(&st.db, caller, v.id.clone()).await?;
            plain_text = full.body;
        }
    }
    let page = DocumentPage {
        day: day.map(|d| d.to_string()).unwrap_or_default(),
        d,
        on_day,
        today,
        changed_by,
        acts_on,
        versions,
        shown,
        blocks: out,
        plain_text,
    };
    html(&req, &page, false)
}
