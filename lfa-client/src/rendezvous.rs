// SPDX-License-Identifier: MIT OR Apache-2.0
//! The rendezvous hook: running `LFA_ACTIVATE` on every CPU at once.

use lfa_proto::{ActivateRequest, LfaError, Regs, Request, SeqId};
use lfa_smccc::Conduit;

use crate::error::PackedStatus;
use crate::retry::progress;

/// What every CPU of a rendezvous runs: the `LFA_ACTIVATE` registers and the
/// round bound. A small owned value (`Copy`, `'static`, no borrow of the
/// client), so a hook can hand it to parked CPUs through a `static` and they
/// run it with [`CpuJob::run`] on their own conduit.
///
/// ```
/// use lfa_client::{CpuJob, CpuResult};
/// use lfa_proto::{ActivateFlags, ActivateRequest, SeqId};
/// use lfa_smccc::{Conduit, Regs};
///
/// // A job as the client makes it (a hook never needs to build one).
/// let job = CpuJob::new(
///     ActivateRequest { seq_id: SeqId(1), flags: ActivateFlags::empty(), entry_point: 0, context_id: 0 },
///     10,
/// );
/// /// An agent that finishes at once.
/// struct Done;
/// impl Conduit for Done {
///     fn call(&self, _: &Regs) -> Regs { Regs::ZERO }
/// }
/// let outcome = job.run(&Done);
/// assert_eq!((outcome.result(), outcome.rounds()), (CpuResult::Done, 1));
/// assert_eq!(job.request().x[1], 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CpuJob {
    request: ActivateRequest,
    max_rounds: u32,
}

impl CpuJob {
    /// A job that sends `request` until CALL_AGAIN is clear, at most
    /// `max_rounds` times (0 is treated as 1).
    #[must_use]
    pub const fn new(request: ActivateRequest, max_rounds: u32) -> Self {
        Self {
            request,
            max_rounds,
        }
    }

    /// The `LFA_ACTIVATE` request every CPU sends, unchanged every round.
    #[must_use]
    pub const fn activate_request(&self) -> &ActivateRequest {
        &self.request
    }

    /// The request as registers (what [`CpuJob::run`] sends).
    #[must_use]
    pub fn request(&self) -> Regs {
        self.request.encode()
    }

    /// The component's sequence id.
    #[must_use]
    pub const fn seq_id(&self) -> SeqId {
        self.request.seq_id
    }

    /// The most `LFA_ACTIVATE` calls one CPU sends.
    #[must_use]
    pub const fn max_rounds(&self) -> u32 {
        self.max_rounds
    }

    /// This CPU's part: sends the request through `conduit` until CALL_AGAIN
    /// is clear, an error, or [`CpuJob::max_rounds`] calls, back to back (no
    /// clock, no delay, no allocation, no formatting).
    ///
    /// A CPU that the firmware resets does not return from here; its resume
    /// code reports [`CpuOutcome::after_reset`] instead.
    pub fn run<C: Conduit + ?Sized>(&self, conduit: &C) -> CpuOutcome {
        let mut rounds: u32 = 0;
        loop {
            rounds = rounds.saturating_add(1);
            // One register block: the same request encoded afresh each round.
            let mut regs = self.request.encode();
            conduit.call_in_place(&mut regs);
            let [x0, x1, ..] = regs.x;
            match progress(x0, x1) {
                Err(status) => return CpuOutcome::new(CpuResult::Failed(status), rounds),
                Ok(false) => return CpuOutcome::new(CpuResult::Done, rounds),
                Ok(true) if rounds >= self.max_rounds => {
                    return CpuOutcome::new(CpuResult::OutOfRounds, rounds);
                }
                Ok(true) => {}
            }
        }
    }
}

/// Runs a [`CpuJob`] on **every powered-on CPU at the same time**, the way
/// Linux's `stop_machine` does, for activations that need a CPU rendezvous.
///
/// # Contract (read this)
///
/// **Every CPU that is powered on (PSCI ON) must run `job`, concurrently.**
/// TF-A's agent parks each CPU that enters `LFA_ACTIVATE` in a holding pen
/// and performs the activation only when the last powered-on CPU arrives. If
/// even one powered-on CPU does not call, the others **spin in EL3 forever**:
/// no timeout, no error, a hung machine. A hook that cannot bring every CPU
/// in must return [`RendezvousError`] *without* running the job anywhere.
///
/// Each CPU runs [`CpuJob::run`]: the calling CPU with `conduit` (the
/// client's), the others with the same kind of conduit (for `smc`/`hvc`
/// conduits, which are plain values, their own copy). While the window is
/// open the CPUs should do nothing else (interrupts off), as `stop_machine`
/// ensures. The job repeats its registers while the agent says CALL_AGAIN,
/// back to back, at most
/// [`Options::activate`](crate::Options::activate)`.max_rounds` times on each
/// CPU; the policy's `timeout` and `delay` do not apply inside the window.
///
/// After the window has closed, the hook hands each CPU's [`CpuOutcome`] to
/// `collect`, on the calling CPU, one call per CPU (in any order); the client
/// checks that all CPUs agree. The job borrows nothing, so a hook may give up
/// waiting for a CPU and return [`RendezvousError`] (the client then cancels).
///
/// **CPUs that the firmware resets** (components with may_reset_cpu) do not
/// return from [`CpuJob::run`]: they resume at the entry point of
/// [`Options::cpu_reset`](crate::Options::cpu_reset) with x0 = its context
/// id. The hook's resume code builds [`CpuOutcome::after_reset`] for them and
/// reports it like any other outcome. If the calling CPU is reset too, the
/// step that runs the hook never returns: see "Resuming after a CPU reset"
/// in [`Client`](crate::Client).
///
/// ```
/// use lfa_client::{CpuJob, CpuOutcome, Rendezvous, RendezvousError};
/// use lfa_smccc::Conduit;
///
/// /// Two "CPUs" as scoped threads (illustration; `ThreadRendezvous` with the
/// /// `std` feature is the real one).
/// struct TwoThreads;
///
/// impl<C: Conduit + Sync + ?Sized> Rendezvous<C> for TwoThreads {
///     fn run_on_every_cpu(
///         &self,
///         conduit: &C,
///         job: CpuJob,
///         collect: &mut dyn FnMut(CpuOutcome),
///     ) -> Result<(), RendezvousError> {
///         let (a, b) = std::thread::scope(|s| {
///             let other = s.spawn(|| job.run(conduit));
///             let mine = job.run(conduit);
///             (mine, other.join())
///         });
///         collect(a);
///         collect(b.map_err(|_| RendezvousError("a CPU panicked"))?);
///         Ok(())
///     }
/// }
/// ```
pub trait Rendezvous<C: Conduit + ?Sized> {
    /// Runs `job` on every powered-on CPU at once (this one through
    /// `conduit`), then reports each CPU's outcome to `collect`.
    ///
    /// # Errors
    ///
    /// [`RendezvousError`] if the hook could not run `job` on every CPU.
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError>;
}

impl<C: Conduit + ?Sized, R: Rendezvous<C> + ?Sized> Rendezvous<C> for &R {
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        (**self).run_on_every_cpu(conduit, job, collect)
    }
}

/// A rendezvous of one: runs the job on the calling CPU only.
///
/// **Correct only on a system where the calling CPU is the only powered-on
/// CPU** (for example a bare-metal program before it starts the secondaries,
/// or a uniprocessor machine). TF-A sizes a rendezvous by the CPUs that are
/// powered on, so there the activation completes from this CPU alone; with
/// any other CPU on, using this hook hangs the machine in EL3.
#[derive(Clone, Copy, Debug, Default)]
pub struct OnlyCpu;

impl<C: Conduit + ?Sized> Rendezvous<C> for OnlyCpu {
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        collect(job.run(conduit));
        Ok(())
    }
}

/// A rendezvous hook could not run the job on every CPU; the reason is the
/// hook's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{0}")]
pub struct RendezvousError(pub &'static str);

/// How one CPU's `LFA_ACTIVATE` loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CpuResult {
    /// CALL_AGAIN was clear: the activation is complete.
    Done,
    /// The firmware reset the CPU, which resumed at the caller's entry
    /// point: the activation is complete for it (it agrees with `Done`).
    Reset,
    /// The agent returned an error status.
    Failed(LfaError),
    /// The agent still said CALL_AGAIN after the round bound.
    OutOfRounds,
}

impl CpuResult {
    /// Whether the CPU saw the activation complete (`Done` or `Reset`).
    #[must_use]
    pub const fn completed(self) -> bool {
        matches!(self, Self::Done | Self::Reset)
    }
}

/// What one CPU saw in a rendezvous: the result, and how many `LFA_ACTIVATE`
/// calls it sent. Made by [`CpuJob::run`], or by a hook's resume code for a
/// CPU the firmware reset ([`CpuOutcome::after_reset`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CpuOutcome {
    // Stored compactly (16 bytes, not 24): which `CpuResult`, and the status
    // code of `Failed` in two halves (no 8-byte alignment), kept exactly.
    kind: u8,
    rounds: u32,
    status: PackedStatus,
}

// The values of `CpuOutcome::kind`, one per `CpuResult`.
const KIND_DONE: u8 = 0;
/// [`CpuOutcome::kind`] of a CPU the firmware reset.
pub(crate) const KIND_RESET: u8 = 1;
const KIND_FAILED: u8 = 2;
/// [`CpuOutcome::kind`] of a CPU that ran out of rounds.
pub(crate) const KIND_OUT_OF_ROUNDS: u8 = 3;

impl CpuOutcome {
    /// An outcome: `result` after `rounds` calls.
    #[must_use]
    #[inline(always)]
    pub const fn new(result: CpuResult, rounds: u32) -> Self {
        let (kind, status) = match result {
            CpuResult::Done => (KIND_DONE, PackedStatus::NONE),
            CpuResult::Reset => (KIND_RESET, PackedStatus::NONE),
            CpuResult::Failed(e) => (KIND_FAILED, PackedStatus::new(e)),
            CpuResult::OutOfRounds => (KIND_OUT_OF_ROUNDS, PackedStatus::NONE),
        };
        Self {
            kind,
            rounds,
            status,
        }
    }

    /// The outcome of a CPU that the firmware reset into the entry point of
    /// [`Options::cpu_reset`](crate::Options::cpu_reset), for the hook's
    /// resume code to report: `rounds` is how many `LFA_ACTIVATE` calls the
    /// CPU sent, the one it did not return from included (1 if the hook does
    /// not count them). The client treats it as a completed activation on
    /// that CPU.
    ///
    /// ```
    /// use lfa_client::{CpuOutcome, CpuResult};
    ///
    /// // In the resume path, x0 holds the context id given in Options::cpu_reset.
    /// let outcome = CpuOutcome::after_reset(1);
    /// assert_eq!(outcome.result(), CpuResult::Reset);
    /// assert!(outcome.result().completed());
    /// ```
    #[must_use]
    pub const fn after_reset(rounds: u32) -> Self {
        Self::new(CpuResult::Reset, rounds)
    }

    /// How the CPU's loop ended.
    #[must_use]
    pub const fn result(&self) -> CpuResult {
        match self.kind {
            KIND_DONE => CpuResult::Done,
            KIND_RESET => CpuResult::Reset,
            KIND_FAILED => CpuResult::Failed(self.status.get()),
            _ => CpuResult::OutOfRounds,
        }
    }

    /// The result as packed: whether it failed, and the status if so.
    pub(crate) const fn packed_status(&self) -> Option<PackedStatus> {
        match self.kind {
            KIND_FAILED => Some(self.status),
            _ => None,
        }
    }

    /// Whether the CPU finished (`Done`), was reset (`Reset`), or ran out of
    /// rounds: 0, 1, 3 (2 is `Failed`, see [`packed_status`](Self::packed_status)).
    pub(crate) const fn kind(&self) -> u8 {
        self.kind
    }

    /// The result as the CPUs of a rendezvous must agree on it: `Done` and
    /// `Reset` alike (both completed), else the kind and the status (which
    /// is [`PackedStatus::NONE`] unless `Failed`, and keeps every code), so
    /// that two outcomes agree exactly when their completed-or-result do.
    pub(crate) const fn agreement(&self) -> (u8, PackedStatus) {
        match self.kind {
            KIND_DONE | KIND_RESET => (KIND_DONE, PackedStatus::NONE),
            kind => (kind, self.status),
        }
    }

    /// How many `LFA_ACTIVATE` calls the CPU sent.
    #[must_use]
    pub const fn rounds(&self) -> u32 {
        self.rounds
    }
}

impl core::fmt::Display for CpuOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.result() {
            CpuResult::Done => write!(f, "one CPU finished after {} rounds", self.rounds),
            CpuResult::Reset => write!(f, "one CPU was reset in round {}", self.rounds),
            CpuResult::Failed(e) => write!(f, "one CPU got {e} in round {}", self.rounds),
            CpuResult::OutOfRounds => {
                write!(
                    f,
                    "one CPU still had CALL_AGAIN after {} rounds",
                    self.rounds
                )
            }
        }
    }
}
