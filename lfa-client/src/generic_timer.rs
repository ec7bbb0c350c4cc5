// SPDX-License-Identifier: MIT OR Apache-2.0
//! A [`Clock`] on the Arm generic timer, for callers without an OS clock
//! (AArch64 only; the arithmetic is tested on every host).

use core::time::Duration;

#[cfg(target_arch = "aarch64")]
use crate::Clock;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A [`Clock`] that reads the generic timer's virtual count
/// (`lfa_smccc::aarch64::counter`) and waits by busy-polling it: what a
/// bare-metal program or early boot code can use to give the CALL_AGAIN
/// loops their time bounds and delays ([`RetryPolicy`](crate::RetryPolicy)).
/// An OS should pass its own clock (with a sleep) instead.
///
/// No path of this clock can panic (checked and saturating arithmetic
/// throughout); `scripts/panic-check.sh` links it into an image whose panic
/// handler cannot exist.
///
/// - [`Clock::now`] is the count converted to time at the frequency.
/// - [`Clock::delay`] polls the count until the requested duration has
///   passed: it never waits longer than asked (plus one poll), so the
///   retry loop's time bound holds. If the count stops advancing (a timer
///   the firmware left disabled), `delay` gives up after
///   [`GenericTimerClock::STUCK_POLLS`] identical readings instead of
///   spinning forever.
/// - **Frequency 0** (firmware that did not program `CNTFRQ_EL0`): the clock
///   is degenerate: `now` is always zero and `delay` returns at once, like
///   [`NoClock`](crate::NoClock). The retry loops are then bounded by
///   [`RetryPolicy::max_rounds`](crate::RetryPolicy::max_rounds) alone, with
///   no pause between calls. Use [`GenericTimerClock::with_frequency`] when
///   the frequency is known from elsewhere (a device tree
///   `clock-frequency`).
///
/// ```no_run
/// use lfa_client::{Client, GenericTimerClock};
/// use lfa_smccc::Smc;
///
/// let clock = GenericTimerClock::new();
/// let client = Client::discover(Smc)?.with_clock(clock);
/// # Ok::<(), lfa_client::Error>(())
/// ```
#[cfg(target_arch = "aarch64")]
#[cfg_attr(docsrs, doc(cfg(target_arch = "aarch64")))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GenericTimerClock {
    frequency: u64,
}

#[cfg(target_arch = "aarch64")]
impl GenericTimerClock {
    /// How many identical readings of a count that should advance
    /// [`Clock::delay`] tolerates before it returns early (about 2^20 polls:
    /// milliseconds, where a running counter changes every few polls).
    pub const STUCK_POLLS: u32 = 1 << 20;

    /// A clock at the frequency the firmware programmed (`CNTFRQ_EL0`).
    #[must_use]
    pub fn new() -> Self {
        Self::with_frequency(lfa_smccc::aarch64::counter_frequency())
    }

    /// A clock at `frequency` ticks per second (0: the degenerate clock).
    #[must_use]
    pub const fn with_frequency(frequency: u64) -> Self {
        Self { frequency }
    }

    /// The frequency in ticks per second.
    #[must_use]
    pub const fn frequency(&self) -> u64 {
        self.frequency
    }
}

#[cfg(target_arch = "aarch64")]
impl Default for GenericTimerClock {
    /// The same as [`GenericTimerClock::new`].
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_arch = "aarch64")]
impl Clock for GenericTimerClock {
    fn now(&self) -> Duration {
        ticks_to_duration(lfa_smccc::aarch64::counter(), self.frequency)
    }

    // Out of line: a busy wait gains nothing from inlining, and the no-panic
    // check finds it in the image by name.
    #[inline(never)]
    fn delay(&self, duration: Duration) {
        let ticks = duration_to_ticks(duration, self.frequency);
        let _end = wait_ticks(lfa_smccc::aarch64::counter, ticks, Self::STUCK_POLLS);
    }
}

/// `ticks` at `frequency` as time (zero at frequency 0; saturating). No
/// panic path: checked division, saturating arithmetic, no `Duration::new`.
pub(crate) fn ticks_to_duration(ticks: u64, frequency: u64) -> Duration {
    let (Some(secs), Some(rest)) = (ticks.checked_div(frequency), ticks.checked_rem(frequency))
    else {
        return Duration::ZERO;
    };
    // rest < frequency, so these nanoseconds are below one second.
    let nanos = u128::from(rest)
        .saturating_mul(NANOS_PER_SEC)
        .checked_div(u128::from(frequency))
        .unwrap_or(0);
    crate::retry::duration_from_nanos(
        u128::from(secs)
            .saturating_mul(NANOS_PER_SEC)
            .saturating_add(nanos),
    )
}

/// `duration` in ticks at `frequency`, rounded down (0 at frequency 0;
/// saturating), so a delay never exceeds what was asked. No panic path.
pub(crate) fn duration_to_ticks(duration: Duration, frequency: u64) -> u64 {
    let ticks = duration
        .as_nanos()
        .saturating_mul(u128::from(frequency))
        .checked_div(NANOS_PER_SEC)
        .unwrap_or(0);
    u64::try_from(ticks).unwrap_or(u64::MAX)
}

/// How a busy-wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitEnd {
    /// `ticks` had passed.
    Elapsed,
    /// The count read the same `stuck_polls` times in a row.
    Stuck,
}

/// Polls `read` until it has advanced by `ticks` (wrapping), or until it
/// returned the same value `stuck_polls` times in a row.
pub(crate) fn wait_ticks(read: impl Fn() -> u64, ticks: u64, stuck_polls: u32) -> WaitEnd {
    let start = read();
    let mut last = start;
    let mut same: u32 = 0;
    loop {
        if last.wrapping_sub(start) >= ticks {
            return WaitEnd::Elapsed;
        }
        core::hint::spin_loop();
        let now = read();
        if now == last {
            same = same.saturating_add(1);
            if same >= stuck_polls {
                return WaitEnd::Stuck;
            }
        } else {
            same = 0;
            last = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use core::cell::Cell;

    use super::*;

    const QEMU_HZ: u64 = 62_500_000;

    #[test]
    fn conversions_at_qemu_and_1ghz() {
        assert_eq!(
            duration_to_ticks(Duration::from_millis(10), QEMU_HZ),
            625_000
        );
        assert_eq!(
            ticks_to_duration(625_000, QEMU_HZ),
            Duration::from_millis(10)
        );
        assert_eq!(
            ticks_to_duration(QEMU_HZ * 3 + 1, QEMU_HZ),
            Duration::new(3, 16)
        );
        assert_eq!(
            duration_to_ticks(Duration::from_secs(30), 1_000_000_000),
            30_000_000_000
        );
        // Rounded down: 15 ns at 62.5 MHz (16 ns a tick) is no tick.
        assert_eq!(duration_to_ticks(Duration::from_nanos(15), QEMU_HZ), 0);
    }

    #[test]
    fn frequency_zero_is_a_clock_that_never_advances() {
        assert_eq!(ticks_to_duration(u64::MAX, 0), Duration::ZERO);
        assert_eq!(duration_to_ticks(Duration::from_secs(30), 0), 0);
    }

    #[test]
    fn extremes_saturate_without_panicking() {
        assert_eq!(duration_to_ticks(Duration::MAX, u64::MAX), u64::MAX);
        assert_eq!(
            ticks_to_duration(u64::MAX, 1),
            Duration::from_secs(u64::MAX)
        );
        assert_eq!(
            ticks_to_duration(u64::MAX, u64::MAX),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn wait_polls_until_the_ticks_have_passed() {
        let count = Cell::new(1000_u64);
        let reads = Cell::new(0_u32);
        let read = || {
            reads.set(reads.get() + 1);
            let c = count.get();
            count.set(c + 3);
            c
        };
        assert_eq!(wait_ticks(read, 10, 5), WaitEnd::Elapsed);
        // 1000, 1003, 1006, 1009, 1012: the fifth reading is 12 ticks on.
        assert_eq!(reads.get(), 5);
        // Zero ticks: one reading, no wait.
        reads.set(0);
        assert_eq!(wait_ticks(read, 0, 5), WaitEnd::Elapsed);
        assert_eq!(reads.get(), 1);
    }

    #[test]
    fn wait_survives_a_wrapping_count() {
        let count = Cell::new(u64::MAX - 1);
        let read = || {
            let c = count.get();
            count.set(c.wrapping_add(1));
            c
        };
        assert_eq!(wait_ticks(read, 4, 5), WaitEnd::Elapsed);
        assert_eq!(count.get(), 3, "read MAX-1, MAX, 0, 1, 2: 4 ticks on");
    }

    #[test]
    fn a_stuck_count_ends_the_wait() {
        let reads = Cell::new(0_u32);
        let read = || {
            reads.set(reads.get() + 1);
            7
        };
        assert_eq!(wait_ticks(read, 1, 100), WaitEnd::Stuck);
        assert_eq!(reads.get(), 1 + 100, "the start, then 100 identical polls");
    }
}
