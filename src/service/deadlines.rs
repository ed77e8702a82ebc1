//! The deadlines of the workflows and the calendar they count on, from the settings.
//!
//! Use cases reached from other workflows (the promulgation workflow opens a
//! self-inspection) get no settings in their signature, so the process installs its
//! deadlines once at start; until then, and in code that never installs them, the
//! embedded defaults (`config/default.toml`) apply.

use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::config::Settings;
use crate::domain::calendar::Calendar;
use crate::domain::regime::{LegalRegime, Overrides};

#[derive(Debug, Clone)]
pub struct Deadlines {
    pub calendar: Calendar,
    pub working_days: bool,
    /// The configuration's numbers over the law's (`[workflow]`).
    pub overrides: Overrides,
    /// The regime every new draft follows, if pinned (`workflow.legal_regime`).
    pub regime_pin: Option<LegalRegime>,
}

impl Deadlines {
    pub fn from_settings(s: &Settings) -> Self {
        let base = if s.calendar.vietnamese_holidays {
            Calendar::vietnamese()
        } else {
            Calendar::weekends_only()
        };
        Deadlines {
            calendar: base.with(&s.calendar.holidays, &s.calendar.workdays),
            working_days: s.workflow.working_days,
            overrides: Overrides::from_settings(&s.workflow),
            regime_pin: s.workflow.legal_regime,
        }
    }

    /// The day a period of `days` (working or calendar days, as configured) counted from
    /// `start` ends: an appraisal opinion, a self-inspection.
    pub fn due(&self, start: NaiveDate, days: u32) -> Option<NaiveDate> {
        self.calendar.deadline(start, days, self.working_days)
    }
}

static INSTALLED: OnceLock<Deadlines> = OnceLock::new();
static DEFAULTS: OnceLock<Deadlines> = OnceLock::new();

/// Installs the deadlines of this process; false if they were installed already.
pub fn install(settings: &Settings) -> bool {
    INSTALLED.set(Deadlines::from_settings(settings)).is_ok()
}

/// The installed deadlines, else those of the embedded defaults.
pub fn current() -> &'static Deadlines {
    if let Some(d) = INSTALLED.get() {
        return d;
    }
    DEFAULTS.get_or_init(|| match Settings::embedded_defaults() {
        Ok(s) => Deadlines::from_settings(&s),
        // The embedded defaults are parsed by a unit test; this only guards a broken build.
        Err(_) => Deadlines {
            calendar: Calendar::vietnamese(),
            working_days: true,
            overrides: Overrides::default(),
            regime_pin: None,
        },
    })
}
