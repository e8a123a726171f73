use clap::Parser;

// Loading a large project makes millions of small allocations; mimalloc
// handles them much faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = needtrail::cli::Cli::parse();
    std::process::exit(needtrail::cli::run(cli));
}
