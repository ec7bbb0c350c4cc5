// SPDX-License-Identifier: MIT OR Apache-2.0
//! The one error type of this crate, and the small values it carries.

use core::time::Duration;

use lfa_proto::{DecodeError, FunctionId, LfaError, LfaVersion, SeqId, Uuid};

use crate::rendezvous::{CpuOutcome, CpuResult};

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
        write_uuid(f, &self.uuid, self.seq_id.0, Show::Component)
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
    #[allow(clippy::cast_sign_loss)]
    pub(crate) const fn new(status: LfaError) -> Self {
        Self::from_bits(status.code() as u64)
    }

    /// Any 64-bit value in the same two halves (x0 of `NoAgent`, seconds).
    #[allow(clippy::cast_possible_truncation)]
    pub(crate) const fn from_bits(bits: u64) -> Self {
        Self {
            lo: bits as u32,
            hi: (bits >> 32) as u32,
        }
    }

    /// The 64-bit value packed.
    pub(crate) const fn bits(self) -> u64 {
        ((self.hi as u64) << 32) | self.lo as u64
    }

    /// The status packed.
    #[allow(clippy::cast_possible_wrap)]
    pub(crate) const fn get(self) -> LfaError {
        let code = self.bits() as i64;
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
        let (tag, status) = pack_cancel(*self);
        write_with_status(f, cancel_text(tag), status)
    }
}

/// Everything an [`Error`] can say, as a matchable enum with typed fields:
/// the view [`Error::detail`] gives and [`Error::new`] packs.
///
/// Every variant says which call failed ([`FunctionId`]), about which
/// component ([`ComponentRef`], with its UUID) where there is one, and what
/// the firmware returned ([`LfaError`], which keeps unknown codes with their
/// value). Failures after `LFA_PRIME` also say what the `LFA_CANCEL` the client
/// then issued returned ([`CancelOutcome`]). Packing and unpacking lose
/// nothing: `Error::new(d).detail() == d` for every `d` whose statuses are
/// as decoding gives them. A status is kept as its code, so an
/// `LfaError::Unknown` that holds a defined code (-1 to -11, which decoding
/// never produces) reads back as that code's named status.
///
/// ```
/// use lfa_client::{CancelOutcome, ComponentRef, Error, ErrorDetail};
/// use lfa_proto::{FunctionId, LfaError, SeqId, Uuid};
///
/// let detail = ErrorDetail::PrimeFailed {
///     component: ComponentRef { uuid: Uuid::from_u128(7), seq_id: SeqId(1) },
///     status: LfaError::Unknown(-35),
///     rounds: 1,
///     cancel: CancelOutcome::Cancelled,
/// };
/// let e = Error::new(detail);
/// assert_eq!(
///     e.to_string(),
///     "LFA_PRIME of component 00000000-0000-0000-0000-000000000007 (#1) failed in round 1: \
///      unknown status -35 (0xffffffffffffffdd); LFA_CANCEL succeeded"
/// );
/// assert_eq!(e.detail(), detail);
/// let ErrorDetail::PrimeFailed { rounds, .. } = e.detail() else { unreachable!() };
/// assert_eq!(rounds, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// There is no LFA agent: `LFA_VERSION` returned `NOT_SUPPORTED`, or x0
    /// came back unchanged (TF-A with no components registered).
    NoAgent {
        /// The value of x0 `LFA_VERSION` returned.
        x0: u64,
    },
    /// The agent implements an LFA major version this client does not speak.
    UnsupportedVersion {
        /// The version the agent reported.
        version: LfaVersion,
    },
    /// The SMCCC version check of
    /// [`Options::smccc_check`](crate::Options::smccc_check) failed (before
    /// any LFA call was sent).
    SmcccVersion {
        /// What the check found.
        error: lfa_smccc::SmcccError,
    },
    /// `LFA_FEATURES` says a function the client needs is not implemented.
    MissingFunction {
        /// The missing function.
        function: FunctionId,
    },
    /// A call returned an error status. (`LFA_PRIME` and `LFA_ACTIVATE` failures
    /// have their own variants, which also report the cancel.)
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
    InventoryFailed {
        /// The sequence id asked about.
        seq_id: SeqId,
        /// The status the agent returned.
        status: LfaError,
    },
    /// A call returned success, but a register it defines holds a value that
    /// is not valid for it.
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
    AbsurdCount {
        /// The count the agent returned.
        count: u32,
        /// The configured limit.
        max: u32,
    },
    /// A component value from before an activation (or from another client)
    /// was used: sequence ids may have changed, so the client does not send
    /// it. List the inventory again.
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
    ComponentMoved {
        /// The component, with the sequence id it had when it was listed.
        component: ComponentRef,
        /// The UUID that id holds now (nil: no component at that id).
        found: Uuid,
    },
    /// The component cannot be activated live (activation_capable is clear).
    NotCapable {
        /// The component, as re-read just before `LFA_PRIME`.
        component: ComponentRef,
    },
    /// No new image is pending for the component (activation_pending is clear).
    NotPending {
        /// The component, as re-read just before `LFA_PRIME`.
        component: ComponentRef,
    },
    /// `LFA_PRIME` returned an error status. The client then sent
    /// `LFA_CANCEL`.
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
    RendezvousRequired {
        /// The component.
        component: ComponentRef,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// The component may reset CPUs, and no entry point was given
    /// ([`Options::cpu_reset`](crate::Options::cpu_reset)). Nothing was sent
    /// to `LFA_ACTIVATE`; the prime was cancelled.
    CpuResetWithoutEntryPoint {
        /// The component.
        component: ComponentRef,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// The rendezvous hook reported that it could not run the call on every
    /// CPU. The client then sent `LFA_CANCEL`.
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
    RendezvousDisagreement {
        /// The component.
        component: ComponentRef,
        /// The first CPU's result.
        first: CpuResult,
        /// The first result that differs from it.
        other: CpuResult,
        /// What the `LFA_CANCEL` that followed returned.
        cancel: CancelOutcome,
    },
    /// A non-blocking operation ([`PrimeOp`](crate::PrimeOp),
    /// [`PrimedOp`](crate::PrimedOp), [`ActivationOp`](crate::ActivationOp))
    /// was stepped after it finished, after another operation was started on
    /// its client, after [`Client::release`](crate::Client::release), or on
    /// another client. Nothing was sent.
    StaleOperation,
    /// `activate_all_pending` activated its limit of components and the agent
    /// still reports a capable and pending one: an agent that never clears
    /// pending would otherwise loop forever.
    PendingNeverClears {
        /// How many activations succeeded.
        activations: u32,
    },
}

// One formatter for both: `Error`'s, over the packed value.
impl core::fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&Error::new(*self), f)
    }
}

impl core::error::Error for ErrorDetail {}

/// Everything that can go wrong talking to an LFA agent, in 48 bytes.
///
/// An `Error` is the compact, `Copy` value every fallible call returns: it
/// holds the whole of an [`ErrorDetail`] packed (statuses in two halves,
/// small tags beside the component), so that results stay small on the
/// stack of firmware and kernels. Read it through:
///
/// - the accessors [`call`](Self::call), [`status`](Self::status),
///   [`component`](Self::component) and [`cancel`](Self::cancel), and the
///   predicates [`agent_is_idle`](Self::agent_is_idle),
///   [`is_fatal`](Self::is_fatal), [`retry_later`](Self::retry_later) and
///   [`needs_listing`](Self::needs_listing), which read the packed value;
/// - [`detail`](Self::detail), the matchable [`ErrorDetail`] with every
///   field (nothing is lost in the packing; statuses are kept as their
///   codes, see [`ErrorDetail`]);
/// - `Display` (the same text as the detail's), and `Debug` (the detail's).
///
/// ```
/// use lfa_client::{ComponentRef, Error, ErrorDetail};
/// use lfa_proto::{FunctionId, LfaError, SeqId, Uuid};
///
/// let e = Error::new(ErrorDetail::Firmware {
///     call: FunctionId::GetInfo,
///     component: None,
///     status: LfaError::Unknown(0xC400_02E2),
/// });
/// assert_eq!(e.call(), Some(FunctionId::GetInfo));
/// assert_eq!(e.status(), Some(LfaError::Unknown(0xC400_02E2)));
/// assert!(matches!(e.detail(), ErrorDetail::Firmware { component: None, .. }));
/// assert_eq!(core::mem::size_of::<Error>(), 48);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error(Repr);

/// A [`FunctionId`] in one byte (it is a `u32` holding the function ID), so
/// that it shares the padding after the discriminant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Call(u8);

impl Call {
    const CANCEL: Self = Self::new(FunctionId::Cancel);

    /// The offset of the function's ID from `LFA_VERSION`'s: the seven IDs
    /// are consecutive (lfa-proto's tests pin them).
    #[allow(clippy::cast_possible_truncation)]
    const fn new(function: FunctionId) -> Self {
        Self(function.id().wrapping_sub(FunctionId::Version.id()) as u8)
    }

    const fn get(self) -> FunctionId {
        match self.0 {
            0 => FunctionId::Version,
            1 => FunctionId::Features,
            2 => FunctionId::GetInfo,
            3 => FunctionId::GetInventory,
            4 => FunctionId::Prime,
            5 => FunctionId::Activate,
            // Only `new` makes a `Call`, so this is 6.
            _ => FunctionId::Cancel,
        }
    }
}

/// How the `LFA_CANCEL` after a failure ended, beside its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CancelTag {
    Cancelled,
    Nothing,
    Failed,
}

/// How one CPU's loop ended, beside its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResultTag {
    Done,
    Reset,
    Failed,
    OutOfRounds,
}

/// The packed form: one variant per [`ErrorDetail`] variant, with the
/// statuses as [`PackedStatus`] and the cancel outcome (and CPU results) as
/// a one-byte tag plus a status, so that the tags share the padding after
/// the discriminant. Fields that a tag makes meaningless hold
/// [`PackedStatus::NONE`] (and an absent component the nil UUID and id 0),
/// so that equality is the detail's equality.
///
/// `repr(u8)` lays each variant out in the order written, so the fields
/// the variants share are written to sit at the same offset in each (the
/// cancel tag at byte 1, the call at 2, the component at 4, the cancel
/// status at 24, the rounds at 40): reading one is then the same load
/// whichever the variant, and the accessors' and holes' matches fold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Repr {
    NoAgent {
        x0: PackedStatus,
    },
    UnsupportedVersion {
        version: LfaVersion,
    },
    SmcccVersion {
        error: lfa_smccc::SmcccError,
    },
    MissingFunction {
        function: Call,
    },
    Firmware {
        has_component: bool,
        call: Call,
        component: ComponentRef,
        status: PackedStatus,
    },
    InventoryFailed {
        seq_id: SeqId,
        status: PackedStatus,
    },
    Malformed {
        has_component: bool,
        call: Call,
        component: ComponentRef,
        error: DecodeError,
    },
    AbsurdCount {
        count: u32,
        max: u32,
    },
    StaleComponent {
        component: ComponentRef,
        generation: u32,
        current: u32,
    },
    ComponentGone {
        /// Always zero: puts the UUID at byte 4, so that it is written in
        /// words, not bytes, on targets with strict alignment.
        pad: [u8; 3],
        uuid: Uuid,
    },
    ComponentMoved {
        component: ComponentRef,
        found: Uuid,
    },
    NotCapable {
        component: ComponentRef,
    },
    NotPending {
        component: ComponentRef,
    },
    PrimeFailed {
        cancel: CancelTag,
        component: ComponentRef,
        cancel_status: PackedStatus,
        status: PackedStatus,
        rounds: u32,
    },
    ActivateFailed {
        cancel: CancelTag,
        component: ComponentRef,
        cancel_status: PackedStatus,
        status: PackedStatus,
        rounds: u32,
    },
    Timeout {
        cancel: CancelTag,
        call: Call,
        component: ComponentRef,
        cancel_status: PackedStatus,
        secs: PackedStatus,
        rounds: u32,
        nanos: u32,
    },
    RendezvousRequired {
        cancel: CancelTag,
        component: ComponentRef,
        cancel_status: PackedStatus,
    },
    CpuResetWithoutEntryPoint {
        cancel: CancelTag,
        component: ComponentRef,
        cancel_status: PackedStatus,
    },
    RendezvousFailed {
        cancel: CancelTag,
        component: ComponentRef,
        cancel_status: PackedStatus,
        reason: &'static str,
    },
    RendezvousDisagreement {
        cancel: CancelTag,
        first: ResultTag,
        other: ResultTag,
        component: ComponentRef,
        cancel_status: PackedStatus,
        first_status: PackedStatus,
        other_status: PackedStatus,
    },
    StaleOperation,
    PendingNeverClears {
        activations: u32,
    },
}

/// The component of `Repr::Firmware` and `Repr::Malformed` when there is
/// none.
const NO_COMPONENT: ComponentRef = ComponentRef {
    uuid: Uuid::nil(),
    seq_id: SeqId(0),
};

/// Packs an optional component: whether there is one, and it (or
/// [`NO_COMPONENT`]).
const fn pack_component(component: Option<ComponentRef>) -> (bool, ComponentRef) {
    match component {
        Some(component) => (true, component),
        None => (false, NO_COMPONENT),
    }
}

#[inline(always)]
const fn pack_cancel(outcome: CancelOutcome) -> (CancelTag, PackedStatus) {
    match outcome {
        CancelOutcome::Cancelled => (CancelTag::Cancelled, PackedStatus::NONE),
        CancelOutcome::NothingToCancel => (CancelTag::Nothing, PackedStatus::NONE),
        CancelOutcome::Failed(e) => (CancelTag::Failed, PackedStatus::new(e)),
    }
}

const fn unpack_cancel(tag: CancelTag, status: PackedStatus) -> CancelOutcome {
    match tag {
        CancelTag::Cancelled => CancelOutcome::Cancelled,
        CancelTag::Nothing => CancelOutcome::NothingToCancel,
        CancelTag::Failed => CancelOutcome::Failed(status.get()),
    }
}

const fn pack_result(result: CpuResult) -> (ResultTag, PackedStatus) {
    match result {
        CpuResult::Done => (ResultTag::Done, PackedStatus::NONE),
        CpuResult::Reset => (ResultTag::Reset, PackedStatus::NONE),
        CpuResult::Failed(e) => (ResultTag::Failed, PackedStatus::new(e)),
        CpuResult::OutOfRounds => (ResultTag::OutOfRounds, PackedStatus::NONE),
    }
}

const fn unpack_result(tag: ResultTag, status: PackedStatus) -> CpuResult {
    match tag {
        ResultTag::Done => CpuResult::Done,
        ResultTag::Reset => CpuResult::Reset,
        ResultTag::Failed => CpuResult::Failed(status.get()),
        ResultTag::OutOfRounds => CpuResult::OutOfRounds,
    }
}

impl Error {
    /// Packs `detail`. Nothing is lost: [`detail`](Self::detail) gives it
    /// back (statuses are kept as their codes, see [`ErrorDetail`]).
    #[must_use]
    #[inline(always)]
    pub const fn new(detail: ErrorDetail) -> Self {
        use ErrorDetail as D;
        Self(match detail {
            D::NoAgent { x0 } => Repr::NoAgent {
                x0: PackedStatus::from_bits(x0),
            },
            D::UnsupportedVersion { version } => Repr::UnsupportedVersion { version },
            D::SmcccVersion { error } => Repr::SmcccVersion { error },
            D::MissingFunction { function } => Repr::MissingFunction {
                function: Call::new(function),
            },
            D::Firmware {
                call,
                component,
                status,
            } => {
                let (has_component, component) = pack_component(component);
                Repr::Firmware {
                    has_component,
                    call: Call::new(call),
                    component,
                    status: PackedStatus::new(status),
                }
            }
            D::InventoryFailed { seq_id, status } => Repr::InventoryFailed {
                seq_id,
                status: PackedStatus::new(status),
            },
            D::Malformed {
                call,
                component,
                error,
            } => {
                let (has_component, component) = pack_component(component);
                Repr::Malformed {
                    has_component,
                    call: Call::new(call),
                    component,
                    error,
                }
            }
            D::AbsurdCount { count, max } => Repr::AbsurdCount { count, max },
            D::StaleComponent {
                component,
                generation,
                current,
            } => Repr::StaleComponent {
                component,
                generation,
                current,
            },
            D::ComponentGone { uuid } => Repr::ComponentGone { pad: [0; 3], uuid },
            D::ComponentMoved { component, found } => Repr::ComponentMoved { component, found },
            D::NotCapable { component } => Repr::NotCapable { component },
            D::NotPending { component } => Repr::NotPending { component },
            D::PrimeFailed {
                component,
                status,
                rounds,
                cancel,
            } => {
                let (cancel, cancel_status) = pack_cancel(cancel);
                Repr::PrimeFailed {
                    component,
                    status: PackedStatus::new(status),
                    rounds,
                    cancel,
                    cancel_status,
                }
            }
            D::ActivateFailed {
                component,
                status,
                rounds,
                cancel,
            } => {
                let (cancel, cancel_status) = pack_cancel(cancel);
                Repr::ActivateFailed {
                    component,
                    status: PackedStatus::new(status),
                    rounds,
                    cancel,
                    cancel_status,
                }
            }
            D::Timeout {
                call,
                component,
                rounds,
                elapsed,
                cancel,
            } => {
                let (cancel, cancel_status) = pack_cancel(cancel);
                Repr::Timeout {
                    call: Call::new(call),
                    component,
                    rounds,
                    secs: PackedStatus::from_bits(elapsed.as_secs()),
                    nanos: elapsed.subsec_nanos(),
                    cancel,
                    cancel_status,
                }
            }
            D::RendezvousRequired { component, cancel } => {
                let (cancel, cancel_status) = pack_cancel(cancel);
                Repr::RendezvousRequired {
                    component,
                    cancel,
                    cancel_status,
                }
            }
            D::CpuResetWithoutEntryPoint { component, cancel } => {
                let (cancel, cancel_status) = pack_cancel(cancel);
                Repr::CpuResetWithoutEntryPoint {
                    component,
                    cancel,
                    cancel_status,
                }
            }
            D::RendezvousFailed {
                component,
                reason,
                cancel,
            } => {
                let (cancel, cancel_status) = pack_cancel(cancel);
                Repr::RendezvousFailed {
                    component,
                    reason,
                    cancel,
                    cancel_status,
                }
            }
            D::RendezvousDisagreement {
                component,
                first,
                other,
                cancel,
            } => {
                let (first, first_status) = pack_result(first);
                let (other, other_status) = pack_result(other);
                let (cancel, cancel_status) = pack_cancel(cancel);
                Repr::RendezvousDisagreement {
                    component,
                    first,
                    first_status,
                    other,
                    other_status,
                    cancel,
                    cancel_status,
                }
            }
            D::StaleOperation => Repr::StaleOperation,
            D::PendingNeverClears { activations } => Repr::PendingNeverClears { activations },
        })
    }

    /// Everything the error says, as a matchable [`ErrorDetail`].
    #[must_use]
    pub const fn detail(&self) -> ErrorDetail {
        use ErrorDetail as D;
        match self.0 {
            Repr::NoAgent { x0 } => D::NoAgent { x0: x0.bits() },
            Repr::UnsupportedVersion { version } => D::UnsupportedVersion { version },
            Repr::SmcccVersion { error } => D::SmcccVersion { error },
            Repr::MissingFunction { function } => D::MissingFunction {
                function: function.get(),
            },
            Repr::Firmware {
                has_component,
                call,
                component,
                status,
            } => D::Firmware {
                call: call.get(),
                component: if has_component { Some(component) } else { None },
                status: status.get(),
            },
            Repr::InventoryFailed { seq_id, status } => D::InventoryFailed {
                seq_id,
                status: status.get(),
            },
            Repr::Malformed {
                has_component,
                call,
                component,
                error,
            } => D::Malformed {
                call: call.get(),
                component: if has_component { Some(component) } else { None },
                error,
            },
            Repr::AbsurdCount { count, max } => D::AbsurdCount { count, max },
            Repr::StaleComponent {
                component,
                generation,
                current,
            } => D::StaleComponent {
                component,
                generation,
                current,
            },
            Repr::ComponentGone { uuid, .. } => D::ComponentGone { uuid },
            Repr::ComponentMoved { component, found } => D::ComponentMoved { component, found },
            Repr::NotCapable { component } => D::NotCapable { component },
            Repr::NotPending { component } => D::NotPending { component },
            Repr::PrimeFailed {
                component,
                status,
                rounds,
                cancel,
                cancel_status,
            } => D::PrimeFailed {
                component,
                status: status.get(),
                rounds,
                cancel: unpack_cancel(cancel, cancel_status),
            },
            Repr::ActivateFailed {
                component,
                status,
                rounds,
                cancel,
                cancel_status,
            } => D::ActivateFailed {
                component,
                status: status.get(),
                rounds,
                cancel: unpack_cancel(cancel, cancel_status),
            },
            Repr::Timeout {
                call,
                component,
                rounds,
                secs,
                nanos,
                cancel,
                cancel_status,
            } => D::Timeout {
                call: call.get(),
                component,
                rounds,
                elapsed: Duration::new(secs.bits(), nanos),
                cancel: unpack_cancel(cancel, cancel_status),
            },
            Repr::RendezvousRequired {
                component,
                cancel,
                cancel_status,
            } => D::RendezvousRequired {
                component,
                cancel: unpack_cancel(cancel, cancel_status),
            },
            Repr::CpuResetWithoutEntryPoint {
                component,
                cancel,
                cancel_status,
            } => D::CpuResetWithoutEntryPoint {
                component,
                cancel: unpack_cancel(cancel, cancel_status),
            },
            Repr::RendezvousFailed {
                component,
                reason,
                cancel,
                cancel_status,
            } => D::RendezvousFailed {
                component,
                reason,
                cancel: unpack_cancel(cancel, cancel_status),
            },
            Repr::RendezvousDisagreement {
                component,
                first,
                first_status,
                other,
                other_status,
                cancel,
                cancel_status,
            } => D::RendezvousDisagreement {
                component,
                first: unpack_result(first, first_status),
                other: unpack_result(other, other_status),
                cancel: unpack_cancel(cancel, cancel_status),
            },
            Repr::StaleOperation => D::StaleOperation,
            Repr::PendingNeverClears { activations } => D::PendingNeverClears { activations },
        }
    }

    /// The call that failed, when the error is about one call.
    #[must_use]
    pub const fn call(&self) -> Option<FunctionId> {
        match self.0 {
            Repr::NoAgent { .. } | Repr::UnsupportedVersion { .. } => Some(FunctionId::Version),
            Repr::MissingFunction { .. } => Some(FunctionId::Features),
            Repr::Firmware { call, .. }
            | Repr::Malformed { call, .. }
            | Repr::Timeout { call, .. } => Some(call.get()),
            Repr::AbsurdCount { .. } => Some(FunctionId::GetInfo),
            Repr::InventoryFailed { .. } => Some(FunctionId::GetInventory),
            Repr::PrimeFailed { .. } => Some(FunctionId::Prime),
            Repr::ActivateFailed { .. }
            | Repr::RendezvousFailed { .. }
            | Repr::RendezvousDisagreement { .. } => Some(FunctionId::Activate),
            Repr::StaleComponent { .. }
            | Repr::ComponentGone { .. }
            | Repr::ComponentMoved { .. }
            | Repr::NotCapable { .. }
            | Repr::NotPending { .. }
            | Repr::RendezvousRequired { .. }
            | Repr::CpuResetWithoutEntryPoint { .. }
            | Repr::StaleOperation
            | Repr::SmcccVersion { .. }
            | Repr::PendingNeverClears { .. } => None,
        }
    }

    /// The firmware status, when the error is one.
    #[must_use]
    pub const fn status(&self) -> Option<LfaError> {
        match self.packed_status() {
            Some(status) => Some(status.get()),
            None => None,
        }
    }

    /// The firmware status as it is packed, when the error is one.
    const fn packed_status(&self) -> Option<PackedStatus> {
        match self.0 {
            Repr::Firmware { status, .. }
            | Repr::InventoryFailed { status, .. }
            | Repr::PrimeFailed { status, .. }
            | Repr::ActivateFailed { status, .. } => Some(status),
            _ => None,
        }
    }

    /// The component the error is about, when there is one.
    #[must_use]
    pub const fn component(&self) -> Option<ComponentRef> {
        match self.component_ref() {
            Some(component) => Some(*component),
            None => None,
        }
    }

    /// What the `LFA_CANCEL` issued after this failure returned, for failures
    /// after `LFA_PRIME`.
    #[must_use]
    pub const fn cancel(&self) -> Option<CancelOutcome> {
        let mut copy = *self;
        match copy.cancel_slot() {
            Some((tag, status)) => Some(unpack_cancel(*tag, *status)),
            None => None,
        }
    }

    /// The packed cancel outcome of the variants that report one.
    const fn cancel_slot(&mut self) -> Option<(&mut CancelTag, &mut PackedStatus)> {
        match &mut self.0 {
            Repr::PrimeFailed {
                cancel,
                cancel_status,
                ..
            }
            | Repr::ActivateFailed {
                cancel,
                cancel_status,
                ..
            }
            | Repr::Timeout {
                cancel,
                cancel_status,
                ..
            }
            | Repr::RendezvousRequired {
                cancel,
                cancel_status,
                ..
            }
            | Repr::CpuResetWithoutEntryPoint {
                cancel,
                cancel_status,
                ..
            }
            | Repr::RendezvousFailed {
                cancel,
                cancel_status,
                ..
            }
            | Repr::RendezvousDisagreement {
                cancel,
                cancel_status,
                ..
            } => Some((cancel, cancel_status)),
            _ => None,
        }
    }

    /// Whether, after this error, the agent holds nothing of the attempt
    /// that failed, so that another prime may start:
    ///
    /// - `true` for every error raised before any `LFA_PRIME` of the attempt
    ///   (discovery, listing, refusals such as [`ErrorDetail::NotPending`],
    ///   [`ErrorDetail::StaleComponent`], [`ErrorDetail::ComponentMoved`]),
    ///   and for the failures after it whose `LFA_CANCEL` returned
    ///   [`CancelOutcome::Cancelled`] or [`CancelOutcome::NothingToCancel`];
    /// - `false` when that `LFA_CANCEL` failed ([`CancelOutcome::Failed`]),
    ///   or when the failing call was an `LFA_CANCEL` itself
    ///   ([`ErrorDetail::Firmware`] with [`FunctionId::Cancel`], as from
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
                self.0,
                Repr::Firmware {
                    call: Call::CANCEL,
                    ..
                }
            ),
        }
    }

    /// Whether no retry can help without a reset, other firmware or other
    /// configuration:
    ///
    /// - [`ErrorDetail::NoAgent`], [`ErrorDetail::UnsupportedVersion`],
    ///   [`ErrorDetail::SmcccVersion`], [`ErrorDetail::MissingFunction`]:
    ///   this agent cannot be used by this client;
    /// - any error whose status is `CRITICAL_ERROR` (the old image is gone:
    ///   only a reset helps);
    /// - [`ErrorDetail::RendezvousDisagreement`]: the CPUs came out of one
    ///   window with different results, so their state is unknown.
    ///
    /// Everything else concerns one attempt or one component.
    #[must_use]
    pub const fn is_fatal(&self) -> bool {
        if let Some(LfaError::CriticalError) = self.status() {
            return true;
        }
        matches!(
            self.0,
            Repr::NoAgent { .. }
                | Repr::UnsupportedVersion { .. }
                | Repr::SmcccVersion { .. }
                | Repr::MissingFunction { .. }
                | Repr::RendezvousDisagreement { .. }
        )
    }

    /// Whether the same request may succeed if made again later, unchanged:
    ///
    /// - a `BUSY` status (the agent is in the middle of something);
    /// - [`ErrorDetail::Timeout`] (the agent still asked to call again when
    ///   the bound ran out: it may finish later; raise the bound or retry);
    /// - [`ErrorDetail::RendezvousFailed`] (the hook could not gather every
    ///   CPU this time);
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
        matches!(self.0, Repr::Timeout { .. } | Repr::RendezvousFailed { .. })
    }

    /// Whether the component values in hand are out of date and the
    /// inventory must be listed again before a retry:
    /// [`ErrorDetail::StaleComponent`], [`ErrorDetail::ComponentMoved`],
    /// [`ErrorDetail::ComponentGone`], [`ErrorDetail::StaleOperation`].
    #[must_use]
    pub const fn needs_listing(&self) -> bool {
        matches!(
            self.0,
            Repr::StaleComponent { .. }
                | Repr::ComponentMoved { .. }
                | Repr::ComponentGone { .. }
                | Repr::StaleOperation
        )
    }

    /// [`ErrorDetail::RendezvousDisagreement`] (cancel to be filled in) from
    /// the two CPU outcomes as they are packed: no unpacking of statuses.
    pub(crate) const fn rendezvous_disagreement(
        component: ComponentRef,
        first: &CpuOutcome,
        other: &CpuOutcome,
    ) -> Self {
        const fn tag(outcome: &CpuOutcome) -> (ResultTag, PackedStatus) {
            match outcome.packed_status() {
                Some(status) => (ResultTag::Failed, status),
                None => (
                    match outcome.kind() {
                        0 => ResultTag::Done,
                        1 => ResultTag::Reset,
                        _ => ResultTag::OutOfRounds,
                    },
                    PackedStatus::NONE,
                ),
            }
        }
        let (first, first_status) = tag(first);
        let (other, other_status) = tag(other);
        Self(Repr::RendezvousDisagreement {
            component,
            first,
            first_status,
            other,
            other_status,
            cancel: CancelTag::Nothing,
            cancel_status: PackedStatus::NONE,
        })
    }

    /// The error a finished or superseded operation gives
    /// ([`ErrorDetail::StaleOperation`]).
    pub(crate) const STALE_OPERATION: Self = Self::stale_operation();

    /// [`Error::STALE_OPERATION`], built where it is stored: its tag byte
    /// alone is written (a copy of the constant writes all 48 bytes).
    #[inline(always)]
    pub(crate) const fn stale_operation() -> Self {
        Self(Repr::StaleOperation)
    }

    /// Whether `activate_all_pending` may skip the component that failed
    /// with this error and go on: the failure concerns that component alone
    /// and the agent holds nothing of it any more.
    pub(crate) const fn skippable(&self) -> bool {
        let cancelled = match self.cancel() {
            Some(cancel) => !matches!(cancel, CancelOutcome::Failed(_)),
            None => false,
        };
        match self.0 {
            Repr::NotCapable { .. } | Repr::NotPending { .. } => true,
            Repr::PrimeFailed { .. }
            | Repr::Timeout { .. }
            | Repr::RendezvousRequired { .. }
            | Repr::CpuResetWithoutEntryPoint { .. } => cancelled,
            Repr::ActivateFailed { status, .. } => {
                !matches!(status.get(), LfaError::CriticalError) && cancelled
            }
            _ => false,
        }
    }

    /// Whether this is `LFA_GET_INVENTORY` answering `INVALID_PARAMETERS`:
    /// the sequence id is out of range.
    pub(crate) const fn is_id_out_of_range(&self) -> bool {
        matches!(
            self.0,
            Repr::InventoryFailed { status, .. }
                if matches!(status.get(), LfaError::InvalidParameters)
        )
    }

    /// Whether this is [`ErrorDetail::ComponentGone`].
    pub(crate) const fn is_component_gone(&self) -> bool {
        matches!(self.0, Repr::ComponentGone { .. })
    }

    /// Records `outcome` as the `LFA_CANCEL` that followed, in place, for
    /// the variants that report one.
    pub(crate) const fn set_cancel(&mut self, outcome: CancelOutcome) {
        if let Some((tag, status)) = self.cancel_slot() {
            (*tag, *status) = pack_cancel(outcome);
        }
    }
}

impl From<ErrorDetail> for Error {
    #[inline]
    fn from(detail: ErrorDetail) -> Self {
        Self::new(detail)
    }
}

impl From<Error> for ErrorDetail {
    fn from(error: Error) -> Self {
        error.detail()
    }
}

// The messages are templates whose holes `{x}` are filled from the packed
// value (see `Error::template`): one formatter for every variant, and no
// `ErrorDetail` to unpack, so that an image which prints its errors stays
// small. Every piece is written with `write_str`, lfa-proto's number writer
// or a `Display` of this workspace that does the same, so the text never
// depends on the flags or width the `Error` is formatted with.
impl core::fmt::Display for Error {
    // Out of line, so that `&Error`'s `Display` calls it rather than a copy.
    #[inline(never)]
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        lfa_proto::text::write(f, self.template(), self)
    }
}

/// The templates of [`Error::template`], in the order of [`Repr`]'s
/// variants, then `NoAgent`'s when x0 came back unchanged.
static TEMPLATES: [&str; 23] = [
    // NoAgent
    "no LFA agent: LFA_VERSION returned {h} (NOT_SUPPORTED)",
    // UnsupportedVersion
    "the agent implements LFA {v}; this client speaks LFA 1.x only",
    // SmcccVersion
    "the SMCCC version check failed: {v}",
    // MissingFunction
    "the agent does not implement {v} (LFA_FEATURES returned NOT_SUPPORTED)",
    // Firmware
    "{k}{o} failed: {s}",
    // InventoryFailed
    "LFA_GET_INVENTORY of sequence id #{n} failed: {s}",
    // Malformed
    "{k}{o} returned a malformed response: {v}",
    // AbsurdCount
    "LFA_GET_INFO reported {n} components, more than the limit of {m}",
    // StaleComponent
    "{c} was read before an activation or by another client \
     (generation {n}, now {m}); list the inventory again",
    // ComponentGone
    "no component with UUID {u}",
    // ComponentMoved
    "{c} has moved: its sequence id now holds {f}; list the inventory again",
    // NotCapable
    "{c} is not activation capable",
    // NotPending
    "{c} has no pending activation",
    // PrimeFailed
    "LFA_PRIME of {c} failed in round {n}: {s}; {x}",
    // ActivateFailed
    "LFA_ACTIVATE of {c} failed in round {n}: {s}; {x}",
    // Timeout
    "{k} of {c} still asked to call again after {n} rounds ({t} ms); {x}",
    // RendezvousRequired
    "{c} must be activated through a rendezvous of every CPU \
     (the component requires it); {x}",
    // CpuResetWithoutEntryPoint
    "{c} may reset CPUs during activation, and no entry point and \
     context id were given; {x}",
    // RendezvousFailed
    "the rendezvous for {c} failed: {v}; {x}",
    // RendezvousDisagreement
    "the CPUs of the rendezvous for {c} disagree: one CPU {1} but another {2}; {x}",
    // StaleOperation
    "the operation is finished or was superseded on its client; nothing was sent",
    // PendingNeverClears
    "the agent still reports pending components after {n} activations",
    // NoAgent, x0 unchanged
    "no LFA agent: LFA_VERSION returned {h} (x0 came back unchanged)",
];

impl Error {
    /// The template of the message, from [`TEMPLATES`] (a table rather than
    /// a `match` of texts, so that it is one load). Its holes: `{c}` the
    /// component, `{o}` " for " and the component if there is one, `{k}`
    /// the call, `{s}` the status, `{x}` the cancel outcome, `{n}` and `{m}`
    /// the variant's numbers, `{v}` the value the variant carries (version,
    /// error, function, reason), `{h}` x0 in hex, `{u}` a gone UUID and the
    /// rest of its sentence (see [`Show::Gone`]), `{f}` what a moved
    /// component's id holds, `{t}` the elapsed milliseconds, `{1}` and `{2}`
    /// what the two CPUs of a disagreement saw.
    fn template(&self) -> &'static str {
        // The variant's position (the discriminant).
        let variant = match self.0 {
            Repr::NoAgent { .. } => 0,
            Repr::UnsupportedVersion { .. } => 1,
            Repr::SmcccVersion { .. } => 2,
            Repr::MissingFunction { .. } => 3,
            Repr::Firmware { .. } => 4,
            Repr::InventoryFailed { .. } => 5,
            Repr::Malformed { .. } => 6,
            Repr::AbsurdCount { .. } => 7,
            Repr::StaleComponent { .. } => 8,
            Repr::ComponentGone { .. } => 9,
            Repr::ComponentMoved { .. } => 10,
            Repr::NotCapable { .. } => 11,
            Repr::NotPending { .. } => 12,
            Repr::PrimeFailed { .. } => 13,
            Repr::ActivateFailed { .. } => 14,
            Repr::Timeout { .. } => 15,
            Repr::RendezvousRequired { .. } => 16,
            Repr::CpuResetWithoutEntryPoint { .. } => 17,
            Repr::RendezvousFailed { .. } => 18,
            Repr::RendezvousDisagreement { .. } => 19,
            Repr::StaleOperation => 20,
            Repr::PendingNeverClears { .. } => 21,
        };
        let index = match self.0 {
            Repr::NoAgent { x0 } if x0.bits() == FunctionId::Version.to_x0() => TEMPLATES.len() - 1,
            _ => variant,
        };
        TEMPLATES.get(index).copied().unwrap_or_default()
    }

    /// The component, as [`component`](Self::component) but by reference.
    pub(crate) const fn component_ref(&self) -> Option<&ComponentRef> {
        match &self.0 {
            Repr::Firmware {
                has_component: false,
                ..
            }
            | Repr::Malformed {
                has_component: false,
                ..
            } => None,
            Repr::Firmware { component, .. } | Repr::Malformed { component, .. } => Some(component),
            Repr::StaleComponent { component, .. }
            | Repr::ComponentMoved { component, .. }
            | Repr::NotCapable { component }
            | Repr::NotPending { component }
            | Repr::PrimeFailed { component, .. }
            | Repr::ActivateFailed { component, .. }
            | Repr::Timeout { component, .. }
            | Repr::RendezvousRequired { component, .. }
            | Repr::CpuResetWithoutEntryPoint { component, .. }
            | Repr::RendezvousFailed { component, .. }
            | Repr::RendezvousDisagreement { component, .. } => Some(component),
            _ => None,
        }
    }

    /// The numbers of the holes `{n}` and `{m}`.
    #[inline(never)]
    const fn numbers(&self) -> (u32, u32) {
        match self.0 {
            Repr::InventoryFailed { seq_id, .. } => (seq_id.0, 0),
            Repr::AbsurdCount { count, max } => (count, max),
            Repr::StaleComponent {
                generation,
                current,
                ..
            } => (generation, current),
            Repr::PrimeFailed { rounds, .. }
            | Repr::ActivateFailed { rounds, .. }
            | Repr::Timeout { rounds, .. } => (rounds, 0),
            Repr::PendingNeverClears { activations } => (activations, 0),
            _ => (0, 0),
        }
    }
}

// The holes of the templates of `Error::template`: each arm ends in one
// call (a number, a text, or a value's `Display`), so that no arm needs a
// frame of its own.
impl lfa_proto::text::Holes for Error {
    fn write_hole(&self, f: &mut core::fmt::Formatter<'_>, hole: u8) -> core::fmt::Result {
        use core::fmt::Display;
        use lfa_proto::text;
        match hole {
            b'c' | b'o' => match self.component_ref() {
                Some(_) if hole == b'o' => text::write(f, " for {c}", self),
                Some(component) => component.fmt(f),
                None => Ok(()),
            },
            b'k' => match self.0 {
                Repr::Firmware { call, .. }
                | Repr::Malformed { call, .. }
                | Repr::Timeout { call, .. } => f.write_str(call.get().name()),
                _ => Ok(()),
            },
            b's' => match self.packed_status() {
                Some(status) => write_status(f, status),
                None => Ok(()),
            },
            b'x' => {
                let mut copy = *self;
                match copy.cancel_slot() {
                    Some((tag, status)) => write_with_status(f, cancel_text(*tag), *status),
                    None => Ok(()),
                }
            }
            b'n' | b'm' => {
                let (n, m) = self.numbers();
                text::write_decimal(f, u64::from(if hole == b'n' { n } else { m }))
            }
            // The variant's own values.
            hole => match (hole, &self.0) {
                (b'h', Repr::NoAgent { x0 }) => text::write_hex(f, x0.bits()),
                (b'v', Repr::UnsupportedVersion { version }) => version.fmt(f),
                (b'v', Repr::SmcccVersion { error }) => error.fmt(f),
                (b'v', Repr::MissingFunction { function }) => f.write_str(function.get().name()),
                (b'v', Repr::Malformed { error, .. }) => error.fmt(f),
                (b'v', Repr::RendezvousFailed { reason, .. }) => f.write_str(reason),
                (b'u', Repr::ComponentGone { uuid, .. }) => write_uuid(f, uuid, 0, Show::Gone),
                (b'f', Repr::ComponentMoved { found, .. }) => {
                    write_uuid(f, found, 0, Show::FoundAt)
                }
                (b't', Repr::Timeout { secs, nanos, .. }) => write_millis(f, secs.bits(), *nanos),
                (
                    b'1',
                    Repr::RendezvousDisagreement {
                        first,
                        first_status,
                        ..
                    },
                ) => write_with_status(f, saw_text(*first), *first_status),
                (
                    b'2',
                    Repr::RendezvousDisagreement {
                        other,
                        other_status,
                        ..
                    },
                ) => write_with_status(f, saw_text(*other), *other_status),
                _ => Ok(()),
            },
        }
    }
}

/// The elapsed milliseconds of `secs` and `nanos`, as `Duration::as_millis`
/// writes them but without 128-bit formatting: the seconds, then the three
/// digits of the milliseconds.
#[inline(never)]
fn write_millis(f: &mut core::fmt::Formatter<'_>, secs: u64, nanos: u32) -> core::fmt::Result {
    use lfa_proto::text;
    let digits = if secs == 0 {
        1
    } else {
        text::write_decimal(f, secs)?;
        3
    };
    text::write_number(f, "", u64::from(nanos / 1_000_000), false, digits)
}

/// How a message shows a UUID: the index of its template in
/// [`Known::texts`].
#[derive(Clone, Copy)]
enum Show {
    /// A [`ComponentRef`]: the well-known name (or "component"), the UUID
    /// and the sequence id.
    Component,
    /// The UUID (as `uuid`'s `Display` writes it: hyphenated, lowercase),
    /// then " in the inventory", then " (<name>)" if it has one.
    Gone,
    /// What a moved component's sequence id now holds.
    FoundAt,
}

/// A UUID the messages know, with its name and the templates of each
/// [`Show`]: `{u}` the UUID, `{a}` the name, `{n}` the sequence id.
struct Known {
    uuid: &'static [u8],
    name: &'static str,
    texts: [&'static str; 3],
}

/// The templates of a well-known component.
const NAMED_TEXTS: [&str; 3] = [
    "{a} {u} (#{n})",
    "{u} in the inventory ({a})",
    "component {u} ({a})",
];

/// The well-known components (with their names), then the nil UUID.
static NAMED: [Known; 4] = {
    use lfa_proto::components::{BL33, TF_RMM, TFA_BL31};
    const fn named(component: &'static lfa_proto::components::KnownComponent) -> Known {
        Known {
            uuid: component.uuid.as_bytes(),
            name: component.name,
            texts: NAMED_TEXTS,
        }
    }
    [
        named(&TFA_BL31),
        named(&BL33),
        named(&TF_RMM),
        Known {
            uuid: Uuid::nil().as_bytes(),
            name: "",
            texts: [
                "component {u} (#{n})",
                "{u} in the inventory",
                "nothing (out of range)",
            ],
        },
    ]
};

/// Any other UUID.
static UNNAMED: Known = Known {
    uuid: &[],
    name: "",
    texts: [
        "component {u} (#{n})",
        "{u} in the inventory",
        "component {u}",
    ],
};

/// Which of [`NAMED`] `uuid` is, or [`UNNAMED`]. The table is read through
/// `black_box` as a slice of unknown length, so that the search is one loop
/// rather than one unrolled comparison per entry (smaller code; the result
/// is the same).
fn lookup(uuid: &Uuid) -> &'static Known {
    let bytes = uuid.as_bytes();
    core::hint::black_box::<&[Known]>(&NAMED)
        .iter()
        .find(|known| known.uuid.iter().zip(bytes).all(|(a, b)| a == b))
        .unwrap_or(&UNNAMED)
}

/// Writes `uuid` (of sequence id `seq`) as `show` says.
#[inline(never)]
fn write_uuid(
    f: &mut core::fmt::Formatter<'_>,
    uuid: &Uuid,
    seq: u32,
    show: Show,
) -> core::fmt::Result {
    let known = lookup(uuid);
    let text = known.texts.get(show as usize).copied().unwrap_or_default();
    lfa_proto::text::write(
        f,
        text,
        &UuidHoles {
            bytes: uuid.as_bytes(),
            name: known.name,
            seq,
        },
    )
}

/// The holes of [`Known::texts`].
struct UuidHoles<'a> {
    bytes: &'a [u8; 16],
    name: &'static str,
    seq: u32,
}

impl lfa_proto::text::Holes for UuidHoles<'_> {
    fn write_hole(&self, f: &mut core::fmt::Formatter<'_>, hole: u8) -> core::fmt::Result {
        match hole {
            b'a' => f.write_str(self.name),
            b'n' => lfa_proto::text::write_decimal(f, u64::from(self.seq)),
            _ => write_hex_uuid(f, self.bytes),
        }
    }
}

/// Writes `bytes` as `uuid`'s `Display` writes a UUID (hyphenated,
/// lowercase): one character per byte of the pattern, a digit for each `x`.
#[inline(never)]
fn write_hex_uuid(f: &mut core::fmt::Formatter<'_>, bytes: &[u8; 16]) -> core::fmt::Result {
    use core::fmt::Write;
    let mut nibble = 0;
    for c in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".bytes() {
        let mut ascii = c;
        if c == b'x' {
            let byte = bytes.get(nibble / 2).copied().unwrap_or_default();
            let digit = if nibble % 2 == 0 {
                byte >> 4
            } else {
                byte & 0xf
            };
            nibble += 1;
            ascii = if digit < 10 {
                b'0' + digit
            } else {
                b'a' - 10 + digit
            };
        }
        f.write_char(char::from(ascii))?;
    }
    Ok(())
}

/// The text of a cancel outcome; `{s}` is its status.
const fn cancel_text(tag: CancelTag) -> &'static str {
    match tag {
        CancelTag::Cancelled => "LFA_CANCEL succeeded",
        CancelTag::Nothing => "the agent had already abandoned it (LFA_CANCEL: nothing to cancel)",
        CancelTag::Failed => "LFA_CANCEL failed too: {s}",
    }
}

/// What one CPU of a rendezvous saw; `{s}` is its status.
const fn saw_text(tag: ResultTag) -> &'static str {
    match tag {
        ResultTag::Done => "finished",
        ResultTag::Reset => "was reset",
        ResultTag::Failed => "got {s}",
        ResultTag::OutOfRounds => "still had CALL_AGAIN after its rounds",
    }
}

/// The one hole `{s}` of [`cancel_text`] and [`saw_text`]: the status.
struct StatusHole(PackedStatus);

impl lfa_proto::text::Holes for StatusHole {
    fn write_hole(&self, f: &mut core::fmt::Formatter<'_>, _: u8) -> core::fmt::Result {
        write_status(f, self.0)
    }
}

/// Writes `status` (its `Display`).
#[inline(never)]
fn write_status(f: &mut core::fmt::Formatter<'_>, status: PackedStatus) -> core::fmt::Result {
    core::fmt::Display::fmt(&status.get(), f)
}

/// Writes `text`, its hole `{s}` (if any) being `status`.
#[inline(never)]
fn write_with_status(
    f: &mut core::fmt::Formatter<'_>,
    text: &str,
    status: PackedStatus,
) -> core::fmt::Result {
    lfa_proto::text::write(f, text, &StatusHole(status))
}

impl core::fmt::Debug for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.detail(), f)
    }
}

impl core::error::Error for Error {}

impl PartialEq<ErrorDetail> for Error {
    fn eq(&self, other: &ErrorDetail) -> bool {
        self.detail() == *other
    }
}

impl PartialEq<Error> for ErrorDetail {
    fn eq(&self, other: &Error) -> bool {
        *self == other.detail()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Statuses at the edges of what packing must keep: every defined code,
    /// unknown codes of both signs and full width, and the x0-unchanged value.
    fn statuses() -> Vec<LfaError> {
        let mut all: Vec<LfaError> = LfaError::DEFINED.to_vec();
        for code in [i64::MIN, -12, -0x8000_0000, 1, 0xC400_02E2, i64::MAX] {
            all.push(LfaError::Unknown(code));
        }
        all
    }

    fn cancels() -> Vec<CancelOutcome> {
        let mut all = std::vec![CancelOutcome::Cancelled, CancelOutcome::NothingToCancel];
        all.extend(statuses().into_iter().map(CancelOutcome::Failed));
        all
    }

    fn components() -> [ComponentRef; 2] {
        [
            ComponentRef {
                uuid: Uuid::from_u128(u128::MAX),
                seq_id: SeqId(u32::MAX),
            },
            ComponentRef {
                uuid: Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210),
                seq_id: SeqId(0),
            },
        ]
    }

    /// Every variant, with every status, cancel outcome and extreme count
    /// that its fields can hold.
    fn details() -> Vec<ErrorDetail> {
        use ErrorDetail as D;
        let mut all = Vec::new();
        for x0 in [0, u64::MAX, FunctionId::Version.to_x0()] {
            all.push(D::NoAgent { x0 });
        }
        all.push(D::UnsupportedVersion {
            version: LfaVersion::new(2, 7),
        });
        all.push(D::SmcccVersion {
            error: lfa_smccc::SmcccError::NotAdvertised { status: i32::MIN },
        });
        for function in FunctionId::ALL {
            all.push(D::MissingFunction { function });
        }
        all.push(D::InventoryFailed {
            seq_id: SeqId(u32::MAX),
            status: LfaError::Unknown(i64::MIN),
        });
        all.push(D::AbsurdCount {
            count: u32::MAX,
            max: 0,
        });
        all.push(D::ComponentGone {
            uuid: Uuid::from_u128(5),
        });
        all.push(D::StaleOperation);
        all.push(D::PendingNeverClears {
            activations: u32::MAX,
        });
        for component in components() {
            for call in FunctionId::ALL {
                for c in [None, Some(component)] {
                    for status in statuses() {
                        all.push(D::Firmware {
                            call,
                            component: c,
                            status,
                        });
                    }
                    all.push(D::Malformed {
                        call,
                        component: c,
                        error: DecodeError::ReservedBits {
                            function: call,
                            reg: 17,
                            bits: u64::MAX,
                        },
                    });
                }
            }
            all.push(D::StaleComponent {
                component,
                generation: 0,
                current: u32::MAX,
            });
            all.push(D::ComponentMoved {
                component,
                found: Uuid::from_u128(9),
            });
            all.push(D::NotCapable { component });
            all.push(D::NotPending { component });
            for cancel in cancels() {
                for status in statuses() {
                    for rounds in [0, u32::MAX] {
                        all.push(D::PrimeFailed {
                            component,
                            status,
                            rounds,
                            cancel,
                        });
                        all.push(D::ActivateFailed {
                            component,
                            status,
                            rounds,
                            cancel,
                        });
                    }
                }
                for elapsed in [Duration::ZERO, Duration::from_nanos(1), Duration::MAX] {
                    all.push(D::Timeout {
                        call: FunctionId::Activate,
                        component,
                        rounds: u32::MAX,
                        elapsed,
                        cancel,
                    });
                }
                all.push(D::RendezvousRequired { component, cancel });
                all.push(D::CpuResetWithoutEntryPoint { component, cancel });
                all.push(D::RendezvousFailed {
                    component,
                    reason: "offline",
                    cancel,
                });
                let results = [
                    CpuResult::Done,
                    CpuResult::Reset,
                    CpuResult::OutOfRounds,
                    CpuResult::Failed(LfaError::Unknown(i64::MIN)),
                    CpuResult::Failed(LfaError::Busy),
                ];
                for first in results {
                    for other in results {
                        all.push(D::RendezvousDisagreement {
                            component,
                            first,
                            other,
                            cancel,
                        });
                    }
                }
            }
        }
        all
    }

    #[test]
    fn a_status_is_kept_as_its_code() {
        // `Unknown` holding a defined code (which decoding never produces)
        // reads back as the named status, in the detail, the accessors and
        // the predicates alike.
        let component = components()[0];
        for (i, named) in LfaError::DEFINED.into_iter().enumerate() {
            let code = -1 - i64::try_from(i).unwrap_or(0);
            let error = Error::new(ErrorDetail::PrimeFailed {
                component,
                status: LfaError::Unknown(code),
                rounds: 1,
                cancel: CancelOutcome::Failed(LfaError::Unknown(code)),
            });
            assert_eq!(error.status(), Some(named));
            assert_eq!(error.cancel(), Some(CancelOutcome::Failed(named)));
            assert_eq!(
                error.detail(),
                ErrorDetail::PrimeFailed {
                    component,
                    status: named,
                    rounds: 1,
                    cancel: CancelOutcome::Failed(named),
                }
            );
        }
    }

    #[test]
    fn packing_loses_nothing() {
        let all = details();
        assert!(all.len() > 2_000, "{} cases", all.len());
        for detail in &all {
            let error = Error::new(*detail);
            assert_eq!(error.detail(), *detail);
            assert_eq!(error, *detail);
        }
    }

    #[test]
    fn packed_equality_is_the_details_equality() {
        let all = details();
        // Neighbours differ in one field: equal packed values would mean a
        // field is not kept, or a meaningless field is not canonical.
        for pair in all.windows(2) {
            if let [a, b] = pair {
                assert_eq!(Error::new(*a) == Error::new(*b), a == b, "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn accessors_read_the_packed_value_as_the_detail_says() {
        for detail in details() {
            let error = Error::new(detail);
            let component = match detail {
                ErrorDetail::Firmware { component, .. }
                | ErrorDetail::Malformed { component, .. } => component,
                ErrorDetail::PrimeFailed { component, .. }
                | ErrorDetail::ActivateFailed { component, .. }
                | ErrorDetail::Timeout { component, .. }
                | ErrorDetail::StaleComponent { component, .. }
                | ErrorDetail::ComponentMoved { component, .. }
                | ErrorDetail::NotCapable { component }
                | ErrorDetail::NotPending { component }
                | ErrorDetail::RendezvousRequired { component, .. }
                | ErrorDetail::CpuResetWithoutEntryPoint { component, .. }
                | ErrorDetail::RendezvousFailed { component, .. }
                | ErrorDetail::RendezvousDisagreement { component, .. } => Some(component),
                _ => None,
            };
            assert_eq!(error.component(), component, "{detail:?}");
            let status = match detail {
                ErrorDetail::Firmware { status, .. }
                | ErrorDetail::InventoryFailed { status, .. }
                | ErrorDetail::PrimeFailed { status, .. }
                | ErrorDetail::ActivateFailed { status, .. } => Some(status),
                _ => None,
            };
            assert_eq!(error.status(), status, "{detail:?}");
            if let ErrorDetail::Firmware { call, .. }
            | ErrorDetail::Malformed { call, .. }
            | ErrorDetail::Timeout { call, .. } = detail
            {
                assert_eq!(error.call(), Some(call), "{detail:?}");
            }
        }
    }

    #[test]
    fn set_cancel_replaces_only_the_cancel() {
        let component = components()[0];
        for cancel in cancels() {
            let before = Error::new(ErrorDetail::Timeout {
                call: FunctionId::Prime,
                component,
                rounds: 7,
                elapsed: Duration::from_millis(3),
                cancel: CancelOutcome::NothingToCancel,
            });
            let mut after = before;
            after.set_cancel(cancel);
            assert_eq!(
                after.detail(),
                ErrorDetail::Timeout {
                    call: FunctionId::Prime,
                    component,
                    rounds: 7,
                    elapsed: Duration::from_millis(3),
                    cancel,
                }
            );
        }
        let no_cancel = Error::new(ErrorDetail::NotPending { component });
        let mut after = no_cancel;
        after.set_cancel(CancelOutcome::Cancelled);
        assert_eq!(after, no_cancel);
    }

    /// One message per variant (and per branch of one), exactly: the
    /// templates and their holes give the same text as the format strings
    /// they replace.
    #[test]
    fn every_message_reads_as_before() {
        use ErrorDetail as D;
        use lfa_proto::components::TF_RMM;
        let rmm = ComponentRef {
            uuid: TF_RMM.uuid,
            seq_id: SeqId(2),
        };
        let other = ComponentRef {
            uuid: Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210),
            seq_id: SeqId(7),
        };
        let cases = [
            (
                D::NoAgent { x0: u64::MAX },
                "no LFA agent: LFA_VERSION returned 0xffffffffffffffff (NOT_SUPPORTED)",
            ),
            (
                D::NoAgent {
                    x0: FunctionId::Version.to_x0(),
                },
                "no LFA agent: LFA_VERSION returned 0xc40002e0 (x0 came back unchanged)",
            ),
            (
                D::UnsupportedVersion {
                    version: LfaVersion::new(2, 1),
                },
                "the agent implements LFA 2.1; this client speaks LFA 1.x only",
            ),
            (
                D::SmcccVersion {
                    error: lfa_smccc::SmcccError::NotAdvertised { status: -1 },
                },
                "the SMCCC version check failed: PSCI_FEATURES(SMCCC_VERSION) returned -1: firmware implements SMCCC 1.0 only",
            ),
            (
                D::MissingFunction {
                    function: FunctionId::Prime,
                },
                "the agent does not implement LFA_PRIME (LFA_FEATURES returned NOT_SUPPORTED)",
            ),
            (
                D::Firmware {
                    call: FunctionId::GetInfo,
                    component: None,
                    status: LfaError::Unknown(-35),
                },
                "LFA_GET_INFO failed: unknown status -35 (0xffffffffffffffdd)",
            ),
            (
                D::Firmware {
                    call: FunctionId::Cancel,
                    component: Some(rmm),
                    status: LfaError::Busy,
                },
                "LFA_CANCEL for TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) failed: BUSY (-2): the agent is busy with another prime, cancel or activation",
            ),
            (
                D::InventoryFailed {
                    seq_id: SeqId(9),
                    status: LfaError::InvalidParameters,
                },
                "LFA_GET_INVENTORY of sequence id #9 failed: INVALID_PARAMETERS (-8): an argument is out of range or names the wrong component",
            ),
            (
                D::Malformed {
                    call: FunctionId::GetInventory,
                    component: Some(other),
                    error: DecodeError::ReservedBits {
                        function: FunctionId::GetInventory,
                        reg: 3,
                        bits: 0xf0,
                    },
                },
                "LFA_GET_INVENTORY for component 01234567-89ab-cdef-fedc-ba9876543210 (#7) returned a malformed response: LFA_GET_INVENTORY: reserved bits 0xf0 set in x3",
            ),
            (
                D::AbsurdCount {
                    count: 5000,
                    max: 64,
                },
                "LFA_GET_INFO reported 5000 components, more than the limit of 64",
            ),
            (
                D::StaleComponent {
                    component: rmm,
                    generation: 1,
                    current: 2,
                },
                "TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) was read before an activation or by another client (generation 1, now 2); list the inventory again",
            ),
            (
                D::ComponentGone { uuid: TF_RMM.uuid },
                "no component with UUID 6c0762a6-12f2-4b56-92cb-ba8f633606d9 in the inventory (TF-RMM)",
            ),
            (
                D::ComponentGone { uuid: other.uuid },
                "no component with UUID 01234567-89ab-cdef-fedc-ba9876543210 in the inventory",
            ),
            (
                D::ComponentMoved {
                    component: other,
                    found: TF_RMM.uuid,
                },
                "component 01234567-89ab-cdef-fedc-ba9876543210 (#7) has moved: its sequence id now holds component 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (TF-RMM); list the inventory again",
            ),
            (
                D::ComponentMoved {
                    component: rmm,
                    found: Uuid::nil(),
                },
                "TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) has moved: its sequence id now holds nothing (out of range); list the inventory again",
            ),
            (
                D::NotCapable { component: other },
                "component 01234567-89ab-cdef-fedc-ba9876543210 (#7) is not activation capable",
            ),
            (
                D::NotPending { component: rmm },
                "TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) has no pending activation",
            ),
            (
                D::PrimeFailed {
                    component: rmm,
                    status: LfaError::AuthError,
                    rounds: 1,
                    cancel: CancelOutcome::Cancelled,
                },
                "LFA_PRIME of TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) failed in round 1: AUTH_ERROR (-3): the staged image failed authentication; LFA_CANCEL succeeded",
            ),
            (
                D::ActivateFailed {
                    component: other,
                    status: LfaError::CriticalError,
                    rounds: 3,
                    cancel: CancelOutcome::Failed(LfaError::Busy),
                },
                "LFA_ACTIVATE of component 01234567-89ab-cdef-fedc-ba9876543210 (#7) failed in round 3: CRITICAL_ERROR (-5): activation failed after the old image was gone; only a reset recovers; LFA_CANCEL failed too: BUSY (-2): the agent is busy with another prime, cancel or activation",
            ),
            (
                D::Timeout {
                    call: FunctionId::Prime,
                    component: rmm,
                    rounds: 100,
                    elapsed: Duration::from_millis(12_034),
                    cancel: CancelOutcome::NothingToCancel,
                },
                "LFA_PRIME of TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) still asked to call again after 100 rounds (12034 ms); the agent had already abandoned it (LFA_CANCEL: nothing to cancel)",
            ),
            (
                D::Timeout {
                    call: FunctionId::Activate,
                    component: rmm,
                    rounds: 4,
                    elapsed: Duration::from_micros(999),
                    cancel: CancelOutcome::Cancelled,
                },
                "LFA_ACTIVATE of TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) still asked to call again after 4 rounds (0 ms); LFA_CANCEL succeeded",
            ),
            (
                D::RendezvousRequired {
                    component: rmm,
                    cancel: CancelOutcome::Cancelled,
                },
                "TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) must be activated through a rendezvous of every CPU (the component requires it); LFA_CANCEL succeeded",
            ),
            (
                D::CpuResetWithoutEntryPoint {
                    component: other,
                    cancel: CancelOutcome::Cancelled,
                },
                "component 01234567-89ab-cdef-fedc-ba9876543210 (#7) may reset CPUs during activation, and no entry point and context id were given; LFA_CANCEL succeeded",
            ),
            (
                D::RendezvousFailed {
                    component: rmm,
                    reason: "CPU 3 is offline",
                    cancel: CancelOutcome::Cancelled,
                },
                "the rendezvous for TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) failed: CPU 3 is offline; LFA_CANCEL succeeded",
            ),
            (
                D::RendezvousDisagreement {
                    component: rmm,
                    first: CpuResult::Done,
                    other: CpuResult::Failed(LfaError::ActivationFailed),
                    cancel: CancelOutcome::Cancelled,
                },
                "the CPUs of the rendezvous for TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#2) disagree: one CPU finished but another got ACTIVATION_FAILED (-11): the activation failed or was cancelled; LFA_CANCEL succeeded",
            ),
            (
                D::RendezvousDisagreement {
                    component: other,
                    first: CpuResult::Reset,
                    other: CpuResult::OutOfRounds,
                    cancel: CancelOutcome::Cancelled,
                },
                "the CPUs of the rendezvous for component 01234567-89ab-cdef-fedc-ba9876543210 (#7) disagree: one CPU was reset but another still had CALL_AGAIN after its rounds; LFA_CANCEL succeeded",
            ),
            (
                D::StaleOperation,
                "the operation is finished or was superseded on its client; nothing was sent",
            ),
            (
                D::PendingNeverClears { activations: 16 },
                "the agent still reports pending components after 16 activations",
            ),
        ];
        for (detail, message) in cases {
            assert_eq!(
                std::format!("{}", Error::new(detail)),
                message,
                "{detail:?}"
            );
            assert_eq!(std::format!("{detail}"), message, "{detail:?}");
        }
    }

    /// A UUID named only when all sixteen bytes are a known one's: UUIDs
    /// sharing a known one's first bytes (or the nil UUID's) but differing
    /// later are not named.
    #[test]
    fn only_exact_uuids_are_named() {
        use lfa_proto::components::KNOWN_COMPONENTS;
        use std::string::ToString;
        for known in KNOWN_COMPONENTS {
            let exact = ComponentRef {
                uuid: known.uuid,
                seq_id: SeqId(1),
            };
            assert_eq!(
                exact.to_string(),
                std::format!("{} {} (#1)", known.name, known.uuid)
            );
            for at in [1, 8, 15] {
                let mut bytes = *known.uuid.as_bytes();
                if let Some(byte) = bytes.get_mut(at) {
                    *byte ^= 1;
                }
                let near = Uuid::from_bytes(bytes);
                let component = ComponentRef {
                    uuid: near,
                    seq_id: SeqId(1),
                };
                assert_eq!(component.to_string(), std::format!("component {near} (#1)"));
                let gone = Error::new(ErrorDetail::ComponentGone { uuid: near });
                assert_eq!(
                    gone.to_string(),
                    std::format!("no component with UUID {near} in the inventory")
                );
            }
        }
        let almost_nil = Uuid::from_u128(1);
        let moved = Error::new(ErrorDetail::ComponentMoved {
            component: ComponentRef {
                uuid: almost_nil,
                seq_id: SeqId(0),
            },
            found: almost_nil,
        });
        assert_eq!(
            moved.to_string(),
            "component 00000000-0000-0000-0000-000000000001 (#0) has moved: its sequence id now \
             holds component 00000000-0000-0000-0000-000000000001; list the inventory again"
        );
    }

    #[test]
    fn display_and_debug_are_the_details() {
        for detail in details() {
            let error = Error::new(detail);
            assert_eq!(std::format!("{error}"), std::format!("{detail}"));
            assert_eq!(std::format!("{error:?}"), std::format!("{detail:?}"));
        }
    }
}
