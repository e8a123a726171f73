use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = needtrail::cli::Cli::parse();
    std::process::exit(needtrail::cli::run(cli));
}
