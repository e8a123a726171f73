//! Stage benchmarks on a generated corpus: the bare parse of the TOML (the
//! floor), load, graph, rules, report rendering, and the whole check, at
//! sizes that show how time grows with the number of items (group `check`);
//! and the bare parse, load, check and report rendering of a lived-in
//! corpus (`generate --lived-in`: signed, stamped, with deliveries,
//! feedback and objectives, a few requirements changed after sign-off;
//! group `lived_in`). Sizes come from NEEDTRAIL_BENCH_SIZES (default
//! 1000,10000; add 100000 for the full table).

// The same allocator as the needtrail binary, so the numbers compare.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use needtrail::corpus::{CorpusSpec, generate};
use needtrail::graph::TraceGraph;
use needtrail::{load, rules};

fn sizes() -> Vec<usize> {
    match std::env::var("NEEDTRAIL_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![1_000, 10_000],
    }
}

/// Bytes written between runs of a cold stage: twice the largest
/// processor cache of the machines the table is made on.
const EVICT: usize = 64 << 20;

/// Writes over `buf`, so that what a stage will read is no longer cached.
fn evict_caches(buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate().step_by(64) {
        *b = b.wrapping_add(i as u8);
    }
    black_box(&buf);
}

fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for n in sizes() {
        let dir = tempfile::tempdir().expect("temp dir");
        generate(dir.path(), CorpusSpec::new(n)).expect("corpus");
        group.throughput(Throughput::Elements(n as u64));
        let files = needtrail::load::discover(dir.path());
        group.bench_with_input(BenchmarkId::new("bare_parse", n), &n, |b, _| {
            b.iter(|| black_box(bare_parse(&files)))
        });
        // What a stage builds is dropped outside the time, as the commands
        // leave it to the end of the process.
        group.bench_with_input(BenchmarkId::new("load", n), &n, |b, _| {
            b.iter_with_large_drop(|| load::load(dir.path()).expect("loads"))
        });
        let loaded = load::load(dir.path()).expect("loads");
        group.bench_with_input(BenchmarkId::new("graph", n), &n, |b, _| {
            b.iter(|| black_box(TraceGraph::build(&loaded.project)))
        });
        let graph = TraceGraph::build(&loaded.project);
        group.bench_with_input(BenchmarkId::new("rules", n), &n, |b, _| {
            b.iter(|| black_box(rules::check(&loaded.project, &loaded.profile, &graph)))
        });
        // The same two stages starting from main memory, as in a real run,
        // where the items were read in long before: run after run over one
        // project, a small project stays in the processor's cache and a
        // large one cannot, which makes growth look worse than it is.
        let mut evict = vec![0u8; EVICT];
        group.bench_with_input(BenchmarkId::new("graph_cold", n), &n, |b, _| {
            b.iter_batched(
                || evict_caches(&mut evict),
                |()| black_box(TraceGraph::build(&loaded.project)),
                criterion::BatchSize::PerIteration,
            )
        });
        group.bench_with_input(BenchmarkId::new("rules_cold", n), &n, |b, _| {
            b.iter_batched(
                || evict_caches(&mut evict),
                |()| black_box(rules::check(&loaded.project, &loaded.profile, &graph)),
                criterion::BatchSize::PerIteration,
            )
        });
        group.bench_with_input(BenchmarkId::new("check", n), &n, |b, _| {
            b.iter_with_large_drop(|| {
                needtrail::pipeline::run_pipeline(dir.path()).expect("checks")
            })
        });
        let checked = needtrail::pipeline::run_pipeline(dir.path()).expect("checks");
        group.bench_with_input(BenchmarkId::new("report", n), &n, |b, _| {
            b.iter(|| black_box(render_all(&checked)))
        });
    }
    group.finish();
}

/// Finds, reads and parses every TOML file, in parallel: the floor.
fn bare_parse(files: &[(std::path::PathBuf, String)]) -> usize {
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|(path, _)| {
            let text = std::fs::read_to_string(path).expect("readable");
            toml::de::DeTable::parse(&text)
                .expect("valid")
                .get_ref()
                .len()
        })
        .sum()
}

/// Renders every page, as `report` does before writing each one; the
/// pages are counted and dropped rather than written. Gives the bytes.
fn render_all(checked: &needtrail::pipeline::Checked) -> usize {
    let options = needtrail::report::ReportOptions {
        lang: needtrail::lang::Lang::En,
        templates: None,
        timestamp: None,
    };
    let bytes = std::sync::atomic::AtomicUsize::new(0);
    needtrail::report::render_into(
        checked,
        &options,
        &needtrail::progress::Silent,
        &|_, parts| {
            let len: usize = parts.iter().map(|p| p.len()).sum();
            bytes.fetch_add(len, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        },
    )
    .expect("renders");
    bytes.into_inner()
}

/// A lived-in corpus: written by the `generate --lived-in` command itself,
/// which signs the review and stamps every item with the real commands.
fn lived_in(c: &mut Criterion) {
    let mut group = c.benchmark_group("lived_in");
    group.sample_size(10);
    for n in sizes() {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().join("lived-in");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_needtrail"))
            .arg("generate")
            .arg(&dir)
            .args(["--requirements", &n.to_string(), "--lived-in", "--quiet"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("needtrail runs");
        assert!(status.success(), "generate --lived-in failed");
        group.throughput(Throughput::Elements(n as u64));
        let files = needtrail::load::discover(&dir);
        group.bench_with_input(BenchmarkId::new("bare_parse", n), &n, |b, _| {
            b.iter(|| black_box(bare_parse(&files)))
        });
        group.bench_with_input(BenchmarkId::new("load", n), &n, |b, _| {
            b.iter_with_large_drop(|| load::load(&dir).expect("loads"))
        });
        group.bench_with_input(BenchmarkId::new("check", n), &n, |b, _| {
            b.iter_with_large_drop(|| needtrail::pipeline::run_pipeline(&dir).expect("checks"))
        });
        let checked = needtrail::pipeline::run_pipeline(&dir).expect("checks");
        group.bench_with_input(BenchmarkId::new("report", n), &n, |b, _| {
            b.iter(|| black_box(render_all(&checked)))
        });
    }
    group.finish();
}

criterion_group!(benches, stages, lived_in);
criterion_main!(benches);
