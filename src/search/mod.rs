//! Full-text search: one tantivy index per process, a cache of the database.
//!
//! The index follows the audit log: every change to a document appends an audit
//! entry in the change's own transaction (`entity_type = 'document'`), numbered in
//! commit order (appends are serialised by `audit_head`). Each process indexes the
//! entries after the sequence number stored in its last index commit, so a crash
//! between a database commit and indexing loses nothing, and several processes on one
//! PostgreSQL each keep their own index current. The audit log is the outbox.

pub mod analysis;
mod collect;
pub mod cursor;
pub mod index;
mod keys;
pub mod query;
mod restore;
pub mod suggest;
pub mod weights;

pub use index::{Mirror, SearchIndex};
pub use query::{SearchHit, SearchRequest, SearchResponse};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("query: {0}")]
    Query(String),
    /// A well-formed request with a value out of range (422, naming the field).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    #[error("index: {0}")]
    Index(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e.to_string())
    }
}

impl From<diesel::result::Error> for SearchError {
    fn from(e: diesel::result::Error) -> Self {
        SearchError::Db(e.into())
    }
}
