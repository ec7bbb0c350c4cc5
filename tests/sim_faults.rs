// SPDX-License-Identifier: MIT OR Apache-2.0
//! Every kind of injected fault, and the quirks of real agents, observed
//! through raw registers.

mod sim_support;

use lfa_proto::{FunctionId, LfaError, Regs, SeqId, regs::from_signed};
use lfa_sim::{Fault, FaultKind, MAX_FAULTS, Phase, Profile, Quirks, SimAgent, SimError};
use lfa_smccc::Conduit;
use sim_support::*;

#[test]
fn prime_auth_error_abandons_the_prime() {
    for p in PROFILES {
        let agent = four(p);
        agent
            .inject(Fault::prime_fails(LfaError::AuthError))
            .unwrap();
        read(&agent, 0);
        assert_eq!(send(&agent, prime(0)), Err(LfaError::AuthError), "{p:?}");
        assert_eq!(agent.phase(), Phase::Idle);
        assert!(agent.component(SeqId(0)).unwrap().is_pending());
        assert_eq!(agent.faults_fired(), 1);
        // Once only: the next PRIME works.
        assert_eq!(prime_fully(&agent, 0), 1);
    }
}

#[test]
fn prime_device_error_in_a_call_again_round() {
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_A).prime_rounds(2)]);
        agent
            .inject(Fault::prime_fails(LfaError::DeviceError).after(1))
            .unwrap();
        read(&agent, 0);
        assert_eq!(send(&agent, prime(0)), Ok(1));
        assert_eq!(
            send(&agent, prime(0)),
            Err(LfaError::DeviceError),
            "{p:?}: 2nd step"
        );
        assert_eq!(agent.phase(), Phase::Idle);
        // A new prime starts from the beginning: three calls.
        assert_eq!(prime_fully(&agent, 0), 3);
    }
}

#[test]
fn step_faults_count_only_calls_that_reach_the_step() {
    let agent = four(Profile::Clean);
    agent
        .inject(Fault::prime_fails(LfaError::AuthError))
        .unwrap();
    // Refused PRIMEs (not pending, out of range) do not consume the fault.
    assert_eq!(send(&agent, prime(2)), Err(LfaError::WrongState));
    assert_eq!(send(&agent, prime(9)), Err(LfaError::InvalidParameters));
    assert_eq!(agent.faults_fired(), 0);
    assert_eq!(send(&agent, prime(0)), Err(LfaError::AuthError));
}

#[test]
fn activate_activation_failed_and_critical_error() {
    for error in [LfaError::ActivationFailed, LfaError::CriticalError] {
        for p in PROFILES {
            let agent = four(p);
            agent.inject(Fault::activate_fails(error)).unwrap();
            read(&agent, 0);
            prime_fully(&agent, 0);
            let out = agent.call(&activate(0, false));
            assert_eq!(status(&out), error.code(), "{p:?}");
            assert_eq!(out.x[1], 0, "{p:?}: x1 = 0 on an ACTIVATE error");
            let c = agent.component(SeqId(0)).unwrap();
            assert!(c.is_pending());
            assert_eq!(c.current_version, V1_0, "old version still running");
            assert_eq!(agent.phase(), Phase::Idle);
            assert_eq!(agent.activations(), 0);
        }
    }
}

#[test]
fn activate_fault_in_a_later_round() {
    let agent = agent_with(
        Profile::TfA,
        &[activatable(UUID_B).rendezvous_optional().activate_rounds(2)],
    );
    agent
        .inject(Fault::activate_fails(LfaError::ActivationFailed).after(2))
        .unwrap();
    read(&agent, 0);
    prime_fully(&agent, 0);
    assert_eq!(send(&agent, activate(0, true)), Ok(1));
    assert_eq!(send(&agent, activate(0, true)), Ok(1));
    assert_eq!(
        send(&agent, activate(0, true)),
        Err(LfaError::ActivationFailed)
    );
}

#[test]
fn raw_activator_code_is_returned_as_is() {
    let agent = four(Profile::TfA);
    agent.inject(Fault::activate_fails_raw(-35)).unwrap();
    agent.inject(Fault::prime_fails_raw(-12)).unwrap();
    read(&agent, 0);
    let out = agent.call(&prime(0));
    assert_eq!(out.x[0], from_signed(-12));
    assert_eq!(
        lfa_proto::decode_status(out.x[0]),
        Err(LfaError::Unknown(-12))
    );
    prime_fully(&agent, 0);
    let out = agent.call(&activate(0, false));
    assert_eq!(out.x[0], 0xFFFF_FFFF_FFFF_FFDD);
    assert_eq!(
        lfa_proto::decode_status(out.x[0]),
        Err(LfaError::Unknown(-35))
    );
}

#[test]
fn busy_reply_writes_x0_only_and_changes_nothing() {
    for p in PROFILES {
        for f in lfa_ids() {
            let agent = four(p);
            agent.inject(Fault::busy(f)).unwrap();
            let mut sent = painted(Regs::with_x0(f.to_x0()), 1);
            sent.x[1] = 0; // id 0 / selector 0 / features of 0
            let out = agent.call(&sent);
            assert_eq!(status(&out), LfaError::Busy.code(), "{p:?} {f}");
            assert_eq!(out.x[1..], sent.x[1..], "{p:?} {f}: nothing else written");
            assert_eq!(agent.phase(), Phase::Idle);
            assert_eq!(agent.faults_fired(), 1);
        }
    }
}

#[test]
fn unknown_status_codes_are_returned_verbatim() {
    let agent = four(Profile::Clean);
    agent
        .inject(Fault::reply_raw(FunctionId::GetInfo, from_signed(-100)))
        .unwrap();
    agent
        .inject(Fault::reply_raw(FunctionId::Version, 0x8000_0000))
        .unwrap();
    agent
        .inject(Fault::reply(FunctionId::Cancel, LfaError::Unknown(-12345)))
        .unwrap();
    assert_eq!(status(&agent.call(&get_info())), -100);
    assert_eq!(agent.call(&version()).x[0], 0x8000_0000);
    assert_eq!(status(&agent.call(&cancel(0))), -12345);
    // Each once.
    assert_eq!(send(&agent, get_info()), Ok(4));
    assert_eq!(agent.call(&version()).x[0], 0x1_0000);
    assert_eq!(agent.faults_fired(), 3);
}

#[test]
fn always_fires_until_cleared_and_times_limits() {
    let agent = four(Profile::Clean);
    agent
        .inject(Fault::busy(FunctionId::GetInfo).always())
        .unwrap();
    for _ in 0..5 {
        assert_eq!(send(&agent, get_info()), Err(LfaError::Busy));
    }
    agent.clear_faults();
    assert_eq!(send(&agent, get_info()), Ok(4));

    agent
        .inject(Fault::busy(FunctionId::Prime).after(1).times(2))
        .unwrap();
    assert_eq!(send(&agent, prime(0)), Ok(0), "first call passes");
    assert_eq!(check(&agent, cancel(0)), Ok(()));
    assert_eq!(send(&agent, prime(0)), Err(LfaError::Busy));
    assert_eq!(send(&agent, prime(0)), Err(LfaError::Busy));
    assert_eq!(send(&agent, prime(0)), Ok(0));
    assert_eq!(agent.faults_fired(), 5 + 2);
}

#[test]
fn fault_slots_are_bounded() {
    let agent = four(Profile::Clean);
    for _ in 0..MAX_FAULTS {
        agent.inject(Fault::busy(FunctionId::Version)).unwrap();
    }
    assert_eq!(
        agent.inject(Fault::busy(FunctionId::Version)),
        Err(SimError::FaultsFull)
    );
    let f = Fault::prime_fails(LfaError::AuthError).after(3).times(2);
    assert_eq!(f.kind(), FaultKind::StepFails(LfaError::AuthError.to_x0()));
    assert_eq!(
        (f.function(), f.skip_count(), f.remaining()),
        (FunctionId::Prime, 3, Some(2))
    );
}

#[test]
fn echo_x0_quirk_with_no_components_returns_the_function_id() {
    for p in PROFILES {
        let agent: SimAgent = SimAgent::new(p);
        agent.set_quirks(Quirks {
            echo_x0_when_empty: true,
            ..Quirks::default()
        });
        for f in lfa_ids() {
            let sent = painted(Regs::with_x0(f.to_x0()), 1);
            assert_eq!(agent.call(&sent), sent, "{p:?} {f}: everything unchanged");
        }
        // Non-LFA calls still get -1.
        assert_eq!(status(&agent.call(&Regs::with_x0(0x8400_0000))), -1);
        // Once a component exists, the quirk no longer applies.
        agent.add_component(activatable(UUID_A)).unwrap();
        assert_eq!(agent.call(&version()).x[0], 0x1_0000);
    }
}
