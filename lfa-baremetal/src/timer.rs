// SPDX-License-Identifier: MIT OR Apache-2.0
//! Time from the generic timer's counters, for bounded waits.
//!
//! Two counters count at CNTFRQ_EL0: the physical one (CNTPCT_EL0; at NS-EL1
//! only if EL2 set CNTHCTL_EL2.EL1PCTEN) and the virtual one (CNTVCT_EL0;
//! at EL1 unless the hypervisor traps it). An image picks one with
//! [`Counter`]; nothing here programs the timer.

use core::arch::asm;
use core::marker::PhantomData;

/// A counter of the generic timer.
pub trait Counter {
    /// Its current value.
    fn ticks() -> u64;
}

/// CNTPCT_EL0, the physical counter.
#[derive(Clone, Copy, Debug)]
pub struct Physical;

impl Counter for Physical {
    fn ticks() -> u64 {
        let ticks: u64;
        // SAFETY: Reading CNTPCT_EL0 has no side effects; the `isb` orders it
        // after the instructions before it. Allowed at EL3 and EL2, and at
        // EL1 with CNTHCTL_EL2.EL1PCTEN set (the user's boot code's job).
        unsafe {
            asm!("isb", "mrs {}, cntpct_el0", out(reg) ticks, options(nomem, nostack, preserves_flags))
        };
        ticks
    }
}

/// CNTVCT_EL0, the virtual counter.
#[derive(Clone, Copy, Debug)]
pub struct Virtual;

impl Counter for Virtual {
    fn ticks() -> u64 {
        let ticks: u64;
        // SAFETY: Reading CNTVCT_EL0 has no side effects; the `isb` keeps it
        // in program order. Readable at EL2 and, unless trapped, at EL1.
        unsafe {
            asm!("isb", "mrs {}, cntvct_el0", out(reg) ticks, options(nomem, nostack, preserves_flags))
        };
        ticks
    }
}

/// Counter ticks per second (never 0, so deadlines always expire).
#[must_use]
pub fn frequency() -> u64 {
    let frequency: u64;
    // SAFETY: Reading CNTFRQ_EL0 has no side effects and is allowed at every EL.
    unsafe {
        asm!("mrs {}, cntfrq_el0", out(reg) frequency, options(nomem, nostack, preserves_flags))
    };
    frequency.max(1)
}

/// `ticks` of the counter in microseconds (saturating).
#[must_use]
pub fn ticks_to_micros(ticks: u64) -> u64 {
    let us = u128::from(ticks) * 1_000_000 / u128::from(frequency());
    u64::try_from(us).unwrap_or(u64::MAX)
}

/// A point in time on counter `C` after which a wait gives up.
#[derive(Clone, Copy, Debug)]
pub struct Deadline<C> {
    at: u64,
    counter: PhantomData<C>,
}

impl<C: Counter> Deadline<C> {
    /// `ms` milliseconds from now.
    #[must_use]
    pub fn after_ms(ms: u64) -> Self {
        let delta = frequency().saturating_mul(ms) / 1000;
        Self {
            at: C::ticks().saturating_add(delta),
            counter: PhantomData,
        }
    }

    /// Whether the deadline has passed.
    #[must_use]
    pub fn expired(&self) -> bool {
        C::ticks() >= self.at
    }
}
