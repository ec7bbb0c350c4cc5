// SPDX-License-Identifier: MIT OR Apache-2.0
//! The TF-A profile against real TF-A's measured behaviour (docs/protocol.md,
//! "Trusted Firmware-A, measured"), register for register, and the simulator
//! options that express the platform's part: image-load "again" answers per
//! boot, an activator that resets the agent, an activation that takes time,
//! and `SMCCC_VERSION` per profile.
//!
//! No test depends on timing: where CPUs must be caught inside a call, a
//! spin relax function ("gate") holds them until the test opens it, and the
//! test waits (bounded) for the agent to report them there.

mod sim_support;

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::thread;

use lfa_proto::{
    FunctionId, InventoryResponse, LfaError, Regs, Response, SeqId, regs::from_signed,
};
use lfa_sim::{HANG_STATUS, Phase, Profile, SimAgent, SimComponent};
use lfa_smccc::{Conduit, SMCCC_VERSION, SmcccVersion};
use sim_support::*;

/// Polls a waiting CPU may make in tests that must complete: finite, and
/// far more than they need.
const GENEROUS: u64 = 20_000_000;

/// Waits (bounded) until `cond` holds.
fn wait_until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..20_000_000 {
        if cond() {
            return;
        }
        thread::yield_now();
    }
    panic!("gave up waiting for {what}");
}

/// A spin relax function that holds every polling CPU while it is closed.
struct Gate {
    closed: AtomicBool,
    entered: AtomicU32,
}

impl Gate {
    const fn new() -> Self {
        Self {
            closed: AtomicBool::new(true),
            entered: AtomicU32::new(0),
        }
    }

    fn pass(&self) {
        self.entered.fetch_add(1, Ordering::SeqCst);
        for _ in 0..50_000_000 {
            if !self.closed.load(Ordering::SeqCst) {
                return;
            }
            thread::yield_now();
        }
        panic!("the gate was never opened");
    }

    fn open(&self) {
        self.closed.store(false, Ordering::SeqCst);
    }

    fn entered(&self) -> u32 {
        self.entered.load(Ordering::SeqCst)
    }
}

fn waiting(agent: &SimAgent) -> u32 {
    match agent.phase() {
        Phase::Activating { waiting, .. } => waiting,
        _ => 0,
    }
}

/// A TF-A agent with `components`, every one read, `cpus` online.
fn tfa(components: &[SimComponent], cpus: u32) -> SimAgent {
    let agent = agent_with(Profile::TfA, components);
    for id in 0..agent.component_count() {
        read(&agent, id);
    }
    agent.set_online_cpus(cpus);
    agent.set_spin_budget(GENEROUS);
    agent.set_spin_relax(Some(thread::yield_now));
    agent
}

/// GET_INVENTORY of `id`, decoded.
fn inventory(agent: &impl Conduit, id: u32) -> InventoryResponse {
    InventoryResponse::decode(&agent.call(&get_inventory(id))).unwrap()
}

/// x0, x1 of an answer.
fn x01(regs: &Regs) -> (i64, u64) {
    (status(regs), regs.x[1])
}

const BUSY: i64 = LfaError::Busy.code();
const INVALID: i64 = LfaError::InvalidParameters.code();
const COMPONENT_WRONG_STATE: i64 = LfaError::ComponentWrongState.code();

// ---- PRIME while a completed activation is held ----------------------------

#[test]
fn prime_while_an_activation_is_held_runs_the_new_image_load() {
    let agent = tfa(
        &[activatable(UUID_A), activatable(UUID_B).prime_rounds(2)],
        1,
    );
    prime_fully(&agent, 0);
    assert_eq!(activate_fully(&agent, 0, false), 1);
    assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(0) });
    // B's image load runs as usual: two CALL_AGAIN rounds, then 0.
    for x1 in [1, 1, 0] {
        let out = agent.call(&painted(prime(1), 2));
        assert_eq!(x01(&out), (0, x1));
        assert_eq!(out.x[2..], painted(prime(1), 2).x[2..], "x2.. kept");
    }
    assert_eq!(
        agent.phase(),
        Phase::Activated { seq_id: SeqId(0) },
        "A stays current"
    );
    // B's ACTIVATE is -8 with x1 = 0; its CANCEL -8 with x1 kept.
    let out = agent.call(&activate(1, false));
    assert_eq!(x01(&out), (INVALID, 0));
    let out = agent.call(&cancel(1));
    assert_eq!(x01(&out), (INVALID, 1));
    assert!(agent.component(SeqId(1)).unwrap().is_pending());
    // Only A's CANCEL frees the agent; B then primes afresh and activates.
    assert_eq!(check(&agent, cancel(0)), Ok(()));
    assert_eq!(agent.phase(), Phase::Idle);
    assert_eq!(prime_fully(&agent, 1), 3);
    assert_eq!(activate_fully(&agent, 1, false), 1);
    assert_eq!(agent.activations(), 2);
}

// ---- PRIME while CPUs wait in the pen ---------------------------------------

#[test]
fn prime_while_cpus_wait_in_the_pen_is_0_not_busy() {
    let agent = tfa(&[activatable(UUID_A), activatable(UUID_B)], 2);
    prime_fully(&agent, 0);
    let (early, last) = thread::scope(|s| {
        let early = s.spawn(|| agent.call(&activate(0, false)));
        wait_until("a CPU in the pen", || waiting(&agent) == 1);
        for id in [0, 1] {
            let out = agent.call(&prime(id));
            assert_eq!(x01(&out), (0, 0), "PRIME({id}) while a CPU waits");
        }
        assert_eq!(waiting(&agent), 1, "the CPU still waits");
        let last = agent.call(&activate(0, false));
        (early.join().unwrap(), last)
    });
    assert_eq!(x01(&early), (0, 0));
    assert_eq!(x01(&last), (0, 0));
    assert_eq!(agent.activations(), 1);
    assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(0) });
}

// ---- the late skip ACTIVATE -------------------------------------------------

#[test]
fn late_skip_activate_during_a_rendezvous_round_is_busy_with_x1_0() {
    let agent = tfa(&[activatable(UUID_A).rendezvous_optional()], 2);
    prime_fully(&agent, 0);
    let sent = painted(activate(0, true), 3);
    thread::scope(|s| {
        let early = s.spawn(|| agent.call(&activate(0, false)));
        wait_until("a CPU in the pen", || waiting(&agent) == 1);
        let out = agent.call(&sent);
        assert_eq!(x01(&out), (BUSY, 0), "-2 with x1 = 0");
        assert_eq!(out.x[2..], sent.x[2..], "x2.. kept");
        assert_eq!(waiting(&agent), 1, "the late skip does not join");
        let last = agent.call(&activate(0, false));
        assert_eq!(x01(&last), (0, 0));
        assert_eq!(x01(&early.join().unwrap()), (0, 0));
    });
    assert_eq!(agent.activations(), 1);
}

// ---- a CPU stranded by a CANCEL without cancel hook --------------------------

#[test]
fn a_stranded_cpu_stays_in_the_pen_and_completes_with_the_next_round() {
    const CPUS: u32 = 3;
    let agent = tfa(&[activatable(UUID_A).without_cancel_hook()], CPUS);
    prime_fully(&agent, 0);
    let results = thread::scope(|s| {
        let stranded = s.spawn(|| agent.call(&activate(0, false)));
        wait_until("a CPU in the pen", || waiting(&agent) == 1);
        // CANCEL answers 0; without a hook the waiting CPU stays.
        assert_eq!(x01(&agent.call(&cancel(0))), (0, 0));
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(agent.stranded_cpus(), 1);
        assert_eq!(agent.hangs(), 0, "nobody gave up");
        assert_eq!(agent.calls_in_progress(), 1, "still inside ACTIVATE");
        // Primed again, the stranded CPU counts in the new round: two more
        // CPUs complete it (three in all).
        assert_eq!(prime_fully(&agent, 0), 1);
        let second = s.spawn(|| agent.call(&activate(0, false)));
        wait_until("two CPUs in the round", || waiting(&agent) == 2);
        assert_eq!(agent.stranded_cpus(), 0, "counted in the round");
        let last = agent.call(&activate(0, false));
        [stranded.join().unwrap(), second.join().unwrap(), last]
    });
    for out in &results {
        assert_eq!(x01(out), (0, 0), "every ACTIVATE, the stranded one too");
    }
    assert_eq!(agent.activations(), 1);
    assert_eq!(agent.hangs(), 0);
    assert_eq!(agent.log().count(FunctionId::Activate), 3);
}

static STRAND_GATE: Gate = Gate::new();
fn strand_gate() {
    STRAND_GATE.pass();
}

#[test]
fn a_stranded_cpu_gives_up_within_its_spin_budget() {
    // The simulator's bound: TF-A's CPU would spin for ever.
    let agent = tfa(&[activatable(UUID_A).without_cancel_hook()], 2);
    prime_fully(&agent, 0);
    agent.set_spin_budget(1_000);
    agent.set_spin_relax(Some(strand_gate));
    let out = thread::scope(|s| {
        let stranded = s.spawn(|| agent.call(&activate(0, false)));
        wait_until("a CPU held in the pen", || STRAND_GATE.entered() >= 1);
        assert_eq!(check(&agent, cancel(0)), Ok(()));
        assert_eq!(agent.stranded_cpus(), 1);
        STRAND_GATE.open();
        stranded.join().unwrap()
    });
    assert_eq!(x01(&out), (HANG_STATUS, 0));
    assert_eq!(agent.hangs(), 1);
    assert_eq!(agent.stranded_cpus(), 0);
    assert_eq!(agent.activations(), 0);
}

// ---- CANCEL while the CPUs of a completed round are leaving ----------------

static LEAVE_GATE: Gate = Gate::new();
fn leave_gate() {
    LEAVE_GATE.pass();
}

#[test]
fn cancel_while_the_cpus_of_a_completed_round_are_leaving_is_busy() {
    let agent = tfa(&[activatable(UUID_A), activatable(UUID_B)], 2);
    prime_fully(&agent, 1);
    agent.set_spin_relax(Some(leave_gate));
    thread::scope(|s| {
        let other = s.spawn(|| agent.call(&activate(1, false)));
        wait_until("a CPU held in the pen", || LEAVE_GATE.entered() >= 1);
        // This CPU completes the round; the other is released but has not
        // left the pen.
        assert_eq!(x01(&agent.call(&activate(1, false))), (0, 0));
        assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(1) });
        assert_eq!(agent.calls_in_progress(), 1);
        let out = agent.call(&cancel(1));
        assert_eq!(x01(&out), (BUSY, 1), "-2, x1 kept");
        LEAVE_GATE.open();
        assert_eq!(x01(&other.join().unwrap()), (0, 0));
    });
    // Once every CPU has left: 0, and the agent is free.
    assert_eq!(x01(&agent.call(&cancel(1))), (0, 1));
    assert_eq!(agent.phase(), Phase::Idle);
    assert_eq!(agent.activations(), 1);
}

// ---- a skip activation that takes time ---------------------------------------

static SKIP_GATE: Gate = Gate::new();
fn skip_gate() {
    SKIP_GATE.pass();
}

#[test]
fn a_skip_activation_that_takes_time_holds_the_lock_throughout() {
    let agent = tfa(
        &[
            activatable(UUID_A),
            activatable(UUID_B).rendezvous_optional().activation_time(1),
        ],
        1,
    );
    prime_fully(&agent, 1);
    agent.set_spin_relax(Some(skip_gate));
    let (skip, blocked) = thread::scope(|s| {
        let skip = s.spawn(|| agent.call(&activate(1, true)));
        wait_until("the activation step running", || SKIP_GATE.entered() >= 1);
        // PRIME, CANCEL and a skip ACTIVATE: -2, x1 kept.
        for (sent, what) in [
            (prime(1), "PRIME(1)"),
            (prime(0), "PRIME(0)"),
            (cancel(1), "CANCEL(1)"),
            (activate(1, true), "ACTIVATE(1, skip)"),
        ] {
            let out = agent.call(&sent);
            assert_eq!(x01(&out), (BUSY, sent.x[1]), "{what}");
            assert_eq!(out.x[2..], sent.x[2..], "{what}: x2.. kept");
        }
        // GET_INVENTORY works: still pending.
        let inv = inventory(&agent, 1);
        assert!(inv.flags.is_pending());
        assert_eq!(agent.activations(), 0);
        // A rendezvous ACTIVATE waits for the lock.
        let blocked = s.spawn(|| agent.call(&activate(1, false)));
        wait_until("the rendezvous ACTIVATE inside", || {
            agent.calls_in_progress() == 2
        });
        assert!(!blocked.is_finished() && !skip.is_finished());
        SKIP_GATE.open();
        (skip.join().unwrap(), blocked.join().unwrap())
    });
    assert_eq!(x01(&skip), (0, 0));
    assert_eq!(
        x01(&blocked),
        (COMPONENT_WRONG_STATE, 0),
        "-9 after the activation"
    );
    assert_eq!(agent.activations(), 1);
    assert_eq!(agent.hangs(), 0);
    assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(1) });
}

static BLOCK_GATE: Gate = Gate::new();
fn block_gate() {
    BLOCK_GATE.pass();
}

#[test]
fn a_blocked_rendezvous_activate_gives_up_within_its_spin_budget() {
    let agent = tfa(
        &[activatable(UUID_B).rendezvous_optional().activation_time(1)],
        1,
    );
    prime_fully(&agent, 0);
    agent.set_spin_relax(Some(block_gate));
    thread::scope(|s| {
        let skip = s.spawn(|| agent.call(&activate(0, true)));
        wait_until("the activation step running", || BLOCK_GATE.entered() >= 1);
        // A budget of 0 polls: the rendezvous ACTIVATE gives up at once.
        agent.set_spin_budget(0);
        let out = agent.call(&activate(0, false));
        assert_eq!(x01(&out), (HANG_STATUS, 0));
        assert_eq!(agent.hangs(), 1);
        BLOCK_GATE.open();
        assert_eq!(x01(&skip.join().unwrap()), (0, 0));
    });
    assert_eq!(agent.activations(), 1);
}

// ---- SMCCC_VERSION ---------------------------------------------------------

#[test]
fn smccc_version_is_per_profile_and_left_to_the_wrapper() {
    assert_eq!(
        SimAgent::<1, 1>::new(Profile::TfA).smccc_version(),
        SmcccVersion::new(1, 5)
    );
    assert_eq!(
        SimAgent::<1, 1>::new(Profile::Clean).smccc_version(),
        SmcccVersion::V1_2
    );
    assert_eq!(SmcccVersion::new(1, 5).to_w0(), 0x1_0005);
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_A)]);
        let mut sent = Regs::default();
        sent.x[0] = u64::from(SMCCC_VERSION);
        sent.x[1] = 0x77;
        let out = agent.call(&sent);
        assert_eq!(out.x[0], from_signed(-1), "{p:?}: not the agent's call");
        assert_eq!(out.x[1..], sent.x[1..]);
    }
}

// ---- option: image-load "again" answers per boot ------------------------------

#[test]
fn tfa_again_answers_per_boot_persist_across_sequences_until_cancel() {
    let agent = tfa(
        &[
            activatable(UUID_A).prime_again_per_boot(2),
            activatable(UUID_B).prime_again_per_boot(2),
        ],
        1,
    );
    // The first sequence of the boot: two CALL_AGAIN rounds.
    assert_eq!(prime_fully(&agent, 0), 3);
    assert_eq!(activate_fully(&agent, 0, false), 1);
    // B's load runs while A is held: its answers are used up there.
    assert_eq!(prime_fully(&agent, 1), 3);
    assert_eq!(check(&agent, cancel(0)), Ok(()));
    // A new sequence of B needs no retry at all.
    assert_eq!(prime_fully(&agent, 1), 1);
    // CANCEL of B restores B's answers (and only B's).
    assert_eq!(check(&agent, cancel(1)), Ok(()));
    assert_eq!(prime_fully(&agent, 1), 3);
}

#[test]
fn again_answers_per_boot_in_both_profiles() {
    for p in PROFILES {
        let agent = agent_with(
            p,
            &[
                activatable(UUID_A).prime_again_per_boot(2),
                activatable(UUID_B).prime_rounds(2),
            ],
        );
        for id in [0, 1] {
            read(&agent, id);
            assert_eq!(prime_fully(&agent, id), 3, "{p:?}: first sequence of {id}");
            assert_eq!(activate_fully(&agent, id, false), 1);
            if p == Profile::TfA {
                // TF-A keeps the activated component until it is cancelled
                // (and that CANCEL restores its answers).
                assert_eq!(check(&agent, cancel(id)), Ok(()));
            }
            agent
                .stage(if id == 0 { UUID_A } else { UUID_B }, V1_1)
                .unwrap();
            read(&agent, id);
        }
        // Clean: the agent went idle by itself after the activation, and no
        // CANCEL restored A's answers, so its next sequence needs none.
        let a_calls = if p == Profile::TfA { 3 } else { 1 };
        assert_eq!(prime_fully(&agent, 0), a_calls, "{p:?}: A per boot");
        assert_eq!(check(&agent, cancel(0)), Ok(()), "{p:?}");
        assert_eq!(prime_fully(&agent, 0), 3, "{p:?}: restored by CANCEL");
        assert_eq!(check(&agent, cancel(0)), Ok(()));
        // Per sequence: every sequence needs its two rounds.
        assert_eq!(prime_fully(&agent, 1), 3, "{p:?}: B per sequence");
    }
}

// ---- option: an activator that resets the agent --------------------------------

#[test]
fn an_activator_that_resets_the_agent_owes_no_cancel() {
    for p in PROFILES {
        let agent = agent_with(
            p,
            &[
                activatable(UUID_A).resets_agent_after_activation(),
                activatable(UUID_B),
            ],
        );
        read(&agent, 0);
        read(&agent, 1);
        prime_fully(&agent, 0);
        assert_eq!(activate_fully(&agent, 0, false), 1);
        assert_eq!(agent.phase(), Phase::Idle, "{p:?}");
        let out = agent.call(&cancel(0));
        assert_eq!(status(&out), INVALID, "{p:?}: CANCEL after it is -8");
        // A second activation in the same boot needs no CANCEL first.
        prime_fully(&agent, 1);
        assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(1) });
        assert_eq!(activate_fully(&agent, 1, false), 1);
        assert_eq!(agent.activations(), 2);
    }
    // Without the option TF-A keeps the component (the contrast).
    let agent = tfa(&[activatable(UUID_A)], 1);
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(0) });
    assert_eq!(check(&agent, cancel(0)), Ok(()));
}

// ---- option: an activation that takes time ------------------------------------

static POLLS_TFA: AtomicU64 = AtomicU64::new(0);
fn count_tfa() {
    POLLS_TFA.fetch_add(1, Ordering::SeqCst);
}
static POLLS_CLEAN: AtomicU64 = AtomicU64::new(0);
fn count_clean() {
    POLLS_CLEAN.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn activation_time_is_that_many_polls_per_step_in_both_profiles() {
    for (p, counter, relax) in [
        (Profile::TfA, &POLLS_TFA, count_tfa as fn()),
        (Profile::Clean, &POLLS_CLEAN, count_clean as fn()),
    ] {
        let agent = agent_with(
            p,
            &[activatable(UUID_B)
                .rendezvous_optional()
                .activate_rounds(1)
                .activation_time(5)],
        );
        agent.set_spin_relax(Some(relax));
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(counter.load(Ordering::SeqCst), 0, "{p:?}: PRIME takes none");
        // Two steps (one CALL_AGAIN round), five polls each.
        assert_eq!(activate_fully(&agent, 0, true), 2, "{p:?}");
        assert_eq!(counter.load(Ordering::SeqCst), 10, "{p:?}");
        assert_eq!(agent.activations(), 1);
        assert_eq!(agent.calls_in_progress(), 0);
    }
}

// ---- the demo population ---------------------------------------------------------

#[test]
fn tfa_demo_population_has_the_measured_roles() {
    let agent = SimAgent::demo_with(Profile::TfA);
    let rmm = inventory(&agent, 1);
    let bl33 = inventory(&agent, 2);
    assert_eq!(rmm.uuid, lfa_proto::components::TF_RMM.uuid);
    assert!(!rmm.flags.is_capable() && !rmm.flags.is_pending());
    assert_eq!(bl33.uuid, lfa_proto::components::BL33.uuid);
    assert!(bl33.flags.is_activatable() && !bl33.flags.rendezvous_required());
    // BL33's "again" answers are the platform's: two per boot.
    assert_eq!(prime_fully(&agent, 2), 3);
    assert_eq!(activate_fully(&agent, 2, true), 1);
    assert_eq!(check(&agent, cancel(2)), Ok(()));
    agent
        .stage(
            lfa_proto::components::BL33.uuid,
            lfa_proto::FirmwareVersion::new(2024, 3),
        )
        .unwrap();
    read(&agent, 2);
    // The CANCEL after the activation restored them.
    assert_eq!(prime_fully(&agent, 2), 3);
}
