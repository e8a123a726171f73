//! Integration tests: every test runs the real binary on a project folder.

mod support;

mod check;
mod corpus;
mod errors;
mod init_trace;
mod rules;
mod samples;
