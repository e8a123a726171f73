//! Times each stage of `check` on a project: load, graph, rules, output.
//!
//! `cargo run --release --example stages -- DIR`

// The same allocator as the needtrail binary, so the numbers compare.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

fn main() {
    // And the same pages (src/memory.rs).
    needtrail::memory::use_small_pages();
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let t = Instant::now();
    let loaded = needtrail::load::load(std::path::Path::new(&dir)).expect("a valid project");
    let load = t.elapsed();
    let t = Instant::now();
    let graph = needtrail::graph::TraceGraph::build(&loaded.project);
    let graph_t = t.elapsed();
    let t = Instant::now();
    let result = needtrail::rules::check(&loaded.project, &loaded.profile, &graph);
    let rules = t.elapsed();
    let t = Instant::now();
    let text = needtrail::output::check_text(
        &loaded.project,
        &loaded.profile,
        &result,
        needtrail::lang::Lang::En,
    );
    let output = t.elapsed();
    eprintln!(
        "items {}  load {:.3}  graph {:.3}  rules {:.3}  output {:.3} ({} bytes)",
        loaded.project.items.len(),
        load.as_secs_f64(),
        graph_t.as_secs_f64(),
        rules.as_secs_f64(),
        output.as_secs_f64(),
        text.len()
    );
}
