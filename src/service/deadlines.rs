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

#[derive(Debug, Clone)]
pub struct Deadlines {
    pub calendar: Calendar,
    pub self_inspection_days: u32,
    pub appraisal_days: u32,
    pub working_days: bool,
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
            self_inspection_days: s.workflow.self_inspection_days,
            appraisal_days: s.workflow.appraisal_days,
            working_days: s.workflow.working_days,
        }
    }

    /// The day an appraisal opinion requested on `start` is due.
    pub fn appraisal_due(&self, start: NaiveDate) -> Option<NaiveDate> {
        self.calendar
            .deadline(start, self.appraisal_days, self.working_days)
    }

    /// The day a self-inspection counted from `start` is due.
    pub fn self_inspection_due(&self, start: NaiveDate) -> Option<NaiveDate> {
        self.calendar
            .deadline(start, self.self_inspection_days, self.working_days)
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
            self_inspection_days: 30,
            appraisal_days: 10,
            working_days: true,
        },
    })
}
