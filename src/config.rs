//! Settings: embedded defaults (`config/default.toml`) → optional file → `VANBAN_*`
//! environment variables; validated once at start.

use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Dev,
    Production,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub mode: Mode,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub search: SearchSettings,
    pub workflow: WorkflowSettings,
    pub calendar: CalendarSettings,
    pub pdf: PdfSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
}

/// `GET /metrics`: the Prometheus text, for the bearer of `token` only.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Empty: the route answers 404. At least 16 characters when set.
    #[serde(default)]
    pub token: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfSettings {
    pub max_bytes: usize,
    pub max_pages: usize,
    /// Most bytes a PDF's compressed content may inflate to while its text is read.
    pub max_decoded_bytes: usize,
    pub timeout_seconds: u64,
}

/// Deadlines and limits of the workflows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSettings {
    /// Pins every new draft to one regime; none: the regime in force on the day its
    /// drafting starts (`domain::regime`).
    #[serde(default)]
    pub legal_regime: Option<crate::domain::regime::LegalRegime>,
    /// The numbers below override the law's (`domain::regime::rules`) for every regime and
    /// level; absent, the law's apply.
    #[serde(default)]
    pub consultation_min_days: Option<u32>,
    #[serde(default)]
    pub effective_min_days: Option<u32>,
    pub comment_max_chars: usize,
    pub comments_per_minute: u32,
    /// Days from promulgation within which a document is self-inspected.
    #[serde(default)]
    pub self_inspection_days: Option<u32>,
    /// Days the justice office has to give its appraisal opinion on a draft sent to it.
    #[serde(default)]
    pub appraisal_days: Option<u32>,
    /// Whether deadlines count working days (Monday to Friday less holidays) or calendar days.
    pub working_days: bool,
}
/// Which days are worked: weekends are never, holidays as configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    /// The Vietnamese public holidays of civil servants, 2011–2035 (`domain::calendar`).
    pub vietnamese_holidays: bool,
    /// More days off (YYYY-MM-DD): announced swaps, local holidays.
    pub holidays: Vec<chrono::NaiveDate>,
    /// Days worked whatever else says (YYYY-MM-DD): make-up Saturdays, corrections.
    pub workdays: Vec<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    pub index_dir: String,
    pub follow_interval_ms: u64,
    /// The deepest hit a search cursor may page to (each search keeps offset + limit hits).
    pub max_offset: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    pub workers: usize,
    pub base_url: String,
    pub json_limit_bytes: usize,
    pub upload_limit_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed: the client is the nearest
    /// address in it that is not one of them. Empty: the peer address is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub jwt_secret: String,
    pub access_ttl_seconds: i64,
    pub refresh_ttl_seconds: i64,
    /// Failed logins allowed from one client address for one account in a window.
    pub max_failed_logins: i32,
    /// Failed logins allowed from one client address across all accounts (unknown
    /// usernames included) in a window.
    pub max_failed_logins_per_address: i32,
    /// The window in which failed logins are counted (seconds).
    pub failure_window_seconds: i64,
    /// Threads that hash and verify passwords (0: one per core). Logins beyond them wait
    /// their turn instead of taking the CPU from every other request.
    pub hash_threads: usize,
    /// A web session ends after this long without a request (seconds).
    pub web_idle_seconds: i64,
    /// A web session ends this long after its login, however busy (seconds).
    pub web_absolute_seconds: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Environment variables with a short name of their own, beside the generic
/// `VANBAN_SECTION__KEY` form.
const SHORT_ENV: &[(&str, &str)] = &[
    ("VANBAN_DATABASE_URL", "database.url"),
    ("VANBAN_JWT_SECRET", "auth.jwt_secret"),
    ("VANBAN_MODE", "mode"),
    ("VANBAN_LISTEN", "server.listen"),
    ("VANBAN_BASE_URL", "server.base_url"),
];

impl Settings {
    /// Loads the layers. `file` is the optional `--config FILE`.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(path) = file {
            builder = builder.add_source(config::File::from(path).required(true));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("VANBAN")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .ignore_empty(true)
                // The short names below are handled explicitly.
                .source(Some(
                    std::env::vars().filter(|(k, _)| k.contains("__")).collect(),
                )),
        );
        for (var, key) in SHORT_ENV {
            if let Ok(value) = std::env::var(var) {
                if !value.is_empty() {
                    builder = builder.set_override(*key, value)?;
                }
            }
        }
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let secret_len = self.auth.jwt_secret.len();
        if self.mode == Mode::Production && secret_len == 0 {
            return Err(ConfigError::Invalid(
                "auth.jwt_secret (VANBAN_JWT_SECRET) is required outside dev mode".into(),
            ));
        }
        if secret_len > 0 && secret_len < 32 {
            return Err(ConfigError::Invalid(
                "auth.jwt_secret must be at least 32 bytes".into(),
            ));
        }
        if self.auth.access_ttl_seconds <= 0
            || self.auth.refresh_ttl_seconds <= 0
            || self.auth.web_idle_seconds <= 0
            || self.auth.web_absolute_seconds <= 0
        {
            return Err(ConfigError::Invalid(
                "token lifetimes must be positive".into(),
            ));
        }
        if self.auth.max_failed_logins < 1
            || self.auth.max_failed_logins_per_address < 1
            || self.auth.failure_window_seconds < 1
        {
            return Err(ConfigError::Invalid(
                "auth: login failure limits and their window must be positive".into(),
            ));
        }
        if self.server.json_limit_bytes == 0 || self.server.upload_limit_bytes == 0 {
            return Err(ConfigError::Invalid("body limits must be positive".into()));
        }
        if self.search.max_offset > 100_000 {
            return Err(ConfigError::Invalid(
                "search.max_offset must be at most 100000".into(),
            ));
        }
        let t = self.metrics.token.trim();
        if !t.is_empty() && t.len() < 16 {
            return Err(ConfigError::Invalid(
                "metrics.token must be at least 16 characters (or empty: no /metrics)".into(),
            ));
        }
        let w = &self.workflow;
        for (key, value, least) in [
            ("self_inspection_days", w.self_inspection_days, 1),
            ("appraisal_days", w.appraisal_days, 1),
            ("consultation_min_days", w.consultation_min_days, 0),
            ("effective_min_days", w.effective_min_days, 0),
        ] {
            if value.is_some_and(|v| !(least..=3650).contains(&v)) {
                return Err(ConfigError::Invalid(format!(
                    "workflow.{key} must be between {least} and 3650"
                )));
            }
        }
        Ok(())
    }

    /// The embedded defaults alone, without any file or environment variable.
    pub fn embedded_defaults() -> Result<Self, ConfigError> {
        let settings: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()?
            .try_deserialize()?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Settings {
        Settings::embedded_defaults().expect("defaults parse")
    }

    #[test]
    fn defaults_are_dev_on_sqlite() {
        let s = defaults();
        assert_eq!(s.mode, Mode::Dev);
        assert!(s.database.url.starts_with("sqlite://"));
        assert!(s.validate().is_ok());
    }

    #[test]
    fn production_without_secret_is_refused() {
        let mut s = defaults();
        s.mode = Mode::Production;
        assert!(s.validate().is_err());
        s.auth.jwt_secret = "x".repeat(32);
        assert!(s.validate().is_ok());
        s.auth.jwt_secret = "short".into();
        assert!(s.validate().is_err());
    }

    #[test]
    fn calendar_dates_and_deadlines_parse() {
        let s = defaults();
        assert!(s.calendar.vietnamese_holidays);
        assert_eq!(s.workflow.self_inspection_days, None);
        assert_eq!(s.workflow.legal_regime, None);
        let layered: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::from_str(
                "[calendar]\nholidays = [\"2027-02-12\"]\nworkdays = [\"2027-02-20\"]\n\
                 [workflow]\nworking_days = false\n",
                config::FileFormat::Toml,
            ))
            .build()
            .and_then(|c| c.try_deserialize())
            .expect("layered settings parse");
        assert_eq!(
            layered.calendar.holidays,
            vec![chrono::NaiveDate::from_ymd_opt(2027, 2, 12).expect("date")]
        );
        assert_eq!(layered.calendar.workdays.len(), 1);
        assert!(!layered.workflow.working_days);
        let mut bad = defaults();
        bad.workflow.self_inspection_days = Some(0);
        assert!(bad.validate().is_err());
    }
}
