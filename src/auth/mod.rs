//! Authentication and authorisation: argon2id passwords, JWT access tokens, opaque
//! rotating refresh tokens, and the role → action matrix.

pub mod password;
pub mod roles;
pub mod token;

pub use roles::{allows, Action};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token")]
    Missing,
    #[error("invalid token: {0}")]
    InvalidToken(String),
    #[error("wrong username or password")]
    BadCredentials,
    #[error("account is inactive")]
    Inactive,
    #[error("too many failed logins")]
    Locked { retry_after_secs: u64 },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Internal(String),
}
