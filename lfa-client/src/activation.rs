//! The prime-then-activate flow.

use lfa_proto::{
    ActivateFlags, ActivateRequest, CancelRequest, CancelResponse, FirmwareVersion, FunctionId,
    LfaError, PrimeRequest, Regs, Request, Response, ResponseError, Uuid,
};
use lfa_smccc::Conduit;

use crate::{
    CancelOutcome, Client, Component, ComponentRef, CpuOutcome, CpuResult, Error, NoClock,
    Rendezvous,
    activate_all::SkipList,
    client::{Release, call_error},
    retry::{Clock, LoopEnd, call_again_loop, progress},
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
    ///    each time), bounded by [`Options::prime`](crate::Options::prime).
    ///
    /// If the refreshed id holds another UUID (or is out of range), the
    /// agent renumbered although this client activated nothing: `prime`
    /// refuses with [`Error::ComponentMoved`] rather than look for the UUID
    /// elsewhere, since whoever renumbered (another client, see
    /// [`Client::discover`]) may be using the agent right now.
    ///
    /// # Errors
    ///
    /// - [`Error::StaleComponent`] if `component` was read before an
    ///   activation (nothing is sent);
    /// - [`Error::ComponentMoved`] if its id now holds another component or
    ///   none (nothing primed);
    /// - [`Error::NotCapable`] / [`Error::NotPending`] from the refreshed entry;
    /// - [`Error::PrimeFailed`] / [`Error::Timeout`] if `LFA_PRIME` fails or does
    ///   not finish; the client has then sent `LFA_CANCEL`, and the error says
    ///   what it returned;
    /// - the errors of [`Client::release`] (step 1) and of `LFA_GET_INVENTORY`
    ///   (step 2).
    pub fn prime(&mut self, component: &Component) -> Result<Primed<'_, C, K>, Error> {
        if component.generation() != self.generation {
            return Err(Error::StaleComponent {
                component: component.to_ref(),
                generation: component.generation(),
                current: self.generation,
            });
        }
        self.release_previous()?;
        let fresh = match self.read_entry(component.seq_id()) {
            Ok(fresh) => fresh,
            Err(Error::InventoryFailed {
                status: LfaError::InvalidParameters,
                ..
            }) => {
                return Err(Error::ComponentMoved {
                    component: component.to_ref(),
                    found: Uuid::nil(),
                });
            }
            Err(e) => return Err(e),
        };
        if fresh.uuid() != component.uuid() {
            return Err(Error::ComponentMoved {
                component: component.to_ref(),
                found: fresh.uuid(),
            });
        }
        if !fresh.is_capable() {
            return Err(Error::NotCapable {
                component: fresh.to_ref(),
            });
        }
        if !fresh.is_pending() {
            return Err(Error::NotPending {
                component: fresh.to_ref(),
            });
        }
        let request = PrimeRequest::new(fresh.seq_id()).encode();
        // From the first PRIME on, the agent may hold this component, under
        // the id just read.
        self.release = Some(Release {
            component: fresh.to_ref(),
            confirmed: true,
        });
        match call_again_loop(&self.conduit, &self.clock, &request, &self.options.prime) {
            LoopEnd::Done { rounds } => Ok(Primed {
                client: self,
                component: fresh,
                prime_rounds: rounds,
                finished: false,
                exclude: SkipList::new(),
            }),
            LoopEnd::Failed { status, rounds } => Err(Error::PrimeFailed {
                component: fresh.to_ref(),
                status,
                rounds,
                cancel: self.cancel_now(fresh.to_ref()),
            }),
            LoopEnd::TimedOut { rounds, elapsed } => Err(Error::Timeout {
                call: FunctionId::Prime,
                component: fresh.to_ref(),
                rounds,
                elapsed,
                cancel: self.cancel_now(fresh.to_ref()),
            }),
        }
    }

    /// Sends the release `LFA_CANCEL` the client owes, if any (see
    /// [`Client::release`], which documents the calls).
    pub(crate) fn release_previous(&mut self) -> Result<(), Error> {
        let Some(release) = self.release else {
            return Ok(());
        };
        let target = if release.confirmed {
            release.component
        } else {
            match self.locate(release.component)? {
                Some(found) => found,
                None => {
                    // The UUID is gone: the agent may still hold it, but no
                    // sequence id addresses it any more.
                    self.release = None;
                    return Ok(());
                }
            }
        };
        let response = self
            .conduit
            .call(&CancelRequest::new(target.seq_id).encode());
        match CancelResponse::decode(&response) {
            // The id names the component in this generation, so
            // INVALID_PARAMETERS means the agent holds nothing.
            Ok(CancelResponse) | Err(ResponseError::Status(LfaError::InvalidParameters)) => {
                self.release = None;
                Ok(())
            }
            Err(e) => {
                self.release = Some(Release {
                    component: target,
                    confirmed: true,
                });
                Err(call_error(FunctionId::Cancel, Some(target), e))
            }
        }
    }

    /// Finds the id `component` has now: one `LFA_GET_INVENTORY` of the id it
    /// was last known under; if that holds another UUID or is out of range,
    /// a listing by UUID. `None` when the UUID is no longer listed.
    fn locate(&self, component: ComponentRef) -> Result<Option<ComponentRef>, Error> {
        match self.read_entry(component.seq_id) {
            Ok(entry) if entry.uuid() == component.uuid => return Ok(Some(entry.to_ref())),
            Ok(_)
            | Err(Error::InventoryFailed {
                status: LfaError::InvalidParameters,
                ..
            }) => {}
            Err(e) => return Err(e),
        }
        Ok(self.find(component.uuid)?.map(Component::to_ref))
    }

    /// Sends `LFA_CANCEL` right after a failure, to the id that was just
    /// primed or activated. `SUCCESS` and `INVALID_PARAMETERS` (the agent had
    /// already abandoned it) settle the release; after another error the
    /// client still owes it, with the id as confirmed as it was.
    fn cancel_now(&mut self, component: ComponentRef) -> CancelOutcome {
        let response = self
            .conduit
            .call(&CancelRequest::new(component.seq_id).encode());
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
                    .is_some_and(|r| r.component == component && r.confirmed);
                self.release = Some(Release {
                    component,
                    confirmed,
                });
                CancelOutcome::Failed(status)
            }
        }
    }

    /// Marks the start of `LFA_ACTIVATE`: a new generation, and the release
    /// id is no longer confirmed (the agent may renumber).
    fn activation_sent(&mut self, component: ComponentRef) {
        self.generation = self.generation.wrapping_add(1);
        self.release = Some(Release {
            component,
            confirmed: false,
        });
    }

    /// Re-enumerates after a successful activation: the component as it is
    /// now (by UUID) and the first capable and pending one whose UUID is not
    /// in `exclude`.
    fn after_activation(
        &self,
        before: &Component,
        exclude: &SkipList,
    ) -> (Result<Component, Error>, Option<Component>) {
        let mut now = None;
        let mut next_pending = None;
        let components = match self.components() {
            Ok(components) => components,
            Err(e) => return (Err(e), None),
        };
        for item in components {
            match item {
                Err(e) => return (Err(e), None),
                Ok(c) => {
                    if now.is_none() && c.uuid() == before.uuid() {
                        now = Some(c);
                    }
                    if next_pending.is_none() && c.is_activatable() && !exclude.contains(c.uuid()) {
                        next_pending = Some(c);
                    }
                }
            }
        }
        let now = now.ok_or(Error::ComponentGone {
            uuid: before.uuid(),
        });
        (now, next_pending)
    }
}

/// A primed component, ready to activate; made by [`Client::prime`].
///
/// It borrows the client mutably, so nothing else can use the client (and no
/// second activation can start) until this is consumed:
/// [`activate`](Primed::activate) or [`activate_with`](Primed::activate_with)
/// (after a completed prime, the only way to reach `LFA_ACTIVATE`), or
/// [`cancel`](Primed::cancel). Dropped without either, it sends one
/// `LFA_CANCEL`; if that fails, the client sends it again before its next
/// `LFA_PRIME` (or from [`Client::release`], or when it is dropped).
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
    component: Component,
    prime_rounds: u32,
    finished: bool,
    /// UUIDs the re-enumeration after the activation passes over when it
    /// picks [`Activated::next_pending`] (those `activate_all_pending` has
    /// skipped).
    pub(crate) exclude: SkipList,
}

impl<C: Conduit, K: Clock> Primed<'_, C, K> {
    /// The component as it was re-read just before `LFA_PRIME`.
    #[must_use]
    pub const fn component(&self) -> &Component {
        &self.component
    }

    /// How many `LFA_PRIME` calls it took (the k of the flow).
    #[must_use]
    pub const fn prime_rounds(&self) -> u32 {
        self.prime_rounds
    }

    /// Abandons the activation: one `LFA_CANCEL`. `INVALID_PARAMETERS`
    /// ([`CancelOutcome::NothingToCancel`]: the agent had already abandoned
    /// the prime) is success too.
    ///
    /// # Errors
    ///
    /// [`Error::Firmware`] with the status `LFA_CANCEL` returned; the client
    /// then sends `LFA_CANCEL` again before its next `LFA_PRIME`.
    pub fn cancel(mut self) -> Result<(), Error> {
        self.finished = true;
        let component = self.component.to_ref();
        match self.client.cancel_now(component) {
            CancelOutcome::Cancelled | CancelOutcome::NothingToCancel => Ok(()),
            CancelOutcome::Failed(status) => Err(Error::Firmware {
                call: FunctionId::Cancel,
                component: Some(component),
                status,
            }),
        }
    }

    /// Activates from this CPU only, with skip_cpu_rendezvous: for components
    /// whose rendezvous is optional, when
    /// [`Options::force_rendezvous`](crate::Options::force_rendezvous) is off.
    /// Sends `LFA_ACTIVATE` (m rounds, the same registers each time, bounded
    /// by [`Options::activate`](crate::Options::activate) and the clock), then
    /// re-enumerates (N + 1 calls). Nothing else is sent.
    ///
    /// # Errors
    ///
    /// - [`Error::RendezvousRequired`] (nothing sent to `LFA_ACTIVATE`, which
    ///   would hang TF-A for such a component);
    /// - [`Error::CpuResetWithoutEntryPoint`] for a component with
    ///   may_reset_cpu and no [`Options::cpu_reset`](crate::Options::cpu_reset);
    /// - [`Error::ActivateFailed`], [`Error::Timeout`].
    ///
    /// Each of these has sent `LFA_CANCEL` and reports its outcome. Errors of
    /// the re-enumeration do not hide the successful activation: they are in
    /// [`Activated::now`].
    pub fn activate(mut self) -> Result<Activated, Error> {
        self.finished = true;
        let forced = !self.component.rendezvous_required();
        if self.client.options.force_rendezvous || self.component.rendezvous_required() {
            return Err(Error::RendezvousRequired {
                component: self.component.to_ref(),
                forced,
                cancel: self.client.cancel_now(self.component.to_ref()),
            });
        }
        let request = self.request(ActivateFlags::SKIP_CPU_RENDEZVOUS)?;
        let component = self.component.to_ref();
        let client = &mut *self.client;
        client.activation_sent(component);
        let end = call_again_loop(
            &client.conduit,
            &client.clock,
            &request,
            &client.options.activate,
        );
        match end {
            LoopEnd::Done { rounds } => Ok(self.finish(rounds, 1, false)),
            LoopEnd::Failed { status, rounds } => Err(Error::ActivateFailed {
                component,
                status,
                rounds,
                cancel: self.client.cancel_now(component),
            }),
            LoopEnd::TimedOut { rounds, elapsed } => Err(Error::Timeout {
                call: FunctionId::Activate,
                component,
                rounds,
                elapsed,
                cancel: self.client.cancel_now(component),
            }),
        }
    }

    /// Activates through `rendezvous`: every powered-on CPU sends the same,
    /// pre-encoded `LFA_ACTIVATE` (skip_cpu_rendezvous clear) and repeats it
    /// while the agent says CALL_AGAIN, at most
    /// [`Options::activate`](crate::Options::activate)`.max_rounds` times, with
    /// no clock, delay, allocation or formatting inside the window. The CPUs'
    /// results must agree. Then re-enumerates (N + 1 calls).
    ///
    /// Read the [`Rendezvous`] contract: every powered-on CPU must call.
    ///
    /// # Errors
    ///
    /// - [`Error::CpuResetWithoutEntryPoint`] (nothing sent to `LFA_ACTIVATE`);
    /// - [`Error::RendezvousFailed`] if the hook says it could not run on
    ///   every CPU (or reported none);
    /// - [`Error::RendezvousDisagreement`] if CPUs report different results;
    /// - [`Error::ActivateFailed`], [`Error::Timeout`] (rounds only).
    ///
    /// Each of these has sent `LFA_CANCEL` and reports its outcome.
    pub fn activate_with<R: Rendezvous + ?Sized>(
        mut self,
        rendezvous: &R,
    ) -> Result<Activated, Error>
    where
        C: Sync,
    {
        self.finished = true;
        let request = self.request(ActivateFlags::empty())?;
        let component = self.component.to_ref();
        let client = &mut *self.client;
        client.activation_sent(component);
        let conduit = &client.conduit;
        let max_rounds = client.options.activate.max_rounds;
        let on_each_cpu = move || activate_on_this_cpu(conduit, &request, max_rounds);

        let mut first: Option<CpuOutcome> = None;
        let mut other: Option<CpuOutcome> = None;
        let mut cpus: usize = 0;
        let mut most_rounds: u32 = 0;
        let hook = rendezvous.run_on_every_cpu(&on_each_cpu, &mut |outcome: CpuOutcome| {
            cpus = cpus.saturating_add(1);
            most_rounds = most_rounds.max(outcome.rounds());
            match first {
                None => first = Some(outcome),
                Some(f) if f.result() != outcome.result() && other.is_none() => {
                    other = Some(outcome);
                }
                Some(_) => {}
            }
        });

        let failure = match (hook, first, other) {
            (Err(e), _, _) => Failure::Hook(e.0),
            (Ok(()), None, _) => Failure::Hook("the rendezvous hook reported no CPU"),
            (Ok(()), Some(first), Some(other)) => Failure::Disagree(first, other),
            (Ok(()), Some(first), None) => match first.result() {
                CpuResult::Done => return Ok(self.finish(most_rounds, cpus, true)),
                CpuResult::Failed(status) => Failure::Status(status),
                CpuResult::OutOfRounds => Failure::Rounds,
            },
        };
        let cancel = self.client.cancel_now(component);
        Err(match failure {
            Failure::Hook(reason) => Error::RendezvousFailed {
                component,
                reason,
                cancel,
            },
            Failure::Disagree(first, other) => Error::RendezvousDisagreement {
                component,
                first,
                other,
                cpus,
                cancel,
            },
            Failure::Status(status) => Error::ActivateFailed {
                component,
                status,
                rounds: most_rounds,
                cancel,
            },
            Failure::Rounds => Error::Timeout {
                call: FunctionId::Activate,
                component,
                rounds: most_rounds,
                elapsed: core::time::Duration::ZERO,
                cancel,
            },
        })
    }

    /// The `LFA_ACTIVATE` registers, encoded once before any is sent; refuses
    /// (and cancels) a component that may reset CPUs without an entry point.
    fn request(&mut self, flags: ActivateFlags) -> Result<Regs, Error> {
        let reset = if self.component.may_reset_cpu() {
            match self.client.options.cpu_reset {
                Some(reset) => reset,
                None => {
                    return Err(Error::CpuResetWithoutEntryPoint {
                        component: self.component.to_ref(),
                        cancel: self.client.cancel_now(self.component.to_ref()),
                    });
                }
            }
        } else {
            CpuReset {
                entry_point: 0,
                context_id: 0,
            }
        };
        Ok(ActivateRequest {
            seq_id: self.component.seq_id(),
            flags,
            entry_point: reset.entry_point,
            context_id: reset.context_id,
        }
        .encode())
    }

    /// After a successful activation: re-enumerate and report.
    fn finish(&mut self, activate_rounds: u32, cpus: usize, rendezvous: bool) -> Activated {
        let (now, next_pending) = self.client.after_activation(&self.component, &self.exclude);
        // The agent may keep the activated component current (TF-A does)
        // until it is cancelled: remember it under the id it has now, found
        // by UUID, for the release CANCEL. If the listing failed, the release
        // keeps the old, unconfirmed id (re-read before it is cancelled); if
        // the UUID is gone, no id can address it any more.
        match &now {
            Ok(c) => {
                self.client.release = Some(Release {
                    component: c.to_ref(),
                    confirmed: true,
                });
            }
            Err(Error::ComponentGone { .. }) => self.client.release = None,
            Err(_) => {}
        }
        Activated {
            before: self.component,
            now,
            next_pending,
            prime_rounds: self.prime_rounds,
            activate_rounds,
            cpus,
            rendezvous,
        }
    }
}

impl<C: Conduit, K: Clock> Drop for Primed<'_, C, K> {
    /// Cancels an activation that was neither activated nor cancelled: one
    /// `LFA_CANCEL`, whose failure is remembered (not panicked on).
    fn drop(&mut self) {
        if !self.finished {
            let _outcome = self.client.cancel_now(self.component.to_ref());
        }
    }
}

/// Why a rendezvous activation failed.
enum Failure {
    Hook(&'static str),
    Disagree(CpuOutcome, CpuOutcome),
    Status(LfaError),
    Rounds,
}

/// One CPU's part of a rendezvous: send the pre-encoded request until
/// CALL_AGAIN is clear, at most `max_rounds` times. No clock, no allocation.
fn activate_on_this_cpu<C: Conduit + ?Sized>(
    conduit: &C,
    request: &Regs,
    max_rounds: u32,
) -> CpuOutcome {
    let mut rounds: u32 = 0;
    loop {
        rounds = rounds.saturating_add(1);
        match progress(&conduit.call(request)) {
            Err(status) => return CpuOutcome::new(CpuResult::Failed(status), rounds),
            Ok(false) => return CpuOutcome::new(CpuResult::Done, rounds),
            Ok(true) if rounds >= max_rounds => {
                return CpuOutcome::new(CpuResult::OutOfRounds, rounds);
            }
            Ok(true) => {}
        }
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
    cpus: usize,
    rendezvous: bool,
}

impl Activated {
    /// The component as it was primed (from the previous generation: it
    /// cannot be primed again).
    #[must_use]
    pub const fn before(&self) -> &Component {
        &self.before
    }

    /// The component as the re-enumeration after the activation found it, by
    /// UUID; or why that could not be read ([`Error::ComponentGone`] if the
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
        self.cpus
    }

    /// Whether the activation went through the rendezvous hook.
    #[must_use]
    pub const fn used_rendezvous(&self) -> bool {
        self.rendezvous
    }
}
