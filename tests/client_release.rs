// SPDX-License-Identifier: MIT OR Apache-2.0
//! The CANCELs the client owes the agent, against the simulated agent: what
//! a failed step's CANCEL reports, the release CANCEL after an activation
//! (also when the re-enumeration failed or the component is gone),
//! `Client::release` and the client's drop, and what two clients of one
//! agent do to each other.

#[path = "client_support.rs"]
mod support;

use lfa_client::ErrorDetail;
use lfa_client::{CancelOutcome, Options, RetryPolicy};
use lfa_proto::{
    FirmwareVersion, FunctionId, LfaError, SeqId, Uuid,
    components::{BL33, TF_RMM, TFA_BL31},
};
use lfa_sim::{Fault, InventoryChange, Phase, Profile, SimComponent};
use support::*;

use FunctionId::{Activate, Cancel, GetInfo, GetInventory, Prime};

/// A capable, pending, rendezvous-optional component: one PRIME, one
/// ACTIVATE.
fn optional(uuid: Uuid) -> SimComponent {
    SimComponent::new(uuid)
        .capable()
        .current(FirmwareVersion::new(1, 0))
        .pending(FirmwareVersion::new(2, 0))
        .rendezvous_optional()
}

/// How many CANCELs the agent logged.
fn cancels(agent: &Agent) -> usize {
    requests(agent, Cancel).len()
}

/// B3: after each kind of failure, the exact CancelOutcome per profile, and
/// the exact number of CANCELs sent afterwards (before the next PRIME and
/// when the client is dropped).
#[test]
fn each_failure_reports_its_exact_cancel_outcome_and_owes_nothing_after() {
    for profile in PROFILES {
        // PRIME step fails (the agent abandons the prime): nothing to cancel.
        let agent = sim(profile, &[optional(TF_RMM.uuid)]);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent
            .inject(Fault::prime_fails(LfaError::AuthError))
            .unwrap();
        let e = client.prime(&rmm).unwrap_err();
        assert_eq!(
            e,
            ErrorDetail::PrimeFailed {
                component: rmm.to_ref(),
                status: LfaError::AuthError,
                rounds: 1,
                cancel: CancelOutcome::NothingToCancel
            },
            "{profile:?}"
        );
        assert_eq!(cancels(&agent), 1);
        agent.clear_log();
        let primed = client.prime(&rmm).unwrap();
        assert_eq!(calls(&agent), [GetInventory, Prime], "no extra CANCEL");
        drop(primed);
        assert_eq!(
            (cancels(&agent), agent.phase()),
            (1, Phase::Idle),
            "the drop's CANCEL"
        );
        drop(client);
        assert_eq!(cancels(&agent), 1, "{profile:?}: the client owes nothing");

        // PRIME times out (the agent is still priming): cancelled.
        let agent = sim(profile, &[optional(TF_RMM.uuid).prime_rounds(5)]);
        let mut client = connect(&agent, no_force().with_prime(RetryPolicy::rounds(2)));
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        let e = client.prime(&rmm).unwrap_err();
        assert_eq!(e.cancel(), Some(CancelOutcome::Cancelled), "{profile:?}");
        assert_eq!(agent.phase(), Phase::Idle);
        drop(client);
        assert_eq!(cancels(&agent), 1);

        // ACTIVATE step fails: nothing to cancel.
        let agent = sim(profile, &[optional(TF_RMM.uuid)]);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent
            .inject(Fault::activate_fails(LfaError::DeviceError))
            .unwrap();
        let e = client.prime(&rmm).unwrap().activate_alone().unwrap_err();
        assert_eq!(
            e.cancel(),
            Some(CancelOutcome::NothingToCancel),
            "{profile:?}"
        );
        drop(client);
        assert_eq!(cancels(&agent), 1);

        // Refused before ACTIVATE (alone, for a component that requires a
        // rendezvous): the prime is current, so CANCEL succeeds.
        let agent = sim(
            profile,
            &[SimComponent::new(TF_RMM.uuid)
                .capable()
                .pending(FirmwareVersion::new(2, 0))],
        );
        let mut client = connect(&agent, Options::DEFAULT);
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        let e = client.prime(&rmm).unwrap().activate_alone().unwrap_err();
        assert_eq!(e.cancel(), Some(CancelOutcome::Cancelled), "{profile:?}");
        drop(client);
        assert_eq!(cancels(&agent), 1);
    }
}

/// B3: a CANCEL that really fails (BUSY) is `Failed`, stays owed, and is
/// sent again before the next PRIME, once.
#[test]
fn a_cancel_that_fails_is_failed_and_retried_once() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid)]);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent
            .inject(Fault::prime_fails(LfaError::AuthError))
            .unwrap();
        agent.inject(Fault::busy(Cancel)).unwrap();
        let e = client.prime(&rmm).unwrap_err();
        assert_eq!(
            e.cancel(),
            Some(CancelOutcome::Failed(LfaError::Busy)),
            "{profile:?}"
        );
        agent.clear_log();
        drop(client.prime(&rmm).unwrap());
        // The owed CANCEL (of #0, not re-read: no activation since), then the
        // refresh and PRIME, then the drop's CANCEL.
        assert_eq!(calls(&agent), [Cancel, GetInventory, Prime, Cancel]);
        assert_eq!(
            records(&agent)[0].status(),
            LfaError::InvalidParameters.code()
        );
    }
}

/// B1: the re-enumeration after an activation fails and the agent has
/// renumbered: the release CANCEL must reach the activated component at its
/// new id, not whatever now sits at the old one. On the TF-A profile the
/// component stays current until then, so a wrong CANCEL would block the
/// next activation.
#[test]
fn release_after_a_failed_relisting_finds_the_activated_component_by_uuid() {
    for profile in PROFILES {
        let agent = sim(
            profile,
            &[
                optional(TF_RMM.uuid),
                optional(TFA_BL31.uuid),
                optional(BL33.uuid),
            ],
        );
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.set_post_activation(InventoryChange::Rotate);
        let primed = client.prime(&rmm).unwrap();
        agent.inject(Fault::busy(GetInfo)).unwrap();
        let done = primed.activate_alone().unwrap();
        assert_eq!(
            done.now().unwrap_err(),
            &ErrorDetail::Firmware {
                call: GetInfo,
                component: None,
                status: LfaError::Busy
            }
        );
        // Now [BL33, TF-RMM, BL31]; TF-A keeps TF-RMM (#1) current.
        let expected_phase = match profile {
            Profile::TfA => Phase::Activated { seq_id: SeqId(1) },
            Profile::Clean => Phase::Idle,
        };
        assert_eq!(agent.phase(), expected_phase);
        let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
        assert_eq!(bl31.seq_id(), SeqId(2));
        agent.clear_log();
        let done = client.prime(&bl31).unwrap().activate_alone().unwrap();
        assert_eq!(done.now().unwrap().uuid(), TFA_BL31.uuid);
        // The release: re-read #0 (BL33 now), list until TF-RMM (#1), CANCEL
        // #1; then the refresh of BL31 and its activation.
        let mut expected = vec![GetInventory];
        expected.extend(listing(2));
        expected.extend([Cancel, GetInventory, Prime, Activate]);
        expected.extend(listing(3));
        assert_eq!(calls(&agent), expected, "{profile:?}");
        let cancel = records(&agent)[4];
        assert_eq!(cancel.request.x[1], 1, "CANCEL of TF-RMM's new id");
        let expected_status = match profile {
            Profile::TfA => 0,
            Profile::Clean => LfaError::InvalidParameters.code(),
        };
        assert_eq!(cancel.status(), expected_status);
        assert_eq!(agent.activations(), 2);
    }
}

/// B1: the activated component is gone from the inventory: nothing can
/// address it, so no release CANCEL is sent (before the next PRIME or on
/// drop).
#[test]
fn no_release_cancel_for_a_component_that_is_gone() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.set_post_activation(InventoryChange::Remove(TF_RMM.uuid));
        let done = client.prime(&rmm).unwrap().activate_alone().unwrap();
        assert_eq!(
            done.now().unwrap_err(),
            &ErrorDetail::ComponentGone { uuid: TF_RMM.uuid }
        );
        assert_eq!(done.next_pending().unwrap().uuid(), TFA_BL31.uuid);
        agent.clear_log();
        client.release().unwrap();
        drop(client);
        assert_eq!(agent.call_count(), 0, "{profile:?}");
    }
}

/// R2: on TF-A, a client that is dropped after an activation releases the
/// component, so a second client in the same boot can activate another.
#[test]
fn a_dropped_client_releases_so_a_second_client_can_activate() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        {
            let mut first = connect(&agent, no_force());
            let rmm = first.find(TF_RMM.uuid).unwrap().unwrap();
            first.prime(&rmm).unwrap().activate_alone().unwrap();
            let expected = match profile {
                Profile::TfA => Phase::Activated { seq_id: SeqId(0) },
                Profile::Clean => Phase::Idle,
            };
            assert_eq!(agent.phase(), expected, "{profile:?}");
            agent.clear_log();
        }
        // The drop sent exactly one CANCEL, of TF-RMM (#0).
        assert_eq!(calls(&agent), [Cancel], "{profile:?}");
        let cancel = last(&agent);
        assert_eq!(cancel.request.x[1], 0);
        let expected_status = match profile {
            Profile::TfA => 0,
            Profile::Clean => LfaError::InvalidParameters.code(),
        };
        assert_eq!(cancel.status(), expected_status);
        assert_eq!(agent.phase(), Phase::Idle);

        let mut second = connect(&agent, no_force());
        let bl31 = second.find(TFA_BL31.uuid).unwrap().unwrap();
        second.prime(&bl31).unwrap().activate_alone().unwrap();
        assert_eq!(agent.activations(), 2);
    }
}

/// R2: `Client::release` sends the owed CANCEL at once, and only once;
/// afterwards neither the next PRIME nor the drop sends one.
#[test]
fn release_sends_the_owed_cancel_now_and_once() {
    let agent = sim(
        Profile::TfA,
        &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)],
    );
    let mut client = connect(&agent, no_force());
    // Nothing owed yet: nothing sent.
    client.release().unwrap();
    assert_eq!(agent.call_count(), 0);
    let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
    client.prime(&rmm).unwrap().activate_alone().unwrap();
    agent.clear_log();
    client.release().unwrap();
    assert_eq!(calls(&agent), [Cancel]);
    assert_eq!(agent.phase(), Phase::Idle);
    client.release().unwrap();
    let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
    drop(client.prime(&bl31).unwrap());
    drop(client);
    // One CANCEL from release(), one from dropping the Primed; none from
    // the second release(), the PRIME or the client's drop.
    assert_eq!(cancels(&agent), 2);
}

/// R2: `with_clock` moves the owed CANCEL to the new client; the old one
/// sends nothing when it goes.
#[test]
fn with_clock_moves_the_owed_cancel() {
    let agent = sim(Profile::TfA, &[optional(TF_RMM.uuid)]);
    let mut client = connect(&agent, no_force());
    let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
    client.prime(&rmm).unwrap().activate_alone().unwrap();
    agent.clear_log();
    let client = client.with_clock(lfa_client::NoClock);
    assert_eq!(agent.call_count(), 0, "nothing sent by the move");
    drop(client);
    assert_eq!(calls(&agent), [Cancel]);
    assert_eq!(agent.phase(), Phase::Idle);
}

/// R1: two clients of one agent are not prevented; this is what happens
/// (the reason `Client::discover` says "exactly one client per agent").
#[test]
fn two_clients_of_one_agent_undo_each_other() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        let mut a = connect(&agent, no_force());
        let mut b = connect(&agent, no_force());
        let rmm_a = a.find(TF_RMM.uuid).unwrap().unwrap();
        let bl31_b = b.find(TFA_BL31.uuid).unwrap().unwrap();

        let primed = a.prime(&rmm_a).unwrap();
        // B primes another component while A's is primed.
        match profile {
            Profile::Clean => {
                let e = b.prime(&bl31_b).unwrap_err();
                assert_eq!(
                    e,
                    ErrorDetail::PrimeFailed {
                        component: bl31_b.to_ref(),
                        status: LfaError::WrongState,
                        rounds: 1,
                        cancel: CancelOutcome::NothingToCancel
                    }
                );
            }
            Profile::TfA => {
                // TF-A answers 0 without priming anything (its prime is
                // complete); B's ACTIVATE then names the wrong component.
                let e = b.prime(&bl31_b).unwrap().activate_alone().unwrap_err();
                assert_eq!(
                    e,
                    ErrorDetail::ActivateFailed {
                        component: bl31_b.to_ref(),
                        status: LfaError::InvalidParameters,
                        rounds: 1,
                        cancel: CancelOutcome::NothingToCancel
                    }
                );
            }
        }
        assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
        // B primes the same component and drops it: its CANCEL cancels A's
        // prime, and A's ACTIVATE fails.
        let rmm_b = b.find(TF_RMM.uuid).unwrap().unwrap();
        drop(b.prime(&rmm_b).unwrap());
        assert_eq!(agent.phase(), Phase::Idle, "{profile:?}: A's prime is gone");
        let e = primed.activate_alone().unwrap_err();
        let expected = match profile {
            Profile::Clean => LfaError::ComponentWrongState,
            Profile::TfA => LfaError::InvalidParameters,
        };
        assert_eq!(e.status(), Some(expected), "{profile:?}: {e}");
        assert_eq!(agent.activations(), 0);
    }
}
