//! Time from the generic timer's physical counter, for bounded waits.
//!
//! CNTPCT_EL0 counts at CNTFRQ_EL0 (62.5 MHz on QEMU `virt`); NS-EL1 may read
//! it because the boot code sets CNTHCTL_EL2.EL1PCTEN.

use core::arch::asm;

/// The counter value.
#[must_use]
pub fn ticks() -> u64 {
    let ticks: u64;
    // SAFETY: Reading CNTPCT_EL0 has no side effects; the `isb` orders it
    // after the instructions before it. Allowed at EL3 and EL2, and at EL1
    // with CNTHCTL_EL2.EL1PCTEN set (see `exception_level`).
    unsafe {
        asm!("isb", "mrs {}, cntpct_el0", out(reg) ticks, options(nomem, nostack, preserves_flags))
    };
    ticks
}

/// Counter ticks per second.
#[must_use]
pub fn frequency() -> u64 {
    let frequency: u64;
    // SAFETY: Reading CNTFRQ_EL0 has no side effects and is allowed at every EL.
    unsafe {
        asm!("mrs {}, cntfrq_el0", out(reg) frequency, options(nomem, nostack, preserves_flags))
    };
    // QEMU always sets it; guard against 0 so that deadlines still expire.
    frequency.max(1)
}

/// Microseconds since the counter started.
#[must_use]
pub fn micros() -> u64 {
    let ticks = u128::from(ticks());
    let us = ticks * 1_000_000 / u128::from(frequency());
    u64::try_from(us).unwrap_or(u64::MAX)
}

/// A point in time after which a wait gives up.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: u64,
}

impl Deadline {
    /// `ms` milliseconds from now.
    #[must_use]
    pub fn after_ms(ms: u64) -> Self {
        let delta = frequency().saturating_mul(ms) / 1000;
        Self {
            at: ticks().saturating_add(delta),
        }
    }

    /// Whether the deadline has passed.
    #[must_use]
    pub fn expired(&self) -> bool {
        ticks() >= self.at
    }
}
