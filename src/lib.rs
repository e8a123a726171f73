//! needtrail follows every customer requirement from where it was stated,
//! through contract review, design inputs and outputs, verification and
//! quality objectives, to delivery and the customer's feedback, and reports
//! each place where the thread breaks.
//!
//! The pipeline, one module per stage:
//! [`load`] (files → items with source spans, checked against the
//! [`profile`]) → [`model`] → [`graph`] (petgraph) → [`rules`] (findings) →
//! [`output`]. [`pipeline`] runs those stages as one step and owns their
//! result; every output reads that result and imports nothing above it.
//! [`text`] escapes and measures text for every output. [`app`] runs the
//! commands; [`cli`] parses the command line; [`shell`] writes its completion
//! scripts and man page.

pub mod app;
pub mod atomic;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod cli;
pub mod command;
pub mod corpus;
pub mod diag;
pub mod diff;
pub mod edit;
pub mod export;
pub mod fingerprint;
pub mod graph;
pub mod import;
pub mod interchange;
pub mod lang;
pub mod load;
pub mod management;
pub mod matrix;
pub mod memory;
pub mod model;
pub mod objectives;
pub mod output;
pub mod pipeline;
pub mod profile;
pub mod progress;
pub mod report;
pub mod review;
pub mod rules;
pub mod schema;
pub mod shell;
pub mod terminal;
pub mod text;
pub mod wording;
