//! vanban: document control for Vietnamese local government.
//!
//! Layers (arrows point down only): `api` (HTTP) → `domain` (rules) → `db`
//! (persistence); `auth` beside them. `domain` and `db` never import actix-web.

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod import;
pub mod pdf;
pub mod search;
pub mod service;
