//! Domain rules: no HTTP, no SQL. Pure functions and types, tested on their own.

pub mod audit;
pub mod calendar;
pub mod diff;
pub mod effect;
pub mod ids;
pub mod iso;
pub mod kinds;
pub mod number;
pub mod regime;
pub mod report;
pub mod review;
pub mod structure;
pub mod text;
pub mod workflow;

/// A rule of the domain that input broke; handlers map it to 409 or 422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The request is well-formed but the current state forbids it (409).
    #[error("{guard}: {detail}")]
    Guard { guard: &'static str, detail: String },
    /// A field's value is invalid (422).
    #[error("{field}: {detail}")]
    Invalid { field: &'static str, detail: String },
}

impl RuleError {
    pub fn guard(guard: &'static str, detail: impl Into<String>) -> Self {
        RuleError::Guard {
            guard,
            detail: detail.into(),
        }
    }
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        RuleError::Invalid {
            field,
            detail: detail.into(),
        }
    }
}
