// SPDX-License-Identifier: MIT OR Apache-2.0
//! The simulated agent: configuration, the entry point, and inspection.

use lfa_proto::{
    ActivateFlags, FirmwareVersion, FunctionId, InventoryFlags, LfaError, Regs, SeqId, Uuid,
    components,
};

use super::faults::Fault;
use super::log::CallLog;
use super::platform::{SIM_CPUS, SimPlatform};
use super::rendezvous::Pen;
use super::state::{Action, ActivationMode, Phase, Reply, State, respond};
use super::{InventoryChange, Profile, Quirks, SimComponent, SimError};
use core::sync::atomic::{AtomicU32, Ordering};
use lfa_smccc::{Conduit, SmcccVersion};

/// The component capacity of [`SimAgent`] when none is given.
pub const DEFAULT_COMPONENTS: usize = 8;
/// The call-log capacity of [`SimAgent`] when none is given.
pub const DEFAULT_LOG: usize = 128;

/// A simulated LFA agent with room for `N` components and a log of `L` calls.
///
/// It answers [`SimAgent::handle`] (and [`Conduit::call`]) as an LFA agent in
/// EL3 would, following its [`Profile`]: in [`Profile::Clean`] the answer is
/// `lfa_agent::Agent`'s, on a [`SimPlatform`] made of the simulated
/// components, with the faults, quirks and call log around it; in
/// [`Profile::TfA`] it is the simulator's own model of TF-A. It takes `&self`
/// everywhere: the state sits behind `spin::Mutex`es, and CPUs waiting in a
/// rendezvous spin outside them on an atomic, so one `&SimAgent` can serve
/// many threads (or CPUs) at once. It never allocates and never panics on any
/// register input.
///
/// On AArch64 bare metal the lock needs working exclusives (or LSE atomics),
/// so the agent must sit in Normal cacheable memory (MMU on); the holding pen
/// itself uses only atomic loads and stores.
///
/// The log lives inside the agent, so its size is about `L` × 288 bytes
/// (two register blocks per call): with a large `L`, put the agent in a
/// `static` (`new` is `const`) rather than on a thread's stack, and read the
/// log with [`SimAgent::with_log`] rather than copying it.
///
/// See the [module documentation](crate) for an example and the
/// profile table.
pub struct SimAgent<const N: usize = DEFAULT_COMPONENTS, const L: usize = DEFAULT_LOG> {
    profile: Profile,
    /// The clean profile's agent; its platform holds the state both profiles
    /// share (the TF-A profile's state machine included).
    agent: lfa_agent::Agent<SimPlatform<N>, SIM_CPUS>,
    /// The TF-A profile's holding pen.
    pen: Pen,
    /// Calls inside [`SimAgent::handle`] now.
    in_progress: AtomicU32,
    log: spin::Mutex<CallLog<L>>,
}

impl<const N: usize, const L: usize> core::fmt::Debug for SimAgent<N, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let phase = self.phase();
        let state = self.state();
        f.debug_struct("SimAgent")
            .field("profile", &self.profile)
            .field("components", &state.components())
            .field("phase", &phase)
            .field("online_cpus", &state.online_cpus)
            .finish_non_exhaustive()
    }
}

/// The clean profile's phase in the simulator's terms.
fn sim_phase(phase: lfa_agent::Phase) -> Phase {
    match phase {
        lfa_agent::Phase::Idle => Phase::Idle,
        lfa_agent::Phase::Priming { index, rounds } => Phase::Priming {
            seq_id: SeqId(index),
            calls: rounds,
        },
        lfa_agent::Phase::Primed { index } => Phase::Primed {
            seq_id: SeqId(index),
        },
        lfa_agent::Phase::Activating {
            index,
            skip_rendezvous,
            rounds,
            waiting,
        } => Phase::Activating {
            seq_id: SeqId(index),
            mode: if skip_rendezvous {
                ActivationMode::SkipRendezvous
            } else {
                ActivationMode::Rendezvous
            },
            rounds_done: rounds,
            waiting,
        },
    }
}

/// The demo population: TF-A BL31 (capable, 2.12 -> 2.13, rendezvous
/// required), TF-RMM (capable, 0.7 -> 0.8, rendezvous optional, PRIME takes
/// two CALL_AGAIN rounds), BL33 (2024.1, not capable, nothing pending), and a
/// vendor component with an unknown UUID (capable, 1.0, nothing pending), in
/// that order (ids 0..=3).
pub const DEMO_COMPONENTS: [SimComponent; 4] = [
    SimComponent::new(components::TFA_BL31.uuid)
        .capable()
        .current(FirmwareVersion::new(2, 12))
        .pending(FirmwareVersion::new(2, 13)),
    SimComponent::new(components::TF_RMM.uuid)
        .capable()
        .current(FirmwareVersion::new(0, 7))
        .pending(FirmwareVersion::new(0, 8))
        .rendezvous_optional()
        .prime_rounds(2),
    SimComponent::new(components::BL33.uuid).current(FirmwareVersion::new(2024, 1)),
    SimComponent::new(DEMO_VENDOR_UUID)
        .capable()
        .current(FirmwareVersion::new(1, 0)),
];

/// The TF-A profile's demo population, in the roles TF-A's measured QEMU
/// platform gave: TF-A BL31 (capable, 2.12 -> 2.13, rendezvous required),
/// TF-RMM (0.7, not capable, nothing pending), BL33 (capable, 2024.1 ->
/// 2024.2, rendezvous optional, its image load answers "again" twice per
/// boot) and the vendor component of [`DEMO_COMPONENTS`] (ids 0..=3).
pub const TFA_DEMO_COMPONENTS: [SimComponent; 4] = [
    SimComponent::new(components::TFA_BL31.uuid)
        .capable()
        .current(FirmwareVersion::new(2, 12))
        .pending(FirmwareVersion::new(2, 13)),
    SimComponent::new(components::TF_RMM.uuid).current(FirmwareVersion::new(0, 7)),
    SimComponent::new(components::BL33.uuid)
        .capable()
        .current(FirmwareVersion::new(2024, 1))
        .pending(FirmwareVersion::new(2024, 2))
        .rendezvous_optional()
        .prime_again_per_boot(2),
    SimComponent::new(DEMO_VENDOR_UUID)
        .capable()
        .current(FirmwareVersion::new(1, 0)),
];

/// The UUID of the demo's vendor component, which no table knows.
pub const DEMO_VENDOR_UUID: Uuid = Uuid::from_u128(0x7a1e_5c0d_e000_4f1a_8bad_5eed_0000_0001);

impl SimAgent {
    /// An agent of the default capacities holding [`DEMO_COMPONENTS`], with
    /// the [`Profile::Clean`] profile.
    ///
    /// ```
    /// use lfa_proto::{GetInfoRequest, GetInfoResponse, Request, Response};
    /// use lfa_sim::SimAgent;
    /// use lfa_smccc::Conduit;
    ///
    /// let agent = SimAgent::demo();
    /// let info = GetInfoResponse::decode(&agent.call(&GetInfoRequest.encode())).unwrap();
    /// assert_eq!(info.component_count, 4);
    /// ```
    #[must_use]
    pub fn demo() -> Self {
        Self::demo_with(Profile::Clean)
    }

    /// An agent with the given profile holding its demo population:
    /// [`DEMO_COMPONENTS`] for [`Profile::Clean`], [`TFA_DEMO_COMPONENTS`]
    /// for [`Profile::TfA`].
    #[must_use]
    pub fn demo_with(profile: Profile) -> Self {
        let agent = Self::new(profile);
        let population = match profile {
            Profile::Clean => DEMO_COMPONENTS,
            Profile::TfA => TFA_DEMO_COMPONENTS,
        };
        for component in population {
            // The default capacity (8) holds the four demo components.
            let _fits = agent.add_component(component);
        }
        agent
    }
}

impl Default for SimAgent {
    /// The same as [`SimAgent::demo`].
    fn default() -> Self {
        Self::demo()
    }
}

impl<const N: usize, const L: usize> SimAgent<N, L> {
    /// An agent with no components, one online CPU, no faults, an empty log.
    /// `const`, so it can live in a `static` on bare metal.
    #[must_use]
    pub const fn new(profile: Profile) -> Self {
        Self {
            profile,
            agent: lfa_agent::Agent::new(SimPlatform::new()),
            pen: Pen::new(),
            in_progress: AtomicU32::new(0),
            log: spin::Mutex::new(CallLog::new()),
        }
    }

    /// The simulator's state (the lock order is agent, then this: never call
    /// into the agent while holding it).
    fn state(&self) -> spin::MutexGuard<'_, State<N>> {
        self.agent.platform().state.lock()
    }

    /// The platform the clean profile's `lfa_agent::Agent` runs on.
    #[must_use]
    pub fn platform(&self) -> &SimPlatform<N> {
        self.agent.platform()
    }

    /// Adds a component (builder form).
    ///
    /// # Errors
    ///
    /// [`SimError::Full`] when `N` components are already registered.
    pub fn with_component(self, component: SimComponent) -> Result<Self, SimError> {
        self.state().add(component)?;
        Ok(self)
    }

    /// Adds components in order (builder form).
    ///
    /// # Errors
    ///
    /// [`SimError::Full`] when they do not all fit. The builder consumed the
    /// agent, so it is dropped with the components that did fit; to keep a
    /// partly filled agent, use [`SimAgent::add_component`] instead.
    pub fn with_components(self, components: &[SimComponent]) -> Result<Self, SimError> {
        for &component in components {
            self.state().add(component)?;
        }
        Ok(self)
    }

    /// Adds a component at the end of the inventory and returns its id.
    ///
    /// # Errors
    ///
    /// [`SimError::Full`] when `N` components are already registered.
    pub fn add_component(&self, component: SimComponent) -> Result<SeqId, SimError> {
        self.state().add(component)
    }

    /// The profile.
    #[must_use]
    pub const fn profile(&self) -> Profile {
        self.profile
    }

    /// Answers one SMCCC call: `args` are x0..x17 as the caller set them, the
    /// result is x0..x17 as the agent leaves them.
    ///
    /// Non-LFA function IDs get NOT_SUPPORTED (-1) in x0 and every other
    /// register as sent, so a wrapper can answer PSCI or `SMCCC_VERSION`
    /// first and pass the rest here. An ACTIVATE that joins a rendezvous
    /// waits (spinning, outside the lock) until the round ends or the spin
    /// budget runs out; see [`SimAgent::set_spin_budget`].
    pub fn handle(&self, args: &Regs) -> Regs {
        self.in_progress.fetch_add(1, Ordering::AcqRel);
        let response = match self.profile {
            Profile::TfA => self.handle_tfa(args),
            Profile::Clean => self.handle_clean(args),
        };
        self.log.lock().push(*args, response);
        self.in_progress.fetch_sub(1, Ordering::AcqRel);
        response
    }

    /// The TF-A profile: the simulator's own state machine and pen.
    fn handle_tfa(&self, args: &Regs) -> Regs {
        let mut action = self.state().dispatch(args, &self.pen);
        // A blocked ACTIVATE tries again once the lock is free; it can be
        // blocked again only by another step, each of which takes time.
        let reply = loop {
            match action {
                Action::Reply(reply) => break reply,
                Action::Wait {
                    generation,
                    budget,
                    relax,
                } => {
                    self.pen.wait(generation, budget, relax);
                    break self.state().leave_pen(generation, &self.pen);
                }
                Action::Work { polls, relax } => {
                    spin(polls, relax);
                    break self.state().finish_step(&self.pen);
                }
                Action::Blocked { budget, relax } => {
                    if !self.wait_for_lock(budget, relax) {
                        let mut state = self.state();
                        state.hangs = state.hangs.saturating_add(1);
                        break Reply::Hang;
                    }
                    action = self.state().decide(args, &self.pen);
                }
            }
        };
        respond(args, reply)
    }

    /// Waits until no activation step holds the TF-A profile's lock, at
    /// most `budget` polls; whether it was freed.
    fn wait_for_lock(&self, budget: u64, relax: Option<fn()>) -> bool {
        let mut polls = 0_u64;
        while self.state().busy_step {
            if polls >= budget {
                return false;
            }
            spin(1, relax);
            polls += 1;
        }
        true
    }

    /// The clean profile: `lfa_agent::Agent` answers, with the faults that
    /// answer at once, the quirks and the TF-A bookkeeping around it.
    fn handle_clean(&self, args: &Regs) -> Regs {
        let function = FunctionId::try_from(args.x[0]).ok();
        let (quirks, steps) = {
            let mut state = self.state();
            if let Some(function) = function {
                if state.count() == 0 && state.quirks.echo_x0_when_empty {
                    return *args;
                }
                if let Some(x0) = state.faults.take(function, false) {
                    let mut regs = *args;
                    regs.x[0] = x0;
                    return regs;
                }
            }
            (state.quirks, state.steps)
        };
        let mut regs = *args;
        // The platform never asks for a CPU reset, so every exit is a return.
        let _exit = self.agent.handle(&mut regs);
        let succeeded = regs.x[0] == 0;
        match function {
            Some(FunctionId::GetInventory) if succeeded => {
                let seq_id = SeqId(u32::try_from(args.x[1]).unwrap_or(u32::MAX));
                let mut state = self.state();
                state.mark_read(seq_id);
                // Reserved flag bits the component was given are reported.
                if let Some(c) = state.component(seq_id) {
                    regs.x[3] |= c.flags.reserved();
                }
                if quirks.leave_x4_x5 {
                    regs.x[4] = args.x[4];
                    regs.x[5] = args.x[5];
                }
            }
            Some(FunctionId::Activate)
                if regs.x[0] == LfaError::ActivationFailed.to_x0()
                    && args.x[2] & ActivateFlags::SKIP_CPU_RENDEZVOUS.bits() == 0 =>
            {
                // A rendezvous ACTIVATE that failed with no activation step
                // and no CANCEL since it arrived: the agent's bound ended it.
                let mut state = self.state();
                if state.steps == steps {
                    state.hangs = state.hangs.saturating_add(1);
                }
            }
            _ => {}
        }
        regs
    }

    /// Whether the LFA service is there at all: `false` in the TF-A profile
    /// with no component registered, where TF-A answers -1 to every call of
    /// the standard secure service. A wrapper that adds PSCI or
    /// `SMCCC_VERSION` should answer -1 too while this is `false`.
    #[must_use]
    pub fn service_available(&self) -> bool {
        self.profile != Profile::TfA || self.state().count() > 0
    }

    /// What `SMCCC_VERSION` answers on the platform this profile imitates:
    /// 1.5 for [`Profile::TfA`] (measured), 1.2 for [`Profile::Clean`] (the
    /// convention LFA needs). [`SimAgent::handle`] does not answer
    /// `SMCCC_VERSION` itself; a wrapper that serves it (a firmware image,
    /// a test conduit) takes the value from here.
    #[must_use]
    pub const fn smccc_version(&self) -> SmcccVersion {
        match self.profile {
            Profile::TfA => SmcccVersion::new(1, 5),
            Profile::Clean => SmcccVersion::V1_2,
        }
    }

    // ---- configuration ---------------------------------------------------

    /// Sets how many CPUs are online: the size of a rendezvous (at least 1;
    /// 0 is taken as 1). A change applies from the next ACTIVATE call on.
    pub fn set_online_cpus(&self, cpus: u32) {
        self.state().online_cpus = cpus.max(1);
    }

    /// How many CPUs are online.
    #[must_use]
    pub fn online_cpus(&self) -> u32 {
        self.state().online_cpus
    }

    /// Sets how many times a CPU waiting in a rendezvous polls before it gives
    /// up, records a hang ([`SimAgent::hang_detected`]) and returns
    /// [`HANG_STATUS`](crate::HANG_STATUS) (TF-A profile), or how many polls
    /// of all waiting CPUs together `lfa-agent` allows a round before it ends
    /// it with ACTIVATION_FAILED, also counted as a hang (clean profile). The
    /// bound counts polls, not time (there is no clock in `no_std`); the
    /// default is [`DEFAULT_SPIN_BUDGET`](crate::DEFAULT_SPIN_BUDGET).
    /// Applies to rounds that start after the change.
    pub fn set_spin_budget(&self, polls: u64) {
        self.state().spin_budget = polls;
    }

    /// Sets a function a waiting CPU calls after every poll (for example
    /// `std::thread::yield_now` on a host, so waiting threads leave the CPU to
    /// the ones still to arrive). `None` (the default) only issues a spin-loop
    /// hint.
    pub fn set_spin_relax(&self, relax: Option<fn()>) {
        self.state().relax = relax;
    }

    /// Arms a fault.
    ///
    /// # Errors
    ///
    /// [`SimError::FaultsFull`] when [`MAX_FAULTS`](crate::MAX_FAULTS)
    /// are armed.
    pub fn inject(&self, fault: Fault) -> Result<(), SimError> {
        self.state().faults.arm(fault)
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// How many times an injected fault fired.
    #[must_use]
    pub fn faults_fired(&self) -> u32 {
        self.state().faults.fired()
    }

    /// Switches quirks on or off.
    pub fn set_quirks(&self, quirks: Quirks) {
        self.state().quirks = quirks;
    }

    /// The quirks in force.
    #[must_use]
    pub fn quirks(&self) -> Quirks {
        self.state().quirks
    }

    /// Sets how the inventory changes after the next successful activation
    /// (once; then it is [`InventoryChange::Unchanged`] again).
    pub fn set_post_activation(&self, change: InventoryChange) {
        self.state().change = change;
    }

    /// The inventory change still waiting for an activation.
    #[must_use]
    pub fn post_activation(&self) -> InventoryChange {
        self.state().change
    }

    /// Stages `version` for the component with `uuid`: it becomes pending
    /// (as if a new image had arrived by another channel).
    ///
    /// It also forgets that `LFA_GET_INVENTORY` read the component
    /// ([`SimAgent::inventory_read`]): TF-A loads the pending flag from the
    /// platform only in `LFA_GET_INVENTORY`, so in the [`Profile::TfA`]
    /// profile `LFA_PRIME` of a newly staged image returns `WRONG_STATE`
    /// until the component is read again. (The clean profile does not look
    /// at the flag.)
    ///
    /// # Errors
    ///
    /// [`SimError::NoSuchComponent`] when no component has `uuid`.
    pub fn stage(&self, uuid: Uuid, version: FirmwareVersion) -> Result<(), SimError> {
        self.state().stage(uuid, version)
    }

    /// Clears the pending flag and version of the component with `uuid` (the
    /// staged image went away).
    ///
    /// # Errors
    ///
    /// [`SimError::NoSuchComponent`] when no component has `uuid`.
    pub fn unstage(&self, uuid: Uuid) -> Result<(), SimError> {
        let mut state = self.state();
        let c = state.find_mut(uuid).ok_or(SimError::NoSuchComponent)?;
        c.flags = c.flags.difference(InventoryFlags::ACTIVATION_PENDING);
        c.pending_version = FirmwareVersion::new(0, 0);
        Ok(())
    }

    // ---- inspection ------------------------------------------------------

    /// The phase of the state machine.
    #[must_use]
    pub fn phase(&self) -> Phase {
        match self.profile {
            Profile::TfA => self.state().phase,
            Profile::Clean => sim_phase(self.agent.phase()),
        }
    }

    /// How many components are registered.
    #[must_use]
    pub fn component_count(&self) -> u32 {
        self.state().count()
    }

    /// The component at `seq_id` now.
    #[must_use]
    pub fn component(&self, seq_id: SeqId) -> Option<SimComponent> {
        self.state().component(seq_id)
    }

    /// The id and state of the component with `uuid`.
    #[must_use]
    pub fn component_by_uuid(&self, uuid: Uuid) -> Option<(SeqId, SimComponent)> {
        self.state().find(uuid)
    }

    /// Calls `f` with every component, in id order.
    pub fn inspect_components<R>(&self, f: impl FnOnce(&[SimComponent]) -> R) -> R {
        f(self.state().components())
    }

    /// TF-A profile bookkeeping: whether GET_INVENTORY has read `seq_id`
    /// since the last inventory change or [`SimAgent::stage`] of it (PRIME
    /// needs it there).
    #[must_use]
    pub fn inventory_read(&self, seq_id: SeqId) -> bool {
        self.state().inventory_read(seq_id)
    }

    /// How many activations completed.
    #[must_use]
    pub fn activations(&self) -> u32 {
        self.state().activations
    }

    /// Whether a CPU ever gave up waiting in a rendezvous (TF-A profile), or
    /// a rendezvous round ever ran out of time (clean profile).
    #[must_use]
    pub fn hang_detected(&self) -> bool {
        self.hangs() > 0
    }

    /// How many times a CPU gave up waiting in a rendezvous (clean profile:
    /// how many waiting CPUs a round that ran out of time released).
    #[must_use]
    pub fn hangs(&self) -> u32 {
        self.state().hangs
    }

    /// TF-A profile: CPUs left waiting in the pen by a CANCEL of a
    /// component without cancel hook. They wait (within their spin budget)
    /// and count in the next rendezvous round; 0 in the clean profile.
    #[must_use]
    pub fn stranded_cpus(&self) -> u32 {
        self.state().stranded()
    }

    /// How many calls are inside [`SimAgent::handle`] right now (CPUs in
    /// the pen, waiting for the lock or in an activation step included).
    #[must_use]
    pub fn calls_in_progress(&self) -> u32 {
        self.in_progress.load(Ordering::Acquire)
    }

    /// A copy of the call log.
    #[must_use]
    pub fn log(&self) -> CallLog<L> {
        *self.log.lock()
    }

    /// Calls `f` with the call log, without copying it.
    pub fn with_log<R>(&self, f: impl FnOnce(&CallLog<L>) -> R) -> R {
        f(&self.log.lock())
    }

    /// Every call answered since the log was last cleared (kept in the log or
    /// not).
    #[must_use]
    pub fn call_count(&self) -> u64 {
        self.log.lock().total()
    }

    /// Empties the call log.
    pub fn clear_log(&self) {
        self.log.lock().clear();
    }
}

/// `polls` polls (a spin-loop hint, then `relax`).
pub(crate) fn spin(polls: u64, relax: Option<fn()>) {
    for _ in 0..polls {
        core::hint::spin_loop();
        if let Some(relax) = relax {
            relax();
        }
    }
}

impl<const N: usize, const L: usize> Conduit for SimAgent<N, L> {
    fn call(&self, args: &Regs) -> Regs {
        self.handle(args)
    }
}
