//! Time from the generic timer's virtual counter, for bounded waits.
//!
//! CNTVCT_EL0 is readable at EL2 and (unless the hypervisor traps it) at
//! EL1; the image never programs the timer.

use core::arch::asm;

/// The counter value.
#[must_use]
pub fn ticks() -> u64 {
    let ticks: u64;
    // SAFETY: Reading CNTVCT_EL0 has no side effects; the `isb` keeps it in
    // program order.
    unsafe {
        asm!("isb", "mrs {}, cntvct_el0", out(reg) ticks, options(nomem, nostack, preserves_flags))
    };
    ticks
}

/// Ticks per second (never 0, so deadlines always expire).
#[must_use]
pub fn frequency() -> u64 {
    let frequency: u64;
    // SAFETY: Reading CNTFRQ_EL0 has no side effects and works at every EL.
    unsafe {
        asm!("mrs {}, cntfrq_el0", out(reg) frequency, options(nomem, nostack, preserves_flags))
    };
    frequency.max(1)
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
        Self {
            at: ticks().saturating_add(frequency().saturating_mul(ms) / 1000),
        }
    }

    /// Whether it has passed.
    #[must_use]
    pub fn expired(&self) -> bool {
        ticks() >= self.at
    }
}

/// Spins for `ms` milliseconds.
pub fn delay_ms(ms: u64) {
    let until = Deadline::after_ms(ms);
    while !until.expired() {
        core::hint::spin_loop();
    }
}

/// The generic timer as `lfa-client`'s clock: CALL_AGAIN loops of the
/// client pause and are timed with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timer;

impl lfa_client::Clock for Timer {
    fn now(&self) -> core::time::Duration {
        let micros = u128::from(ticks()) * 1_000_000 / u128::from(frequency());
        core::time::Duration::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
    }

    fn delay(&self, duration: core::time::Duration) {
        let ticks_needed = duration.as_micros() * u128::from(frequency()) / 1_000_000;
        let until = ticks().saturating_add(u64::try_from(ticks_needed).unwrap_or(u64::MAX));
        while ticks() < until {
            core::hint::spin_loop();
        }
    }
}
