//! Interchange with other requirements tools: ReqIF files in and out, and
//! Doorstop trees in.
//!
//! Readers turn a file into plain data; the import stage maps that data to
//! needtrail items and writes them through the same keyed, format-preserving
//! import as the spreadsheet importer. The ReqIF writer sits beside the
//! other outputs and reads only the loaded project.

pub mod doorstop;
pub mod reqif;

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
