// SPDX-License-Identifier: MIT OR Apache-2.0
//! Time from the generic timer's physical counter, for bounded waits.
//!
//! CNTPCT_EL0 counts at CNTFRQ_EL0 (62.5 MHz on QEMU `virt`); NS-EL1 may read
//! it because the boot code sets CNTHCTL_EL2.EL1PCTEN (see
//! `exception_level`). The reads are [`lfa_baremetal::timer`]'s.

use lfa_baremetal::timer::{self as generic, Counter, Physical};

pub use lfa_baremetal::timer::frequency;

/// A point in time (on the physical counter) after which a wait gives up.
pub type Deadline = generic::Deadline<Physical>;

/// The counter value.
#[must_use]
pub fn ticks() -> u64 {
    Physical::ticks()
}

/// Microseconds since the counter started.
#[must_use]
pub fn micros() -> u64 {
    generic::ticks_to_micros(ticks())
}
