// SPDX-License-Identifier: MIT OR Apache-2.0
//! The full client flow of the cost report's two client images
//! (`cost_flow`, which never prints an error, and `cost_flow_display`, which
//! prints every error with `Display`): discover, every function checked,
//! find, list, PRIME then ACTIVATE alone and PRIME then ACTIVATE through a
//! rendezvous hook (`CpuRendezvous`), the same through the non-blocking
//! `PrimeOp`/`ActivationOp` steps, and `activate_all_pending` through the
//! same hook. The EL3 side is `lfa_qemu::stub::EmptyAgent`, written with raw constants (LFA
//! 1.0, every function, no components), so every `lfa_*` symbol of the
//! image is client code; the PRIME/ACTIVATE branches are linked but only
//! run when a component is listed, which the stub never does. The run
//! checks the documented call count.

use core::fmt::Display;

use lfa_client::{Client, Step};
use lfa_proto::FunctionId;
use lfa_proto::components::TFA_BL31;
use lfa_qemu::rendezvous::CpuRendezvous;
use lfa_qemu::{check, check_eq, exceptions};
use lfa_smccc::Smc;

/// The rendezvous hook of the flow (one CPU; never called by the stub's run).
static RENDEZVOUS: CpuRendezvous = CpuRendezvous::new(1, 1_000);

/// A failed step (a failed check, `false`): with `DISPLAY`, the error
/// printed with `Display`.
fn fail<const DISPLAY: bool>(what: &str, e: &impl Display) -> bool {
    if DISPLAY {
        check!(false, "{what}: {e}")
    } else {
        let _ = e;
        check!(false, "{what} failed")
    }
}

/// The flow, on CPU 0.
pub fn run<const DISPLAY: bool>() {
    let start = exceptions::smc_calls();
    let mut client = match Client::discover(Smc) {
        Ok(client) => client,
        Err(e) => {
            fail::<DISPLAY>("discover", &e);
            return;
        }
    };
    check_eq!(
        (client.version().major(), client.version().minor()),
        (1, 0),
        "LFA_VERSION 1.0"
    );
    if let Err(e) = client.require_all_functions() {
        fail::<DISPLAY>("every function", &e);
    }
    match client.supports(FunctionId::Activate) {
        Ok(yes) => check!(yes, "LFA_ACTIVATE implemented"),
        Err(e) => fail::<DISPLAY>("LFA_FEATURES", &e),
    };
    let found = client.find(TFA_BL31.uuid);
    check!(matches!(found, Ok(None)), "no BL31 in an empty inventory");
    match client.components() {
        Ok(components) => check_eq!(components.count(), 0, "an empty inventory"),
        Err(e) => fail::<DISPLAY>("components", &e),
    };
    if let Ok(Some(c)) = found {
        // Linked, never run with the stub: PRIME, then ACTIVATE alone; PRIME,
        // then ACTIVATE through the hook.
        match client.prime(&c).and_then(|primed| primed.activate_alone()) {
            Ok(done) => check!(done.now().is_ok(), "activated"),
            Err(e) => fail::<DISPLAY>("activate alone", &e),
        };
        match client
            .prime(&c)
            .and_then(|primed| primed.activate_with(&RENDEZVOUS))
        {
            Ok(done) => check!(done.now().is_ok(), "activated"),
            Err(e) => fail::<DISPLAY>("activate with the rendezvous", &e),
        };
    }
    if let Ok(Some(c)) = found {
        // Linked, never run with the stub: the non-blocking form, PRIME then
        // ACTIVATE through the hook, one step at a time.
        match client.prime_op(&c) {
            Ok(mut op) => {
                let primed = loop {
                    if let Step::Done(result) = op.step(&mut client) {
                        break result;
                    }
                };
                match primed {
                    Ok(primed) => {
                        let mut activation = primed.activate();
                        let done = loop {
                            if let Step::Done(result) =
                                activation.step_with(&mut client, &RENDEZVOUS)
                            {
                                break result;
                            }
                        };
                        if let Err(e) = done {
                            fail::<DISPLAY>("stepped activation", &e);
                        }
                    }
                    Err(e) => {
                        fail::<DISPLAY>("stepped prime", &e);
                    }
                }
            }
            Err(e) => {
                fail::<DISPLAY>("prime_op", &e);
            }
        }
    }
    // The callback sees each activation; with nothing pending it never runs.
    let mut reported = 0_u32;
    match client.activate_all_pending(&RENDEZVOUS, |_| reported += 1) {
        Ok(_) => check_eq!(reported, 0, "activate_all_pending: nothing to activate"),
        Err(e) => fail::<DISPLAY>("activate_all_pending", &e),
    };
    // VERSION, 6 FEATURES, 1 FEATURES, GET_INFO (find), GET_INFO (list),
    // GET_INFO (activate_all_pending).
    check_eq!(exceptions::smc_calls() - start, 11, "exactly 11 smc calls");
    RENDEZVOUS.end();
}
