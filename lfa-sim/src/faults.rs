// SPDX-License-Identifier: MIT OR Apache-2.0
//! Injected faults: statuses a real agent can return that a well-behaved
//! simulation never would.

use lfa_proto::{FunctionId, LfaError, regs::from_signed};

use super::SimError;

/// How many faults can be armed at once.
pub const MAX_FAULTS: usize = 8;

/// What an injected fault does when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// Answer at once with x0 = this value and write no other register: no
    /// check is made and no state changes. Models BUSY from a contended lock
    /// and the unknown status codes of a buggy or newer agent.
    Reply(u64),
    /// PRIME or ACTIVATE passes every state check, then the image load and
    /// authentication (PRIME) or the activator (ACTIVATE) fails with x0 = this
    /// value. The prime or activation is abandoned (phase back to idle, the
    /// component still pending, its versions unchanged); with a rendezvous
    /// every waiting CPU gets the same status. Models AUTH_ERROR and
    /// DEVICE_ERROR on PRIME, ACTIVATION_FAILED and CRITICAL_ERROR on
    /// ACTIVATE, and the raw activator codes TF-A passes through (such as
    /// -35).
    StepFails(u64),
}

/// A fault to inject into one function's calls.
///
/// By default a fault fires on the first matching call, once. Matching calls
/// are counted per fault: [`FaultKind::Reply`] counts every call of the
/// function, [`FaultKind::StepFails`] only the calls that reach the step (a
/// PRIME or an ACTIVATE round that passed its checks).
///
/// ```
/// use lfa_proto::{FunctionId, LfaError};
/// use lfa_sim::Fault;
///
/// // The second PRIME step fails authentication.
/// let f = Fault::prime_fails(LfaError::AuthError).after(1);
/// assert_eq!(f.function(), FunctionId::Prime);
/// // Every GET_INFO answers BUSY.
/// let g = Fault::busy(FunctionId::GetInfo).always();
/// assert_eq!(g.remaining(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fault {
    function: FunctionId,
    kind: FaultKind,
    skip: u32,
    times: Option<u32>,
}

impl Fault {
    /// `function` answers `error` at once.
    #[must_use]
    pub const fn reply(function: FunctionId, error: LfaError) -> Self {
        Self::reply_raw(function, error.to_x0())
    }

    /// `function` answers x0 = `x0` at once (any value, including ones that
    /// are neither a status nor a result).
    #[must_use]
    pub const fn reply_raw(function: FunctionId, x0: u64) -> Self {
        Self {
            function,
            kind: FaultKind::Reply(x0),
            skip: 0,
            times: Some(1),
        }
    }

    /// `function` answers BUSY (-2) at once, as from a contended lock.
    #[must_use]
    pub const fn busy(function: FunctionId) -> Self {
        Self::reply(function, LfaError::Busy)
    }

    /// The PRIME step fails with `error` (typically AUTH_ERROR or
    /// DEVICE_ERROR).
    #[must_use]
    pub const fn prime_fails(error: LfaError) -> Self {
        Self::step(FunctionId::Prime, error.to_x0())
    }

    /// The PRIME step fails with a raw status, such as an activator's errno.
    #[must_use]
    pub const fn prime_fails_raw(code: i64) -> Self {
        Self::step(FunctionId::Prime, from_signed(code))
    }

    /// The ACTIVATE step fails with `error` (typically ACTIVATION_FAILED or
    /// CRITICAL_ERROR).
    #[must_use]
    pub const fn activate_fails(error: LfaError) -> Self {
        Self::step(FunctionId::Activate, error.to_x0())
    }

    /// The ACTIVATE step fails with a raw status (TF-A returns an activator's
    /// own error as is, for example -35).
    #[must_use]
    pub const fn activate_fails_raw(code: i64) -> Self {
        Self::step(FunctionId::Activate, from_signed(code))
    }

    const fn step(function: FunctionId, x0: u64) -> Self {
        Self {
            function,
            kind: FaultKind::StepFails(x0),
            skip: 0,
            times: Some(1),
        }
    }

    /// Lets `calls` matching calls pass before the fault fires.
    #[must_use]
    pub const fn after(mut self, calls: u32) -> Self {
        self.skip = calls;
        self
    }

    /// Fires `times` times, then disarms (0 never fires).
    #[must_use]
    pub const fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Fires on every matching call until [`SimAgent::clear_faults`].
    ///
    /// [`SimAgent::clear_faults`]: crate::SimAgent::clear_faults
    #[must_use]
    pub const fn always(mut self) -> Self {
        self.times = None;
        self
    }

    /// The function the fault applies to.
    #[must_use]
    pub const fn function(&self) -> FunctionId {
        self.function
    }

    /// What the fault does.
    #[must_use]
    pub const fn kind(&self) -> FaultKind {
        self.kind
    }

    /// How many matching calls still pass before it fires.
    #[must_use]
    pub const fn skip_count(&self) -> u32 {
        self.skip
    }

    /// How many more times it fires (`None`: every time).
    #[must_use]
    pub const fn remaining(&self) -> Option<u32> {
        self.times
    }

    const fn is_step(&self) -> bool {
        matches!(self.kind, FaultKind::StepFails(_))
    }

    const fn x0(&self) -> u64 {
        match self.kind {
            FaultKind::Reply(x0) | FaultKind::StepFails(x0) => x0,
        }
    }
}

/// The armed faults of one agent.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FaultTable {
    slots: [Option<Fault>; MAX_FAULTS],
    fired: u32,
}

impl FaultTable {
    pub(crate) const fn new() -> Self {
        Self {
            slots: [None; MAX_FAULTS],
            fired: 0,
        }
    }

    pub(crate) fn arm(&mut self, fault: Fault) -> Result<(), SimError> {
        let slot = self
            .slots
            .iter_mut()
            .find(|s| s.is_none())
            .ok_or(SimError::FaultsFull)?;
        *slot = Some(fault);
        Ok(())
    }

    pub(crate) fn clear(&mut self) {
        self.slots = [None; MAX_FAULTS];
    }

    pub(crate) const fn fired(&self) -> u32 {
        self.fired
    }

    /// Counts one call of `function` (at entry when `step` is false, at the
    /// step when it is true) against every matching fault, and returns the x0
    /// of the first one that fires.
    pub(crate) fn take(&mut self, function: FunctionId, step: bool) -> Option<u64> {
        let mut fired = None;
        for slot in &mut self.slots {
            let Some(fault) = slot else { continue };
            if fault.function != function || fault.is_step() != step {
                continue;
            }
            if fault.skip > 0 {
                fault.skip -= 1;
                continue;
            }
            if fired.is_some() {
                continue;
            }
            match fault.times {
                Some(0) => {
                    *slot = None;
                    continue;
                }
                Some(n) => fault.times = Some(n - 1),
                None => {}
            }
            fired = Some(fault.x0());
            if fault.times == Some(0) {
                *slot = None;
            }
        }
        if fired.is_some() {
            self.fired = self.fired.saturating_add(1);
        }
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_after_skips_then_disarms() {
        let mut t = FaultTable::new();
        t.arm(Fault::busy(FunctionId::Prime).after(1)).unwrap();
        assert_eq!(
            t.take(FunctionId::Prime, true),
            None,
            "step calls do not count"
        );
        assert_eq!(t.take(FunctionId::Cancel, false), None);
        assert_eq!(t.take(FunctionId::Prime, false), None, "skipped");
        assert_eq!(
            t.take(FunctionId::Prime, false),
            Some(LfaError::Busy.to_x0())
        );
        assert_eq!(t.take(FunctionId::Prime, false), None, "disarmed");
        assert_eq!(t.fired(), 1);
    }

    #[test]
    fn first_armed_wins_and_others_keep_their_count() {
        let mut t = FaultTable::new();
        t.arm(Fault::reply_raw(FunctionId::Version, 7)).unwrap();
        t.arm(Fault::reply_raw(FunctionId::Version, 9)).unwrap();
        assert_eq!(t.take(FunctionId::Version, false), Some(7));
        assert_eq!(t.take(FunctionId::Version, false), Some(9));
        assert_eq!(t.take(FunctionId::Version, false), None);
    }

    #[test]
    fn always_and_capacity() {
        let mut t = FaultTable::new();
        for _ in 0..MAX_FAULTS {
            t.arm(Fault::busy(FunctionId::Cancel).always()).unwrap();
        }
        assert_eq!(
            t.arm(Fault::busy(FunctionId::Cancel)),
            Err(SimError::FaultsFull)
        );
        for _ in 0..3 {
            assert!(t.take(FunctionId::Cancel, false).is_some());
        }
        t.clear();
        assert_eq!(t.take(FunctionId::Cancel, false), None);
        assert_eq!(t.fired(), 3);
    }

    #[test]
    fn zero_times_never_fires() {
        let mut t = FaultTable::new();
        t.arm(Fault::busy(FunctionId::Cancel).times(0)).unwrap();
        assert_eq!(t.take(FunctionId::Cancel, false), None);
        t.arm(Fault::busy(FunctionId::Cancel)).unwrap();
        assert!(t.take(FunctionId::Cancel, false).is_some());
    }
}
