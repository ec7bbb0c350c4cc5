// SPDX-License-Identifier: MIT OR Apache-2.0
//! The one error type of this crate, and the small values it carries.

use core::time::Duration;

use lfa_proto::{DecodeError, FunctionId, LfaError, LfaVersion, SeqId, Uuid};

use crate::rendezvous::CpuOutcome;

/// Which component an error is about: its UUID (the only stable identity) and
/// the sequence id it had when the call was made.
///
/// `Display` gives the well-known name when there is one, and always the UUID,
/// so an error about a component nobody has named still says which one it was.
///
/// ```
/// use lfa_client::ComponentRef;
/// use lfa_proto::{SeqId, components::TF_RMM, Uuid};
///
/// let rmm = ComponentRef { uuid: TF_RMM.uuid, seq_id: SeqId(2) };
/// assert_eq!(rmm.to_string(), "TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2)");
/// let other = ComponentRef { uuid: Uuid::from_u128(1), seq_id: SeqId(0) };
/// assert_eq!(other.to_string(), "component 00000000-0000-0000-0000-000000000001 (#0)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ComponentRef {
    /// The component's UUID.
    pub uuid: Uuid,
    /// Its sequence id at the time of the call.
    pub seq_id: SeqId,
}

impl ComponentRef {
    /// The well-known name of the component, if it has one.
    #[must_use]
    pub fn name(&self) -> Option<&'static str> {
        lfa_proto::components::known_component(self.uuid).map(|c| c.name)
    }
}

impl core::fmt::Display for ComponentRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} {} ({})", self.uuid, self.seq_id),
            None => write!(f, "component {} ({})", self.uuid, self.seq_id),
        }
    }
}

/// A firmware status in 8 bytes with 4-byte alignment ([`LfaError`] takes 16
/// because of the `i64` of `Unknown`): the status code in two halves, kept
/// exactly. A defined code reads back as its named variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PackedStatus {
    lo: u32,
    hi: u32,
}

impl PackedStatus {
    /// Placeholder where there is no status (reads back as `Unknown(0)`).
    pub(crate) const NONE: Self = Self { lo: 0, hi: 0 };

    /// Packs `status`.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub(crate) const fn new(status: LfaError) -> Self {
        let code = status.code() as u64;
        Self {
            lo: code as u32,
            hi: (code >> 32) as u32,
        }
    }

    /// The status packed.
    #[allow(clippy::cast_possible_wrap)]
    pub(crate) const fn get(self) -> LfaError {
        let code = (((self.hi as u64) << 32) | self.lo as u64) as i64;
        match LfaError::from_code(code) {
            Some(e) => e,
            None => LfaError::Unknown(0),
        }
    }
}

/// What became of the `LFA_CANCEL` the client sends after a failure that
/// follows a successful or attempted `LFA_PRIME`.
///
/// The client sends that `LFA_CANCEL` to the sequence id it has just primed
/// (or activated), so the id is known to name the component.
///
/// ```
/// use lfa_client::CancelOutcome;
/// use lfa_proto::LfaError;
///
/// assert_eq!(CancelOutcome::Cancelled.to_string(), "LFA_CANCEL succeeded");
/// assert_eq!(
///     CancelOutcome::NothingToCancel.to_string(),
///     "the agent had already abandoned it (LFA_CANCEL: nothing to cancel)"
/// );
/// assert!(CancelOutcome::Failed(LfaError::Busy).to_string().starts_with("LFA_CANCEL failed too: BUSY"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CancelOutcome {
    /// `LFA_CANCEL` returned `SUCCESS`: the agent is idle again.
    Cancelled,
    /// `LFA_CANCEL` returned `INVALID_PARAMETERS` for the id the client had
    /// just primed: the agent holds nothing (it abandons a prime or an
    /// activation whose step failed, as TF-A does), so there was nothing to
    /// cancel. The agent is idle; the client owes no further `LFA_CANCEL`.
    NothingToCancel,
    /// `LFA_CANCEL` returned another error (for example `BUSY` once an
    /// activation can no longer be stopped). The client sends `LFA_CANCEL`
    /// for that component again before its next `LFA_PRIME`, from
    /// [`Client::release`](crate::Client::release), or when it is dropped.
    Failed(LfaError),
}

impl core::fmt::Display for CancelOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Cancelled => f.write_str("LFA_CANCEL succeeded"),
            Self::NothingToCancel => {
                f.write_str("the agent had already abandoned it (LFA_CANCEL: nothing to cancel)")
            }
            Self::Failed(e) => write!(f, "LFA_CANCEL failed too: {e}"),
        }
    }
}

/// Everything that can go wrong talking to an LFA agent.
///
/// Every variant says which call failed ([`FunctionId`]), about which
/// component ([`ComponentRef`], with its UUID) where there is one, and what
/// the firmware returned ([`LfaError`], which keeps unknown codes with their
/// value). Failures after `LFA_PRIME` also say what the `LFA_CANCEL` the client
/// then issued returned ([`CancelOutcome`]).
///
/// ```
/// use lfa_client::{ComponentRef, Error, CancelOutcome};
/// use lfa_proto::{FunctionId, LfaError, SeqId, Uuid};
///
/// let e = Error::PrimeFailed {
///     component: ComponentRef { uuid: Uuid::from_u128(7), seq_id: SeqId(1) },
///     status: LfaError::Unknown(-35),
///     rounds: 1,
///     cancel: CancelOutcome::Cancelled,
/// };
/// assert_eq!(
///     e.to_string(),
///     "LFA_PRIME of component 00000000-0000-0000-0000-000000000007 (#1) failed in round 1: \
///      unknown status -35 (0xffffffffffffffdd); LFA_CANCEL succeeded"
/// );
/// assert_eq!(e.call(), Some(FunctionId::Prime));
/// assert_eq!(e.status(), Some(LfaError::Unknown(-35)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// There is no LFA agent: `LFA_VERSION` returned `NOT_SUPPORTED`, or x0
    /// came back unchanged (TF-A with no components registered).
    #[error("no LFA agent: LFA_VERSION returned {x0:#x} ({})", no_agent_reason(*x0))]
    NoAgent {
        /// The value of x0 `LFA_VERSION` returned.
        x0: u64,
    },
    /// The agent implements an LFA major version this client does not speak.
    #[error("the agent implements LFA {version}; this client speaks LFA 1.x only")]
    UnsupportedVersion {
        /// The version the agent reported.
        version: LfaVersion,
    },
    /// The SMCCC version check of
    /// [`Options::smccc_check`](crate::Options::smccc_check) failed (before
    /// any LFA call was sent).
    #[error("the SMCCC version check failed: {error}")]
    SmcccVersion {
        /// What the check found.
        error: lfa_smccc::SmcccError,
    },
    /// `LFA_FEATURES` says a function the client needs is not implemented.
    #[error("the agent does not implement {function} (LFA_FEATURES returned NOT_SUPPORTED)")]
    MissingFunction {
        /// The missing function.
        function: FunctionId,
    },
    /// A call returned an error status. (`LFA_PRIME` and `LFA_ACTIVATE` failures
    /// have their own variants, which also report the cancel.)
    #[error("{call}{} failed: {status}", for_component(component))]
    Firmware {
        /// The call.
        call: FunctionId,
        /// The component it was about, if any.
        component: Option<ComponentRef>,
        /// The status the agent returned.
        status: LfaError,
    },
    /// `LFA_GET_INVENTORY` returned an error status for a sequence id (whose
    /// UUID is therefore unknown).
    #[error("LFA_GET_INVENTORY of sequence id {seq_id} failed: {status}")]
    InventoryFailed {
        /// The sequence id asked about.
        seq_id: SeqId,
        /// The status the agent returned.
        status: LfaError,
    },
    /// A call returned success, but a register it defines holds a value that
    /// is not valid for it.
    #[error(
        "{call}{} returned a malformed response: {error}",
        for_component(component)
    )]
    Malformed {
        /// The call.
        call: FunctionId,
        /// The component it was about, if any.
        component: Option<ComponentRef>,
        /// What is wrong with it.
        error: DecodeError,
    },
    /// `LFA_GET_INFO` reported more components than
    /// [`Options::max_components`](crate::Options::max_components): the value
    /// is treated as garbage rather than a reason to issue that many calls.
    #[error("LFA_GET_INFO reported {count} components, more than the limit of {max}")]
    AbsurdCount {
        /// The count the agent returned.
        count: u32,
        /// The configured limit.
        max: u32,
    },
    /// A component value from before an activation (or from another client)
    /// was used: sequence ids may have changed, so the client does not send
    /// it. List the inventory again.
    #[error(
        "{component} was read before an activation or by another client (generation {generation}, now {current}); list the inventory again"
    )]
    StaleComponent {
        /// The component.
        component: ComponentRef,
        /// The client generation the component value belongs to.
        generation: u32,
        /// The client's generation now.
        current: u32,
    },
    /// The component's UUID is not (or no longer) in the agent's inventory
    /// (reported by [`Activated::now`](crate::Activated::now) when the
    /// re-enumeration after an activation no longer lists it).
    #[error("no component with UUID {uuid} in the inventory{}", name_suffix(*uuid))]
    ComponentGone {
        /// The UUID looked for.
        uuid: Uuid,
    },
    /// [`Client::prime`](crate::Client::prime) re-read the component's
    /// sequence id and found another component there, or nothing (`found` is
    /// then the nil UUID: `LFA_GET_INVENTORY` answered `INVALID_PARAMETERS`,
    /// the id is out of range). The agent renumbered its inventory although
    /// this client activated nothing: another client (or the platform)
    /// changed it. Nothing was primed; list the inventory again.
    #[error(
        "{component} has moved: its sequence id now holds {}; list the inventory again",
        FoundAt(*found)
    )]
    ComponentMoved {
        /// The component, with the sequence id it had when it was listed.
        component: ComponentRef,
        /// The UUID that id holds now (nil: no component at that id).
        found: Uuid,
    },
    /// The component cannot be activated live (activation_capable is clear).
    #[error("{component} is not activation capable")]
    NotCapable {
        /// The component, as re-read just before `LFA_PRIME`.
        component: ComponentRef,
    },
    /// No new image is pending for the component (activation_pending is clear).
    #[error("{component} has no pending activation")]
    NotPending {
        /// The component, as re-read just before `LFA_PRIME`.
        component: ComponentRef,
    },
    /// `LFA_PRIME` returned an error status. The client then sent
    /// `LFA_CANCEL`.
    #[error("LFA_PRIME of {component} failed in round {rounds}: {status}; {cancel}")]
    PrimeFailed {
        /// The component.
        component: ComponentRef,
        /// The status `LFA_PRIME` returned.
        status: LfaError,
        /// How many `LFA_PRIME` calls were sent, the failing one included.
        rounds: u32,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// `LFA_ACTIVATE` returned an error status (on every CPU alike, in a
    /// rendezvous). The client then sent `LFA_CANCEL`.
    #[error("LFA_ACTIVATE of {component} failed in round {rounds}: {status}; {cancel}")]
    ActivateFailed {
        /// The component.
        component: ComponentRef,
        /// The status `LFA_ACTIVATE` returned.
        status: LfaError,
        /// How many `LFA_ACTIVATE` calls were sent (per CPU), the failing one
        /// included.
        rounds: u32,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// A CALL_AGAIN loop hit its bound ([`RetryPolicy`](crate::RetryPolicy)):
    /// too many rounds, or the clock ran past the timeout. The client then
    /// sent `LFA_CANCEL`.
    #[error(
        "{call} of {component} still asked to call again after {rounds} rounds ({} ms); {cancel}",
        elapsed.as_millis()
    )]
    Timeout {
        /// `LFA_PRIME` or `LFA_ACTIVATE`.
        call: FunctionId,
        /// The component.
        component: ComponentRef,
        /// How many calls were sent (per CPU, in a rendezvous).
        rounds: u32,
        /// Time spent by the caller's clock (zero without a clock, and inside a
        /// rendezvous, where only rounds are counted).
        elapsed: Duration,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// The component needs every CPU to call `LFA_ACTIVATE`, and the
    /// activation was asked for from one CPU
    /// ([`Primed::activate_alone`](crate::Primed::activate_alone)). Nothing
    /// was sent to `LFA_ACTIVATE`; the prime was cancelled.
    #[error(
        "{component} must be activated through a rendezvous of every CPU (the component requires it); {cancel}"
    )]
    RendezvousRequired {
        /// The component.
        component: ComponentRef,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// The component may reset CPUs, and no entry point was given
    /// ([`Options::cpu_reset`](crate::Options::cpu_reset)). Nothing was sent
    /// to `LFA_ACTIVATE`; the prime was cancelled.
    #[error(
        "{component} may reset CPUs during activation, and no entry point and context id were given; {cancel}"
    )]
    CpuResetWithoutEntryPoint {
        /// The component.
        component: ComponentRef,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// The rendezvous hook reported that it could not run the call on every
    /// CPU. The client then sent `LFA_CANCEL`.
    #[error("the rendezvous for {component} failed: {reason}; {cancel}")]
    RendezvousFailed {
        /// The component.
        component: ComponentRef,
        /// The hook's reason.
        reason: &'static str,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// The CPUs of a rendezvous came back with different results. The client
    /// then sent `LFA_CANCEL`.
    #[error(
        "the CPUs of the rendezvous for {component} disagree: {first} but {other} ({cpus} CPUs); {cancel}"
    )]
    RendezvousDisagreement {
        /// The component.
        component: ComponentRef,
        /// The first CPU's result.
        first: CpuOutcome,
        /// The first result that differs from it.
        other: CpuOutcome,
        /// How many CPUs reported.
        cpus: usize,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// A non-blocking operation ([`PrimeOp`](crate::PrimeOp),
    /// [`PrimedOp`](crate::PrimedOp), [`ActivationOp`](crate::ActivationOp))
    /// was stepped after it finished, after another operation was started on
    /// its client, after [`Client::release`](crate::Client::release), or on
    /// another client. Nothing was sent.
    #[error("the operation is finished or was superseded on its client; nothing was sent")]
    StaleOperation,
    /// `activate_all_pending` activated its limit of components and the agent
    /// still reports a capable and pending one: an agent that never clears
    /// pending would otherwise loop forever.
    #[error("the agent still reports pending components after {activations} activations")]
    PendingNeverClears {
        /// How many activations succeeded.
        activations: u32,
    },
}

impl Error {
    /// The call that failed, when the error is about one call.
    #[must_use]
    pub const fn call(&self) -> Option<FunctionId> {
        match self {
            Self::NoAgent { .. } | Self::UnsupportedVersion { .. } => Some(FunctionId::Version),
            Self::MissingFunction { .. } => Some(FunctionId::Features),
            Self::Firmware { call, .. }
            | Self::Malformed { call, .. }
            | Self::Timeout { call, .. } => Some(*call),
            Self::AbsurdCount { .. } => Some(FunctionId::GetInfo),
            Self::InventoryFailed { .. } => Some(FunctionId::GetInventory),
            Self::PrimeFailed { .. } => Some(FunctionId::Prime),
            Self::ActivateFailed { .. }
            | Self::RendezvousFailed { .. }
            | Self::RendezvousDisagreement { .. } => Some(FunctionId::Activate),
            Self::StaleComponent { .. }
            | Self::ComponentGone { .. }
            | Self::ComponentMoved { .. }
            | Self::NotCapable { .. }
            | Self::NotPending { .. }
            | Self::RendezvousRequired { .. }
            | Self::CpuResetWithoutEntryPoint { .. }
            | Self::StaleOperation
            | Self::SmcccVersion { .. }
            | Self::PendingNeverClears { .. } => None,
        }
    }

    /// The firmware status, when the error is one.
    #[must_use]
    pub const fn status(&self) -> Option<LfaError> {
        match self {
            Self::Firmware { status, .. }
            | Self::InventoryFailed { status, .. }
            | Self::PrimeFailed { status, .. }
            | Self::ActivateFailed { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The component the error is about, when there is one.
    #[must_use]
    pub const fn component(&self) -> Option<ComponentRef> {
        match self {
            Self::Firmware { component, .. } | Self::Malformed { component, .. } => *component,
            Self::StaleComponent { component, .. }
            | Self::ComponentMoved { component, .. }
            | Self::NotCapable { component }
            | Self::NotPending { component }
            | Self::PrimeFailed { component, .. }
            | Self::ActivateFailed { component, .. }
            | Self::Timeout { component, .. }
            | Self::RendezvousRequired { component, .. }
            | Self::CpuResetWithoutEntryPoint { component, .. }
            | Self::RendezvousFailed { component, .. }
            | Self::RendezvousDisagreement { component, .. } => Some(*component),
            _ => None,
        }
    }

    /// What the `LFA_CANCEL` issued after this failure returned, for failures
    /// after `LFA_PRIME`.
    #[must_use]
    pub const fn cancel(&self) -> Option<CancelOutcome> {
        match self {
            Self::PrimeFailed { cancel, .. }
            | Self::ActivateFailed { cancel, .. }
            | Self::Timeout { cancel, .. }
            | Self::RendezvousRequired { cancel, .. }
            | Self::CpuResetWithoutEntryPoint { cancel, .. }
            | Self::RendezvousFailed { cancel, .. }
            | Self::RendezvousDisagreement { cancel, .. } => Some(*cancel),
            _ => None,
        }
    }
}

impl Error {
    /// Whether, after this error, the agent holds nothing of the attempt
    /// that failed, so that another prime may start:
    ///
    /// - `true` for every error raised before any `LFA_PRIME` of the attempt
    ///   (discovery, listing, refusals such as [`Error::NotPending`],
    ///   [`Error::StaleComponent`], [`Error::ComponentMoved`]), and for the
    ///   failures after it whose `LFA_CANCEL` returned
    ///   [`CancelOutcome::Cancelled`] or [`CancelOutcome::NothingToCancel`];
    /// - `false` when that `LFA_CANCEL` failed ([`CancelOutcome::Failed`]),
    ///   or when the failing call was an `LFA_CANCEL` itself
    ///   ([`Error::Firmware`] with [`FunctionId::Cancel`], as from
    ///   [`Client::release`](crate::Client::release)): the client still owes
    ///   that cancel and sends it again before its next `LFA_PRIME`.
    ///
    /// This is about the client's own attempt: an earlier activation that
    /// the client still has to release (see [`Client`](crate::Client)) is
    /// not counted, and neither is what another client does.
    #[must_use]
    pub const fn agent_is_idle(&self) -> bool {
        match self.cancel() {
            Some(CancelOutcome::Failed(_)) => false,
            Some(_) => true,
            None => !matches!(
                self,
                Self::Firmware {
                    call: FunctionId::Cancel,
                    ..
                }
            ),
        }
    }

    /// Whether no retry can help without a reset, other firmware or other
    /// configuration:
    ///
    /// - [`Error::NoAgent`], [`Error::UnsupportedVersion`],
    ///   [`Error::SmcccVersion`], [`Error::MissingFunction`]: this agent
    ///   cannot be used by this client;
    /// - any error whose status is `CRITICAL_ERROR` (the old image is gone:
    ///   only a reset helps);
    /// - [`Error::RendezvousDisagreement`]: the CPUs came out of one window
    ///   with different results, so their state is unknown.
    ///
    /// Everything else concerns one attempt or one component.
    #[must_use]
    pub const fn is_fatal(&self) -> bool {
        if let Some(LfaError::CriticalError) = self.status() {
            return true;
        }
        matches!(
            self,
            Self::NoAgent { .. }
                | Self::UnsupportedVersion { .. }
                | Self::SmcccVersion { .. }
                | Self::MissingFunction { .. }
                | Self::RendezvousDisagreement { .. }
        )
    }

    /// Whether the same request may succeed if made again later, unchanged:
    ///
    /// - a `BUSY` status (the agent is in the middle of something);
    /// - [`Error::Timeout`] (the agent still asked to call again when the
    ///   bound ran out: it may finish later; raise the bound or retry);
    /// - [`Error::RendezvousFailed`] (the hook could not gather every CPU
    ///   this time);
    /// - a failed `LFA_CANCEL` with `BUSY` ([`CancelOutcome::Failed`]),
    ///   which the client sends again itself.
    ///
    /// Never for a fatal error ([`Error::is_fatal`]), nor for errors that
    /// need a fresh listing first ([`Error::needs_listing`]).
    #[must_use]
    pub const fn retry_later(&self) -> bool {
        if self.is_fatal() {
            return false;
        }
        if let Some(LfaError::Busy) = self.status() {
            return true;
        }
        if let Some(CancelOutcome::Failed(LfaError::Busy)) = self.cancel() {
            return true;
        }
        matches!(self, Self::Timeout { .. } | Self::RendezvousFailed { .. })
    }

    /// Whether the component values in hand are out of date and the
    /// inventory must be listed again before a retry:
    /// [`Error::StaleComponent`], [`Error::ComponentMoved`],
    /// [`Error::ComponentGone`], [`Error::StaleOperation`].
    #[must_use]
    pub const fn needs_listing(&self) -> bool {
        matches!(
            self,
            Self::StaleComponent { .. }
                | Self::ComponentMoved { .. }
                | Self::ComponentGone { .. }
                | Self::StaleOperation
        )
    }

    /// The same error with `outcome` as the `LFA_CANCEL` that followed, for
    /// the variants that report one.
    pub(crate) const fn with_cancel(mut self, outcome: CancelOutcome) -> Self {
        match &mut self {
            Self::PrimeFailed { cancel, .. }
            | Self::ActivateFailed { cancel, .. }
            | Self::Timeout { cancel, .. }
            | Self::RendezvousRequired { cancel, .. }
            | Self::CpuResetWithoutEntryPoint { cancel, .. }
            | Self::RendezvousFailed { cancel, .. }
            | Self::RendezvousDisagreement { cancel, .. } => *cancel = outcome,
            _ => {}
        }
        self
    }
}

fn no_agent_reason(x0: u64) -> &'static str {
    if x0 == FunctionId::Version.to_x0() {
        "x0 came back unchanged"
    } else {
        "NOT_SUPPORTED"
    }
}

/// " for <component>" or nothing.
fn for_component(component: &Option<ComponentRef>) -> ComponentSuffix {
    ComponentSuffix(*component)
}

struct ComponentSuffix(Option<ComponentRef>);

impl core::fmt::Display for ComponentSuffix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.0 {
            Some(c) => write!(f, " for {c}"),
            None => Ok(()),
        }
    }
}

/// "component <uuid> (<name>)" or "nothing" for the nil UUID.
struct FoundAt(Uuid);

impl core::fmt::Display for FoundAt {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.0.is_nil() {
            f.write_str("nothing (out of range)")
        } else {
            write!(f, "component {}{}", self.0, name_suffix(self.0))
        }
    }
}

fn name_suffix(uuid: Uuid) -> NameSuffix {
    NameSuffix(lfa_proto::components::known_component(uuid).map(|c| c.name))
}

struct NameSuffix(Option<&'static str>);

impl core::fmt::Display for NameSuffix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            Some(name) => write!(f, " ({name})"),
            None => Ok(()),
        }
    }
}
