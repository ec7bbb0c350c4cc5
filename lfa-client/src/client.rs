// SPDX-License-Identifier: MIT OR Apache-2.0
//! The client: discovery, features, inventory.

use core::num::NonZeroU32;
use core::sync::atomic::{AtomicU32, Ordering};
use lfa_proto::{
    FeaturesRequest, FeaturesResponse, FunctionId, GetInfoRequest, GetInfoResponse,
    GetInventoryRequest, InventoryResponse, LfaError, LfaVersion, Regs, Request, Response,
    ResponseError, SeqId, Uuid, VersionRequest, VersionResponse,
};

use lfa_smccc::{Conduit, SmcccCheck};

use crate::{
    Component, ComponentRef, CpuReset, Error, ErrorDetail, NoClock, RetryPolicy, retry::Clock,
};

/// Stamps for client generations and operations, unique in the program (not
/// per client) until the 32-bit counter wraps; 0 is never issued.
static STAMPS: AtomicU32 = AtomicU32::new(1);

/// The next stamp (never 0).
pub(crate) fn next_stamp() -> NonZeroU32 {
    loop {
        if let Some(stamp) = NonZeroU32::new(STAMPS.fetch_add(1, Ordering::Relaxed)) {
            return stamp;
        }
    }
}

/// How a [`Client`] behaves. `Options::default()` is [`Options::DEFAULT`].
///
/// Built with the `with_*` methods from [`Options::DEFAULT`] (the struct is
/// `#[non_exhaustive]`: options may be added without breaking callers); the
/// fields are public to read.
///
/// **Time bounds need a clock.** The retry policies' `timeout` and `delay`
/// act only through the client's [`Clock`]. A client made by
/// [`Client::discover`] has [`NoClock`]: no time passes and no delay is
/// waited, so the CALL_AGAIN loops are bounded by `max_rounds` alone and
/// send their calls back to back (with the defaults, up to 3000
/// `LFA_PRIME` and 1000 `LFA_ACTIVATE` calls without a pause). A real
/// deployment should pass its clock with [`Client::with_clock`] (on AArch64,
/// `GenericTimerClock` reads the generic timer), so that the Linux-like
/// 30 s / 10 s bounds with 10 ms between tries apply. Inside a rendezvous
/// only `activate.max_rounds` applies, clock or not (see [`RetryPolicy`]).
///
/// ```
/// use lfa_client::{Options, RetryPolicy};
///
/// let options = Options::DEFAULT
///     .with_force_rendezvous(false)
///     .with_prime(RetryPolicy::rounds(50));
/// assert_eq!(options.activate, RetryPolicy::ACTIVATE);
/// assert_eq!(options.prime.max_rounds, 50);
/// assert_eq!(options.max_components, 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Options {
    /// Bound of the `LFA_PRIME` CALL_AGAIN loop (rounds only with
    /// [`NoClock`]).
    pub prime: RetryPolicy,
    /// Bound of the `LFA_ACTIVATE` CALL_AGAIN loop (rounds only with
    /// [`NoClock`]; per CPU in a rendezvous, where only `max_rounds` applies).
    pub activate: RetryPolicy,
    /// Activate through the rendezvous hook even when a component allows one
    /// CPU (Linux's default, `force_cpu_rendezvous = 1`), wherever the client
    /// chooses ([`Client::activate_all_pending`],
    /// [`Primed::activate`](crate::Primed::activate)).
    /// [`Primed::activate_alone`](crate::Primed::activate_alone) is the
    /// caller's explicit choice and ignores it.
    pub force_rendezvous: bool,
    /// Where CPUs resume if an activation resets them; needed to activate a
    /// component with may_reset_cpu. `None` (Linux's behaviour) refuses such
    /// components.
    pub cpu_reset: Option<CpuReset>,
    /// The largest component count from `LFA_GET_INFO` the client believes;
    /// a larger one is [`ErrorDetail::AbsurdCount`].
    pub max_components: u32,
    /// The most activations one
    /// [`activate_all_pending`](Client::activate_all_pending) performs before it
    /// decides the agent never clears pending ([`ErrorDetail::PendingNeverClears`]).
    pub max_activations: u32,
    /// How [`Client::discover_with`] establishes the SMCCC version before
    /// `LFA_VERSION`: `None` (the default) sends nothing and relies on the
    /// agent (firmware that answers LFA implements SMCCC v1.2 in practice,
    /// while QEMU and older TF-A builds under-report it);
    /// `Some(SmcccCheck::Require1_2)` asks (`PSCI_FEATURES`, `SMCCC_VERSION`)
    /// and refuses less than v1.2; `Some(SmcccCheck::Assume(v))` takes `v`.
    pub smccc_check: Option<SmcccCheck>,
}

impl Options {
    /// Linux-like defaults: [`RetryPolicy::PRIME`], [`RetryPolicy::ACTIVATE`],
    /// forced rendezvous, no CPU reset support, at most 1024 components and 64
    /// activations in one `activate_all_pending`, no SMCCC version check.
    pub const DEFAULT: Self = Self {
        prime: RetryPolicy::PRIME,
        activate: RetryPolicy::ACTIVATE,
        force_rendezvous: true,
        cpu_reset: None,
        max_components: 1024,
        max_activations: 64,
        smccc_check: None,
    };

    /// With `policy` for the `LFA_PRIME` loop.
    #[must_use]
    pub const fn with_prime(mut self, policy: RetryPolicy) -> Self {
        self.prime = policy;
        self
    }

    /// With `policy` for the `LFA_ACTIVATE` loop.
    #[must_use]
    pub const fn with_activate(mut self, policy: RetryPolicy) -> Self {
        self.activate = policy;
        self
    }

    /// With [`Options::force_rendezvous`] set to `force`.
    #[must_use]
    pub const fn with_force_rendezvous(mut self, force: bool) -> Self {
        self.force_rendezvous = force;
        self
    }

    /// With [`Options::cpu_reset`] set to `reset`.
    #[must_use]
    pub const fn with_cpu_reset(mut self, reset: Option<CpuReset>) -> Self {
        self.cpu_reset = reset;
        self
    }

    /// With [`Options::max_components`] set to `max`.
    #[must_use]
    pub const fn with_max_components(mut self, max: u32) -> Self {
        self.max_components = max;
        self
    }

    /// With [`Options::max_activations`] set to `max`.
    #[must_use]
    pub const fn with_max_activations(mut self, max: u32) -> Self {
        self.max_activations = max;
        self
    }

    /// With [`Options::smccc_check`] set to `check`.
    #[must_use]
    pub const fn with_smccc_check(mut self, check: Option<SmcccCheck>) -> Self {
        self.smccc_check = check;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A client of one LFA agent, made by [`Client::discover`].
///
/// It owns (or borrows, `Client<&C>`) the conduit. Listing the inventory
/// borrows it shared; priming borrows it mutably until the activation is done
/// or cancelled, so one client can never have two activations in flight.
/// **Use exactly one client per agent** (see [`Client::discover`]).
///
/// The client keeps a *generation* that changes whenever `LFA_ACTIVATE` has
/// been sent: [`Component`] values from an older generation are refused.
/// Generations are drawn from one counter for the whole program, so a value
/// read by another client (or one that was dropped) is refused too; this
/// holds until 2^32 generations and operations have been started in the
/// program, after which a stamp may repeat. Independently of that, `prime`
/// re-reads the entry and checks its UUID before it sends `LFA_PRIME`.
///
/// **The release `LFA_CANCEL`.** TF-A's agent keeps a component it has
/// activated as its *current* one until it is cancelled, and refuses to
/// activate any other until then. The client therefore remembers the
/// component it primed or activated last (unless it knows the agent holds
/// nothing) and owes the agent one `LFA_CANCEL` for it: it sends it before
/// its next `LFA_PRIME`, from [`Client::release`], or when it is dropped.
/// On an agent that resets itself after an activation (the specification's
/// intent) that `LFA_CANCEL` answers `INVALID_PARAMETERS`, "nothing to
/// cancel", which is fine.
///
/// **Resuming after a CPU reset.** An activation of a component that may
/// reset CPUs ([`Options::cpu_reset`]) can reset the calling CPU too: its
/// step never returns, and the CPU resumes at the entry point with the
/// client's borrow abandoned. A `Clone` of the client (for a conduit and
/// clock that are `Clone`), taken with a clone of the
/// [`ActivationOp`](crate::ActivationOp) just before that step, is the
/// state to resume from: the resume code steps the copied operation on the
/// copied client with a hook that makes no call and reports
/// [`CpuOutcome::after_reset`](crate::CpuOutcome::after_reset) for each CPU
/// that came back; the operation then re-enumerates as usual. A clone *is*
/// this client (the same generation, operation and owed release): use one
/// of the two from then on, and never drop both (each would send the owed
/// release `LFA_CANCEL`).
#[derive(Debug)]
pub struct Client<C: Conduit, K: Clock = NoClock> {
    pub(crate) conduit: ConduitSlot<C>,
    pub(crate) clock: K,
    version: LfaVersion,
    pub(crate) options: Options,
    pub(crate) generation: NonZeroU32,
    /// The stamp of the operation that may use the agent now (0: none).
    pub(crate) op: u32,
    /// The release `LFA_CANCEL` the client owes, if any.
    pub(crate) release: Option<Release>,
}

/// A component the agent may still hold as its current one: primed and not
/// known to be cancelled, or activated (TF-A keeps an activated component
/// current until it is cancelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Release {
    /// The UUID, and the sequence id it was last known under.
    pub(crate) component: ComponentRef,
    /// Whether the sequence id was read in the current generation: set when
    /// the id was refreshed just before `LFA_PRIME` (and kept through
    /// `LFA_PRIME` failures) and after a successful re-enumeration; cleared
    /// once `LFA_ACTIVATE` has been sent, after which the agent may have
    /// renumbered. An unconfirmed id is re-read before it is cancelled.
    pub(crate) confirmed: bool,
}

/// The conduit, owned by the client until [`Client::with_clock`] moves it
/// into a new client. `Client` implements `Drop` (the release `LFA_CANCEL`),
/// so the conduit cannot be moved out of it directly; an empty slot only
/// exists in a client that is being taken apart, and answers every call with
/// `NOT_SUPPORTED` rather than panicking.
#[derive(Clone, Debug)]
pub(crate) struct ConduitSlot<C>(Option<C>);

impl<C> ConduitSlot<C> {
    /// The conduit, unless the client is being taken apart.
    pub(crate) const fn inner(&self) -> Option<&C> {
        self.0.as_ref()
    }
}

impl<C: Conduit> Conduit for ConduitSlot<C> {
    #[inline]
    fn call(&self, args: &Regs) -> Regs {
        match &self.0 {
            Some(conduit) => conduit.call(args),
            None => Regs::with_x0(LfaError::NotSupported.to_x0()),
        }
    }
}

/// Sends `request` through `conduit` and returns the result registers the
/// client reads. Every call of the client goes through here.
///
/// An LFA request uses x0..x4 at most, and [`Request::encode`] leaves the
/// other registers zero, so only those five go, in registers, to
/// [`exchange`], which zeroes the rest (a test checks the encoding of every
/// request). An LFA response defines x0..x5 at most, and the client's
/// decoders read no others, so only those six come back; x6..x17 read as
/// zero here. No register block is zeroed or copied on the way, and with the
/// decoder inlined the block returned here is not in memory at all.
#[inline(always)]
pub(crate) fn send<C: Conduit + ?Sized, R: Request>(conduit: &C, request: &R) -> Regs {
    send_encoded(conduit, request.encode())
}

/// [`send`] of a request already encoded (`block` as [`Request::encode`]
/// leaves it): for a caller that encodes one of several request types and
/// then makes one call.
#[inline(always)]
pub(crate) fn send_encoded<C: Conduit + ?Sized>(conduit: &C, block: Regs) -> Regs {
    let [x0, x1, x2, x3, x4, rest @ ..] = block.x;
    // A request that used x5 or above would be cut short here: a bug of this
    // crate (the test above pins every request), checked in debug builds.
    debug_assert!(rest.iter().all(|&x| x == 0), "a request uses x5..x17");
    let [y0, y1, y2, y3, y4, y5] = exchange(x0, x1, x2, x3, x4, conduit);
    Regs {
        x: [y0, y1, y2, y3, y4, y5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    }
}

/// The call itself: x0..x4 in, x0..x5 out. On bare-metal targets
/// (firmware, hypervisors, where code size counts) it is out of line: one
/// copy of the conduit's code. Elsewhere (a simulator, a test double) it is
/// inlined, so that a cheap conduit stays cheap. The conduit comes last, so
/// that x0..x4 arrive in the registers they leave in.
#[cfg_attr(target_os = "none", inline(never))]
#[cfg_attr(not(target_os = "none"), inline)]
fn exchange<C: Conduit + ?Sized>(
    x0: u64,
    x1: u64,
    x2: u64,
    x3: u64,
    x4: u64,
    conduit: &C,
) -> [u64; 6] {
    let args = Regs {
        x: [x0, x1, x2, x3, x4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    let [y0, y1, y2, y3, y4, y5, ..] = conduit.call(&args).x;
    [y0, y1, y2, y3, y4, y5]
}

impl<C: Conduit> Client<C> {
    /// Detects the agent with `LFA_VERSION` (one call) and makes a client with
    /// [`Options::DEFAULT`] and no clock.
    ///
    /// **Exactly one `Client` per agent.** The agent has one state machine
    /// for the whole system and knows nothing of clients; nothing in this
    /// crate (which has no global state) stops a second client of the same
    /// agent, and the two then undo each other's work: the second one's
    /// `LFA_PRIME` fails with `WRONG_STATE` while the first has a component
    /// primed (or, on TF-A, "succeeds" without priming anything, and its
    /// `LFA_ACTIVATE` fails with `INVALID_PARAMETERS`); its `LFA_CANCEL`,
    /// including the one sent when its [`Primed`](crate::Primed) is dropped,
    /// cancels the first client's prime if both chose the same component; a
    /// second activation renumbers the inventory under the first client,
    /// whose next [`Client::prime`] then fails with
    /// [`ErrorDetail::ComponentMoved`]. Keep one client (in an OS: one per system,
    /// behind the lock that serialises firmware activation) and pass it
    /// around, or borrow its conduit (`Client<&C>`) for a short session and
    /// drop the client before another is made.
    ///
    /// # Errors
    ///
    /// - [`ErrorDetail::NoAgent`] if x0 is `NOT_SUPPORTED` or came back unchanged
    ///   (the function ID: TF-A with no components does that);
    /// - [`ErrorDetail::UnsupportedVersion`] for a major version other than 1;
    /// - [`ErrorDetail::Firmware`] for another error status, [`ErrorDetail::Malformed`]
    ///   for a value that is neither a status nor a version.
    pub fn discover(conduit: C) -> Result<Self, Error> {
        // No SMCCC check in the default options: none is linked.
        Self::discover_unchecked(conduit, Options::DEFAULT)
    }

    /// [`Client::discover`] with `options` (the same as
    /// `discover(conduit)?.with_options(options)`), and first, if
    /// [`Options::smccc_check`] asks for it, the SMCCC version check
    /// (`PSCI_FEATURES` and `SMCCC_VERSION` for
    /// [`SmcccCheck::Require1_2`], nothing for
    /// [`SmcccCheck::Assume`]).
    ///
    /// ```
    /// use lfa_client::{Client, Error, ErrorDetail, Options, SmcccCheck, SmcccError};
    /// use lfa_sim::SimAgent;
    ///
    /// // The simulated agent implements no PSCI: the check refuses, and no
    /// // LFA call is sent.
    /// let agent = SimAgent::demo();
    /// let strict = Options::DEFAULT.with_smccc_check(Some(SmcccCheck::Require1_2));
    /// let e = Client::discover_with(&agent, strict).unwrap_err();
    /// assert!(matches!(
    ///     e.detail(),
    ///     ErrorDetail::SmcccVersion { error: SmcccError::NotAdvertised { .. } }
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::SmcccVersion`] if the check fails; the errors of
    /// [`Client::discover`].
    pub fn discover_with(conduit: C, options: Options) -> Result<Self, Error> {
        if let Some(check) = options.smccc_check {
            check
                .check(&conduit)
                .map_err(|error| Error::new(ErrorDetail::SmcccVersion { error }))?;
        }
        Self::discover_unchecked(conduit, options)
    }

    /// `LFA_VERSION` and the client, without the SMCCC check.
    fn discover_unchecked(conduit: C, options: Options) -> Result<Self, Error> {
        // Through the slot the client keeps: the same copy of the call code.
        let conduit = ConduitSlot(Some(conduit));
        let response = send(&conduit, &VersionRequest);
        let [x0, ..] = response.x;
        if x0 == FunctionId::Version.to_x0() || x0 == LfaError::NotSupported.to_x0() {
            return Err(Error::new(ErrorDetail::NoAgent { x0 }));
        }
        let version = match VersionResponse::decode(&response) {
            Ok(v) => v.version,
            Err(e) => return call_failed(FunctionId::Version, None, e),
        };
        if version.major() != 1 {
            return Err(Error::new(ErrorDetail::UnsupportedVersion { version }));
        }
        Ok(Self {
            conduit,
            clock: NoClock,
            version,
            options,
            generation: next_stamp(),
            op: 0,
            release: None,
        })
    }
}

impl<C: Conduit, K: Clock> Client<C, K> {
    /// The same client with other options.
    #[must_use]
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The same client, timing CALL_AGAIN loops with `clock` (so that
    /// [`RetryPolicy::timeout`] and [`RetryPolicy::delay`] apply). The
    /// release `LFA_CANCEL` the client owes, if any, moves to the new client;
    /// nothing is sent.
    #[must_use]
    pub fn with_clock<K2: Clock>(mut self, clock: K2) -> Client<C, K2> {
        Client {
            conduit: ConduitSlot(self.conduit.0.take()),
            clock,
            version: self.version,
            options: self.options,
            generation: self.generation,
            op: self.op,
            release: self.release.take(),
        }
    }

    /// The agent's LFA version.
    #[must_use]
    pub const fn version(&self) -> LfaVersion {
        self.version
    }

    /// The options in use.
    #[must_use]
    pub const fn options(&self) -> &Options {
        &self.options
    }

    /// The client generation: a stamp that changes every time `LFA_ACTIVATE`
    /// has been sent and differs between clients (see [`Client`]);
    /// [`Component`] values carry the generation they were read in.
    #[must_use]
    pub const fn generation(&self) -> u32 {
        self.generation.get()
    }

    /// Whether the agent implements `function` (`LFA_FEATURES`, one call).
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::Firmware`] for an error status other than `NOT_SUPPORTED`,
    /// [`ErrorDetail::Malformed`] for a positive x0.
    // Out of line on bare metal: `require_all_functions` calls it in a loop.
    #[cfg_attr(target_os = "none", inline(never))]
    pub fn supports(&self, function: FunctionId) -> Result<bool, Error> {
        let response = send(&self.conduit, &FeaturesRequest::new(function));
        match FeaturesResponse::decode(&response) {
            Ok(FeaturesResponse) => Ok(true),
            Err(ResponseError::Status(LfaError::NotSupported)) => Ok(false),
            Err(e) => call_failed(FunctionId::Features, None, e),
        }
    }

    /// Checks with `LFA_FEATURES` that every LFA function after
    /// `LFA_VERSION` is implemented (six calls, stopping at the first missing
    /// one).
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::MissingFunction`] naming the first one that is not, or an
    /// error of [`Client::supports`].
    // Out of line on bare metal, as before the loop was made opaque.
    #[cfg_attr(target_os = "none", inline(never))]
    pub fn require_all_functions(&self) -> Result<(), Error> {
        // One loop, not six unrolled calls with a tail each: the list's
        // length is opaque to the optimiser.
        for &function in core::hint::black_box(FunctionId::ALL.as_slice()) {
            if function != FunctionId::Version && !self.supports(function)? {
                return Err(Error::new(ErrorDetail::MissingFunction { function }));
            }
        }
        Ok(())
    }

    /// Starts listing the inventory: sends `LFA_GET_INFO` now (one call) and
    /// returns a lazy iterator that sends one `LFA_GET_INVENTORY` per item.
    /// Listing N components therefore takes exactly N + 1 calls.
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::Firmware`] if `LFA_GET_INFO` returns an error status (a
    /// negative status is never taken for a count), [`ErrorDetail::Malformed`] for a
    /// count that does not fit in 32 bits, [`ErrorDetail::AbsurdCount`] for one
    /// above [`Options::max_components`].
    pub fn components(&self) -> Result<Components<'_, C, K>, Error> {
        let count = self.read_count()?;
        Ok(Components {
            client: self,
            next: 0,
            count,
            failed: false,
        })
    }

    /// Finds the component with `uuid`: lists the inventory until it is found
    /// (at most N + 1 calls).
    ///
    /// # Errors
    ///
    /// The errors of [`Client::components`] and of its items.
    pub fn find(&self, uuid: Uuid) -> Result<Option<Component>, Error> {
        for component in self.components()? {
            let component = component?;
            if component.uuid() == uuid {
                return Ok(Some(component));
            }
        }
        Ok(None)
    }

    /// `LFA_GET_INFO` (one call): the component count, checked against
    /// [`Options::max_components`].
    #[inline(never)]
    pub(crate) fn read_count(&self) -> Result<u32, Error> {
        let response = send(&self.conduit, &GetInfoRequest);
        let count = match GetInfoResponse::decode(&response) {
            Ok(info) => info.component_count,
            Err(e) => return call_failed(FunctionId::GetInfo, None, e),
        };
        if count > self.options.max_components {
            return Err(Error::new(ErrorDetail::AbsurdCount {
                count,
                max: self.options.max_components,
            }));
        }
        Ok(count)
    }

    /// Reads one inventory entry (one `LFA_GET_INVENTORY`).
    #[inline(never)]
    pub(crate) fn read_entry(&self, seq_id: SeqId) -> Result<Component, Error> {
        let response = send(&self.conduit, &GetInventoryRequest::new(seq_id));
        match InventoryResponse::decode(&response) {
            Ok(entry) => Ok(Component::from_inventory(seq_id, &entry, self.generation)),
            Err(e) => inventory_failed(seq_id, e),
        }
    }

    /// Sends the release `LFA_CANCEL` the client owes now, if it owes one
    /// (see [`Client`]): after it, the agent holds nothing of this client's,
    /// so another client can activate in the same boot. Returns at once when
    /// nothing is owed.
    ///
    /// The call costs, when something is owed:
    /// - one `LFA_CANCEL` if the component's sequence id was read in the
    ///   current generation (`SUCCESS` and `INVALID_PARAMETERS`, "nothing to
    ///   cancel", both settle it);
    /// - otherwise (the agent may have renumbered since `LFA_ACTIVATE`) one
    ///   `LFA_GET_INVENTORY` of the id it was last known under; if that still
    ///   holds the component's UUID, `LFA_CANCEL` of it; if not, a listing
    ///   (at most N + 1 calls) to find the UUID and `LFA_CANCEL` of the id it
    ///   has now. If the UUID is no longer listed, nothing is sent and the
    ///   debt is dropped: the agent may still hold the component, but no
    ///   sequence id addresses it any more.
    ///
    /// Dropping the client does the same, ignoring errors; the conduit of a
    /// client is therefore used one last time when the client is dropped.
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::Firmware`] with the status of a failing `LFA_CANCEL` (for
    /// example `BUSY` while an activation cannot be stopped), or the errors
    /// of reading the inventory; the client still owes the `LFA_CANCEL` then.
    ///
    /// An operation in progress ([`PrimeOp`](crate::PrimeOp),
    /// [`ActivationOp`](crate::ActivationOp)) becomes stale.
    pub fn release(&mut self) -> Result<(), Error> {
        self.op = 0;
        self.release_previous()
    }
}

impl<C: Conduit, K: Clock> Client<C, K> {
    /// Cancels the component with `uuid` (pass `component.uuid()` for a
    /// listed [`Component`]), whatever primed it: lists the inventory until
    /// the UUID is found (at most N + 1 calls), then sends one `LFA_CANCEL` of
    /// the id it has now. `INVALID_PARAMETERS` is
    /// [`CancelOutcome::NothingToCancel`](crate::CancelOutcome::NothingToCancel)
    /// (the agent held nothing of it). Settles the release the client owes
    /// for that UUID, and makes an operation in progress stale.
    ///
    /// # Errors
    ///
    /// [`ErrorDetail::ComponentGone`] if the UUID is not listed (nothing sent to
    /// `LFA_CANCEL`); [`ErrorDetail::Firmware`] with the status of a failing
    /// `LFA_CANCEL` (for example `BUSY`); the errors of listing.
    pub fn cancel(&mut self, uuid: Uuid) -> Result<crate::CancelOutcome, Error> {
        self.op = 0;
        let Some(component) = self.find(uuid)? else {
            return Err(Error::new(ErrorDetail::ComponentGone { uuid }));
        };
        let target = component.to_ref();
        let owed = self.release.is_some_and(|r| r.component.uuid == uuid);
        let response = send(&self.conduit, &lfa_proto::CancelRequest::new(target.seq_id));
        let [x0, ..] = response.x;
        let outcome = match lfa_proto::decode_status(x0) {
            Ok(()) => crate::CancelOutcome::Cancelled,
            Err(LfaError::InvalidParameters) => crate::CancelOutcome::NothingToCancel,
            Err(status) => {
                return Err(Error::new(ErrorDetail::Firmware {
                    call: FunctionId::Cancel,
                    component: Some(target),
                    status,
                }));
            }
        };
        if owed {
            self.release = None;
        }
        Ok(outcome)
    }
}

impl<C: Conduit + Clone, K: Clock + Clone> Clone for Client<C, K> {
    /// The same client, state and all: see "Resuming after a CPU reset" in
    /// [`Client`]. Nothing is sent.
    fn clone(&self) -> Self {
        Self {
            conduit: self.conduit.clone(),
            clock: self.clock.clone(),
            version: self.version,
            options: self.options,
            generation: self.generation,
            op: self.op,
            release: self.release,
        }
    }
}

impl<C: Conduit, K: Clock> Drop for Client<C, K> {
    /// Sends the release `LFA_CANCEL` the client owes, if any, as
    /// [`Client::release`] does (bounded: one `LFA_CANCEL`, or the lookups
    /// described there). Errors are ignored: nothing more can be done.
    fn drop(&mut self) {
        let _ignored = self.release_previous();
    }
}

/// The inventory, read lazily: each `next` sends one `LFA_GET_INVENTORY`.
///
/// Made by [`Client::components`], which has already sent `LFA_GET_INFO`.
/// Items are `Result`s; after the first error the iterator ends. It allocates
/// nothing.
#[derive(Debug)]
pub struct Components<'c, C: Conduit, K: Clock = NoClock> {
    client: &'c Client<C, K>,
    next: u32,
    count: u32,
    failed: bool,
}

impl<C: Conduit, K: Clock> Components<'_, C, K> {
    /// The component count `LFA_GET_INFO` reported.
    #[must_use]
    pub const fn count_reported(&self) -> u32 {
        self.count
    }

    /// Only the components that are capable and pending (errors pass through).
    pub fn activatable(self) -> impl Iterator<Item = Result<Component, Error>> {
        self.filter(|item| item.as_ref().map_or(true, Component::is_activatable))
    }
}

impl<C: Conduit, K: Clock> Iterator for Components<'_, C, K> {
    type Item = Result<Component, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.next >= self.count {
            return None;
        }
        let seq_id = SeqId(self.next);
        self.next = self.next.saturating_add(1);
        let item = self.client.read_entry(seq_id);
        self.failed = item.is_err();
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = if self.failed {
            0
        } else {
            usize::try_from(self.count.saturating_sub(self.next)).unwrap_or(usize::MAX)
        };
        (0, Some(left))
    }
}

impl<C: Conduit, K: Clock> core::iter::FusedIterator for Components<'_, C, K> {}

/// The error of `LFA_GET_INVENTORY` of `seq_id` as the caller's result
/// (cold, written straight into it).
#[cold]
#[inline(never)]
fn inventory_failed(seq_id: SeqId, error: ResponseError) -> Result<Component, Error> {
    Err(match error {
        ResponseError::Status(status) => {
            Error::new(ErrorDetail::InventoryFailed { seq_id, status })
        }
        ResponseError::Malformed(error) => Error::new(ErrorDetail::Malformed {
            call: FunctionId::GetInventory,
            component: None,
            error,
        }),
    })
}

/// [`call_error`] as the caller's result: written straight into it, with
/// no error-sized temporary in the caller's frame.
#[cold]
#[inline(never)]
pub(crate) fn call_failed<T>(
    call: FunctionId,
    component: Option<ComponentRef>,
    error: ResponseError,
) -> Result<T, Error> {
    Err(call_error(call, component, error))
}

/// Turns a response error of `call` into the client's error (cold: out of
/// every call's success path).
#[cold]
#[inline(never)]
pub(crate) fn call_error(
    call: FunctionId,
    component: Option<ComponentRef>,
    error: ResponseError,
) -> Error {
    match error {
        ResponseError::Status(status) => Error::new(ErrorDetail::Firmware {
            call,
            component,
            status,
        }),
        ResponseError::Malformed(error) => Error::new(ErrorDetail::Malformed {
            call,
            component,
            error,
        }),
    }
}
