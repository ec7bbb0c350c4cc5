// SPDX-License-Identifier: MIT OR Apache-2.0
//! The simulator's state (components, faults, quirks, counters) and the
//! TF-A profile's state machine: what one call does, decided with the lock
//! held. The clean profile's state machine is `lfa-agent`'s
//! ([`SimPlatform`](crate::SimPlatform)).

use lfa_proto::{
    ActivateFlags, ActivateRequest, AnyRequest, AnyResponse, CancelResponse, FeaturesResponse,
    FunctionId, GetInfoResponse, InventoryResponse, LfaError, LfaVersion, PrimeResponse, Regs,
    SeqId, VersionResponse, regs::from_signed,
};

use super::faults::FaultTable;
use super::rendezvous::{DEFAULT_SPIN_BUDGET, Outcomes, Pen};
use super::{InventoryChange, Quirks, SimComponent, SimError};

/// x0 returned to a CPU that gave up waiting in a rendezvous, or for the
/// lock a running activation step holds (the simulator detected a hang;
/// TF-A profile only). It is no LFA status: clients decode it as
/// `LfaError::Unknown(HANG_STATUS)`. x1 is 0; other registers are echoed.
pub const HANG_STATUS: i64 = -0x4841_4E47;

/// How the CPUs of an activation take part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActivationMode {
    /// Every online CPU calls ACTIVATE (skip_cpu_rendezvous clear).
    Rendezvous,
    /// One CPU activates alone (skip_cpu_rendezvous set).
    SkipRendezvous,
}

/// Where the agent is in the PRIME / ACTIVATE / CANCEL state machine.
///
/// The component named by the phase is the agent's *current* one: ACTIVATE and
/// CANCEL must name it. In the [`Profile::Clean`](crate::Profile::Clean)
/// profile this is `lfa_agent::Phase` in the simulator's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Phase {
    /// Nothing primed or being activated.
    #[default]
    Idle,
    /// PRIME started; `calls` CALL_AGAIN answers were given so far.
    Priming {
        /// The component.
        seq_id: SeqId,
        /// CALL_AGAIN answers given.
        calls: u32,
    },
    /// PRIME completed; ACTIVATE may follow.
    Primed {
        /// The component.
        seq_id: SeqId,
    },
    /// ACTIVATE started.
    Activating {
        /// The component.
        seq_id: SeqId,
        /// With or without a rendezvous.
        mode: ActivationMode,
        /// Rounds answered with CALL_AGAIN so far. Once one round has been
        /// answered (or from the start, for a skip-rendezvous activation) the
        /// activation can no longer be cancelled: CANCEL answers BUSY.
        rounds_done: u32,
        /// CPUs waiting in the rendezvous of the current round.
        waiting: u32,
    },
    /// TF-A profile only: the activation completed and the agent keeps the
    /// component current until it is cancelled (unless its activator resets
    /// the agent: [`SimComponent::resets_agent`]).
    Activated {
        /// The component.
        seq_id: SeqId,
    },
}

impl Phase {
    /// The current component, if any.
    #[must_use]
    pub const fn current(&self) -> Option<SeqId> {
        match *self {
            Self::Idle => None,
            Self::Priming { seq_id, .. }
            | Self::Primed { seq_id }
            | Self::Activating { seq_id, .. }
            | Self::Activated { seq_id } => Some(seq_id),
        }
    }

    /// The same phase for a component whose id moved (or `Idle` if it left).
    fn renumbered(self, map: impl Fn(SeqId) -> Option<SeqId>) -> Self {
        let Some(old) = self.current() else {
            return self;
        };
        let Some(seq_id) = map(old) else {
            return Self::Idle;
        };
        match self {
            Self::Idle => Self::Idle,
            Self::Priming { calls, .. } => Self::Priming { seq_id, calls },
            Self::Primed { .. } => Self::Primed { seq_id },
            Self::Activating {
                mode,
                rounds_done,
                waiting,
                ..
            } => Self::Activating {
                seq_id,
                mode,
                rounds_done,
                waiting,
            },
            Self::Activated { .. } => Self::Activated { seq_id },
        }
    }
}

/// The answer to one call, before it is written into registers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reply {
    /// Success.
    Ok(AnyResponse),
    /// An error status (any x0); the profile decides what else is written.
    Err(u64),
    /// x0 = this value and nothing else written.
    Raw(u64),
    /// x0 = this value and x1 = 0 (TF-A's late skip ACTIVATE during a
    /// rendezvous round: BUSY with x1 cleared).
    ErrX1Zero(u64),
    /// Every register as sent.
    Echo,
    /// A CPU gave up waiting in the pen.
    Hang,
}

const fn err(error: LfaError) -> Reply {
    Reply::Err(error.to_x0())
}

const fn ok(response: AnyResponse) -> Reply {
    Reply::Ok(response)
}

/// What the caller of `dispatch` does next, after dropping the lock.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Action {
    /// Return this.
    Reply(Reply),
    /// Wait in the pen for round `generation` to end.
    Wait {
        generation: u32,
        budget: u64,
        relax: Option<fn()>,
    },
    /// Spend `polls` polls on the activation step (the agent's lock held),
    /// then call `finish_step`.
    Work { polls: u64, relax: Option<fn()> },
    /// A rendezvous ACTIVATE while an activation step holds the agent's
    /// lock: wait (bounded) until the step ends, then call `decide` again.
    Blocked { budget: u64, relax: Option<fn()> },
}

/// Everything the lock protects.
#[derive(Clone, Copy, Debug)]
pub(crate) struct State<const N: usize> {
    components: [SimComponent; N],
    count: usize,
    /// TF-A profile: GET_INVENTORY was called for this id (PRIME needs it).
    inventory_read: [bool; N],
    /// The platform's image-load "again" answers given per component (both
    /// profiles; kept in id order with `components`).
    loads: [u32; N],
    /// TF-A profile: CPUs left waiting in the pen by a CANCEL without cancel
    /// hook; they join the next rendezvous round.
    stranded: u32,
    /// TF-A profile: an activation step that takes time is running (the
    /// agent's lock is held).
    pub(crate) busy_step: bool,
    pub(crate) phase: Phase,
    pub(crate) online_cpus: u32,
    pub(crate) spin_budget: u64,
    pub(crate) relax: Option<fn()>,
    pub(crate) faults: FaultTable,
    pub(crate) change: InventoryChange,
    pub(crate) quirks: Quirks,
    pub(crate) hangs: u32,
    pub(crate) activations: u32,
    outcomes: Outcomes,
    /// Clean profile: the activation rounds answered with CALL_AGAIN so far.
    pub(crate) clean_rounds: u32,
    /// Clean profile: how many activation steps and cancels the agent asked
    /// the platform for (a rendezvous ACTIVATE that fails with none in
    /// between ran out of time).
    pub(crate) steps: u64,
}

const PLACEHOLDER: SimComponent = SimComponent::new(lfa_proto::Uuid::nil());
const SEQ_ID_FUNCTIONS: [FunctionId; 4] = [
    FunctionId::GetInventory,
    FunctionId::Prime,
    FunctionId::Activate,
    FunctionId::Cancel,
];

fn index(seq_id: SeqId) -> Option<usize> {
    usize::try_from(seq_id.0).ok()
}

fn seq(index: usize) -> SeqId {
    // `add` keeps the count within u32, so every index fits.
    SeqId(u32::try_from(index).unwrap_or(u32::MAX))
}

impl<const N: usize> State<N> {
    pub(crate) const fn new() -> Self {
        Self {
            components: [PLACEHOLDER; N],
            count: 0,
            inventory_read: [false; N],
            loads: [0; N],
            stranded: 0,
            busy_step: false,
            phase: Phase::Idle,
            online_cpus: 1,
            spin_budget: DEFAULT_SPIN_BUDGET,
            relax: None,
            faults: FaultTable::new(),
            change: InventoryChange::Unchanged,
            quirks: Quirks {
                echo_x0_when_empty: false,
                leave_x4_x5: false,
            },
            hangs: 0,
            activations: 0,
            outcomes: Outcomes::new(),
            clean_rounds: 0,
            steps: 0,
        }
    }

    // ---- configuration and inspection --------------------------------

    pub(crate) fn add(&mut self, component: SimComponent) -> Result<SeqId, SimError> {
        let full = SimError::Full { capacity: N };
        if u32::try_from(self.count).is_err() {
            return Err(full);
        }
        let slot = self.components.get_mut(self.count).ok_or(full)?;
        *slot = component;
        if let Some(loads) = self.loads.get_mut(self.count) {
            *loads = 0;
        }
        let id = seq(self.count);
        self.count += 1;
        Ok(id)
    }

    pub(crate) fn components(&self) -> &[SimComponent] {
        self.components.get(..self.count).unwrap_or(&[])
    }

    pub(crate) fn count(&self) -> u32 {
        u32::try_from(self.count).unwrap_or(u32::MAX)
    }

    pub(crate) fn component(&self, seq_id: SeqId) -> Option<SimComponent> {
        index(seq_id)
            .and_then(|i| self.components().get(i))
            .copied()
    }

    pub(crate) fn component_mut(&mut self, seq_id: SeqId) -> Option<&mut SimComponent> {
        let i = index(seq_id)?;
        self.components
            .get_mut(..self.count)
            .and_then(|c| c.get_mut(i))
    }

    pub(crate) fn find(&self, uuid: lfa_proto::Uuid) -> Option<(SeqId, SimComponent)> {
        self.components()
            .iter()
            .position(|c| c.uuid == uuid)
            .and_then(|i| self.components().get(i).map(|c| (seq(i), *c)))
    }

    pub(crate) fn find_mut(&mut self, uuid: lfa_proto::Uuid) -> Option<&mut SimComponent> {
        self.components
            .get_mut(..self.count)
            .and_then(|c| c.iter_mut().find(|c| c.uuid == uuid))
    }

    /// Stages `version` for `uuid` and forgets that its entry was read.
    pub(crate) fn stage(
        &mut self,
        uuid: lfa_proto::Uuid,
        version: lfa_proto::FirmwareVersion,
    ) -> Result<(), SimError> {
        let (seq_id, _) = self.find(uuid).ok_or(SimError::NoSuchComponent)?;
        let c = self
            .component_mut(seq_id)
            .ok_or(SimError::NoSuchComponent)?;
        *c = c.pending(version);
        if let Some(flag) = index(seq_id).and_then(|i| self.inventory_read.get_mut(i)) {
            *flag = false;
        }
        Ok(())
    }

    pub(crate) fn inventory_read(&self, seq_id: SeqId) -> bool {
        index(seq_id)
            .and_then(|i| self.inventory_read.get(..self.count)?.get(i))
            .copied()
            .unwrap_or(false)
    }

    pub(crate) fn mark_read(&mut self, seq_id: SeqId) {
        if let Some(flag) = index(seq_id).and_then(|i| self.inventory_read.get_mut(i)) {
            *flag = true;
        }
    }

    /// The platform's image load of `seq_id`: `true` for "again". Once it
    /// completes, a per-sequence component's answers start over; a
    /// per-boot one's stay used up until [`State::restore_loads`].
    pub(crate) fn load_image(&mut self, seq_id: SeqId) -> bool {
        let Some(c) = self.component(seq_id) else {
            return false;
        };
        let Some(given) = index(seq_id).and_then(|i| self.loads.get_mut(i)) else {
            return false;
        };
        if *given < c.prime_rounds {
            *given += 1;
            true
        } else {
            if !c.again_per_boot {
                *given = 0;
            }
            false
        }
    }

    /// A PRIME sequence of `seq_id` starts over (a new sequence, or one
    /// that failed): per-sequence "again" answers are given again.
    pub(crate) fn restart_loads(&mut self, seq_id: SeqId) {
        if self.component(seq_id).is_some_and(|c| !c.again_per_boot) {
            self.restore_loads(seq_id);
        }
    }

    /// An accepted CANCEL of `seq_id`: its "again" answers are restored.
    pub(crate) fn restore_loads(&mut self, seq_id: SeqId) {
        if let Some(given) = index(seq_id).and_then(|i| self.loads.get_mut(i)) {
            *given = 0;
        }
    }

    /// The activation step of `seq_id` takes this many polls.
    pub(crate) fn activation_polls(&self, seq_id: SeqId) -> u64 {
        self.component(seq_id).map_or(0, |c| c.activation_polls)
    }

    /// TF-A profile: the agent's lock is held by a skip-rendezvous
    /// activation or by a running activation step.
    fn lock_held(&self) -> bool {
        self.busy_step
            || matches!(
                self.phase,
                Phase::Activating {
                    mode: ActivationMode::SkipRendezvous,
                    ..
                }
            )
    }

    /// TF-A profile: CPUs in the pen that no round counts (see `stranded`).
    pub(crate) const fn stranded(&self) -> u32 {
        self.stranded
    }

    // ---- one call ----------------------------------------------------

    /// TF-A profile: decides the answer to `args`, or that the caller must
    /// wait in the pen.
    pub(crate) fn dispatch(&mut self, args: &Regs, pen: &Pen) -> Action {
        let [x0, ..] = args.x;
        let function = FunctionId::try_from(x0).ok();
        if self.count == 0 {
            if self.quirks.echo_x0_when_empty && function.is_some() {
                return Action::Reply(Reply::Echo);
            }
            // The whole standard service is gone.
            return Action::Reply(Reply::Raw(LfaError::NotSupported.to_x0()));
        }
        let Some(function) = function else {
            return Action::Reply(Reply::Raw(LfaError::NotSupported.to_x0()));
        };
        if let Some(x0) = self.faults.take(function, false) {
            return Action::Reply(Reply::Raw(x0));
        }
        self.decide(args, pen)
    }

    /// TF-A profile: `dispatch` after the service and immediate-fault checks
    /// (also the second try of an ACTIVATE that waited for the lock).
    pub(crate) fn decide(&mut self, args: &Regs, pen: &Pen) -> Action {
        let Ok(function) = FunctionId::try_from(args.x[0]) else {
            return Action::Reply(Reply::Raw(LfaError::NotSupported.to_x0()));
        };
        let mut view = *args;
        // TF-A reads only the low 32 bits of an id, and (inferred) only bit 0
        // of the activate flags.
        if SEQ_ID_FUNCTIONS.contains(&function) {
            view.x[1] &= u64::from(u32::MAX);
        }
        if function == FunctionId::Activate {
            view.x[2] &= ActivateFlags::all().bits();
        }
        let request = match AnyRequest::decode(&view) {
            Ok(request) => request,
            Err(e) => return Action::Reply(err(e.agent_status())),
        };
        Action::Reply(match request {
            AnyRequest::Version(_) => ok(AnyResponse::Version(VersionResponse {
                version: LfaVersion::V1_0,
            })),
            AnyRequest::Features(f) => match f.function() {
                Ok(_) => ok(AnyResponse::Features(FeaturesResponse)),
                Err(_) => err(LfaError::NotSupported),
            },
            AnyRequest::GetInfo(_) => ok(AnyResponse::GetInfo(GetInfoResponse {
                component_count: self.count(),
            })),
            AnyRequest::GetInventory(r) => self.get_inventory(r.seq_id),
            AnyRequest::Prime(r) => self.prime(r.seq_id),
            AnyRequest::Activate(r) => return self.activate(&r, pen),
            AnyRequest::Cancel(r) => self.cancel(r.seq_id, pen),
        })
    }

    fn get_inventory(&mut self, seq_id: SeqId) -> Reply {
        let Some(c) = self.component(seq_id) else {
            return err(LfaError::InvalidParameters);
        };
        self.mark_read(seq_id);
        ok(AnyResponse::GetInventory(InventoryResponse {
            uuid: c.uuid,
            flags: c.flags,
            current_version: c.current_version,
            pending_version: c.pending_version,
        }))
    }

    fn prime(&mut self, seq_id: SeqId) -> Reply {
        const DONE: Reply = ok(AnyResponse::Prime(PrimeResponse::DONE));
        const AGAIN: Reply = ok(AnyResponse::Prime(PrimeResponse::CALL_AGAIN));
        // BUSY comes only from the lock a skip activation (or a running
        // activation step) holds; CPUs waiting in the pen do not hold it.
        if self.lock_held() {
            return err(LfaError::Busy);
        }
        let Some(c) = self.component(seq_id) else {
            return err(LfaError::InvalidParameters);
        };
        // The pending flag is loaded from the platform only by GET_INVENTORY.
        if !(self.inventory_read(seq_id) && c.is_pending()) {
            return err(LfaError::WrongState);
        }
        if !c.is_capable() {
            return err(LfaError::NotSupported);
        }
        let calls = match self.phase {
            Phase::Idle => {
                self.restart_loads(seq_id);
                0
            }
            Phase::Priming { seq_id: cur, calls } => {
                if cur != seq_id {
                    return err(LfaError::WrongState);
                }
                calls
            }
            Phase::Primed { .. } | Phase::Activating { .. } | Phase::Activated { .. } => {
                // The prime is complete: the image load of the component
                // named runs as usual, and the current component stays.
                if let Some(x0) = self.faults.take(FunctionId::Prime, true) {
                    return Reply::Err(x0);
                }
                return if self.load_image(seq_id) { AGAIN } else { DONE };
            }
        };
        if let Some(x0) = self.faults.take(FunctionId::Prime, true) {
            self.phase = Phase::Idle;
            self.restart_loads(seq_id);
            return Reply::Err(x0);
        }
        if self.load_image(seq_id) {
            self.phase = Phase::Priming {
                seq_id,
                calls: calls + 1,
            };
            AGAIN
        } else {
            self.phase = Phase::Primed { seq_id };
            DONE
        }
    }

    fn activate(&mut self, r: &ActivateRequest, pen: &Pen) -> Action {
        let seq_id = r.seq_id;
        let skip = r.flags.contains(ActivateFlags::SKIP_CPU_RENDEZVOUS);
        let current = self.phase.current();
        if current != Some(seq_id) {
            return Action::Reply(err(LfaError::InvalidParameters));
        }
        let Some(c) = self.component(seq_id) else {
            return Action::Reply(err(LfaError::InvalidParameters));
        };
        if matches!(
            self.phase,
            Phase::Idle | Phase::Priming { .. } | Phase::Activated { .. }
        ) || !c.is_pending()
        {
            return Action::Reply(err(LfaError::ComponentWrongState));
        }
        if skip && c.rendezvous_required() {
            return Action::Reply(err(LfaError::InvalidParameters));
        }
        if self.busy_step {
            // A step holds the lock: a skip ACTIVATE is refused (x1 kept),
            // a rendezvous one waits for the lock.
            return if skip {
                Action::Reply(err(LfaError::Busy))
            } else {
                Action::Blocked {
                    budget: self.spin_budget,
                    relax: self.relax,
                }
            };
        }
        let waiting = match self.phase {
            Phase::Activating { mode, waiting, .. } => match (mode, skip) {
                // A late skip while a rendezvous round runs: x1 = 0.
                (ActivationMode::Rendezvous, true) => {
                    return Action::Reply(Reply::ErrX1Zero(LfaError::Busy.to_x0()));
                }
                // A rendezvous call between the rounds of a skip activation.
                (ActivationMode::SkipRendezvous, false) => {
                    return Action::Reply(err(LfaError::Busy));
                }
                _ => waiting,
            },
            _ => {
                // CPUs stranded in the pen count in the new round.
                let waiting = if skip {
                    0
                } else {
                    core::mem::take(&mut self.stranded)
                };
                self.phase = Phase::Activating {
                    seq_id,
                    mode: if skip {
                        ActivationMode::SkipRendezvous
                    } else {
                        ActivationMode::Rendezvous
                    },
                    rounds_done: 0,
                    waiting,
                };
                waiting
            }
        };
        let arrived = waiting.saturating_add(1);
        if skip || arrived >= self.online_cpus {
            let polls = self.activation_polls(seq_id);
            if polls > 0 {
                self.busy_step = true;
                return Action::Work {
                    polls,
                    relax: self.relax,
                };
            }
            return Action::Reply(self.finish_step(pen));
        }
        if let Phase::Activating { waiting, .. } = &mut self.phase {
            *waiting = arrived;
        }
        Action::Wait {
            generation: pen.generation(),
            budget: self.spin_budget,
            relax: self.relax,
        }
    }

    /// Performs the activation step (the skip CPU's, or the last CPU's of a
    /// rendezvous round) and releases the round's waiting CPUs with its
    /// answer.
    pub(crate) fn finish_step(&mut self, pen: &Pen) -> Reply {
        self.busy_step = false;
        let waiting = match self.phase {
            Phase::Activating {
                mode: ActivationMode::Rendezvous,
                waiting,
                ..
            } => waiting,
            _ => 0,
        };
        let reply = self.activation_step();
        if waiting > 0 {
            self.end_round(pen, reply, waiting);
        }
        reply
    }

    /// One round of an activation (the phase is `Activating`).
    fn activation_step(&mut self) -> Reply {
        let Phase::Activating {
            seq_id,
            mode,
            rounds_done,
            ..
        } = self.phase
        else {
            return err(LfaError::ComponentWrongState);
        };
        let rounds = self.component(seq_id).map_or(0, |c| c.activate_rounds);
        if let Some(x0) = self.faults.take(FunctionId::Activate, true) {
            self.phase = Phase::Idle;
            return Reply::Err(x0);
        }
        if rounds_done < rounds {
            self.phase = Phase::Activating {
                seq_id,
                mode,
                rounds_done: rounds_done + 1,
                waiting: 0,
            };
            return ok(AnyResponse::Activate(
                lfa_proto::ActivateResponse::CALL_AGAIN,
            ));
        }
        if let Some(c) = self.component_mut(seq_id) {
            *c = c.activated();
        }
        self.activations = self.activations.saturating_add(1);
        // The component stays current until a CANCEL, unless its activator
        // resets the agent.
        self.phase = if self.component(seq_id).is_some_and(|c| c.resets_agent) {
            Phase::Idle
        } else {
            Phase::Activated { seq_id }
        };
        self.apply_change();
        ok(AnyResponse::Activate(lfa_proto::ActivateResponse::DONE))
    }

    fn cancel(&mut self, seq_id: SeqId, pen: &Pen) -> Reply {
        if self.phase.current() != Some(seq_id) {
            return err(LfaError::InvalidParameters);
        }
        if self.busy_step {
            return err(LfaError::Busy);
        }
        match self.phase {
            Phase::Activating {
                mode,
                rounds_done,
                waiting,
                ..
            } => {
                if mode == ActivationMode::SkipRendezvous || rounds_done > 0 {
                    return err(LfaError::Busy);
                }
                if waiting > 0 {
                    if self.component(seq_id).is_some_and(|c| c.cancel_hook) {
                        self.end_round(pen, err(LfaError::ActivationFailed), waiting);
                    } else {
                        // Without a hook the waiting CPUs stay in the pen
                        // and count in the next round.
                        self.stranded = self.stranded.saturating_add(waiting);
                    }
                }
            }
            // The CPUs of the round that completed are still leaving.
            Phase::Activated { .. } if self.outcomes.unread() > 0 => {
                return err(LfaError::Busy);
            }
            _ => {}
        }
        self.restore_loads(seq_id);
        self.phase = Phase::Idle;
        ok(AnyResponse::Cancel(CancelResponse))
    }

    // ---- the pen -----------------------------------------------------

    /// Ends the round now gathering with `reply`, kept for its `waiting`
    /// CPUs in the pen until each has read it.
    fn end_round(&mut self, pen: &Pen, reply: Reply, waiting: u32) {
        self.outcomes.push(pen.generation(), reply, waiting);
        pen.release();
    }

    /// A CPU leaves the pen of round `generation`, released or out of budget.
    pub(crate) fn leave_pen(&mut self, generation: u32, pen: &Pen) -> Reply {
        if pen.generation() == generation {
            // Still gathering: this CPU gives up its place, in the round or
            // among the stranded CPUs.
            match &mut self.phase {
                Phase::Activating {
                    mode: ActivationMode::Rendezvous,
                    waiting,
                    ..
                } if *waiting > 0 => *waiting -= 1,
                _ => self.stranded = self.stranded.saturating_sub(1),
            }
        } else if let Some(reply) = self.outcomes.take(generation) {
            return reply;
        }
        self.hangs = self.hangs.saturating_add(1);
        Reply::Hang
    }

    // ---- inventory changes -------------------------------------------

    /// Applies the change set for the next successful activation, once.
    pub(crate) fn apply_change(&mut self) {
        let change = core::mem::take(&mut self.change);
        self.apply(change);
    }

    fn apply(&mut self, change: InventoryChange) {
        let count = self.count;
        match change {
            InventoryChange::Unchanged => return,
            InventoryChange::Rotate => {
                // `rotate_*` asserts that the slice is long enough; the
                // emptiness checks here (never true after an activation)
                // keep that panic path out of the build.
                if let Some(components) = self.components.get_mut(..count) {
                    if !components.is_empty() {
                        components.rotate_right(1);
                    }
                }
                if let Some(loads) = self.loads.get_mut(..count) {
                    if !loads.is_empty() {
                        loads.rotate_right(1);
                    }
                }
                let n = self.count();
                self.phase = self
                    .phase
                    .renumbered(|s| Some(SeqId(s.0.saturating_add(1) % n.max(1))));
            }
            InventoryChange::Add(component) => {
                // A full table ignores the change (documented).
                let _ignored = self.add(component);
            }
            InventoryChange::Remove(uuid) => {
                let Some(gone) = self.components().iter().position(|c| c.uuid == uuid) else {
                    return;
                };
                if let Some(tail) = self.components.get_mut(gone..count) {
                    if !tail.is_empty() {
                        tail.rotate_left(1);
                    }
                }
                if let Some(tail) = self.loads.get_mut(gone..count) {
                    if !tail.is_empty() {
                        tail.rotate_left(1);
                    }
                }
                self.count = count.saturating_sub(1);
                let gone = seq(gone);
                self.phase = self.phase.renumbered(|s| match s.cmp(&gone) {
                    core::cmp::Ordering::Less => Some(s),
                    core::cmp::Ordering::Equal => None,
                    core::cmp::Ordering::Greater => Some(SeqId(s.0 - 1)),
                });
            }
        }
        self.inventory_read = [false; N];
    }
}

/// Writes `reply` into the caller's registers as TF-A does.
pub(crate) fn respond(args: &Regs, reply: Reply) -> Regs {
    let mut regs = *args;
    match reply {
        Reply::Echo => {}
        Reply::Raw(x0) => regs.x[0] = x0,
        Reply::ErrX1Zero(x0) => {
            regs.x[0] = x0;
            regs.x[1] = 0;
        }
        Reply::Hang => {
            regs.x[0] = from_signed(HANG_STATUS);
            regs.x[1] = 0;
        }
        Reply::Err(x0) => {
            regs.x[0] = x0;
            if args.x[0] == FunctionId::Activate.to_x0() && x0 != LfaError::Busy.to_x0() {
                // TF-A's ACTIVATE clears x1 on its errors, except BUSY.
                regs.x[1] = 0;
            }
        }
        Reply::Ok(response) => {
            response.encode_into(&mut regs);
            // TF-A leaves x4/x5 (the versions) as the caller sent them.
            if matches!(response, AnyResponse::GetInventory(_)) {
                regs.x[4] = args.x[4];
                regs.x[5] = args.x[5];
            }
        }
    }
    regs
}
