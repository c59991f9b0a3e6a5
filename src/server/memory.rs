//! Giving memory back after documents close.
//!
//! glibc's allocator keeps freed memory in its arenas, so a server that has
//! opened and closed thousands of documents stays at its high-water mark
//! even though nothing is live (the soak test in `tests/soak.rs` showed the
//! resident size creeping up while the live heap stayed flat). After closes
//! the server asks the allocator to return free pages to the system
//! (`malloc_trim`), on the blocking pool, at most once per [`EVERY`] closes
//! or whenever the last open document closes, and once after the workspace
//! index is built.

use std::sync::atomic::{AtomicU64, Ordering};

/// Trim after this many closes even while documents stay open.
const EVERY: u64 = 32;

static CLOSES: AtomicU64 = AtomicU64::new(0);

/// Called on a blocking thread after the workspace index is built: the
/// build's syntax trees and per-thread arenas are free by then.
pub fn index_built() {
    trim();
}

/// Called after a document closed; `open` is how many remain open.
pub fn document_closed(open: usize) {
    let closes = CLOSES.fetch_add(1, Ordering::Relaxed) + 1;
    if open == 0 || closes.is_multiple_of(EVERY) {
        tokio::task::spawn_blocking(trim);
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: `malloc_trim` only releases free memory of glibc's own
    // arenas; it takes the allocator's locks and is safe to call from any
    // thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
