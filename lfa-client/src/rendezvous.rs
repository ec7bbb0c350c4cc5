//! The rendezvous hook: running `LFA_ACTIVATE` on every CPU at once.

use lfa_proto::LfaError;

/// Runs one function on **every powered-on CPU at the same time**, the way
/// Linux's `stop_machine` does, for activations that need a CPU rendezvous.
///
/// # Contract (read this)
///
/// **Every CPU that is powered on (PSCI ON) must run `call`, concurrently.**
/// TF-A's agent parks each CPU that enters `LFA_ACTIVATE` in a holding pen
/// and performs the activation only when the last powered-on CPU arrives. If
/// even one powered-on CPU does not call, the others **spin in EL3 forever**:
/// no timeout, no error, a hung machine. A hook that cannot bring every CPU
/// in must return [`RendezvousError`] *without* running `call` anywhere.
///
/// While the window is open, the CPUs should do nothing else (interrupts off,
/// no other work scheduled), as `stop_machine` ensures. `call` itself only
/// sends the pre-encoded `LFA_ACTIVATE` registers through the conduit,
/// repeating them while the agent says CALL_AGAIN; it does not allocate,
/// format, read a clock, or touch the inventory. **It never delays:** the
/// repeats go back to back, bounded only by
/// [`Options::activate`](crate::Options::activate)`.max_rounds` (1000 by
/// default) on each CPU, whatever clock the client has; the policy's
/// `timeout` and `delay` do not apply inside the window.
///
/// After the window has closed, the hook hands each CPU's result to `collect`,
/// on the calling CPU, one call per CPU (in any order). The client checks that
/// all CPUs agree.
///
/// A CPU that the firmware resets (components with may_reset_cpu) does not
/// return from `call`; it resumes at the entry point given in
/// [`Options::cpu_reset`](crate::Options::cpu_reset), and the hook's own
/// resume code must then finish that CPU's part and report an outcome for it.
///
/// ```
/// use lfa_client::{CpuOutcome, Rendezvous, RendezvousError};
///
/// /// Two "CPUs" as scoped threads (illustration; `ThreadRendezvous` with the
/// /// `std` feature is the real one).
/// struct TwoThreads;
///
/// impl Rendezvous for TwoThreads {
///     fn run_on_every_cpu(
///         &self,
///         call: &(dyn Fn() -> CpuOutcome + Sync),
///         collect: &mut dyn FnMut(CpuOutcome),
///     ) -> Result<(), RendezvousError> {
///         let (a, b) = std::thread::scope(|s| {
///             let other = s.spawn(|| call());
///             let mine = call();
///             (mine, other.join())
///         });
///         collect(a);
///         collect(b.map_err(|_| RendezvousError("a CPU panicked"))?);
///         Ok(())
///     }
/// }
/// ```
pub trait Rendezvous {
    /// Runs `call` on every powered-on CPU at once, then reports each CPU's
    /// result to `collect`.
    ///
    /// # Errors
    ///
    /// [`RendezvousError`] if the hook could not run `call` on every CPU.
    fn run_on_every_cpu(
        &self,
        call: &(dyn Fn() -> CpuOutcome + Sync),
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError>;
}

impl<R: Rendezvous + ?Sized> Rendezvous for &R {
    fn run_on_every_cpu(
        &self,
        call: &(dyn Fn() -> CpuOutcome + Sync),
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        (**self).run_on_every_cpu(call, collect)
    }
}

/// A rendezvous of one: runs the call on the calling CPU only.
///
/// **Correct only on a system where the calling CPU is the only powered-on
/// CPU** (for example a bare-metal program before it starts the secondaries,
/// or a uniprocessor machine). TF-A sizes a rendezvous by the CPUs that are
/// powered on, so there the activation completes from this CPU alone; with
/// any other CPU on, using this hook hangs the machine in EL3.
#[derive(Clone, Copy, Debug, Default)]
pub struct OnlyCpu;

impl Rendezvous for OnlyCpu {
    fn run_on_every_cpu(
        &self,
        call: &(dyn Fn() -> CpuOutcome + Sync),
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        collect(call());
        Ok(())
    }
}

/// A rendezvous hook could not run the call on every CPU; the reason is the
/// hook's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{0}")]
pub struct RendezvousError(pub &'static str);

/// How one CPU's `LFA_ACTIVATE` loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CpuResult {
    /// CALL_AGAIN was clear: the activation is complete.
    Done,
    /// The agent returned an error status.
    Failed(LfaError),
    /// The agent still said CALL_AGAIN after the round bound.
    OutOfRounds,
}

/// What one CPU saw in a rendezvous: the result, and how many `LFA_ACTIVATE`
/// calls it sent. Made by the client's per-CPU function; a hook only passes
/// it on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CpuOutcome {
    result: CpuResult,
    rounds: u32,
}

impl CpuOutcome {
    pub(crate) const fn new(result: CpuResult, rounds: u32) -> Self {
        Self { result, rounds }
    }

    /// How the CPU's loop ended.
    #[must_use]
    pub const fn result(&self) -> CpuResult {
        self.result
    }

    /// How many `LFA_ACTIVATE` calls the CPU sent.
    #[must_use]
    pub const fn rounds(&self) -> u32 {
        self.rounds
    }
}

impl core::fmt::Display for CpuOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.result {
            CpuResult::Done => write!(f, "one CPU finished after {} rounds", self.rounds),
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
