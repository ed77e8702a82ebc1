//! After promulgation: self-inspection (tự kiểm tra), review campaigns (rà soát), the
//! impact of a change to a document's legal basis, and systematisation (hệ thống hóa).
//! The vocabularies and the rules, without HTTP or SQL.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::effect::{ends_in_part, Effect, IncomingRelation};
use super::kinds::{vocabulary, LegalEffect, RelationKind};
use super::RuleError;

vocabulary! {
    /// The result of a self-inspection (kết quả tự kiểm tra).
    SelfInspectionResult {
        Lawful => "lawful", "Hợp pháp";
        UnlawfulContent => "unlawful_content", "Có nội dung trái pháp luật";
        ImproperFormOrCompetence => "improper_form_or_competence", "Sai thẩm quyền, hình thức";
    }
}

vocabulary! {
    /// How an unlawful document is handled (xử lý văn bản).
    InspectionHandling {
        Amend => "amend", "Sửa đổi, bổ sung";
        Suspend => "suspend", "Đình chỉ việc thi hành";
        Repeal => "repeal", "Bãi bỏ";
        Correct => "correct", "Đính chính";
    }
}

vocabulary! {
    /// Where a self-inspection is.
    InspectionState {
        Open => "open", "Chưa có kết quả";
        Recorded => "recorded", "Đã có kết quả";
    }
}

vocabulary! {
    /// The result of reviewing one document (kết quả rà soát).
    ReviewResult {
        StillAppropriate => "still_appropriate", "Còn phù hợp";
        Amend => "amend", "Cần sửa đổi, bổ sung";
        Replace => "replace", "Cần thay thế";
        Repeal => "repeal", "Cần bãi bỏ";
        Expired => "expired", "Hết hiệu lực";
        // After a reorganisation: the inherited document keeps applying in its territory
        // (Luật 64/2025/QH15, Điều 54 khoản 2, as amended by Luật 87/2025/QH15).
        ContinueToApply => "continue_to_apply", "Tiếp tục áp dụng";
    }
}

vocabulary! {
    /// Where a review campaign is.
    CampaignState {
        Open => "open", "Đang rà soát";
        Closed => "closed", "Đã kết thúc";
    }
}

vocabulary! {
    /// Why a document was flagged for review.
    ReviewFlagCause {
        Amends => "amends", "Căn cứ được sửa đổi, bổ sung";
        Replaces => "replaces", "Căn cứ bị thay thế";
        Repeals => "repeals", "Căn cứ bị bãi bỏ";
        Suspends => "suspends", "Căn cứ bị đình chỉ, ngưng hiệu lực";
        SelfInspection => "self_inspection", "Xử lý sau tự kiểm tra";
    }
}

/// The relation kinds that change the target so that what is based on it needs review.
pub fn flag_cause(kind: RelationKind) -> Option<ReviewFlagCause> {
    match kind {
        RelationKind::Amends => Some(ReviewFlagCause::Amends),
        RelationKind::Replaces => Some(ReviewFlagCause::Replaces),
        RelationKind::Repeals => Some(ReviewFlagCause::Repeals),
        RelationKind::Suspends => Some(ReviewFlagCause::Suspends),
        RelationKind::BasedOn | RelationKind::Guides | RelationKind::Corrects => None,
    }
}

/// Whether a document based on a changed one must be reviewed. Not when it was signed
/// after the change took effect (it was written against the changed text), nor when it
/// had already expired in full by then.
pub fn dependent_needs_review(
    dependent_signed_on: Option<NaiveDate>,
    dependent_effect_on_change: LegalEffect,
    change_on: Option<NaiveDate>,
) -> bool {
    if dependent_effect_on_change == LegalEffect::Expired {
        return false;
    }
    match (dependent_signed_on, change_on) {
        (Some(signed), Some(change)) => signed <= change,
        _ => true,
    }
}

/// The date a self-inspection counts from: the document's promulgation (its signing),
/// else its publication, else the day it is opened.
pub fn inspection_start(
    signed_on: Option<NaiveDate>,
    published_on: Option<NaiveDate>,
    today: NaiveDate,
) -> NaiveDate {
    signed_on.or(published_on).unwrap_or(today)
}

pub fn is_overdue(state: InspectionState, due_on: NaiveDate, on: NaiveDate) -> bool {
    state == InspectionState::Open && due_on < on
}

/// A result is recorded once; anything but lawful needs findings and a handling, and a
/// lawful document has nothing to handle.
pub fn check_inspection_result(
    state: InspectionState,
    result: SelfInspectionResult,
    findings: Option<&str>,
    handling: Option<InspectionHandling>,
) -> Result<(), RuleError> {
    if state == InspectionState::Recorded {
        return Err(RuleError::guard(
            "self_inspection_recorded_once",
            "the result of this self-inspection is already recorded",
        ));
    }
    match (result, handling) {
        (SelfInspectionResult::Lawful, Some(_)) => Err(RuleError::invalid(
            "handling",
            "a lawful document has nothing to handle",
        )),
        (SelfInspectionResult::Lawful, None) => Ok(()),
        (_, None) => Err(RuleError::invalid(
            "handling",
            "required: amend, suspend, repeal or correct",
        )),
        (_, Some(_)) if findings.is_none() => Err(RuleError::invalid(
            "findings",
            "required: what is unlawful in the document",
        )),
        _ => Ok(()),
    }
}

/// A result that changes the document needs the action proposed to carry it out.
pub fn check_review_result(
    result: ReviewResult,
    proposed_action: Option<&str>,
) -> Result<(), RuleError> {
    let needs_action = matches!(
        result,
        ReviewResult::Amend | ReviewResult::Replace | ReviewResult::Repeal
    );
    if needs_action && proposed_action.is_none() {
        return Err(RuleError::invalid(
            "proposed_action",
            format!("required when the result is {result}"),
        ));
    }
    Ok(())
}

pub fn ensure_campaign_open(state: CampaignState) -> Result<(), RuleError> {
    match state {
        CampaignState::Open => Ok(()),
        CampaignState::Closed => Err(RuleError::guard(
            "campaign_closed",
            "the campaign is closed: its items no longer change",
        )),
    }
}

/// A campaign closes when every item is reviewed, or when forced with a reason.
pub fn check_close(
    state: CampaignState,
    unreviewed: i64,
    force: bool,
    reason: Option<&str>,
) -> Result<(), RuleError> {
    ensure_campaign_open(state)?;
    if force && reason.is_none() {
        return Err(RuleError::invalid(
            "reason",
            "required to close a campaign by force",
        ));
    }
    if unreviewed > 0 && !force {
        return Err(RuleError::guard(
            "campaign_has_unreviewed_items",
            format!("{unreviewed} item(s) have no result yet: review them, or close with force and a reason"),
        ));
    }
    Ok(())
}

/// Counts of results, one field per value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ResultCounts {
    pub still_appropriate: i64,
    pub amend: i64,
    pub replace: i64,
    pub repeal: i64,
    pub expired: i64,
    pub continue_to_apply: i64,
}

impl ResultCounts {
    pub fn add(&mut self, result: ReviewResult, n: i64) {
        let slot = match result {
            ReviewResult::StillAppropriate => &mut self.still_appropriate,
            ReviewResult::Amend => &mut self.amend,
            ReviewResult::Replace => &mut self.replace,
            ReviewResult::Repeal => &mut self.repeal,
            ReviewResult::Expired => &mut self.expired,
            ReviewResult::ContinueToApply => &mut self.continue_to_apply,
        };
        *slot += n;
    }

    pub fn total(&self) -> i64 {
        self.still_appropriate
            + self.amend
            + self.replace
            + self.repeal
            + self.expired
            + self.continue_to_apply
    }
}

/// The lists of a year's systematisation a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// In force (in whole or in the part that remains) at the end of the year.
    InForce,
    /// Suspended at the end of the year.
    Suspended,
    /// Expired in full during the year.
    ExpiredInFull,
    /// Expired in part during the year (and not in full).
    ExpiredInPart,
}

/// Places a document in the lists of `year`, from its legal effect on 31 December and
/// the relations that act on it.
pub fn systematization_lists(
    year: i32,
    end_of_year: &Effect,
    incoming: &[IncomingRelation],
) -> Vec<Listing> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return vec![];
    };
    let in_year = |d: NaiveDate| first <= d && d <= last;
    let mut lists = vec![];
    match end_of_year.effect {
        LegalEffect::NotYetEffective => return lists,
        LegalEffect::Expired => {
            if end_of_year.since.is_some_and(in_year) {
                lists.push(Listing::ExpiredInFull);
            }
            return lists;
        }
        LegalEffect::Suspended => lists.push(Listing::Suspended),
        // Suspended in part: what is not suspended is in force, and the suspension is
        // listed (danh mục văn bản ngưng hiệu lực toàn bộ hoặc một phần).
        LegalEffect::PartiallySuspended => {
            lists.push(Listing::InForce);
            lists.push(Listing::Suspended);
        }
        LegalEffect::InForce | LegalEffect::PartiallyExpired => lists.push(Listing::InForce),
    }
    if incoming
        .iter()
        .any(|r| ends_in_part(r.kind, r.scope) && in_year(r.effective_on))
    {
        lists.push(Listing::ExpiredInPart);
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::RelationScope;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn effect(e: LegalEffect, since: Option<&str>) -> Effect {
        Effect {
            effect: e,
            since: since.map(d),
            because: vec![],
        }
    }

    fn partial(on: &str) -> IncomingRelation {
        IncomingRelation {
            id: "p".into(),
            source_id: "s".into(),
            kind: RelationKind::Repeals,
            scope: RelationScope::Partial,
            effective_on: d(on),
            effective_until: None,
        }
    }

    #[test]
    fn changes_of_legal_basis_that_flag_dependents() {
        assert_eq!(
            flag_cause(RelationKind::Repeals),
            Some(ReviewFlagCause::Repeals)
        );
        assert_eq!(
            flag_cause(RelationKind::Suspends),
            Some(ReviewFlagCause::Suspends)
        );
        assert_eq!(flag_cause(RelationKind::BasedOn), None);
        assert_eq!(flag_cause(RelationKind::Guides), None);
        assert_eq!(flag_cause(RelationKind::Corrects), None);
    }

    #[test]
    fn documents_written_after_the_change_need_no_review() {
        let change = Some(d("2013-07-01"));
        assert!(dependent_needs_review(
            Some(d("2012-05-01")),
            LegalEffect::InForce,
            change
        ));
        assert!(dependent_needs_review(
            Some(d("2013-07-01")),
            LegalEffect::InForce,
            change
        ));
        assert!(!dependent_needs_review(
            Some(d("2016-01-01")),
            LegalEffect::NotYetEffective,
            change
        ));
        assert!(dependent_needs_review(
            None,
            LegalEffect::NotYetEffective,
            change
        ));
        assert!(!dependent_needs_review(
            Some(d("2012-05-01")),
            LegalEffect::Expired,
            change
        ));
    }

    #[test]
    fn self_inspection_results() {
        use InspectionHandling as H;
        use SelfInspectionResult as R;
        let open = InspectionState::Open;
        assert!(check_inspection_result(open, R::Lawful, None, None).is_ok());
        assert!(check_inspection_result(open, R::Lawful, Some("ok"), Some(H::Amend)).is_err());
        assert!(check_inspection_result(open, R::UnlawfulContent, Some("x"), None).is_err());
        assert!(
            check_inspection_result(open, R::ImproperFormOrCompetence, None, Some(H::Repeal))
                .is_err()
        );
        assert!(
            check_inspection_result(open, R::UnlawfulContent, Some("x"), Some(H::Suspend)).is_ok()
        );
        assert!(matches!(
            check_inspection_result(InspectionState::Recorded, R::Lawful, None, None),
            Err(RuleError::Guard {
                guard: "self_inspection_recorded_once",
                ..
            })
        ));
    }

    #[test]
    fn overdue_and_start() {
        let due = d("2017-02-15");
        assert!(is_overdue(InspectionState::Open, due, d("2017-02-16")));
        assert!(!is_overdue(InspectionState::Open, due, d("2017-02-15")));
        assert!(!is_overdue(InspectionState::Recorded, due, d("2018-01-01")));
        let today = d("2026-11-27");
        assert_eq!(
            inspection_start(Some(d("2016-03-01")), Some(d("2016-03-05")), today),
            d("2016-03-01")
        );
        assert_eq!(
            inspection_start(None, Some(d("2016-03-05")), today),
            d("2016-03-05")
        );
        assert_eq!(inspection_start(None, None, today), today);
    }

    #[test]
    fn review_results_and_closing() {
        assert!(check_review_result(ReviewResult::StillAppropriate, None).is_ok());
        assert!(check_review_result(ReviewResult::Expired, None).is_ok());
        assert!(check_review_result(ReviewResult::Replace, None).is_err());
        assert!(check_review_result(ReviewResult::Repeal, Some("Trình bãi bỏ")).is_ok());
        let open = CampaignState::Open;
        assert!(check_close(open, 0, false, None).is_ok());
        assert!(matches!(
            check_close(open, 3, false, None),
            Err(RuleError::Guard {
                guard: "campaign_has_unreviewed_items",
                ..
            })
        ));
        assert!(matches!(
            check_close(open, 3, true, None),
            Err(RuleError::Invalid {
                field: "reason",
                ..
            })
        ));
        assert!(check_close(open, 3, true, Some("Hết năm")).is_ok());
        assert!(matches!(
            check_close(CampaignState::Closed, 0, false, None),
            Err(RuleError::Guard {
                guard: "campaign_closed",
                ..
            })
        ));
    }

    #[test]
    fn counts_by_result() {
        let mut c = ResultCounts::default();
        c.add(ReviewResult::Amend, 2);
        c.add(ReviewResult::Expired, 1);
        c.add(ReviewResult::Amend, 1);
        assert_eq!(c.amend, 3);
        assert_eq!(c.total(), 4);
    }

    #[test]
    fn systematization_lists_of_a_year() {
        use Listing::*;
        let none: [IncomingRelation; 0] = [];
        assert_eq!(
            systematization_lists(
                2016,
                &effect(LegalEffect::InForce, Some("2012-01-01")),
                &none
            ),
            vec![InForce]
        );
        assert_eq!(
            systematization_lists(
                2016,
                &effect(LegalEffect::Expired, Some("2016-06-30")),
                &none
            ),
            vec![ExpiredInFull]
        );
        assert!(systematization_lists(
            2016,
            &effect(LegalEffect::Expired, Some("2015-06-30")),
            &none
        )
        .is_empty());
        assert!(
            systematization_lists(2016, &effect(LegalEffect::NotYetEffective, None), &none)
                .is_empty()
        );
        let p = [partial("2016-03-01")];
        assert_eq!(
            systematization_lists(
                2016,
                &effect(LegalEffect::PartiallyExpired, Some("2016-03-01")),
                &p
            ),
            vec![InForce, ExpiredInPart]
        );
        // Expired in part in an earlier year: only in force.
        assert_eq!(
            systematization_lists(
                2017,
                &effect(LegalEffect::PartiallyExpired, Some("2016-03-01")),
                &p
            ),
            vec![InForce]
        );
        assert_eq!(
            systematization_lists(
                2016,
                &effect(LegalEffect::Suspended, Some("2016-05-01")),
                &none
            ),
            vec![Suspended]
        );
    }
}
