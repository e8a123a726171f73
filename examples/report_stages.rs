//! Times the report's stages on a project: check, view and render, write.
//!
//! `cargo run --release --example report_stages -- DIR OUT`

// The same allocator as the needtrail binary, so the numbers compare.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

fn main() {
    // And the same pages (src/memory.rs).
    needtrail::memory::use_small_pages();
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| ".".into());
    let out = args.next().unwrap_or_else(|| "target/report-stages".into());
    let t = Instant::now();
    let checked =
        needtrail::pipeline::run_pipeline(std::path::Path::new(&dir)).expect("a valid project");
    let check = t.elapsed();
    let t = Instant::now();
    let options = needtrail::report::ReportOptions {
        lang: needtrail::lang::Lang::En,
        templates: None,
        timestamp: None,
    };
    let files = needtrail::report::render(&checked, &options).expect("renders");
    let render = t.elapsed();
    let bytes: usize = files.iter().map(|f| f.1.len()).sum();
    let t = Instant::now();
    let inputs = needtrail::report::Inputs::of(std::path::Path::new(&dir), &checked, &options);
    needtrail::report::write_site(std::path::Path::new(&out), &files, &inputs).expect("writes");
    let write = t.elapsed();
    eprintln!(
        "check {:.3}  render {:.3}  write {:.3}  ({} files, {} MB)",
        check.as_secs_f64(),
        render.as_secs_f64(),
        write.as_secs_f64(),
        files.len(),
        bytes / 1_000_000
    );
}
