// SPDX-License-Identifier: MIT OR Apache-2.0
//! The platform trait: everything only the firmware knows (its components,
//! how to load and switch them, its CPUs and its clock).

use lfa_proto::{FirmwareVersion, LfaError, Uuid};

/// What one component is, as the platform describes it: `LFA_GET_INVENTORY`'s
/// answer except the pending flag, which [`Platform::is_pending`] gives.
///
/// ```
/// use lfa_agent::{Component, FirmwareVersion, Uuid};
///
/// const BL31: Component = Component::new(Uuid::from_u128(0x47d4_086d))
///     .capable()
///     .current(FirmwareVersion::new(2, 12))
///     .pending(FirmwareVersion::new(2, 13));
/// assert!(BL31.capable && BL31.rendezvous_required && !BL31.may_reset_cpu);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Component {
    /// The UUID (x1:x2).
    pub uuid: Uuid,
    /// `activation_capable` (x3 bit 0).
    pub capable: bool,
    /// Every powered-on CPU must call ACTIVATE (x3 bit 3 clear).
    pub rendezvous_required: bool,
    /// `may_reset_cpu` (x3 bit 2): activating may make each CPU resume at
    /// the entry point it passed instead of returning.
    pub may_reset_cpu: bool,
    /// The running version (x4).
    pub current_version: FirmwareVersion,
    /// The staged version (x5 while pending); `None` when not known or
    /// nothing is staged (x5 = 0).
    pub pending_version: Option<FirmwareVersion>,
}

impl Component {
    /// A component with this UUID: not capable, rendezvous required, no CPU
    /// reset, version 0.0, nothing pending.
    #[must_use]
    pub const fn new(uuid: Uuid) -> Self {
        Self {
            uuid,
            capable: false,
            rendezvous_required: true,
            may_reset_cpu: false,
            current_version: FirmwareVersion::new(0, 0),
            pending_version: None,
        }
    }

    /// Sets `activation_capable`.
    #[must_use]
    pub const fn capable(mut self) -> Self {
        self.capable = true;
        self
    }

    /// One CPU may activate it alone (`cpu_rendezvous_optional`).
    #[must_use]
    pub const fn rendezvous_optional(mut self) -> Self {
        self.rendezvous_required = false;
        self
    }

    /// Sets `may_reset_cpu`.
    #[must_use]
    pub const fn may_reset_cpu(mut self) -> Self {
        self.may_reset_cpu = true;
        self
    }

    /// Sets the running version.
    #[must_use]
    pub const fn current(mut self, version: FirmwareVersion) -> Self {
        self.current_version = version;
        self
    }

    /// Sets the staged version (and so, by [`Platform::is_pending`]'s
    /// default, makes the component pending).
    #[must_use]
    pub const fn pending(mut self, version: FirmwareVersion) -> Self {
        self.pending_version = Some(version);
        self
    }
}

/// A platform step that may take more than one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Finished.
    Done,
    /// Not finished: the caller is answered CALL_AGAIN and calls again.
    Again,
}

/// How an activation step ended on the CPUs that asked for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activated {
    /// Each CPU returns from its ACTIVATE call (x0 = 0).
    Return,
    /// Each CPU resumes at the entry point *it* passed in x3 with x0 = its
    /// x4 ([`Exit::Resume`](crate::Exit::Resume)). Only for `may_reset_cpu`
    /// components; from any other it is answered CRITICAL_ERROR (-5), since
    /// the callers gave no entry point to resume at.
    ResetCpus,
    /// Not finished: answer CALL_AGAIN.
    Again,
}

/// Everything only firmware knows, in the shape of TF-A's `plat_lfa_*`
/// hooks and per-component activator operations.
///
/// Every method has a default, so an empty implementation is the "not
/// supported" platform: no components (GET_INFO 0, every id -8).
///
/// The agent calls the methods from several CPUs at once (hence `Sync`);
/// it serialises all of them behind its lock except [`Platform::now`] and
/// [`Platform::relax`], which waiting CPUs call outside it. `component`,
/// `is_pending`, `prime`, `activate` and `cancel` are only called for
/// `index < component_count()`.
pub trait Platform: Sync {
    /// How many components there are: valid sequence ids are `0..count`.
    fn component_count(&self) -> u32 {
        0
    }

    /// The component at `index` (`None` is answered like an id out of range).
    fn component(&self, index: u32) -> Option<Component> {
        let _ = index;
        None
    }

    /// Whether an image is staged for `index` (`activation_pending`).
    /// Default: `component(index)` has a pending version.
    fn is_pending(&self, index: u32) -> bool {
        self.component(index)
            .is_some_and(|c| c.pending_version.is_some())
    }

    /// Loads and authenticates the pending image of `index`.
    /// `Ok(Step::Again)`: answer CALL_AGAIN, and call this again on the
    /// next PRIME.
    ///
    /// # Errors
    ///
    /// Returned to the caller as they are (AUTH_ERROR, DEVICE_ERROR,
    /// NO_MEMORY, or any code); the agent goes idle. Default: NOT_SUPPORTED.
    fn prime(&self, index: u32) -> Result<Step, LfaError> {
        let _ = index;
        Err(LfaError::NotSupported)
    }

    /// Activates the primed image of `index`. `entry_point`/`context_id` are
    /// the caller's x3/x4 (the last CPU's to arrive, in a rendezvous); every
    /// other CPU of the rendezvous is parked in the pen meanwhile.
    /// `Ok(Activated::Again)`: answer CALL_AGAIN to every CPU of the round.
    ///
    /// # Errors
    ///
    /// Returned to every CPU of the round; the agent goes idle. Default:
    /// NOT_SUPPORTED.
    fn activate(
        &self,
        index: u32,
        entry_point: u64,
        context_id: u64,
    ) -> Result<Activated, LfaError> {
        let _ = (index, entry_point, context_id);
        Err(LfaError::NotSupported)
    }

    /// The optional cancel hook, called by every CANCEL that the agent
    /// accepts; `false` = this component has none (the default). The agent
    /// releases waiting CPUs and goes idle either way.
    fn cancel(&self, index: u32) -> bool {
        let _ = index;
        false
    }

    /// Whether `entry_point` is acceptable for a CPU reset; asked on every
    /// ACTIVATE of a `may_reset_cpu` component, where `false` is
    /// INVALID_ADDRESS (-10) before anything else is done. Default: not 0.
    fn valid_entry_point(&self, entry_point: u64) -> bool {
        entry_point != 0
    }

    /// How many CPUs are powered on as PSCI counts them (ON and ON_PENDING):
    /// the rendezvous size, asked at every arrival. 0 counts as 1. Default 1.
    fn cpus_on(&self) -> u32 {
        1
    }

    /// The calling CPU's linear index, below the agent's `CPUS`: its seat in
    /// the pen. A rendezvous ACTIVATE from an index `>= CPUS` fails with
    /// ACTIVATION_FAILED (-11), and one from an index already in the pen
    /// (two CPUs reporting the same index) with BUSY (-2); neither is
    /// counted. Default 0.
    fn cpu_index(&self) -> usize {
        0
    }

    /// A monotonic clock in ticks (wrapping is fine), for every bound.
    /// Default: always 0, and the bound then counts polls (see
    /// [`Platform::rendezvous_timeout`]).
    fn now(&self) -> u64 {
        0
    }

    /// The bound of a rendezvous round in [`Platform::now`] ticks, counted
    /// from the first CPU's arrival; a waiting CPU also stops after this
    /// many polls in a row during which the clock did not move (so a clock
    /// that is stopped, or the default one, bounds the wait in polls).
    /// Default: 2^24 (about 0.27 s of a 62.5 MHz generic timer).
    fn rendezvous_timeout(&self) -> u64 {
        DEFAULT_RENDEZVOUS_TIMEOUT
    }

    /// Called on every poll of a CPU waiting in the pen (for example `wfe`,
    /// or a yield on a host). Default: `core::hint::spin_loop()`.
    fn relax(&self) {
        core::hint::spin_loop();
    }
}

/// [`Platform::rendezvous_timeout`]'s default: 2^24 ticks (or polls).
pub const DEFAULT_RENDEZVOUS_TIMEOUT: u64 = 1 << 24;
