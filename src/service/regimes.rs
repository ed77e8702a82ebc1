//! Which regime a draft follows and the rules it sets for it: the regime recorded on the
//! document when its drafting began (or pinned in configuration), the tier of its issuer,
//! and the configuration's overrides (`[workflow]`).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::WorkflowSettings;
use crate::db::models::Document;
use crate::db::{self, Conn};
use crate::domain::regime::{self, LegalRegime, Overrides, RegimeRules, UnitLevel};
use crate::error::{ApiResult, AppError};

impl Overrides {
    pub fn from_settings(w: &WorkflowSettings) -> Self {
        Overrides {
            consultation_min_days: w.consultation_min_days,
            effective_min_days: w.effective_min_days,
            appraisal_days: w.appraisal_days,
            self_inspection_days: w.self_inspection_days,
        }
    }
}

/// The regime a draft whose drafting starts on `started_on` (default today) follows: the
/// configuration's pin, else the regime in force that day.
pub fn regime_for_new_draft(started_on: Option<NaiveDate>) -> ApiResult<LegalRegime> {
    regime_pinned(started_on, super::deadlines::current().regime_pin)
}

/// [`regime_for_new_draft`] with the pin given.
pub fn regime_pinned(
    started_on: Option<NaiveDate>,
    pin: Option<LegalRegime>,
) -> ApiResult<LegalRegime> {
    let today = super::today();
    let start = started_on.unwrap_or(today);
    if start > today {
        return Err(AppError::invalid(
            "drafting_started_on",
            "drafting cannot start in the future",
        ));
    }
    let first = LegalRegime::Law80Of2015.in_force_from();
    if start < first {
        return Err(AppError::invalid(
            "drafting_started_on",
            format!("vanban keeps drafts begun from {first} (Luật 80/2015/QH13) on"),
        ));
    }
    Ok(pin.unwrap_or_else(|| LegalRegime::on(start)))
}

/// The tier of a unit: its own, else the nearest above it that has one.
pub fn level_of(conn: &mut Conn, unit_id: &str) -> ApiResult<Option<UnitLevel>> {
    for id in db::org_units::ancestors_and_self(conn, unit_id)? {
        if let Some(level) = db::org_units::get(conn, &id)?.level {
            return Ok(Some(level));
        }
    }
    Ok(None)
}

/// The regime a document follows: the one recorded, else (a draft from before regimes were
/// recorded) the one in force the day it was entered.
pub fn regime_of(doc: &Document) -> LegalRegime {
    doc.legal_regime
        .unwrap_or_else(|| LegalRegime::on(doc.created_at.date()))
}

/// The rules for `doc`: its regime, its issuer's tier (a unit without one is taken as the
/// local tier below the province: district under Luật 80/2015, commune under Luật
/// 64/2025), and the configuration's numbers.
pub fn rules_for(conn: &mut Conn, doc: &Document, overrides: &Overrides) -> ApiResult<RegimeRules> {
    let regime = regime_of(doc);
    let level = match doc.issuer_id.as_deref() {
        Some(unit) => level_of(conn, unit)?,
        None => None,
    };
    let level = level.unwrap_or(match regime {
        LegalRegime::Law80Of2015 => UnitLevel::District,
        LegalRegime::Law64Of2025 => UnitLevel::Commune,
    });
    Ok(regime::rules(regime, level).with(overrides))
}

/// One regime and its rules at every tier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegimeResponse {
    pub regime: LegalRegime,
    pub label_vi: &'static str,
    /// The first day new drafts follow it.
    pub in_force_from: NaiveDate,
    /// The regime new drafts follow today.
    pub current: bool,
    pub levels: Vec<RegimeRules>,
}

/// Every regime with its rules, the configuration's overrides applied.
pub fn regimes(settings: &WorkflowSettings) -> Vec<RegimeResponse> {
    let overrides = Overrides::from_settings(settings);
    let current = settings
        .legal_regime
        .unwrap_or_else(|| LegalRegime::on(super::today()));
    LegalRegime::ALL
        .iter()
        .map(|&r| RegimeResponse {
            regime: r,
            label_vi: r.label_vi(),
            in_force_from: r.in_force_from(),
            current: r == current,
            levels: UnitLevel::ALL
                .iter()
                .map(|&l| regime::rules(r, l).with(&overrides))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_wins_over_the_date_and_the_date_is_checked_still() {
        let march = NaiveDate::from_ymd_opt(2025, 3, 1);
        let pinned = Some(LegalRegime::Law64Of2025);
        assert_eq!(
            regime_pinned(march, None).ok(),
            Some(LegalRegime::Law80Of2015)
        );
        assert_eq!(
            regime_pinned(march, pinned).ok(),
            Some(LegalRegime::Law64Of2025)
        );
        assert_eq!(
            regime_pinned(None, Some(LegalRegime::Law80Of2015)).ok(),
            Some(LegalRegime::Law80Of2015)
        );
        assert!(regime_pinned(NaiveDate::from_ymd_opt(2016, 6, 30), pinned).is_err());
        assert!(regime_pinned(
            Some(super::super::today() + chrono::Duration::days(1)),
            pinned
        )
        .is_err());
    }
}
