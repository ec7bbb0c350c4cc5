// SPDX-License-Identifier: MIT OR Apache-2.0
//! The traps an adopter meets: `Client::cancel` by UUID, `discover_with` and its
//! SMCCC policy, the "what now" helpers of `Error`, and the builders of the
//! `#[non_exhaustive]` `Options`.

#[path = "client_support.rs"]
mod support;

use lfa_client::ErrorDetail;
use lfa_client::{
    CancelOutcome, Client, ComponentRef, CpuOutcome, CpuResult, Error, FunctionId, LfaError,
    Options, SeqId, SmcccCheck, SmcccError, SmcccVersion, Uuid,
};
use lfa_proto::components::{TF_RMM, TFA_BL31};
use lfa_sim::{Fault, Phase};
use support::*;

use FunctionId::{Cancel, GetInfo, GetInventory};

#[test]
fn cancel_by_uuid_finds_the_id_and_cancels() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        let primed = client.prime(&rmm).unwrap().into_op();
        agent.clear_log();
        assert_eq!(
            client.cancel(TF_RMM.uuid),
            Ok(CancelOutcome::Cancelled),
            "{profile:?}"
        );
        // TF-RMM is #1: GET_INFO, two entries, then the CANCEL of #1.
        assert_eq!(calls(&agent), [GetInfo, GetInventory, GetInventory, Cancel]);
        assert_eq!(requests(&agent, Cancel)[0].x[1], 1);
        assert_eq!(agent.phase(), Phase::Idle);
        // The primed value is stale now; nothing is owed any more.
        assert_eq!(
            primed.cancel(&mut client),
            Err(Error::new(ErrorDetail::StaleOperation))
        );
        agent.clear_log();
        drop(client);
        assert_eq!(calls(&agent), [], "{profile:?}: no release owed");
    }
}

#[test]
fn cancel_of_nothing_and_of_an_unknown_uuid() {
    let agent = demo(lfa_sim::Profile::Clean);
    let mut client = connect(&agent, no_force());
    assert_eq!(
        client.cancel(TFA_BL31.uuid),
        Ok(CancelOutcome::NothingToCancel)
    );
    agent.clear_log();
    let nobody = Uuid::from_u128(0x5EED);
    assert_eq!(
        client.cancel(nobody),
        Err(Error::new(ErrorDetail::ComponentGone { uuid: nobody }))
    );
    assert!(!calls(&agent).contains(&Cancel), "nothing cancelled");
    agent.inject(Fault::busy(Cancel)).unwrap();
    let e = client.cancel(TFA_BL31.uuid).unwrap_err();
    assert_eq!(e.status(), Some(LfaError::Busy));
    assert!(e.retry_later() && !e.agent_is_idle() && !e.is_fatal());
}

#[test]
fn discover_with_checks_smccc_only_when_asked() {
    let agent = demo(lfa_sim::Profile::Clean);
    agent.clear_log();
    // The default sends LFA_VERSION only.
    let client = Client::discover_with(&agent, Options::DEFAULT).unwrap();
    assert_eq!(calls(&agent), [FunctionId::Version]);
    drop(client);
    // Require 1.2: the simulated agent answers PSCI_FEATURES with
    // NOT_SUPPORTED, so discovery stops before any LFA call.
    agent.clear_log();
    let strict = Options::DEFAULT.with_smccc_check(Some(SmcccCheck::Require1_2));
    let e = Client::discover_with(&agent, strict).unwrap_err();
    assert_eq!(
        e,
        ErrorDetail::SmcccVersion {
            error: SmcccError::NotAdvertised { status: -1 }
        }
    );
    assert!(e.is_fatal() && !e.retry_later());
    assert_eq!(agent.call_count(), 1, "PSCI_FEATURES only, no LFA_VERSION");
    // Assume: no SMCCC call at all.
    agent.clear_log();
    let assume = Options::DEFAULT.with_smccc_check(Some(SmcccCheck::Assume(SmcccVersion::V1_2)));
    let client = Client::discover_with(&agent, assume).unwrap();
    assert_eq!(calls(&agent), [FunctionId::Version]);
    assert_eq!(client.options(), &assume);
}

#[test]
fn options_builders_set_one_field_each() {
    let reset = lfa_client::CpuReset {
        entry_point: 1,
        context_id: 2,
    };
    let o = Options::DEFAULT
        .with_prime(lfa_client::RetryPolicy::rounds(1))
        .with_activate(lfa_client::RetryPolicy::rounds(2))
        .with_force_rendezvous(false)
        .with_cpu_reset(Some(reset))
        .with_max_components(3)
        .with_max_activations(4);
    assert_eq!(
        (
            o.prime.max_rounds,
            o.activate.max_rounds,
            o.force_rendezvous
        ),
        (1, 2, false)
    );
    assert_eq!(
        (
            o.cpu_reset,
            o.max_components,
            o.max_activations,
            o.smccc_check
        ),
        (Some(reset), 3, 4, None)
    );
    assert_eq!(Options::default(), Options::DEFAULT);
}

#[test]
fn the_what_now_helpers() {
    let c = ComponentRef {
        uuid: Uuid::from_u128(1),
        seq_id: SeqId(0),
    };
    let cancel_failed = CancelOutcome::Failed(LfaError::Busy);
    let activate = |status, cancel| ErrorDetail::ActivateFailed {
        component: c,
        status,
        rounds: 1,
        cancel,
    };
    let outcome = CpuOutcome::new(CpuResult::Done, 1);
    let other = CpuOutcome::new(CpuResult::Failed(LfaError::ActivationFailed), 1);
    // (error, idle, fatal, retry later, list again)
    let table = [
        (ErrorDetail::NoAgent { x0: 0 }, true, true, false, false),
        (
            ErrorDetail::NotPending { component: c },
            true,
            false,
            false,
            false,
        ),
        (
            ErrorDetail::StaleComponent {
                component: c,
                generation: 1,
                current: 2,
            },
            true,
            false,
            false,
            true,
        ),
        (ErrorDetail::StaleOperation, true, false, false, true),
        (
            activate(LfaError::ActivationFailed, CancelOutcome::Cancelled),
            true,
            false,
            false,
            false,
        ),
        (
            activate(LfaError::CriticalError, CancelOutcome::NothingToCancel),
            true,
            true,
            false,
            false,
        ),
        (
            activate(LfaError::Busy, cancel_failed),
            false,
            false,
            true,
            false,
        ),
        (
            ErrorDetail::Timeout {
                call: FunctionId::Prime,
                component: c,
                rounds: 3,
                elapsed: core::time::Duration::ZERO,
                cancel: CancelOutcome::Cancelled,
            },
            true,
            false,
            true,
            false,
        ),
        (
            ErrorDetail::RendezvousFailed {
                component: c,
                reason: "offline",
                cancel: CancelOutcome::Cancelled,
            },
            true,
            false,
            true,
            false,
        ),
        (
            ErrorDetail::RendezvousDisagreement {
                component: c,
                first: outcome.result(),
                other: other.result(),
                cancel: CancelOutcome::Cancelled,
            },
            true,
            true,
            false,
            false,
        ),
        (
            ErrorDetail::Firmware {
                call: Cancel,
                component: Some(c),
                status: LfaError::Busy,
            },
            false,
            false,
            true,
            false,
        ),
        (
            ErrorDetail::ComponentMoved {
                component: c,
                found: Uuid::nil(),
            },
            true,
            false,
            false,
            true,
        ),
    ];
    for (e, idle, fatal, later, list) in table {
        let e = Error::new(e);
        assert_eq!(
            (
                e.agent_is_idle(),
                e.is_fatal(),
                e.retry_later(),
                e.needs_listing()
            ),
            (idle, fatal, later, list),
            "{e}"
        );
    }
}
