// SPDX-License-Identifier: MIT OR Apache-2.0
//! Faults over `smc` (clean agent at EL3, one CPU): injected PRIME and
//! ACTIVATE failures end in a clean error and an LFA_CANCEL, CALL_AGAIN
//! sequences complete with identical registers on every retry, a CALL_AGAIN
//! that never ends is cut at the configured bound, and BUSY is reported.
#![no_std]
#![no_main]

mod common;

use lfa_client::ErrorDetail;
use lfa_client::{CancelOutcome, Client, Component, Options, RetryPolicy};
use lfa_proto::{FirmwareVersion, FunctionId, LfaError, Uuid, components};
use lfa_qemu::{Scenario, check, check_eq, println};
use lfa_sim::{Fault, Phase, Profile, SimComponent};
use lfa_smccc::Smc;

static AGENT: common::Agent = common::Agent::new(Profile::Clean);

/// PRIME: 3 CALL_AGAIN answers then done; ACTIVATE: 2 then done.
const RMM: SimComponent = SimComponent::new(components::TF_RMM.uuid)
    .capable()
    .current(FirmwareVersion::new(0, 7))
    .pending(FirmwareVersion::new(0, 8))
    .rendezvous_optional()
    .prime_rounds(3)
    .activate_rounds(2);
/// PRIME: 50 CALL_AGAIN answers, more than the bound of 5 used below.
const BL31: SimComponent = SimComponent::new(components::TFA_BL31.uuid)
    .capable()
    .current(FirmwareVersion::new(2, 12))
    .pending(FirmwareVersion::new(2, 13))
    .rendezvous_optional()
    .prime_rounds(50);

/// The client's LFA_CANCEL after a failed step: the agent has already
/// abandoned the prime or activation, so nothing is current any more.
const NOTHING_TO_CANCEL: CancelOutcome = CancelOutcome::NothingToCancel;

/// One CPU is on: activating from it alone (skip_cpu_rendezvous) is allowed.
const ONE_CPU: Options = Options::DEFAULT.with_force_rendezvous(false);

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    el3_agent: Some(&AGENT),
    el3_init,
    ..Scenario::new("faults", main)
};

fn el3_init() {
    for c in [RMM, BL31] {
        if AGENT.add_component(c).is_err() {
            println!("FAIL: agent full");
        }
    }
}

fn main(_cpu: usize) {
    let Ok(client) = Client::discover(Smc) else {
        check!(false, "discover");
        return;
    };
    let mut client = client.with_options(ONE_CPU);
    prime_failures(&mut client);
    call_again_completes(&mut client);
    busy(&client);
    activate_failure(&mut client);
    let bounded = match Client::discover(Smc) {
        Ok(c) => c.with_options(ONE_CPU.with_prime(RetryPolicy::rounds(5))),
        Err(e) => {
            check!(false, "discover: {e}");
            return;
        }
    };
    call_again_bound(bounded);
}

fn find(client: &Client<Smc>, uuid: Uuid) -> Option<Component> {
    let found = client.find(uuid);
    check!(matches!(found, Ok(Some(_))), "{uuid} listed");
    found.ok().flatten()
}

/// The last call the agent answered: its function and status.
fn last_call() -> Option<(Option<FunctionId>, i64)> {
    AGENT.with_log(|log| log.last().map(|r| (r.function(), r.status())))
}

fn prime_failures(client: &mut Client<Smc>) {
    println!("-- PRIME fails authentication, then with a raw activator code");
    let Some(rmm) = find(client, RMM.uuid) else {
        return;
    };
    for (fault, status) in [
        (Fault::prime_fails(LfaError::AuthError), LfaError::AuthError),
        (Fault::prime_fails_raw(-35), LfaError::Unknown(-35)),
    ] {
        check!(AGENT.inject(fault).is_ok(), "inject {fault:?}");
        let result = client.prime(&rmm).map(|p| p.prime_rounds());
        if let Err(e) = &result {
            println!("  client error (expected): {e}");
        }
        // The agent abandons a prime whose step failed (the simulator's
        // documented behaviour), so the client's LFA_CANCEL finds nothing
        // current: INVALID_PARAMETERS, which the error reports.
        check!(
            matches!(result.map_err(|e| e.detail()), Err(ErrorDetail::PrimeFailed { status: s, rounds: 1, cancel: NOTHING_TO_CANCEL, .. }) if s == status),
            "PRIME -> {status}: PrimeFailed in round 1, LFA_CANCEL sent (nothing left to cancel)"
        );
        check_eq!(
            last_call(),
            Some((Some(FunctionId::Cancel), LfaError::InvalidParameters.code())),
            "the last call was LFA_CANCEL"
        );
        check_eq!(AGENT.phase(), Phase::Idle, "the agent is idle again");
    }
    let still = find(client, RMM.uuid);
    check!(
        still.is_some_and(|c| c.is_pending()),
        "TF-RMM is still pending after the failed primes"
    );
}

fn call_again_completes(client: &mut Client<Smc>) {
    println!("-- CALL_AGAIN: PRIME 3 times, ACTIVATE 2 times, then done");
    let Some(rmm) = find(client, RMM.uuid) else {
        return;
    };
    AGENT.clear_log();
    let done = client.prime(&rmm).and_then(|primed| {
        check_eq!(
            primed.prime_rounds(),
            4,
            "PRIME sent 4 times (3 x CALL_AGAIN + done)"
        );
        primed.activate_alone()
    });
    match &done {
        Ok(done) => {
            check_eq!(
                done.activate_rounds(),
                3,
                "ACTIVATE sent 3 times (2 x CALL_AGAIN + done)"
            );
            check_eq!(
                done.new_version(),
                Some(FirmwareVersion::new(0, 8)),
                "TF-RMM now runs 0.8"
            );
        }
        Err(e) => {
            check!(false, "prime + activate: {e}");
        }
    }
    AGENT.with_log(|log| {
        common::print_trace(log.iter().map(|r| r.function()));
        for function in [FunctionId::Prime, FunctionId::Activate] {
            let mut calls = log.iter().filter(|r| r.function() == Some(function));
            let first = calls.next().map(|r| r.request);
            check!(
                first.is_some() && calls.all(|r| Some(r.request) == first),
                "every {} retry sent the first call's registers",
                function.name()
            );
        }
    });
}

fn busy(client: &Client<Smc>) {
    println!("-- BUSY from LFA_GET_INFO");
    check!(
        AGENT.inject(Fault::busy(FunctionId::GetInfo)).is_ok(),
        "inject BUSY"
    );
    let result = client.components().map(|c| c.count_reported());
    if let Err(e) = &result {
        println!("  client error (expected): {e}");
    }
    check!(
        matches!(
            result.map_err(|e| e.detail()),
            Err(ErrorDetail::Firmware {
                call: FunctionId::GetInfo,
                status: LfaError::Busy,
                ..
            })
        ),
        "components(): LFA_GET_INFO failed with BUSY"
    );
    check_eq!(
        client.components().map(|c| c.count_reported()),
        Ok(2),
        "the next listing works"
    );
}

fn activate_failure(client: &mut Client<Smc>) {
    println!("-- ACTIVATE fails");
    let Some(bl31) = find(client, BL31.uuid) else {
        return;
    };
    check!(
        AGENT
            .inject(Fault::activate_fails(LfaError::ActivationFailed))
            .is_ok(),
        "inject ACTIVATION_FAILED"
    );
    let result = client.prime(&bl31).and_then(|p| p.activate_alone());
    if let Err(e) = &result {
        println!("  client error (expected): {e}");
    }
    check!(
        matches!(
            result.map_err(|e| e.detail()),
            Err(ErrorDetail::ActivateFailed {
                status: LfaError::ActivationFailed,
                cancel: NOTHING_TO_CANCEL,
                ..
            })
        ),
        "ACTIVATE -> ACTIVATION_FAILED: ActivateFailed, LFA_CANCEL sent (nothing left to cancel)"
    );
    check_eq!(
        last_call(),
        Some((Some(FunctionId::Cancel), LfaError::InvalidParameters.code())),
        "the last call was LFA_CANCEL"
    );
    check_eq!(AGENT.phase(), Phase::Idle, "the agent is idle again");
    let still = find(client, BL31.uuid);
    check!(
        still.is_some_and(
            |c| c.is_pending() && c.current_version() == Some(FirmwareVersion::new(2, 12))
        ),
        "BL31 is still pending and still runs 2.12"
    );
}

fn call_again_bound(mut client: Client<Smc>) {
    println!("-- CALL_AGAIN that does not end within the bound (5 rounds)");
    let Some(bl31) = find(&client, BL31.uuid) else {
        return;
    };
    AGENT.clear_log();
    let result = client.prime(&bl31).map(|p| p.prime_rounds());
    if let Err(e) = &result {
        println!("  client error (expected): {e}");
    }
    check!(
        matches!(
            result.map_err(|e| e.detail()),
            Err(ErrorDetail::Timeout {
                call: FunctionId::Prime,
                rounds: 5,
                cancel: CancelOutcome::Cancelled,
                ..
            })
        ),
        "PRIME still CALL_AGAIN after 5 rounds: Timeout, then LFA_CANCEL succeeded"
    );
    check_eq!(
        AGENT.with_log(|log| (log.count(FunctionId::Prime), log.count(FunctionId::Cancel))),
        (5, 1),
        "exactly 5 LFA_PRIME and 1 LFA_CANCEL"
    );
    check_eq!(AGENT.phase(), Phase::Idle, "the agent is idle again");
}
