//! The floor `check` is held against: find, read and parse every TOML file
//! of a project (in parallel, as needtrail does), and nothing else.
//!
//! `cargo run --release --example bare_parse -- DIR`

// The same allocator as the needtrail binary, so the numbers compare.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rayon::prelude::*;

fn main() {
    // And the same pages (src/memory.rs).
    needtrail::memory::use_small_pages();
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let files = needtrail::load::discover(std::path::Path::new(&dir));
    let started = std::time::Instant::now();
    let tables: usize = files
        .par_iter()
        .map(|(path, _)| {
            let text = std::fs::read_to_string(path).expect("readable UTF-8 file");
            let doc = toml::de::DeTable::parse(&text).expect("valid TOML");
            doc.get_ref().len()
        })
        .sum();
    eprintln!(
        "parsed {} files ({tables} top-level keys) in {:.3} s",
        files.len(),
        started.elapsed().as_secs_f64()
    );
}
