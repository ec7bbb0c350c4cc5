// SPDX-License-Identifier: MIT OR Apache-2.0
//! A conduit that logs every call, without allocation or locks.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use lfa_client::{Conduit, Regs};

/// Where a [`LoggingConduit`] reports each call.
pub trait Log {
    /// One call: the registers sent and those returned.
    fn log(&self, request: &Regs, response: &Regs);
}

impl<L: Log + ?Sized> Log for &L {
    fn log(&self, request: &Regs, response: &Regs) {
        (**self).log(request, response);
    }
}

/// A conduit that passes every call to `inner` and reports it to `log`.
#[derive(Debug)]
pub struct LoggingConduit<C, L> {
    inner: C,
    log: L,
}

impl<C: Conduit, L: Log> LoggingConduit<C, L> {
    /// Logs the calls through `inner` to `log`.
    pub const fn new(inner: C, log: L) -> Self {
        Self { inner, log }
    }
}

impl<C: Conduit, L: Log> Conduit for LoggingConduit<C, L> {
    fn call(&self, args: &Regs) -> Regs {
        let response = self.inner.call(args);
        self.log.log(args, &response);
        response
    }
}

/// The last `N` calls as (function ID, x0 returned), in atomics: usable from
/// every CPU and from a `static`.
#[derive(Debug)]
pub struct Ring<const N: usize> {
    calls: AtomicUsize,
    functions: [AtomicU64; N],
    results: [AtomicU64; N],
}

impl<const N: usize> Ring<N> {
    /// An empty ring.
    pub const fn new() -> Self {
        Self {
            calls: AtomicUsize::new(0),
            functions: [const { AtomicU64::new(0) }; N],
            results: [const { AtomicU64::new(0) }; N],
        }
    }

    /// Calls logged so far (also those the ring no longer holds).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Acquire)
    }

    /// Call number `n` (from 0) as (function ID, x0 returned), if the ring
    /// still holds it.
    pub fn get(&self, n: usize) -> Option<(u64, u64)> {
        let calls = self.calls();
        if n >= calls || calls - n > N {
            return None;
        }
        let slot = n.checked_rem(N)?;
        Some((
            self.functions.get(slot)?.load(Ordering::Acquire),
            self.results.get(slot)?.load(Ordering::Acquire),
        ))
    }
}

impl<const N: usize> Default for Ring<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Log for Ring<N> {
    fn log(&self, request: &Regs, response: &Regs) {
        let n = self.calls.fetch_add(1, Ordering::AcqRel);
        let Some(slot) = n.checked_rem(N) else {
            return;
        };
        let [function, ..] = request.x;
        let [x0, ..] = response.x;
        if let (Some(f), Some(r)) = (self.functions.get(slot), self.results.get(slot)) {
            f.store(function, Ordering::Release);
            r.store(x0, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;
    impl Conduit for Echo {
        fn call(&self, args: &Regs) -> Regs {
            Regs::with_x0(args.x[0] + 1)
        }
    }

    #[test]
    fn the_ring_keeps_the_last_calls() {
        let ring = Ring::<2>::new();
        let conduit = LoggingConduit::new(Echo, &ring);
        for f in [10, 20, 30] {
            assert_eq!(conduit.call(&Regs::with_x0(f)).x[0], f + 1);
        }
        assert_eq!(ring.calls(), 3);
        assert_eq!(ring.get(0), None, "overwritten");
        assert_eq!(ring.get(1), Some((20, 21)));
        assert_eq!(ring.get(2), Some((30, 31)));
        assert_eq!(ring.get(3), None);
    }
}
