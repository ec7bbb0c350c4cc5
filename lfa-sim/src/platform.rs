// SPDX-License-Identifier: MIT OR Apache-2.0
//! The clean profile's platform: the simulated components as an
//! `lfa_agent::Platform`, so that `lfa_agent::Agent` is the state machine.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use lfa_agent::{Activated, Component, LfaError, Platform, Step};
use lfa_proto::{FunctionId, SeqId, regs::as_signed};

use crate::SimComponent;
use crate::state::State;

/// How many CPUs the clean profile's agent has seats for in its holding pen
/// (`lfa_agent::Agent`'s `CPUS`).
pub const SIM_CPUS: usize = 64;

/// The simulated components, faults and counters as an
/// [`lfa_agent::Platform`]: what [`SimAgent`](crate::SimAgent) in the
/// [`Profile::Clean`](crate::Profile::Clean) profile runs `lfa_agent::Agent`
/// on. It is reached through [`SimAgent::platform`](crate::SimAgent::platform)
/// and configured through `SimAgent`.
///
/// | `Platform` method | from the simulator |
/// |---|---|
/// | `component_count`, `component`, `is_pending` | the component table ([`SimComponent`]) |
/// | `prime` | [`SimComponent::prime_rounds`] `Again` answers (per sequence, or per boot with [`SimComponent::again_per_boot`]), then `Done`; an armed PRIME step fault is its error |
/// | `activate` | [`SimComponent::activation_polls`] polls, then [`SimComponent::activate_rounds`] `Again` answers, then the versions swap, the [`InventoryChange`](crate::InventoryChange) applies and it returns `Return` (the simulator never resets a CPU); an armed ACTIVATE step fault is its error |
/// | `cancel` | [`SimComponent::cancel_hook`]; restores the component's "again" answers |
/// | `valid_entry_point` | every entry point (no CPU is ever reset; the call log has it) |
/// | `cpus_on` | [`SimAgent::set_online_cpus`](crate::SimAgent::set_online_cpus) |
/// | `cpu_index` | the next of [`SIM_CPUS`] seats, in turn: the simulator's CPUs are its callers, which it cannot tell apart (a clash needs `SIM_CPUS` arrivals while one CPU is still in the pen) |
/// | `now` | a clock counting polls in the pen (by every waiting CPU) |
/// | `rendezvous_timeout` | [`SimAgent::set_spin_budget`](crate::SimAgent::set_spin_budget) polls |
/// | `relax` | [`SimAgent::set_spin_relax`](crate::SimAgent::set_spin_relax), after a spin-loop hint |
pub struct SimPlatform<const N: usize> {
    pub(crate) state: spin::Mutex<State<N>>,
    polls: AtomicU64,
    next_cpu: AtomicUsize,
}

impl<const N: usize> core::fmt::Debug for SimPlatform<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SimPlatform")
            .field("components", &self.state.lock().components())
            .field("polls", &self.polls.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<const N: usize> SimPlatform<N> {
    pub(crate) const fn new() -> Self {
        Self {
            state: spin::Mutex::new(State::new()),
            polls: AtomicU64::new(0),
            next_cpu: AtomicUsize::new(0),
        }
    }

    /// How many times a CPU polled in the holding pen (the clock).
    #[must_use]
    pub fn polls(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }
}

/// The component as the agent sees it.
fn describe(c: &SimComponent) -> Component {
    let mut d = Component::new(c.uuid).current(c.current_version);
    if c.is_capable() {
        d = d.capable();
    }
    if !c.rendezvous_required() {
        d = d.rendezvous_optional();
    }
    if c.flags.may_reset_cpu() {
        d = d.may_reset_cpu();
    }
    if let Some(pending) = c.pending_version() {
        d = d.pending(pending);
    }
    d
}

/// The error a step fault's x0 stands for (0, which is no error, passes
/// through as `Unknown(0)`, whose x0 is 0 again).
fn fault_error(x0: u64) -> LfaError {
    LfaError::from_code(as_signed(x0)).unwrap_or(LfaError::Unknown(0))
}

impl<const N: usize> Platform for SimPlatform<N> {
    fn component_count(&self) -> u32 {
        self.state.lock().count()
    }

    fn component(&self, index: u32) -> Option<Component> {
        self.state
            .lock()
            .component(SeqId(index))
            .map(|c| describe(&c))
    }

    fn is_pending(&self, index: u32) -> bool {
        self.state
            .lock()
            .component(SeqId(index))
            .is_some_and(|c| c.is_pending())
    }

    fn prime(&self, index: u32) -> Result<Step, LfaError> {
        let mut state = self.state.lock();
        if let Some(x0) = state.faults.take(FunctionId::Prime, true) {
            state.restart_loads(SeqId(index));
            return Err(fault_error(x0));
        }
        if state.load_image(SeqId(index)) {
            Ok(Step::Again)
        } else {
            Ok(Step::Done)
        }
    }

    fn activate(
        &self,
        index: u32,
        _entry_point: u64,
        _context_id: u64,
    ) -> Result<Activated, LfaError> {
        let mut state = self.state.lock();
        state.steps = state.steps.wrapping_add(1);
        let polls = state.activation_polls(SeqId(index));
        if polls > 0 {
            // The step takes time: lfa-agent's lock stays held (every other
            // call waits for it), the simulator's state is free.
            let relax = state.relax;
            drop(state);
            crate::agent::spin(polls, relax);
            state = self.state.lock();
        }
        if let Some(x0) = state.faults.take(FunctionId::Activate, true) {
            state.clean_rounds = 0;
            return Err(fault_error(x0));
        }
        let rounds = state
            .component(SeqId(index))
            .map_or(0, |c| c.activate_rounds);
        if state.clean_rounds < rounds {
            state.clean_rounds = state.clean_rounds.saturating_add(1);
            return Ok(Activated::Again);
        }
        state.clean_rounds = 0;
        if let Some(c) = state.component_mut(SeqId(index)) {
            *c = c.activated();
        }
        state.activations = state.activations.saturating_add(1);
        state.apply_change();
        Ok(Activated::Return)
    }

    fn cancel(&self, index: u32) -> bool {
        let mut state = self.state.lock();
        state.steps = state.steps.wrapping_add(1);
        state.restore_loads(SeqId(index));
        state.clean_rounds = 0;
        state.component(SeqId(index)).is_some_and(|c| c.cancel_hook)
    }

    fn valid_entry_point(&self, _entry_point: u64) -> bool {
        true
    }

    fn cpus_on(&self) -> u32 {
        self.state.lock().online_cpus
    }

    fn cpu_index(&self) -> usize {
        self.next_cpu.fetch_add(1, Ordering::Relaxed) % SIM_CPUS
    }

    fn now(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }

    fn rendezvous_timeout(&self) -> u64 {
        self.state.lock().spin_budget
    }

    fn relax(&self) {
        self.polls.fetch_add(1, Ordering::Relaxed);
        core::hint::spin_loop();
        let relax = self.state.lock().relax;
        if let Some(relax) = relax {
            relax();
        }
    }
}
