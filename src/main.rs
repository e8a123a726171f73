use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    needtrail::memory::use_small_pages();
    let cli = needtrail::cli::Cli::parse();
    std::process::exit(needtrail::cli::run(cli));
}
