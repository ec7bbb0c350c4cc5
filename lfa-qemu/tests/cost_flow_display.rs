// SPDX-License-Identifier: MIT OR Apache-2.0
//! A client image for the cost report (`scripts/cost-report.sh`): the full
//! client flow of `flow/mod.rs` over `smc` against a stub, which
//! prints every error with `Display`.
#![no_std]
#![no_main]

#[path = "flow/mod.rs"]
mod flow;

use lfa_qemu::Scenario;

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    el3_agent: Some(&lfa_qemu::stub::EMPTY_AGENT),
    ..Scenario::new("cost_flow_display", main)
};

fn main(_cpu: usize) {
    flow::run::<true>();
}
