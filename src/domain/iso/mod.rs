//! ISO 9001 document control (TCVN ISO 9001, clause 7.5), as pure rules.
//!
//! A revision goes draft → in_review → approved → current, and from current to
//! superseded (the next revision was issued) or withdrawn (the document was withdrawn
//! from use). A revision not yet issued may be abandoned (withdrawn). Issuing is one
//! change set: the new revision becomes current and the one it replaces is superseded,
//! so that a document in use has exactly one current revision at every moment, and none
//! before its first issue or after its withdrawal. Superseded and withdrawn revisions are
//! obsolete: kept for the record, always served with the "TÀI LIỆU LỖI THỜI" stamp.
//!
//! Controlled copies follow the revisions: every copy of a revision that is no longer
//! current is recalled until its withdrawal is confirmed.

use chrono::{Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::kinds::RevisionState;
use super::RuleError;

/// What can happen to one revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionEvent {
    /// The draft goes to review.
    Submit,
    /// The reviewers send it back to draft.
    Return,
    Approve,
    Issue,
    /// A newer revision was issued.
    Supersede,
    /// A revision not yet issued is abandoned.
    Abandon,
    /// The whole document is withdrawn from use.
    WithdrawDocument,
}

/// The state after `event`, or the guard that refuses it.
pub fn next_state(from: RevisionState, event: RevisionEvent) -> Result<RevisionState, RuleError> {
    use RevisionEvent as E;
    use RevisionState as S;
    let refuse = |guard: &'static str, what: &str| {
        Err(RuleError::guard(
            guard,
            format!("a revision that is {} cannot {what}", from.as_str()),
        ))
    };
    match (event, from) {
        (E::Submit, S::Draft) => Ok(S::InReview),
        (E::Submit, _) => refuse("submit_only_drafts", "be submitted for review"),
        (E::Return, S::InReview) => Ok(S::Draft),
        (E::Return, _) => refuse("return_only_in_review", "be returned to draft"),
        (E::Approve, S::InReview) => Ok(S::Approved),
        (E::Approve, _) => refuse("approve_only_in_review", "be approved"),
        (E::Issue, S::Approved) => Ok(S::Current),
        (E::Issue, _) => refuse("issue_only_approved", "be issued"),
        (E::Supersede, S::Current) => Ok(S::Superseded),
        (E::Supersede, _) => refuse("supersede_only_current", "be superseded"),
        (E::Abandon, S::Draft | S::InReview | S::Approved) => Ok(S::Withdrawn),
        (E::Abandon, S::Current) => refuse(
            "withdraw_current_with_document",
            "be withdrawn on its own: withdraw the document, which recalls its copies",
        ),
        (E::Abandon, _) => refuse("obsolete_is_final", "be withdrawn again"),
        (E::WithdrawDocument, S::Superseded | S::Withdrawn) => Ok(from),
        (E::WithdrawDocument, _) => Ok(S::Withdrawn),
    }
}

/// Obsolete revisions are kept for the record but never used.
pub fn is_obsolete(state: RevisionState) -> bool {
    matches!(state, RevisionState::Superseded | RevisionState::Withdrawn)
}

/// The label of the n-th issue of a document.
pub fn revision_label(revision_no: i32) -> String {
    format!("Lần ban hành {revision_no:02}")
}

/// One revision as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionView {
    pub id: String,
    pub state: RevisionState,
    pub revision_no: Option<i32>,
    pub effective_from: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    pub id: String,
    pub from: RevisionState,
    pub to: RevisionState,
}

/// What issuing a revision changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuePlan {
    pub revision_no: i32,
    /// The issued revision first, then the one it supersedes (if any).
    pub changes: Vec<StateChange>,
    pub supersedes: Option<String>,
}

/// Issuing `id` effective `effective_from`, judged on `today`: the new revision becomes
/// current and the current one superseded, together.
pub fn plan_issue(
    revisions: &[RevisionView],
    id: &str,
    effective_from: NaiveDate,
    today: NaiveDate,
) -> Result<IssuePlan, RuleError> {
    let rev = revisions
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| RuleError::invalid("id", "no such revision of this document"))?;
    let to = next_state(rev.state, RevisionEvent::Issue)?;
    if effective_from > today {
        return Err(RuleError::guard(
            "effective_not_in_future",
            format!(
                "a revision is issued on its effective date: issue it on {effective_from}, not before"
            ),
        ));
    }
    let current = revisions.iter().find(|r| r.state == RevisionState::Current);
    if let Some(prev) = current.and_then(|c| c.effective_from) {
        if effective_from < prev {
            return Err(RuleError::guard(
                "effective_after_previous",
                format!("the current revision is effective from {prev}: the new one cannot take effect before it"),
            ));
        }
    }
    let revision_no = revisions
        .iter()
        .filter_map(|r| r.revision_no)
        .max()
        .unwrap_or(0)
        + 1;
    let mut changes = vec![StateChange {
        id: rev.id.clone(),
        from: rev.state,
        to,
    }];
    if let Some(c) = current {
        changes.push(StateChange {
            id: c.id.clone(),
            from: c.state,
            to: next_state(c.state, RevisionEvent::Supersede)?,
        });
    }
    Ok(IssuePlan {
        revision_no,
        changes,
        supersedes: current.map(|c| c.id.clone()),
    })
}

/// Withdrawing a document from use: every revision that is not obsolete yet is withdrawn.
pub fn plan_withdraw_document(revisions: &[RevisionView]) -> Vec<StateChange> {
    revisions
        .iter()
        .filter(|r| !is_obsolete(r.state))
        .map(|r| StateChange {
            id: r.id.clone(),
            from: r.state,
            to: RevisionState::Withdrawn,
        })
        .collect()
}

/// Whether a new revision may be started: one at a time, so that two drafts never
/// race to replace the same current revision.
pub fn check_can_open_revision(revisions: &[RevisionView]) -> Result<(), RuleError> {
    match revisions.iter().find(|r| {
        matches!(
            r.state,
            RevisionState::Draft | RevisionState::InReview | RevisionState::Approved
        )
    }) {
        Some(open) => Err(RuleError::guard(
            "one_open_revision",
            format!(
                "revision {} is still {}: issue or abandon it first",
                open.id,
                open.state.as_str()
            ),
        )),
        None => Ok(()),
    }
}

/// The invariant: a document in use (issued at least once and not withdrawn) has
/// exactly one current revision; any other document has none.
pub fn check_one_current(revisions: &[RevisionView], withdrawn: bool) -> Result<(), String> {
    let current = revisions
        .iter()
        .filter(|r| r.state == RevisionState::Current)
        .count();
    let ever_issued = revisions.iter().any(|r| r.revision_no.is_some());
    let expected = usize::from(ever_issued && !withdrawn);
    if current == expected {
        Ok(())
    } else {
        Err(format!(
            "{current} current revisions where {expected} expected"
        ))
    }
}

/// The banner of an obsolete revision.
pub const OBSOLETE_TITLE: &str = "TÀI LIỆU LỖI THỜI";

/// The stamp an obsolete revision must carry wherever it is served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ObsoleteStamp {
    /// Always "TÀI LIỆU LỖI THỜI".
    pub title: String,
    /// Why it is obsolete: `superseded` or `withdrawn`.
    pub state: RevisionState,
    /// The day it stopped being current (or was abandoned).
    pub since: Option<NaiveDate>,
    /// The revision in use instead, when there is one.
    pub replaced_by: Option<String>,
}

/// Which stamp a revision in `state` must carry: the obsolete stamp for superseded and
/// withdrawn revisions, none for the others (drafts and copies are stamped elsewhere).
pub fn required_stamp(
    state: RevisionState,
    since: Option<NaiveDate>,
    replaced_by: Option<String>,
) -> Option<ObsoleteStamp> {
    is_obsolete(state).then(|| ObsoleteStamp {
        title: OBSOLETE_TITLE.to_owned(),
        state,
        since,
        replaced_by,
    })
}

/// Who receives a controlled copy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    Unit(String),
    User(String),
}

/// One controlled copy as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyView {
    pub id: String,
    pub version_id: String,
    pub recipient: Recipient,
    pub recall_requested: bool,
    pub withdrawn: bool,
}

impl CopyView {
    /// Still in the recipient's hands and not asked back.
    pub fn is_live(&self) -> bool {
        !self.withdrawn && !self.recall_requested
    }
}

/// Copies to recall when `current` is the revision in use (None once the document is
/// withdrawn): every copy of any other revision still out and not yet asked back.
pub fn copies_to_recall(copies: &[CopyView], current: Option<&str>) -> Vec<String> {
    copies
        .iter()
        .filter(|c| c.is_live() && Some(c.version_id.as_str()) != current)
        .map(|c| c.id.clone())
        .collect()
}

/// How to bring the copies of the current revision in line with the distribution list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistributionPlan {
    /// Recipients on the list without a live copy, in list order.
    pub issue: Vec<Recipient>,
    /// Live copies whose recipient left the list.
    pub recall: Vec<String>,
}

pub fn plan_distribution(list: &[Recipient], copies_of_current: &[CopyView]) -> DistributionPlan {
    let live: Vec<&CopyView> = copies_of_current.iter().filter(|c| c.is_live()).collect();
    let mut issue: Vec<Recipient> = vec![];
    for r in list {
        if !live.iter().any(|c| &c.recipient == r) && !issue.contains(r) {
            issue.push(r.clone());
        }
    }
    let recall = live
        .iter()
        .filter(|c| !list.contains(&c.recipient))
        .map(|c| c.id.clone())
        .collect();
    DistributionPlan { issue, recall }
}

/// The next review date: `months` after `from` (the end of a shorter month if needed).
pub fn next_review(from: NaiveDate, months: i32) -> Option<NaiveDate> {
    let m = u32::try_from(months).ok()?;
    from.checked_add_months(Months::new(m))
}

/// Whether a review is due within `within_days` of `today` (overdue counts as due).
pub fn review_due(next_review_on: Option<NaiveDate>, today: NaiveDate, within_days: i64) -> bool {
    next_review_on.is_some_and(|d| (d - today).num_days() <= within_days)
}

pub const MAX_REVIEW_PERIOD_MONTHS: i32 = 60;
pub const MAX_RETENTION_YEARS: i32 = 100;

pub fn check_review_period(months: i32) -> Result<(), RuleError> {
    if (1..=MAX_REVIEW_PERIOD_MONTHS).contains(&months) {
        Ok(())
    } else {
        Err(RuleError::invalid(
            "review_period_months",
            format!("between 1 and {MAX_REVIEW_PERIOD_MONTHS}"),
        ))
    }
}

pub fn check_retention(years: Option<i32>) -> Result<(), RuleError> {
    match years {
        Some(y) if !(1..=MAX_RETENTION_YEARS).contains(&y) => Err(RuleError::invalid(
            "retention_years",
            format!("between 1 and {MAX_RETENTION_YEARS}, or null to keep permanently"),
        )),
        _ => Ok(()),
    }
}

/// Parses an ISO document code such as `QT-TP-01`: letters, digits, `-`, `.` and `/`,
/// kept upper-case so that `qt-tp-01` names the same document.
pub fn parse_iso_code(raw: &str) -> Result<String, RuleError> {
    let code = raw.trim().to_uppercase();
    let ok = !code.is_empty()
        && code.chars().count() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/'))
        && code.chars().any(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(code)
    } else {
        Err(RuleError::invalid(
            "iso_code",
            "1 to 32 letters, digits, '-', '.' or '/', e.g. QT-TP-01",
        ))
    }
}

#[cfg(test)]
mod tests;
