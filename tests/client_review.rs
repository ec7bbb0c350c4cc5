// SPDX-License-Identifier: MIT OR Apache-2.0
//! One regression test per finding of the Linux LFA driver's review
//! (`docs/protocol.md#review-findings`), named
//! `review_<finding>`, against the simulated agent (both profiles) or a
//! scripted conduit.

#[path = "client_support.rs"]
mod support;

use core::cell::Cell;
use core::time::Duration;
use lfa_client::ErrorDetail;

use lfa_client::{CancelOutcome, Client, Clock, Component, Options, RetryPolicy, ThreadRendezvous};
use lfa_proto::{
    DecodeError, FirmwareVersion, FunctionId, InventoryFlags, InventoryResponse, LfaError, Regs,
    Response, SeqId, Uuid, components::TF_RMM,
};
use lfa_sim::scripted::ScriptedConduit;
use lfa_sim::{DEMO_VENDOR_UUID, Fault, Phase, Profile, SimComponent};
use lfa_smccc::Conduit;
use support::*;

use FunctionId::{Activate, Cancel, GetInfo, GetInventory, Prime};

const V1: FirmwareVersion = FirmwareVersion::new(1, 0);
const V2: FirmwareVersion = FirmwareVersion::new(2, 0);

fn rmm() -> SimComponent {
    SimComponent::new(TF_RMM.uuid)
        .capable()
        .current(V1)
        .pending(V2)
        .rendezvous_optional()
        .prime_rounds(4)
        .activate_rounds(3)
}

fn ok_x1(x1: u64) -> Regs {
    let mut r = Regs::ZERO;
    r.x[1] = x1;
    r
}

/// Finding 1: PRIME/ACTIVATE loops reused one register block for input and
/// output, so a CALL_AGAIN retry sent clobbered arguments.
#[test]
fn review_clobbered_retry_arguments() {
    /// Writes garbage into every register of every response but x0/x1, the
    /// way a careless agent (or a reused block) would.
    struct Clobbering<'a>(&'a Agent);
    impl Conduit for Clobbering<'_> {
        fn call(&self, args: &Regs) -> Regs {
            let mut out = self.0.call(args);
            if matches!(args.x[0], 0xC400_02E4 | 0xC400_02E5) {
                for r in &mut out.x[2..] {
                    *r = 0xBAD0_BAD0_BAD0_BAD0;
                }
            }
            out
        }
    }
    for profile in PROFILES {
        let agent = sim(profile, &[rmm()]);
        let conduit = Clobbering(&agent);
        let mut client = Client::discover(&conduit).unwrap().with_options(no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        let done = client.prime(&rmm).unwrap().activate_alone().unwrap();
        assert_eq!((done.prime_rounds(), done.activate_rounds()), (5, 4));

        let mut prime = Regs::with_x0(0xC400_02E4);
        prime.x[1] = 0;
        assert_eq!(requests(&agent, Prime), vec![prime; 5], "{profile:?}");
        let mut activate = Regs::with_x0(0xC400_02E5);
        activate.x[2] = 1;
        assert_eq!(requests(&agent, Activate), vec![activate; 4], "{profile:?}");
    }
}

/// Finding 2: a status from firmware indexed an array of error strings
/// unchecked; an unknown code read out of bounds.
#[test]
fn review_unknown_status_code() {
    for profile in PROFILES {
        for code in [-35, -12, 1, 0x7FFF_FFFF, i64::MIN, i64::MAX] {
            let agent = demo(profile);
            let client = connect(&agent, Options::DEFAULT);
            agent
                .inject(Fault::reply_raw(GetInfo, LfaError::Unknown(code).to_x0()))
                .unwrap();
            let e = client.components().unwrap_err();
            assert_eq!(
                e.status(),
                Some(LfaError::Unknown(code)),
                "{profile:?} {code}"
            );
            assert!(e.to_string().contains(&code.to_string()), "{e}");
        }
        // An activator's raw errno from PRIME, reported with the component.
        let agent = demo(profile);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.inject(Fault::prime_fails_raw(-35)).unwrap();
        let e = client.prime(&rmm).unwrap_err();
        assert_eq!(e.status(), Some(LfaError::Unknown(-35)));
        assert!(
            e.to_string().starts_with(
                "LFA_PRIME of TF-RMM 6c0762a6-12f2-4b56-92cb-ba8f633606d9 (#1) failed in round 1: unknown status -35"
            ),
            "{e}"
        );
    }
}

/// Finding 3: pending_version was read through the wrong attribute and
/// printed uninitialised numbers when the call failed or nothing was pending.
#[test]
fn review_pending_version_garbage() {
    // TF-A does not write x4/x5: the client sent zeros, reads 0.0, says None.
    let agent = demo(Profile::TfA);
    let client = connect(&agent, Options::DEFAULT);
    for c in client.components().unwrap() {
        let c = c.unwrap();
        assert_eq!((c.current_version(), c.pending_version()), (None, None));
    }
    // The clean profile reports them, pending only while pending.
    let agent = demo(Profile::Clean);
    let client = connect(&agent, Options::DEFAULT);
    let pending: Vec<_> = client
        .components()
        .unwrap()
        .map(|c| c.unwrap().pending_version())
        .collect();
    assert_eq!(
        pending,
        [
            Some(FirmwareVersion::new(2, 13)),
            Some(FirmwareVersion::new(0, 8)),
            None,
            None
        ]
    );

    // Scripted: garbage in x5 while not pending; pending with x5 = 0; a failed
    // call with garbage everywhere but x0.
    let entry = |flags: InventoryFlags, x5: u64| {
        let mut r = InventoryResponse {
            uuid: Uuid::from_u128(1),
            flags,
            current_version: V1,
            pending_version: FirmwareVersion::from_reg(x5),
        }
        .encode();
        r.x[5] = x5;
        r
    };
    let mut failed = Regs {
        x: [0xDEAD_BEEF; 18],
    };
    failed.x[0] = LfaError::InvalidParameters.to_x0();
    let script = [
        Regs::with_x0(0x1_0000),
        ok_x1(3),
        entry(InventoryFlags::ACTIVATION_CAPABLE, 0xDEAD_BEEF_DEAD_BEEF),
        entry(
            InventoryFlags::ACTIVATION_CAPABLE | InventoryFlags::ACTIVATION_PENDING,
            0,
        ),
        failed,
    ];
    let conduit = ScriptedConduit::replay(&script);
    let client = Client::discover(&conduit).unwrap();
    let mut it = client.components().unwrap();
    assert_eq!(it.next().unwrap().unwrap().pending_version(), None);
    let second = it.next().unwrap().unwrap();
    assert!(second.is_pending());
    assert_eq!(second.pending_version(), None, "pending, but x5 = 0");
    assert_eq!(
        it.next().unwrap().unwrap_err(),
        ErrorDetail::InventoryFailed {
            seq_id: SeqId(2),
            status: LfaError::InvalidParameters
        },
        "a failed call yields no versions at all"
    );
}

/// Finding 4: error paths leaked allocations and a workqueue. The client
/// allocates nothing (see `client_no_alloc`, error paths included) and
/// leaves nothing behind: after each kind of failure the agent is idle and
/// the same client activates successfully.
#[test]
fn review_error_paths_leak() {
    for profile in PROFILES {
        let agent = sim(profile, &[rmm()]);
        let mut client = connect(&agent, no_force().with_prime(RetryPolicy::rounds(2)));
        // PRIME times out (4 CALL_AGAIN rounds needed, 2 allowed).
        let c = client.find(TF_RMM.uuid).unwrap().unwrap();
        let e = client.prime(&c).unwrap_err();
        assert!(
            matches!(
                e.detail(),
                ErrorDetail::Timeout {
                    call: Prime,
                    rounds: 2,
                    cancel: CancelOutcome::Cancelled,
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(agent.phase(), Phase::Idle, "{profile:?}");
        client = client.with_options(no_force());
        // PRIME fails authentication.
        agent
            .inject(Fault::prime_fails(LfaError::AuthError))
            .unwrap();
        let e = client.prime(&c).unwrap_err();
        assert_eq!(e.status(), Some(LfaError::AuthError));
        assert_eq!(agent.phase(), Phase::Idle);
        // ACTIVATE fails.
        agent
            .inject(Fault::activate_fails(LfaError::ActivationFailed))
            .unwrap();
        let e = client.prime(&c).unwrap().activate_alone().unwrap_err();
        assert_eq!(e.status(), Some(LfaError::ActivationFailed));
        assert_eq!(agent.phase(), Phase::Idle);
        // A primed activation dropped on an error path of the caller.
        let c = client.find(TF_RMM.uuid).unwrap().unwrap();
        /// A caller that primes, then fails before activating.
        fn give_up(client: &mut Client<&Agent>, c: &Component) -> Result<(), &'static str> {
            let _primed = client.prime(c).unwrap();
            Err("the caller gave up")
        }
        let result = give_up(&mut client, &c);
        assert!(result.is_err());
        assert_eq!(agent.phase(), Phase::Idle);
        // And then everything works.
        let done = client.prime(&c).unwrap().activate_alone().unwrap();
        assert!(!done.now().unwrap().is_pending());
        assert_eq!(agent.activations(), 1);
    }
}

/// Finding 5: unknown components were named "(unknown)", so errors did not
/// say which component failed. Errors carry the UUID.
#[test]
fn review_unnamed_component_in_errors() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut client = connect(&agent, Options::DEFAULT);
        let vendor = client.find(DEMO_VENDOR_UUID).unwrap().unwrap();
        assert_eq!(vendor.name(), None);
        let e = client.prime(&vendor).unwrap_err();
        assert_eq!(e.component().map(|c| c.uuid), Some(DEMO_VENDOR_UUID));
        assert_eq!(
            e.to_string(),
            "component 7a1e5c0d-e000-4f1a-8bad-5eed00000001 (#3) has no pending activation"
        );
        agent.unstage(DEMO_VENDOR_UUID).unwrap();
        assert_eq!(
            ErrorDetail::ComponentGone {
                uuid: DEMO_VENDOR_UUID
            }
            .to_string(),
            "no component with UUID 7a1e5c0d-e000-4f1a-8bad-5eed00000001 in the inventory"
        );
        assert_eq!(
            ErrorDetail::ComponentGone { uuid: TF_RMM.uuid }.to_string(),
            "no component with UUID 6c0762a6-12f2-4b56-92cb-ba8f633606d9 in the inventory (TF-RMM)"
        );
    }
}

/// Finding 6: the driver was built for 32-bit Arm, where SMCCC 1.2 does not
/// exist. The client has no architecture code (the conduit is the caller's,
/// and lfa-smccc builds `smc`/`hvc` for AArch64 only), and it treats every
/// register as the 64 bits SMCCC 1.2 defines: a 32-bit "-1" is not
/// NOT_SUPPORTED, a count or id is never truncated.
#[test]
fn review_32bit_arm() {
    assert_eq!(core::mem::size_of::<Regs>(), 18 * 8, "x0..x17, 64-bit each");
    // x0 = 0xFFFF_FFFF: what a 32-bit caller would read as -1.
    let script = [Regs::with_x0(0xFFFF_FFFF)];
    let conduit = ScriptedConduit::replay(&script);
    assert_eq!(
        Client::discover(&conduit).unwrap_err(),
        ErrorDetail::Malformed {
            call: FunctionId::Version,
            component: None,
            error: DecodeError::InvalidVersion(0xFFFF_FFFF)
        }
    );
    // A count with bits 63:32 set is not count & 0xFFFF_FFFF.
    let script = [Regs::with_x0(0x1_0000), ok_x1(0x1_0000_0001)];
    let conduit = ScriptedConduit::replay(&script);
    let client = Client::discover(&conduit).unwrap();
    assert_eq!(
        client.components().unwrap_err(),
        ErrorDetail::Malformed {
            call: GetInfo,
            component: None,
            error: DecodeError::CountOutOfRange(0x1_0000_0001)
        }
    );
    assert_eq!(conduit.calls(), 2);
    // Ids sent fit in 32 bits (TF-A reads only the low half).
    for profile in PROFILES {
        let agent = demo(profile);
        let client = connect(&agent, Options::DEFAULT);
        assert_eq!(client.components().unwrap().count(), 4);
        assert!(
            requests(&agent, GetInventory)
                .iter()
                .all(|r| r.x[1] >> 32 == 0)
        );
    }
}

/// Finding 7: a negative status from GET_INFO was returned as if it were a
/// count.
#[test]
fn review_negative_get_info_count() {
    for profile in PROFILES {
        let agent = demo(profile);
        let client = connect(&agent, Options::DEFAULT);
        agent.inject(Fault::reply(GetInfo, LfaError::Busy)).unwrap();
        assert_eq!(
            client.components().unwrap_err(),
            ErrorDetail::Firmware {
                call: GetInfo,
                component: None,
                status: LfaError::Busy
            }
        );
        assert_eq!(calls(&agent), [GetInfo], "no GET_INVENTORY for a status");
    }
    // x0 = success, x1 = a negative number: not 2^64 - 1 components.
    let script = [Regs::with_x0(0x1_0000), ok_x1(u64::MAX), ok_x1(5000)];
    let conduit = ScriptedConduit::replay(&script);
    let client = Client::discover(&conduit).unwrap();
    assert!(matches!(
        client.components().unwrap_err().detail(),
        ErrorDetail::Malformed {
            error: DecodeError::CountOutOfRange(u64::MAX),
            ..
        }
    ));
    assert_eq!(
        client.components().unwrap_err(),
        ErrorDetail::AbsurdCount {
            count: 5000,
            max: 1024
        }
    );
    assert_eq!(conduit.calls(), 3);
}

/// Finding 8: work was re-initialised while possibly queued: the refresh
/// after activation raced with itself. Here the refresh is one synchronous
/// re-enumeration inside the activation, exactly once, while the client is
/// borrowed; everything read before it is refused afterwards.
#[test]
fn review_refresh_races_with_itself() {
    for profile in PROFILES {
        let agent = demo(profile);
        agent.set_online_cpus(2);
        let mut client = connect(&agent, Options::DEFAULT);
        let before: Vec<_> = client.components().unwrap().map(Result::unwrap).collect();
        agent.clear_log();
        let generation = client.generation();
        let done = client
            .prime(&before[1])
            .unwrap()
            .activate_with(&ThreadRendezvous::new(2))
            .unwrap();
        assert_ne!(client.generation(), generation);
        let log = calls(&agent);
        let last_activate = log.iter().rposition(|f| *f == Activate).unwrap();
        assert_eq!(
            log[last_activate + 1..],
            listing(4)[..],
            "{profile:?}: one refresh, nothing after"
        );
        assert_eq!(done.now().unwrap().generation(), client.generation());
        for stale in &before {
            assert!(matches!(
                client.prime(stale).unwrap_err().detail(),
                ErrorDetail::StaleComponent { .. }
            ));
        }
        assert_eq!(calls(&agent).len(), log.len(), "stale values send nothing");
    }
}

/// Finding 9: prime and activate took the lock separately, so another
/// activation could interleave between them. `Primed` borrows the client
/// mutably from PRIME until ACTIVATE or CANCEL (a second `prime` does not
/// compile: see the `compile_fail,E0499` example on `Primed`), and nothing
/// is sent between the last PRIME and the first ACTIVATE.
#[test]
fn review_prime_activate_interleaving() {
    for profile in PROFILES {
        let agent = demo(profile);
        agent.set_online_cpus(3);
        let mut client = connect(&agent, Options::DEFAULT);
        client
            .activate_all_pending(&ThreadRendezvous::new(3), |_| {})
            .unwrap();
        let records = records(&agent);
        for (i, r) in records.iter().enumerate() {
            if r.function() == Some(Prime) {
                let next = records[i + 1];
                assert!(
                    matches!(next.function(), Some(Prime | Activate)),
                    "{profile:?}: PRIME followed by {:?}",
                    next.function()
                );
                if next.function() == Some(Activate) {
                    assert_eq!(next.request.x[1], r.request.x[1], "same component");
                }
            }
        }
        assert_eq!(agent.activations(), 2);
    }
}

/// Finding 10: no bound on CALL_AGAIN loops. Both loops are bounded by
/// rounds, and by time with a caller's clock; then CANCEL is sent and both
/// outcomes are reported.
#[test]
fn review_unbounded_call_again() {
    /// Advances by every delay it is asked for.
    #[derive(Debug)]
    struct FakeClock(Cell<Duration>, Cell<u32>);
    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            self.0.get()
        }
        fn delay(&self, d: Duration) {
            self.1.set(self.1.get() + 1);
            self.0.set(self.0.get() + d);
        }
    }
    let forever = SimComponent::new(TF_RMM.uuid)
        .capable()
        .pending(V2)
        .rendezvous_optional()
        .prime_rounds(u32::MAX)
        .activate_rounds(u32::MAX);
    for profile in PROFILES {
        // PRIME, round bound only.
        let agent = sim(profile, &[forever]);
        let mut client = connect(&agent, no_force().with_prime(RetryPolicy::rounds(50)));
        let c = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.clear_log();
        let e = client.prime(&c).unwrap_err();
        assert_eq!(
            e,
            ErrorDetail::Timeout {
                call: Prime,
                component: c.to_ref(),
                rounds: 50,
                elapsed: Duration::ZERO,
                cancel: CancelOutcome::Cancelled
            }
        );
        assert_eq!(agent.call_count(), 1 + 50 + 1, "refresh, 50 PRIME, CANCEL");
        assert_eq!(last(&agent).function(), Some(Cancel));

        // PRIME with the default policy and a clock: 30 s at 10 ms a try.
        let clock = FakeClock(Cell::new(Duration::from_secs(1000)), Cell::new(0));
        let mut client = client
            .with_clock(&clock)
            .with_options(no_force().with_prime(RetryPolicy {
                max_rounds: u32::MAX,
                ..RetryPolicy::PRIME
            }));
        agent.clear_log();
        let e = client.prime(&c).unwrap_err();
        let ErrorDetail::Timeout {
            rounds, elapsed, ..
        } = e.detail()
        else {
            panic!("{e}")
        };
        assert_eq!((rounds, elapsed), (3001, Duration::from_secs(30)));
        assert_eq!(clock.1.get(), 3000);
        assert_eq!(agent.call_count(), 1 + 3001 + 1);

        // ACTIVATE in a rendezvous: rounds only, no clock inside the window;
        // the CANCEL after a committed round is refused, and both are reported.
        let agent = sim(profile, &[forever.prime_rounds(0)]);
        agent.set_online_cpus(2);
        let mut client = connect(
            &agent,
            Options::DEFAULT.with_activate(RetryPolicy::rounds(20)),
        );
        let c = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.clear_log();
        let e = client
            .prime(&c)
            .unwrap()
            .activate_with(&ThreadRendezvous::new(2))
            .unwrap_err();
        let ErrorDetail::Timeout {
            call,
            rounds,
            cancel,
            ..
        } = e.detail()
        else {
            panic!("{e}")
        };
        assert_eq!((call, rounds), (Activate, 20), "{profile:?}");
        assert_eq!(agent.call_count(), 1 + 1 + 2 * 20 + 1);
        assert_eq!(cancel, CancelOutcome::Failed(LfaError::Busy), "{e}");
        assert!(e.to_string().ends_with("LFA_CANCEL failed too: BUSY (-2): the agent is busy with another prime, cancel or activation"), "{e}");
    }
}
