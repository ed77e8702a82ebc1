//! HTTP-level integration tests: one binary, each test on a fresh SQLite file and on a
//! fresh PostgreSQL database (`VANBAN_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). PostgreSQL tests fail, never skip,
//! when the server cannot be reached.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;
mod helpers;

mod audit;
mod auth;
mod bad_input;
mod check;
mod concurrency;
mod copies;
mod documents;
mod hygiene;
mod import;
mod index_mirror;
mod iso;
mod law;
mod metrics;
mod openapi;
mod paging;
mod relations;
mod replicas;
mod review;
mod roles;
mod search;
mod search_syntax;
mod search_typing;
mod timestamps;
mod versions;
mod web;
mod web_consultations;
mod web_staff;
mod web_staff_admin;
mod web_staff_appraisals;
mod web_staff_consultations;
mod web_staff_documents;
mod web_staff_iso;
mod web_staff_queue;
mod web_staff_reviews;
mod workflow;
