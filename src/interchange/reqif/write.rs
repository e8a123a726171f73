//! Writing ReqIF.

/// What `export reqif` writes.
pub struct ExportOptions {
    pub kinds: Vec<String>,
    pub contract: Option<String>,
    pub zipped: bool,
    pub file_name: String,
}

pub fn export(_c: &crate::app::Checked, _o: &ExportOptions) -> Result<Vec<u8>, String> {
    Err("todo".into())
}
