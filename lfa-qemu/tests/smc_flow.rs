// SPDX-License-Identifier: MIT OR Apache-2.0
//! The full flow over `smc`: a simulated agent (clean profile) at EL3, the
//! client at NS-EL1 on one CPU (the other CPUs stay parked, "off").
//!
//! Discover, list the demo inventory, activate BL31 and TF-RMM, list again,
//! and check every step, the call counts and the agent's own record.
#![no_std]
#![no_main]

mod common;

use lfa_client::OnlyCpu;
use lfa_qemu::{Scenario, exceptions};
use lfa_sim::Profile;
use lfa_smccc::Smc;

static AGENT: common::Agent = common::Agent::new(Profile::Clean);

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    el3_agent: Some(&AGENT),
    el3_init,
    ..Scenario::new("smc_flow", main)
};

fn el3_init() {
    common::add_components(&AGENT, &common::DEMO);
}

fn main(_cpu: usize) {
    // One CPU is on, so a rendezvous of one is the whole machine.
    common::demo_flow(
        Smc,
        "smc",
        &AGENT,
        &common::DEMO,
        &OnlyCpu,
        1,
        exceptions::smc_calls,
    );
}
