//! The home page and the search results.

use actix_web::{get, HttpRequest};
use askama::Template;
use serde::Deserialize;

use super::page::{html, query, PageResult};
use crate::api::{MaybeUser, State};
use crate::domain::kinds::{DocumentKind, LegalEffect};
use crate::error::AppError;
use crate::search::query::Granularity;
use crate::search::{SearchHit, SearchRequest};
use crate::service::consultations::{open_drafts, PublicConsultation};
use crate::service::documents::{DocumentQuery, DocumentResponse};
use crate::service::dto::OrgUnitRef;
use crate::service::{documents, org_units, search as svc};

/// Results per page.
const PER_PAGE: usize = 10;

#[derive(Template)]
#[template(path = "home.html", config = "src/web/askama.toml")]
struct Home {
    recent: Vec<DocumentResponse>,
    consultations: Vec<PublicConsultation>,
}

/// The home page: the search box, the latest published documents, the open drafts.
#[get("/")]
pub async fn home(st: State, user: MaybeUser, req: HttpRequest) -> PageResult {
    let recent = documents::page(
        &st.db,
        user.0,
        DocumentQuery {
            state: Some(crate::domain::kinds::DocumentState::Published),
            external: Some(false),
            limit: Some(8),
            ..DocumentQuery::default()
        },
    )
    .await?
    .items;
    let mut consultations = open_drafts(&st.db).await?;
    consultations.truncate(5);
    html(
        &req,
        &Home {
            recent,
            consultations,
        },
        false,
    )
}

/// The search form as a browser sends it: every field text, read leniently (an empty
/// field is no filter); unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    /// The issuer's code.
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    legal_effect: String,
    /// In force on this day (YYYY-MM-DD).
    #[serde(default)]
    ngay: String,
    /// `van-ban` for one hit per document.
    #[serde(default)]
    xem: String,
    /// The cursor of this page, and its number.
    #[serde(default)]
    trang: String,
    #[serde(default)]
    so: String,
}

impl SearchForm {
    /// The query string of this search with `changes` applied (an empty value removes
    /// the field); the page cursor is always dropped.
    fn href(&self, changes: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("q", self.q.as_str()),
            ("kind", &self.kind),
            ("issuer", &self.issuer),
            ("field", &self.field),
            ("year", &self.year),
            ("legal_effect", &self.legal_effect),
            ("ngay", &self.ngay),
            ("xem", &self.xem),
        ];
        for (k, v) in changes {
            match pairs.iter_mut().find(|(name, _)| name == k) {
                Some(p) => p.1 = v,
                None => pairs.push((k, v)),
            }
        }
        pairs.retain(|(_, v)| !v.is_empty());
        format!(
            "/tim-kiem?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }

    /// The search request of the API for this form, or the field a visitor got wrong.
    fn request(&self, issuers: &[OrgUnitRef]) -> Result<SearchRequest, AppError> {
        fn parsed<T: std::str::FromStr>(
            field: &str,
            v: &str,
            what: &str,
        ) -> Result<Option<T>, AppError> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse()
                .map(Some)
                .map_err(|_| AppError::invalid(field, what))
        }
        // An issuer is chosen by code; one that issued nothing public matches nothing, as
        // the API answers an issuer id it does not know (no hits, not an error).
        let issuer = match self.issuer.trim() {
            "" => None,
            code => Some(
                issuers
                    .iter()
                    .find(|u| u.code == code)
                    .map_or_else(|| code.to_owned(), |u| u.id.clone()),
            ),
        };
        Ok(SearchRequest {
            q: self.q.clone(),
            granularity: if self.xem == "van-ban" {
                Granularity::Document
            } else {
                Granularity::Provision
            },
            kind: parsed::<DocumentKind>("kind", &self.kind, "loại văn bản không đúng")?,
            issuer,
            field: Some(self.field.trim().to_owned()).filter(|f| !f.is_empty()),
            year: parsed("year", &self.year, "năm gồm bốn chữ số")?,
            legal_effect: parsed("legal_effect", &self.legal_effect, "hiệu lực không đúng")?,
            as_of: parsed("ngay", &self.ngay, "ngày theo dạng năm-tháng-ngày")?,
            limit: Some(PER_PAGE),
            cursor: Some(self.trang.clone()).filter(|c| !c.is_empty()),
            ..SearchRequest::default()
        })
    }

    fn filtered(&self) -> bool {
        [
            &self.kind,
            &self.issuer,
            &self.field,
            &self.year,
            &self.legal_effect,
            &self.ngay,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
            || self.xem == "van-ban"
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct HitView {
    href: String,
    number: Option<String>,
    title: String,
    heading: Option<String>,
    /// Escaped by the search engine, matches in `<mark>`.
    snippet: String,
    kind_label: String,
}

struct FacetLink {
    label: String,
    count: u64,
    href: String,
    active: bool,
}

struct FacetGroup {
    name: &'static str,
    items: Vec<FacetLink>,
}

#[derive(Template)]
#[template(path = "results.html", config = "src/web/askama.toml")]
struct Results {
    q: String,
    field: String,
    year: String,
    as_of: String,
    by_document: bool,
    filtered: bool,
    kinds: Vec<Choice>,
    issuers: Vec<Choice>,
    effects: Vec<Choice>,
    searched: bool,
    total: usize,
    page_no: usize,
    first_rank: usize,
    hits: Vec<HitView>,
    facets: Vec<FacetGroup>,
    first_href: String,
    next_href: Option<String>,
}

fn kind_label(code: &str) -> String {
    code.parse::<DocumentKind>()
        .map(|k| k.label_vi().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

/// The page of a hit: the document, at its article.
pub fn hit_href(h: &SearchHit) -> String {
    match &h.provision_path {
        Some(p) => format!("/van-ban/{}#{}", h.document_id, anchor_of(p)),
        None => format!("/van-ban/{}", h.document_id),
    }
}

/// The anchor of a provision on its document's page: its path with `/` as `-`
/// (`dieu-5`, `dieu-5-khoan-2`).
pub fn anchor_of(path: &str) -> String {
    path.replace('/', "-")
}

/// Search results, with filters, facets and pages.
#[get("/tim-kiem")]
pub async fn results(st: State, user: MaybeUser, req: HttpRequest) -> PageResult {
    let form: SearchForm = query(&req)?;
    let issuers = org_units::public_issuers(&st.db).await?;
    let request = form.request(&issuers)?;
    let searched = !form.q.trim().is_empty() || form.filtered();
    let page_no = form.so.parse::<usize>().unwrap_or(1).max(1);
    let mut page = Results {
        q: form.q.clone(),
        field: form.field.clone(),
        year: form.year.clone(),
        as_of: form.ngay.clone(),
        by_document: form.xem == "van-ban",
        filtered: form.filtered(),
        kinds: DocumentKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: k.label_vi().to_owned(),
                selected: form.kind == k.as_str(),
            })
            .collect(),
        issuers: issuers
            .iter()
            .map(|u| Choice {
                value: u.code.clone(),
                label: u.name.clone(),
                selected: form.issuer == u.code,
            })
            .collect(),
        effects: LegalEffect::ALL
            .iter()
            .map(|e| Choice {
                value: e.as_str().to_owned(),
                label: e.label_vi().to_owned(),
                selected: form.legal_effect == e.as_str(),
            })
            .collect(),
        searched,
        total: 0,
        page_no,
        first_rank: (page_no - 1) * PER_PAGE + 1,
        hits: vec![],
        facets: vec![],
        first_href: form.href(&[]),
        next_href: None,
    };
    if searched {
        let found = svc::search(
            st.search.clone(),
            user.0.as_ref(),
            request,
            st.settings.search.max_offset,
        )
        .await?;
        page.total = found.total;
        page.hits = found
            .hits
            .iter()
            .map(|h| HitView {
                href: hit_href(h),
                number: h.number.clone(),
                title: h.title.clone(),
                heading: h.heading.clone(),
                snippet: h.snippet.clone(),
                kind_label: kind_label(&h.kind),
            })
            .collect();
        let next_no = (page_no + 1).to_string();
        page.next_href = found
            .next_cursor
            .as_deref()
            .map(|c| form.href(&[("trang", c), ("so", &next_no)]));
        page.facets = facets(&form, &found.facets, &issuers);
    }
    html(&req, &page, false)
}

/// The facets as links that narrow the search (or, on the active value, widen it again).
fn facets(
    form: &SearchForm,
    found: &std::collections::BTreeMap<String, Vec<crate::search::query::FacetCount>>,
    issuers: &[OrgUnitRef],
) -> Vec<FacetGroup> {
    let groups: [(&str, &'static str, &str); 4] = [
        ("kind", "Loại văn bản", &form.kind),
        ("issuer", "Cơ quan ban hành", &form.issuer),
        ("field", "Lĩnh vực", &form.field),
        ("year", "Năm ký", &form.year),
    ];
    groups
        .iter()
        .filter_map(|(key, name, current)| {
            let counts = found.get(*key)?;
            let items: Vec<FacetLink> = counts
                .iter()
                .take(12)
                .map(|c| {
                    let active = *current == c.value;
                    let label = match *key {
                        "kind" => kind_label(&c.value),
                        "issuer" => issuers
                            .iter()
                            .find(|u| u.code == c.value)
                            .map(|u| u.name.clone())
                            .unwrap_or_else(|| c.value.clone()),
                        _ => c.value.clone(),
                    };
                    let value = if active { "" } else { c.value.as_str() };
                    FacetLink {
                        label,
                        count: c.count,
                        href: form.href(&[(key, value)]),
                        active,
                    }
                })
                .collect();
            (!items.is_empty()).then_some(FacetGroup { name, items })
        })
        .collect()
}
