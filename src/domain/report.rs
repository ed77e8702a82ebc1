//! The periodic report on the legal workflow (báo cáo định kỳ): per agency, for a quarter,
//! six months, nine months or a year — the plan's reporting rhythm — how many drafts are
//! in progress, consultations held, comments received and answered, appraisals,
//! documents promulgated, self-inspections done and overdue, review items done and open.
//!
//! Pure counting over facts the service layer reads from the database, each already
//! attributed to an agency and dated in local days.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::RuleError;

crate::vocabulary! {
    /// A reporting period within a year. Six and nine months count from 1 January, as
    /// Vietnamese periodic reports do.
    ReportPeriod {
        Q1 => "q1", "Quý I";
        Q2 => "q2", "Quý II";
        Q3 => "q3", "Quý III";
        Q4 => "q4", "Quý IV";
        SixMonths => "six_months", "6 tháng đầu năm";
        NineMonths => "nine_months", "9 tháng";
        Year => "year", "Năm";
    }
}

impl ReportPeriod {
    /// First and last day of the period in `year`.
    pub fn bounds(self, year: i32) -> Result<(NaiveDate, NaiveDate), RuleError> {
        let (first_month, last_month) = match self {
            ReportPeriod::Q1 => (1, 3),
            ReportPeriod::Q2 => (4, 6),
            ReportPeriod::Q3 => (7, 9),
            ReportPeriod::Q4 => (10, 12),
            ReportPeriod::SixMonths => (1, 6),
            ReportPeriod::NineMonths => (1, 9),
            ReportPeriod::Year => (1, 12),
        };
        if !(1900..=2100).contains(&year) {
            return Err(RuleError::invalid("year", "between 1900 and 2100"));
        }
        let first = NaiveDate::from_ymd_opt(year, first_month, 1);
        let last = NaiveDate::from_ymd_opt(
            if last_month == 12 { year + 1 } else { year },
            if last_month == 12 { 1 } else { last_month + 1 },
            1,
        )
        .and_then(|d| d.pred_opt());
        match (first, last) {
            (Some(first), Some(last)) => Ok((first, last)),
            _ => Err(RuleError::invalid("year", "not a year")),
        }
    }

    /// "Quý III năm 2026", "6 tháng đầu năm 2026", "Năm 2026".
    pub fn title_vi(self, year: i32) -> String {
        match self {
            ReportPeriod::Year => format!("Năm {year}"),
            ReportPeriod::SixMonths => format!("{} {year}", self.label_vi()),
            _ => format!("{} năm {year}", self.label_vi()),
        }
    }

    /// The period a date falls in, for a default: its quarter.
    pub fn quarter_of(date: NaiveDate) -> ReportPeriod {
        match date.month() {
            1..=3 => ReportPeriod::Q1,
            4..=6 => ReportPeriod::Q2,
            7..=9 => ReportPeriod::Q3,
            _ => ReportPeriod::Q4,
        }
    }
}

/// The days a report covers, and the day its "still open" figures are taken on: the
/// period's last day, or today while the period is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
}

impl Window {
    pub fn new(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Window {
        Window {
            from,
            to,
            as_of: to.min(today).max(from),
        }
    }

    fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// Happened on or before the snapshot day.
    fn by_as_of(&self, d: Option<NaiveDate>) -> bool {
        d.is_some_and(|d| d <= self.as_of)
    }
}

/// The agency a fact counts for: an org unit id, or `None` when nothing names one.
pub type Agency = Option<String>;

/// A legal or policy document of the district (not imported, not ISO).
#[derive(Debug, Clone)]
pub struct DraftFact {
    pub agency: Agency,
    pub created_on: NaiveDate,
    pub signed_on: Option<NaiveDate>,
    /// Withdrawn, or deleted from the workflow, on that day.
    pub withdrawn_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct ConsultationFact {
    pub agency: Agency,
    pub opens_on: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct CommentFact {
    pub agency: Agency,
    pub received_on: NaiveDate,
    /// Moderated as spam: counted apart, never owed an answer.
    pub rejected: bool,
    /// The day its disposition was recorded.
    pub answered_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct AppraisalFact {
    pub agency: Agency,
    pub on: NaiveDate,
    pub fit_to_submit: bool,
}

/// A draft sent to the justice office, and when its opinion was due and given.
#[derive(Debug, Clone)]
pub struct AppraisalRequestFact {
    pub agency: Agency,
    pub requested_on: NaiveDate,
    pub due_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct InspectionFact {
    pub agency: Agency,
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct ReviewItemFact {
    pub agency: Agency,
    pub created_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    /// The campaign was closed that day (its unreviewed items are no longer open).
    pub closed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub drafts: Vec<DraftFact>,
    pub consultations: Vec<ConsultationFact>,
    pub comments: Vec<CommentFact>,
    pub appraisals: Vec<AppraisalFact>,
    pub appraisal_requests: Vec<AppraisalRequestFact>,
    pub inspections: Vec<InspectionFact>,
    pub review_items: Vec<ReviewItemFact>,
}

/// The figures of one agency (or of all). "In the period" counts what happened between
/// `from` and `to`; "open" figures are taken on `as_of`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    /// Drafts started in the period.
    pub drafts_started: u32,
    /// Drafts not yet signed on `as_of`.
    pub drafts_in_progress: u32,
    /// Public consultations opened in the period.
    pub consultations_held: u32,
    /// Public comments received in the period (spam excluded).
    pub comments_received: u32,
    /// Comments rejected as spam, among those received in the period.
    pub comments_rejected: u32,
    /// Comments whose disposition (tiếp thu, giải trình) was recorded in the period.
    pub comments_answered: u32,
    /// Comments received by `as_of` and still without a disposition then (spam excluded).
    pub comments_unanswered: u32,
    /// Drafts sent for appraisal in the period.
    pub appraisals_requested: u32,
    /// Appraisal opinions given in the period.
    pub appraisals: u32,
    /// Of which: fit to submit.
    pub appraisals_fit_to_submit: u32,
    /// Of which: needs revision.
    pub appraisals_needs_revision: u32,
    /// Appraisal requests past their due date and unanswered on `as_of`.
    pub appraisals_overdue: u32,
    /// Documents signed in the period.
    pub documents_promulgated: u32,
    /// Self-inspections recorded in the period.
    pub self_inspections_done: u32,
    /// Self-inspections past their due date and not recorded on `as_of`.
    pub self_inspections_overdue: u32,
    /// Review items with a result recorded in the period.
    pub review_items_done: u32,
    /// Review items without a result on `as_of` (in campaigns still open then).
    pub review_items_open: u32,
}

impl Counts {
    /// Every figure with its name and Vietnamese label, in report order (CSV columns,
    /// PDF lines).
    pub fn figures(&self) -> [(&'static str, &'static str, u32); 17] {
        [
            (
                "drafts_started",
                "Dự thảo bắt đầu soạn",
                self.drafts_started,
            ),
            (
                "drafts_in_progress",
                "Dự thảo đang soạn (chưa ký)",
                self.drafts_in_progress,
            ),
            (
                "consultations_held",
                "Cuộc lấy ý kiến nhân dân",
                self.consultations_held,
            ),
            (
                "comments_received",
                "Ý kiến góp ý nhận được",
                self.comments_received,
            ),
            (
                "comments_rejected",
                "Ý kiến không đăng (spam)",
                self.comments_rejected,
            ),
            (
                "comments_answered",
                "Ý kiến đã tiếp thu, giải trình",
                self.comments_answered,
            ),
            (
                "comments_unanswered",
                "Ý kiến chưa tiếp thu, giải trình",
                self.comments_unanswered,
            ),
            (
                "appraisals_requested",
                "Dự thảo gửi thẩm định",
                self.appraisals_requested,
            ),
            ("appraisals", "Ý kiến thẩm định", self.appraisals),
            (
                "appraisals_fit_to_submit",
                "Thẩm định: đủ điều kiện trình",
                self.appraisals_fit_to_submit,
            ),
            (
                "appraisals_needs_revision",
                "Thẩm định: cần chỉnh lý",
                self.appraisals_needs_revision,
            ),
            (
                "appraisals_overdue",
                "Thẩm định quá hạn",
                self.appraisals_overdue,
            ),
            (
                "documents_promulgated",
                "Văn bản đã ban hành",
                self.documents_promulgated,
            ),
            (
                "self_inspections_done",
                "Văn bản đã tự kiểm tra",
                self.self_inspections_done,
            ),
            (
                "self_inspections_overdue",
                "Tự kiểm tra quá hạn",
                self.self_inspections_overdue,
            ),
            (
                "review_items_done",
                "Văn bản đã rà soát",
                self.review_items_done,
            ),
            (
                "review_items_open",
                "Văn bản chưa rà soát",
                self.review_items_open,
            ),
        ]
    }

    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }

    fn add(&mut self, other: &Counts) {
        let sum = |a: &mut u32, b: u32| *a += b;
        sum(&mut self.drafts_started, other.drafts_started);
        sum(&mut self.drafts_in_progress, other.drafts_in_progress);
        sum(&mut self.consultations_held, other.consultations_held);
        sum(&mut self.comments_received, other.comments_received);
        sum(&mut self.comments_rejected, other.comments_rejected);
        sum(&mut self.comments_answered, other.comments_answered);
        sum(&mut self.comments_unanswered, other.comments_unanswered);
        sum(&mut self.appraisals_requested, other.appraisals_requested);
        sum(&mut self.appraisals, other.appraisals);
        sum(
            &mut self.appraisals_fit_to_submit,
            other.appraisals_fit_to_submit,
        );
        sum(
            &mut self.appraisals_needs_revision,
            other.appraisals_needs_revision,
        );
        sum(&mut self.appraisals_overdue, other.appraisals_overdue);
        sum(&mut self.documents_promulgated, other.documents_promulgated);
        sum(&mut self.self_inspections_done, other.self_inspections_done);
        sum(
            &mut self.self_inspections_overdue,
            other.self_inspections_overdue,
        );
        sum(&mut self.review_items_done, other.review_items_done);
        sum(&mut self.review_items_open, other.review_items_open);
    }
}

/// The figures per agency (agencies with nothing to report are left out) and their total.
pub fn tally(window: &Window, facts: &Facts) -> (BTreeMap<Agency, Counts>, Counts) {
    let mut by: BTreeMap<Agency, Counts> = BTreeMap::new();
    fn at<'a>(by: &'a mut BTreeMap<Agency, Counts>, agency: &Agency) -> &'a mut Counts {
        by.entry(agency.clone()).or_default()
    }
    let w = window;
    for d in &facts.drafts {
        let c = at(&mut by, &d.agency);
        // A document recorded after its signing (an older one entered into the register)
        // was never a draft here.
        let drafted_here = d.signed_on.is_none_or(|s| d.created_on <= s);
        c.drafts_started += u32::from(drafted_here && w.contains(d.created_on));
        let started = drafted_here && d.created_on <= w.as_of;
        let ended = w.by_as_of(d.signed_on) || w.by_as_of(d.withdrawn_on);
        c.drafts_in_progress += u32::from(started && !ended);
        c.documents_promulgated += u32::from(d.signed_on.is_some_and(|s| w.contains(s)));
    }
    for x in &facts.consultations {
        at(&mut by, &x.agency).consultations_held += u32::from(w.contains(x.opens_on));
    }
    for x in &facts.comments {
        let c = at(&mut by, &x.agency);
        let received = w.contains(x.received_on);
        c.comments_received += u32::from(received && !x.rejected);
        c.comments_rejected += u32::from(received && x.rejected);
        c.comments_answered += u32::from(x.answered_on.is_some_and(|d| w.contains(d)));
        c.comments_unanswered +=
            u32::from(!x.rejected && x.received_on <= w.as_of && !w.by_as_of(x.answered_on));
    }
    for x in &facts.appraisals {
        if w.contains(x.on) {
            let c = at(&mut by, &x.agency);
            c.appraisals += 1;
            c.appraisals_fit_to_submit += u32::from(x.fit_to_submit);
            c.appraisals_needs_revision += u32::from(!x.fit_to_submit);
        }
    }
    for x in &facts.appraisal_requests {
        let c = at(&mut by, &x.agency);
        c.appraisals_requested += u32::from(w.contains(x.requested_on));
        c.appraisals_overdue += u32::from(
            x.requested_on <= w.as_of && x.due_on < w.as_of && !w.by_as_of(x.answered_on),
        );
    }
    for x in &facts.inspections {
        let c = at(&mut by, &x.agency);
        c.self_inspections_done += u32::from(x.done_on.is_some_and(|d| w.contains(d)));
        c.self_inspections_overdue +=
            u32::from(x.started_on <= w.as_of && x.due_on < w.as_of && !w.by_as_of(x.done_on));
    }
    for x in &facts.review_items {
        let c = at(&mut by, &x.agency);
        c.review_items_done += u32::from(x.done_on.is_some_and(|d| w.contains(d)));
        c.review_items_open += u32::from(
            x.created_on <= w.as_of && !w.by_as_of(x.done_on) && !w.by_as_of(x.closed_on),
        );
    }
    by.retain(|_, c| !c.is_empty());
    let mut total = Counts::default();
    for c in by.values() {
        total.add(c);
    }
    (by, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn q3_2026() -> Window {
        let (from, to) = ReportPeriod::Q3.bounds(2026).unwrap();
        Window::new(from, to, d("2026-11-27"))
    }

    fn agency(code: &str) -> Agency {
        Some(code.to_owned())
    }

    #[test]
    fn periods_follow_the_reporting_rhythm() {
        let b = |p: ReportPeriod| p.bounds(2024).unwrap();
        assert_eq!(b(ReportPeriod::Q1), (d("2024-01-01"), d("2024-03-31")));
        assert_eq!(b(ReportPeriod::Q2), (d("2024-04-01"), d("2024-06-30")));
        assert_eq!(b(ReportPeriod::Q3), (d("2024-07-01"), d("2024-09-30")));
        assert_eq!(b(ReportPeriod::Q4), (d("2024-10-01"), d("2024-12-31")));
        assert_eq!(
            b(ReportPeriod::SixMonths),
            (d("2024-01-01"), d("2024-06-30"))
        );
        assert_eq!(
            b(ReportPeriod::NineMonths),
            (d("2024-01-01"), d("2024-09-30"))
        );
        assert_eq!(b(ReportPeriod::Year), (d("2024-01-01"), d("2024-12-31")));
        assert!(ReportPeriod::Year.bounds(1066).is_err());
        assert_eq!(ReportPeriod::Q3.title_vi(2026), "Quý III năm 2026");
        assert_eq!(
            ReportPeriod::SixMonths.title_vi(2026),
            "6 tháng đầu năm 2026"
        );
        assert_eq!(ReportPeriod::Year.title_vi(2026), "Năm 2026");
        assert_eq!(ReportPeriod::quarter_of(d("2026-11-27")), ReportPeriod::Q4);
        assert_eq!("nine_months".parse(), Ok(ReportPeriod::NineMonths));
    }

    #[test]
    fn a_running_period_is_measured_today() {
        let (from, to) = ReportPeriod::Q4.bounds(2026).unwrap();
        assert_eq!(
            Window::new(from, to, d("2026-11-27")).as_of,
            d("2026-11-27")
        );
        assert_eq!(Window::new(from, to, d("2027-02-01")).as_of, to);
        // A period still to come is measured on its first day, not before it.
        assert_eq!(Window::new(from, to, d("2026-01-05")).as_of, from);
    }

    #[test]
    fn drafts_are_in_progress_until_signed_or_withdrawn() {
        let w = q3_2026();
        let draft = |created: &str, signed: Option<&str>, withdrawn: Option<&str>| DraftFact {
            agency: agency("TP"),
            created_on: d(created),
            signed_on: signed.map(d),
            withdrawn_on: withdrawn.map(d),
        };
        let facts = Facts {
            drafts: vec![
                draft("2026-05-02", None, None),               // still a draft
                draft("2026-07-10", Some("2026-09-01"), None), // started and signed in Q3
                draft("2026-08-10", Some("2026-10-05"), None), // signed after Q3
                draft("2026-06-01", None, Some("2026-08-01")), // abandoned in Q3
                draft("2026-10-01", None, None),               // after Q3
                draft("2026-08-01", Some("2015-03-01"), None), // an old one, registered
            ],
            ..Facts::default()
        };
        let (by, total) = tally(&w, &facts);
        let c = by[&agency("TP")];
        assert_eq!(c.drafts_started, 2);
        assert_eq!(c.drafts_in_progress, 2);
        assert_eq!(c.documents_promulgated, 1);
        assert_eq!(total, c);
    }

    #[test]
    fn comments_received_answered_and_owed() {
        let w = q3_2026();
        let comment = |on: &str, rejected: bool, answered: Option<&str>| CommentFact {
            agency: agency("TP"),
            received_on: d(on),
            rejected,
            answered_on: answered.map(d),
        };
        let facts = Facts {
            comments: vec![
                comment("2026-07-01", false, Some("2026-07-20")),
                comment("2026-07-02", false, Some("2026-10-02")), // answered late
                comment("2026-07-03", true, None),                // spam
                comment("2026-06-30", false, Some("2026-07-01")), // before, answered in Q3
                comment("2026-09-30", false, None),
            ],
            ..Facts::default()
        };
        let c = tally(&w, &facts).0[&agency("TP")];
        assert_eq!(c.comments_received, 3);
        assert_eq!(c.comments_rejected, 1);
        assert_eq!(c.comments_answered, 2);
        // On 30 September: the late one and the last one are still owed an answer.
        assert_eq!(c.comments_unanswered, 2);
    }

    #[test]
    fn inspections_and_review_items_done_overdue_and_open() {
        let w = q3_2026();
        let facts = Facts {
            inspections: vec![
                InspectionFact {
                    agency: agency("TP"),
                    started_on: d("2026-03-01"),
                    due_on: d("2026-04-01"),
                    done_on: None,
                },
                InspectionFact {
                    agency: agency("TP"),
                    started_on: d("2026-07-01"),
                    due_on: d("2026-08-01"),
                    done_on: Some(d("2026-07-15")),
                },
                InspectionFact {
                    agency: agency("TP"),
                    started_on: d("2026-09-01"),
                    due_on: d("2026-10-01"), // not yet due on 30 September
                    done_on: None,
                },
            ],
            review_items: vec![
                ReviewItemFact {
                    agency: agency("NV"),
                    created_on: d("2026-01-10"),
                    done_on: Some(d("2026-08-10")),
                    closed_on: None,
                },
                ReviewItemFact {
                    agency: agency("NV"),
                    created_on: d("2026-01-10"),
                    done_on: None,
                    closed_on: None,
                },
                ReviewItemFact {
                    agency: agency("NV"),
                    created_on: d("2026-01-10"),
                    done_on: None,
                    closed_on: Some(d("2026-06-30")),
                },
            ],
            ..Facts::default()
        };
        let (by, total) = tally(&w, &facts);
        assert_eq!(by[&agency("TP")].self_inspections_done, 1);
        assert_eq!(by[&agency("TP")].self_inspections_overdue, 1);
        assert_eq!(by[&agency("NV")].review_items_done, 1);
        assert_eq!(by[&agency("NV")].review_items_open, 1);
        assert_eq!(total.review_items_open, 1);
        assert_eq!(total.self_inspections_overdue, 1);
    }

    #[test]
    fn appraisals_by_opinion_and_quiet_agencies_left_out() {
        let w = q3_2026();
        let facts = Facts {
            appraisals: vec![
                AppraisalFact {
                    agency: agency("TP"),
                    on: d("2026-07-01"),
                    fit_to_submit: false,
                },
                AppraisalFact {
                    agency: agency("TP"),
                    on: d("2026-07-20"),
                    fit_to_submit: true,
                },
                AppraisalFact {
                    agency: agency("NV"),
                    on: d("2026-01-20"),
                    fit_to_submit: true,
                },
            ],
            appraisal_requests: vec![
                AppraisalRequestFact {
                    agency: agency("TP"),
                    requested_on: d("2026-06-20"),
                    due_on: d("2026-07-03"),
                    answered_on: Some(d("2026-07-01")),
                },
                AppraisalRequestFact {
                    agency: agency("TP"),
                    requested_on: d("2026-07-05"),
                    due_on: d("2026-07-19"),
                    answered_on: Some(d("2026-07-20")), // a day late, answered
                },
                AppraisalRequestFact {
                    agency: agency("TP"),
                    requested_on: d("2026-09-10"),
                    due_on: d("2026-09-24"),
                    answered_on: Some(d("2026-10-10")), // still owed on 30 September
                },
            ],
            consultations: vec![ConsultationFact {
                agency: None,
                opens_on: d("2026-08-01"),
            }],
            ..Facts::default()
        };
        let (by, total) = tally(&w, &facts);
        let tp = by[&agency("TP")];
        assert_eq!(
            (
                tp.appraisals,
                tp.appraisals_fit_to_submit,
                tp.appraisals_needs_revision
            ),
            (2, 1, 1)
        );
        assert_eq!((tp.appraisals_requested, tp.appraisals_overdue), (2, 1));
        assert!(!by.contains_key(&agency("NV")), "nothing in Q3");
        assert_eq!(by[&None].consultations_held, 1);
        assert_eq!(total.appraisals, 2);
        assert_eq!(total.consultations_held, 1);
        assert_eq!(total.figures().len(), 17);
    }
}
