// SPDX-License-Identifier: MIT OR Apache-2.0
//! Time from the generic timer's virtual counter, for bounded waits.
//!
//! CNTVCT_EL0 is readable at EL2 and (unless the hypervisor traps it) at
//! EL1; the image never programs the timer. The reads are
//! [`lfa_baremetal::timer`]'s.

use lfa_baremetal::timer::{self as generic, Counter, Virtual};

pub use lfa_baremetal::timer::frequency;

/// A point in time (on the virtual counter) after which a wait gives up.
pub type Deadline = generic::Deadline<Virtual>;

/// The counter value.
#[must_use]
pub fn ticks() -> u64 {
    Virtual::ticks()
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
        core::time::Duration::from_micros(generic::ticks_to_micros(ticks()))
    }

    fn delay(&self, duration: core::time::Duration) {
        let ticks_needed = duration.as_micros() * u128::from(frequency()) / 1_000_000;
        let until = ticks().saturating_add(u64::try_from(ticks_needed).unwrap_or(u64::MAX));
        while ticks() < until {
            core::hint::spin_loop();
        }
    }
}
