use clap::Parser;

fn main() {
    let cli = needtrail::cli::Cli::parse();
    std::process::exit(needtrail::cli::run(cli));
}
