//! vanban: document control for Vietnamese local government.
//!
//! Layers, each importing only those below it (`docs/ARCHITECTURE.md` draws them;
//! `tests/layering.rs` holds the rule and lists the edges still broken):
//!
//! - `api`: HTTP. actix handlers, extractors, the one mapping of errors to
//!   `application/problem+json`. It calls use cases; it never sees a connection.
//! - `service`: the use cases, the one authorisation policy (`service/policy.rs`), the
//!   wire types and read models, its own error type. No actix.
//! - `domain`: pure rules and state machines, no I/O. `db`: diesel on SQLite and
//!   PostgreSQL, a file per table, transactions (`db::Tx`).
//! - `search` and `pdf` depend on `domain` and `db` only. `auth`: passwords, tokens, roles.
//!
//! - `web`: the pages, server-rendered HTML over the same use cases as `api`, with the
//!   same callers; like `api`, it decides nothing and never sees a connection.
//!
//! `app` assembles routes and middleware; `main` is the CLI. `metrics` holds the process's
//! Prometheus counters, kept by whichever layer does the work.

#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod import;
pub mod metrics;
pub mod pdf;
pub mod search;
pub mod service;
pub mod web;
