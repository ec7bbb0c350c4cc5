// SPDX-License-Identifier: MIT OR Apache-2.0
//! Every row of the LFA error table, and the checks' precedence, against the
//! simulated agent in both profiles, through raw registers.

mod sim_support;

use lfa_proto::{FunctionId, LfaError::*, Regs, SeqId};
use lfa_sim::{ActivationMode, Fault, Phase, Profile, SimAgent, SimComponent};
use lfa_smccc::Conduit;
use sim_support::*;

// ---- VERSION, FEATURES, unknown functions -------------------------------

#[test]
fn version_is_1_0_in_both_profiles() {
    for p in PROFILES {
        assert_eq!(four(p).call(&version()).x[0], 0x1_0000, "{p:?}");
    }
}

#[test]
fn features_is_0_for_lfa_functions_and_not_supported_otherwise() {
    for p in PROFILES {
        let agent = four(p);
        for f in lfa_ids() {
            assert_eq!(check(&agent, features(f.to_x0())), Ok(()), "{p:?} {f}");
        }
        for other in [0x8400_02E0, 0xC400_02E7, 0x8400_0000, 0x1_C400_02E0] {
            assert_eq!(
                check(&agent, features(other)),
                Err(NotSupported),
                "{p:?} {other:#x}"
            );
        }
    }
}

#[test]
fn unknown_function_is_not_supported() {
    for p in PROFILES {
        let agent = four(p);
        // SMC32 encodings of an early draft, PSCI_VERSION, a 64-bit x0 whose
        // low half is an LFA ID: all compared on 64 bits.
        for x0 in [0x8400_02E0, 0x8400_02E4, 0x8400_0000, 0x1_C400_02E0, 0] {
            assert_eq!(status(&agent.call(&Regs::with_x0(x0))), -1, "{p:?} {x0:#x}");
        }
        assert_eq!(agent.phase(), Phase::Idle);
    }
}

// ---- GET_INFO, GET_INVENTORY ------------------------------------------------

#[test]
fn get_info_selector_nonzero_is_invalid_parameters() {
    for p in PROFILES {
        let agent = four(p);
        let mut regs = get_info();
        for selector in [1, 0x1_0000_0000] {
            regs.x[1] = selector;
            assert_eq!(
                send(&agent, regs),
                Err(InvalidParameters),
                "{p:?} {selector:#x}"
            );
        }
        assert_eq!(send(&agent, get_info()), Ok(4));
    }
}

#[test]
fn get_inventory_out_of_range_is_invalid_parameters() {
    for p in PROFILES {
        let agent = four(p);
        assert_eq!(
            send(&agent, get_inventory(4)),
            Err(InvalidParameters),
            "{p:?}"
        );
        assert_eq!(
            send(&agent, get_inventory(u32::MAX)),
            Err(InvalidParameters)
        );
        assert!(send(&agent, get_inventory(3)).is_ok());
    }
}

#[test]
fn tfa_ids_are_truncated_to_32_bits() {
    let agent = four(Profile::TfA);
    let mut regs = get_inventory(1);
    regs.x[1] = 0x1_0000_0001;
    let out = agent.call(&regs);
    assert_eq!(status(&out), 0);
    assert_eq!(lfa_proto::uuid_from_regs(out.x[1], out.x[2]), UUID_B);
    // PRIME and CANCEL of 0xFFFFFFFF_00000000 name id 0.
    let mut p = prime(0);
    p.x[1] = 0xFFFF_FFFF_0000_0000;
    read(&agent, 0);
    assert_eq!(send(&agent, p), Ok(0));
    assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
    let mut c = cancel(0);
    c.x[1] = 0x8000_0000_0000_0000;
    assert_eq!(check(&agent, c), Ok(()));
    assert_eq!(agent.phase(), Phase::Idle);
}

#[test]
fn clean_ids_with_high_bits_are_invalid_parameters() {
    let agent = four(Profile::Clean);
    for make in [get_inventory, prime, cancel] {
        let mut regs = make(1);
        regs.x[1] |= 0x1_0000_0000;
        assert_eq!(
            send(&agent, regs),
            Err(InvalidParameters),
            "{:#x}",
            regs.x[0]
        );
    }
    let mut regs = activate(1, true);
    regs.x[1] |= 0x1_0000_0000;
    assert_eq!(send(&agent, regs), Err(InvalidParameters));
    assert_eq!(agent.phase(), Phase::Idle);
}

// ---- PRIME -------------------------------------------------------------------

#[test]
fn prime_out_of_range_is_invalid_parameters() {
    for p in PROFILES {
        let agent = four(p);
        assert_eq!(send(&agent, prime(4)), Err(InvalidParameters), "{p:?}");
        assert_eq!(agent.phase(), Phase::Idle);
    }
}

#[test]
fn prime_not_pending_is_wrong_state() {
    for p in PROFILES {
        let agent = four(p);
        read(&agent, 2);
        assert_eq!(send(&agent, prime(2)), Err(WrongState), "{p:?}");
        assert_eq!(agent.phase(), Phase::Idle);
    }
}

#[test]
fn prime_not_capable_is_not_supported() {
    for p in PROFILES {
        let agent = four(p);
        read(&agent, 3);
        assert_eq!(send(&agent, prime(3)), Err(NotSupported), "{p:?}");
        assert_eq!(agent.phase(), Phase::Idle);
    }
}

#[test]
fn prime_neither_pending_nor_capable_precedence_differs() {
    // TF-A checks pending first (-7), the clean profile capability (-1).
    let neither = [SimComponent::new(UUID_A)];
    let tfa = agent_with(Profile::TfA, &neither);
    read(&tfa, 0);
    assert_eq!(send(&tfa, prime(0)), Err(WrongState));
    let clean = agent_with(Profile::Clean, &neither);
    assert_eq!(send(&clean, prime(0)), Err(NotSupported));
}

#[test]
fn tfa_prime_before_get_inventory_is_wrong_state() {
    let agent = four(Profile::TfA);
    assert_eq!(send(&agent, prime(0)), Err(WrongState));
    // GET_INFO is not enough.
    assert_eq!(send(&agent, get_info()), Ok(4));
    assert_eq!(send(&agent, prime(0)), Err(WrongState));
    // GET_INVENTORY of another id is not enough either.
    read(&agent, 1);
    assert_eq!(send(&agent, prime(0)), Err(WrongState));
    assert!(!agent.inventory_read(SeqId(0)) && agent.inventory_read(SeqId(1)));
    read(&agent, 0);
    assert_eq!(send(&agent, prime(0)), Ok(0));
    // Not capable but pending, unread: still -7 first.
    assert_eq!(check(&agent, cancel(0)), Ok(()));
    assert_eq!(send(&agent, prime(3)), Err(WrongState));
}

#[test]
fn clean_prime_without_get_inventory_succeeds() {
    let agent = four(Profile::Clean);
    assert_eq!(send(&agent, prime(0)), Ok(0));
    assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
}

#[test]
fn prime_of_second_component_mid_prime_is_wrong_state() {
    for p in PROFILES {
        let agent = agent_with(
            p,
            &[activatable(UUID_A).prime_rounds(2), activatable(UUID_B)],
        );
        read(&agent, 0);
        read(&agent, 1);
        assert_eq!(send(&agent, prime(0)), Ok(1), "{p:?}: CALL_AGAIN");
        assert_eq!(send(&agent, prime(1)), Err(WrongState), "{p:?}");
        assert_eq!(
            agent.phase(),
            Phase::Priming {
                seq_id: SeqId(0),
                calls: 1
            },
            "{p:?}: the first prime goes on"
        );
        assert_eq!(send(&agent, prime(0)), Ok(1));
        assert_eq!(send(&agent, prime(0)), Ok(0));
    }
}

#[test]
fn clean_prime_of_another_when_primed_is_wrong_state() {
    let agent = four(Profile::Clean);
    assert_eq!(send(&agent, prime(0)), Ok(0));
    assert_eq!(send(&agent, prime(1)), Err(WrongState));
    assert_eq!(send(&agent, prime(0)), Ok(0), "same one again is a no-op");
    assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
}

#[test]
fn tfa_prime_of_another_when_primed_succeeds_without_change() {
    let agent = four(Profile::TfA);
    read(&agent, 0);
    read(&agent, 1);
    assert_eq!(send(&agent, prime(0)), Ok(0));
    assert_eq!(send(&agent, prime(1)), Ok(0));
    assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
    assert_eq!(send(&agent, activate(1, true)), Err(InvalidParameters));
}

#[test]
fn prime_during_activation_is_busy() {
    // Clean: any activation. TF-A: only a skip activation, which holds the
    // agent's lock (a rendezvous one does not: the next test).
    for (p, skip) in [
        (Profile::Clean, false),
        (Profile::Clean, true),
        (Profile::TfA, true),
    ] {
        let agent = agent_with(
            p,
            &[
                activatable(UUID_A).rendezvous_optional().activate_rounds(1),
                activatable(UUID_B),
            ],
        );
        read(&agent, 0);
        read(&agent, 1);
        prime_fully(&agent, 0);
        assert_eq!(send(&agent, activate(0, skip)), Ok(1));
        assert_eq!(send(&agent, prime(1)), Err(Busy), "{p:?}");
        assert_eq!(send(&agent, prime(0)), Err(Busy), "{p:?}");
        // Busy comes first, before the id check (TF-A: the lock).
        assert_eq!(send(&agent, prime(9)), Err(Busy), "{p:?}");
    }
}

#[test]
fn tfa_prime_during_a_rendezvous_activation_runs_the_image_load() {
    // Measured: PRIME while a rendezvous runs is 0, not BUSY; the image load
    // of the component named runs (CALL_AGAIN rounds too) and the current
    // component stays.
    let agent = agent_with(
        Profile::TfA,
        &[
            activatable(UUID_A).activate_rounds(1),
            activatable(UUID_B).prime_rounds(1),
        ],
    );
    read(&agent, 0);
    read(&agent, 1);
    prime_fully(&agent, 0);
    assert_eq!(send(&agent, activate(0, false)), Ok(1));
    let during = agent.phase();
    assert_eq!(send(&agent, prime(1)), Ok(1), "B's load: again");
    assert_eq!(send(&agent, prime(1)), Ok(0), "B's load: done");
    assert_eq!(send(&agent, prime(9)), Err(InvalidParameters));
    assert_eq!(agent.phase(), during, "A stays current, mid-activation");
    assert_eq!(send(&agent, activate(1, false)), Err(InvalidParameters));
    assert_eq!(
        activate_fully(&agent, 0, false),
        1,
        "A's activation goes on"
    );
    assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(0) });
}

// ---- ACTIVATE -------------------------------------------------------------------

#[test]
fn activate_before_prime_tfa_invalid_parameters_clean_component_wrong_state() {
    let tfa = four(Profile::TfA);
    assert_eq!(send(&tfa, activate(0, false)), Err(InvalidParameters));
    let clean = four(Profile::Clean);
    assert_eq!(send(&clean, activate(0, false)), Err(ComponentWrongState));
    for agent in [&tfa, &clean] {
        assert_eq!(agent.phase(), Phase::Idle);
        assert!(agent.component(SeqId(0)).unwrap().is_pending());
    }
}

#[test]
fn activate_of_a_non_capable_component_is_refused() {
    let tfa = four(Profile::TfA);
    assert_eq!(send(&tfa, activate(3, false)), Err(InvalidParameters));
    let clean = four(Profile::Clean);
    assert_eq!(send(&clean, activate(3, false)), Err(ComponentWrongState));
}

#[test]
fn activate_out_of_range_is_invalid_parameters() {
    for p in PROFILES {
        let agent = four(p);
        assert_eq!(
            send(&agent, activate(7, false)),
            Err(InvalidParameters),
            "{p:?}"
        );
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(
            send(&agent, activate(7, false)),
            Err(InvalidParameters),
            "{p:?}"
        );
    }
}

#[test]
fn activate_of_another_id_is_invalid_parameters() {
    for p in PROFILES {
        let agent = four(p);
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(
            send(&agent, activate(1, true)),
            Err(InvalidParameters),
            "{p:?}"
        );
        assert_eq!(
            send(&agent, activate(2, false)),
            Err(InvalidParameters),
            "{p:?}"
        );
        assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
    }
}

#[test]
fn activate_mid_prime_is_component_wrong_state() {
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_A).prime_rounds(1)]);
        read(&agent, 0);
        assert_eq!(send(&agent, prime(0)), Ok(1));
        assert_eq!(
            send(&agent, activate(0, false)),
            Err(ComponentWrongState),
            "{p:?}"
        );
        assert_eq!(
            agent.phase(),
            Phase::Priming {
                seq_id: SeqId(0),
                calls: 1
            }
        );
    }
}

#[test]
fn activate_after_unstage_is_component_wrong_state() {
    for p in PROFILES {
        let agent = four(p);
        read(&agent, 0);
        prime_fully(&agent, 0);
        agent.unstage(UUID_A).unwrap();
        assert_eq!(
            send(&agent, activate(0, false)),
            Err(ComponentWrongState),
            "{p:?}"
        );
    }
}

#[test]
fn skip_rendezvous_where_required_is_invalid_parameters() {
    for p in PROFILES {
        let agent = four(p);
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(
            send(&agent, activate(0, true)),
            Err(InvalidParameters),
            "{p:?}"
        );
        assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
        assert_eq!(activate_fully(&agent, 0, false), 1);
    }
}

#[test]
fn late_skip_during_rendezvous_round_is_busy() {
    for p in PROFILES {
        let agent = agent_with(
            p,
            &[activatable(UUID_B).rendezvous_optional().activate_rounds(1)],
        );
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(send(&agent, activate(0, false)), Ok(1));
        assert_eq!(send(&agent, activate(0, true)), Err(Busy), "{p:?}");
        assert_eq!(send(&agent, activate(0, false)), Ok(0));
    }
}

#[test]
fn rendezvous_call_during_skip_activation_is_busy() {
    for p in PROFILES {
        let agent = agent_with(
            p,
            &[activatable(UUID_B).rendezvous_optional().activate_rounds(1)],
        );
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(send(&agent, activate(0, true)), Ok(1));
        assert_eq!(send(&agent, activate(0, false)), Err(Busy), "{p:?}");
        assert_eq!(send(&agent, activate(0, true)), Ok(0));
    }
}

#[test]
fn activate_reserved_flag_bits_clean_rejects_tfa_ignores() {
    let mut regs = activate(1, true);
    regs.x[2] |= 0x10;
    let clean = four(Profile::Clean);
    prime_fully(&clean, 1);
    assert_eq!(send(&clean, regs), Err(InvalidParameters));
    let tfa = four(Profile::TfA);
    read(&tfa, 1);
    prime_fully(&tfa, 1);
    assert_eq!(send(&tfa, regs), Ok(0));
}

#[test]
fn tfa_activate_after_completion_is_component_wrong_state() {
    let agent = four(Profile::TfA);
    read(&agent, 0);
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    assert_eq!(agent.phase(), Phase::Activated { seq_id: SeqId(0) });
    assert_eq!(send(&agent, activate(0, false)), Err(ComponentWrongState));
}

#[test]
fn clean_activate_after_completion_is_component_wrong_state() {
    let agent = four(Profile::Clean);
    prime_fully(&agent, 0);
    activate_fully(&agent, 0, false);
    assert_eq!(agent.phase(), Phase::Idle);
    assert_eq!(send(&agent, activate(0, false)), Err(ComponentWrongState));
    // And it cannot be primed again: nothing pending.
    assert_eq!(send(&agent, prime(0)), Err(WrongState));
}

// ---- CANCEL ----------------------------------------------------------------------

#[test]
fn cancel_before_prime_is_invalid_parameters() {
    for p in PROFILES {
        let agent = four(p);
        assert_eq!(check(&agent, cancel(0)), Err(InvalidParameters), "{p:?}");
        assert_eq!(check(&agent, cancel(9)), Err(InvalidParameters), "{p:?}");
    }
}

#[test]
fn cancel_of_another_id_is_invalid_parameters() {
    for p in PROFILES {
        let agent = four(p);
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(check(&agent, cancel(1)), Err(InvalidParameters), "{p:?}");
        assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
    }
}

#[test]
fn cancel_during_skip_activation_is_busy() {
    for p in PROFILES {
        let agent = agent_with(
            p,
            &[activatable(UUID_B).rendezvous_optional().activate_rounds(2)],
        );
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(send(&agent, activate(0, true)), Ok(1));
        assert_eq!(check(&agent, cancel(0)), Err(Busy), "{p:?}");
        assert_eq!(
            agent.phase(),
            Phase::Activating {
                seq_id: SeqId(0),
                mode: ActivationMode::SkipRendezvous,
                rounds_done: 1,
                waiting: 0
            }
        );
        assert_eq!(activate_fully(&agent, 0, true), 2);
    }
}

#[test]
fn cancel_after_a_rendezvous_round_is_busy() {
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_A).activate_rounds(1)]);
        read(&agent, 0);
        prime_fully(&agent, 0);
        assert_eq!(send(&agent, activate(0, false)), Ok(1));
        assert_eq!(check(&agent, cancel(0)), Err(Busy), "{p:?}");
        assert_eq!(send(&agent, activate(0, false)), Ok(0));
    }
}

#[test]
fn cancel_after_completion_tfa_resets_clean_is_invalid_parameters() {
    let tfa = four(Profile::TfA);
    read(&tfa, 0);
    prime_fully(&tfa, 0);
    activate_fully(&tfa, 0, false);
    assert_eq!(check(&tfa, cancel(1)), Err(InvalidParameters));
    assert_eq!(check(&tfa, cancel(0)), Ok(()));
    assert_eq!(tfa.phase(), Phase::Idle);
    assert_eq!(check(&tfa, cancel(0)), Err(InvalidParameters));

    let clean = four(Profile::Clean);
    prime_fully(&clean, 0);
    activate_fully(&clean, 0, false);
    assert_eq!(check(&clean, cancel(0)), Err(InvalidParameters));
}

// ---- no components ------------------------------------------------------------

#[test]
fn tfa_with_no_components_answers_not_supported_to_everything() {
    let agent: SimAgent = SimAgent::new(Profile::TfA);
    assert!(!agent.service_available());
    for regs in [
        version(),
        features(FunctionId::Version.to_x0()),
        get_info(),
        get_inventory(0),
        prime(0),
        activate(0, false),
        cancel(0),
        Regs::with_x0(0x8400_0000),
    ] {
        assert_eq!(status(&agent.call(&regs)), -1, "{:#x}", regs.x[0]);
    }
}

#[test]
fn clean_with_no_components_keeps_working() {
    let agent: SimAgent = SimAgent::new(Profile::Clean);
    assert!(agent.service_available());
    assert_eq!(agent.call(&version()).x[0], 0x1_0000);
    assert_eq!(send(&agent, get_info()), Ok(0));
    for regs in [get_inventory(0), prime(0), cancel(0), activate(0, false)] {
        assert_eq!(
            send(&agent, regs),
            Err(InvalidParameters),
            "{:#x}",
            regs.x[0]
        );
    }
}

#[test]
fn busy_fault_on_prime_is_checked_before_everything() {
    for p in PROFILES {
        let agent = four(p);
        agent.inject(Fault::busy(FunctionId::Prime)).unwrap();
        assert_eq!(send(&agent, prime(99)), Err(Busy), "{p:?}");
        assert_eq!(
            send(&agent, prime(99)),
            Err(InvalidParameters),
            "{p:?}: once"
        );
    }
}
