// SPDX-License-Identifier: MIT OR Apache-2.0
//! The prime-then-activate flow.

use lfa_proto::{CancelRequest, FirmwareVersion, LfaError};
use lfa_smccc::Conduit;

use crate::{
    CancelOutcome, Client, Component, ComponentRef, Error, ErrorDetail, NoClock, Rendezvous,
    activate_all::SkipList,
    client::Release,
    op::{Mode, PrimedOp},
    retry::Clock,
};

/// Where CPUs resume if an activation resets them (components with
/// may_reset_cpu): sent in x3 and x4 of `LFA_ACTIVATE`. A reset CPU comes back
/// at `entry_point` in the non-secure world with x0 = `context_id`, like PSCI
/// `CPU_ON`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CpuReset {
    /// The non-secure physical address to resume at.
    pub entry_point: u64,
    /// The value of x0 at the entry point.
    pub context_id: u64,
}

impl<C: Conduit, K: Clock> Client<C, K> {
    /// Primes `component` for activation and returns the primed activation,
    /// which borrows the client until it is activated, cancelled or dropped.
    ///
    /// The sequence id is never taken on trust. In order, this sends:
    /// 1. only if the client owes a release `LFA_CANCEL` (an earlier
    ///    activation or prime may still be current in the agent): what
    ///    [`Client::release`] sends, usually one `LFA_CANCEL` (TF-A keeps an
    ///    activated component current until it is cancelled, and then
    ///    refuses to activate another one);
    /// 2. `LFA_GET_INVENTORY` of the component's id, the *refresh* (TF-A
    ///    also needs it: its `LFA_PRIME` fails until the entry was read);
    /// 3. `LFA_PRIME` until CALL_AGAIN is clear (k rounds, the same registers
    ///    each time), bounded by [`Options::prime`](crate::Options::prime),
    ///    waiting [`RetryPolicy::delay`](crate::RetryPolicy::delay) through
    ///    the clock between tries.
    ///
    /// This drives a [`PrimeOp`](crate::PrimeOp) ([`Client::prime_op`]) to
    /// the end: the non-blocking form sends exactly the same calls.
    ///
    /// If the refreshed id holds another UUID (or is out of range), the
    /// agent renumbered although this client activated nothing: `prime`
    /// refuses with [`ErrorDetail::ComponentMoved`] rather than look for the UUID
    /// elsewhere, since whoever renumbered (another client, see
    /// [`Client::discover`]) may be using the agent right now.
    ///
    /// # Errors
    ///
    /// - [`ErrorDetail::StaleComponent`] if `component` was read before an
    ///   activation or by another client (nothing is sent);
    /// - [`ErrorDetail::ComponentMoved`] if its id now holds another component or
    ///   none (nothing primed);
    /// - [`ErrorDetail::NotCapable`] / [`ErrorDetail::NotPending`] from the refreshed entry;
    /// - [`ErrorDetail::PrimeFailed`] / [`ErrorDetail::Timeout`] if `LFA_PRIME` fails or does
    ///   not finish; the client has then sent `LFA_CANCEL`, and the error says
    ///   what it returned;
    /// - the errors of [`Client::release`] (step 1) and of `LFA_GET_INVENTORY`
    ///   (step 2).
    #[inline(never)]
    pub fn prime(&mut self, component: &Component) -> Result<Primed<'_, C, K>, Error> {
        let op = self.prime_to_op(component)?;
        Ok(Primed { client: self, op })
    }

    /// The blocking prime, as a [`PrimedOp`]: drives a [`PrimeOp`](crate::PrimeOp) to its
    /// end, waiting the retry delays. Out of line, so that the prime's state
    /// is not in the frames of what activates afterwards.
    #[inline(never)]
    pub(crate) fn prime_to_op(&mut self, component: &Component) -> Result<PrimedOp, Error> {
        self.check_current(component)?;
        let mut op = self.start_prime(component);
        op.drive(self);
        op.take_result()
    }

    /// Waits a retry delay, if there is one.
    #[inline]
    pub(crate) fn wait(&self, wait: Option<core::time::Duration>) {
        if let Some(wait) = wait {
            self.clock.delay(wait);
        }
    }

    /// Refuses a component value from another generation or client.
    pub(crate) fn check_current(&self, component: &Component) -> Result<(), Error> {
        if component.generation() == self.generation.get() {
            Ok(())
        } else {
            Err(Error::new(ErrorDetail::StaleComponent {
                component: component.to_ref(),
                generation: component.generation(),
                current: self.generation.get(),
            }))
        }
    }

    /// Sends the release `LFA_CANCEL` the client owes, if any (see
    /// [`Client::release`], which documents the calls).
    #[inline]
    pub(crate) fn release_previous(&mut self) -> Result<(), Error> {
        // Nothing owed (the common case, and every drop of a client that
        // never activated): no call, and no step machine entered.
        if self.release.is_none() {
            return Ok(());
        }
        crate::op::release_all(self)
    }

    /// Sends `LFA_CANCEL` right after a failure, to the id that was just
    /// primed or activated. `SUCCESS` and `INVALID_PARAMETERS` (the agent had
    /// already abandoned it) settle the release; after another error the
    /// client still owes it, with the id as confirmed as it was.
    #[inline(never)]
    pub(crate) fn cancel_now(&mut self, component: &ComponentRef) -> CancelOutcome {
        let response = crate::client::send(&self.conduit, &CancelRequest::new(component.seq_id));
        let [x0, ..] = response.x;
        match lfa_proto::decode_status(x0) {
            Ok(()) => {
                self.release = None;
                CancelOutcome::Cancelled
            }
            Err(LfaError::InvalidParameters) => {
                self.release = None;
                CancelOutcome::NothingToCancel
            }
            Err(status) => {
                let confirmed = self
                    .release
                    .is_some_and(|r| r.component == *component && r.confirmed);
                self.release = Some(Release {
                    component: *component,
                    confirmed,
                });
                CancelOutcome::Failed(status)
            }
        }
    }

    /// Marks the start of `LFA_ACTIVATE`: a new generation, and the release
    /// id is no longer confirmed (the agent may renumber).
    pub(crate) fn activation_sent(&mut self, component: ComponentRef) {
        self.generation = crate::client::next_stamp();
        self.release = Some(Release {
            component,
            confirmed: false,
        });
    }
}

/// A primed component, ready to activate; made by [`Client::prime`].
///
/// It borrows the client mutably, so nothing else can use the client (and no
/// second activation can start) until this is consumed:
/// [`activate`](Primed::activate), [`activate_alone`](Primed::activate_alone)
/// or [`activate_with`](Primed::activate_with) (after a completed prime, the
/// only ways to reach `LFA_ACTIVATE`), or [`cancel`](Primed::cancel). Dropped
/// without either, it sends one `LFA_CANCEL`; if that fails, the client sends
/// it again before its next `LFA_PRIME` (or from [`Client::release`], or when
/// it is dropped). [`into_op`](Primed::into_op) gives the state away as an
/// owned [`PrimedOp`] for the non-blocking form.
///
/// ```compile_fail,E0499
/// # use lfa_client::Client;
/// # use lfa_sim::SimAgent;
/// # fn two(client: &mut Client<SimAgent>, a: lfa_client::Component, b: lfa_client::Component) {
/// let first = client.prime(&a).unwrap();
/// let second = client.prime(&b).unwrap(); // error: client is already borrowed by `first`
/// # drop((first, second));
/// # }
/// ```
#[derive(Debug)]
pub struct Primed<'c, C: Conduit, K: Clock = NoClock> {
    client: &'c mut Client<C, K>,
    /// Taken (serial 0) once activated, cancelled or given away.
    op: PrimedOp,
}

impl<C: Conduit, K: Clock> Primed<'_, C, K> {
    /// The component as it was re-read just before `LFA_PRIME`.
    #[must_use]
    pub const fn component(&self) -> &Component {
        self.op.component()
    }

    /// How many `LFA_PRIME` calls it took (the k of the flow).
    #[must_use]
    pub const fn prime_rounds(&self) -> u32 {
        self.op.prime_rounds()
    }

    /// Gives the primed state away as an owned [`PrimedOp`], releasing the
    /// borrow of the client; nothing is sent. The drop-time `LFA_CANCEL` no
    /// longer applies (see [`PrimedOp`]).
    pub fn into_op(mut self) -> PrimedOp {
        self.op.take()
    }

    /// Abandons the activation: one `LFA_CANCEL`. `INVALID_PARAMETERS`
    /// ([`CancelOutcome::NothingToCancel`]: the agent had already abandoned
    /// the prime) is success too.
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::Firmware`] with the status `LFA_CANCEL` returned; the client
    /// then sends `LFA_CANCEL` again before its next `LFA_PRIME`.
    pub fn cancel(mut self) -> Result<(), Error> {
        let op = self.op.take();
        op.cancel(self.client)
    }

    /// Activates the way the options choose, as
    /// [`Client::activate_all_pending`] does: through `rendezvous` if the
    /// component requires a rendezvous or
    /// [`Options::force_rendezvous`](crate::Options::force_rendezvous) is set
    /// (the default), else from this CPU alone.
    ///
    /// # Errors
    ///
    /// Those of [`activate_with`](Self::activate_with) or
    /// [`activate_alone`](Self::activate_alone).
    pub fn activate<R: Rendezvous<C> + ?Sized>(self, rendezvous: &R) -> Result<Activated, Error> {
        self.run(Mode::PerOptions, Some(&rendezvous), &SkipList::EMPTY)
    }

    /// Activates from this CPU alone, with skip_cpu_rendezvous set, whatever
    /// [`Options::force_rendezvous`](crate::Options::force_rendezvous) says
    /// (calling this is the explicit choice); only for components whose
    /// rendezvous is optional. Sends `LFA_ACTIVATE` (m rounds, the same
    /// registers each time, bounded by
    /// [`Options::activate`](crate::Options::activate) and the clock), then
    /// re-enumerates (N + 1 calls). Nothing else is sent.
    ///
    /// # Errors
    ///
    /// - [`ErrorDetail::RendezvousRequired`] if the component requires a
    ///   rendezvous (nothing sent to `LFA_ACTIVATE`, which would hang TF-A);
    /// - [`ErrorDetail::CpuResetWithoutEntryPoint`] for a component with
    ///   may_reset_cpu and no [`Options::cpu_reset`](crate::Options::cpu_reset);
    /// - [`ErrorDetail::ActivateFailed`], [`ErrorDetail::Timeout`].
    ///
    /// Each of these has sent `LFA_CANCEL` and reports its outcome. Errors of
    /// the re-enumeration do not hide the successful activation: they are in
    /// [`Activated::now`].
    pub fn activate_alone(self) -> Result<Activated, Error> {
        self.run(Mode::Alone, None, &SkipList::EMPTY)
    }

    /// Activates through `rendezvous`: every powered-on CPU runs the same
    /// [`CpuJob`](crate::CpuJob) (`LFA_ACTIVATE` with skip_cpu_rendezvous
    /// clear, repeated while the agent says CALL_AGAIN, at most
    /// [`Options::activate`](crate::Options::activate)`.max_rounds` times, with
    /// no clock, delay, allocation or formatting inside the window). The
    /// CPUs' results must agree (a CPU reset into the entry point agrees with
    /// one that finished). Then re-enumerates (N + 1 calls).
    ///
    /// Read the [`Rendezvous`] contract: every powered-on CPU must call.
    ///
    /// # Errors
    ///
    /// - [`ErrorDetail::CpuResetWithoutEntryPoint`] (nothing sent to `LFA_ACTIVATE`);
    /// - [`ErrorDetail::RendezvousFailed`] if the hook says it could not run on
    ///   every CPU (or reported none);
    /// - [`ErrorDetail::RendezvousDisagreement`] if CPUs report different results;
    /// - [`ErrorDetail::ActivateFailed`], [`ErrorDetail::Timeout`] (rounds only).
    ///
    /// Each of these has sent `LFA_CANCEL` and reports its outcome.
    pub fn activate_with<R: Rendezvous<C> + ?Sized>(
        self,
        rendezvous: &R,
    ) -> Result<Activated, Error> {
        self.run(Mode::Rendezvous, Some(&rendezvous), &SkipList::EMPTY)
    }

    /// Drives the activation to the end, waiting the retry delays through
    /// the clock.
    /// The hook is a trait object: one copy of this loop and of the state
    /// machine per conduit and clock, whatever the hook's type.
    #[inline(never)]
    pub(crate) fn run(
        mut self,
        mode: Mode,
        rendezvous: Option<&dyn Rendezvous<C>>,
        exclude: &SkipList,
    ) -> Result<Activated, Error> {
        let mut op = self.op.take().into_activation(mode);
        if op.is_stale(self.client) {
            return Err(Error::stale_operation());
        }
        // The result stays in `op` until the end: no result-sized value
        // passes through the frames under the rendezvous window.
        op.drive(self.client, rendezvous, exclude);
        op.take_result()
    }
}

impl<C: Conduit, K: Clock> Drop for Primed<'_, C, K> {
    /// Cancels an activation that was neither activated nor cancelled: one
    /// `LFA_CANCEL`, whose failure is remembered (not panicked on).
    fn drop(&mut self) {
        if !self.op.is_taken() {
            self.cancel_on_drop();
        }
    }
}

impl<C: Conduit, K: Clock> Primed<'_, C, K> {
    /// The drop-time `LFA_CANCEL` (cold: out of the activation's path).
    #[cold]
    #[inline(never)]
    fn cancel_on_drop(&mut self) {
        let op = self.op.take();
        let _ignored = op.cancel(self.client);
    }
}

/// A completed activation: the component before and as it is now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Activated {
    before: Component,
    now: Result<Component, Error>,
    next_pending: Option<Component>,
    prime_rounds: u32,
    activate_rounds: u32,
    cpus: u32,
    reset: u32,
    rendezvous: bool,
}

impl Activated {
    /// Out of line, with the parts by reference: it writes straight into
    /// the caller's result, and the caller holds no copies of the parts.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub(crate) const fn new(
        before: &Component,
        now: &Result<Component, Error>,
        next_pending: &Option<Component>,
        prime_rounds: u32,
        activate_rounds: u32,
        cpus: u32,
        reset: u32,
        rendezvous: bool,
    ) -> Self {
        Self {
            before: *before,
            now: *now,
            next_pending: *next_pending,
            prime_rounds,
            activate_rounds,
            cpus,
            reset,
            rendezvous,
        }
    }

    /// How many CPUs of the rendezvous the firmware reset (reported by the
    /// hook's resume code with [`CpuOutcome::after_reset`](crate::CpuOutcome::after_reset)).
    #[must_use]
    pub const fn cpus_reset(&self) -> usize {
        widen(self.reset)
    }

    /// The component as it was primed (from the previous generation: it
    /// cannot be primed again).
    #[must_use]
    pub const fn before(&self) -> &Component {
        &self.before
    }

    /// The component as the re-enumeration after the activation found it, by
    /// UUID; or why that could not be read ([`ErrorDetail::ComponentGone`] if the
    /// agent no longer lists it). The activation itself succeeded either way.
    ///
    /// # Errors
    ///
    /// The error of the re-enumeration.
    pub const fn now(&self) -> Result<&Component, &Error> {
        self.now.as_ref()
    }

    /// The first capable and pending component of the re-enumeration, if any
    /// (in [`Client::activate_all_pending`], the first one not skipped in
    /// that call). `None` also when the re-enumeration failed.
    #[must_use]
    pub const fn next_pending(&self) -> Option<&Component> {
        self.next_pending.as_ref()
    }

    /// The version that was running before (if the agent reported it).
    #[must_use]
    pub const fn old_version(&self) -> Option<FirmwareVersion> {
        self.before.current_version()
    }

    /// The version running now (if the agent reports it).
    #[must_use]
    pub fn new_version(&self) -> Option<FirmwareVersion> {
        self.now.as_ref().ok().and_then(Component::current_version)
    }

    /// How many `LFA_PRIME` calls it took (k).
    #[must_use]
    pub const fn prime_rounds(&self) -> u32 {
        self.prime_rounds
    }

    /// How many `LFA_ACTIVATE` calls it took (m; per CPU, the most any CPU
    /// sent, in a rendezvous).
    #[must_use]
    pub const fn activate_rounds(&self) -> u32 {
        self.activate_rounds
    }

    /// How many CPUs called `LFA_ACTIVATE` (1 without a rendezvous).
    #[must_use]
    pub const fn cpus(&self) -> usize {
        widen(self.cpus)
    }

    /// Whether the activation went through the rendezvous hook.
    #[must_use]
    pub const fn used_rendezvous(&self) -> bool {
        self.rendezvous
    }
}

/// A count kept in 32 bits, as `usize` (at least 32 bits wide on every
/// target this crate builds for; checked at compile time).
const fn widen(count: u32) -> usize {
    const _: () = assert!(usize::BITS >= u32::BITS);
    count as usize
}
