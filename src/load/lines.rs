//! What the two fast readers share: an item file as a sequence of table
//! headers and `key = value` lines. [`super::scan`] makes them from the
//! bytes, [`super::events`] from the TOML parser's events, and
//! [`super::events`] builds items from either.

use std::borrow::Cow;
use std::ops::Range;

/// A value as the parser gives it, before it meets its field.
#[derive(Debug, PartialEq)]
pub(super) enum Scalar<'i> {
    String(Cow<'i, str>),
    Integer(Cow<'i, str>),
    Float(Cow<'i, str>),
    Bool(bool),
    Date(Cow<'i, str>),
}

#[derive(Debug, PartialEq)]
pub(super) enum Val<'i> {
    Scalar(Scalar<'i>),
    Array(Vec<(Scalar<'i>, Range<usize>)>),
}

/// What an item file is made of, as far as the fast reader goes: table
/// headers and `key = value` lines (comments and blank lines dropped).
#[derive(Debug, PartialEq)]
pub(super) enum Line<'i> {
    /// `[[name]]` or `[[name.sub]]`, and where it stands.
    Header(Vec<Cow<'i, str>>, Range<usize>),
    /// A key, where it starts, its value and where the value stands.
    KeyValue(Cow<'i, str>, usize, Val<'i>, Range<usize>),
    /// A two-part dotted key (`stamped.REQ-1 = "…"`, as `stamp` and
    /// `review sign` write fingerprints): the field, the key within it,
    /// where the field's name stands, the value and where the value stands.
    Dotted(
        Cow<'i, str>,
        Cow<'i, str>,
        Range<usize>,
        Val<'i>,
        Range<usize>,
    ),
}

/// Where the lines of a file come from: `Ok(None)` at its end, `Err(())`
/// on anything the source does not read.
pub(super) trait Lines<'i> {
    fn next_line(&mut self) -> Result<Option<Line<'i>>, ()>;
}
