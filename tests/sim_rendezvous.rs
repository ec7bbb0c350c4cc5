// SPDX-License-Identifier: MIT OR Apache-2.0
//! Rendezvous activations from several host threads: completion only when the
//! last online CPU arrives, identical results for all, CANCEL while CPUs wait,
//! and a partial rendezvous reported as a detected hang (TF-A profile) or
//! ended with ACTIVATION_FAILED within the bound (clean profile: lfa-agent).
//!
//! No test here depends on timing: ordering is controlled by waiting (with a
//! bound) for the agent to report how many CPUs are in the pen, and every wait
//! inside the agent has a finite spin budget, so a broken simulator makes a
//! test fail instead of hang.

mod sim_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;

use lfa_proto::{FunctionId, LfaError, Regs, SeqId, regs::from_signed};
use lfa_sim::{ActivationMode, Fault, HANG_STATUS, Phase, Profile, SimAgent, SimComponent};
use lfa_smccc::Conduit;
use sim_support::*;

/// Polls a waiting CPU may make before it gives up in the tests that must
/// complete: with `yield_now` after each poll this is many seconds, far more
/// than the microseconds the tests need, yet finite.
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

fn waiting(agent: &SimAgent) -> u32 {
    match agent.phase() {
        Phase::Activating { waiting, .. } => waiting,
        _ => 0,
    }
}

/// An agent with `cpus` online, ready to activate `component` (id 0).
fn primed(profile: Profile, component: SimComponent, cpus: u32) -> SimAgent {
    let agent = agent_with(profile, &[component]);
    agent.set_online_cpus(cpus);
    agent.set_spin_budget(GENEROUS);
    agent.set_spin_relax(Some(thread::yield_now));
    read(&agent, 0);
    prime_fully(&agent, 0);
    agent
}

#[test]
fn completes_only_when_the_last_cpu_arrives_and_all_see_the_same_status() {
    const CPUS: u32 = 4;
    for p in PROFILES {
        let agent = primed(p, activatable(UUID_A), CPUS);
        let returned = AtomicU32::new(0);
        let results: Vec<Regs> = thread::scope(|s| {
            let early: Vec<_> = (0..CPUS - 1)
                .map(|_| {
                    s.spawn(|| {
                        let out = agent.call(&activate(0, false));
                        returned.fetch_add(1, Ordering::SeqCst);
                        out
                    })
                })
                .collect();
            wait_until("three CPUs in the pen", || waiting(&agent) == CPUS - 1);
            // Before the last CPU: nothing has happened yet.
            assert_eq!(
                returned.load(Ordering::SeqCst),
                0,
                "{p:?}: nobody released early"
            );
            assert_eq!(
                agent.phase(),
                Phase::Activating {
                    seq_id: SeqId(0),
                    mode: ActivationMode::Rendezvous,
                    rounds_done: 0,
                    waiting: CPUS - 1
                }
            );
            assert!(agent.component(SeqId(0)).unwrap().is_pending());
            assert_eq!(agent.activations(), 0);
            assert_eq!(
                agent.log().count(FunctionId::Activate),
                0,
                "waiters not answered"
            );
            // GET_INVENTORY still works while CPUs wait.
            read(&agent, 0);
            let last = s.spawn(|| agent.call(&activate(0, false)));
            let mut all: Vec<Regs> = early.into_iter().map(|h| h.join().unwrap()).collect();
            all.push(last.join().unwrap());
            all
        });
        let expected = activate(0, false);
        for out in &results {
            assert_eq!(
                (out.x[0], out.x[1]),
                (0, 0),
                "{p:?}: SUCCESS, CALL_AGAIN clear"
            );
            // TF-A writes x0, x1 only; the clean profile also zeroes x2, x3.
            let from = if p == Profile::TfA { 2 } else { 4 };
            assert_eq!(
                out.x[from..],
                expected.x[from..],
                "{p:?}: other registers echoed"
            );
        }
        assert_eq!(agent.activations(), 1);
        assert_eq!(agent.component(SeqId(0)).unwrap().current_version, V1_1);
        assert!(!agent.hang_detected());
        let log = agent.log();
        assert_eq!(log.count(FunctionId::Activate), CPUS as usize);
        assert!(
            log.iter()
                .filter(|r| r.function() == Some(FunctionId::Activate))
                .all(|r| r.status() == 0)
        );
    }
}

#[test]
fn call_again_rounds_need_every_cpu_each_round() {
    const CPUS: u32 = 4;
    for p in PROFILES {
        let agent = primed(p, activatable(UUID_A).activate_rounds(2), CPUS);
        let sequences: Vec<Vec<u64>> = thread::scope(|s| {
            let handles: Vec<_> = (0..CPUS)
                .map(|_| {
                    s.spawn(|| {
                        let mut seen = Vec::new();
                        for _ in 0..10 {
                            let out = agent.call(&activate(0, false));
                            assert_eq!(status(&out), 0);
                            seen.push(out.x[1]);
                            if out.x[1] == 0 {
                                break;
                            }
                        }
                        seen
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for seq in &sequences {
            assert_eq!(seq, &[1, 1, 0], "{p:?}: two CALL_AGAIN rounds, then done");
        }
        assert_eq!(agent.log().count(FunctionId::Activate), 3 * CPUS as usize);
        assert_eq!(agent.activations(), 1);
    }
}

#[test]
fn cancel_during_a_partial_rendezvous_releases_waiters_with_activation_failed() {
    for p in PROFILES {
        let agent = primed(p, activatable(UUID_A), 3);
        let results: Vec<Regs> = thread::scope(|s| {
            let waiters: Vec<_> = (0..2)
                .map(|_| s.spawn(|| agent.call(&activate(0, false))))
                .collect();
            wait_until("two CPUs in the pen", || waiting(&agent) == 2);
            assert_eq!(check(&agent, cancel(0)), Ok(()), "{p:?}: CANCEL accepted");
            waiters.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for out in &results {
            assert_eq!(status(out), LfaError::ActivationFailed.code(), "{p:?}");
            assert_eq!(out.x[1], 0);
        }
        assert_eq!(agent.phase(), Phase::Idle);
        assert!(
            agent.component(SeqId(0)).unwrap().is_pending(),
            "nothing activated"
        );
        assert_eq!(agent.activations(), 0);
        assert!(!agent.hang_detected());
        // The agent is usable again: a new prime and a one-CPU activation.
        agent.set_online_cpus(1);
        prime_fully(&agent, 0);
        assert_eq!(activate_fully(&agent, 0, false), 1);
    }
}

// TF-A profile, CANCEL without a cancel hook: the waiting CPUs stay in the
// pen and count in the next round (tests/sim_tfa.rs).

#[test]
fn clean_cancel_without_a_cancel_hook_releases_waiters_with_activation_failed() {
    let p = Profile::Clean;
    let agent = primed(p, activatable(UUID_A).without_cancel_hook(), 3);
    let results: Vec<Regs> = thread::scope(|s| {
        let waiters: Vec<_> = (0..2)
            .map(|_| s.spawn(|| agent.call(&activate(0, false))))
            .collect();
        wait_until("two CPUs in the pen", || waiting(&agent) == 2);
        assert_eq!(check(&agent, cancel(0)), Ok(()), "{p:?}: CANCEL returns 0");
        waiters.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for out in &results {
        assert_eq!(status(out), LfaError::ActivationFailed.code(), "released");
        assert_eq!(out.x[1], 0);
    }
    assert_eq!(agent.hangs(), 0, "nobody gave up waiting");
    assert_eq!(agent.phase(), Phase::Idle);
}

#[test]
fn partial_rendezvous_is_a_detected_hang_within_the_budget() {
    const CPUS: u32 = 4;
    for p in PROFILES {
        // TF-A's CPUs are stuck (the simulator reports HANG_STATUS); lfa-agent
        // ends the round with ACTIVATION_FAILED once the bound is reached.
        let gave_up = match p {
            Profile::TfA => HANG_STATUS,
            Profile::Clean => LfaError::ActivationFailed.code(),
        };
        let agent = primed(p, activatable(UUID_A), CPUS);
        agent.set_spin_budget(10_000);
        let results: Vec<Regs> = thread::scope(|s| {
            let handles: Vec<_> = (0..CPUS - 1)
                .map(|_| s.spawn(|| agent.call(&activate(0, false))))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for out in &results {
            assert_eq!(out.x[0], from_signed(gave_up), "{p:?}");
            assert_eq!(
                lfa_proto::decode_status(out.x[0]),
                Err(LfaError::from_code(gave_up).unwrap())
            );
        }
        assert!(agent.hang_detected());
        assert_eq!(agent.hangs(), CPUS - 1);
        // The CPUs left the pen; the activation never happened.
        assert_eq!(waiting(&agent), 0);
        assert!(agent.component(SeqId(0)).unwrap().is_pending());
        assert_eq!(
            agent.log().iter().filter(|r| r.status() == gave_up).count(),
            3
        );
        if p == Profile::Clean {
            // The agent is back where the rendezvous started, and the bound
            // was the spin budget, in polls of the waiting CPUs.
            assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
            assert!(agent.platform().polls() >= 10_000);
        }
        // Nothing was committed, so CANCEL still resets.
        assert_eq!(check(&agent, cancel(0)), Ok(()));
        assert_eq!(agent.phase(), Phase::Idle);
    }
}

#[test]
fn zero_budget_single_thread_hang_is_immediate() {
    let agent = primed(Profile::TfA, activatable(UUID_A), 2);
    agent.set_spin_budget(0);
    let out = agent.call(&activate(0, false));
    assert_eq!(out.x[0], from_signed(HANG_STATUS));
    assert_eq!(agent.hangs(), 1);
}

#[test]
fn activation_failure_reaches_every_waiting_cpu() {
    for (fault, code) in [
        (
            Fault::activate_fails(LfaError::CriticalError),
            LfaError::CriticalError.code(),
        ),
        (Fault::activate_fails_raw(-35), -35),
    ] {
        let agent = primed(Profile::TfA, activatable(UUID_A), 3);
        agent.inject(fault).unwrap();
        let results: Vec<Regs> = thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|_| s.spawn(|| agent.call(&activate(0, false))))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for out in &results {
            assert_eq!(status(out), code);
            assert_eq!(out.x[1], 0);
        }
        assert_eq!(agent.faults_fired(), 1, "one step, one fault");
        assert_eq!(agent.phase(), Phase::Idle);
        assert!(agent.component(SeqId(0)).unwrap().is_pending());
    }
}

#[test]
fn late_skip_and_prime_while_cpus_wait_are_busy() {
    let agent = primed(Profile::Clean, activatable(UUID_B).rendezvous_optional(), 3);
    let results: Vec<Regs> = thread::scope(|s| {
        let waiters: Vec<_> = (0..2)
            .map(|_| s.spawn(|| agent.call(&activate(0, false))))
            .collect();
        wait_until("two CPUs in the pen", || waiting(&agent) == 2);
        assert_eq!(send(&agent, activate(0, true)), Err(LfaError::Busy));
        assert_eq!(send(&agent, prime(0)), Err(LfaError::Busy));
        assert_eq!(waiting(&agent), 2, "refused calls do not join");
        let last = s.spawn(|| agent.call(&activate(0, false)));
        let mut all: Vec<Regs> = waiters.into_iter().map(|h| h.join().unwrap()).collect();
        all.push(last.join().unwrap());
        all
    });
    assert!(results.iter().all(|r| r.x[0] == 0 && r.x[1] == 0));
    assert_eq!(agent.activations(), 1);
}

#[test]
fn repeated_rendezvous_activations_from_many_threads() {
    const CPUS: u32 = 8;
    let agent = primed(Profile::Clean, activatable(UUID_A), CPUS);
    for round in 0..20_u32 {
        if round > 0 {
            agent
                .stage(UUID_A, lfa_proto::FirmwareVersion::new(2, round))
                .unwrap();
            prime_fully(&agent, 0);
        }
        let ok = thread::scope(|s| {
            let handles: Vec<_> = (0..CPUS)
                .map(|_| s.spawn(|| agent.call(&activate(0, false))))
                .collect();
            handles.into_iter().all(|h| h.join().unwrap().x[0] == 0)
        });
        assert!(ok, "round {round}");
        assert_eq!(agent.activations(), round + 1);
    }
    // GET_INVENTORY, then per round one PRIME and one ACTIVATE per CPU: more
    // than the log keeps (128), so the rest is counted.
    let total = 1 + 20 * (1 + u64::from(CPUS));
    assert_eq!(agent.call_count(), total);
    assert_eq!(agent.log().dropped(), total - 128);
    assert!(!agent.hang_detected());
}
