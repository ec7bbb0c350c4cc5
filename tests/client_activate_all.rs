// SPDX-License-Identifier: MIT OR Apache-2.0
//! `Client::activate_all_pending` against the simulated agent: a component
//! that fails alone is skipped and the others are activated, each component
//! is attempted at most once, errors that make going on unsafe stop the call
//! with the count of what was done, and a component the agent drops after
//! its own activation is no error.

#[path = "client_support.rs"]
mod support;

use lfa_client::ErrorDetail;
use lfa_client::{
    CancelOutcome, CpuOutcome, Error, MAX_SKIPPED, OnlyCpu, Options, Progress, Rendezvous,
    RendezvousError, Stopped, Summary,
};
use lfa_proto::{
    FirmwareVersion, FunctionId, LfaError, Uuid,
    components::{BL33, TF_RMM, TFA_BL31},
};
use lfa_sim::{Fault, InventoryChange, Phase, Profile, SimAgent, SimComponent};
use support::*;

use FunctionId::{Activate, GetInfo, GetInventory, Prime};

/// A capable, pending, rendezvous-optional component: one PRIME, one
/// ACTIVATE.
fn optional(uuid: Uuid) -> SimComponent {
    SimComponent::new(uuid)
        .capable()
        .current(FirmwareVersion::new(1, 0))
        .pending(FirmwareVersion::new(2, 0))
        .rendezvous_optional()
}

/// What the callback saw, in order.
#[derive(Debug, PartialEq)]
enum Seen {
    Activated {
        uuid: Uuid,
        now: Result<Uuid, Error>,
    },
    Skipped {
        uuid: Uuid,
        error: Error,
    },
}

fn record(seen: &mut Vec<Seen>) -> impl FnMut(Progress<'_>) + '_ {
    move |progress| {
        seen.push(match progress {
            Progress::Activated(done) => Seen::Activated {
                uuid: done.before().uuid(),
                now: done.now().map(|c| c.uuid()).map_err(|e| *e),
            },
            Progress::Skipped { component, error } => Seen::Skipped {
                uuid: component.uuid(),
                error: *error,
            },
            other => panic!("unknown progress {other:?}"),
        })
    }
}

fn activated(uuid: Uuid) -> Seen {
    Seen::Activated {
        uuid,
        now: Ok(uuid),
    }
}

fn summary(activated: u32, skipped: u32) -> Summary {
    Summary { activated, skipped }
}

/// B2: the agent drops the component it just activated; that is reported in
/// the `Activated` and the call goes on with the next one.
#[test]
fn a_component_gone_after_its_own_activation_is_no_error() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        agent.set_post_activation(InventoryChange::Remove(TF_RMM.uuid));
        let mut client = connect(&agent, no_force());
        let mut seen = Vec::new();
        let result = client.activate_all_pending(&OnlyCpu, record(&mut seen));
        assert_eq!(result, Ok(summary(2, 0)), "{profile:?}");
        assert_eq!(
            seen,
            [
                Seen::Activated {
                    uuid: TF_RMM.uuid,
                    now: Err(Error::new(ErrorDetail::ComponentGone { uuid: TF_RMM.uuid }))
                },
                activated(TFA_BL31.uuid)
            ]
        );
        assert_eq!(agent.activations(), 2);
        // The first listing stops at TF-RMM; no release CANCEL for the gone
        // component before BL31 (now #0) is primed.
        let mut expected = listing(1);
        expected.extend([GetInventory, Prime, Activate]);
        expected.extend(listing(1));
        expected.extend([GetInventory, Prime, Activate]);
        expected.extend(listing(1));
        assert_eq!(calls(&agent), expected, "{profile:?}");
    }
}

/// B2: another failure of the re-enumeration after a successful activation
/// stops the call, and the error keeps the count.
#[test]
fn a_failed_relisting_after_success_stops_with_the_count() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        let mut client = connect(&agent, no_force());
        // The second GET_INFO (the re-enumeration after TF-RMM) is BUSY.
        agent.inject(Fault::busy(GetInfo).after(1)).unwrap();
        let mut seen = Vec::new();
        let busy = ErrorDetail::Firmware {
            call: GetInfo,
            component: None,
            status: LfaError::Busy,
        };
        let result = client.activate_all_pending(&OnlyCpu, record(&mut seen));
        assert_eq!(
            result,
            Err(Stopped {
                summary: summary(1, 0),
                error: Error::new(busy)
            }),
            "{profile:?}"
        );
        assert_eq!(
            seen,
            [Seen::Activated {
                uuid: TF_RMM.uuid,
                now: Err(Error::new(busy))
            }]
        );
        assert_eq!(agent.activations(), 1);
    }
}

/// R4: a component whose PRIME fails is skipped (reported with its error),
/// the others are activated, and it is not attempted again although it is
/// still pending.
#[test]
fn a_component_that_fails_to_prime_is_skipped_once() {
    for profile in PROFILES {
        let agent = sim(
            profile,
            &[
                optional(TF_RMM.uuid),
                optional(TFA_BL31.uuid),
                optional(BL33.uuid),
            ],
        );
        agent
            .inject(Fault::prime_fails(LfaError::AuthError))
            .unwrap();
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.clear_log();
        let mut seen = Vec::new();
        let result = client.activate_all_pending(&OnlyCpu, record(&mut seen));
        assert_eq!(result, Ok(summary(2, 1)), "{profile:?}");
        assert_eq!(
            seen,
            [
                Seen::Skipped {
                    uuid: TF_RMM.uuid,
                    error: Error::new(ErrorDetail::PrimeFailed {
                        component: rmm.to_ref(),
                        status: LfaError::AuthError,
                        rounds: 1,
                        cancel: CancelOutcome::NothingToCancel
                    })
                },
                activated(TFA_BL31.uuid),
                activated(BL33.uuid)
            ]
        );
        let primes_of_rmm = requests(&agent, Prime)
            .iter()
            .filter(|r| r.x[1] == 0)
            .count();
        assert_eq!(primes_of_rmm, 1, "attempted once");
        assert!(agent.component_by_uuid(TF_RMM.uuid).unwrap().1.is_pending());
        assert_eq!(agent.activations(), 2);
    }
}

/// R4: an ACTIVATE that fails (not critically) is skipped too.
#[test]
fn a_component_that_fails_to_activate_is_skipped() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        agent
            .inject(Fault::activate_fails(LfaError::ActivationFailed))
            .unwrap();
        let mut client = connect(&agent, no_force());
        let mut seen = Vec::new();
        let result = client.activate_all_pending(&OnlyCpu, record(&mut seen));
        assert_eq!(result, Ok(summary(1, 1)), "{profile:?}");
        assert!(matches!(
            &seen[0],
            Seen::Skipped { uuid, error } if *uuid == TF_RMM.uuid && matches!(
                error.detail(),
                ErrorDetail::ActivateFailed {
                    status: LfaError::ActivationFailed,
                    cancel: CancelOutcome::NothingToCancel,
                    ..
                }
            )
        ));
        assert_eq!(seen[1], activated(TFA_BL31.uuid));
        assert_eq!(seen.len(), 2);
    }
}

/// R4: CRITICAL_ERROR from ACTIVATE stops the call: nothing else is tried.
#[test]
fn critical_error_stops_everything() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        agent
            .inject(Fault::activate_fails(LfaError::CriticalError))
            .unwrap();
        let mut client = connect(&agent, no_force());
        let mut seen = Vec::new();
        let e = client
            .activate_all_pending(&OnlyCpu, record(&mut seen))
            .unwrap_err();
        assert_eq!(e.summary, summary(0, 0), "{profile:?}");
        assert!(
            matches!(
                e.error.detail(),
                ErrorDetail::ActivateFailed {
                    status: LfaError::CriticalError,
                    ..
                }
            ),
            "{e}"
        );
        assert!(seen.is_empty());
        assert_eq!(requests(&agent, Prime).len(), 1, "BL31 never primed");
    }
}

/// R4: a failure whose CANCEL failed stops the call (the agent may still
/// hold the component).
#[test]
fn a_failed_cancel_stops_everything() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        agent
            .inject(Fault::prime_fails(LfaError::AuthError))
            .unwrap();
        agent.inject(Fault::busy(FunctionId::Cancel)).unwrap();
        let mut client = connect(&agent, no_force());
        let e = client.activate_all_pending(&OnlyCpu, |_| {}).unwrap_err();
        assert_eq!(e.summary, summary(0, 0));
        assert_eq!(
            e.error.cancel(),
            Some(CancelOutcome::Failed(LfaError::Busy)),
            "{profile:?}: {e}"
        );
        assert_eq!(requests(&agent, Prime).len(), 1);
    }
}

/// R4: a rendezvous hook that fails stops the call.
#[test]
fn a_failed_rendezvous_stops_everything() {
    struct Refuses;
    impl<C: lfa_smccc::Conduit + ?Sized> Rendezvous<C> for Refuses {
        fn run_on_every_cpu(
            &self,
            _conduit: &C,
            _job: lfa_client::CpuJob,
            _collect: &mut dyn FnMut(CpuOutcome),
        ) -> Result<(), RendezvousError> {
            Err(RendezvousError("CPU 3 is offline"))
        }
    }
    for profile in PROFILES {
        let agent = sim(profile, &[optional(TF_RMM.uuid), optional(TFA_BL31.uuid)]);
        let mut client = connect(&agent, Options::DEFAULT);
        let e = client.activate_all_pending(&Refuses, |_| {}).unwrap_err();
        assert!(
            matches!(
                e.error.detail(),
                ErrorDetail::RendezvousFailed {
                    reason: "CPU 3 is offline",
                    cancel: CancelOutcome::Cancelled,
                    ..
                }
            ),
            "{profile:?}: {e}"
        );
        assert_eq!(e.summary, summary(0, 0));
        assert_eq!(requests(&agent, Prime).len(), 1);
        assert_eq!(agent.phase(), Phase::Idle);
    }
}

/// R4: at most MAX_SKIPPED components are skipped; the next failure stops
/// the call with its own error, and every component was attempted once.
#[test]
fn skipping_is_bounded() {
    const N: usize = MAX_SKIPPED + 2;
    for profile in PROFILES {
        let agent = SimAgent::<N, 512>::new(profile);
        for n in 0..N {
            agent
                .add_component(optional(Uuid::from_u128(0x100 + n as u128)))
                .unwrap();
        }
        agent
            .inject(Fault::prime_fails(LfaError::DeviceError).always())
            .unwrap();
        let mut client = lfa_client::Client::discover(&agent)
            .unwrap()
            .with_options(no_force());
        let mut skipped = 0;
        let e = client
            .activate_all_pending(&OnlyCpu, |p| {
                assert!(matches!(p, Progress::Skipped { .. }));
                skipped += 1;
            })
            .unwrap_err();
        assert_eq!(skipped, MAX_SKIPPED, "{profile:?}");
        assert_eq!(e.summary, summary(0, MAX_SKIPPED as u32));
        assert_eq!(
            e.error.component().map(|c| c.uuid),
            Some(Uuid::from_u128(0x100 + MAX_SKIPPED as u128)),
            "the 17th component's error"
        );
        assert_eq!(e.error.status(), Some(LfaError::DeviceError));
        let primes: Vec<u64> = agent.with_log(|log| {
            log.iter()
                .filter(|r| r.function() == Some(Prime))
                .map(|r| r.request.x[1])
                .collect()
        });
        let expected: Vec<u64> = (0..=MAX_SKIPPED as u64).collect();
        assert_eq!(primes, expected, "each attempted once, in order");
    }
}

/// The profiles differ in what the release CANCEL answers, not in the
/// outcome: with a skip in the middle, both activate the same two.
#[test]
fn tfa_profile_skips_and_releases_like_the_clean_one() {
    let agent = sim(
        Profile::TfA,
        &[
            optional(TF_RMM.uuid),
            optional(TFA_BL31.uuid),
            optional(BL33.uuid),
        ],
    );
    agent
        .inject(Fault::activate_fails(LfaError::ActivationFailed).after(1))
        .unwrap();
    let mut client = connect(&agent, no_force());
    let mut seen = Vec::new();
    let result = client.activate_all_pending(&OnlyCpu, record(&mut seen));
    assert_eq!(result, Ok(summary(2, 1)));
    assert_eq!(seen[0], activated(TF_RMM.uuid));
    assert!(matches!(seen[1], Seen::Skipped { uuid, .. } if uuid == TFA_BL31.uuid));
    assert_eq!(seen[2], activated(BL33.uuid));
    // TF-RMM was released (CANCEL 0) before BL31's PRIME; BL31's failure
    // left nothing to release; BL33 is owed until the client goes.
    assert_eq!(
        agent.phase(),
        Phase::Activated {
            seq_id: lfa_proto::SeqId(2)
        }
    );
    drop(client);
    assert_eq!(agent.phase(), Phase::Idle);
}
