//! Use cases: each function runs in one transaction, checks permissions and domain
//! rules, writes the audit entry, and returns rows. Shared by the HTTP handlers and
//! the command line; no HTTP types here.

/// Use cases over one connection or one write transaction: each
/// `run|tx name(params…) -> Out = |conn| body [then f];` is an
/// `async fn name(db, params…) -> ApiResult<Out>` that opens a connection (`run`) or a
/// write transaction (`tx`, see [`crate::db::Db::tx`]), evaluates `body` there with the
/// parameters moved in, and answers what it returns, through `f` (`Result::and_then`)
/// when one is given. The policy is asked in `body`, like any other step.
macro_rules! on_db {
    ($(
        $(#[$doc:meta])*
        $mode:ident $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty
            = |$conn:ident| $body:expr $(, then $then:expr)?;
    )+) => {$(
        $(#[$doc])*
        pub async fn $name(
            db: &$crate::db::Db,
            $($arg: $ty),*
        ) -> $crate::error::ApiResult<$out> {
            db.$mode(move |$conn| $body).await $(.and_then($then))?
        }
    )+};
}

pub mod accounts;
pub mod audit;
pub mod check;
pub mod consultations;
pub mod copies;
pub mod deadlines;
pub mod documents;
pub mod dto;
pub mod export;
pub mod health;
pub mod iso;
pub mod iso_hooks;
pub mod org_units;
pub mod policy;
pub mod queue;
pub mod regimes;
pub mod relations;
pub mod reorganisations;
pub mod reports;
pub mod review;
pub mod search;
pub mod self_inspection;
pub mod systematization;
pub mod timestamp;
pub mod versions;
pub mod workflow;
pub mod workspace;

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
    /// The day the caller's unit ceased (a reorganisation abolished it): from then on its
    /// staff no longer act for it, they only read (see [`acts_for_a_unit`]).
    pub unit_abolished_on: Option<chrono::NaiveDate>,
}

/// Whether `action` is done on behalf of the caller's unit (drafting, appraising,
/// reviewing, controlling documents), which the staff of an abolished unit no longer do.
/// Reading and administering accounts and units are not: an admin moves the accounts of an
/// abolished unit to its successors.
pub fn acts_for_a_unit(action: Action) -> bool {
    !matches!(
        action,
        Action::ManageUsers
            | Action::ManageOrgUnits
            | Action::ReadOrgUnits
            | Action::ReadAudit
            | Action::ReadAllDrafts
            | Action::ReadReviews
            | Action::ReadIsoRecords
            | Action::ReadReports
    )
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user_id.clone()),
            name: self.username.clone(),
        }
    }

    /// May the caller's role do `action` at all (and does their unit still exist, for an
    /// action done on its behalf)?
    pub fn may(&self, action: Action) -> bool {
        allows(self.role, action) && !(self.unit_ceased() && acts_for_a_unit(action))
    }

    /// Whether the caller's unit was abolished on or before today.
    pub fn unit_ceased(&self) -> bool {
        self.unit_abolished_on.is_some_and(|a| a <= today())
    }

    pub fn require(&self, action: Action) -> ApiResult<()> {
        self.require_because(action, || {
            format!("the {} role may not do this", self.role.as_str())
        })
    }

    /// [`Caller::require`], refusing with the reason `why` gives.
    pub fn require_because(&self, action: Action, why: impl FnOnce() -> String) -> ApiResult<()> {
        if self.may(action) {
            return Ok(());
        }
        if allows(self.role, action) {
            // The role may, the unit is gone: say so.
            self.require_unit_active()?;
        }
        Err(AppError::Forbidden(why()))
    }

    /// Refuses the staff of a unit that ceased in a reorganisation, whatever they ask to do
    /// on its behalf.
    pub fn require_unit_active(&self) -> ApiResult<()> {
        match self.unit_abolished_on {
            Some(on) if self.unit_ceased() => Err(AppError::Forbidden(format!(
                "your unit ceased on {on} (reorganisation); its documents passed to its successors"
            ))),
            _ => Ok(()),
        }
    }
}

/// An insert whose unique key may be taken: the conflict is answered with `detail`.
pub fn unique<T>(
    inserted: crate::db::DbResult<T>,
    detail: impl FnOnce() -> String,
) -> ApiResult<T> {
    inserted.map_err(|e| match e {
        crate::db::DbError::Conflict(_) => AppError::conflict(detail()),
        other => other.into(),
    })
}

/// Reads on a pooled connection once the policy allows the caller `action`.
pub async fn read_allowed<T, F>(
    db: &crate::db::Db,
    caller: &Caller,
    action: Action,
    read: F,
) -> ApiResult<T>
where
    F: FnOnce(&mut crate::db::Conn) -> crate::db::DbResult<T> + Send + 'static,
    T: Send + 'static,
{
    caller.require(action)?;
    Ok(db.run(read).await?)
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

/// Whether the caller may see this document; invisible documents are reported as
/// not found, so that their existence does not leak.
pub fn can_see(caller: Option<&Caller>, doc: &Document) -> bool {
    let published = matches!(
        doc.state,
        DocumentState::Published | DocumentState::Withdrawn
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

/// The one check of a text field from outside, before it is stored: cleaned by
/// [`crate::domain::text::clean`] (bidirectional controls removed, NFC, trimmed), then
/// refused (422 naming the field) when empty, without a visible character (only spaces,
/// zero-width or other invisible characters), too long, or with control characters.
pub fn clean_text(field: &'static str, value: &str, max_chars: usize) -> ApiResult<String> {
    use crate::domain::text;
    let v = text::clean(value);
    if v.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if !v.chars().any(text::is_visible) {
        return Err(AppError::invalid(field, "must contain a visible character"));
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

/// An optional text field: absent when missing or empty once cleaned, else as [`clean_text`].
pub fn clean_opt(
    field: &'static str,
    value: Option<&str>,
    max_chars: usize,
) -> ApiResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if crate::domain::text::clean(v).is_empty() => Ok(None),
        Some(v) => clean_text(field, v, max_chars).map(Some),
    }
}

/// Runs blocking work (reading or stamping a file) on the blocking threads and gives up
/// after `limit`, answering `timed_out`: a hostile file holds no async worker, and no
/// connection, while it is read.
pub async fn within<T: Send + 'static>(
    limit: std::time::Duration,
    timed_out: AppError,
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::time::timeout(limit, tokio::task::spawn_blocking(work))
        .await
        .map_err(|_| timed_out)?
        .map_err(AppError::internal)?
}

/// How long one PDF or DOCX may take to read or stamp.
pub fn pdf_time_limit(s: &crate::config::PdfSettings) -> std::time::Duration {
    std::time::Duration::from_secs(s.timeout_seconds.max(1))
}

/// The PDF limits of the settings, for uploads, renders and stamps alike.
pub fn pdf_limits(s: &crate::config::PdfSettings) -> crate::pdf::Limits {
    crate::pdf::Limits {
        max_bytes: s.max_bytes,
        max_pages: s.max_pages,
        max_decoded_bytes: s.max_decoded_bytes,
        max_duration: pdf_time_limit(s),
        ..crate::pdf::Limits::default()
    }
}

#[cfg(test)]
mod clean_tests {
    use super::{clean_opt, clean_text};
    use crate::error::AppError;

    fn field_of(e: AppError) -> String {
        match e {
            AppError::Validation(errors) => errors[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invisible_text_is_refused_naming_the_field() {
        for v in [
            "\u{200B}",
            " \u{200B}\u{200C}\u{200D} ",
            "\u{FEFF}\u{2060}",
            "\u{202E}",
            "\u{3164}",
            "\u{301}",
        ] {
            let e = clean_text("name", v, 100).unwrap_err();
            assert_eq!(field_of(e), "name", "{v:?}");
        }
        assert_eq!(
            field_of(clean_text("body", "a\u{7}b", 100).unwrap_err()),
            "body"
        );
    }

    #[test]
    fn bidi_controls_are_removed_from_stored_text() {
        assert_eq!(
            clean_text("title", "Quy\u{202E}ết định\u{2069} 5\u{200F}", 100).unwrap(),
            "Quyết định 5"
        );
        assert_eq!(
            clean_opt("organisation", Some("\u{202E} "), 100).unwrap(),
            None
        );
        assert_eq!(
            clean_opt("organisation", Some("UBND\u{202D}"), 100)
                .unwrap()
                .as_deref(),
            Some("UBND")
        );
        assert!(clean_opt("organisation", Some("\u{3164}"), 100).is_err());
    }
}
