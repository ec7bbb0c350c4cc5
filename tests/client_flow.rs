// SPDX-License-Identifier: MIT OR Apache-2.0
//! lfa-client flows against the simulated agent, in both profiles: exact
//! call sequences and counts, identical retries, multi-threaded rendezvous,
//! two activations in one boot, and an error for each misuse.

#[path = "client_support.rs"]
mod support;

use lfa_client::ErrorDetail;
use lfa_client::{
    CancelOutcome, Client, CpuReset, CpuResult, Error, OnlyCpu, Options, Progress, Stopped,
    Summary, ThreadRendezvous,
};
use lfa_proto::{
    FirmwareVersion, FunctionId, LfaError, Regs, Request, SeqId, Uuid,
    components::{BL33, TF_RMM, TFA_BL31},
};
use lfa_sim::scripted::ScriptedConduit;
use lfa_sim::{
    DEMO_VENDOR_UUID, Fault, HANG_STATUS, InventoryChange, Phase, Profile, Quirks, SimAgent,
    SimComponent,
};
use lfa_smccc::Conduit;
use support::*;

use FunctionId::{Activate, Cancel, GetInventory, Prime};

const V1: FirmwareVersion = FirmwareVersion::new(1, 0);
const V2: FirmwareVersion = FirmwareVersion::new(2, 0);

/// A rendezvous-optional component: PRIME k = 3 rounds, ACTIVATE m = 2.
fn optional(uuid: Uuid) -> SimComponent {
    SimComponent::new(uuid)
        .capable()
        .current(V1)
        .pending(V2)
        .rendezvous_optional()
        .prime_rounds(2)
        .activate_rounds(1)
}

/// A rendezvous-required component: PRIME k = 2, ACTIVATE m = 2.
fn required(uuid: Uuid) -> SimComponent {
    SimComponent::new(uuid)
        .capable()
        .current(V1)
        .pending(V2)
        .prime_rounds(1)
        .activate_rounds(1)
}

fn all_equal(regs: &[Regs]) -> bool {
    regs.windows(2).all(|w| w[0] == w[1])
}

#[test]
fn enumerating_n_components_takes_n_plus_one_calls() {
    for profile in PROFILES {
        let agent = demo(profile);
        let client = connect(&agent, Options::DEFAULT);
        let listed: Vec<_> = client.components().unwrap().map(Result::unwrap).collect();
        assert_eq!(calls(&agent), listing(4), "{profile:?}");
        for (i, request) in requests(&agent, GetInventory).iter().enumerate() {
            let mut expected = Regs::with_x0(0xC400_02E3);
            expected.x[1] = i as u64;
            assert_eq!(*request, expected, "ids fit 32 bits, x4/x5 sent as 0");
        }
        let names: Vec<_> = listed.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                Some(TFA_BL31.name),
                Some(TF_RMM.name),
                Some(BL33.name),
                None
            ]
        );
        let bl31 = listed[0];
        assert!(bl31.is_activatable() && bl31.rendezvous_required());
        match profile {
            // TF-A leaves x4/x5 as sent (zeros): versions are unknown.
            Profile::TfA => {
                assert_eq!(
                    (bl31.current_version(), bl31.pending_version()),
                    (None, None)
                );
            }
            Profile::Clean => assert_eq!(
                (bl31.current_version(), bl31.pending_version()),
                (
                    Some(FirmwareVersion::new(2, 12)),
                    Some(FirmwareVersion::new(2, 13))
                )
            ),
        }
        // BL33 has nothing pending: no pending version, whatever x5 says.
        assert_eq!(listed[2].pending_version(), None);
        // Lookup by UUID and the activatable filter.
        assert_eq!(
            client.find(DEMO_VENDOR_UUID).unwrap().unwrap().seq_id(),
            SeqId(3)
        );
        assert_eq!(client.find(Uuid::nil()).unwrap(), None);
        let activatable: Vec<_> = client
            .components()
            .unwrap()
            .activatable()
            .map(|c| c.unwrap().uuid())
            .collect();
        assert_eq!(activatable, [TFA_BL31.uuid, TF_RMM.uuid]);
    }
}

#[test]
fn activating_one_alone_takes_refresh_k_prime_m_activate_then_n_plus_one() {
    for profile in PROFILES {
        let agent = sim(
            profile,
            &[
                required(TFA_BL31.uuid),
                optional(TF_RMM.uuid),
                required(BL33.uuid),
            ],
        );
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.clear_log();

        let done = client.prime(&rmm).unwrap().activate_alone().unwrap();
        assert_eq!((done.prime_rounds(), done.activate_rounds()), (3, 2));
        assert_eq!((done.cpus(), done.used_rendezvous()), (1, false));

        let mut expected = vec![GetInventory];
        expected.extend(times(Prime, 3));
        expected.extend(times(Activate, 2));
        expected.extend(listing(3));
        assert_eq!(calls(&agent), expected, "{profile:?}");

        let primes = requests(&agent, Prime);
        assert!(
            all_equal(&primes),
            "PRIME retries carry identical registers"
        );
        let mut prime = Regs::with_x0(0xC400_02E4);
        prime.x[1] = 1;
        assert_eq!(primes[0], prime);
        let activates = requests(&agent, Activate);
        assert!(
            all_equal(&activates),
            "ACTIVATE retries carry identical registers"
        );
        let mut activate = Regs::with_x0(0xC400_02E5);
        activate.x[1] = 1;
        activate.x[2] = 1; // skip_cpu_rendezvous
        assert_eq!(activates[0], activate);

        let now = done.now().unwrap();
        assert_eq!((now.uuid(), now.is_pending()), (TF_RMM.uuid, false));
        assert_eq!(agent.activations(), 1);
        if profile == Profile::Clean {
            assert_eq!(
                (done.old_version(), done.new_version()),
                (Some(V1), Some(V2))
            );
        } else {
            assert_eq!((done.old_version(), done.new_version()), (None, None));
        }
        assert_eq!(done.next_pending().map(|c| c.uuid()), Some(TFA_BL31.uuid));
    }
}

#[test]
fn rendezvous_activation_runs_on_every_cpu_with_threads() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), required(TFA_BL31.uuid)]);
        agent.set_online_cpus(4);
        let mut client = connect(&agent, Options::DEFAULT);
        let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
        agent.clear_log();

        let done = client
            .prime(&bl31)
            .unwrap()
            .activate_with(&ThreadRendezvous::new(4))
            .unwrap();
        assert_eq!((done.cpus(), done.used_rendezvous()), (4, true));
        assert_eq!((done.prime_rounds(), done.activate_rounds()), (2, 2));
        assert!(!agent.hang_detected());

        let mut expected = vec![GetInventory];
        expected.extend(times(Prime, 2));
        expected.extend(times(Activate, 4 * 2));
        expected.extend(listing(2));
        assert_eq!(calls(&agent), expected, "{profile:?}");
        let activates = requests(&agent, Activate);
        assert!(all_equal(&activates));
        let mut activate = Regs::with_x0(0xC400_02E5);
        activate.x[1] = 1; // skip clear: every CPU calls
        assert_eq!(activates[0], activate);
        assert_eq!(agent.activations(), 1);
        assert!(!done.now().unwrap().is_pending());
    }
}

#[test]
fn forced_rendezvous_also_for_an_optional_component() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid)]);
        agent.set_online_cpus(3);
        let mut client = connect(&agent, Options::DEFAULT);
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        // The options' choice (forced by default): through the hook, skip
        // clear on all three CPUs, although the component allows one.
        let done = client
            .prime(&rmm)
            .unwrap()
            .activate(&ThreadRendezvous::new(3))
            .unwrap();
        assert_eq!(done.cpus(), 3);
        assert!(done.used_rendezvous());
        assert_eq!(done.activate_rounds(), 2, "one CALL_AGAIN round");
        assert_eq!(requests(&agent, Activate).len(), 3 * 2);
        assert!(requests(&agent, Activate).iter().all(|r| r.x[2] == 0));
    }
}

#[test]
fn activate_alone_is_an_explicit_choice_over_forced_rendezvous() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid)]);
        let mut client = connect(&agent, Options::DEFAULT);
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.clear_log();
        let done = client.prime(&rmm).unwrap().activate_alone().unwrap();
        assert_eq!((done.cpus(), done.used_rendezvous()), (1, false));
        let activates = requests(&agent, Activate);
        assert_eq!(activates.len(), 2, "one CALL_AGAIN round");
        assert_eq!(activates[0], activates[1], "the same registers again");
        assert_eq!(activates[0].x[2], 1, "skip_cpu_rendezvous set");
        client.release().unwrap();
        assert_eq!(agent.phase(), Phase::Idle, "{profile:?}");
    }
}

#[test]
fn activate_all_pending_activates_two_in_one_boot() {
    for profile in PROFILES {
        let agent = demo(profile);
        agent.set_online_cpus(4);
        let mut client = connect(&agent, Options::DEFAULT);
        let mut seen = Vec::new();
        let summary = client
            .activate_all_pending(&ThreadRendezvous::new(4), |progress| match progress {
                Progress::Activated(done) => seen.push((done.before().uuid(), done.cpus())),
                Progress::Skipped { error, .. } => panic!("skipped: {error}"),
                other => panic!("{other:?}"),
            })
            .unwrap();
        assert_eq!(
            summary,
            Summary {
                activated: 2,
                skipped: 0
            },
            "{profile:?}"
        );
        assert_eq!(seen, [(TFA_BL31.uuid, 4), (TF_RMM.uuid, 4)]);
        assert_eq!(agent.activations(), 2);
        assert_eq!(client.components().unwrap().activatable().count(), 0);

        // How: the second PRIME is preceded by a CANCEL of the first
        // component (TF-A keeps it current; the clean agent answers -8).
        let records = records(&agent);
        let second_prime = records
            .iter()
            .rposition(|r| r.function() == Some(Prime))
            .unwrap();
        let cancel = records[..second_prime]
            .iter()
            .rposition(|r| r.function() == Some(Cancel))
            .unwrap();
        assert_eq!(records[cancel].request.x[1], 0, "CANCEL of BL31 (#0)");
        let expected_status = match profile {
            Profile::TfA => 0,
            Profile::Clean => LfaError::InvalidParameters.code(),
        };
        assert_eq!(records[cancel].status(), expected_status);
        assert_eq!(
            records[cancel + 1].function(),
            Some(GetInventory),
            "then the refresh"
        );
    }
}

#[test]
fn tfa_profile_needs_the_release_cancel_for_a_second_activation() {
    // The same two activations by hand, without the client's release CANCEL,
    // fail on the TF-A profile: this is what the client works around.
    let agent = sim(Profile::TfA, &[optional(TF_RMM.uuid), optional(BL33.uuid)]);
    let inv = |id| {
        agent.call(&lfa_proto::GetInventoryRequest::new(SeqId(id)).encode());
    };
    let prime = |id| lfa_proto::PrimeRequest::new(SeqId(id)).encode();
    let activate = |id| {
        lfa_proto::ActivateRequest {
            seq_id: SeqId(id),
            flags: lfa_proto::ActivateFlags::SKIP_CPU_RENDEZVOUS,
            entry_point: 0,
            context_id: 0,
        }
        .encode()
    };
    inv(0);
    while agent.call(&prime(0)).x[1] & 1 == 1 {}
    while agent.call(&activate(0)).x[1] & 1 == 1 {}
    inv(1);
    while agent.call(&prime(1)).x[1] & 1 == 1 {}
    assert_eq!(
        agent.call(&activate(1)).x[0],
        LfaError::InvalidParameters.to_x0()
    );
}

#[test]
fn a_component_from_before_an_activation_is_stale() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut client = connect(&agent, no_force());
        let before: Vec<_> = client.components().unwrap().map(Result::unwrap).collect();
        agent.set_post_activation(InventoryChange::Rotate);
        client.prime(&before[1]).unwrap().activate_alone().unwrap();
        agent.clear_log();
        let e = client.prime(&before[0]).unwrap_err();
        assert!(
            matches!(e.detail(), ErrorDetail::StaleComponent { .. }),
            "{e}"
        );
        assert!(e.to_string().contains("list the inventory again"), "{e}");
        assert_eq!(agent.call_count(), 0, "nothing sent for a stale component");
        // Listed again, BL31 moved from #0 to #1 and can be activated.
        let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
        assert_eq!(bl31.seq_id(), SeqId(1));
        let done = client
            .prime(&bl31)
            .unwrap()
            .activate_with(&OnlyCpu)
            .unwrap();
        assert_eq!(done.now().unwrap().seq_id(), SeqId(1));
    }
}

#[test]
fn a_component_whose_id_moved_is_refused() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut ours = connect(&agent, no_force());
        let bl31 = ours.find(TFA_BL31.uuid).unwrap().unwrap();
        assert_eq!(bl31.seq_id(), SeqId(0));
        // Someone else activates TF-RMM and the agent renumbers; dropping
        // that client releases TF-RMM (TF-A kept it current).
        let mut other = Client::discover(&agent).unwrap().with_options(no_force());
        let rmm = other.find(TF_RMM.uuid).unwrap().unwrap();
        agent.set_post_activation(InventoryChange::Rotate);
        other.prime(&rmm).unwrap().activate_alone().unwrap();
        drop(other);
        assert_eq!(agent.phase(), Phase::Idle, "{profile:?}");
        agent.clear_log();
        // Our value is of our generation, but #0 now holds the vendor
        // component: one refresh, then refused; nothing primed.
        let e = ours.prime(&bl31).unwrap_err();
        assert_eq!(
            e,
            ErrorDetail::ComponentMoved {
                component: bl31.to_ref(),
                found: DEMO_VENDOR_UUID
            },
            "{profile:?}"
        );
        assert_eq!(calls(&agent), [GetInventory]);
        assert_eq!(requests(&agent, GetInventory)[0].x[1], 0);
        // Listed again, BL31 is #1 and can be primed.
        let bl31 = ours.find(TFA_BL31.uuid).unwrap().unwrap();
        assert_eq!(bl31.seq_id(), SeqId(1));
        let primed = ours.prime(&bl31).unwrap();
        assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(1) });
        drop(primed);
        assert_eq!(agent.phase(), Phase::Idle);
    }
}

#[test]
fn dropping_a_primed_activation_cancels_it() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        {
            let primed = client.prime(&rmm).unwrap();
            assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(1) });
            drop(primed);
        }
        assert_eq!(agent.phase(), Phase::Idle, "{profile:?}");
        let last = last(&agent);
        assert_eq!(
            (last.function(), last.request.x[1], last.status()),
            (Some(Cancel), 1, 0)
        );
        // Explicit cancel does the same, once.
        let before = agent.call_count();
        client.prime(&rmm).unwrap().cancel().unwrap();
        assert_eq!(agent.phase(), Phase::Idle);
        assert_eq!(
            agent.call_count() - before,
            1 + 3 + 1,
            "refresh, 3 PRIME, CANCEL"
        );
    }
}

#[test]
fn not_capable_and_not_pending_are_refused_without_prime() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut client = connect(&agent, Options::DEFAULT);
        let bl33 = client.find(BL33.uuid).unwrap().unwrap();
        let vendor = client.find(DEMO_VENDOR_UUID).unwrap().unwrap();
        let e = client.prime(&bl33).unwrap_err();
        assert!(matches!(e.detail(), ErrorDetail::NotCapable { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "BL33 non-secure payload d6d0eea7-fcea-d54b-9782-9934f234b6e4 (#2) is not activation capable"
        );
        let e = client.prime(&vendor).unwrap_err();
        assert!(matches!(e.detail(), ErrorDetail::NotPending { .. }), "{e}");
        assert!(e.to_string().starts_with("component 7a1e5c0d-"), "{e}");
        assert_eq!(requests(&agent, Prime).len(), 0);
    }
}

#[test]
fn cpu_reset_components_need_an_entry_point() {
    for profile in PROFILES {
        let component = optional(TFA_BL31.uuid).may_reset_cpu();
        let agent = sim(profile, &[component]);
        let mut client = connect(&agent, no_force());
        let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
        let e = client.prime(&bl31).unwrap().activate_alone().unwrap_err();
        assert!(
            matches!(
                e.detail(),
                ErrorDetail::CpuResetWithoutEntryPoint {
                    cancel: CancelOutcome::Cancelled,
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(requests(&agent, Activate).len(), 0);

        let reset = CpuReset {
            entry_point: 0x4008_0000,
            context_id: 0xC0FFEE,
        };
        let mut client = client.with_options(no_force().with_cpu_reset(Some(reset)));
        client.prime(&bl31).unwrap().activate_alone().unwrap();
        let activate = requests(&agent, Activate)[0];
        assert_eq!(
            activate.x[..5],
            [0xC400_02E5, 0, 1, 0x4008_0000, 0xC0FFEE],
            "{profile:?}"
        );
    }
}

#[test]
fn no_agent_is_detected() {
    // TF-A with no components: the whole service answers -1.
    let agent = Agent::new(Profile::TfA);
    assert_eq!(
        Client::discover(&agent).unwrap_err(),
        ErrorDetail::NoAgent { x0: u64::MAX }
    );
    // The "x0 came back unchanged" quirk.
    let agent = Agent::new(Profile::Clean);
    agent.set_quirks(Quirks {
        echo_x0_when_empty: true,
        ..Quirks::default()
    });
    let e = Client::discover(&agent).unwrap_err();
    assert_eq!(e, ErrorDetail::NoAgent { x0: 0xC400_02E0 });
    assert_eq!(
        e.to_string(),
        "no LFA agent: LFA_VERSION returned 0xc40002e0 (x0 came back unchanged)"
    );
    // A clean agent with no components is an agent with an empty inventory.
    let agent = Agent::new(Profile::Clean);
    let client = Client::discover(&agent).unwrap();
    assert_eq!(client.components().unwrap().count(), 0);
    assert_eq!(agent.call_count(), 2);
}

#[test]
fn features_are_checked() {
    for profile in PROFILES {
        let agent = demo(profile);
        let client = connect(&agent, Options::DEFAULT);
        client.require_all_functions().unwrap();
        assert_eq!(calls(&agent), times(FunctionId::Features, 6));
        assert!(client.supports(FunctionId::Cancel).unwrap());
    }
}

#[test]
fn activation_failure_cancels_and_reports_both_outcomes() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent
            .inject(Fault::activate_fails(LfaError::ActivationFailed))
            .unwrap();
        let e = client.prime(&rmm).unwrap().activate_alone().unwrap_err();
        // Both profiles abandon the activation when its step fails, so the
        // client's CANCEL of #1 finds nothing: INVALID_PARAMETERS, reported
        // as NothingToCancel (not as a failed cancel).
        assert_eq!(
            e,
            ErrorDetail::ActivateFailed {
                component: rmm.to_ref(),
                status: LfaError::ActivationFailed,
                rounds: 1,
                cancel: CancelOutcome::NothingToCancel,
            },
            "{profile:?}"
        );
        let last = last(&agent);
        assert_eq!(
            (last.function(), last.request.x[1], last.status()),
            (Some(Cancel), 1, LfaError::InvalidParameters.code())
        );
        assert_eq!(agent.phase(), Phase::Idle);
        assert!(e.to_string().contains("TF-RMM"), "{e}");
        assert!(
            e.to_string()
                .ends_with("the agent had already abandoned it (LFA_CANCEL: nothing to cancel)"),
            "{e}"
        );
        // A component from before the failed ACTIVATE is stale too.
        assert!(matches!(
            client.prime(&rmm).unwrap_err().detail(),
            ErrorDetail::StaleComponent { .. }
        ));
        // And the agent can be used again, with no further CANCEL: the
        // client owes nothing after NothingToCancel.
        agent.clear_faults();
        agent.clear_log();
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        client.prime(&rmm).unwrap().activate_alone().unwrap();
        let mut expected = listing(2); // find stops at TF-RMM (#1)
        expected.push(GetInventory);
        expected.extend(times(Prime, 3));
        expected.push(Activate);
        expected.extend(listing(4));
        assert_eq!(calls(&agent), expected, "{profile:?}: no CANCEL");
    }
}

#[test]
fn partial_rendezvous_is_what_the_hook_contract_forbids() {
    // Two threads for four online CPUs: TF-A would spin forever; the
    // simulator gives up after its spin budget and reports a hang.
    let agent = sim(Profile::TfA, &[required(TFA_BL31.uuid)]);
    agent.set_online_cpus(4);
    agent.set_spin_budget(1 << 12);
    let mut client = connect(&agent, Options::DEFAULT);
    let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
    let e = client
        .prime(&bl31)
        .unwrap()
        .activate_with(&ThreadRendezvous::new(2))
        .unwrap_err();
    assert!(agent.hang_detected());
    assert_eq!(e.status(), Some(LfaError::Unknown(HANG_STATUS)), "{e}");
}

#[test]
fn cpus_that_disagree_are_an_error() {
    // Scripted: two CPUs, one sees success, the other BUSY.
    let entry = lfa_proto::InventoryResponse {
        uuid: TFA_BL31.uuid,
        flags: lfa_proto::InventoryFlags::ACTIVATION_CAPABLE
            | lfa_proto::InventoryFlags::ACTIVATION_PENDING,
        current_version: V1,
        pending_version: V2,
    };
    use lfa_proto::Response;
    let mut count = Regs::ZERO;
    count.x[1] = 1;
    let script = [
        Regs::with_x0(0x1_0000),
        count,
        entry.encode(),
        entry.encode(),
        Regs::ZERO, // PRIME done
        Regs::ZERO, // ACTIVATE on one CPU: done
        Regs::with_x0(LfaError::Busy.to_x0()),
        Regs::ZERO, // CANCEL
    ];
    let conduit = ScriptedConduit::replay(&script);
    let mut client = Client::discover(&conduit).unwrap();
    let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
    let e = client
        .prime(&bl31)
        .unwrap()
        .activate_with(&ThreadRendezvous::new(2))
        .unwrap_err();
    let ErrorDetail::RendezvousDisagreement {
        first,
        other,
        cancel,
        ..
    } = e.detail()
    else {
        panic!("{e}")
    };
    assert_eq!(cancel, CancelOutcome::Cancelled);
    let mut results = [first, other];
    results.sort_by_key(|r| matches!(r, CpuResult::Done));
    assert_eq!(
        results,
        [CpuResult::Failed(LfaError::Busy), CpuResult::Done]
    );
    assert_eq!((conduit.calls(), conduit.overruns()), (8, 0));
}

#[test]
fn pending_that_never_clears_is_bounded() {
    /// Stages the image again after every ACTIVATE: pending never clears.
    struct Restaging<'a>(&'a Agent);
    impl Conduit for Restaging<'_> {
        fn call(&self, args: &Regs) -> Regs {
            let out = self.0.call(args);
            if args.x[0] == 0xC400_02E5 {
                self.0.stage(TF_RMM.uuid, V2).unwrap();
            }
            out
        }
    }
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid)]);
        let conduit = Restaging(&agent);
        let mut client = Client::discover(&conduit)
            .unwrap()
            .with_options(no_force().with_max_activations(3));
        let e = client.activate_all_pending(&OnlyCpu, |_| {}).unwrap_err();
        assert_eq!(
            e,
            Stopped {
                summary: Summary {
                    activated: 3,
                    skipped: 0
                },
                error: Error::new(ErrorDetail::PendingNeverClears { activations: 3 })
            },
            "{profile:?}"
        );
        assert_eq!(agent.activations(), 3);
    }
}

#[test]
fn sim_profiles_agree_on_a_plain_flow() {
    // The same scenario, both profiles, through SimAgent::demo_with.
    for profile in PROFILES {
        let agent = SimAgent::demo_with(profile);
        let mut client = Client::discover(&agent).unwrap();
        let summary = |activated| Summary {
            activated,
            skipped: 0,
        };
        assert_eq!(
            client.activate_all_pending(&OnlyCpu, |_| {}).unwrap(),
            summary(2)
        );
        assert_eq!(
            client.activate_all_pending(&OnlyCpu, |_| {}).unwrap(),
            summary(0)
        );
    }
}
