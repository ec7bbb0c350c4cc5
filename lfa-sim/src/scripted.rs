// SPDX-License-Identifier: MIT OR Apache-2.0
//! A conduit that replays scripted responses and records the requests, for
//! adversarial tests of callers.
//!
//! ```
//! use lfa_proto::{LfaError, Regs, VersionRequest, Request};
//! use lfa_sim::scripted::ScriptedConduit;
//! use lfa_smccc::Conduit;
//!
//! let script = [Regs::with_x0(0x1_0000), Regs::with_x0(LfaError::Busy.to_x0())];
//! let mut recorded = [Regs::ZERO; 4];
//! let conduit = ScriptedConduit::new(&script, &mut recorded);
//! let request = VersionRequest.encode();
//! assert_eq!(conduit.call(&request).x[0], 0x1_0000);
//! assert_eq!(conduit.call(&request).x[0], LfaError::Busy.to_x0());
//! // The script ran out: the fallback (NOT_SUPPORTED) answers, and it counts.
//! assert_eq!(conduit.call(&request).x[0], LfaError::NotSupported.to_x0());
//! assert_eq!((conduit.calls(), conduit.overruns(), conduit.remaining()), (3, 1, 0));
//! drop(conduit);
//! assert_eq!(recorded[..3], [request; 3]);
//! ```

use lfa_proto::{LfaError, Regs};

use lfa_smccc::Conduit;

/// Replays a borrowed sequence of responses, one per call, and records each
/// request into a borrowed buffer. Nothing is allocated.
///
/// - Once the script is used up, every call returns the fallback (by default
///   x0 = NOT_SUPPORTED, every other register 0) and counts an overrun.
/// - Once the record buffer is full, further requests are not recorded but
///   still counted ([`ScriptedConduit::calls`] versus
///   [`ScriptedConduit::recorded`]).
/// - It is `Sync` (a `spin::Mutex` inside): several threads may call it; each
///   call takes the next response in the order the calls take the lock.
///
/// The buffer is the caller's: drop the conduit (or use
/// [`ScriptedConduit::with_recorded`]) to read it.
pub struct ScriptedConduit<'a> {
    script: &'a [Regs],
    fallback: Regs,
    inner: spin::Mutex<Inner<'a>>,
}

struct Inner<'a> {
    next: usize,
    record: &'a mut [Regs],
    recorded: usize,
    calls: u64,
    overruns: u64,
}

impl core::fmt::Debug for ScriptedConduit<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let inner = self.inner.lock();
        f.debug_struct("ScriptedConduit")
            .field("script_len", &self.script.len())
            .field("next", &inner.next)
            .field("calls", &inner.calls)
            .field("overruns", &inner.overruns)
            .finish_non_exhaustive()
    }
}

impl<'a> ScriptedConduit<'a> {
    /// The fallback when none is set: x0 = NOT_SUPPORTED (-1), others 0.
    pub const DEFAULT_FALLBACK: Regs = Regs::with_x0(LfaError::NotSupported.to_x0());

    /// A conduit that answers with `script` in order and records requests
    /// into `record`.
    #[must_use]
    pub const fn new(script: &'a [Regs], record: &'a mut [Regs]) -> Self {
        Self {
            script,
            fallback: Self::DEFAULT_FALLBACK,
            inner: spin::Mutex::new(Inner {
                next: 0,
                record,
                recorded: 0,
                calls: 0,
                overruns: 0,
            }),
        }
    }

    /// A conduit that answers with `script` and records nothing (requests are
    /// still counted).
    #[must_use]
    pub const fn replay(script: &'a [Regs]) -> Self {
        Self::new(script, &mut [])
    }

    /// Sets the registers returned once the script is used up.
    #[must_use]
    pub const fn with_fallback(mut self, fallback: Regs) -> Self {
        self.fallback = fallback;
        self
    }

    /// Every call made.
    #[must_use]
    pub fn calls(&self) -> u64 {
        self.inner.lock().calls
    }

    /// Calls answered with the fallback because the script was used up.
    #[must_use]
    pub fn overruns(&self) -> u64 {
        self.inner.lock().overruns
    }

    /// Scripted responses not yet returned.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.script.len().saturating_sub(self.inner.lock().next)
    }

    /// How many requests were recorded (at most the buffer's length).
    #[must_use]
    pub fn recorded(&self) -> usize {
        self.inner.lock().recorded
    }

    /// Recorded request `index` (0 = the first call).
    #[must_use]
    pub fn request(&self, index: usize) -> Option<Regs> {
        let inner = self.inner.lock();
        inner.record.get(..inner.recorded)?.get(index).copied()
    }

    /// Calls `f` with the recorded requests, oldest first.
    ///
    /// `f` runs with the conduit's spin lock held: it must not call the
    /// conduit or any of its methods (`call`, `calls`, `request`, ...),
    /// which would wait for that lock forever. Copy what it needs out.
    pub fn with_recorded<R>(&self, f: impl FnOnce(&[Regs]) -> R) -> R {
        let inner = self.inner.lock();
        f(inner.record.get(..inner.recorded).unwrap_or(&[]))
    }
}

impl Conduit for ScriptedConduit<'_> {
    fn call(&self, args: &Regs) -> Regs {
        let mut inner = self.inner.lock();
        inner.calls = inner.calls.saturating_add(1);
        let at = inner.recorded;
        if let Some(slot) = inner.record.get_mut(at) {
            *slot = *args;
            inner.recorded = at + 1;
        }
        match self.script.get(inner.next) {
            Some(&response) => {
                inner.next += 1;
                response
            }
            None => {
                inner.overruns = inner.overruns.saturating_add(1);
                self.fallback
            }
        }
    }
}
