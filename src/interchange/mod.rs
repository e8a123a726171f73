//! Interchange with other requirements tools: ReqIF files in and out, and
//! Doorstop trees in.
//!
//! Readers turn a file into plain data; the import stage maps that data to
//! needtrail items and writes them through the same keyed, format-preserving
//! import as the spreadsheet importer. The ReqIF writer sits beside the
//! other outputs and reads only the loaded project.

pub mod doorstop;
pub mod reqif;

/// Why a file (or a tree of files) of another tool could not be read.
#[derive(Debug)]
pub struct ReadError {
    /// The file (and, in a `.reqifz`, the member) that failed.
    pub file: String,
    /// 1-based line and column where the problem was found, when known.
    pub position: Option<(u64, u64)>,
    pub message: String,
}

impl ReadError {
    /// Where it failed, as `file:line:col` (or the file alone).
    pub fn place(&self) -> String {
        match self.position {
            Some((line, col)) => format!("{}:{line}:{col}", self.file),
            None => self.file.clone(),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place(), self.message)
    }
}

/// A value from another tool, with its type kept: what goes into an item's
/// `attributes` table, or a typed field.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Text(String),
    Integer(i64),
    Real(f64),
    Bool(bool),
    /// An ISO 8601 date or date-time, as written.
    Date(String),
    List(Vec<String>),
}

impl Scalar {
    /// The value as a user reads it.
    pub fn display(&self) -> String {
        match self {
            Scalar::Text(s) | Scalar::Date(s) => s.clone(),
            Scalar::Integer(i) => i.to_string(),
            Scalar::Real(r) => r.to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::List(v) => v.join(", "),
        }
    }
}
