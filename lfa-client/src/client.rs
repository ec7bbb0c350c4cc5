//! The client: discovery, features, inventory.

use lfa_proto::{
    FeaturesRequest, FeaturesResponse, FunctionId, GetInfoRequest, GetInfoResponse,
    GetInventoryRequest, InventoryResponse, LfaError, LfaVersion, Request, Response, ResponseError,
    SeqId, Uuid, VersionRequest, VersionResponse,
};
use lfa_smccc::Conduit;

use crate::{Component, ComponentRef, CpuReset, Error, NoClock, RetryPolicy, retry::Clock};

/// How a [`Client`] behaves. `Options::default()` is [`Options::DEFAULT`].
///
/// ```
/// use lfa_client::{Options, RetryPolicy};
///
/// let options = Options { force_rendezvous: false, prime: RetryPolicy::rounds(50), ..Options::DEFAULT };
/// assert_eq!(options.activate, RetryPolicy::ACTIVATE);
/// assert_eq!(options.max_components, 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// Bound of the `LFA_PRIME` CALL_AGAIN loop.
    pub prime: RetryPolicy,
    /// Bound of the `LFA_ACTIVATE` CALL_AGAIN loop (per CPU in a rendezvous,
    /// where only `max_rounds` applies).
    pub activate: RetryPolicy,
    /// Activate through the rendezvous hook even when a component allows one
    /// CPU (Linux's default, `force_cpu_rendezvous = 1`). With this set,
    /// [`Primed::activate`](crate::Primed::activate) refuses every component.
    pub force_rendezvous: bool,
    /// Where CPUs resume if an activation resets them; needed to activate a
    /// component with may_reset_cpu. `None` (Linux's behaviour) refuses such
    /// components.
    pub cpu_reset: Option<CpuReset>,
    /// The largest component count from `LFA_GET_INFO` the client believes;
    /// a larger one is [`Error::AbsurdCount`].
    pub max_components: u32,
    /// The most activations one
    /// [`activate_all_pending`](Client::activate_all_pending) performs before it
    /// decides the agent never clears pending ([`Error::PendingNeverClears`]).
    pub max_activations: u32,
}

impl Options {
    /// Linux-like defaults: [`RetryPolicy::PRIME`], [`RetryPolicy::ACTIVATE`],
    /// forced rendezvous, no CPU reset support, at most 1024 components and 64
    /// activations in one `activate_all_pending`.
    pub const DEFAULT: Self = Self {
        prime: RetryPolicy::PRIME,
        activate: RetryPolicy::ACTIVATE,
        force_rendezvous: true,
        cpu_reset: None,
        max_components: 1024,
        max_activations: 64,
    };
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
/// Use one client per agent.
///
/// The client keeps a *generation* that changes whenever `LFA_ACTIVATE` has
/// been sent: [`Component`] values from an older generation are refused.
#[derive(Debug)]
pub struct Client<C: Conduit, K: Clock = NoClock> {
    pub(crate) conduit: C,
    pub(crate) clock: K,
    version: LfaVersion,
    pub(crate) options: Options,
    pub(crate) generation: u64,
    /// A component the agent may still hold as its current one: primed and
    /// not known to be cancelled, or activated (TF-A keeps an activated
    /// component current until it is cancelled). Cancelled before the next
    /// `LFA_PRIME`.
    pub(crate) release: Option<ComponentRef>,
}

impl<C: Conduit> Client<C> {
    /// Detects the agent with `LFA_VERSION` (one call) and makes a client with
    /// [`Options::DEFAULT`] and no clock.
    ///
    /// # Errors
    ///
    /// - [`Error::NoAgent`] if x0 is `NOT_SUPPORTED` or came back unchanged
    ///   (the function ID: TF-A with no components does that);
    /// - [`Error::UnsupportedVersion`] for a major version other than 1;
    /// - [`Error::Firmware`] for another error status, [`Error::Malformed`]
    ///   for a value that is neither a status nor a version.
    pub fn discover(conduit: C) -> Result<Self, Error> {
        let response = conduit.call(&VersionRequest.encode());
        let [x0, ..] = response.x;
        if x0 == FunctionId::Version.to_x0() || x0 == LfaError::NotSupported.to_x0() {
            return Err(Error::NoAgent { x0 });
        }
        let version = VersionResponse::decode(&response)
            .map_err(|e| call_error(FunctionId::Version, None, e))?
            .version;
        if version.major() != 1 {
            return Err(Error::UnsupportedVersion { version });
        }
        Ok(Self {
            conduit,
            clock: NoClock,
            version,
            options: Options::DEFAULT,
            generation: 0,
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

    /// The same client, timing CALL_AGAIN loops with `clock`.
    #[must_use]
    pub fn with_clock<K2: Clock>(self, clock: K2) -> Client<C, K2> {
        Client {
            conduit: self.conduit,
            clock,
            version: self.version,
            options: self.options,
            generation: self.generation,
            release: self.release,
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

    /// The conduit.
    #[must_use]
    pub const fn conduit(&self) -> &C {
        &self.conduit
    }

    /// The client generation: it changes every time `LFA_ACTIVATE` has been
    /// sent, and [`Component`] values carry the generation they were read in.
    #[must_use]
    pub const fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether the agent implements `function` (`LFA_FEATURES`, one call).
    ///
    /// # Errors
    ///
    /// [`Error::Firmware`] for an error status other than `NOT_SUPPORTED`,
    /// [`Error::Malformed`] for a positive x0.
    pub fn supports(&self, function: FunctionId) -> Result<bool, Error> {
        let response = self.conduit.call(&FeaturesRequest::new(function).encode());
        match FeaturesResponse::decode(&response) {
            Ok(FeaturesResponse) => Ok(true),
            Err(ResponseError::Status(LfaError::NotSupported)) => Ok(false),
            Err(e) => Err(call_error(FunctionId::Features, None, e)),
        }
    }

    /// Checks with `LFA_FEATURES` that every LFA function after
    /// `LFA_VERSION` is implemented (six calls, stopping at the first missing
    /// one).
    ///
    /// # Errors
    ///
    /// [`Error::MissingFunction`] naming the first one that is not, or an
    /// error of [`Client::supports`].
    pub fn require_all_functions(&self) -> Result<(), Error> {
        for function in FunctionId::ALL {
            if function != FunctionId::Version && !self.supports(function)? {
                return Err(Error::MissingFunction { function });
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
    /// [`Error::Firmware`] if `LFA_GET_INFO` returns an error status (a
    /// negative status is never taken for a count), [`Error::Malformed`] for a
    /// count that does not fit in 32 bits, [`Error::AbsurdCount`] for one
    /// above [`Options::max_components`].
    pub fn components(&self) -> Result<Components<'_, C, K>, Error> {
        let response = self.conduit.call(&GetInfoRequest.encode());
        let count = GetInfoResponse::decode(&response)
            .map_err(|e| call_error(FunctionId::GetInfo, None, e))?
            .component_count;
        if count > self.options.max_components {
            return Err(Error::AbsurdCount {
                count,
                max: self.options.max_components,
            });
        }
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

    /// Reads one inventory entry (one `LFA_GET_INVENTORY`).
    pub(crate) fn read_entry(&self, seq_id: SeqId) -> Result<Component, Error> {
        let response = self
            .conduit
            .call(&GetInventoryRequest::new(seq_id).encode());
        match InventoryResponse::decode(&response) {
            Ok(entry) => Ok(Component::from_inventory(seq_id, &entry, self.generation)),
            Err(ResponseError::Status(status)) => Err(Error::InventoryFailed { seq_id, status }),
            Err(ResponseError::Malformed(error)) => Err(Error::Malformed {
                call: FunctionId::GetInventory,
                component: None,
                error,
            }),
        }
    }

    /// Gives the conduit back.
    pub fn into_conduit(self) -> C {
        self.conduit
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

/// Turns a response error of `call` into the client's error.
pub(crate) fn call_error(
    call: FunctionId,
    component: Option<ComponentRef>,
    error: ResponseError,
) -> Error {
    match error {
        ResponseError::Status(status) => Error::Firmware {
            call,
            component,
            status,
        },
        ResponseError::Malformed(error) => Error::Malformed {
            call,
            component,
            error,
        },
    }
}
