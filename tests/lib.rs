// SPDX-License-Identifier: MIT OR Apache-2.0
//! Shared helpers for the integration tests in this directory.

pub mod counting_alloc {
    //! A global allocator that counts allocations per thread, only while the
    //! thread is measuring, so a test can prove a flow allocates nothing while
    //! the test harness's own threads (and proptest's generation) allocate
    //! freely. A test binary installs it with
    //! `#[global_allocator] static A: Counting = Counting;`.

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    /// The counting allocator: forwards to [`System`] and counts.
    pub struct Counting;

    thread_local! {
        static MEASURING: Cell<bool> = const { Cell::new(false) };
        static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    }

    fn note() {
        // `try_with`: a thread being torn down has no thread-locals left.
        let _ = MEASURING.try_with(|m| {
            if m.get() {
                let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
            }
        });
    }

    // SAFETY: every method forwards to the system allocator unchanged;
    // counting touches only const-initialised thread-locals.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            note();
            // SAFETY: the caller's contract for `alloc` is passed on.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller's contract for `dealloc` is passed on.
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            note();
            // SAFETY: the caller's contract for `alloc_zeroed` is passed on.
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            note();
            // SAFETY: the caller's contract for `realloc` is passed on.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// Runs `f` on this thread with counting on; returns its result and the
    /// number of allocations (and reallocations) it made. Only meaningful in a
    /// binary whose global allocator is [`Counting`].
    pub fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let before = ALLOCATIONS.with(Cell::get);
        MEASURING.with(|m| m.set(true));
        let out = f();
        MEASURING.with(|m| m.set(false));
        (out, ALLOCATIONS.with(Cell::get) - before)
    }

    /// Runs `f` with counting off on this thread (for work that is not the
    /// code under test, such as starting threads), then restores it.
    pub fn unmeasured<T>(f: impl FnOnce() -> T) -> T {
        let outer = MEASURING.with(|m| m.replace(false));
        let out = f();
        MEASURING.with(|m| m.set(outer));
        out
    }

    /// Adds allocations measured on other threads to this thread's count.
    pub fn credit(allocations: usize) {
        ALLOCATIONS.with(|a| a.set(a.get() + allocations));
    }
}

/// The Rust examples of the README, run as doctests so the front door cannot
/// drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
