// SPDX-License-Identifier: MIT OR Apache-2.0
//! No LFA agent: plain `-machine virt` (no EL3, no EL2 of ours). The image
//! starts at EL1 and QEMU's built-in PSCI answers `hvc`; it knows PSCI but not
//! LFA, and reports SMCCC 1.0. The client must say "no LFA agent" cleanly.
//!
//! With the guest word `try-smc` the image also issues an `smc`, which is
//! UNDEFINED without EL3: the EL1 vectors must report the exception and fail
//! the run (a self-test of `scripts/qemu-test.sh`).
#![no_std]
#![no_main]

use lfa_client::Client;
use lfa_client::ErrorDetail;
use lfa_qemu::cmdline;
use lfa_qemu::{Scenario, check, check_eq, exception_level, exceptions, println};
use lfa_smccc::{Conduit, Hvc, Regs, Smc, SmcccVersion, query_smccc_version, smccc_version};

/// PSCI_VERSION (SMC32 fast call).
const PSCI_VERSION: u64 = 0x8400_0000;

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario::new("no_agent", main);

fn main(_cpu: usize) {
    check_eq!(
        exception_level::current(),
        1,
        "started at EL1: the machine has no EL3 or EL2 for us"
    );

    // hvc reaches a real firmware (QEMU's PSCI), not our own handler.
    let psci = Hvc.call(&Regs::with_x0(PSCI_VERSION)).x[0];
    println!("PSCI_VERSION over hvc: {psci:#x}");
    check!(
        psci >> 16 >= 1 && psci >> 32 == 0,
        "QEMU's PSCI answers PSCI_VERSION ({}.{})",
        psci >> 16,
        psci & 0xFFFF
    );
    check_eq!(
        exceptions::hvc_calls(),
        0,
        "no hvc was taken by this image's own EL2"
    );

    // SMCCC_VERSION is not implemented there: SMCCC 1.0.
    check!(
        query_smccc_version(&Hvc).is_err(),
        "PSCI_FEATURES(SMCCC_VERSION) says NOT_SUPPORTED"
    );
    check_eq!(
        smccc_version(&Hvc),
        SmcccVersion::V1_0,
        "SMCCC version reads as 1.0"
    );

    // LFA_VERSION: NOT_SUPPORTED, which the client reports as no agent.
    match Client::discover(Hvc).map_err(|e| e.detail()) {
        Err(e @ ErrorDetail::NoAgent { x0 }) => {
            println!("client: {e}");
            check_eq!(
                x0,
                u64::MAX,
                "Client::discover: no LFA agent, LFA_VERSION returned -1"
            );
        }
        Err(e) => {
            check!(false, "Client::discover: expected NoAgent, got {e}");
        }
        Ok(client) => {
            check!(
                false,
                "Client::discover found LFA {} on QEMU's PSCI",
                client.version()
            );
        }
    }

    if cmdline::has("try-smc") {
        println!("try-smc: issuing an smc with no EL3; the run must fail with an exception report");
        let _ = Smc.call(&Regs::with_x0(PSCI_VERSION));
        check!(false, "an smc without EL3 returned");
    }
}
