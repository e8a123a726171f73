//! How the process asks the system for memory.
//!
//! The allocator asks for huge pages (2 MiB at a time) where the system
//! offers them. On a virtual machine that gives memory back to its host
//! once it has been free for a moment, they cost far more than they save:
//! a huge page must be found whole, and is cleared whole however little of
//! it is used. Only run after run of the same command, on memory the last
//! run had just freed, were they ahead; needtrail runs once and exits, so
//! it asks for small pages (docs/performance.md, "What is done for speed",
//! has the measurements).

/// Asks the system for small pages for the rest of the process: memory
/// already taken keeps its pages. On a system without huge pages, or one
/// that refuses, nothing changes but the time. Returns whether the
/// system took the request.
pub fn use_small_pages() -> bool {
    // The setting is the process's, whichever thread makes it.
    #[cfg(target_os = "linux")]
    return rustix::thread::disable_transparent_huge_pages(true).is_ok();
    #[cfg(not(target_os = "linux"))]
    false
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn the_process_asks_for_small_pages_and_the_system_holds_it_to_that() {
        assert!(super::use_small_pages());
        assert_eq!(
            rustix::thread::transparent_huge_pages_are_disabled().ok(),
            Some(true)
        );
    }
}
