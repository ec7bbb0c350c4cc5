// SPDX-License-Identifier: MIT OR Apache-2.0
//! Non-blocking prime and activation: owned state, driven one firmware call
//! at a time. The blocking flow ([`Client::prime`], [`Primed`](crate::Primed))
//! drives the same state machine in a loop.

use core::time::Duration;

use lfa_proto::{
    ActivateFlags, ActivateRequest, CancelRequest, CancelResponse, FunctionId, LfaError,
    PrimeRequest, Response, ResponseError, SeqId, Uuid,
};
use lfa_smccc::Conduit;

use crate::{
    Activated, CancelOutcome, Client, Component, ComponentRef, CpuJob, CpuOutcome, Error,
    ErrorDetail, OnlyCpu, Rendezvous,
    activate_all::SkipList,
    client::{Release, call_error, next_stamp},
    retry::{Clock, Repeated, Retry, Verdict},
};

/// What one step of a non-blocking operation ([`PrimeOp`], [`ActivationOp`])
/// left: more to do, or the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Step<T> {
    /// Not finished: `next` is what the next step sends.
    Pending {
        /// The next call.
        next: Next,
        /// How long the caller should wait before the next step: the retry
        /// delay of [`RetryPolicy`](crate::RetryPolicy) after a CALL_AGAIN
        /// answer, `None` otherwise. Stepping sooner only sends the next try
        /// sooner; the round and time bounds hold either way.
        wait: Option<Duration>,
    },
    /// Finished.
    Done(T),
}

impl<T> Step<T> {
    /// The result, if finished.
    pub fn done(self) -> Option<T> {
        match self {
            Self::Done(result) => Some(result),
            Self::Pending { .. } => None,
        }
    }
}

/// The call the next step of a non-blocking operation sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Next {
    /// The release `LFA_CANCEL` the client owes (see
    /// [`Client::release`]), or one `LFA_GET_INFO` / `LFA_GET_INVENTORY` of
    /// the lookup before it.
    Release,
    /// `LFA_GET_INVENTORY` of the component: the refresh before `LFA_PRIME`.
    Refresh,
    /// `LFA_PRIME`, round `round` (from 1).
    Prime {
        /// The round the next call is.
        round: u32,
    },
    /// `LFA_ACTIVATE` from this CPU, round `round` (from 1); or nothing,
    /// when the checks before it refuse (then `LFA_CANCEL`).
    Activate {
        /// The round the next call is.
        round: u32,
    },
    /// The rendezvous window: one step runs the hook, whose CPUs send their
    /// `LFA_ACTIVATE` rounds back to back.
    Rendezvous,
    /// `LFA_CANCEL` after a failure; that step returns the error.
    Cancel,
    /// The re-enumeration after a successful activation: `LFA_GET_INFO`
    /// (`read` = 0), then `LFA_GET_INVENTORY` of id `read - 1`.
    Reenumerate {
        /// Calls of the re-enumeration sent so far.
        read: u32,
    },
}

/// A listing of the inventory, one call at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Listing {
    next: u32,
    count: Option<u32>,
}

/// What one step of a [`Listing`] read.
enum Listed {
    /// `LFA_GET_INFO` answered.
    Info,
    /// An entry, or the error of the call that failed (`LFA_GET_INFO` or
    /// `LFA_GET_INVENTORY`): the read's own result, held in place (no copy
    /// of it into another variant).
    Read(Result<Component, Error>),
    /// Nothing left (no call made).
    End,
}

impl Listing {
    pub(crate) const NEW: Self = Self {
        next: 0,
        count: None,
    };

    /// Calls sent so far.
    const fn read(&self) -> u32 {
        match self.count {
            None => 0,
            Some(_) => self.next.saturating_add(1),
        }
    }

    /// Whether every entry has been read.
    fn at_end(&self) -> bool {
        self.count.is_some_and(|count| self.next >= count)
    }

    fn step<C: Conduit, K: Clock>(&mut self, client: &Client<C, K>) -> Listed {
        match self.count {
            None => match client.read_count() {
                Ok(count) => {
                    self.count = Some(count);
                    Listed::Info
                }
                Err(e) => Listed::Read(Err(e)),
            },
            Some(count) if self.next >= count => Listed::End,
            Some(_) => {
                let seq_id = SeqId(self.next);
                self.next = self.next.saturating_add(1);
                Listed::Read(client.read_entry(seq_id))
            }
        }
    }
}

/// The release `LFA_CANCEL` (see [`Client::release`]), one call at a time:
/// the state of [`PrimeStage::Release`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Releasing {
    /// Decide from what the client owes.
    Start,
    /// Re-read the id the component was last known under.
    Locate(ComponentRef),
    /// List the inventory for its UUID.
    Find(ComponentRef, Listing),
    /// Send `LFA_CANCEL` of this id.
    Cancel(ComponentRef),
}

/// What one step of a [`Releasing`] left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Released {
    /// More to do (this step made a call).
    More,
    /// Settled; `called`: whether this step made a call.
    Done { called: bool },
    /// Failed: the stage is [`PrimeStage::Failed`] with the error (so that
    /// no error-sized result passes through the frames of the steps).
    Failed,
}

impl Releasing {
    /// One step of the release held in `stage` ([`PrimeStage::Release`]):
    /// at most one call.
    fn step<C: Conduit, K: Clock>(stage: &mut PrimeStage, client: &mut Client<C, K>) -> Released {
        let PrimeStage::Release(releasing) = stage else {
            return Released::Failed;
        };
        // Start decides, and the step goes on with what it decided.
        if let Self::Start = *releasing {
            *releasing = match client.release {
                None => return Released::Done { called: false },
                Some(release) if release.confirmed => Self::Cancel(release.component),
                Some(release) => Self::Locate(release.component),
            };
        }
        match *releasing {
            // Not reached: decided above.
            Self::Start => Released::Done { called: false },
            Self::Locate(component) => {
                // The entry read at the id holds that id: if it holds the
                // UUID too, it is `component`.
                match &client.read_entry(component.seq_id) {
                    Ok(entry) if entry.uuid() == component.uuid => {
                        *releasing = Self::Cancel(component);
                    }
                    Ok(_) => *releasing = Self::Find(component, Listing::NEW),
                    Err(e) if e.is_id_out_of_range() => {
                        *releasing = Self::Find(component, Listing::NEW);
                    }
                    Err(e) => return failed(stage, e),
                }
                Released::More
            }
            Self::Find(component, mut listing) => {
                match &listing.step(client) {
                    Listed::Info => {}
                    Listed::Read(Ok(entry)) if entry.uuid() == component.uuid => {
                        *releasing = Self::Cancel(entry.to_ref());
                        return Released::More;
                    }
                    Listed::Read(Ok(_)) => {}
                    Listed::End => {
                        // The UUID is gone: the agent may still hold it,
                        // but no sequence id addresses it any more.
                        client.release = None;
                        return Released::Done { called: false };
                    }
                    Listed::Read(Err(e)) => return failed(stage, e),
                }
                *releasing = Self::Find(component, listing);
                if listing.at_end() {
                    client.release = None;
                    return Released::Done { called: true };
                }
                Released::More
            }
            Self::Cancel(_) => release_cancel(client, stage),
        }
    }
}

/// A failed release step: the Failed stage, with `error` (cold, out of
/// line: the stage is built in this frame, not in those of the steps).
#[cold]
#[inline(never)]
fn failed(stage: &mut PrimeStage, error: &Error) -> Released {
    *stage = PrimeStage::Failed(*error);
    Released::Failed
}

/// Sends the release `LFA_CANCEL` the client owes, driving the steps of
/// [`Releasing`] to the end (see [`Client::release`]).
pub(crate) fn release_all<C: Conduit, K: Clock>(client: &mut Client<C, K>) -> Result<(), Error> {
    let mut stage = PrimeStage::Release(Releasing::Start);
    loop {
        match Releasing::step(&mut stage, client) {
            Released::More => {}
            Released::Done { .. } => return Ok(()),
            Released::Failed => break,
        }
    }
    match stage {
        PrimeStage::Failed(error) => Err(error),
        // Not reached: a failed step leaves the Failed stage.
        _ => Err(Error::stale_operation()),
    }
}

/// The release `LFA_CANCEL` of the id in `stage` (out of line: its
/// register block is not in the frame of the steps, nor is the id's copy);
/// a failure becomes the Failed `stage`.
#[inline(never)]
fn release_cancel<C: Conduit, K: Clock>(
    client: &mut Client<C, K>,
    stage: &mut PrimeStage,
) -> Released {
    let PrimeStage::Release(Releasing::Cancel(target)) = *stage else {
        // Not reached: called for the Cancel step only.
        return Released::Done { called: false };
    };
    let response = crate::client::send(&client.conduit, &CancelRequest::new(target.seq_id));
    match CancelResponse::decode(&response) {
        // The id names the component in this generation, so
        // INVALID_PARAMETERS means the agent holds nothing.
        Ok(CancelResponse) | Err(ResponseError::Status(LfaError::InvalidParameters)) => {
            client.release = None;
            Released::Done { called: true }
        }
        Err(e) => {
            client.release = Some(Release {
                component: target,
                confirmed: true,
            });
            failed(stage, &call_error(FunctionId::Cancel, Some(target), e))
        }
    }
}

/// A prime in progress, as an owned value: made by [`Client::prime_op`],
/// driven by [`PrimeOp::step`], one firmware call per step, from a loop, a
/// timer interrupt or a notification handler. Between steps it borrows
/// nothing.
///
/// It sends what [`Client::prime`] sends, in the same order, with the same
/// registers every round and the same bounds
/// ([`Options::prime`](crate::Options::prime), timed by the client's clock
/// between steps); it never waits itself (see [`Step::Pending`]). On a
/// failure after `LFA_PRIME` its last step sends `LFA_CANCEL`.
///
/// **Dropped or abandoned** after its first `LFA_PRIME`, it cannot cancel by
/// itself (it holds no conduit): the client then owes the `LFA_CANCEL` and
/// sends it before its next `LFA_PRIME`, from [`Client::release`], or when it
/// is dropped. Starting another operation ([`Client::prime_op`],
/// [`Client::prime`]) or [`Client::release`] makes this one stale: its next
/// step returns [`ErrorDetail::StaleOperation`] and sends nothing.
///
/// ```
/// use lfa_client::{Client, Step};
/// use lfa_proto::components::TF_RMM;
/// use lfa_sim::SimAgent;
///
/// let agent = SimAgent::demo();
/// let mut client = Client::discover(&agent)?;
/// let rmm = client.find(TF_RMM.uuid)?.expect("listed");
/// let mut op = client.prime_op(&rmm)?;
/// let primed = loop {
///     match op.step(&mut client) {
///         Step::Pending { .. } => { /* other work between the calls */ }
///         Step::Done(result) => break result?,
///     }
/// };
/// let mut activation = primed.activate_alone();
/// let done = loop {
///     if let Step::Done(result) = activation.step(&mut client) {
///         break result?;
///     }
/// };
/// assert!(!done.used_rendezvous());
/// # Ok::<(), lfa_client::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a PrimeOp does nothing until it is stepped"]
pub struct PrimeOp {
    component: Component,
    serial: u32,
    stage: PrimeStage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PrimeStage {
    Release(Releasing),
    Refresh,
    Prime {
        fresh: Component,
        retry: Option<Retry>,
    },
    Cancel(Error),
    /// Done: primed after `rounds` calls; the result not taken yet.
    Succeeded {
        fresh: Component,
        rounds: u32,
    },
    /// Done, with this error; not taken yet.
    Failed(Error),
    Finished,
}

impl<C: Conduit, K: Clock> Client<C, K> {
    /// Starts a non-blocking prime of `component` ([`PrimeOp`]); sends
    /// nothing. Any operation started before becomes stale.
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::StaleComponent`] if `component` was read before an
    /// activation or by another client.
    pub fn prime_op(&mut self, component: &Component) -> Result<PrimeOp, Error> {
        self.check_current(component)?;
        Ok(self.start_prime(component))
    }

    /// A new [`PrimeOp`] of a component already checked to be current.
    pub(crate) fn start_prime(&mut self, component: &Component) -> PrimeOp {
        self.op = next_stamp().get();
        PrimeOp {
            component: *component,
            serial: self.op,
            stage: PrimeStage::Release(Releasing::Start),
        }
    }
}

impl PrimeOp {
    /// The component as the caller listed it.
    #[must_use]
    pub const fn component(&self) -> &Component {
        &self.component
    }

    /// What the next step sends (`None` once finished).
    #[must_use]
    pub const fn next(&self) -> Option<Next> {
        match self.stage {
            PrimeStage::Release(_) => Some(Next::Release),
            PrimeStage::Refresh => Some(Next::Refresh),
            PrimeStage::Prime { retry, .. } => Some(Next::Prime {
                round: match retry {
                    Some(retry) => retry.rounds().saturating_add(1),
                    None => 1,
                },
            }),
            PrimeStage::Cancel(_) => Some(Next::Cancel),
            PrimeStage::Succeeded { .. } | PrimeStage::Failed(_) | PrimeStage::Finished => None,
        }
    }

    /// Makes at most one firmware call through `client` (the client that
    /// made this operation) and says what is left.
    ///
    /// The steps are those of [`Client::prime`]: the release `LFA_CANCEL`
    /// the client owes, if any ([`Next::Release`]); the refresh
    /// ([`Next::Refresh`]); `LFA_PRIME` until CALL_AGAIN is clear
    /// ([`Next::Prime`]); on a failure after `LFA_PRIME`, `LFA_CANCEL`
    /// ([`Next::Cancel`]).
    ///
    /// # Errors
    ///
    /// In [`Step::Done`]: the errors of [`Client::prime`], and
    /// [`ErrorDetail::StaleOperation`] (nothing sent) once finished, or when
    /// another operation was started or the client released since.
    pub fn step<C: Conduit, K: Clock>(
        &mut self,
        client: &mut Client<C, K>,
    ) -> Step<Result<PrimedOp, Error>> {
        if self.is_stale(client) {
            return Step::Done(Err(Error::stale_operation()));
        }
        match self.advance(client) {
            Flow::Pending { next, wait } => Step::Pending { next, wait },
            Flow::Done => Step::Done(self.take_result()),
        }
    }

    /// Whether the op may not be stepped (finished or superseded).
    pub(crate) fn is_stale<C: Conduit, K: Clock>(&self, client: &Client<C, K>) -> bool {
        self.serial != client.op || matches!(self.stage, PrimeStage::Finished)
    }

    /// The result of a finished op ([`Flow::Done`]), once (one copy, out
    /// of line, for the blocking prime, the steps and `activate_all_pending`).
    #[inline(never)]
    pub(crate) fn take_result(&mut self) -> Result<PrimedOp, Error> {
        let result = match &self.stage {
            PrimeStage::Succeeded { fresh, rounds } => Ok(PrimedOp {
                component: *fresh,
                prime_rounds: *rounds,
                serial: self.serial,
            }),
            PrimeStage::Failed(e) => Err(*e),
            _ => Err(Error::stale_operation()),
        };
        self.stage = PrimeStage::Finished;
        result
    }

    /// Steps a live op to its end, waiting the client's retry delays (the
    /// blocking drivers' loop); the result then waits in the op.
    #[inline(always)]
    pub(crate) fn drive<C: Conduit, K: Clock>(&mut self, client: &mut Client<C, K>) {
        while let Flow::Pending { wait, .. } = self.advance(client) {
            client.wait(wait);
        }
    }

    /// One step of a live op (not [`is_stale`](Self::is_stale)); the
    /// result, once done, waits in the op.
    pub(crate) fn advance<C: Conduit, K: Clock>(&mut self, client: &mut Client<C, K>) -> Flow {
        loop {
            match &mut self.stage {
                PrimeStage::Release(_) => match Releasing::step(&mut self.stage, client) {
                    Released::More => return Flow::next(Next::Release),
                    Released::Failed => return Flow::Done,
                    Released::Done { called } => {
                        self.stage = PrimeStage::Refresh;
                        if called {
                            return Flow::next(Next::Refresh);
                        }
                    }
                },
                PrimeStage::Refresh => return self.refresh_stage(client),
                PrimeStage::Prime { .. } => return self.prime_stage(client),
                PrimeStage::Cancel(_) => return self.cancel_stage(client),
                PrimeStage::Succeeded { .. } | PrimeStage::Failed(_) | PrimeStage::Finished => {
                    return Flow::Done;
                }
            }
        }
    }

    /// The refresh before `LFA_PRIME` (one `LFA_GET_INVENTORY`) and its
    /// checks; the next stage is written in place (out of line, as the other
    /// stages).
    #[inline(never)]
    fn refresh_stage<C: Conduit, K: Clock>(&mut self, client: &mut Client<C, K>) -> Flow {
        let component = &self.component;
        let error = match &client.read_entry(component.seq_id()) {
            Err(e) if e.is_id_out_of_range() => Error::new(ErrorDetail::ComponentMoved {
                component: component.to_ref(),
                found: Uuid::nil(),
            }),
            Err(e) => *e,
            Ok(fresh) if fresh.uuid() != component.uuid() => {
                Error::new(ErrorDetail::ComponentMoved {
                    component: component.to_ref(),
                    found: fresh.uuid(),
                })
            }
            Ok(fresh) if !fresh.is_capable() => Error::new(ErrorDetail::NotCapable {
                component: fresh.to_ref(),
            }),
            Ok(fresh) if !fresh.is_pending() => Error::new(ErrorDetail::NotPending {
                component: fresh.to_ref(),
            }),
            Ok(fresh) => {
                self.stage = PrimeStage::Prime {
                    fresh: *fresh,
                    retry: None,
                };
                return Flow::next(Next::Prime { round: 1 });
            }
        };
        self.stage = PrimeStage::Failed(error);
        Flow::Done
    }

    /// The `LFA_CANCEL` after a failed `LFA_PRIME` (cold, out of line).
    #[cold]
    #[inline(never)]
    fn cancel_stage<C: Conduit, K: Clock>(&mut self, client: &mut Client<C, K>) -> Flow {
        if let PrimeStage::Cancel(error) = &mut self.stage {
            cancel_after(client, error);
            let error = *error;
            self.stage = PrimeStage::Failed(error);
        }
        Flow::Done
    }

    /// One `LFA_PRIME` round (out of line, as the activation's stages are).
    #[inline(never)]
    fn prime_stage<C: Conduit, K: Clock>(&mut self, client: &mut Client<C, K>) -> Flow {
        let PrimeStage::Prime { fresh, retry } = &mut self.stage else {
            return Flow::Done;
        };
        let fresh = *fresh;
        let retry = match retry {
            Some(retry) => retry,
            None => {
                // From the first PRIME on, the agent may hold this
                // component, under the id just read.
                client.release = Some(Release {
                    component: fresh.to_ref(),
                    confirmed: true,
                });
                retry.insert(Retry::start(&client.clock))
            }
        };
        let request = PrimeRequest::new(fresh.seq_id());
        let component = fresh.to_ref();
        let placeholder = CancelOutcome::NothingToCancel;
        match retry.round(
            &client.conduit,
            &client.clock,
            Repeated::Prime(request),
            &client.options.prime,
        ) {
            Verdict::Done { rounds } => {
                self.stage = PrimeStage::Succeeded { fresh, rounds };
                return Flow::Done;
            }
            Verdict::Again { wait } => {
                return Flow::Pending {
                    next: Next::Prime {
                        round: retry.rounds().saturating_add(1),
                    },
                    wait: Some(wait),
                };
            }
            Verdict::Failed { status, rounds } => {
                self.stage = PrimeStage::Cancel(Error::new(ErrorDetail::PrimeFailed {
                    component,
                    status,
                    rounds,
                    cancel: placeholder,
                }));
            }
            Verdict::TimedOut { rounds, elapsed } => {
                self.stage = PrimeStage::Cancel(Error::new(ErrorDetail::Timeout {
                    call: FunctionId::Prime,
                    component,
                    rounds,
                    elapsed,
                    cancel: placeholder,
                }));
            }
        }
        Flow::next(Next::Cancel)
    }
}

/// Sends the `LFA_CANCEL` after `error` and records its outcome in it (one
/// copy for the prime's and the activation's Cancel stage).
#[inline(never)]
fn cancel_after<C: Conduit, K: Clock>(client: &mut Client<C, K>, error: &mut Error) {
    // The component is read in place: no copy of it here.
    if let Some(component) = error.component_ref() {
        let cancel = client.cancel_now(component);
        error.set_cancel(cancel);
    }
}

/// A primed component, as an owned value: what a finished [`PrimeOp`]
/// returns (or [`Primed::into_op`](crate::Primed::into_op)). Choose how to
/// activate it ([`activate_alone`](Self::activate_alone),
/// [`activate_with_rendezvous`](Self::activate_with_rendezvous),
/// [`activate`](Self::activate)), or [`cancel`](Self::cancel) it.
///
/// Dropped, it leaves the client owing the `LFA_CANCEL` (sent before the
/// client's next `LFA_PRIME`, from [`Client::release`], or when the client is
/// dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "dropping a PrimedOp leaves the component primed until the client releases it"]
pub struct PrimedOp {
    component: Component,
    prime_rounds: u32,
    serial: u32,
}

impl PrimedOp {
    /// The component as it was re-read just before `LFA_PRIME`.
    #[must_use]
    pub const fn component(&self) -> &Component {
        &self.component
    }

    /// How many `LFA_PRIME` calls it took.
    #[must_use]
    pub const fn prime_rounds(&self) -> u32 {
        self.prime_rounds
    }

    /// This value, leaving an invalid one behind (serial 0 is never issued).
    pub(crate) fn take(&mut self) -> Self {
        Self {
            component: self.component,
            prime_rounds: self.prime_rounds,
            serial: core::mem::replace(&mut self.serial, 0),
        }
    }

    pub(crate) const fn is_taken(&self) -> bool {
        self.serial == 0
    }

    pub(crate) const fn into_activation(self, mode: Mode) -> ActivationOp {
        ActivationOp {
            component: self.component,
            prime_rounds: self.prime_rounds,
            serial: self.serial,
            mode,
            stage: ActStage::Check,
        }
    }

    /// Activates from this CPU alone, with skip_cpu_rendezvous (what
    /// [`Primed::activate_alone`](crate::Primed::activate_alone) does):
    /// drive it with [`ActivationOp::step`].
    pub const fn activate_alone(self) -> ActivationOp {
        self.into_activation(Mode::Alone)
    }

    /// Activates through a rendezvous of every CPU (what
    /// [`Primed::activate_with`](crate::Primed::activate_with) does): drive
    /// it with [`ActivationOp::step_with`].
    pub const fn activate_with_rendezvous(self) -> ActivationOp {
        self.into_activation(Mode::Rendezvous)
    }

    /// Activates the way the options choose (what
    /// [`Primed::activate`](crate::Primed::activate) does): through a
    /// rendezvous if the component requires one or
    /// [`Options::force_rendezvous`](crate::Options::force_rendezvous) is
    /// set, else alone. Drive it with [`ActivationOp::step_with`].
    pub const fn activate(self) -> ActivationOp {
        self.into_activation(Mode::PerOptions)
    }

    /// Abandons the activation now: one `LFA_CANCEL` (as
    /// [`Primed::cancel`](crate::Primed::cancel)).
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::StaleOperation`] (nothing sent) if another operation was
    /// started since; [`ErrorDetail::Firmware`] with the status `LFA_CANCEL`
    /// returned.
    pub fn cancel<C: Conduit, K: Clock>(self, client: &mut Client<C, K>) -> Result<(), Error> {
        if self.serial != client.op {
            return Err(Error::stale_operation());
        }
        client.op = 0;
        let component = self.component.to_ref();
        match client.cancel_now(&component) {
            CancelOutcome::Cancelled | CancelOutcome::NothingToCancel => Ok(()),
            CancelOutcome::Failed(status) => Err(Error::new(ErrorDetail::Firmware {
                call: FunctionId::Cancel,
                component: Some(component),
                status,
            })),
        }
    }
}

/// How an [`ActivationOp`] activates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Alone,
    Rendezvous,
    PerOptions,
}

/// An activation in progress, as an owned value: made from a [`PrimedOp`],
/// driven by [`ActivationOp::step`] (alone) or [`ActivationOp::step_with`]
/// (with a rendezvous hook), one firmware call per step. It sends what
/// [`Primed::activate_alone`](crate::Primed::activate_alone) /
/// [`Primed::activate_with`](crate::Primed::activate_with) send, with the
/// same guarantees: the same registers every round, the bound of
/// [`Options::activate`](crate::Options::activate), `LFA_CANCEL` after a
/// failure, then the re-enumeration one call per step. A rendezvous is one
/// step (the whole window). Dropped or stale, it behaves as [`PrimeOp`] does.
///
/// **A clone is the same operation**, not a new one: on one client, the copy
/// that finishes first makes the other stale. Clone it with the client
/// before the step that may not return (a rendezvous for a component that
/// may reset CPUs, every CPU the caller's included): the resume code then
/// finishes the copy, with a hook that reports
/// [`CpuOutcome::after_reset`] for every CPU that came back (see
/// [`Client`]'s "Resuming after a CPU reset").
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an ActivationOp does nothing until it is stepped"]
pub struct ActivationOp {
    component: Component,
    prime_rounds: u32,
    serial: u32,
    mode: Mode,
    stage: ActStage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ActStage {
    Check,
    Activate {
        request: ActivateRequest,
        retry: Option<Retry>,
    },
    Rendezvous {
        request: ActivateRequest,
    },
    Cancel(Error),
    Reenumerate(Reenumeration),
    /// Done, successfully; the result not taken yet.
    Succeeded(Finished),
    /// Done, with this error (after its cancel); not taken yet.
    Failed(Error),
    Finished,
}

/// What a successful activation's re-enumeration found: an [`Activated`]
/// without the parts the op itself holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Finished {
    now: Result<Component, Error>,
    next_pending: Option<Component>,
    rounds: u32,
    cpus: u32,
    reset: u32,
    rendezvous: bool,
}

/// What one internal step of an [`ActivationOp`] left. The result stays in
/// the op until [`ActivationOp::take_result`], so that no result-sized value
/// is returned through the frames under the rendezvous window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Not finished (as [`Step::Pending`]).
    Pending { next: Next, wait: Option<Duration> },
    /// Finished: the result is in the op.
    Done,
}

impl Flow {
    const fn next(next: Next) -> Self {
        Self::Pending { next, wait: None }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reenumeration {
    listing: Listing,
    now: Option<Component>,
    next_pending: Option<Component>,
    rounds: u32,
    cpus: u32,
    reset: u32,
    rendezvous: bool,
}

impl Reenumeration {
    const fn new(rounds: u32, cpus: u32, reset: u32, rendezvous: bool) -> Self {
        Self {
            listing: Listing::NEW,
            now: None,
            next_pending: None,
            rounds,
            cpus,
            reset,
            rendezvous,
        }
    }
}

/// Why a rendezvous activation failed (the outcomes that disagree are
/// those in the tally).
enum Failure<'a> {
    Hook(&'static str),
    Disagree(&'a CpuOutcome, &'a CpuOutcome),
    Status(LfaError),
    Rounds,
}

impl ActivationOp {
    /// The component as it was re-read just before `LFA_PRIME`.
    #[must_use]
    pub const fn component(&self) -> &Component {
        &self.component
    }

    /// What the next step sends (`None` once finished). Before the first
    /// step of [`PrimedOp::activate`], whose choice is made then, this is
    /// `Activate { round: 1 }` even if the options choose a rendezvous.
    #[must_use]
    pub const fn next(&self) -> Option<Next> {
        match self.stage {
            // The checks come first, in the same step as the first call.
            ActStage::Check => Some(match self.mode {
                Mode::Rendezvous => Next::Rendezvous,
                Mode::Alone | Mode::PerOptions => Next::Activate { round: 1 },
            }),
            ActStage::Activate { retry, .. } => Some(Next::Activate {
                round: match retry {
                    Some(retry) => retry.rounds().saturating_add(1),
                    None => 1,
                },
            }),
            ActStage::Rendezvous { .. } => Some(Next::Rendezvous),
            ActStage::Cancel(_) => Some(Next::Cancel),
            ActStage::Reenumerate(r) => Some(Next::Reenumerate {
                read: r.listing.read(),
            }),
            ActStage::Succeeded(_) | ActStage::Failed(_) | ActStage::Finished => None,
        }
    }

    /// One step of an activation that needs no rendezvous hook (made by
    /// [`PrimedOp::activate_alone`]): at most one firmware call.
    ///
    /// # Errors
    ///
    /// In [`Step::Done`]: those of
    /// [`Primed::activate_alone`](crate::Primed::activate_alone);
    /// [`ErrorDetail::RendezvousFailed`] (then cancelled; nothing sent to
    /// `LFA_ACTIVATE`) if this activation needs a rendezvous, which only
    /// [`step_with`](Self::step_with) can run; [`ErrorDetail::StaleOperation`] as
    /// for [`PrimeOp::step`].
    pub fn step<C: Conduit, K: Clock>(
        &mut self,
        client: &mut Client<C, K>,
    ) -> Step<Result<Activated, Error>> {
        self.step_checked(client, None::<&OnlyCpu>, &SkipList::EMPTY)
    }

    /// One step, with `rendezvous` for the window: at most one firmware call
    /// from this CPU (the window itself is one step).
    ///
    /// # Errors
    ///
    /// In [`Step::Done`]: those of
    /// [`Primed::activate_with`](crate::Primed::activate_with) (or
    /// [`activate_alone`](crate::Primed::activate_alone) for an activation
    /// without rendezvous); [`ErrorDetail::StaleOperation`] as for
    /// [`PrimeOp::step`].
    pub fn step_with<C: Conduit, K: Clock, R: Rendezvous<C> + ?Sized>(
        &mut self,
        client: &mut Client<C, K>,
        rendezvous: &R,
    ) -> Step<Result<Activated, Error>> {
        self.step_checked(client, Some(rendezvous), &SkipList::EMPTY)
    }

    pub(crate) fn step_checked<C: Conduit, K: Clock, R: Rendezvous<C> + ?Sized>(
        &mut self,
        client: &mut Client<C, K>,
        rendezvous: Option<&R>,
        exclude: &SkipList,
    ) -> Step<Result<Activated, Error>> {
        // One state machine per conduit and clock, not per hook type: the
        // hook is called once per window, through a trait object.
        let hook = rendezvous.as_ref().map(|r| r as &dyn Rendezvous<C>);
        if self.is_stale(client) {
            return Step::Done(Err(Error::stale_operation()));
        }
        match self.advance(client, hook, exclude) {
            Flow::Pending { next, wait } => Step::Pending { next, wait },
            Flow::Done => Step::Done(self.take_result()),
        }
    }

    /// Whether the op may not be stepped: finished, or superseded on its
    /// client (or from another client).
    pub(crate) fn is_stale<C: Conduit, K: Clock>(&self, client: &Client<C, K>) -> bool {
        self.serial != client.op || matches!(self.stage, ActStage::Finished)
    }

    /// The result of a finished op ([`Flow::Done`]), once: the op is then
    /// stale. Out of line, so that it writes straight into the caller's
    /// result.
    #[inline(never)]
    pub(crate) fn take_result(&mut self) -> Result<Activated, Error> {
        let result = match &self.stage {
            ActStage::Succeeded(f) => Ok(Activated::new(
                &self.component,
                &f.now,
                &f.next_pending,
                self.prime_rounds,
                f.rounds,
                f.cpus,
                f.reset,
                f.rendezvous,
            )),
            ActStage::Failed(e) => Err(*e),
            _ => Err(Error::stale_operation()),
        };
        self.stage = ActStage::Finished;
        result
    }

    /// Steps a live op to its end, waiting the client's retry delays (the
    /// blocking drivers' loop); the result then waits in the op.
    #[inline(always)]
    pub(crate) fn drive<C: Conduit, K: Clock>(
        &mut self,
        client: &mut Client<C, K>,
        rendezvous: Option<&dyn Rendezvous<C>>,
        exclude: &SkipList,
    ) {
        while let Flow::Pending { wait, .. } = self.advance(client, rendezvous, exclude) {
            client.wait(wait);
        }
    }

    /// One step of a live op (not [`is_stale`](Self::is_stale)). When it is
    /// done, the client's operation slot is freed and the result waits in
    /// the op.
    pub(crate) fn advance<C: Conduit, K: Clock>(
        &mut self,
        client: &mut Client<C, K>,
        rendezvous: Option<&dyn Rendezvous<C>>,
        exclude: &SkipList,
    ) -> Flow {
        // Each stage is out of line and the last call here (a tail call),
        // so that this frame is not under the rendezvous window; a stage
        // that finishes the op frees the client's slot itself (`done`).
        match &self.stage {
            ActStage::Check => self.check_stage(client, rendezvous),
            ActStage::Activate { .. } => self.activate_stage(client),
            ActStage::Rendezvous { .. } => self.rendezvous_stage(client, rendezvous),
            ActStage::Cancel(_) => self.cancel_stage(client),
            ActStage::Reenumerate(_) => self.reenumerate_stage(client, exclude),
            ActStage::Succeeded(_) | ActStage::Failed(_) | ActStage::Finished => done(client),
        }
    }

    /// The rendezvous window: one step (out of line, with the window
    /// inlined, so that this frame is the only one of the op's under the
    /// hook).
    #[inline(never)]
    fn rendezvous_stage<C: Conduit, K: Clock>(
        &mut self,
        client: &mut Client<C, K>,
        rendezvous: Option<&dyn Rendezvous<C>>,
    ) -> Flow {
        let ActStage::Rendezvous { request } = self.stage else {
            return done(client);
        };
        let job = CpuJob::new(request, client.options.activate.max_rounds);
        // The window writes the next stage in place: no stage-sized value in
        // this frame, which is under the hook.
        let stage = &mut self.stage;
        match (rendezvous, client.conduit.inner()) {
            (Some(hook), Some(conduit)) => window(hook, conduit, job, &self.component, stage),
            _ => rendezvous_error(
                &self.component,
                Failure::Hook("no conduit"),
                &Tally::NONE,
                stage,
            ),
        }
        Flow::next(match self.stage {
            ActStage::Cancel(_) => Next::Cancel,
            _ => Next::Reenumerate { read: 0 },
        })
    }

    /// The checks before `LFA_ACTIVATE` (no call), then, in the same step,
    /// the stage they lead to; a refusal becomes the Cancel stage. When they
    /// pass, the client's generation changes: `LFA_ACTIVATE` is about to be
    /// sent.
    #[inline(never)]
    fn check_stage<C: Conduit, K: Clock>(
        &mut self,
        client: &mut Client<C, K>,
        hook: Option<&dyn Rendezvous<C>>,
    ) -> Flow {
        let component = self.component.to_ref();
        let cancel = CancelOutcome::NothingToCancel;
        let rendezvous = match self.mode {
            Mode::Alone => false,
            Mode::Rendezvous => true,
            Mode::PerOptions => {
                client.options.force_rendezvous || self.component.rendezvous_required()
            }
        };
        let reset = client.options.cpu_reset;
        let refusal = if !rendezvous && self.component.rendezvous_required() {
            ErrorDetail::RendezvousRequired { component, cancel }
        } else if self.component.may_reset_cpu() && reset.is_none() {
            ErrorDetail::CpuResetWithoutEntryPoint { component, cancel }
        } else if rendezvous && hook.is_none() {
            ErrorDetail::RendezvousFailed {
                component,
                reason: "no rendezvous hook: drive this activation with ActivationOp::step_with",
                cancel,
            }
        } else {
            let (entry_point, context_id) = match reset {
                Some(reset) if self.component.may_reset_cpu() => {
                    (reset.entry_point, reset.context_id)
                }
                _ => (0, 0),
            };
            let request = ActivateRequest {
                seq_id: self.component.seq_id(),
                flags: if rendezvous {
                    ActivateFlags::empty()
                } else {
                    ActivateFlags::SKIP_CPU_RENDEZVOUS
                },
                entry_point,
                context_id,
            };
            client.activation_sent(component);
            // The stage is written once, then the tail call chosen (one
            // store of the stage in the code, not one per branch).
            self.stage = if rendezvous {
                ActStage::Rendezvous { request }
            } else {
                ActStage::Activate {
                    request,
                    retry: None,
                }
            };
            return if rendezvous {
                self.rendezvous_stage(client, hook)
            } else {
                self.activate_stage(client)
            };
        };
        self.stage = ActStage::Cancel(Error::new(refusal));
        self.cancel_stage(client)
    }

    /// The `LFA_CANCEL` after a failure, and the step's error.
    #[cold]
    #[inline(never)]
    fn cancel_stage<C: Conduit, K: Clock>(&mut self, client: &mut Client<C, K>) -> Flow {
        if let ActStage::Cancel(error) = &mut self.stage {
            cancel_after(client, error);
            let error = *error;
            self.stage = ActStage::Failed(error);
        } else {
            // Written in its own arm: no error-sized temporary shared by both.
            self.stage = ActStage::Failed(Error::stale_operation());
        }
        done(client)
    }

    /// The `LFA_ACTIVATE` stage without a rendezvous: one round.
    #[inline(never)]
    fn activate_stage<C: Conduit, K: Clock>(&mut self, client: &mut Client<C, K>) -> Flow {
        let component = self.component.to_ref();
        let placeholder = CancelOutcome::NothingToCancel;
        let ActStage::Activate { request, retry } = &mut self.stage else {
            self.stage = ActStage::Failed(Error::stale_operation());
            return done(client);
        };
        let request = *request;
        let retry = retry.get_or_insert_with(|| Retry::start(&client.clock));
        let verdict = retry.round(
            &client.conduit,
            &client.clock,
            Repeated::Activate(request),
            &client.options.activate,
        );
        self.stage = match verdict {
            Verdict::Done { rounds } => {
                ActStage::Reenumerate(Reenumeration::new(rounds, 1, 0, false))
            }
            Verdict::Again { wait } => {
                return Flow::Pending {
                    next: Next::Activate {
                        round: retry.rounds().saturating_add(1),
                    },
                    wait: Some(wait),
                };
            }
            Verdict::Failed { status, rounds } => {
                ActStage::Cancel(Error::new(ErrorDetail::ActivateFailed {
                    component,
                    status,
                    rounds,
                    cancel: placeholder,
                }))
            }
            Verdict::TimedOut { rounds, elapsed } => {
                ActStage::Cancel(Error::new(ErrorDetail::Timeout {
                    call: FunctionId::Activate,
                    component,
                    rounds,
                    elapsed,
                    cancel: placeholder,
                }))
            }
        };
        Flow::next(match self.stage {
            ActStage::Cancel(_) => Next::Cancel,
            _ => Next::Reenumerate { read: 0 },
        })
    }

    /// The re-enumeration after the activation: one listing step.
    #[inline(never)]
    fn reenumerate_stage<C: Conduit, K: Clock>(
        &mut self,
        client: &mut Client<C, K>,
        exclude: &SkipList,
    ) -> Flow {
        let ActStage::Reenumerate(r) = &mut self.stage else {
            self.stage = ActStage::Failed(Error::stale_operation());
            return done(client);
        };
        let listed = r.listing.step(client);
        let failed = match &listed {
            Listed::Info => None,
            Listed::Read(Ok(c)) => {
                if r.now.is_none() && c.uuid() == self.component.uuid() {
                    r.now = Some(*c);
                }
                if r.next_pending.is_none() && c.is_activatable() && !exclude.contains(c.uuid()) {
                    r.next_pending = Some(*c);
                }
                None
            }
            Listed::End => Some(None),
            // The error stays in `listed`: no copy of it in this frame.
            Listed::Read(Err(e)) => Some(Some(e)),
        };
        let failed = match failed {
            Some(failed) => failed,
            None if r.listing.at_end() => None,
            None => {
                return Flow::next(Next::Reenumerate {
                    read: r.listing.read(),
                });
            }
        };
        self.finish_stage(client, failed);
        done(client)
    }

    /// The end of the re-enumeration: the Succeeded stage, in place (out of
    /// line, so that its values are not in the frame of the listing steps).
    #[inline(never)]
    fn finish_stage<C: Conduit, K: Clock>(
        &mut self,
        client: &mut Client<C, K>,
        failed: Option<&Error>,
    ) {
        if let ActStage::Reenumerate(r) = &self.stage {
            let finished = self.finish(client, r, failed);
            self.stage = ActStage::Succeeded(finished);
        }
    }

    /// After a successful activation and its re-enumeration: the release
    /// bookkeeping and the report.
    #[inline(always)]
    fn finish<C: Conduit, K: Clock>(
        &self,
        client: &mut Client<C, K>,
        r: &Reenumeration,
        failed: Option<&Error>,
    ) -> Finished {
        let (now, next_pending) = match failed {
            Some(e) => (Err(*e), None),
            None => (
                r.now.ok_or(Error::new(ErrorDetail::ComponentGone {
                    uuid: self.component.uuid(),
                })),
                r.next_pending,
            ),
        };
        // The agent may keep the activated component current (TF-A does)
        // until it is cancelled: remember it under the id it has now, found
        // by UUID, for the release CANCEL. If the listing failed, the release
        // keeps the old, unconfirmed id (re-read before it is cancelled); if
        // the UUID is gone, no id can address it any more.
        match &now {
            Ok(c) => {
                client.release = Some(Release {
                    component: c.to_ref(),
                    confirmed: true,
                });
            }
            Err(e) if e.is_component_gone() => client.release = None,
            Err(_) => {}
        }
        Finished {
            now,
            next_pending,
            rounds: r.rounds,
            cpus: r.cpus,
            reset: r.reset,
            rendezvous: r.rendezvous,
        }
    }
}

/// What the CPUs of a rendezvous reported, tallied as they report (one
/// value, so that the hook's callback captures one reference).
struct Tally {
    first: Option<CpuOutcome>,
    /// The first outcome that disagrees with `first`.
    other: Option<CpuOutcome>,
    cpus: u32,
    reset: u32,
    most_rounds: u32,
}

impl Tally {
    const NONE: Self = Self {
        first: None,
        other: None,
        cpus: 0,
        reset: 0,
        most_rounds: 0,
    };

    #[inline(never)]
    fn add(&mut self, outcome: CpuOutcome) {
        self.cpus = self.cpus.saturating_add(1);
        self.most_rounds = self.most_rounds.max(outcome.rounds());
        if outcome.kind() == crate::rendezvous::KIND_RESET {
            self.reset = self.reset.saturating_add(1);
        }
        // One store of the outcome, to the slot it goes to.
        let slot = match self.first {
            None => &mut self.first,
            Some(f) if f.agreement() != outcome.agreement() && self.other.is_none() => {
                &mut self.other
            }
            Some(_) => return,
        };
        *slot = Some(outcome);
    }
}

/// The end of an activation's step that finished it: the client's
/// operation slot is freed (the result waits in the op).
fn done<C: Conduit, K: Clock>(client: &mut Client<C, K>) -> Flow {
    client.op = 0;
    Flow::Done
}

/// Runs the rendezvous window, judges the CPUs' outcomes and sets the next
/// stage. Inlined into its one caller: a frame of its own under the hook
/// measured 96 B deeper.
#[inline(always)]
fn window<C: Conduit + ?Sized>(
    hook: &dyn Rendezvous<C>,
    conduit: &C,
    job: CpuJob,
    component: &Component,
    stage: &mut ActStage,
) {
    let mut tally = Tally::NONE;
    let result = hook.run_on_every_cpu(conduit, job, &mut |outcome: CpuOutcome| {
        tally.add(outcome);
    });
    let failure = match (result, &tally.first, &tally.other) {
        (Err(e), _, _) => Failure::Hook(e.0),
        (Ok(()), None, _) => Failure::Hook("the rendezvous hook reported no CPU"),
        (Ok(()), Some(first), Some(other)) => Failure::Disagree(first, other),
        (Ok(()), Some(first), None) => match (first.kind(), first.packed_status()) {
            (_, Some(status)) => Failure::Status(status.get()),
            (crate::rendezvous::KIND_OUT_OF_ROUNDS, None) => Failure::Rounds,
            _ => {
                *stage = ActStage::Reenumerate(Reenumeration::new(
                    tally.most_rounds,
                    tally.cpus,
                    tally.reset,
                    true,
                ));
                return;
            }
        },
    };
    rendezvous_error(component, failure, &tally, stage);
}

/// The error of a failed rendezvous, to be cancelled, as the next stage.
#[cold]
#[inline(never)]
fn rendezvous_error(component: &Component, failure: Failure, tally: &Tally, stage: &mut ActStage) {
    let component = component.to_ref();
    let cancel = CancelOutcome::NothingToCancel;
    let rounds = tally.most_rounds;
    *stage = ActStage::Cancel(match failure {
        Failure::Hook(reason) => Error::new(ErrorDetail::RendezvousFailed {
            component,
            reason,
            cancel,
        }),
        Failure::Disagree(first, other) => Error::rendezvous_disagreement(component, first, other),
        Failure::Status(status) => Error::new(ErrorDetail::ActivateFailed {
            component,
            status,
            rounds,
            cancel,
        }),
        Failure::Rounds => Error::new(ErrorDetail::Timeout {
            call: FunctionId::Activate,
            component,
            rounds,
            elapsed: Duration::ZERO,
            cancel,
        }),
    });
}
