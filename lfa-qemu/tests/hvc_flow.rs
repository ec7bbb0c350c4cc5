// SPDX-License-Identifier: MIT OR Apache-2.0
//! The full flow over `hvc`: a simulated agent (TF-A profile) at NS-EL2, the
//! client at NS-EL1 on one CPU. Nothing may reach EL3.
#![no_std]
#![no_main]

mod common;

use lfa_client::OnlyCpu;
use lfa_qemu::{Scenario, check_eq, exceptions};
use lfa_sim::Profile;
use lfa_smccc::Hvc;

static AGENT: common::Agent = common::Agent::new(Profile::TfA);

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    el2_agent: Some(&AGENT),
    el3_init,
    ..Scenario::new("hvc_flow", main)
};

fn el3_init() {
    common::add_components(&AGENT, &common::DEMO);
}

fn main(_cpu: usize) {
    common::demo_flow(
        Hvc,
        "hvc",
        &AGENT,
        &common::DEMO,
        &OnlyCpu,
        1,
        exceptions::hvc_calls,
    );
    check_eq!(exceptions::smc_calls(), 0, "no smc reached EL3");
}
