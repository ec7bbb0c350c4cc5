// SPDX-License-Identifier: MIT OR Apache-2.0
//! Bounds for CALL_AGAIN loops: a round count, and optionally a caller's clock.

use core::time::Duration;

use lfa_proto::{ActivateRequest, PrimeRequest, ProgressFlags, Request, decode_status};
use lfa_smccc::Conduit;

/// Time as the caller measures it, and a way to wait.
///
/// A `no_std` library has no clock of its own: an OS passes its monotonic
/// clock and sleep, bare-metal code on AArch64 can pass `GenericTimerClock`
/// (a busy-wait on the generic timer), a test passes a simulated clock.
/// Without one ([`NoClock`]), CALL_AGAIN loops are bounded by
/// [`RetryPolicy::max_rounds`] alone and do not pause between calls.
pub trait Clock {
    /// A monotonic time; only differences between two readings are used.
    fn now(&self) -> Duration;
    /// Waits about `duration` before the next try of a CALL_AGAIN loop.
    fn delay(&self, duration: Duration);
}

/// No clock: [`Clock::now`] is always zero and [`Clock::delay`] returns at
/// once, so only [`RetryPolicy::max_rounds`] bounds a loop, and its calls go
/// back to back. The default of [`Client::discover`](crate::Client::discover);
/// fine for tests and simulators, not for real firmware (see
/// [`RetryPolicy`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoClock;

impl Clock for NoClock {
    fn now(&self) -> Duration {
        Duration::ZERO
    }

    fn delay(&self, _duration: Duration) {}
}

impl<K: Clock + ?Sized> Clock for &K {
    fn now(&self) -> Duration {
        (**self).now()
    }

    fn delay(&self, duration: Duration) {
        (**self).delay(duration);
    }
}

/// How long a CALL_AGAIN loop (`LFA_PRIME`, `LFA_ACTIVATE`) may go on.
///
/// A loop stops with [`ErrorDetail::Timeout`](crate::ErrorDetail::Timeout) when the
/// agent still says CALL_AGAIN after `max_rounds` calls, or (with a
/// [`Clock`]) once `timeout` has passed since the first call, whichever comes
/// first. Between tries the client waits `delay` through the clock. The
/// defaults follow the Linux driver: `LFA_PRIME` 30 s, `LFA_ACTIVATE` 10 s,
/// 10 ms between tries; the round counts are the timeout divided by the delay.
///
/// **Without a clock the time bounds do not apply.** With [`NoClock`] (what
/// [`Client::discover`](crate::Client::discover) starts with) the elapsed
/// time always reads zero, so `timeout` never fires, and `delay` is not
/// waited: a loop is at most `max_rounds` calls sent back to back (3000
/// `LFA_PRIME` or 1000 `LFA_ACTIVATE` calls with the defaults), which may
/// take far less than the 30 s or 10 s firmware is allowed. A real
/// deployment should give the client a clock
/// ([`Client::with_clock`](crate::Client::with_clock); on AArch64
/// `GenericTimerClock`), or raise `max_rounds` to what its firmware needs.
///
/// Inside a rendezvous window the CPUs do not read the clock or wait, clock
/// or not: only `max_rounds` bounds the `LFA_ACTIVATE` loop there, and its
/// calls go back to back.
///
/// ```
/// use core::time::Duration;
/// use lfa_client::RetryPolicy;
///
/// assert_eq!(RetryPolicy::PRIME.timeout, Duration::from_secs(30));
/// assert_eq!(RetryPolicy::PRIME.max_rounds, 3000);
/// assert_eq!(RetryPolicy::ACTIVATE.timeout, Duration::from_secs(10));
/// assert_eq!(RetryPolicy::ACTIVATE.delay, Duration::from_millis(10));
/// assert_eq!(RetryPolicy::rounds(5).max_rounds, 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    /// The most calls one loop sends (0 is treated as 1: the first call is
    /// always sent).
    pub max_rounds: u32,
    /// The most time one loop may take, by the caller's [`Clock`].
    pub timeout: Duration,
    /// How long to wait between two tries, through [`Clock::delay`].
    pub delay: Duration,
}

impl RetryPolicy {
    /// The default for `LFA_PRIME`: 30 s, 10 ms between tries, 3000 rounds.
    pub const PRIME: Self = Self {
        max_rounds: 3000,
        timeout: Duration::from_secs(30),
        delay: Duration::from_millis(10),
    };

    /// The default for `LFA_ACTIVATE`: 10 s, 10 ms between tries, 1000 rounds.
    pub const ACTIVATE: Self = Self {
        max_rounds: 1000,
        timeout: Duration::from_secs(10),
        delay: Duration::from_millis(10),
    };

    /// A pure round bound: `max_rounds` calls, no timeout and no delay.
    #[must_use]
    pub const fn rounds(max_rounds: u32) -> Self {
        Self {
            max_rounds,
            timeout: Duration::MAX,
            delay: Duration::ZERO,
        }
    }
}

/// What one round of a CALL_AGAIN loop (`LFA_PRIME`, `LFA_ACTIVATE`) says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// CALL_AGAIN was clear after `rounds` calls.
    Done { rounds: u32 },
    /// Call again after waiting `wait` (the policy's delay).
    Again { wait: Duration },
    /// The last call returned an error status.
    Failed {
        status: lfa_proto::LfaError,
        rounds: u32,
    },
    /// The bound was reached while the agent still said CALL_AGAIN.
    TimedOut { rounds: u32, elapsed: Duration },
}

/// The progress of one `LFA_PRIME` / `LFA_ACTIVATE` response (its x0 and
/// x1): `Ok(true)` to call again, `Ok(false)` when done. On an error only x0
/// is read. It takes the two registers, not the block, so that a caller's
/// block can stay in registers.
#[inline]
pub(crate) fn progress(x0: u64, x1: u64) -> Result<bool, lfa_proto::LfaError> {
    decode_status(x0)?;
    Ok(ProgressFlags::from_bits_retain(x1).call_again())
}

/// `nanos` as a `Duration`, saturating at `u64::MAX` seconds; no panic path
/// (no `Duration::new` or `Duration` arithmetic, which carry an overflow
/// check the optimiser cannot always remove).
pub(crate) fn duration_from_nanos(nanos: u128) -> Duration {
    match u64::try_from(nanos) {
        Ok(nanos) => Duration::from_nanos(nanos),
        Err(_) => Duration::from_secs(
            nanos
                .checked_div(1_000_000_000)
                .and_then(|secs| u64::try_from(secs).ok())
                .unwrap_or(u64::MAX),
        ),
    }
}

/// `now - start`, zero if the clock went backwards; no panic path.
pub(crate) fn elapsed(now: Duration, start: Duration) -> Duration {
    duration_from_nanos(now.as_nanos().saturating_sub(start.as_nanos()))
}

/// A CALL_AGAIN loop driven one call at a time: the rounds sent so far and
/// the clock reading before the first one.
///
/// The clock is read once before the first call and once after every
/// CALL_AGAIN answer; the same, original request block is sent every round
/// and the response is only read, never sent back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Retry {
    rounds: u32,
    start: Duration,
}

impl Retry {
    /// Before the first call: reads the clock.
    pub(crate) fn start<K: Clock + ?Sized>(clock: &K) -> Self {
        Self {
            rounds: 0,
            start: clock.now(),
        }
    }

    /// Calls sent so far.
    pub(crate) const fn rounds(&self) -> u32 {
        self.rounds
    }
}

/// The requests a CALL_AGAIN loop repeats: one type, so that one copy of
/// [`Retry::round`] serves both.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Repeated {
    Prime(PrimeRequest),
    Activate(ActivateRequest),
}

impl Retry {
    /// Sends `request` once and judges the answer against `policy`. Out of
    /// line: the result block is in this frame only, not in the frames of
    /// the steps that call it.
    #[inline(never)]
    pub(crate) fn round<C: Conduit + ?Sized, K: Clock + ?Sized>(
        &mut self,
        conduit: &C,
        clock: &K,
        request: Repeated,
        policy: &RetryPolicy,
    ) -> Verdict {
        self.rounds = self.rounds.saturating_add(1);
        let rounds = self.rounds;
        // Encoded first, then one call (one copy of its code for both).
        let block = match request {
            Repeated::Prime(request) => request.encode(),
            Repeated::Activate(request) => request.encode(),
        };
        let regs = crate::client::send_encoded(conduit, block);
        let [x0, x1, ..] = regs.x;
        match progress(x0, x1) {
            Err(status) => return Verdict::Failed { status, rounds },
            Ok(false) => return Verdict::Done { rounds },
            Ok(true) => {}
        }
        let elapsed = elapsed(clock.now(), self.start);
        if rounds >= policy.max_rounds || elapsed >= policy.timeout {
            return Verdict::TimedOut { rounds, elapsed };
        }
        Verdict::Again { wait: policy.delay }
    }
}

#[cfg(test)]
mod tests {
    use core::cell::Cell;

    use super::*;
    use lfa_proto::{Regs, SeqId};

    /// How a loop of [`Retry`] rounds ended, as the blocking flow drives it.
    #[derive(Debug, PartialEq, Eq)]
    enum LoopEnd {
        Done {
            rounds: u32,
        },
        Failed {
            status: lfa_proto::LfaError,
            rounds: u32,
        },
        TimedOut {
            rounds: u32,
            elapsed: Duration,
        },
    }

    /// The blocking driver: round after round, waiting between them.
    fn call_again_loop<C: Conduit, K: Clock>(
        conduit: &C,
        clock: &K,
        request: Repeated,
        policy: &RetryPolicy,
    ) -> LoopEnd {
        let mut retry = Retry::start(clock);
        loop {
            match retry.round(conduit, clock, request, policy) {
                Verdict::Done { rounds } => return LoopEnd::Done { rounds },
                Verdict::Failed { status, rounds } => return LoopEnd::Failed { status, rounds },
                Verdict::TimedOut { rounds, elapsed } => {
                    return LoopEnd::TimedOut { rounds, elapsed };
                }
                Verdict::Again { wait } => clock.delay(wait),
            }
        }
    }

    /// Answers CALL_AGAIN `again` times, then done; records every request.
    struct Again {
        again: Cell<u32>,
        calls: Cell<u32>,
        first: Cell<Option<Regs>>,
        all_same: Cell<bool>,
    }

    impl Again {
        fn new(again: u32) -> Self {
            Self {
                again: Cell::new(again),
                calls: Cell::new(0),
                first: Cell::new(None),
                all_same: Cell::new(true),
            }
        }
    }

    impl Conduit for Again {
        fn call(&self, args: &Regs) -> Regs {
            self.calls.set(self.calls.get() + 1);
            match self.first.get() {
                None => self.first.set(Some(*args)),
                Some(first) => {
                    if first != *args {
                        self.all_same.set(false);
                    }
                }
            }
            // Clobber every register of the response.
            let mut out = Regs { x: [0xDEAD; 18] };
            out.x[0] = 0;
            out.x[1] = u64::from(self.again.get() > 0);
            self.again.set(self.again.get().saturating_sub(1));
            out
        }
    }

    /// A clock that advances by the delays it is asked for.
    struct FakeClock {
        now: Cell<Duration>,
        delays: Cell<u32>,
    }

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            self.now.get()
        }
        fn delay(&self, d: Duration) {
            self.delays.set(self.delays.get() + 1);
            self.now.set(self.now.get() + d);
        }
    }

    #[test]
    fn elapsed_and_nanos_saturate_without_panicking() {
        let s = Duration::from_secs;
        assert_eq!(elapsed(s(5), s(7)), Duration::ZERO, "a clock going back");
        assert_eq!(elapsed(s(7), s(5)), s(2));
        assert_eq!(elapsed(Duration::MAX, Duration::ZERO).as_secs(), u64::MAX);
        assert_eq!(
            duration_from_nanos(1_500_000_000),
            Duration::from_millis(1500)
        );
        assert_eq!(duration_from_nanos(u128::MAX), s(u64::MAX));
    }

    #[test]
    fn done_after_call_again_rounds_with_identical_requests() {
        let c = Again::new(3);
        let req = Repeated::Prime(PrimeRequest::new(SeqId(5)));
        let end = call_again_loop(&c, &NoClock, req, &RetryPolicy::rounds(10));
        assert_eq!(end, LoopEnd::Done { rounds: 4 });
        assert_eq!(c.calls.get(), 4);
        assert!(c.all_same.get());
        let mut sent = Regs::with_x0(0xC400_02E4);
        sent.x[1] = 5;
        assert_eq!(c.first.get(), Some(sent));
    }

    #[test]
    fn round_bound_without_clock() {
        let c = Again::new(u32::MAX);
        let req = Repeated::Prime(PrimeRequest::new(SeqId(0)));
        let end = call_again_loop(&c, &NoClock, req, &RetryPolicy::PRIME);
        assert_eq!(
            end,
            LoopEnd::TimedOut {
                rounds: 3000,
                elapsed: Duration::ZERO
            }
        );
        assert_eq!(c.calls.get(), 3000);
    }

    #[test]
    fn zero_rounds_still_sends_once() {
        let c = Again::new(u32::MAX);
        let end = call_again_loop(
            &c,
            &NoClock,
            Repeated::Prime(PrimeRequest::new(SeqId(0))),
            &RetryPolicy::rounds(0),
        );
        assert_eq!(
            end,
            LoopEnd::TimedOut {
                rounds: 1,
                elapsed: Duration::ZERO
            }
        );
    }

    #[test]
    fn clock_timeout_with_delays() {
        let c = Again::new(u32::MAX);
        let clock = FakeClock {
            now: Cell::new(Duration::from_secs(100)),
            delays: Cell::new(0),
        };
        let policy = RetryPolicy {
            max_rounds: u32::MAX,
            ..RetryPolicy::ACTIVATE
        };
        let end = call_again_loop(
            &c,
            &clock,
            Repeated::Prime(PrimeRequest::new(SeqId(0))),
            &policy,
        );
        // 10 s at 10 ms per try: the 1001st response is seen at 10 s.
        assert_eq!(
            end,
            LoopEnd::TimedOut {
                rounds: 1001,
                elapsed: Duration::from_secs(10)
            }
        );
        assert_eq!(clock.delays.get(), 1000);
    }

    #[test]
    fn error_reads_only_x0() {
        struct Fails;
        impl Conduit for Fails {
            fn call(&self, _: &Regs) -> Regs {
                let mut out = Regs { x: [1; 18] };
                out.x[0] = lfa_proto::LfaError::Unknown(-35).to_x0();
                out
            }
        }
        let end = call_again_loop(
            &Fails,
            &NoClock,
            Repeated::Prime(PrimeRequest::new(SeqId(0))),
            &RetryPolicy::rounds(3),
        );
        assert_eq!(
            end,
            LoopEnd::Failed {
                status: lfa_proto::LfaError::Unknown(-35),
                rounds: 1
            }
        );
    }
}
