// SPDX-License-Identifier: MIT OR Apache-2.0
//! Multi-CPU rendezvous over `smc` with four CPUs: every CPU enters
//! LFA_ACTIVATE through the client's rendezvous hook, the EL3 agent's holding
//! pen completes each round only when all four have arrived, and every CPU
//! sees the result.
//!
//! CPU 0 drives the client; CPUs 1..3 serve the rendezvous
//! (`lfa_qemu::rendezvous::CpuRendezvous`). The arrivals are staggered by
//! 3 ms per CPU, so "the pen held the early CPUs until the last one came" is
//! visible in the timestamps: no CPU leaves its call before the last enters.
//! First, a hook that cannot gather every CPU must refuse without sending a
//! single LFA_ACTIVATE (a partial rendezvous hangs TF-A in EL3).
#![no_std]
#![no_main]

mod common;

use lfa_client::ErrorDetail;
use lfa_client::{CancelOutcome, Client, CpuResult};
use lfa_proto::{FunctionId, components::TFA_BL31};
use lfa_qemu::rendezvous::CpuRendezvous;
use lfa_qemu::{Scenario, check, check_eq, exceptions, println, timer};
use lfa_sim::{Phase, Profile};
use lfa_smccc::Smc;

const CPUS: usize = 4;
/// [`CPUS`] as the agent counts them.
const CPUS_U32: u32 = 4;

static AGENT: common::Agent = common::Agent::new(Profile::TfA);
/// Served by CPUs 1..3 until CPU 0 ends it.
static RENDEZVOUS: CpuRendezvous = CpuRendezvous::new(CPUS, 5_000);
/// Served by nobody: the hook must give up (after 100 ms) without calling.
static NOBODY: CpuRendezvous = CpuRendezvous::new(CPUS, 100);

/// The demo population, with one CALL_AGAIN round of ACTIVATE for each of the
/// two pending components: every round is a rendezvous of all four CPUs.
const POPULATION: common::Population = {
    let mut p = common::DEMO;
    p[0] = p[0].activate_rounds(1);
    p[1] = p[1].activate_rounds(1);
    p
};

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    cpus: CPUS,
    el3_agent: Some(&AGENT),
    el3_init,
    ..Scenario::new("rendezvous", main)
};

fn el3_init() {
    common::add_components(&AGENT, &POPULATION);
    // Every CPU of the image is "on": the pen waits for all four.
    AGENT.set_online_cpus(CPUS_U32);
}

fn main(cpu: usize) {
    if cpu != 0 {
        if RENDEZVOUS.serve(cpu, &Smc) {
            let record = RENDEZVOUS.record(cpu);
            check_eq!(
                record.outcome.map(|o| (o.result(), o.rounds())),
                Some((CpuResult::Done, 2)),
                "CPU {cpu} saw the last activation complete, after 2 rounds"
            );
        }
        return;
    }
    partial_rendezvous_is_refused();
    AGENT.clear_log();
    RENDEZVOUS.set_stagger_ms(3);
    common::demo_flow(
        Smc,
        "smc",
        &AGENT,
        &POPULATION,
        &RENDEZVOUS,
        CPUS,
        exceptions::smc_calls,
    );
    RENDEZVOUS.end();

    check_eq!(
        RENDEZVOUS.jobs(),
        2,
        "two rendezvous windows (BL31, TF-RMM)"
    );
    let records = [0, 1, 2, 3].map(|c| RENDEZVOUS.record(c));
    let last_in = records.iter().map(|r| r.entered).max().unwrap_or(0);
    let first_out = records.iter().map(|r| r.left).min().unwrap_or(0);
    let first_in = records.iter().map(|r| r.entered).min().unwrap_or(0);
    let us = |ticks: u64| ticks * 1_000_000 / timer::frequency();
    println!(
        "last window: CPUs entered over {} us; the first left {} us after the last entered",
        us(last_in - first_in),
        us(first_out.saturating_sub(last_in))
    );
    check!(
        last_in - first_in >= timer::frequency() * 9 / 1000,
        "the arrivals were spread over at least 9 ms (3 ms stagger)"
    );
    check!(
        first_out >= last_in,
        "no CPU left LFA_ACTIVATE before the last one entered"
    );
    check_eq!(
        records[0].outcome.map(|o| (o.result(), o.rounds())),
        Some((CpuResult::Done, 2)),
        "CPU 0 saw the last activation complete, after 2 rounds"
    );
    check!(
        !AGENT.hang_detected(),
        "the agent saw no CPU give up in the pen"
    );
}

/// A hook that cannot gather every CPU refuses; the client cancels, and the
/// agent never sees an LFA_ACTIVATE.
fn partial_rendezvous_is_refused() {
    println!("-- a rendezvous hook without the other CPUs");
    let Ok(mut client) = Client::discover(Smc) else {
        check!(false, "discover");
        return;
    };
    let bl31 = match client.find(TFA_BL31.uuid) {
        Ok(Some(c)) => c,
        other => {
            check!(false, "BL31 listed: {other:?}");
            return;
        }
    };
    let result = match client.prime(&bl31) {
        Ok(primed) => primed.activate_with(&NOBODY),
        Err(e) => Err(e),
    };
    if let Err(e) = &result {
        println!("  client error (expected): {e}");
    }
    check!(
        matches!(
            result.map_err(|e| e.detail()),
            Err(ErrorDetail::RendezvousFailed {
                cancel: CancelOutcome::Cancelled,
                ..
            })
        ),
        "activate_with a hook missing CPUs: RendezvousFailed, then cancelled"
    );
    check_eq!(
        AGENT.with_log(|log| log.count(FunctionId::Activate)),
        0,
        "not one LFA_ACTIVATE was sent"
    );
    check_eq!(
        AGENT.phase(),
        Phase::Idle,
        "the agent is idle again after the CANCEL"
    );
}
