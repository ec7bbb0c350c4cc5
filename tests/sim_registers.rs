// SPDX-License-Identifier: MIT OR Apache-2.0
//! Register hygiene: which registers each profile writes, and which it leaves
//! exactly as the caller sent them.

mod sim_support;

use lfa_proto::{FunctionId, LfaError, Regs, components::TF_RMM};
use lfa_sim::{Profile, Quirks, SimAgent, SimComponent};
use lfa_smccc::Conduit;
use sim_support::*;

/// Asserts that registers `from..18` of `out` are those of `sent`.
fn echoed(sent: &Regs, out: &Regs, from: usize, what: &str) {
    for n in from..18 {
        assert_eq!(out.x[n], sent.x[n], "{what}: x{n} must come back as sent");
    }
}

/// Every call, successful or failing, in a state where it makes sense.
fn every_call(agent: &SimAgent) -> Vec<(&'static str, Regs)> {
    read(agent, 0);
    vec![
        ("VERSION", version()),
        ("FEATURES ok", features(FunctionId::Prime.to_x0())),
        ("FEATURES err", features(0x8400_0000)),
        ("GET_INFO", get_info()),
        ("GET_INFO err", {
            let mut r = get_info();
            r.x[1] = 3;
            r
        }),
        ("GET_INVENTORY", get_inventory(0)),
        ("GET_INVENTORY err", get_inventory(9)),
        ("PRIME", prime(0)),
        ("PRIME err", prime(9)),
        ("ACTIVATE err", activate(9, false)),
        ("ACTIVATE", activate(0, false)),
        ("CANCEL err", cancel(9)),
        ("unknown", Regs::with_x0(0x8400_0000)),
    ]
}

#[test]
fn x6_to_x17_come_back_as_sent_in_both_profiles() {
    for p in PROFILES {
        let agent = four(p);
        for (what, regs) in every_call(&agent) {
            let sent = painted(regs, 6);
            let out = agent.call(&sent);
            echoed(&sent, &out, 6, &format!("{p:?} {what}"));
        }
        assert_eq!(agent.activations(), 1, "the sequence did activate");
    }
}

#[test]
fn tfa_writes_only_the_defined_registers() {
    let agent = four(Profile::TfA);
    read(&agent, 1);
    // Paint x1..x17 (x1 is left as the argument where the call takes one).
    let v = painted(version(), 1);
    echoed(&v, &agent.call(&v), 1, "VERSION writes x0 only");

    let f = painted(features(FunctionId::Cancel.to_x0()), 2);
    let out = agent.call(&f);
    assert_eq!(out.x[0], 0);
    echoed(&f, &out, 1, "FEATURES writes x0 only");

    let i = painted(get_info(), 2);
    let out = agent.call(&i);
    assert_eq!((out.x[0], out.x[1], out.x[2]), (0, 4, 0), "GET_INFO x0..x2");
    echoed(&i, &out, 3, "GET_INFO");

    let inv = painted(get_inventory(1), 2);
    let out = agent.call(&inv);
    assert_eq!(out.x[0], 0);
    assert_eq!(lfa_proto::uuid_from_regs(out.x[1], out.x[2]), UUID_B);
    assert_eq!(out.x[3], 0b1011, "capable, pending, rendezvous optional");
    echoed(&inv, &out, 4, "GET_INVENTORY never writes x4/x5");

    let pr = painted(prime(1), 2);
    let out = agent.call(&pr);
    assert_eq!((out.x[0], out.x[1]), (0, 0));
    echoed(&pr, &out, 2, "PRIME x0, x1");

    let ac = painted(activate(1, true), 5);
    let out = agent.call(&ac);
    assert_eq!((out.x[0], out.x[1]), (0, 0));
    echoed(&ac, &out, 2, "ACTIVATE x0, x1");

    let ca = painted(cancel(1), 2);
    let out = agent.call(&ca);
    assert_eq!(out.x[0], 0);
    echoed(&ca, &out, 1, "CANCEL x0 only");
}

#[test]
fn tfa_errors_write_x0_only_and_echo_x1() {
    let agent = four(Profile::TfA);
    let mut sel = painted(get_info(), 2);
    sel.x[1] = 7;
    for (what, regs) in [
        ("GET_INFO", sel),
        ("GET_INVENTORY", painted(get_inventory(9), 2)),
        ("PRIME", painted(prime(9), 2)),
        ("PRIME unread", painted(prime(0), 2)),
        ("CANCEL", painted(cancel(0), 2)),
        ("FEATURES", painted(features(0x1234), 2)),
    ] {
        let out = agent.call(&regs);
        assert!(status(&out) < 0, "{what} fails");
        echoed(&regs, &out, 1, &format!("{what} error: x1.. as sent"));
    }
}

#[test]
fn tfa_activate_errors_clear_x1_except_busy() {
    let agent = agent_with(
        Profile::TfA,
        &[activatable(UUID_B).rendezvous_optional().activate_rounds(1)],
    );
    let a = painted(activate(0, false), 5);
    let out = agent.call(&a);
    assert_eq!(status(&out), LfaError::InvalidParameters.code());
    assert_eq!(out.x[1], 0, "x1 = 0 on an ACTIVATE error");
    echoed(&a, &out, 2, "ACTIVATE error");

    read(&agent, 0);
    prime_fully(&agent, 0);
    assert_eq!(send(&agent, activate(0, true)), Ok(1));
    let busy = agent.call(&a); // a rendezvous call during a skip activation
    assert_eq!(status(&busy), LfaError::Busy.code());
    echoed(&a, &busy, 1, "ACTIVATE BUSY writes x0 only");
}

#[test]
fn clean_writes_x0_to_x3_and_inventory_versions() {
    let agent = four(Profile::Clean);
    let v = painted(version(), 1);
    let out = agent.call(&v);
    assert_eq!(out.x[..4], [0x1_0000, 0, 0, 0]);
    echoed(&v, &out, 4, "VERSION");

    let inv = painted(get_inventory(0), 2);
    let out = agent.call(&inv);
    assert_eq!(out.x[3], 0b0011);
    assert_eq!((out.x[4], out.x[5]), (V1_0.to_reg(), V1_1.to_reg()));
    echoed(&inv, &out, 6, "GET_INVENTORY");

    for (what, regs) in [
        ("GET_INVENTORY err", painted(get_inventory(9), 2)),
        ("PRIME err", painted(prime(2), 2)),
        ("ACTIVATE err", painted(activate(0, false), 5)),
        ("CANCEL err", painted(cancel(0), 2)),
    ] {
        let out = agent.call(&regs);
        assert!(status(&out) < 0, "{what}");
        assert_eq!(out.x[1..4], [0, 0, 0], "{what}: x1..x3 = 0");
        echoed(&regs, &out, 4, what);
    }
    let pr = painted(prime(0), 2);
    let out = agent.call(&pr);
    assert_eq!(out.x[..4], [0, 0, 0, 0]);
    echoed(&pr, &out, 4, "PRIME");
}

#[test]
fn clean_leave_x4_x5_quirk_echoes_the_versions() {
    let agent = four(Profile::Clean);
    agent.set_quirks(Quirks {
        leave_x4_x5: true,
        ..Quirks::default()
    });
    assert!(agent.quirks().leave_x4_x5);
    let inv = painted(get_inventory(0), 2);
    let out = agent.call(&inv);
    assert_eq!(out.x[3], 0b0011);
    echoed(&inv, &out, 4, "x4/x5 as sent");
    // A caller that sends zeros reads 0.0.
    let out = agent.call(&get_inventory(0));
    assert_eq!((out.x[4], out.x[5]), (0, 0));
}

#[test]
fn inventory_uuid_packing_matches_tfa() {
    for p in PROFILES {
        let agent = agent_with(p, &[SimComponent::new(TF_RMM.uuid)]);
        let out = agent.call(&get_inventory(0));
        assert_eq!(
            (out.x[1], out.x[2]),
            (0x564b_f212_a662_076c, 0xd906_3663_8fba_cb92)
        );
    }
}

#[test]
fn non_lfa_calls_write_only_x0() {
    for p in PROFILES {
        for agent in [four(p), SimAgent::new(p)] {
            let sent = painted(Regs::with_x0(0x8400_0000), 1);
            let out = agent.call(&sent);
            assert_eq!(status(&out), -1);
            echoed(&sent, &out, 1, "PSCI_VERSION");
        }
    }
}

mod random_calls {
    use super::*;
    use proptest::prelude::*;

    /// x0 mostly an LFA function, sometimes anything; x1 mostly a small id.
    fn call() -> impl Strategy<Value = Regs> {
        let x0 = prop_oneof![
            4 => 0xC400_02E0_u64..=0xC400_02E6,
            1 => any::<u64>(),
        ];
        let x1 = prop_oneof![4 => 0_u64..6, 1 => any::<u64>()];
        let x2 = prop_oneof![4 => 0_u64..2, 1 => any::<u64>()];
        (x0, x1, x2, proptest::array::uniform15(any::<u64>())).prop_map(|(x0, x1, x2, rest)| {
            let mut regs = Regs::ZERO;
            regs.x[0] = x0;
            regs.x[1] = x1;
            regs.x[2] = x2;
            regs.x[3..].copy_from_slice(&rest);
            regs
        })
    }

    proptest! {
        /// Whatever a caller sends, in any order, the agent answers without
        /// panicking, keeps x6..x17, and logs every call.
        #[test]
        fn any_call_sequence_is_answered_and_keeps_x6_to_x17(
            calls in proptest::collection::vec(call(), 1..60),
            tfa in any::<bool>(),
            cpus in 1_u32..3,
        ) {
            let agent = four(if tfa { Profile::TfA } else { Profile::Clean });
            agent.set_online_cpus(cpus);
            agent.set_spin_budget(0); // a second CPU never comes: hang at once
            for sent in &calls {
                let out = agent.call(sent);
                prop_assert_eq!(&out.x[6..], &sent.x[6..]);
            }
            prop_assert_eq!(agent.call_count(), calls.len() as u64);
        }
    }
}
