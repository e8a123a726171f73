//! Interchange with other requirements tools: ReqIF files in and out, and
//! Doorstop trees in.
//!
//! Readers turn a file into plain data; the import stage maps that data to
//! needtrail items and writes them through the same keyed, format-preserving
//! import as the spreadsheet importer. The ReqIF writer sits beside the
//! other outputs and reads only the loaded project.

pub mod reqif;
