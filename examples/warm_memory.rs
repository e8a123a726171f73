//! Writes to every page of MB megabytes of fresh memory, then frees it, so
//! that the next process is handed memory the machine has just used.
//!
//! `cargo run --release --example warm_memory -- MB`
//!
//! On a virtual machine that gives idle memory back to its host (free page
//! reporting, as on the machine of docs/performance.md), the first write to
//! such memory costs a fault in the host as well; a process that needs more
//! memory than the runs before it just freed pays that for the rest.
//! `scripts/perf-table.sh` runs this before each timed `report` of its
//! "memory warmed" column, at every size alike.

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3000);
    let mut blocks: Vec<Vec<u8>> = Vec::with_capacity(mb);
    for _ in 0..mb {
        // A block of 1 MiB, every byte written (not merely reserved).
        blocks.push(vec![1u8; 1 << 20]);
    }
    // Kept from being optimised away: the memory must really be written.
    let blocks = std::hint::black_box(blocks);
    let sum: usize = blocks.iter().map(|b| b[b.len() / 2] as usize).sum();
    println!("warmed {sum} MiB");
}
