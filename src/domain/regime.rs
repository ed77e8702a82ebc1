//! The law a draft is made under (chế độ pháp lý), and the rules it sets, as data.
//!
//! Luật Ban hành văn bản quy phạm pháp luật 80/2015/QH13 (amended by 63/2020/QH14, detailed
//! by Nghị định 34/2016/NĐ-CP) governed local documents from 1 July 2016; Luật 64/2025/QH15
//! (amended by 87/2025/QH15 from 1 July 2025, detailed by Nghị định 78/2025/NĐ-CP as amended
//! by 187/2025/NĐ-CP, and on self-inspection, review and systematisation by Nghị định
//! 79/2025/NĐ-CP) replaced it from 1 April 2025. A draft follows the regime in force on the
//! day its drafting starts, recorded on the document; an operator may pin one in
//! configuration.
//!
//! Every rule carries its legal basis, which the API shows beside the value. Where the
//! article could not be read here the rule says `checked: false` and keeps the number vanban
//! used before regimes (consultation 30 days, appraisal 10, self-inspection 30): the
//! configuration may override any number (`[workflow]`), and the basis then says so.
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::kinds::vocabulary;

vocabulary! {
    /// The law on promulgating legal documents a draft is made under.
    LegalRegime {
        Law80Of2015 => "law_80_2015", "Luật Ban hành VBQPPL 80/2015/QH13 (sửa đổi 2020)";
        Law64Of2025 => "law_64_2025", "Luật Ban hành VBQPPL 64/2025/QH15 (sửa đổi 2025)";
    }
}

vocabulary! {
    /// The tier of local government a unit belongs to. Since 1 July 2025 there are two
    /// (province, commune); districts belong to the past.
    UnitLevel {
        Province => "province", "Cấp tỉnh";
        District => "district", "Cấp huyện";
        Commune => "commune", "Cấp xã";
    }
}

vocabulary! {
    /// A unit's part in a reorganisation.
    ReorganisationRole {
        Abolished => "abolished", "Đơn vị bị sắp xếp (giải thể, nhập)";
        Successor => "successor", "Đơn vị kế thừa";
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    // The dates below are constants of the law; from_ymd_opt only fails on impossible dates.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl LegalRegime {
    /// The first day the regime governs new drafts: the day each act entered into force.
    pub fn in_force_from(self) -> NaiveDate {
        match self {
            LegalRegime::Law80Of2015 => day(2016, 7, 1),
            LegalRegime::Law64Of2025 => day(2025, 4, 1),
        }
    }

    /// The regime in force on `on`: the latest one that began on or before it. Drafts begun
    /// before 1 July 2016 are kept under Luật 80/2015 too (vanban holds no older regime).
    pub fn on(on: NaiveDate) -> LegalRegime {
        LegalRegime::ALL
            .iter()
            .copied()
            .filter(|r| r.in_force_from() <= on)
            .max_by_key(|r| r.in_force_from())
            .unwrap_or(LegalRegime::Law80Of2015)
    }
}

/// A number the law sets, with where it says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rule {
    pub value: u32,
    /// Article, clause and act: "Luật 64/2025/QH15, Điều 53 khoản 1".
    pub basis: String,
    /// Whether the value was read in the text of the act (false: an assumption kept as the
    /// default of a configuration key, see the README).
    pub checked: bool,
}

fn rule(value: u32, basis: &str, checked: bool) -> Rule {
    Rule {
        value,
        basis: basis.to_owned(),
        checked,
    }
}

/// The rules of drafting one level's documents under one regime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RegimeRules {
    pub regime: LegalRegime,
    pub level: UnitLevel,
    /// Who appraises the draft (thẩm định), in words, with its basis.
    pub appraiser: String,
    pub appraiser_basis: String,
    /// Days a public consultation lasts at least.
    pub consultation_min_days: Rule,
    /// Days at least between signing (or adoption) and entry into force.
    pub effective_min_days: Rule,
    /// Days the appraiser has to give its opinion.
    pub appraisal_days: Rule,
    /// Days from signing within which the issuer self-inspects the document.
    pub self_inspection_days: Rule,
    /// Years between two systematisations (hệ thống hóa định kỳ).
    pub systematization_years: Rule,
}

/// Numbers the configuration sets for every regime (`[workflow]`); `None` keeps the law's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    pub consultation_min_days: Option<u32>,
    pub effective_min_days: Option<u32>,
    pub appraisal_days: Option<u32>,
    pub self_inspection_days: Option<u32>,
}

const L80: &str = "Luật 80/2015/QH13";
const L64: &str = "Luật 64/2025/QH15";
const ND34: &str = "Nghị định 34/2016/NĐ-CP";
const ND79: &str = "Nghị định 79/2025/NĐ-CP";
/// Said of a rule whose article was not read: the number is vanban's earlier default.
const UNCHECKED: &str = "chưa đối chiếu điều khoản; giá trị mặc định trước đây";

/// The rules of `regime` for documents of `level`. Sources: Luật 80/2015 Điều 151 khoản 1
/// (effect: 10 days after signing for the province, 7 for districts and communes) and Điều
/// 121 as amended by Luật 63/2020 (Sở Tư pháp appraises within 15 days); Luật 64/2025 Điều 53
/// khoản 1 (effect: not earlier than 10 days after adoption or signing for every document of
/// local government); Nghị định 79/2025 Điều 49 (systematisation every five years).
pub fn rules(regime: LegalRegime, level: UnitLevel) -> RegimeRules {
    use LegalRegime as R;
    use UnitLevel as L;
    let unchecked = |value: u32, act: &str| rule(value, &format!("{act} ({UNCHECKED})"), false);
    let (appraiser, appraiser_basis, appraisal_days) = match (regime, level) {
        (R::Law80Of2015, L::Province) => (
            "Sở Tư pháp",
            format!("{L80}, Điều 121 khoản 1"),
            rule(
                15,
                &format!("{L80}, Điều 121 (sửa đổi bởi Luật 63/2020/QH14, khoản 36 Điều 1)"),
                true,
            ),
        ),
        (R::Law80Of2015, L::District) => (
            "Phòng Tư pháp",
            format!("{L80}, Điều 134"),
            unchecked(10, L80),
        ),
        (R::Law80Of2015, L::Commune) => (
            "cơ quan tư pháp theo quy định của địa phương",
            format!("{L80} ({UNCHECKED})"),
            unchecked(10, L80),
        ),
        (R::Law64Of2025, L::Province) => (
            "Sở Tư pháp",
            format!("{L64} ({UNCHECKED})"),
            unchecked(10, L64),
        ),
        (R::Law64Of2025, L::District | L::Commune) => (
            "Văn phòng HĐND và UBND cấp xã (công tác tư pháp cấp xã)",
            format!("Thông tư 09/2025/TT-BTP ({UNCHECKED})"),
            unchecked(10, L64),
        ),
    };
    let (consultation_min_days, effective_min_days, self_inspection_days, systematization_years) =
        match regime {
            R::Law80Of2015 => (
                unchecked(30, L80),
                match level {
                    L::Province => rule(10, &format!("{L80}, Điều 151 khoản 1"), true),
                    L::District | L::Commune => rule(7, &format!("{L80}, Điều 151 khoản 1"), true),
                },
                unchecked(30, ND34),
                unchecked(5, ND34),
            ),
            R::Law64Of2025 => (
                unchecked(30, L64),
                rule(10, &format!("{L64}, Điều 53 khoản 1"), true),
                unchecked(30, ND79),
                rule(5, &format!("{ND79}, Điều 49 khoản 1"), true),
            ),
        };
    RegimeRules {
        regime,
        level,
        appraiser: appraiser.to_owned(),
        appraiser_basis,
        consultation_min_days,
        effective_min_days,
        appraisal_days,
        self_inspection_days,
        systematization_years,
    }
}

impl RegimeRules {
    /// The rules with the configuration's numbers where it sets one.
    pub fn with(mut self, o: &Overrides) -> Self {
        let set = |r: &mut Rule, v: Option<u32>, key: &str| {
            if let Some(v) = v {
                if v != r.value {
                    *r = Rule {
                        value: v,
                        basis: format!("cấu hình workflow.{key} (luật: {}, {})", r.value, r.basis),
                        checked: r.checked,
                    };
                }
            }
        };
        set(
            &mut self.consultation_min_days,
            o.consultation_min_days,
            "consultation_min_days",
        );
        set(
            &mut self.effective_min_days,
            o.effective_min_days,
            "effective_min_days",
        );
        set(&mut self.appraisal_days, o.appraisal_days, "appraisal_days");
        set(
            &mut self.self_inspection_days,
            o.self_inspection_days,
            "self_inspection_days",
        );
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_regime_is_the_one_in_force_on_the_day() {
        assert_eq!(LegalRegime::on(d("2016-07-01")), LegalRegime::Law80Of2015);
        assert_eq!(LegalRegime::on(d("2025-03-31")), LegalRegime::Law80Of2015);
        assert_eq!(LegalRegime::on(d("2025-04-01")), LegalRegime::Law64Of2025);
        assert_eq!(LegalRegime::on(d("2026-12-04")), LegalRegime::Law64Of2025);
        assert_eq!(LegalRegime::on(d("2011-01-01")), LegalRegime::Law80Of2015);
    }

    #[test]
    fn local_documents_take_effect_later_under_the_2025_law_for_communes() {
        let old = rules(LegalRegime::Law80Of2015, UnitLevel::District);
        let new = rules(LegalRegime::Law64Of2025, UnitLevel::Commune);
        assert_eq!(old.effective_min_days.value, 7);
        assert_eq!(new.effective_min_days.value, 10);
        assert!(new.effective_min_days.basis.contains("Điều 53"));
        assert!(new.effective_min_days.checked);
        // An article not read here keeps the old number and says so.
        assert!(!new.consultation_min_days.checked);
        assert_eq!(new.consultation_min_days.value, 30);
        assert_eq!(
            rules(LegalRegime::Law80Of2015, UnitLevel::Province)
                .effective_min_days
                .value,
            10
        );
    }

    #[test]
    fn configuration_overrides_say_so_in_the_basis() {
        let r = rules(LegalRegime::Law64Of2025, UnitLevel::Commune).with(&Overrides {
            consultation_min_days: Some(0),
            ..Default::default()
        });
        assert_eq!(r.consultation_min_days.value, 0);
        assert_eq!(
            rules(LegalRegime::Law80Of2015, UnitLevel::Province)
                .appraisal_days
                .value,
            15
        );
        assert!(r.consultation_min_days.basis.starts_with("cấu hình"));
        assert_eq!(r.effective_min_days.value, 10);
    }
}
