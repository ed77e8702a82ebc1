//! Use cases: each function runs in one transaction, checks permissions and domain
//! rules, writes the audit entry, and returns rows. Shared by the HTTP handlers and
//! the command line; no HTTP types here.

pub mod accounts;
pub mod consultations;
pub mod copies;
pub mod deadlines;
pub mod documents;
pub mod export;
pub mod iso;
pub mod org_units;
pub mod relations;
pub mod reports;
pub mod review;
pub mod self_inspection;
pub mod systematization;
pub mod timestamp;
pub mod versions;
pub mod workflow;

use crate::auth::{allows, Action};
use crate::db::audit::Actor;
use crate::db::documents::Visibility;
use crate::db::models::Document;
use crate::domain::kinds::{DocumentState, Role};
use crate::error::{ApiResult, AppError};

/// Today in the service's time zone: the day legal effect, deadlines and reports are judged on.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The authenticated caller of a use case (or `None` for the public).
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub org_unit_id: Option<String>,
    /// The caller's unit and every unit above it.
    pub org_chain: Vec<String>,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user_id.clone()),
            name: self.username.clone(),
        }
    }

    pub fn require(&self, action: Action) -> ApiResult<()> {
        if allows(self.role, action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "the {} role may not do this",
                self.role.as_str()
            )))
        }
    }
}

pub fn actor_of(caller: Option<&Caller>) -> Actor {
    caller.map(Caller::actor).unwrap_or_else(|| Actor {
        id: None,
        name: "anonymous".into(),
    })
}

pub fn visibility(caller: Option<&Caller>) -> Visibility {
    match caller {
        None => Visibility::PublishedOnly,
        Some(c) if allows(c.role, Action::ReadAllDrafts) => Visibility::Everything,
        Some(c) => Visibility::Scoped {
            user_id: c.user_id.clone(),
            org_chain: c.org_chain.clone(),
        },
    }
}

pub fn state_of(doc: &Document) -> ApiResult<DocumentState> {
    doc.state
        .parse()
        .map_err(|e: String| AppError::internal(format!("document {}: {e}", doc.id)))
}

/// Whether the caller may see this document; invisible documents are reported as
/// not found, so that their existence does not leak.
pub fn can_see(caller: Option<&Caller>, doc: &Document) -> bool {
    let published = matches!(
        doc.state.parse::<DocumentState>(),
        Ok(DocumentState::Published | DocumentState::Withdrawn)
    );
    if published {
        return true;
    }
    match visibility(caller) {
        Visibility::Everything => true,
        Visibility::PublishedOnly => false,
        Visibility::Scoped { user_id, org_chain } => {
            doc.created_by.as_deref() == Some(user_id.as_str())
                || doc
                    .issuer_id
                    .as_ref()
                    .is_some_and(|i| org_chain.contains(i))
        }
    }
}

pub fn ensure_visible(caller: Option<&Caller>, doc: Document) -> ApiResult<Document> {
    if can_see(caller, &doc) {
        Ok(doc)
    } else {
        Err(AppError::NotFound)
    }
}

/// Trims a text field and refuses control characters and empty values.
pub fn clean_text(field: &'static str, value: &str, max_chars: usize) -> ApiResult<String> {
    let v = crate::domain::text::nfc(value.trim());
    if v.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max_chars {
        return Err(AppError::invalid(
            field,
            format!("at most {max_chars} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AppError::invalid(
            field,
            "control characters are not allowed",
        ));
    }
    Ok(v)
}

pub fn clean_opt(
    field: &'static str,
    value: Option<&str>,
    max_chars: usize,
) -> ApiResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => clean_text(field, v, max_chars).map(Some),
    }
}
