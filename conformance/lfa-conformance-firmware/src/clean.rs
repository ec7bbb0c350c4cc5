// SPDX-License-Identifier: MIT OR Apache-2.0
//! `profile=clean`: the conformance population as an [`lfa_agent::Platform`]
//! of its own, so that the agent answering is `lfa_agent::Agent` itself,
//! with no simulator around it.
//!
//! The platform is scripted (a table, not images): PRIME answers CALL_AGAIN
//! a component's number of prime rounds and then succeeds, ACTIVATE answers
//! CALL_AGAIN its number of activate rounds and then swaps the versions. The
//! CPUs come from the firmware's PSCI state, the clock is the generic timer
//! and the rendezvous bound is [`rendezvous_ms`] (`rendezvous-ms=N`, default
//! [`DEFAULT_RENDEZVOUS_MS`]).

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use lfa_agent::{Activated, Component, FirmwareVersion, LfaError, Platform, Step};
use lfa_qemu::{cpu, firmware, timer};

/// The rendezvous bound without `rendezvous-ms=`: 1 s from the first CPU's
/// arrival.
pub const DEFAULT_RENDEZVOUS_MS: u64 = 1000;

/// One component of the table and the behaviour the checks rely on.
#[derive(Clone, Copy, Debug)]
pub struct Scripted {
    /// What GET_INVENTORY reports at boot.
    pub component: Component,
    /// PRIME answers CALL_AGAIN this many times, then SUCCESS.
    pub prime_rounds: u32,
    /// ACTIVATE answers CALL_AGAIN this many times (rounds), then completes.
    pub activate_rounds: u32,
    /// Whether the component has a cancel hook ([`Platform::cancel`]).
    pub cancel_hook: bool,
}

impl Scripted {
    /// `component`, no CALL_AGAIN, with a cancel hook.
    #[must_use]
    pub const fn new(component: Component) -> Self {
        Self {
            component,
            prime_rounds: 0,
            activate_rounds: 0,
            cancel_hook: true,
        }
    }

    /// Sets the PRIME rounds answered CALL_AGAIN.
    #[must_use]
    pub const fn prime_rounds(mut self, rounds: u32) -> Self {
        self.prime_rounds = rounds;
        self
    }

    /// Sets the ACTIVATE rounds answered CALL_AGAIN.
    #[must_use]
    pub const fn activate_rounds(mut self, rounds: u32) -> Self {
        self.activate_rounds = rounds;
        self
    }

    /// The component has no cancel hook.
    #[must_use]
    pub const fn without_cancel_hook(mut self) -> Self {
        self.cancel_hook = false;
        self
    }
}

/// How many components the table may have.
pub const CAPACITY: usize = 16;

/// The versions of one component as they change.
struct Versions {
    current: AtomicU64,
    pending: AtomicU64,
    staged: AtomicBool,
}

/// The scripted platform: a table of [`Scripted`] components, their
/// versions, and the progress of the PRIME and ACTIVATE in hand. Every
/// method but `now` runs under the agent's lock, so plain atomics with
/// relaxed ordering suffice for the state.
pub struct ConformancePlatform {
    table: &'static [Scripted],
    versions: [Versions; CAPACITY],
    /// `index + 1` of the component being primed (0: none).
    priming: AtomicU32,
    /// PRIME calls answered CALL_AGAIN for it so far.
    prime_calls: AtomicU32,
    /// ACTIVATE rounds answered CALL_AGAIN so far.
    activate_calls: AtomicU32,
    /// The rendezvous bound in generic timer ticks (0: not yet set).
    timeout_ticks: AtomicU64,
    /// CPUs PSCI accepted that do not exist (`phantom-cpus`).
    phantoms: &'static AtomicU32,
}

impl ConformancePlatform {
    /// The platform of `table` (at most [`CAPACITY`] entries are used);
    /// `phantoms` is the firmware's bitmap of accepted phantom CPUs, which
    /// count as on.
    #[must_use]
    pub const fn new(table: &'static [Scripted], phantoms: &'static AtomicU32) -> Self {
        Self {
            table,
            versions: [const {
                Versions {
                    current: AtomicU64::new(0),
                    pending: AtomicU64::new(0),
                    staged: AtomicBool::new(false),
                }
            }; CAPACITY],
            priming: AtomicU32::new(0),
            prime_calls: AtomicU32::new(0),
            activate_calls: AtomicU32::new(0),
            timeout_ticks: AtomicU64::new(0),
            phantoms,
        }
    }

    /// Loads the versions of the table and sets the rendezvous bound to `ms`
    /// milliseconds of the generic timer (EL3 init, on CPU 0, before any
    /// call).
    pub fn init(&self, rendezvous_ms: u64) {
        for (scripted, versions) in self.table.iter().zip(&self.versions) {
            let c = scripted.component;
            versions
                .current
                .store(c.current_version.to_reg(), Ordering::Relaxed);
            let pending = c.pending_version.map_or(0, FirmwareVersion::to_reg);
            versions.pending.store(pending, Ordering::Relaxed);
            versions
                .staged
                .store(c.pending_version.is_some(), Ordering::Relaxed);
        }
        let ticks = timer::frequency().saturating_mul(rendezvous_ms) / 1000;
        self.timeout_ticks.store(ticks.max(1), Ordering::Release);
    }

    fn entry(&self, index: u32) -> Option<(&Scripted, &Versions)> {
        let index = usize::try_from(index).ok()?;
        Some((self.table.get(index)?, self.versions.get(index)?))
    }
}

impl Platform for ConformancePlatform {
    fn component_count(&self) -> u32 {
        let count = self.table.len().min(CAPACITY);
        u32::try_from(count).unwrap_or(0)
    }

    fn component(&self, index: u32) -> Option<Component> {
        let (scripted, versions) = self.entry(index)?;
        let mut c = scripted.component;
        c.current_version = FirmwareVersion::from_reg(versions.current.load(Ordering::Relaxed));
        c.pending_version = versions
            .staged
            .load(Ordering::Relaxed)
            .then(|| FirmwareVersion::from_reg(versions.pending.load(Ordering::Relaxed)));
        Some(c)
    }

    fn prime(&self, index: u32) -> Result<Step, LfaError> {
        let Some((scripted, _)) = self.entry(index) else {
            return Err(LfaError::InvalidParameters);
        };
        let tag = index.saturating_add(1);
        let calls = if self.priming.load(Ordering::Relaxed) == tag {
            self.prime_calls.load(Ordering::Relaxed)
        } else {
            0
        };
        if calls >= scripted.prime_rounds {
            self.priming.store(0, Ordering::Relaxed);
            self.prime_calls.store(0, Ordering::Relaxed);
            return Ok(Step::Done);
        }
        self.priming.store(tag, Ordering::Relaxed);
        self.prime_calls
            .store(calls.saturating_add(1), Ordering::Relaxed);
        Ok(Step::Again)
    }

    fn activate(
        &self,
        index: u32,
        _entry_point: u64,
        _context_id: u64,
    ) -> Result<Activated, LfaError> {
        let Some((scripted, versions)) = self.entry(index) else {
            return Err(LfaError::InvalidParameters);
        };
        let rounds = self.activate_calls.load(Ordering::Relaxed);
        if rounds < scripted.activate_rounds {
            self.activate_calls
                .store(rounds.saturating_add(1), Ordering::Relaxed);
            return Ok(Activated::Again);
        }
        self.activate_calls.store(0, Ordering::Relaxed);
        if versions.staged.swap(false, Ordering::Relaxed) {
            let new = versions.pending.swap(0, Ordering::Relaxed);
            versions.current.store(new, Ordering::Relaxed);
        }
        Ok(Activated::Return)
    }

    fn cancel(&self, index: u32) -> bool {
        self.priming.store(0, Ordering::Relaxed);
        self.prime_calls.store(0, Ordering::Relaxed);
        self.activate_calls.store(0, Ordering::Relaxed);
        self.entry(index).is_some_and(|(s, _)| s.cancel_hook)
    }

    fn valid_entry_point(&self, entry_point: u64) -> bool {
        firmware::valid_entry_point(entry_point)
    }

    fn cpus_on(&self) -> u32 {
        firmware::cpus_on().saturating_add(self.phantoms.load(Ordering::Acquire).count_ones())
    }

    fn cpu_index(&self) -> usize {
        cpu::index()
    }

    fn now(&self) -> u64 {
        timer::ticks()
    }

    fn rendezvous_timeout(&self) -> u64 {
        match self.timeout_ticks.load(Ordering::Acquire) {
            0 => timer::frequency().saturating_mul(DEFAULT_RENDEZVOUS_MS) / 1000,
            ticks => ticks,
        }
    }
}

/// The bound `rendezvous-ms=N` on the command line sets (at least 1 ms), or
/// [`DEFAULT_RENDEZVOUS_MS`].
#[must_use]
pub fn rendezvous_ms() -> u64 {
    lfa_qemu::cmdline::number("rendezvous-ms").map_or(DEFAULT_RENDEZVOUS_MS, |ms| ms.max(1))
}
