//! Integration tests: every test runs the real binary on a project folder.

mod support;

mod browser;
mod check;
mod corpus;
mod customer_focus;
mod errors;
mod hardening_files;
mod hardening_writes;
mod import;
mod import_junit;
mod import_sheets;
mod init_trace;
mod interchange;
mod lang;
mod management;
mod matrices;
mod matrix_one;
mod objectives;
mod progress;
mod property;
mod report;
mod report_audit;
mod report_links;
mod roles;
mod rules;
mod samples;
mod schema;
mod shell;
mod signoff;
mod signoff_sheet;
mod snapshots;
mod stamps;
