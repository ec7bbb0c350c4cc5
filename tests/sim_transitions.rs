// SPDX-License-Identifier: MIT OR Apache-2.0
//! State transitions of the simulated agent, CALL_AGAIN rounds, inventory
//! changes after activation, and configuration errors.

mod sim_support;

use lfa_proto::{
    FirmwareVersion, GetInventoryRequest, InventoryFlags, InventoryResponse, LfaError, Request,
    Response, SeqId, components,
};
use lfa_sim::{
    ActivationMode, DEMO_COMPONENTS, DEMO_VENDOR_UUID, InventoryChange, Phase, Profile, SimAgent,
    SimComponent, SimError, TFA_DEMO_COMPONENTS,
};
use lfa_smccc::Conduit;
use sim_support::*;
use uuid::Uuid;

fn inventory(agent: &impl Conduit, id: u32) -> InventoryResponse {
    InventoryResponse::decode(&agent.call(&GetInventoryRequest::new(SeqId(id)).encode())).unwrap()
}

/// Every UUID in id order, read through GET_INFO and GET_INVENTORY.
fn uuids(agent: &impl Conduit) -> Vec<Uuid> {
    let n = send(agent, get_info()).unwrap() as u32;
    (0..n).map(|id| inventory(agent, id).uuid).collect()
}

#[test]
fn full_cycle_with_call_again_rounds_visits_every_phase() {
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_A).prime_rounds(3).activate_rounds(2)]);
        let id = SeqId(0);
        assert_eq!(agent.phase(), Phase::Idle);
        read(&agent, 0);
        for calls in 1..=3 {
            assert_eq!(
                send(&agent, prime(0)),
                Ok(1),
                "{p:?} PRIME #{calls}: CALL_AGAIN"
            );
            assert_eq!(agent.phase(), Phase::Priming { seq_id: id, calls });
        }
        assert_eq!(send(&agent, prime(0)), Ok(0), "{p:?} PRIME #4 completes");
        assert_eq!(agent.phase(), Phase::Primed { seq_id: id });
        for rounds_done in 1..=2 {
            assert_eq!(send(&agent, activate(0, false)), Ok(1), "{p:?}");
            assert_eq!(
                agent.phase(),
                Phase::Activating {
                    seq_id: id,
                    mode: ActivationMode::Rendezvous,
                    rounds_done,
                    waiting: 0
                }
            );
            // Not yet activated.
            assert!(agent.component(id).unwrap().is_pending());
        }
        assert_eq!(
            send(&agent, activate(0, false)),
            Ok(0),
            "{p:?} round 3 completes"
        );
        let after = agent.component(id).unwrap();
        assert_eq!(after.current_version, V1_1);
        assert!(!after.is_pending());
        assert_eq!(after.pending_version(), None);
        assert_eq!(agent.activations(), 1);
        let expected = match p {
            Profile::TfA => Phase::Activated { seq_id: id },
            Profile::Clean => Phase::Idle,
        };
        assert_eq!(agent.phase(), expected);
        // Seen by a caller: new current version, pending cleared.
        let inv = inventory(&agent, 0);
        assert!(!inv.flags.contains(InventoryFlags::ACTIVATION_PENDING));
        if p == Profile::Clean {
            assert_eq!(inv.current_version, V1_1);
            assert_eq!(inv.pending_version, FirmwareVersion::new(0, 0));
        }
        assert_eq!(agent.log().count(lfa_proto::FunctionId::Prime), 4);
        assert_eq!(agent.log().count(lfa_proto::FunctionId::Activate), 3);
    }
}

#[test]
fn cancel_resets_from_priming_and_primed() {
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_A).prime_rounds(1)]);
        read(&agent, 0);
        assert_eq!(send(&agent, prime(0)), Ok(1));
        assert_eq!(
            check(&agent, cancel(0)),
            Ok(()),
            "{p:?} cancel while priming"
        );
        assert_eq!(agent.phase(), Phase::Idle);
        assert!(agent.component(SeqId(0)).unwrap().is_pending());
        // A fresh prime starts over: CALL_AGAIN again.
        assert_eq!(send(&agent, prime(0)), Ok(1));
        assert_eq!(send(&agent, prime(0)), Ok(0));
        assert_eq!(check(&agent, cancel(0)), Ok(()), "{p:?} cancel when primed");
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(
            send(&agent, activate(0, false)),
            Err(if p == Profile::TfA {
                LfaError::InvalidParameters
            } else {
                LfaError::ComponentWrongState
            }),
            "{p:?}: nothing current after CANCEL"
        );
        assert_eq!(prime_fully(&agent, 0), 2);
        assert_eq!(activate_fully(&agent, 0, false), 1);
        assert_eq!(agent.component(SeqId(0)).unwrap().current_version, V1_1);
    }
}

#[test]
fn tfa_keeps_the_activated_component_until_cancel() {
    let agent = agent_with(Profile::TfA, &[activatable(UUID_A), activatable(UUID_B)]);
    read(&agent, 0);
    read(&agent, 1);
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    // B: PRIME answers 0 but nothing changes; its ACTIVATE and CANCEL are -8.
    assert_eq!(send(&agent, prime(1)), Ok(0));
    assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(0) });
    assert_eq!(
        send(&agent, activate(1, false)),
        Err(LfaError::InvalidParameters)
    );
    assert_eq!(check(&agent, cancel(1)), Err(LfaError::InvalidParameters));
    // Only CANCEL of A resets.
    assert_eq!(check(&agent, cancel(0)), Ok(()));
    assert_eq!(agent.phase(), Phase::Idle);
    prime_fully(&agent, 1);
    activate_fully(&agent, 1, false);
    assert_eq!(agent.activations(), 2);
}

#[test]
fn clean_allows_a_second_activation_without_cancel() {
    let agent = agent_with(Profile::Clean, &[activatable(UUID_A), activatable(UUID_B)]);
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    prime_fully(&agent, 1);
    activate_fully(&agent, 1, false);
    assert_eq!(agent.activations(), 2);
    assert_eq!(agent.phase(), Phase::Idle);
}

#[test]
fn skip_rendezvous_activation_from_one_cpu() {
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_B).rendezvous_optional()]);
        agent.set_online_cpus(4);
        read(&agent, 0);
        prime_fully(&agent, 0);
        // Skip: one CPU suffices even with four online.
        assert_eq!(activate_fully(&agent, 0, true), 1);
        assert_eq!(agent.component(SeqId(0)).unwrap().current_version, V1_1);
    }
}

#[test]
fn staging_a_new_image_makes_it_activatable_again() {
    let agent = agent_with(Profile::Clean, &[activatable(UUID_A)]);
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    assert_eq!(send(&agent, prime(0)), Err(LfaError::WrongState));
    agent.stage(UUID_A, FirmwareVersion::new(1, 2)).unwrap();
    assert_eq!(
        inventory(&agent, 0).pending_version(),
        Some(FirmwareVersion::new(1, 2))
    );
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    assert_eq!(
        inventory(&agent, 0).current_version,
        FirmwareVersion::new(1, 2)
    );
    assert_eq!(agent.stage(UUID_D, V1_1), Err(SimError::NoSuchComponent));
    assert_eq!(agent.unstage(UUID_D), Err(SimError::NoSuchComponent));
}

// ---- inventory changes after an activation -----------------------------------

#[test]
fn rotate_after_activation_renumbers_every_id() {
    for p in PROFILES {
        let agent = agent_with(
            p,
            &[
                activatable(UUID_A),
                activatable(UUID_B),
                activatable(UUID_C),
            ],
        );
        agent.set_post_activation(InventoryChange::Rotate);
        read(&agent, 1);
        prime_fully(&agent, 1);
        // Nothing changes before the activation completes.
        assert_eq!(uuids(&agent), [UUID_A, UUID_B, UUID_C]);
        activate_fully(&agent, 1, false);
        assert_eq!(uuids(&agent), [UUID_C, UUID_A, UUID_B], "{p:?}");
        assert_eq!(agent.component_by_uuid(UUID_B).unwrap().0, SeqId(2));
        assert_eq!(
            agent.post_activation(),
            InventoryChange::Unchanged,
            "one-shot"
        );
        if p == Profile::TfA {
            // The agent's current component followed its move.
            assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(2) });
            assert_eq!(check(&agent, cancel(1)), Err(LfaError::InvalidParameters));
            assert_eq!(check(&agent, cancel(2)), Ok(()));
        }
        // A caller that keeps the stale id 1 now primes A, not B.
        prime_fully(&agent, 1);
        activate_fully(&agent, 1, false);
        assert_eq!(
            uuids(&agent),
            [UUID_C, UUID_A, UUID_B],
            "no second rotation"
        );
        assert!(!agent.component_by_uuid(UUID_A).unwrap().1.is_pending());
    }
}

#[test]
fn tfa_inventory_change_forgets_what_get_inventory_read() {
    let agent = agent_with(Profile::TfA, &[activatable(UUID_A), activatable(UUID_B)]);
    read(&agent, 0);
    read(&agent, 1);
    agent.set_post_activation(InventoryChange::Rotate);
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    assert_eq!(check(&agent, cancel(1)), Ok(()));
    assert!(!agent.inventory_read(SeqId(0)));
    assert_eq!(
        send(&agent, prime(0)),
        Err(LfaError::WrongState),
        "B must be read again"
    );
    read(&agent, 0);
    assert_eq!(send(&agent, prime(0)), Ok(0));
}

#[test]
fn add_after_activation_appends_a_component() {
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_A)]);
        agent.set_post_activation(InventoryChange::Add(activatable(UUID_D)));
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(send(&agent, get_info()), Ok(1));
        activate_fully(&agent, 0, false);
        assert_eq!(send(&agent, get_info()), Ok(2), "{p:?}");
        assert_eq!(uuids(&agent), [UUID_A, UUID_D]);
        assert!(inventory(&agent, 1).flags.is_activatable());
    }
}

#[test]
fn add_after_activation_is_ignored_when_full() {
    let agent = SimAgent::<1>::new(Profile::Clean)
        .with_component(activatable(UUID_A))
        .unwrap();
    agent.set_post_activation(InventoryChange::Add(activatable(UUID_D)));
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    assert_eq!(send(&agent, get_info()), Ok(1));
}

#[test]
fn remove_after_activation_shifts_later_ids_down() {
    for p in PROFILES {
        let agent = agent_with(
            p,
            &[
                activatable(UUID_A),
                activatable(UUID_B),
                activatable(UUID_C),
            ],
        );
        agent.set_post_activation(InventoryChange::Remove(UUID_A));
        read(&agent, 2);
        prime_fully(&agent, 2);
        activate_fully(&agent, 2, false);
        assert_eq!(uuids(&agent), [UUID_B, UUID_C], "{p:?}");
        // The stale id 2 is now out of range.
        assert_eq!(
            send(&agent, get_inventory(2)),
            Err(LfaError::InvalidParameters)
        );
        if p == Profile::TfA {
            assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(1) });
        }
    }
}

#[test]
fn removing_the_activated_component_resets_the_tfa_agent() {
    let agent = agent_with(Profile::TfA, &[activatable(UUID_A), activatable(UUID_B)]);
    agent.set_post_activation(InventoryChange::Remove(UUID_A));
    read(&agent, 0);
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    assert_eq!(uuids(&agent), [UUID_B]);
    assert_eq!(agent.phase(), Phase::Idle);
}

#[test]
fn remove_of_an_unknown_uuid_changes_nothing() {
    let agent = agent_with(Profile::Clean, &[activatable(UUID_A), activatable(UUID_B)]);
    agent.set_post_activation(InventoryChange::Remove(UUID_D));
    prime_fully(&agent, 1);
    activate_fully(&agent, 1, false);
    assert_eq!(uuids(&agent), [UUID_A, UUID_B]);
}

// ---- construction ------------------------------------------------------------

#[test]
fn capacity_overflow_is_an_error() {
    let full = SimAgent::<2>::new(Profile::Clean)
        .with_component(activatable(UUID_A))
        .unwrap()
        .with_component(activatable(UUID_B))
        .unwrap();
    assert_eq!(
        full.add_component(activatable(UUID_C)),
        Err(SimError::Full { capacity: 2 })
    );
    assert!(matches!(
        full.with_component(activatable(UUID_C)),
        Err(SimError::Full { capacity: 2 })
    ));
    let partial = SimAgent::<1>::new(Profile::Clean)
        .with_components(&[activatable(UUID_A), activatable(UUID_B)]);
    assert_eq!(partial.err(), Some(SimError::Full { capacity: 1 }));
    let agent = SimAgent::<3>::new(Profile::TfA);
    assert_eq!(agent.add_component(activatable(UUID_A)), Ok(SeqId(0)));
    assert_eq!(agent.add_component(activatable(UUID_B)), Ok(SeqId(1)));
    assert_eq!(agent.component_count(), 2);
    assert!(SimError::Full { capacity: 2 }.to_string().contains('2'));
}

#[test]
fn demo_population_is_as_documented() {
    for p in PROFILES {
        let agent = SimAgent::demo_with(p);
        assert_eq!(agent.profile(), p);
        assert_eq!(send(&agent, get_info()), Ok(4));
        let inv: Vec<_> = (0..4).map(|id| inventory(&agent, id)).collect();
        assert_eq!(inv[0].uuid, components::TFA_BL31.uuid);
        assert!(inv[0].flags.is_activatable() && inv[0].flags.rendezvous_required());
        assert_eq!(inv[1].uuid, components::TF_RMM.uuid);
        assert_eq!(inv[2].uuid, components::BL33.uuid);
        // Clean: TF-RMM is the capable, rendezvous-optional one. TF-A: the
        // measured platform's roles, BL33 capable and optional, TF-RMM not
        // capable.
        let (capable, not_capable) = match p {
            Profile::Clean => (1, 2),
            Profile::TfA => (2, 1),
        };
        assert!(inv[capable].flags.is_activatable());
        assert!(!inv[capable].flags.rendezvous_required());
        assert_eq!(inv[not_capable].flags, InventoryFlags::empty(), "{p:?}");
        assert_eq!(inv[3].uuid, DEMO_VENDOR_UUID);
        assert_eq!(inv[3].name(), None);
        assert!(inv[3].flags.contains(InventoryFlags::ACTIVATION_CAPABLE));
        assert!(!inv[3].flags.contains(InventoryFlags::ACTIVATION_PENDING));
        // The capable optional one primes in three calls (two CALL_AGAIN
        // rounds).
        assert_eq!(prime_fully(&agent, u32::try_from(capable).unwrap()), 3);
    }
    let tfa = SimAgent::demo_with(Profile::TfA);
    tfa.inspect_components(|c| assert_eq!(c, TFA_DEMO_COMPONENTS));
    assert!(TFA_DEMO_COMPONENTS[2].again_per_boot);
    let demo = SimAgent::demo();
    assert_eq!(demo.profile(), Profile::Clean);
    assert_eq!(
        demo.component(SeqId(0)).unwrap().current_version,
        FirmwareVersion::new(2, 12)
    );
    assert_eq!(
        demo.component(SeqId(0)).unwrap().pending_version(),
        Some(FirmwareVersion::new(2, 13))
    );
    demo.inspect_components(|c| assert_eq!(c, DEMO_COMPONENTS));
    assert_eq!(SimAgent::default().component_count(), 4);
}

#[test]
fn component_builder_sets_each_flag() {
    let c = SimComponent::new(UUID_A);
    assert_eq!(c.flags, InventoryFlags::empty());
    assert!(c.rendezvous_required() && c.cancel_hook);
    let c = c
        .may_reset_cpu()
        .reserved_flags(0xF0 | 0x3)
        .without_cancel_hook();
    assert_eq!(c.flags.bits(), 0xF0 | InventoryFlags::MAY_RESET_CPU.bits());
    assert!(!c.cancel_hook);
    let agent = agent_with(Profile::Clean, &[c]);
    assert_eq!(inventory(&agent, 0).flags.reserved(), 0xF0);
}

#[test]
fn staging_needs_a_fresh_inventory_read_before_prime_on_tfa() {
    // TF-A loads the pending flag only in GET_INVENTORY: an image staged
    // after the last read cannot be primed until the entry is read again.
    let agent = agent_with(Profile::TfA, &[activatable(UUID_A)]);
    agent.unstage(UUID_A).unwrap();
    read(&agent, 0);
    assert!(agent.inventory_read(SeqId(0)));
    agent.stage(UUID_A, FirmwareVersion::new(3, 0)).unwrap();
    assert!(!agent.inventory_read(SeqId(0)), "stage() forgets the read");
    assert_eq!(send(&agent, prime(0)), Err(LfaError::WrongState));
    read(&agent, 0);
    assert_eq!(send(&agent, prime(0)), Ok(0));
    assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });

    // The clean profile does not need the read.
    let agent = agent_with(Profile::Clean, &[activatable(UUID_A)]);
    agent.unstage(UUID_A).unwrap();
    agent.stage(UUID_A, FirmwareVersion::new(3, 0)).unwrap();
    assert_eq!(send(&agent, prime(0)), Ok(0));
    // Staging an unknown UUID is an error and changes nothing.
    assert_eq!(
        agent.stage(Uuid::from_u128(0xdead), FirmwareVersion::new(1, 0)),
        Err(SimError::NoSuchComponent)
    );
}
