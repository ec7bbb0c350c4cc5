// SPDX-License-Identifier: MIT OR Apache-2.0
//! Exhaustive checks of the holding pen and the agent's shared state with
//! loom: every interleaving (up to the preemption bound) of CPUs through a
//! rendezvous, a CANCEL while they wait, and a timeout. Run by
//! `scripts/loom.sh` (`RUSTFLAGS="--cfg loom"`).
#![cfg(loom)]

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};

use lfa_agent::{
    Activated, Agent, Component, FirmwareVersion, LfaError, Phase, Platform, Regs, Step, Uuid,
};
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use loom::thread;

loom::thread_local! {
    /// The CPU index of the current loom thread.
    static CPU: Cell<usize> = Cell::new(0);
}

/// One rendezvous-required component; a clock that advances `tick` per read
/// (none with `tick` 0).
struct Plat {
    cpus: u32,
    pending: AtomicBool,
    activations: AtomicU32,
    cancels: AtomicU32,
    clock: AtomicU64,
    tick: u64,
    timeout: u64,
}

impl Plat {
    fn new(cpus: u32, tick: u64, timeout: u64) -> Self {
        Self {
            cpus,
            pending: AtomicBool::new(true),
            activations: AtomicU32::new(0),
            cancels: AtomicU32::new(0),
            clock: AtomicU64::new(0),
            tick,
            timeout,
        }
    }
}

impl Platform for Plat {
    fn component_count(&self) -> u32 {
        1
    }
    fn component(&self, _: u32) -> Option<Component> {
        Some(
            Component::new(Uuid::from_u128(1))
                .capable()
                .pending(FirmwareVersion::new(1, 1)),
        )
    }
    fn is_pending(&self, _: u32) -> bool {
        self.pending.load(Ordering::Relaxed)
    }
    fn prime(&self, _: u32) -> Result<Step, LfaError> {
        Ok(Step::Done)
    }
    fn activate(&self, _: u32, _: u64, _: u64) -> Result<Activated, LfaError> {
        self.activations.fetch_add(1, Ordering::Relaxed);
        self.pending.store(false, Ordering::Relaxed);
        Ok(Activated::Return)
    }
    fn cancel(&self, _: u32) -> bool {
        self.cancels.fetch_add(1, Ordering::Relaxed);
        false
    }
    fn cpus_on(&self) -> u32 {
        self.cpus
    }
    fn cpu_index(&self) -> usize {
        CPU.with(Cell::get)
    }
    fn now(&self) -> u64 {
        // A stopped clock touches no shared state, so waiting CPUs do not
        // conflict with each other (loom would explore their every order).
        if self.tick == 0 {
            return 0;
        }
        self.clock.fetch_add(self.tick, Ordering::Relaxed)
    }
    fn rendezvous_timeout(&self) -> u64 {
        self.timeout
    }
    fn relax(&self) {
        thread::yield_now();
    }
}

type LoomAgent = Agent<Plat, 4>;

fn call(agent: &LoomAgent, x0: u64, x1: u64) -> u64 {
    let mut regs = Regs::ZERO;
    regs.x[0] = x0;
    regs.x[1] = x1;
    regs.x[7] = 0x77;
    agent.handle(&mut regs);
    assert_eq!(regs.x[7], 0x77, "x7 kept");
    regs.x[0]
}

const PRIME: u64 = 0xC400_02E4;
const ACTIVATE: u64 = 0xC400_02E5;
const CANCEL: u64 = 0xC400_02E6;
const FAILED: u64 = LfaError::ActivationFailed.to_x0();
const WRONG_STATE: u64 = LfaError::ComponentWrongState.to_x0();

fn primed(platform: Plat) -> Arc<LoomAgent> {
    let agent = Arc::new(LoomAgent::new(platform));
    assert_eq!(call(&agent, PRIME, 0), 0);
    agent
}

/// Spawns CPUs `cpus` calling ACTIVATE; returns their handles.
fn activate_on(agent: &Arc<LoomAgent>, cpus: &[usize]) -> Vec<thread::JoinHandle<u64>> {
    cpus.iter()
        .map(|&cpu| {
            let agent = Arc::clone(agent);
            thread::spawn(move || {
                CPU.with(|c| c.set(cpu));
                call(&agent, ACTIVATE, 0)
            })
        })
        .collect()
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    builder.max_branches = builder.max_branches.max(100_000);
    builder.check(f);
}

/// Polls a waiting CPU makes before its bound (a stopped clock). Without a
/// bound, loom would explore schedules in which two waiting CPUs take turns
/// forever and the last one never runs; with it, such a schedule ends in a
/// timeout, which the models accept only as "every CPU -11, nothing
/// activated".
const POLLS: u64 = 4;

/// Executions in which the rendezvous completed / the CANCEL found both
/// CPUs waiting: each model must reach its main case at least once.
static COMPLETED: StdAtomicUsize = StdAtomicUsize::new(0);
static CANCELLED_TWO: StdAtomicUsize = StdAtomicUsize::new(0);

#[test]
fn three_cpus_one_rendezvous() {
    model(|| {
        let agent = primed(Plat::new(3, 0, POLLS));
        let others = activate_on(&agent, &[1, 2]);
        CPU.with(|c| c.set(0));
        let mut answers = vec![call(&agent, ACTIVATE, 0)];
        answers.extend(others.into_iter().map(|cpu| cpu.join().unwrap()));
        let activations = agent.platform().activations.load(Ordering::Relaxed);
        if answers == [0, 0, 0] {
            assert_eq!(activations, 1, "exactly one CPU activates");
            assert_eq!(agent.phase(), Phase::Idle);
            COMPLETED.fetch_add(1, StdOrdering::Relaxed);
        } else {
            assert_eq!(answers, [FAILED; 3], "never a mix");
            assert_eq!(activations, 0);
            assert_eq!(agent.phase(), Phase::Primed { index: 0 });
        }
    });
    assert!(COMPLETED.load(StdOrdering::Relaxed) > 0);
}

#[test]
fn cancel_while_two_wait() {
    model(|| {
        let agent = primed(Plat::new(3, 0, POLLS));
        let waiting = activate_on(&agent, &[1, 2]);
        let mut both = false;
        for _ in 0..POLLS {
            both = matches!(agent.phase(), Phase::Activating { waiting: 2, .. });
            if both {
                break;
            }
            thread::yield_now();
        }
        assert_eq!(call(&agent, CANCEL, 0), 0);
        for cpu in waiting {
            let got = cpu.join().unwrap();
            if both {
                assert_eq!(got, FAILED);
            } else {
                // Released by the CANCEL or the bound, or came after it.
                assert!(got == FAILED || got == WRONG_STATE, "{got:#x}");
            }
        }
        if both {
            CANCELLED_TWO.fetch_add(1, StdOrdering::Relaxed);
        }
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(agent.platform().cancels.load(Ordering::Relaxed), 1);
        assert_eq!(agent.platform().activations.load(Ordering::Relaxed), 0);
    });
    assert!(CANCELLED_TWO.load(StdOrdering::Relaxed) > 0);
}

#[test]
fn partial_rendezvous_times_out() {
    model(|| {
        // Three CPUs on, two arrive; the clock moves one tick per read.
        let agent = primed(Plat::new(3, 1, 2));
        for cpu in activate_on(&agent, &[1, 2]) {
            assert_eq!(cpu.join().unwrap(), FAILED);
        }
        assert_eq!(agent.phase(), Phase::Primed { index: 0 });
        assert_eq!(agent.platform().activations.load(Ordering::Relaxed), 0);
        assert_eq!(call(&agent, CANCEL, 0), 0);
        assert_eq!(agent.phase(), Phase::Idle);
    });
}
