// SPDX-License-Identifier: MIT OR Apache-2.0
//! The agent's only synchronisation primitives: a spin lock and an atomic
//! counter, from `spin` and `core`, or from `loom` when built with
//! `--cfg loom` so that the loom models in `tests/loom.rs` explore them.

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU32, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, Ordering};

/// A mutual-exclusion lock with `spin::Mutex`'s shape.
#[cfg(not(loom))]
pub(crate) struct Mutex<T>(spin::Mutex<T>);

#[cfg(not(loom))]
impl<T> Mutex<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(spin::Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> spin::MutexGuard<'_, T> {
        self.0.lock()
    }
}

/// A mutual-exclusion lock with `spin::Mutex`'s shape (loom's, under loom).
#[cfg(loom)]
pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

#[cfg(loom)]
impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(loom::sync::Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
        // Nothing panics while holding the lock, so it is never poisoned.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
