// SPDX-License-Identifier: MIT OR Apache-2.0
//! The non-blocking form under QEMU, over `smc` with four CPUs: CPU 0 drives
//! `PrimeOp` and `ActivationOp` one step at a time from a loop that does
//! other work between the steps (and for the retry delay the steps ask for,
//! timed by `GenericTimerClock`), while CPUs 1..3 serve the rendezvous.
//!
//! Checked: every step outside the rendezvous window makes at most one
//! `smc` (the window makes one round per CPU), the steps say what comes
//! next, work ran between them, and both pending components end activated.
#![no_std]
#![no_main]

mod common;

use lfa_client::{
    ActivationOp, Client, GenericTimerClock, Next, PrimeOp, Step,
    components::{TF_RMM, TFA_BL31},
};
use lfa_qemu::rendezvous::CpuRendezvous;
use lfa_qemu::timer::Deadline;
use lfa_qemu::{Scenario, check, check_eq, exceptions, println};
use lfa_sim::Profile;
use lfa_smccc::Smc;

const CPUS: usize = 4;

static AGENT: common::Agent = common::Agent::new(Profile::TfA);
static RENDEZVOUS: CpuRendezvous = CpuRendezvous::new(CPUS, 5_000);

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    cpus: CPUS,
    el3_agent: Some(&AGENT),
    el3_init,
    ..Scenario::new("stepped", main)
};

fn el3_init() {
    common::add_components(&AGENT, &common::DEMO);
    AGENT.set_online_cpus(4);
}

/// "Other work" between two steps: until `wait` has passed (at least one
/// unit). Returns the units done.
fn other_work(wait: Option<core::time::Duration>) -> u64 {
    let ms = wait.map_or(0, |w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX));
    let until = Deadline::after_ms(ms);
    let mut units = 0_u64;
    loop {
        units = units.wrapping_add(1);
        core::hint::spin_loop();
        if until.expired() {
            return units;
        }
    }
}

fn main(cpu: usize) {
    if cpu != 0 {
        let _served = RENDEZVOUS.serve(cpu, &Smc);
        return;
    }
    let mut client = match Client::discover(Smc) {
        Ok(c) => c.with_clock(GenericTimerClock::new()),
        Err(e) => {
            check!(false, "discover: {e}");
            RENDEZVOUS.end();
            return;
        }
    };
    let mut work = 0_u64;
    for (uuid, name) in [(TFA_BL31.uuid, "BL31"), (TF_RMM.uuid, "TF-RMM")] {
        let component = match client.find(uuid) {
            Ok(Some(c)) => c,
            other => {
                check!(false, "{name} listed: {other:?}");
                continue;
            }
        };
        let mut prime: PrimeOp = match client.prime_op(&component) {
            Ok(op) => op,
            Err(e) => {
                check!(false, "prime_op {name}: {e}");
                continue;
            }
        };
        let mut steps = 0_u32;
        let primed = loop {
            let before = exceptions::smc_calls();
            let step = prime.step(&mut client);
            steps += 1;
            check!(
                exceptions::smc_calls() - before <= 1,
                "{name}: a PRIME step made at most one smc"
            );
            match step {
                Step::Pending { wait, .. } => work += other_work(wait),
                Step::Done(result) => break result,
            }
        };
        let primed = match primed {
            Ok(p) => p,
            Err(e) => {
                check!(false, "{name} primed: {e}");
                continue;
            }
        };
        println!(
            "{name}: primed in {steps} steps ({} PRIME rounds)",
            primed.prime_rounds()
        );
        let mut activation: ActivationOp = primed.activate();
        let mut steps = 0_u32;
        let done = loop {
            let next = activation.next();
            let before = exceptions::smc_calls();
            let step = activation.step_with(&mut client, &RENDEZVOUS);
            steps += 1;
            let calls = exceptions::smc_calls() - before;
            if next == Some(Next::Activate { round: 1 }) {
                check!(calls <= 4, "{name}: the window made one round per CPU");
            } else {
                check!(calls <= 1, "{name}: step {next:?} made at most one smc");
            }
            match step {
                Step::Pending { wait, .. } => work += other_work(wait),
                Step::Done(result) => break result,
            }
        };
        match done {
            Ok(done) => {
                println!(
                    "{name}: activated in {steps} steps, {} CPUs, {} ACTIVATE rounds",
                    done.cpus(),
                    done.activate_rounds()
                );
                check_eq!(done.cpus(), CPUS, "{name}: the rendezvous of every CPU");
                check!(
                    done.now().is_ok_and(|c| !c.is_pending()),
                    "{name}: no longer pending"
                );
            }
            Err(e) => {
                check!(false, "{name} activated: {e}");
            }
        }
    }
    RENDEZVOUS.end();
    check!(work > 0, "other work ran between the steps ({work} units)");
    check_eq!(
        AGENT.activations(),
        2,
        "the agent performed two activations"
    );
}
