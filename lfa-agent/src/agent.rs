// SPDX-License-Identifier: MIT OR Apache-2.0
//! The agent: the state machine (behind one lock) and the holding pen (CPUs
//! that wait for a rendezvous spin outside the lock, on an atomic round
//! counter).

use lfa_proto::{
    ActivateFlags, ActivateRequest, ActivateResponse, CancelRequest, CancelResponse, DecodeError,
    FeaturesRequest, FeaturesResponse, FunctionId, GetInfoRequest, GetInfoResponse,
    GetInventoryRequest, InventoryFlags, InventoryResponse, LfaError, LfaVersion, PrimeRequest,
    PrimeResponse, Regs, Request, Response, VersionRequest, VersionResponse, encode_error_into,
};

use crate::sync::{AtomicU32, Mutex, Ordering};
use crate::{Activated, Component, Platform, Step};

/// What the dispatcher does after [`Agent::handle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Return to the caller with the registers as `handle` left them.
    Return,
    /// Do not return: enter `entry_point` at the caller's exception level
    /// with x0 = `context_id` (as for PSCI `CPU_ON`), MMU off. Only a
    /// successful ACTIVATE of a `may_reset_cpu` component whose platform
    /// answered [`Activated::ResetCpus`] exits this way; the values are this
    /// CPU's own x3 and x4. (The registers also hold a successful ACTIVATE
    /// answer, x0 = 0, x1..x3 = 0.)
    Resume {
        /// The caller's x3.
        entry_point: u64,
        /// The caller's x4.
        context_id: u64,
    },
}

/// Where the agent is (for tests and diagnostics). The component a phase
/// names is the agent's *current* one: ACTIVATE and CANCEL must name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing primed or being activated.
    Idle,
    /// PRIME started and answered CALL_AGAIN `rounds` times so far.
    Priming {
        /// The component's sequence id.
        index: u32,
        /// CALL_AGAIN answers given.
        rounds: u32,
    },
    /// PRIME completed; ACTIVATE may follow.
    Primed {
        /// The component's sequence id.
        index: u32,
    },
    /// ACTIVATE started. Once it is committed (a skip-rendezvous activation
    /// from the start, a rendezvous one once a round was answered with
    /// CALL_AGAIN, `rounds > 0`) CANCEL answers BUSY.
    Activating {
        /// The component's sequence id.
        index: u32,
        /// One CPU activates alone (skip_cpu_rendezvous).
        skip_rendezvous: bool,
        /// Rounds answered with CALL_AGAIN so far.
        rounds: u32,
        /// CPUs waiting in the pen for the current round.
        waiting: u32,
    },
}

impl Phase {
    /// The current component, if any.
    const fn current(self) -> Option<u32> {
        match self {
            Self::Idle => None,
            Self::Priming { index, .. }
            | Self::Primed { index }
            | Self::Activating { index, .. } => Some(index),
        }
    }
}

/// Is this SMC function id (x0, all 64 bits) one of LFA's seven
/// (`0xC400_02E0..=0xC400_02E6`)? The SMC32 forms are not.
#[must_use]
pub fn owns(function_id: u64) -> bool {
    FunctionId::try_from(function_id).is_ok()
}

/// How one activation step ended, for each CPU that asked for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// x0 = 0, CALL_AGAIN clear.
    Done,
    /// x0 = 0, CALL_AGAIN set.
    Again,
    /// x0 = 0, and the CPU resumes at its entry point.
    Reset,
    /// An error status.
    Failed(LfaError),
}

/// One CPU's place in the pen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seat {
    /// Not in the pen.
    Empty,
    /// Waiting for round `round` to end.
    Waiting { round: u32 },
    /// Round `round` ended with `outcome`, which this CPU has not read yet.
    Released { round: u32, outcome: Outcome },
}

/// The answer to one call of the state machine, before it is written into
/// registers.
#[derive(Clone, Copy, Debug)]
enum Reply {
    Prime(PrimeResponse),
    Cancel(CancelResponse),
    Err(LfaError),
    Step(Outcome),
}

/// The calls that go through the state machine (the others are answered by
/// [`Agent::handle`] directly).
#[derive(Clone, Copy, Debug)]
enum Call {
    Prime(u32),
    Activate(ActivateRequest),
    Cancel(u32),
}

/// What `handle` does after the lock is dropped.
#[derive(Clone, Copy, Debug)]
enum Action {
    Reply(Reply),
    /// Wait in the pen as CPU `cpu` for round `round`, which started at
    /// `start` (`Platform::now`).
    Wait {
        cpu: usize,
        round: u32,
        start: u64,
    },
}

const fn err(error: LfaError) -> Action {
    Action::Reply(Reply::Err(error))
}

const fn primed(response: PrimeResponse) -> Action {
    Action::Reply(Reply::Prime(response))
}

/// Everything the lock protects.
struct State<const CPUS: usize> {
    phase: Phase,
    /// `Platform::now` at the first arrival of the round now gathering.
    round_start: u64,
    seats: [Seat; CPUS],
}

/// The component at `index`, if the platform has one there.
fn component<P: Platform>(platform: &P, index: u32) -> Option<Component> {
    if index < platform.component_count() {
        platform.component(index)
    } else {
        None
    }
}

impl<const CPUS: usize> State<CPUS> {
    const fn new() -> Self {
        Self {
            phase: Phase::Idle,
            round_start: 0,
            seats: [Seat::Empty; CPUS],
        }
    }

    fn dispatch<P: Platform>(&mut self, platform: &P, call: &Call, round: &AtomicU32) -> Action {
        match call {
            Call::Prime(index) => self.prime(platform, *index),
            Call::Activate(r) => self.activate(platform, r, round),
            Call::Cancel(index) => self.cancel(platform, *index, round),
        }
    }

    /// PRIME: busy -2, id -8, not capable -1, not pending -7, another
    /// component current -7; the same one already primed: 0 at once.
    fn prime<P: Platform>(&mut self, platform: &P, index: u32) -> Action {
        if matches!(self.phase, Phase::Activating { .. }) {
            return err(LfaError::Busy);
        }
        let Some(c) = component(platform, index) else {
            return err(LfaError::InvalidParameters);
        };
        if !c.capable {
            return err(LfaError::NotSupported);
        }
        if !platform.is_pending(index) {
            return err(LfaError::WrongState);
        }
        let rounds = match self.phase {
            Phase::Idle => 0,
            Phase::Priming { index: cur, rounds } if cur == index => rounds,
            Phase::Primed { index: cur } if cur == index => {
                return primed(PrimeResponse::DONE);
            }
            Phase::Priming { .. } | Phase::Primed { .. } => return err(LfaError::WrongState),
            Phase::Activating { .. } => return err(LfaError::Busy),
        };
        match platform.prime(index) {
            Ok(Step::Done) => {
                self.phase = Phase::Primed { index };
                primed(PrimeResponse::DONE)
            }
            Ok(Step::Again) => {
                self.phase = Phase::Priming {
                    index,
                    rounds: rounds.saturating_add(1),
                };
                primed(PrimeResponse::CALL_AGAIN)
            }
            Err(e) => {
                self.phase = Phase::Idle;
                err(e)
            }
        }
    }

    /// ACTIVATE: id -8, nothing current -9, another component current -8,
    /// not primed or not pending -9, skip where a rendezvous is required -8,
    /// the other kind of activation running -2, a bad entry point of a
    /// `may_reset_cpu` component -10; then, for a rendezvous, a CPU index
    /// out of range -11 and a CPU already in the pen -2.
    fn activate<P: Platform>(
        &mut self,
        platform: &P,
        r: &ActivateRequest,
        round: &AtomicU32,
    ) -> Action {
        let index = r.seq_id.0;
        let skip = r.flags.contains(ActivateFlags::SKIP_CPU_RENDEZVOUS);
        let Some(c) = component(platform, index) else {
            return err(LfaError::InvalidParameters);
        };
        let Some(current) = self.phase.current() else {
            return err(LfaError::ComponentWrongState);
        };
        if current != index {
            return err(LfaError::InvalidParameters);
        }
        if matches!(self.phase, Phase::Priming { .. }) || !platform.is_pending(index) {
            return err(LfaError::ComponentWrongState);
        }
        if skip && c.rendezvous_required {
            return err(LfaError::InvalidParameters);
        }
        let (rounds, waiting) = match self.phase {
            Phase::Activating {
                skip_rendezvous,
                rounds,
                waiting,
                ..
            } => {
                if skip != skip_rendezvous {
                    return err(LfaError::Busy);
                }
                (rounds, waiting)
            }
            _ => (0, 0),
        };
        if c.may_reset_cpu && !platform.valid_entry_point(r.entry_point) {
            return err(LfaError::InvalidAddress);
        }
        if skip {
            self.phase = Phase::Activating {
                index,
                skip_rendezvous: true,
                rounds,
                waiting: 0,
            };
            return Action::Reply(Reply::Step(self.step(platform, &c, r)));
        }
        let cpu = platform.cpu_index();
        let Some(seat) = self.seats.get_mut(cpu) else {
            return err(LfaError::ActivationFailed);
        };
        if *seat != Seat::Empty {
            return err(LfaError::Busy);
        }
        if waiting == 0 {
            self.round_start = platform.now();
        }
        let arrived = waiting.saturating_add(1);
        if arrived >= platform.cpus_on() {
            self.phase = Phase::Activating {
                index,
                skip_rendezvous: false,
                rounds,
                waiting,
            };
            let outcome = self.step(platform, &c, r);
            self.end_round(round, outcome);
            return Action::Reply(Reply::Step(outcome));
        }
        // The round counter changes only with the lock held, which we hold.
        let current_round = round.load(Ordering::Relaxed);
        *seat = Seat::Waiting {
            round: current_round,
        };
        self.phase = Phase::Activating {
            index,
            skip_rendezvous: false,
            rounds,
            waiting: arrived,
        };
        Action::Wait {
            cpu,
            round: current_round,
            start: self.round_start,
        }
    }

    /// One activation step, by the only CPU (skip) or the last to arrive.
    fn step<P: Platform>(&mut self, platform: &P, c: &Component, r: &ActivateRequest) -> Outcome {
        let Phase::Activating {
            index,
            skip_rendezvous,
            rounds,
            ..
        } = self.phase
        else {
            return Outcome::Failed(LfaError::ComponentWrongState);
        };
        let (phase, outcome) = match platform.activate(index, r.entry_point, r.context_id) {
            Ok(Activated::Return) => (Phase::Idle, Outcome::Done),
            Ok(Activated::ResetCpus) if c.may_reset_cpu => (Phase::Idle, Outcome::Reset),
            // The caller promised no entry point: it cannot be resumed.
            Ok(Activated::ResetCpus) => (Phase::Idle, Outcome::Failed(LfaError::CriticalError)),
            Ok(Activated::Again) => (
                Phase::Activating {
                    index,
                    skip_rendezvous,
                    rounds: rounds.saturating_add(1),
                    waiting: 0,
                },
                Outcome::Again,
            ),
            Err(e) => (Phase::Idle, Outcome::Failed(e)),
        };
        self.phase = phase;
        outcome
    }

    /// CANCEL: id -8, not the current component -8, committed -2; else the
    /// hook runs, waiting CPUs get -11, and the agent is idle.
    fn cancel<P: Platform>(&mut self, platform: &P, index: u32, round: &AtomicU32) -> Action {
        if component(platform, index).is_none() || self.phase.current() != Some(index) {
            return err(LfaError::InvalidParameters);
        }
        if let Phase::Activating {
            skip_rendezvous,
            rounds,
            ..
        } = self.phase
        {
            if skip_rendezvous || rounds > 0 {
                return err(LfaError::Busy);
            }
        }
        // Whether there was a hook changes nothing here: the agent owns the
        // pen, so it releases the waiting CPUs either way.
        let _hook = platform.cancel(index);
        self.end_round(round, Outcome::Failed(LfaError::ActivationFailed));
        self.phase = Phase::Idle;
        Action::Reply(Reply::Cancel(CancelResponse))
    }

    /// Ends the round now gathering: every CPU waiting in it is given
    /// `outcome`, then the counter they watch moves on.
    fn end_round(&mut self, round: &AtomicU32, outcome: Outcome) {
        let ended = round.load(Ordering::Relaxed);
        for seat in &mut self.seats {
            if *seat == (Seat::Waiting { round: ended }) {
                *seat = Seat::Released {
                    round: ended,
                    outcome,
                };
            }
        }
        round.store(ended.wrapping_add(1), Ordering::Release);
    }

    /// CPU `cpu` leaves the pen of round `round`: released, or out of time.
    fn leave(&mut self, cpu: usize, round: &AtomicU32, mine: u32) -> Outcome {
        let still_gathering = round.load(Ordering::Relaxed) == mine;
        if still_gathering && self.seats.get(cpu) == Some(&Seat::Waiting { round: mine }) {
            // The bound is reached: the round ends for every CPU in it. A
            // rendezvous not yet committed goes back to Primed; a committed
            // one stays Activating, to be retried (CANCEL stays BUSY).
            if let Phase::Activating { index, rounds, .. } = self.phase {
                self.phase = if rounds == 0 {
                    Phase::Primed { index }
                } else {
                    Phase::Activating {
                        index,
                        skip_rendezvous: false,
                        rounds,
                        waiting: 0,
                    }
                };
            }
            self.end_round(round, Outcome::Failed(LfaError::ActivationFailed));
        }
        let Some(seat) = self.seats.get_mut(cpu) else {
            return Outcome::Failed(LfaError::ActivationFailed);
        };
        let outcome = match *seat {
            Seat::Released { round, outcome } if round == mine => outcome,
            _ => Outcome::Failed(LfaError::ActivationFailed),
        };
        *seat = Seat::Empty;
        outcome
    }
}

/// GET_INVENTORY: id -8; x5 = 0 when nothing is pending or its version is
/// not known.
fn inventory<P: Platform>(platform: &P, index: u32) -> Result<InventoryResponse, LfaError> {
    let Some(c) = component(platform, index) else {
        return Err(LfaError::InvalidParameters);
    };
    let pending = platform.is_pending(index);
    let mut flags = InventoryFlags::empty();
    flags.set(InventoryFlags::ACTIVATION_CAPABLE, c.capable);
    flags.set(InventoryFlags::ACTIVATION_PENDING, pending);
    flags.set(InventoryFlags::MAY_RESET_CPU, c.may_reset_cpu);
    flags.set(
        InventoryFlags::CPU_RENDEZVOUS_OPTIONAL,
        !c.rendezvous_required,
    );
    Ok(InventoryResponse {
        uuid: c.uuid,
        flags,
        current_version: c.current_version,
        pending_version: c.pending_version.filter(|_| pending).unwrap_or_default(),
    })
}

/// A malformed request of a known function: x1..x3 cleared, the status in x0.
#[cold]
#[inline(never)]
fn malformed(error: DecodeError, regs: &mut Regs) {
    clear_x1_x3(regs);
    encode_error_into(error.agent_status(), regs);
}

/// Clears x1..x3, the registers every answer of this agent defines.
fn clear_x1_x3(regs: &mut Regs) {
    regs.x[1] = 0;
    regs.x[2] = 0;
    regs.x[3] = 0;
}

/// An LFA agent for `CPUS` CPUs (their [`Platform::cpu_index`] is below
/// `CPUS`), answering SMCs through [`Agent::handle`] on any number of them at
/// once. It allocates nothing; its size is about `CPUS` × 12 bytes plus the
/// platform.
///
/// On AArch64 bare metal the lock needs working exclusives (or LSE atomics),
/// so the agent must sit in Normal cacheable memory (MMU on).
pub struct Agent<P: Platform, const CPUS: usize = 64> {
    platform: P,
    state: Mutex<State<CPUS>>,
    /// The round of the pen now gathering; changed only with the lock held.
    round: AtomicU32,
}

impl<P: Platform, const CPUS: usize> Agent<P, CPUS> {
    /// An idle agent for `platform` (usable in a `static`).
    #[cfg(not(loom))]
    pub const fn new(platform: P) -> Self {
        Self {
            platform,
            state: Mutex::new(State::new()),
            round: AtomicU32::new(0),
        }
    }

    /// An idle agent for `platform` (not `const` under loom).
    #[cfg(loom)]
    pub fn new(platform: P) -> Self {
        Self {
            platform,
            state: Mutex::new(State::new()),
            round: AtomicU32::new(0),
        }
    }

    /// The platform.
    pub const fn platform(&self) -> &P {
        &self.platform
    }

    /// Is this SMC function id (x0, all 64 bits) one of LFA's seven? A
    /// dispatcher asks this before routing (the same as [`owns`]).
    #[must_use]
    pub fn owns(&self, function_id: u64) -> bool {
        owns(function_id)
    }

    /// Where the agent is.
    #[must_use]
    pub fn phase(&self) -> Phase {
        self.state.lock().phase
    }

    /// Answers one trapped call in place: reads x0..x4, writes x0..x3 (and
    /// x4/x5 for GET_INVENTORY), never touches x6..x17. A function id that is
    /// not LFA's gets NOT_SUPPORTED in x0 and nothing else is written. May
    /// wait in the holding pen, bounded by [`Platform::rendezvous_timeout`].
    pub fn handle(&self, regs: &mut Regs) -> Exit {
        let [x0, ..] = regs.x;
        let Ok(function) = FunctionId::try_from(x0) else {
            encode_error_into(LfaError::NotSupported, regs);
            return Exit::Return;
        };
        // Each call decodes its own request (the registers it defines), and
        // every answer defines x1..x3 (0 where the call gives them no
        // meaning). Only PRIME, ACTIVATE and CANCEL go through the state
        // machine; VERSION and FEATURES depend on nothing the lock protects.
        match function {
            FunctionId::Version => match VersionRequest::decode(regs) {
                Ok(_) => {
                    clear_x1_x3(regs);
                    VersionResponse {
                        version: LfaVersion::V1_0,
                    }
                    .encode_into(regs);
                }
                Err(e) => malformed(e, regs),
            },
            FunctionId::Features => match FeaturesRequest::decode(regs) {
                Ok(f) => {
                    clear_x1_x3(regs);
                    match f.function() {
                        Ok(_) => FeaturesResponse.encode_into(regs),
                        Err(_) => encode_error_into(LfaError::NotSupported, regs),
                    }
                }
                Err(e) => malformed(e, regs),
            },
            FunctionId::GetInfo => return self.info(regs),
            FunctionId::GetInventory => return self.inventory(regs),
            FunctionId::Prime | FunctionId::Activate | FunctionId::Cancel => {
                return self.state_machine(function, regs);
            }
            // A function this agent does not know (`FunctionId` may grow).
            _ => encode_error_into(LfaError::NotSupported, regs),
        }
        Exit::Return
    }

    /// GET_INFO, decoded from and answered into `regs`.
    #[inline(never)]
    fn info(&self, regs: &mut Regs) -> Exit {
        if let Err(e) = GetInfoRequest::decode(regs) {
            malformed(e, regs);
            return Exit::Return;
        }
        clear_x1_x3(regs);
        let component_count = {
            let _state = self.state.lock();
            self.platform.component_count()
        };
        GetInfoResponse { component_count }.encode_into(regs);
        Exit::Return
    }

    /// GET_INVENTORY, decoded from and answered into `regs`.
    #[inline(never)]
    fn inventory(&self, regs: &mut Regs) -> Exit {
        let index = match GetInventoryRequest::decode(regs) {
            Ok(r) => r.seq_id.0,
            Err(e) => {
                malformed(e, regs);
                return Exit::Return;
            }
        };
        clear_x1_x3(regs);
        let answer = {
            let _state = self.state.lock();
            inventory(&self.platform, index)
        };
        match answer {
            Ok(response) => response.encode_into(regs),
            Err(e) => encode_error_into(e, regs),
        }
        Exit::Return
    }

    /// PRIME, ACTIVATE and CANCEL (`function`): decoded from `regs`, run
    /// through the state machine and the pen, answered into `regs`.
    #[inline(never)]
    fn state_machine(&self, function: FunctionId, regs: &mut Regs) -> Exit {
        let call = match function {
            FunctionId::Prime => PrimeRequest::decode(regs).map(|r| Call::Prime(r.seq_id.0)),
            FunctionId::Activate => ActivateRequest::decode(regs).map(Call::Activate),
            // CANCEL: `handle` routes nothing else here.
            _ => CancelRequest::decode(regs).map(|r| Call::Cancel(r.seq_id.0)),
        };
        let call = match call {
            Ok(call) => call,
            Err(e) => {
                malformed(e, regs);
                return Exit::Return;
            }
        };
        clear_x1_x3(regs);
        let action = self
            .state
            .lock()
            .dispatch(&self.platform, &call, &self.round);
        let reply = match action {
            Action::Reply(reply) => reply,
            Action::Wait { cpu, round, start } => Reply::Step(self.wait(cpu, round, start)),
        };
        match reply {
            Reply::Prime(response) => response.encode_into(regs),
            Reply::Cancel(response) => response.encode_into(regs),
            Reply::Err(e) => encode_error_into(e, regs),
            Reply::Step(Outcome::Done) => ActivateResponse::DONE.encode_into(regs),
            Reply::Step(Outcome::Again) => ActivateResponse::CALL_AGAIN.encode_into(regs),
            Reply::Step(Outcome::Failed(e)) => encode_error_into(e, regs),
            Reply::Step(Outcome::Reset) => {
                ActivateResponse::DONE.encode_into(regs);
                if let Call::Activate(r) = call {
                    return Exit::Resume {
                        entry_point: r.entry_point,
                        context_id: r.context_id,
                    };
                }
            }
        }
        Exit::Return
    }

    /// Waits in the pen until round `mine` ends or its bound is reached,
    /// then leaves it with the lock held.
    #[inline(never)]
    fn wait(&self, cpu: usize, mine: u32, start: u64) -> Outcome {
        let timeout = self.platform.rendezvous_timeout();
        let mut last = start;
        let mut stalled = 0_u64;
        while self.round.load(Ordering::Acquire) == mine {
            let now = self.platform.now();
            if now.wrapping_sub(start) >= timeout {
                break;
            }
            if now == last {
                // A clock that does not move bounds the wait in polls.
                stalled = stalled.saturating_add(1);
                if stalled >= timeout {
                    break;
                }
            } else {
                last = now;
                stalled = 0;
            }
            self.platform.relax();
        }
        self.state.lock().leave(cpu, &self.round, mine)
    }
}

impl<P: Platform + core::fmt::Debug, const CPUS: usize> core::fmt::Debug for Agent<P, CPUS> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Agent")
            .field("platform", &self.platform)
            .field("phase", &self.phase())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::collections::{HashMap, VecDeque};
    use std::sync::Mutex as StdMutex;
    use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
    use std::thread::{self, ThreadId};
    use std::vec::Vec;

    use lfa_proto::{FirmwareVersion, FunctionId, LfaError, Regs, Uuid, regs::from_signed};

    use super::{Agent, Exit, Phase, owns};
    use crate::{Activated, Component, Platform, Step};

    const VERSION: u64 = 0xC400_02E0;
    const FEATURES: u64 = 0xC400_02E1;
    const GET_INFO: u64 = 0xC400_02E2;
    const INVENTORY: u64 = 0xC400_02E3;
    const PRIME: u64 = 0xC400_02E4;
    const ACTIVATE: u64 = 0xC400_02E5;
    const CANCEL: u64 = 0xC400_02E6;
    const SKIP: u64 = 1;

    /// 0: capable, rendezvous required, 1.0 -> 1.1.
    /// 1: capable, rendezvous optional, 2.0 -> 2.5.
    /// 2: not capable, nothing pending.
    /// 3: capable, may reset CPUs, rendezvous optional, pending version unknown.
    fn population() -> Vec<Component> {
        std::vec![
            Component::new(Uuid::from_u128(0x1000))
                .capable()
                .current(FirmwareVersion::new(1, 0))
                .pending(FirmwareVersion::new(1, 1)),
            Component::new(Uuid::from_u128(0x2000))
                .capable()
                .rendezvous_optional()
                .current(FirmwareVersion::new(2, 0))
                .pending(FirmwareVersion::new(2, 5)),
            Component::new(Uuid::from_u128(0x3000)).current(FirmwareVersion::new(3, 0)),
            Component::new(Uuid::from_u128(0x4000))
                .capable()
                .may_reset_cpu()
                .rendezvous_optional()
                .current(FirmwareVersion::new(4, 0)),
        ]
    }

    /// A test platform: scripted answers, recorded calls, a clock that
    /// advances `tick` on every read, CPUs bound to threads.
    struct Fake {
        components: Vec<Component>,
        pending: Vec<AtomicBool>,
        primes: StdMutex<VecDeque<Result<Step, LfaError>>>,
        activations: StdMutex<VecDeque<Result<Activated, LfaError>>>,
        hook: bool,
        calls: StdMutex<Vec<(&'static str, u32, u64, u64)>>,
        entry_checks: AtomicU32,
        cpus_on: AtomicU32,
        cpus: StdMutex<HashMap<ThreadId, usize>>,
        clock: AtomicU64,
        tick: u64,
        timeout: u64,
    }

    impl Fake {
        fn new() -> Self {
            let components = population();
            let pending = components
                .iter()
                .map(|c| AtomicBool::new(c.capable && c.uuid != Uuid::from_u128(0x3000)))
                .collect();
            Self {
                components,
                pending,
                primes: StdMutex::default(),
                activations: StdMutex::default(),
                hook: true,
                calls: StdMutex::default(),
                entry_checks: AtomicU32::new(0),
                cpus_on: AtomicU32::new(1),
                cpus: StdMutex::default(),
                clock: AtomicU64::new(0),
                tick: 0,
                timeout: u64::MAX,
            }
        }
        fn cpus(self, n: u32) -> Self {
            self.cpus_on.store(n, Ordering::Relaxed);
            self
        }
        fn without_hook(mut self) -> Self {
            self.hook = false;
            self
        }
        fn timeout(mut self, ticks: u64, tick: u64) -> Self {
            self.timeout = ticks;
            self.tick = tick;
            self
        }
        fn primes(self, answers: &[Result<Step, LfaError>]) -> Self {
            self.primes.lock().unwrap().extend(answers);
            self
        }
        fn activations(self, answers: &[Result<Activated, LfaError>]) -> Self {
            self.activations.lock().unwrap().extend(answers);
            self
        }
        /// The calling thread is CPU `cpu`.
        fn bind(&self, cpu: usize) {
            self.cpus
                .lock()
                .unwrap()
                .insert(thread::current().id(), cpu);
        }
        fn calls(&self) -> Vec<(&'static str, u32, u64, u64)> {
            self.calls.lock().unwrap().clone()
        }
        fn count(&self, name: &str) -> usize {
            self.calls().iter().filter(|c| c.0 == name).count()
        }
        fn record(&self, name: &'static str, index: u32, a: u64, b: u64) {
            self.calls.lock().unwrap().push((name, index, a, b));
        }
        fn set_pending(&self, index: u32, pending: bool) {
            self.pending[index as usize].store(pending, Ordering::Relaxed);
        }
    }

    impl Platform for Fake {
        fn component_count(&self) -> u32 {
            u32::try_from(self.components.len()).unwrap()
        }
        fn component(&self, index: u32) -> Option<Component> {
            self.components.get(index as usize).copied()
        }
        fn is_pending(&self, index: u32) -> bool {
            self.pending[index as usize].load(Ordering::Relaxed)
        }
        fn prime(&self, index: u32) -> Result<Step, LfaError> {
            self.record("prime", index, 0, 0);
            self.primes
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Ok(Step::Done))
        }
        fn activate(&self, index: u32, entry: u64, context: u64) -> Result<Activated, LfaError> {
            self.record("activate", index, entry, context);
            let answer = self
                .activations
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Ok(Activated::Return));
            if matches!(answer, Ok(Activated::Return | Activated::ResetCpus)) {
                self.set_pending(index, false);
            }
            answer
        }
        fn cancel(&self, index: u32) -> bool {
            self.record("cancel", index, 0, 0);
            self.hook
        }
        fn valid_entry_point(&self, entry_point: u64) -> bool {
            self.entry_checks.fetch_add(1, Ordering::Relaxed);
            entry_point != 0 && entry_point % 4 == 0
        }
        fn cpus_on(&self) -> u32 {
            self.cpus_on.load(Ordering::Relaxed)
        }
        fn cpu_index(&self) -> usize {
            let cpus = self.cpus.lock().unwrap();
            cpus.get(&thread::current().id()).copied().unwrap_or(0)
        }
        fn now(&self) -> u64 {
            self.clock.fetch_add(self.tick, Ordering::Relaxed)
        }
        fn rendezvous_timeout(&self) -> u64 {
            self.timeout
        }
        fn relax(&self) {
            thread::yield_now();
        }
    }

    type TestAgent = Agent<Fake, 8>;

    /// A request with x5 and x6..x17 holding markers that must survive.
    fn req(x0: u64, x1: u64, x2: u64, x3: u64, x4: u64) -> Regs {
        let mut regs = Regs::ZERO;
        regs.x = core::array::from_fn(|n| 0xA5A5_0000 + n as u64);
        regs.x[0] = x0;
        regs.x[1] = x1;
        regs.x[2] = x2;
        regs.x[3] = x3;
        regs.x[4] = x4;
        regs
    }

    /// Calls the agent and checks that x6..x17 come back as sent.
    fn call(agent: &TestAgent, sent: Regs) -> (Regs, Exit) {
        let mut regs = sent;
        let exit = agent.handle(&mut regs);
        assert_eq!(regs.x[6..], sent.x[6..], "x6..x17 kept");
        (regs, exit)
    }

    fn status(error: LfaError) -> u64 {
        error.to_x0()
    }

    /// Asserts an error answer: x0 = the status, x1..x3 = 0, x4.. as sent.
    fn assert_error(agent: &TestAgent, sent: Regs, error: LfaError) {
        let (got, exit) = call(agent, sent);
        assert_eq!(exit, Exit::Return);
        assert_eq!(got.x[0], status(error), "{sent:?} -> {got:?}");
        assert_eq!(got.x[1..4], [0, 0, 0], "x1..x3 cleared on error");
        assert_eq!(got.x[4..], sent.x[4..], "x4.. as sent");
    }

    /// Asserts a success answer with x1 = `x1` and x2, x3 = 0.
    fn assert_ok(agent: &TestAgent, sent: Regs, x1: u64) {
        let (got, exit) = call(agent, sent);
        assert_eq!(exit, Exit::Return);
        assert_eq!(got.x[..4], [0, x1, 0, 0], "{sent:?} -> {got:?}");
        assert_eq!(got.x[4..], sent.x[4..]);
    }

    fn prime(index: u64) -> Regs {
        req(PRIME, index, 0, 0, 0)
    }

    fn activate(index: u64, flags: u64) -> Regs {
        req(ACTIVATE, index, flags, 0x8000_0000, 0x77)
    }

    fn primed(fake: Fake, index: u32) -> TestAgent {
        let agent = TestAgent::new(fake);
        assert_ok(&agent, req(PRIME, u64::from(index), 0, 0, 0), 0);
        assert_eq!(agent.phase(), Phase::Primed { index });
        agent
    }

    // ---- stateless calls ---------------------------------------------

    #[test]
    fn version_is_1_0_and_writes_x0_to_x3() {
        let agent = TestAgent::new(Fake::new());
        let (got, exit) = call(&agent, req(VERSION, 9, 9, 9, 9));
        assert_eq!(exit, Exit::Return);
        assert_eq!(got.x[..6], [0x1_0000, 0, 0, 0, 9, 0xA5A5_0005]);
    }

    #[test]
    fn features_answers_0_for_lfa_functions_only() {
        let agent = TestAgent::new(Fake::new());
        for f in FunctionId::ALL {
            assert_ok(&agent, req(FEATURES, f.to_x0(), 7, 7, 7), 0);
        }
        for other in [0x8400_02E0, 0x8400_0000, 0xC400_02E7, 0x1_C400_02E0, 0] {
            assert_error(
                &agent,
                req(FEATURES, other, 7, 7, 7),
                LfaError::NotSupported,
            );
        }
    }

    #[test]
    fn foreign_function_ids_get_minus_1_in_x0_only() {
        let agent = TestAgent::new(Fake::new());
        for x0 in [
            0x8400_02E0,
            0x8400_0000,
            0x1_C400_02E0,
            0xC400_02E7,
            u64::MAX,
        ] {
            assert!(!owns(x0) && !agent.owns(x0));
            let sent = req(x0, 1, 2, 3, 4);
            let (got, exit) = call(&agent, sent);
            assert_eq!(exit, Exit::Return);
            assert_eq!(got.x[0], status(LfaError::NotSupported));
            assert_eq!(got.x[1..], sent.x[1..], "nothing else written");
        }
        assert!(FunctionId::ALL.iter().all(|f| owns(f.to_x0())));
        assert!(agent.platform().calls().is_empty());
    }

    #[test]
    fn get_info_counts_components_and_rejects_other_selectors() {
        let agent = TestAgent::new(Fake::new());
        assert_ok(&agent, req(GET_INFO, 0, 5, 5, 5), 4);
        assert_error(
            &agent,
            req(GET_INFO, 1, 5, 5, 5),
            LfaError::InvalidParameters,
        );
        assert_error(
            &agent,
            req(GET_INFO, 1 << 32, 0, 0, 0),
            LfaError::InvalidParameters,
        );
    }

    #[test]
    fn get_inventory_reports_flags_and_versions() {
        let agent = TestAgent::new(Fake::new());
        let cases = [
            // id, x1, x2, x3, x4, x5
            (0, 0x1000, 0b0011, 0x1_0000_0000, 0x1_0000_0001),
            (1, 0x2000, 0b1011, 0x2_0000_0000, 0x2_0000_0005),
            (2, 0x3000, 0b1000_u64 ^ 0b1000, 0x3_0000_0000, 0),
            // Pending with an unknown version: x5 = 0.
            (3, 0x4000, 0b1111, 0x4_0000_0000, 0),
        ];
        for (id, uuid, flags, current, pending) in cases {
            let sent = req(INVENTORY, id, 9, 9, 9);
            let (got, exit) = call(&agent, sent);
            assert_eq!(exit, Exit::Return);
            let (x1, x2) = lfa_proto::uuid_to_regs(Uuid::from_u128(uuid));
            assert_eq!(got.x[..6], [0, x1, x2, flags, current, pending], "id {id}");
        }
        // Not pending any more: the flag and x5 go, the version stays.
        agent.platform().set_pending(1, false);
        let (got, _) = call(&agent, req(INVENTORY, 1, 0, 0, 0));
        assert_eq!(got.x[3..6], [0b1001, 0x2_0000_0000, 0]);
        for id in [4, 1 << 32, (1 << 32) | 1, u64::MAX] {
            assert_error(
                &agent,
                req(INVENTORY, id, 0, 0, 0),
                LfaError::InvalidParameters,
            );
        }
    }

    #[test]
    fn no_components_is_the_not_supported_platform() {
        struct NoComponents;
        impl Platform for NoComponents {}
        let agent = Agent::<NoComponents, 1>::new(NoComponents);
        let mut regs = Regs::with_x0(VERSION);
        agent.handle(&mut regs);
        assert_eq!(regs.x[0], 0x1_0000);
        let mut regs = Regs::with_x0(GET_INFO);
        regs.x[1] = 0;
        agent.handle(&mut regs);
        assert_eq!(regs.x[..3], [0, 0, 0]);
        for x0 in [INVENTORY, PRIME, ACTIVATE, CANCEL] {
            let mut regs = Regs::with_x0(x0);
            regs.x[1] = 0;
            agent.handle(&mut regs);
            assert_eq!(regs.x[0], status(LfaError::InvalidParameters), "{x0:#x}");
        }
        assert_eq!(agent.phase(), Phase::Idle);
    }

    // ---- PRIME ---------------------------------------------------------

    #[test]
    fn prime_rounds_then_primed() {
        let fake = Fake::new().primes(&[Ok(Step::Again), Ok(Step::Again), Ok(Step::Done)]);
        let agent = TestAgent::new(fake);
        assert_ok(&agent, prime(0), 1);
        assert_eq!(
            agent.phase(),
            Phase::Priming {
                index: 0,
                rounds: 1
            }
        );
        assert_ok(&agent, prime(0), 1);
        assert_eq!(
            agent.phase(),
            Phase::Priming {
                index: 0,
                rounds: 2
            }
        );
        assert_ok(&agent, prime(0), 0);
        assert_eq!(agent.phase(), Phase::Primed { index: 0 });
        // Primed again: 0 at once, the platform is not asked.
        assert_ok(&agent, prime(0), 0);
        assert_eq!(agent.platform().count("prime"), 3);
        assert_eq!(agent.phase(), Phase::Primed { index: 0 });
    }

    #[test]
    fn prime_needs_no_inventory_read_first() {
        let agent = TestAgent::new(Fake::new());
        assert_ok(&agent, prime(1), 0);
        assert_eq!(agent.platform().calls(), [("prime", 1, 0, 0)]);
    }

    #[test]
    fn prime_errors_in_order() {
        let agent = TestAgent::new(Fake::new());
        // id out of range, also on 64 bits
        for id in [4, 1 << 32, (1 << 32) | 1] {
            assert_error(&agent, prime(id), LfaError::InvalidParameters);
        }
        // not capable (and not pending): -1 before -7
        assert_error(&agent, prime(2), LfaError::NotSupported);
        // capable, not pending: -7
        agent.platform().set_pending(1, false);
        assert_error(&agent, prime(1), LfaError::WrongState);
        agent.platform().set_pending(1, true);
        assert_eq!(agent.platform().count("prime"), 0);
        assert_eq!(agent.phase(), Phase::Idle);
    }

    #[test]
    fn prime_of_another_component_while_one_is_current() {
        let fake = Fake::new().primes(&[Ok(Step::Again)]);
        let agent = TestAgent::new(fake);
        assert_ok(&agent, prime(0), 1);
        // Another one mid-prime: -7; the id check still comes first.
        assert_error(&agent, prime(1), LfaError::WrongState);
        assert_error(&agent, prime(9), LfaError::InvalidParameters);
        assert_error(&agent, prime(2), LfaError::NotSupported);
        assert_ok(&agent, prime(0), 0);
        // Another one while primed: -7.
        assert_error(&agent, prime(1), LfaError::WrongState);
        assert_eq!(agent.phase(), Phase::Primed { index: 0 });
        assert_eq!(agent.platform().count("prime"), 2);
    }

    #[test]
    fn prime_failure_is_returned_as_is_and_the_agent_is_idle() {
        for e in [
            LfaError::AuthError,
            LfaError::DeviceError,
            LfaError::Unknown(-35),
        ] {
            let fake = Fake::new().primes(&[Ok(Step::Again), Err(e)]);
            let agent = TestAgent::new(fake);
            assert_ok(&agent, prime(0), 1);
            assert_error(&agent, prime(0), e);
            assert_eq!(agent.phase(), Phase::Idle);
            // And PRIME starts over.
            assert_ok(&agent, prime(0), 0);
            assert_eq!(agent.platform().count("prime"), 3);
        }
    }

    #[test]
    fn prime_during_an_activation_is_busy_before_anything_else() {
        let fake = Fake::new().activations(&[Ok(Activated::Again)]);
        let agent = primed(fake, 1);
        assert_ok(&agent, activate(1, SKIP), 1);
        for id in [1, 0, 2, 9] {
            assert_error(&agent, prime(id), LfaError::Busy);
        }
        // Only a malformed id (decoded before any state is looked at) wins.
        assert_error(&agent, prime(1 << 32), LfaError::InvalidParameters);
    }

    // ---- ACTIVATE ------------------------------------------------------

    #[test]
    fn activate_errors_before_prime() {
        let agent = TestAgent::new(Fake::new());
        // id out of range comes before "nothing current"
        for id in [4, 1 << 32, (1 << 32) | 1] {
            assert_error(&agent, activate(id, 0), LfaError::InvalidParameters);
        }
        assert_error(&agent, activate(0, 0), LfaError::ComponentWrongState);
        assert_error(&agent, activate(2, SKIP), LfaError::ComponentWrongState);
        // reserved flag bits
        assert_error(&agent, activate(0, 2), LfaError::InvalidParameters);
        assert_error(&agent, activate(0, 1 << 63), LfaError::InvalidParameters);
        assert_eq!(agent.platform().count("activate"), 0);
    }

    #[test]
    fn activate_errors_with_a_current_component() {
        let fake = Fake::new().primes(&[Ok(Step::Again)]);
        let agent = TestAgent::new(fake);
        assert_ok(&agent, prime(0), 1);
        // mid-prime: -9; another id: -8 first
        assert_error(&agent, activate(0, 0), LfaError::ComponentWrongState);
        assert_error(&agent, activate(1, SKIP), LfaError::InvalidParameters);
        assert_ok(&agent, prime(0), 0);
        // skip on a rendezvous-required component: -8
        assert_error(&agent, activate(0, SKIP), LfaError::InvalidParameters);
        // no longer pending: -9 before the skip check
        agent.platform().set_pending(0, false);
        assert_error(&agent, activate(0, SKIP), LfaError::ComponentWrongState);
        assert_error(&agent, activate(0, 0), LfaError::ComponentWrongState);
        assert_eq!(agent.platform().count("activate"), 0);
        assert_eq!(agent.phase(), Phase::Primed { index: 0 });
    }

    #[test]
    fn activate_success_leaves_the_agent_idle() {
        let agent = primed(Fake::new(), 0);
        let (got, exit) = call(&agent, activate(0, 0));
        assert_eq!((&got.x[..4], exit), (&[0, 0, 0, 0][..], Exit::Return));
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(
            agent.platform().calls(),
            [("prime", 0, 0, 0), ("activate", 0, 0x8000_0000, 0x77)]
        );
        // Nothing current any more: CANCEL -8, ACTIVATE -9, and a second
        // component can be activated in the same boot.
        assert_error(&agent, req(CANCEL, 0, 0, 0, 0), LfaError::InvalidParameters);
        assert_error(&agent, activate(0, 0), LfaError::ComponentWrongState);
        assert_ok(&agent, prime(1), 0);
        assert_ok(&agent, activate(1, SKIP), 0);
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(agent.platform().count("activate"), 2);
        assert_eq!(agent.platform().count("cancel"), 0);
    }

    #[test]
    fn skip_activation_with_call_again_is_committed() {
        let fake = Fake::new().activations(&[Ok(Activated::Again), Ok(Activated::Again)]);
        let agent = primed(fake, 1);
        assert_ok(&agent, activate(1, SKIP), 1);
        let committed = Phase::Activating {
            index: 1,
            skip_rendezvous: true,
            rounds: 1,
            waiting: 0,
        };
        assert_eq!(agent.phase(), committed);
        assert_error(&agent, req(CANCEL, 1, 0, 0, 0), LfaError::Busy);
        // A rendezvous call while the skip activation holds the agent: -2.
        assert_error(&agent, activate(1, 0), LfaError::Busy);
        assert_eq!(agent.phase(), committed);
        assert_ok(&agent, activate(1, SKIP), 1);
        assert_ok(&agent, activate(1, SKIP), 0);
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(agent.platform().count("activate"), 3);
        assert_eq!(agent.platform().count("cancel"), 0);
    }

    #[test]
    fn rendezvous_round_with_call_again_is_committed() {
        let fake = Fake::new().activations(&[Ok(Activated::Again)]);
        let agent = primed(fake, 1);
        assert_ok(&agent, activate(1, 0), 1);
        assert_eq!(
            agent.phase(),
            Phase::Activating {
                index: 1,
                skip_rendezvous: false,
                rounds: 1,
                waiting: 0
            }
        );
        assert_error(&agent, req(CANCEL, 1, 0, 0, 0), LfaError::Busy);
        // A late skip during a rendezvous activation: -2.
        assert_error(&agent, activate(1, SKIP), LfaError::Busy);
        assert_ok(&agent, activate(1, 0), 0);
        assert_eq!(agent.phase(), Phase::Idle);
    }

    #[test]
    fn activation_failure_reaches_the_caller_and_the_agent_is_idle() {
        for e in [
            LfaError::ActivationFailed,
            LfaError::CriticalError,
            LfaError::Unknown(-35),
        ] {
            let fake = Fake::new().activations(&[Err(e)]);
            let agent = primed(fake, 1);
            assert_error(&agent, activate(1, SKIP), e);
            assert_eq!(agent.phase(), Phase::Idle);
        }
    }

    #[test]
    fn cpu_reset_resumes_at_the_callers_entry_point() {
        let fake = Fake::new().activations(&[Ok(Activated::ResetCpus)]);
        let agent = primed(fake, 3);
        let (got, exit) = call(&agent, req(ACTIVATE, 3, SKIP, 0x4000_0000, 0xC0FFEE));
        assert_eq!(
            exit,
            Exit::Resume {
                entry_point: 0x4000_0000,
                context_id: 0xC0FFEE
            }
        );
        assert_eq!(got.x[..4], [0, 0, 0, 0]);
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(agent.platform().entry_checks.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn invalid_entry_point_is_rejected_before_anything_is_done() {
        let agent = primed(Fake::new(), 3);
        for entry in [0, 0x4000_0002] {
            assert_error(
                &agent,
                req(ACTIVATE, 3, SKIP, entry, 1),
                LfaError::InvalidAddress,
            );
        }
        assert_eq!(agent.phase(), Phase::Primed { index: 3 });
        assert_eq!(agent.platform().count("activate"), 0);
        assert_eq!(agent.platform().entry_checks.load(Ordering::Relaxed), 2);
        // Components that do not reset CPUs never have their x3 checked.
        let agent = primed(Fake::new(), 1);
        assert_ok(&agent, req(ACTIVATE, 1, SKIP, 0, 0), 0);
        assert_eq!(agent.platform().entry_checks.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn busy_comes_before_the_entry_point_check() {
        let fake = Fake::new().activations(&[Ok(Activated::Again)]);
        let agent = primed(fake, 3);
        assert_ok(&agent, req(ACTIVATE, 3, SKIP, 0x4000_0000, 1), 1);
        // A rendezvous call with a bad entry point while the skip activation
        // runs: -2, and the entry point is not even looked at.
        assert_error(&agent, req(ACTIVATE, 3, 0, 0, 1), LfaError::Busy);
        assert_eq!(agent.platform().entry_checks.load(Ordering::Relaxed), 1);
        // The skip activation's own next call with a bad entry point: -10,
        // and it stays committed.
        assert_error(
            &agent,
            req(ACTIVATE, 3, SKIP, 0, 1),
            LfaError::InvalidAddress,
        );
        assert!(matches!(agent.phase(), Phase::Activating { rounds: 1, .. }));
        assert_eq!(agent.platform().count("activate"), 1);
    }

    #[test]
    fn reset_from_a_component_that_may_not_reset_is_critical() {
        let fake = Fake::new().activations(&[Ok(Activated::ResetCpus)]);
        let agent = primed(fake, 1);
        assert_error(&agent, activate(1, SKIP), LfaError::CriticalError);
        assert_eq!(agent.phase(), Phase::Idle);
    }

    #[test]
    fn cpu_index_out_of_range_fails_without_joining() {
        let agent = primed(Fake::new().cpus(2), 0);
        agent.platform().bind(8);
        assert_error(&agent, activate(0, 0), LfaError::ActivationFailed);
        assert_eq!(agent.phase(), Phase::Primed { index: 0 });
    }

    // ---- CANCEL --------------------------------------------------------

    #[test]
    fn cancel_errors_and_transitions() {
        let fake = Fake::new().primes(&[Ok(Step::Again)]);
        let agent = TestAgent::new(fake);
        // nothing current, or out of range: -8
        assert_error(&agent, req(CANCEL, 0, 0, 0, 0), LfaError::InvalidParameters);
        assert_error(
            &agent,
            req(CANCEL, 1 << 32, 0, 0, 0),
            LfaError::InvalidParameters,
        );
        assert_ok(&agent, prime(0), 1);
        // another id: -8
        assert_error(&agent, req(CANCEL, 1, 0, 0, 0), LfaError::InvalidParameters);
        assert_error(&agent, req(CANCEL, 4, 0, 0, 0), LfaError::InvalidParameters);
        // mid-prime: 0, idle, hook called once
        assert_ok(&agent, req(CANCEL, 0, 0, 0, 0), 0);
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(agent.platform().count("cancel"), 1);
        // primed: 0, idle
        assert_ok(&agent, prime(0), 0);
        assert_ok(&agent, req(CANCEL, 0, 0, 0, 0), 0);
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(agent.platform().count("cancel"), 2);
        assert_eq!(agent.platform().count("prime"), 2);
    }

    // ---- the pen, with threads ------------------------------------------

    /// Runs ACTIVATE(`index`, rendezvous) on `n` threads bound to CPUs
    /// 1..=n, each returning its registers and exit.
    fn rendezvous(agent: &TestAgent, index: u64, n: usize) -> Vec<(Regs, Exit)> {
        thread::scope(|s| {
            let handles: Vec<_> = (1..=n)
                .map(|cpu| {
                    s.spawn(move || {
                        agent.platform().bind(cpu);
                        let sent = req(ACTIVATE, index, 0, 0x1000 * cpu as u64, cpu as u64);
                        call(agent, sent)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    }

    /// Waits until `n` CPUs wait in the pen.
    fn until_waiting(agent: &TestAgent, n: u32) {
        while !matches!(agent.phase(), Phase::Activating { waiting, .. } if waiting == n) {
            thread::yield_now();
        }
    }

    #[test]
    fn four_cpus_complete_one_rendezvous_and_one_activates() {
        let agent = primed(Fake::new().cpus(4), 0);
        let answers = rendezvous(&agent, 0, 4);
        for (regs, exit) in &answers {
            assert_eq!((&regs.x[..2], *exit), (&[0, 0][..], Exit::Return));
        }
        assert_eq!(agent.platform().count("activate"), 1);
        assert_eq!(agent.phase(), Phase::Idle);
    }

    #[test]
    fn rendezvous_rounds_with_call_again() {
        let fake = Fake::new()
            .cpus(3)
            .activations(&[Ok(Activated::Again), Ok(Activated::Again)]);
        let agent = primed(fake, 0);
        for round in 1..=3_u32 {
            let answers = rendezvous(&agent, 0, 3);
            let again = u64::from(round < 3);
            for (regs, exit) in &answers {
                assert_eq!(
                    (&regs.x[..2], *exit),
                    (&[0, again][..], Exit::Return),
                    "round {round}"
                );
            }
            assert_eq!(agent.platform().count("activate"), round as usize);
        }
        assert_eq!(agent.phase(), Phase::Idle);
    }

    #[test]
    fn partial_rendezvous_times_out_on_every_waiting_cpu() {
        // Four CPUs on, three arrive; the clock advances on every read.
        let agent = primed(Fake::new().cpus(4).timeout(5_000, 1), 0);
        for (regs, exit) in rendezvous(&agent, 0, 3) {
            assert_eq!(regs.x[..4], [status(LfaError::ActivationFailed), 0, 0, 0]);
            assert_eq!(exit, Exit::Return);
        }
        assert_eq!(agent.phase(), Phase::Primed { index: 0 });
        assert_eq!(agent.platform().count("activate"), 0);
        // The agent is usable: PRIME (already primed) and CANCEL work.
        assert_ok(&agent, prime(0), 0);
        assert_ok(&agent, req(CANCEL, 0, 0, 0, 0), 0);
        assert_eq!(agent.phase(), Phase::Idle);
        assert_ok(&agent, prime(0), 0);
        assert_eq!(agent.platform().count("prime"), 2);
    }

    #[test]
    fn a_stopped_clock_bounds_the_wait_in_polls() {
        let agent = primed(Fake::new().cpus(2).timeout(1_000, 0), 0);
        assert_error(&agent, activate(0, 0), LfaError::ActivationFailed);
        assert_eq!(agent.phase(), Phase::Primed { index: 0 });
    }

    #[test]
    fn committed_rendezvous_timeout_stays_activating() {
        let fake = Fake::new()
            .timeout(1_000, 0)
            .activations(&[Ok(Activated::Again)]);
        let agent = primed(fake, 0);
        assert_ok(&agent, activate(0, 0), 1);
        agent.platform().cpus_on.store(2, Ordering::Relaxed);
        assert_error(&agent, activate(0, 0), LfaError::ActivationFailed);
        let retry = Phase::Activating {
            index: 0,
            skip_rendezvous: false,
            rounds: 1,
            waiting: 0,
        };
        assert_eq!(agent.phase(), retry);
        assert_error(&agent, req(CANCEL, 0, 0, 0, 0), LfaError::Busy);
        agent.platform().cpus_on.store(1, Ordering::Relaxed);
        assert_ok(&agent, activate(0, 0), 0);
        assert_eq!(agent.phase(), Phase::Idle);
    }

    fn cancel_releases_three_waiting_cpus(fake: Fake) {
        let agent = primed(fake.cpus(4), 0);
        thread::scope(|s| {
            let waiting = s.spawn(|| rendezvous(&agent, 0, 3));
            until_waiting(&agent, 3);
            agent.platform().bind(0);
            assert_ok(&agent, req(CANCEL, 0, 0, 0, 0), 0);
            for (regs, exit) in waiting.join().unwrap() {
                assert_eq!(regs.x[..4], [status(LfaError::ActivationFailed), 0, 0, 0]);
                assert_eq!(exit, Exit::Return);
            }
        });
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(agent.platform().count("cancel"), 1);
        assert_eq!(agent.platform().count("activate"), 0);
        // The next activation of the same boot works.
        assert_ok(&agent, prime(0), 0);
        agent.platform().cpus_on.store(1, Ordering::Relaxed);
        assert_ok(&agent, activate(0, 0), 0);
    }

    #[test]
    fn cancel_releases_waiting_cpus_with_a_hook() {
        cancel_releases_three_waiting_cpus(Fake::new());
    }

    #[test]
    fn cancel_releases_waiting_cpus_without_a_hook() {
        cancel_releases_three_waiting_cpus(Fake::new().without_hook());
    }

    #[test]
    fn a_cpu_already_in_the_pen_is_busy() {
        let agent = primed(Fake::new().cpus(3), 0);
        thread::scope(|s| {
            let first = s.spawn(|| rendezvous(&agent, 0, 1));
            until_waiting(&agent, 1);
            // The same CPU index again (a platform reporting one index for
            // two CPUs): -2, not counted.
            agent.platform().bind(1);
            assert_error(&agent, activate(0, 0), LfaError::Busy);
            assert!(matches!(
                agent.phase(),
                Phase::Activating { waiting: 1, .. }
            ));
            agent.platform().bind(0);
            assert_ok(&agent, req(CANCEL, 0, 0, 0, 0), 0);
            let answers = first.join().unwrap();
            assert_eq!(answers[0].0.x[0], status(LfaError::ActivationFailed));
        });
    }

    #[test]
    fn every_cpu_of_a_reset_resumes_at_its_own_entry_point() {
        let fake = Fake::new().cpus(3).activations(&[Ok(Activated::ResetCpus)]);
        let agent = primed(fake, 3);
        let answers = rendezvous(&agent, 3, 3);
        for (cpu, (regs, exit)) in (1_u64..).zip(answers) {
            assert_eq!(regs.x[..2], [0, 0]);
            assert_eq!(
                exit,
                Exit::Resume {
                    entry_point: 0x1000 * cpu,
                    context_id: cpu
                }
            );
        }
        assert_eq!(agent.platform().count("activate"), 1);
        assert_eq!(agent.platform().entry_checks.load(Ordering::Relaxed), 3);
        assert_eq!(agent.phase(), Phase::Idle);
    }

    #[test]
    fn activation_error_in_a_rendezvous_reaches_every_cpu() {
        let fake = Fake::new()
            .cpus(3)
            .activations(&[Err(LfaError::Unknown(-35))]);
        let agent = primed(fake, 0);
        for (regs, _) in rendezvous(&agent, 0, 3) {
            assert_eq!(regs.x[..2], [from_signed(-35), 0]);
        }
        assert_eq!(agent.phase(), Phase::Idle);
    }
}
