// SPDX-License-Identifier: MIT OR Apache-2.0
//! The client side alone, for the size report (`scripts/size-report.sh`):
//! what a bare-metal program that uses `lfa-client` over `smc` links.
//!
//! The test body at NS-EL1 discovers the agent, checks every function, finds
//! a component, lists the inventory and activates everything pending through
//! `OnlyCpu`, printing the client's errors with `Display` as a program would
//! (`Debug` of the client's types is not linked): every public entry point of
//! the client's flow is reachable, so its code (and the `lfa-proto` and
//! `lfa-smccc` code it uses) is linked. The callback and the result of
//! `activate_all_pending` are used without naming their types. The EL3 side is `lfa_qemu::stub::EmptyAgent`, written with raw constants, not the
//! simulator and not `lfa-proto`'s request and response types, so that the `lfa_*` symbols in the image are
//! the client's: LFA 1.0, every function implemented, no components. The run
//! checks that the client saw exactly that with the documented call counts.
#![no_std]
#![no_main]

use lfa_client::{Client, OnlyCpu};
use lfa_proto::FunctionId;
use lfa_proto::components::TFA_BL31;
use lfa_qemu::{Scenario, check, check_eq, exceptions};
use lfa_smccc::Smc;

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    el3_agent: Some(&lfa_qemu::stub::EMPTY_AGENT),
    ..Scenario::new("client_image", main)
};

fn main(_cpu: usize) {
    let start = exceptions::smc_calls();
    let mut client = match Client::discover(Smc) {
        Ok(client) => client,
        Err(e) => {
            check!(false, "discover: {e}");
            return;
        }
    };
    check_eq!(
        (client.version().major(), client.version().minor()),
        (1, 0),
        "LFA_VERSION 1.0"
    );
    if let Err(e) = client.require_all_functions() {
        check!(false, "every function: {e}");
    }
    match client.supports(FunctionId::Activate) {
        Ok(yes) => check!(yes, "LFA_ACTIVATE implemented"),
        Err(e) => check!(false, "LFA_FEATURES: {e}"),
    };
    match client.find(TFA_BL31.uuid) {
        Ok(found) => check!(found.is_none(), "no BL31 in an empty inventory"),
        Err(e) => check!(false, "find: {e}"),
    };
    match client.components() {
        Ok(components) => check_eq!(components.count(), 0, "an empty inventory"),
        Err(e) => check!(false, "components: {e}"),
    };
    // The callback sees each activation; with nothing pending it never runs.
    let mut reported = 0_u32;
    let result = client.activate_all_pending(&OnlyCpu, |_| reported += 1);
    check!(
        result.is_ok() && reported == 0,
        "activate_all_pending: nothing to activate, no error"
    );
    // VERSION, 6 FEATURES, 1 FEATURES, GET_INFO (find), GET_INFO (list),
    // GET_INFO (activate_all_pending).
    check_eq!(exceptions::smc_calls() - start, 11, "exactly 11 smc calls");
}
