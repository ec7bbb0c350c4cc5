// SPDX-License-Identifier: MIT OR Apache-2.0
//! Activating everything that is pending, as Linux does on a notification:
//! [`Client::activate_all_pending`].

use lfa_proto::{SeqId, Uuid};
use lfa_smccc::Conduit;

use crate::{
    Activated, ActivationOp, Client, Component, Error, ErrorDetail, PrimeOp, Rendezvous,
    retry::Clock,
};

/// How many components one [`Client::activate_all_pending`] can skip: it
/// remembers their UUIDs in a fixed array (no allocation), so that each
/// component is attempted at most once per call. One more failure stops the
/// call with that failure's error.
pub const MAX_SKIPPED: usize = 8;

/// What [`Client::activate_all_pending`] reports to its callback, once per
/// component it attempted.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// The component was activated.
    Activated(&'a Activated),
    /// The component could not be primed or activated, in a way that
    /// concerns it alone; where an `LFA_PRIME` had been sent, the client
    /// cancelled it (the error's [`CancelOutcome`](crate::CancelOutcome) is `Cancelled` or
    /// `NothingToCancel`). The call goes on with the next component; this
    /// one is not attempted again in this call.
    Skipped {
        /// The component, as the listing the attempt started from found it.
        component: &'a Component,
        /// Why it was skipped.
        error: &'a Error,
    },
}

/// What one [`Client::activate_all_pending`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Summary {
    /// Components activated.
    pub activated: u32,
    /// Components skipped ([`Progress::Skipped`]).
    pub skipped: u32,
}

/// [`Client::activate_all_pending`] stopped at an error that makes going on
/// unsafe; `summary` says what it had done until then (the callback has also
/// seen each of those activations and skips).
///
/// `?` turns it into its [`Error`] (dropping the summary) where a function
/// returns `lfa_client::Error`.
///
/// ```
/// use lfa_client::{Error, ErrorDetail, Stopped, Summary};
///
/// let stopped = Stopped {
///     summary: Summary { activated: 2, skipped: 1 },
///     error: Error::new(ErrorDetail::PendingNeverClears { activations: 2 }),
/// };
/// assert_eq!(
///     stopped.to_string(),
///     "the agent still reports pending components after 2 activations \
///      (activate_all_pending stopped after 2 activations and 1 skipped component)"
/// );
/// assert_eq!(Error::from(stopped), ErrorDetail::PendingNeverClears { activations: 2 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// What was done before the error.
    pub summary: Summary,
    /// The error.
    pub error: Error,
}

// A template, as `Error`'s messages are (lfa_proto::text).
impl core::fmt::Display for Stopped {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let template = if self.summary.skipped == 1 {
            "{e} (activate_all_pending stopped after {n} activations and {m} skipped component)"
        } else {
            "{e} (activate_all_pending stopped after {n} activations and {m} skipped components)"
        };
        lfa_proto::text::write(f, template, self)
    }
}

impl lfa_proto::text::Holes for Stopped {
    fn write_hole(&self, f: &mut core::fmt::Formatter<'_>, hole: u8) -> core::fmt::Result {
        use lfa_proto::text::write_decimal;
        let Summary { activated, skipped } = self.summary;
        match hole {
            b'e' => core::fmt::Display::fmt(&self.error, f),
            b'n' => write_decimal(f, u64::from(activated)),
            _ => write_decimal(f, u64::from(skipped)),
        }
    }
}

impl core::error::Error for Stopped {}

impl From<Stopped> for Error {
    /// The error alone: the summary is dropped.
    fn from(stopped: Stopped) -> Self {
        stopped.error
    }
}

/// The UUIDs skipped so far in one `activate_all_pending` (fixed capacity).
/// Kept as pairs of `u64` rather than `Uuid` (an array of bytes): on
/// bare-metal targets with strict alignment, comparing those takes a load
/// per byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SkipList {
    uuids: [(u64, u64); MAX_SKIPPED],
    len: usize,
}

impl SkipList {
    pub(crate) const EMPTY: Self = Self::new();

    pub(crate) const fn new() -> Self {
        Self {
            uuids: [(0, 0); MAX_SKIPPED],
            len: 0,
        }
    }

    /// Whether `uuid` is in the list (the key is made where the UUID's
    /// alignment is known: two loads, not sixteen byte loads).
    #[inline(always)]
    pub(crate) fn contains(&self, uuid: Uuid) -> bool {
        self.contains_key(uuid.as_u64_pair())
    }

    #[inline(never)]
    fn contains_key(&self, key: (u64, u64)) -> bool {
        for &uuid in self.uuids.get(..self.len).unwrap_or(&[]) {
            if uuid == key {
                return true;
            }
        }
        false
    }

    /// Adds `uuid`; false when the list is full.
    fn push(&mut self, uuid: Uuid) -> bool {
        match self.uuids.get_mut(self.len) {
            Some(slot) => {
                *slot = uuid.as_u64_pair();
                self.len += 1;
                true
            }
            None => false,
        }
    }
}

impl<C: Conduit, K: Clock> Client<C, K> {
    /// Activates every capable and pending component, one after the other,
    /// as Linux does on an activation notification, and tells `each` about
    /// every component it attempted ([`Progress`]). Returns how many were
    /// activated and skipped.
    ///
    /// Components that require a rendezvous (or all of them, with
    /// [`Options::force_rendezvous`](crate::Options::force_rendezvous)) go
    /// through `rendezvous`; the others are activated from this CPU with
    /// skip_cpu_rendezvous. Each component costs what [`Client::prime`] and
    /// [`Primed::activate`](crate::Primed::activate) cost; the
    /// next component comes from the re-enumeration each activation already
    /// does, so after an activation no listing is repeated. The call starts
    /// with one listing, and lists again after each skipped component.
    ///
    /// **One failing component does not block the others.** A component
    /// that fails in a way that concerns it alone, and whose attempt the
    /// client could cancel (the error's [`CancelOutcome`](crate::CancelOutcome) is not `Failed`),
    /// is reported as [`Progress::Skipped`] and not attempted again in this
    /// call: [`ErrorDetail::NotCapable`] / [`ErrorDetail::NotPending`] (its flags changed
    /// since the listing), [`ErrorDetail::PrimeFailed`], [`ErrorDetail::ActivateFailed`]
    /// with any status but `CRITICAL_ERROR`, [`ErrorDetail::Timeout`],
    /// [`ErrorDetail::CpuResetWithoutEntryPoint`] and [`ErrorDetail::RendezvousRequired`].
    /// At most [`MAX_SKIPPED`] components are skipped; a failure after that
    /// stops the call with its error.
    ///
    /// **Errors that stop the call** (continuing would be unsafe or
    /// pointless): `CRITICAL_ERROR` from `LFA_ACTIVATE` (only a reset helps),
    /// [`ErrorDetail::RendezvousFailed`] and [`ErrorDetail::RendezvousDisagreement`] (the
    /// CPUs' state is unknown), any failure whose `LFA_CANCEL` failed
    /// ([`CancelOutcome::Failed`](crate::CancelOutcome::Failed): the agent may still hold the component), a
    /// failing release `LFA_CANCEL` ([`Client::release`]),
    /// [`ErrorDetail::ComponentMoved`] (someone else renumbered the inventory),
    /// failures to list the inventory (also the re-enumeration after a
    /// successful activation, which `each` has already seen), and
    /// [`ErrorDetail::PendingNeverClears`] after
    /// [`Options::max_activations`](crate::Options::max_activations)
    /// activations with pending components still listed.
    ///
    /// A component the agent no longer lists after its own successful
    /// activation ([`Activated::now`] is [`ErrorDetail::ComponentGone`]) is not an
    /// error: it was activated, and the call goes on.
    ///
    /// **Two or more activations in one boot on TF-A.** TF-A's agent keeps an
    /// activated component as its current one until it is cancelled, and
    /// until then answers `INVALID_PARAMETERS` to `LFA_ACTIVATE` of any other
    /// component (the Linux driver stops there). The client owes it a release
    /// `LFA_CANCEL` (see [`Client`]) and sends it before its next
    /// `LFA_PRIME`; a clean agent answers it with `INVALID_PARAMETERS`, which
    /// the client accepts as "nothing to cancel".
    ///
    /// # Errors
    ///
    /// [`Stopped`]: the error that stopped the call, with the [`Summary`] of
    /// what was done before it.
    pub fn activate_all_pending<R: Rendezvous<C> + ?Sized>(
        &mut self,
        rendezvous: &R,
        mut each: impl FnMut(Progress<'_>),
    ) -> Result<Summary, Stopped> {
        self.activate_all_dyn(&rendezvous, &mut each)
    }

    /// [`Client::activate_all_pending`] with the hook and the callback as
    /// trait objects: one copy per conduit and clock.
    fn activate_all_dyn(
        &mut self,
        rendezvous: &dyn Rendezvous<C>,
        each: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Summary, Stopped> {
        // This frame is under every call of the attempt: it holds the skip
        // list, what comes next (during an attempt, the component as
        // listed) and one slot for the attempt, which is first the prime
        // and then the activation, so the two never take room together.
        // Both are driven here (no frame of their own); the result is built
        // in `report`'s frame, which is not under the rendezvous window.
        let mut summary = Summary::default();
        let mut skipped = SkipList::new();
        // One slot for what comes next, whether a listing or an attempt
        // said it (the attempt writes it in place: no result of its own in
        // this frame).
        let mut next = Ok(None);
        self.list_first_pending(&skipped, &mut next);
        loop {
            let component = match &next {
                Ok(Some(component)) => component,
                Ok(None) => return Ok(summary),
                Err(error) => {
                    return Err(Stopped {
                        summary,
                        error: *error,
                    });
                }
            };
            if summary.activated >= self.options.max_activations {
                return Err(Stopped {
                    summary,
                    error: Error::new(ErrorDetail::PendingNeverClears {
                        activations: summary.activated,
                    }),
                });
            }
            let mut attempt = match self.check_current(component) {
                Ok(()) => Attempt::Priming(self.start_prime(component)),
                Err(error) => Attempt::Refused(error),
            };
            if let Attempt::Priming(op) = &mut attempt {
                op.drive(self);
                attempt.primed();
            }
            if let Attempt::Activating(op) = &mut attempt {
                op.drive(self, Some(rendezvous), &skipped);
            }
            let Some(error) = report(&mut attempt, each, &mut summary, &mut next) else {
                continue;
            };
            // The attempt failed: `next` still holds the component as listed.
            let component = match &next {
                Ok(Some(component)) if error.skippable() && skipped.push(component.uuid()) => {
                    component
                }
                // An error that stops the call, or one skip too many.
                _ => {
                    return Err(Stopped {
                        summary,
                        error: *error,
                    });
                }
            };
            summary.skipped = summary.skipped.saturating_add(1);
            each(Progress::Skipped { component, error });
            self.list_first_pending(&skipped, &mut next);
        }
    }

    /// Lists the inventory for the first capable and pending component not
    /// skipped yet, writing it (or the error, or `None`) to `next` in place:
    /// out of line, so that there is no second slot for it in the caller's
    /// frame, and each outcome is written where it is found, not repacked
    /// from a returned `Result`.
    #[inline(never)]
    fn list_first_pending(&self, skipped: &SkipList, next: &mut Result<Option<Component>, Error>) {
        *next = Ok(None);
        let count = match self.read_count() {
            Ok(count) => count,
            Err(e) => {
                *next = Err(e);
                return;
            }
        };
        for seq_id in 0..count {
            match self.read_entry(SeqId(seq_id)) {
                Ok(component) => {
                    if component.is_activatable() && !skipped.contains(component.uuid()) {
                        *next = Ok(Some(component));
                        return;
                    }
                }
                Err(e) => {
                    *next = Err(e);
                    return;
                }
            }
        }
    }
}

/// One component's attempt in [`Client::activate_all_pending`]: one slot
/// for the prime, then the activation.
enum Attempt {
    /// Refused before anything was sent, or the prime failed.
    Refused(Error),
    /// The prime in progress.
    Priming(PrimeOp),
    /// The activation in progress, or finished (its result in the op).
    Activating(ActivationOp),
}

impl Attempt {
    /// A finished prime becomes the activation, or the refusal (out of
    /// line: the prime's result is not in the frame that drives them).
    #[inline(never)]
    fn primed(&mut self) {
        if let Self::Priming(op) = self {
            match op.take_result() {
                Ok(primed) => *self = Self::Activating(primed.activate()),
                Err(error) => *self = Self::Refused(error),
            }
        }
    }
}

/// Takes a finished attempt's result, reports a success to `each` and
/// writes what comes next to `next`: the next pending component, or the
/// error to stop with (a failed re-enumeration after the activation).
/// Returns the error of a failed attempt (then `next` is unchanged). Out of
/// line: the [`Activated`] is built in this frame, after the window, not in
/// one of the frames under it.
#[inline(never)]
fn report<'a>(
    attempt: &'a mut Attempt,
    each: &mut dyn FnMut(Progress<'_>),
    summary: &mut Summary,
    next: &mut Result<Option<Component>, Error>,
) -> Option<&'a Error> {
    if let Attempt::Activating(op) = attempt {
        let result = op.take_result();
        match &result {
            Ok(activated) => {
                summary.activated = summary.activated.saturating_add(1);
                each(Progress::Activated(activated));
                // Written arm by arm: no temporary of it in this frame.
                match (activated.now(), activated.next_pending()) {
                    (Err(&error), _) if !error.is_component_gone() => *next = Err(error),
                    (_, Some(&component)) => *next = Ok(Some(component)),
                    (_, None) => *next = Ok(None),
                }
                return None;
            }
            Err(error) => *attempt = Attempt::Refused(*error),
        }
    }
    match attempt {
        Attempt::Refused(error) => Some(error),
        // Not left by the loop (a prime is always made the activation or the
        // refusal).
        Attempt::Priming(_) | Attempt::Activating(_) => Some(&Error::STALE_OPERATION),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_list_holds_max_skipped_then_refuses() {
        let mut list = SkipList::new();
        assert!(!list.contains(Uuid::nil()), "an empty list holds nothing");
        for n in 1..=MAX_SKIPPED as u128 {
            assert!(list.push(Uuid::from_u128(n)));
        }
        assert!(!list.push(Uuid::from_u128(99)));
        assert!(list.contains(Uuid::from_u128(1)));
        assert!(list.contains(Uuid::from_u128(MAX_SKIPPED as u128)));
        assert!(!list.contains(Uuid::from_u128(99)));
    }

    #[test]
    fn which_errors_are_skipped() {
        use crate::{CancelOutcome, ComponentRef};
        use lfa_proto::{FunctionId, LfaError, SeqId};
        let component = ComponentRef {
            uuid: Uuid::from_u128(1),
            seq_id: SeqId(0),
        };
        let activate = |status, cancel| {
            Error::new(ErrorDetail::ActivateFailed {
                component,
                status,
                rounds: 1,
                cancel,
            })
        };
        assert!(Error::skippable(&activate(
            LfaError::ActivationFailed,
            CancelOutcome::NothingToCancel
        )));
        assert!(Error::skippable(&activate(
            LfaError::ActivationFailed,
            CancelOutcome::Cancelled
        )));
        assert!(!Error::skippable(&activate(
            LfaError::CriticalError,
            CancelOutcome::NothingToCancel
        )));
        assert!(!Error::skippable(&activate(
            LfaError::ActivationFailed,
            CancelOutcome::Failed(LfaError::Busy)
        )));
        assert!(Error::skippable(&Error::new(ErrorDetail::NotPending {
            component
        })));
        assert!(Error::skippable(&Error::new(ErrorDetail::Timeout {
            call: FunctionId::Prime,
            component,
            rounds: 3,
            elapsed: core::time::Duration::ZERO,
            cancel: CancelOutcome::Cancelled,
        })));
        assert!(!Error::skippable(&Error::new(
            ErrorDetail::RendezvousFailed {
                component,
                reason: "no",
                cancel: CancelOutcome::Cancelled,
            }
        )));
        assert!(!Error::skippable(&Error::new(
            ErrorDetail::ComponentMoved {
                component,
                found: Uuid::nil(),
            }
        )));
        assert!(!Error::skippable(&Error::new(ErrorDetail::Firmware {
            call: FunctionId::Cancel,
            component: Some(component),
            status: LfaError::Busy,
        })));
    }

    /// The message of `Stopped`, exactly, with one and with other counts of
    /// skipped components.
    #[test]
    fn stopped_reads_as_its_error_then_the_summary() {
        use std::string::ToString;
        let error = Error::new(ErrorDetail::PendingNeverClears { activations: 3 });
        for (activated, skipped, tail) in [
            (3, 1, "3 activations and 1 skipped component)"),
            (0, 0, "0 activations and 0 skipped components)"),
            (
                u32::MAX,
                2,
                "4294967295 activations and 2 skipped components)",
            ),
        ] {
            let stopped = Stopped {
                summary: Summary { activated, skipped },
                error,
            };
            assert_eq!(
                stopped.to_string(),
                std::format!(
                    "the agent still reports pending components after 3 activations \
                     (activate_all_pending stopped after {tail}"
                )
            );
        }
    }
}
