//! catalog-audit: an auditor for public-service item catalogs (公共服务事项目录).
//!
//! The pipeline is four stages, each a module that returns data and never prints:
//!
//! 1. [`load`] reads `catalog-snapshot/1` and `adjustment-log/1` files into the typed [`model`],
//!    validating them against the JSON Schemas in `schemas/` ([`schema`]);
//! 2. [`diff`] classifies every item of two snapshots as added, changed (field by field), cancelled,
//!    recoded or unchanged;
//! 3. [`check`] evaluates the declarative rule pack ([`rules`]) on every item, change and adjustment
//!    request, and returns sorted findings with stable fingerprints;
//! 4. [`report`] assembles one report model (`audit-report/1`) and renders it as terminal text, JSON
//!    or HTML.
//!
//! [`pipeline`] runs the stages as one call (load → diff → check → review round ([`rounds`]) →
//! report model), for the command line, `history`, the rule examples and the benchmarks. Every
//! count a report shows comes from [`stats`]; every tool text from [`messages`].
//! [`app`] only parses ([`cli`]), dispatches and writes; `main.rs` owns the real clock and stdio.
//!
//! An item's fields are declared once, in [`fields`]; the model, the loader, rule access, the diff
//! and the spreadsheet code are generated from that declaration or checked against it.

pub mod app;
pub mod calendar;
pub mod check;
pub mod cli;
pub mod comments;
pub mod config;
pub mod diff;
pub mod error;
pub mod fields;
pub mod files;
pub mod finding;
pub mod history;
pub mod labels;
pub mod limits;
pub mod load;
pub mod location;
pub mod memo;
pub mod merge;
pub mod messages;
pub mod model;
pub mod node;
pub mod pipeline;
pub mod registry;
pub mod report;
pub mod rounds;
pub mod rules;
pub mod schema;
pub mod scorecard;
pub mod stats;
pub mod table;
pub mod text;
