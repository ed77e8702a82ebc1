//! The life of a legal document, from drafting to promulgation, as a state machine.
//!
//! ```text
//! drafting ─open_consultation→ consultation ─close_consultation→ revising
//! drafting | revising ─request_appraisal→ appraisal
//! appraisal ─(opinion needs_revision)→ revising
//! appraisal ─submit→ submitted ─sign→ signed ─publish→ published (in force from its effective date)
//! submitted ─return_for_revision→ revising
//! ```
//! `allowed_actions` says what a role may do in a state; each action's guards (which
//! need data: dates, comments, the appraisal) are checked by [`check`] when it is
//! attempted, and a refusal names the guard.

use super::kinds::{DocumentKind, DocumentState, Role};
use super::RuleError;
use chrono::{Datelike, NaiveDate};

crate::vocabulary! {
    /// What can be done to a draft.
    WorkflowAction {
        OpenConsultation => "open_consultation", "Lấy ý kiến";
        CloseConsultation => "close_consultation", "Kết thúc lấy ý kiến";
        RequestAppraisal => "request_appraisal", "Gửi thẩm định";
        Submit => "submit", "Trình ký";
        ReturnForRevision => "return_for_revision", "Trả lại để chỉnh lý";
        Sign => "sign", "Ký ban hành";
        Publish => "publish", "Công bố";
    }
}

crate::vocabulary! {
    /// The justice office's opinion on a draft (thẩm định).
    AppraisalOpinion {
        FitToSubmit => "fit_to_submit", "Đủ điều kiện trình";
        NeedsRevision => "needs_revision", "Cần chỉnh lý";
    }
}

crate::vocabulary! {
    /// Where a public comment is.
    CommentStatus {
        Pending => "pending", "Chờ duyệt";
        Published => "published", "Đã công khai";
        Rejected => "rejected", "Không đăng (spam)";
    }
}

crate::vocabulary! {
    /// What was done with a comment (tiếp thu, giải trình).
    Disposition {
        Accepted => "accepted", "Tiếp thu";
        PartiallyAccepted => "partially_accepted", "Tiếp thu một phần";
        NotAccepted => "not_accepted", "Không tiếp thu";
    }
}

/// The state an action leads to, if it is possible from `state` at all.
pub fn next_state(state: DocumentState, action: WorkflowAction) -> Option<DocumentState> {
    use DocumentState as S;
    use WorkflowAction as A;
    match (state, action) {
        (S::Drafting, A::OpenConsultation) => Some(S::Consultation),
        (S::Consultation, A::CloseConsultation) => Some(S::Revising),
        (S::Drafting | S::Revising, A::RequestAppraisal) => Some(S::Appraisal),
        (S::Appraisal, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::ReturnForRevision) => Some(S::Revising),
        (S::Submitted, A::Sign) => Some(S::Signed),
        (S::Signed, A::Publish) => Some(S::Published),
        _ => None,
    }
}

/// Who may take an action: drafting agencies move their drafts, the justice office runs
/// consultations and appraisal with them, and only an approver signs.
pub fn role_may(role: Role, action: WorkflowAction) -> bool {
    use WorkflowAction as A;
    match action {
        A::OpenConsultation | A::CloseConsultation | A::RequestAppraisal | A::Submit => {
            matches!(role, Role::Drafter | Role::LegalOfficer)
        }
        A::ReturnForRevision | A::Sign => role == Role::Approver,
        A::Publish => matches!(role, Role::Approver | Role::LegalOfficer),
    }
}

/// The actions a role may take in a state (guards are checked when attempted).
pub fn allowed_actions(
    state: DocumentState,
    role: Option<Role>,
    is_iso: bool,
) -> Vec<WorkflowAction> {
    let Some(role) = role else { return vec![] };
    if is_iso {
        return vec![];
    }
    WorkflowAction::ALL
        .iter()
        .copied()
        .filter(|a| next_state(state, *a).is_some() && role_may(role, *a))
        .collect()
}

/// What the guards of an action look at.
#[derive(Debug, Clone, Default)]
pub struct GuardFacts {
    pub today: Option<NaiveDate>,
    /// The document has at least one version.
    pub has_version: bool,
    /// For open_consultation: the requested closing date and the earliest allowed.
    pub consultation_closes_on: Option<NaiveDate>,
    pub earliest_close: Option<NaiveDate>,
    /// Where the law sets the shortest consultation (cited in the refusal).
    pub consultation_basis: Option<String>,
    /// For close_consultation: when the open consultation closes.
    pub open_consultation_closes_on: Option<NaiveDate>,
    /// Published comments on this document still without a disposition.
    pub comments_without_disposition: usize,
    /// Comments still waiting for moderation.
    pub comments_pending: usize,
    /// The latest appraisal opinion, and whether it concerns the current version.
    pub appraisal: Option<(AppraisalOpinion, bool)>,
    /// For sign: whether the signer wrote the version to be signed.
    pub signer_is_author: bool,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub earliest_effective: Option<NaiveDate>,
    /// Where the law sets the shortest time between signing and effect.
    pub effective_basis: Option<String>,
}

/// " (basis)" for a refusal that cites the law, or nothing.
fn cited(basis: &Option<String>) -> String {
    basis
        .as_deref()
        .map(|b| format!(" ({b})"))
        .unwrap_or_default()
}

/// Checks every guard of `action`; the first that fails is returned by name.
pub fn check(
    state: DocumentState,
    action: WorkflowAction,
    f: &GuardFacts,
) -> Result<DocumentState, RuleError> {
    use WorkflowAction as A;
    let next = next_state(state, action).ok_or_else(|| {
        RuleError::guard(
            "action_allowed_in_state",
            format!("{} is not possible while the document is {}", action, state),
        )
    })?;
    match action {
        A::OpenConsultation => {
            if !f.has_version {
                return Err(RuleError::guard(
                    "draft_has_text",
                    "add a version with the draft text first",
                ));
            }
            if let (Some(closes), Some(earliest)) = (f.consultation_closes_on, f.earliest_close) {
                if closes < earliest {
                    return Err(RuleError::guard(
                        "consultation_min_days",
                        format!(
                            "a consultation lasts at least until {earliest}{}",
                            cited(&f.consultation_basis)
                        ),
                    ));
                }
            }
        }
        A::CloseConsultation => {
            if let (Some(today), Some(closes)) = (f.today, f.open_consultation_closes_on) {
                if today < closes {
                    return Err(RuleError::guard(
                        "consultation_not_closed_early",
                        format!("the consultation runs until {closes} and cannot close early"),
                    ));
                }
            }
        }
        A::RequestAppraisal => {
            if !f.has_version {
                return Err(RuleError::guard(
                    "draft_has_text",
                    "add a version with the draft text first",
                ));
            }
        }
        A::Submit => {
            if f.comments_pending > 0 {
                return Err(RuleError::guard(
                    "comments_moderated",
                    format!(
                        "{} comment(s) still wait for moderation",
                        f.comments_pending
                    ),
                ));
            }
            if f.comments_without_disposition > 0 {
                return Err(RuleError::guard(
                    "comments_have_dispositions",
                    format!(
                        "{} published comment(s) have no disposition",
                        f.comments_without_disposition
                    ),
                ));
            }
            match f.appraisal {
                Some((AppraisalOpinion::FitToSubmit, true)) => {}
                _ => {
                    return Err(RuleError::guard(
                        "appraisal_fit_to_submit",
                        "the current version needs an appraisal opinion fit_to_submit",
                    ))
                }
            }
        }
        A::Sign => {
            if f.signer_is_author {
                return Err(RuleError::guard(
                    "signer_is_not_author",
                    "the approver who signs must not be the author of the version signed",
                ));
            }
            if let (Some(eff), Some(earliest)) = (f.effective_from, f.earliest_effective) {
                if eff < earliest {
                    return Err(RuleError::guard(
                        "effective_after_signing",
                        format!(
                            "the effective date must be on or after {earliest}{}",
                            cited(&f.effective_basis)
                        ),
                    ));
                }
            }
            if f.effective_from.is_none() {
                return Err(RuleError::invalid("effective_from", "required to sign"));
            }
        }
        A::ReturnForRevision | A::Publish => {}
    }
    Ok(next)
}

/// The symbol of a number (`QĐ-UBND`) for a kind and an issuer code.
pub fn number_symbol(kind: DocumentKind, issuer_code: &str) -> String {
    let k = match kind {
        DocumentKind::Decision => "QĐ",
        DocumentKind::Resolution => "NQ",
        DocumentKind::Directive => "CT",
        DocumentKind::Plan => "KH",
        DocumentKind::Scheme => "ĐA",
        DocumentKind::Program => "CTr",
        DocumentKind::Decree => "NĐ",
        DocumentKind::Circular => "TT",
        _ => "VB",
    };
    let issuer = match issuer_code {
        "HDND" => "HĐND",
        other => other,
    };
    format!("{k}-{issuer}")
}

/// A normative document's number: `05/2017/QĐ-UBND`.
pub fn format_number(
    n: i32,
    signed_on: NaiveDate,
    kind: DocumentKind,
    issuer_code: &str,
) -> String {
    format!(
        "{n:02}/{}/{}",
        signed_on.year(),
        number_symbol(kind, issuer_code)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use DocumentState as S;
    use WorkflowAction as A;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_happy_path_is_a_chain() {
        let mut s = S::Drafting;
        for a in [
            A::OpenConsultation,
            A::CloseConsultation,
            A::RequestAppraisal,
            A::Submit,
            A::Sign,
            A::Publish,
        ] {
            s = next_state(s, a).expect("allowed");
        }
        assert_eq!(s, S::Published);
        assert_eq!(next_state(S::Published, A::Sign), None);
        assert_eq!(next_state(S::Drafting, A::Sign), None);
    }

    #[test]
    fn actions_depend_on_role_and_state() {
        assert_eq!(
            allowed_actions(S::Drafting, Some(Role::Drafter), false),
            vec![A::OpenConsultation, A::RequestAppraisal]
        );
        assert_eq!(
            allowed_actions(S::Submitted, Some(Role::Approver), false),
            vec![A::ReturnForRevision, A::Sign]
        );
        assert!(allowed_actions(S::Submitted, Some(Role::Drafter), false).is_empty());
        assert!(allowed_actions(S::Drafting, None, false).is_empty());
        assert!(allowed_actions(S::Drafting, Some(Role::Viewer), false).is_empty());
    }

    #[test]
    fn each_guard_refuses_by_name() {
        let guard = |r: Result<S, RuleError>| match r {
            Err(RuleError::Guard { guard, .. }) => guard,
            other => panic!("expected a guard, got {other:?}"),
        };
        let f = GuardFacts::default();
        assert_eq!(
            guard(check(S::Drafting, A::OpenConsultation, &f)),
            "draft_has_text"
        );
        let f = GuardFacts {
            has_version: true,
            consultation_closes_on: Some(d("2017-03-10")),
            earliest_close: Some(d("2017-03-31")),
            ..Default::default()
        };
        assert_eq!(
            guard(check(S::Drafting, A::OpenConsultation, &f)),
            "consultation_min_days"
        );
        let f = GuardFacts {
            today: Some(d("2017-03-10")),
            open_consultation_closes_on: Some(d("2017-03-31")),
            ..Default::default()
        };
        assert_eq!(
            guard(check(S::Consultation, A::CloseConsultation, &f)),
            "consultation_not_closed_early"
        );
        let f = GuardFacts {
            comments_without_disposition: 2,
            ..Default::default()
        };
        assert_eq!(
            guard(check(S::Appraisal, A::Submit, &f)),
            "comments_have_dispositions"
        );
        let f = GuardFacts {
            comments_pending: 1,
            ..Default::default()
        };
        assert_eq!(
            guard(check(S::Appraisal, A::Submit, &f)),
            "comments_moderated"
        );
        let f = GuardFacts {
            appraisal: Some((AppraisalOpinion::FitToSubmit, false)),
            ..Default::default()
        };
        assert_eq!(
            guard(check(S::Appraisal, A::Submit, &f)),
            "appraisal_fit_to_submit"
        );
        let f = GuardFacts {
            appraisal: Some((AppraisalOpinion::NeedsRevision, true)),
            ..Default::default()
        };
        assert_eq!(
            guard(check(S::Appraisal, A::Submit, &f)),
            "appraisal_fit_to_submit"
        );
        let f = GuardFacts {
            signer_is_author: true,
            ..Default::default()
        };
        assert_eq!(
            guard(check(S::Submitted, A::Sign, &f)),
            "signer_is_not_author"
        );
        let f = GuardFacts {
            effective_from: Some(d("2017-05-12")),
            earliest_effective: Some(d("2017-05-17")),
            ..Default::default()
        };
        assert_eq!(
            guard(check(S::Submitted, A::Sign, &f)),
            "effective_after_signing"
        );
        assert_eq!(
            guard(check(S::Published, A::Sign, &f)),
            "action_allowed_in_state"
        );
    }

    #[test]
    fn numbers_are_written_as_the_district_writes_them() {
        assert_eq!(
            format_number(5, d("2017-05-10"), DocumentKind::Decision, "UBND"),
            "05/2017/QĐ-UBND"
        );
        assert_eq!(
            format_number(12, d("2016-07-01"), DocumentKind::Resolution, "HDND"),
            "12/2016/NQ-HĐND"
        );
        assert_eq!(
            format_number(123, d("2016-07-01"), DocumentKind::Decision, "UBND"),
            "123/2016/QĐ-UBND"
        );
    }
}
