// SPDX-License-Identifier: MIT OR Apache-2.0
//! The client allocates nothing: every flow (discovery, listing, lookup,
//! prime/activate alone and through a multi-threaded rendezvous, activate
//! all pending, and the error paths) runs under a counting global allocator
//! and must make zero heap allocations, in both profiles of the simulated
//! agent.
//!
//! Allocations are counted only on threads that are measuring, so the test
//! harness's own threads do not interfere. In a rendezvous, the hook's thread
//! start-up is the hook's business (a kernel's stopper threads exist before
//! the window); the client's per-CPU function and everything on the calling
//! thread are measured.

#[path = "client_support.rs"]
mod support;

use lfa_client::ErrorDetail;
use lfa_client::{
    Client, CpuJob, CpuOutcome, OnlyCpu, Rendezvous, RendezvousError, RetryPolicy, Summary,
};
use lfa_proto::{
    ActivateFlags, ActivateRequest, LfaError, Regs, SeqId,
    components::{TF_RMM, TFA_BL31},
};
use lfa_sim::{DEMO_VENDOR_UUID, Fault, Profile};
use lfa_smccc::Conduit;
use lfa_tests::counting_alloc::{Counting, credit, measure, unmeasured};
use support::*;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A rendezvous of std threads whose per-CPU work is measured (each thread's
/// count is added to the calling thread's), while their start-up is not.
struct MeasuredThreads(usize);

impl<C: Conduit + Sync + ?Sized> Rendezvous<C> for MeasuredThreads {
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        // Starting the threads is the hook's business; each thread's call is
        // the client's and is measured, then credited to this thread.
        let results: Vec<(CpuOutcome, usize)> = unmeasured(|| {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..self.0)
                    .map(|_| s.spawn(|| measure(|| job.run(conduit))))
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            })
        });
        credit(results.iter().map(|(_, n)| n).sum());
        for (outcome, _) in results {
            collect(outcome);
        }
        Ok(())
    }
}

#[test]
fn the_counter_counts() {
    let (v, n) = measure(|| Vec::<u8>::with_capacity(8));
    drop(v);
    assert_eq!(n, 1);
}

#[test]
fn the_counter_counts_on_rendezvous_threads() {
    /// Allocates once per call and answers "done".
    struct Allocating;
    impl Conduit for Allocating {
        fn call(&self, _: &Regs) -> Regs {
            drop(Vec::<u8>::with_capacity(4));
            Regs::ZERO
        }
    }
    let job = CpuJob::new(
        ActivateRequest {
            seq_id: SeqId(0),
            flags: ActivateFlags::empty(),
            entry_point: 0,
            context_id: 0,
        },
        1,
    );
    // Each of three threads allocates once inside the window.
    let (result, n) =
        measure(|| MeasuredThreads(3).run_on_every_cpu(&Allocating, job, &mut |_| {}));
    assert_eq!((result, n), (Ok(()), 3));
}

#[test]
fn no_allocation_in_discovery_listing_and_lookup() {
    for profile in PROFILES {
        let agent = demo(profile);
        let ((), n) = measure(|| {
            let client = Client::discover(&agent).unwrap();
            client.require_all_functions().unwrap();
            assert_eq!(client.components().unwrap().count(), 4);
            assert!(client.find(DEMO_VENDOR_UUID).unwrap().is_some());
            assert_eq!(client.components().unwrap().activatable().count(), 2);
        });
        assert_eq!(n, 0, "{profile:?}");
    }
}

#[test]
fn no_allocation_activating_one_alone_and_by_rendezvous() {
    for profile in PROFILES {
        let agent = demo(profile);
        agent.set_online_cpus(4);
        let mut client = Client::discover(&agent).unwrap().with_options(no_force());
        let ((), n) = measure(|| {
            let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
            let done = client.prime(&rmm).unwrap().activate_alone().unwrap();
            assert!(done.now().is_ok());
            let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
            let done = client
                .prime(&bl31)
                .unwrap()
                .activate_with(&MeasuredThreads(4))
                .unwrap();
            assert_eq!(done.cpus(), 4);
        });
        assert_eq!(n, 0, "{profile:?}");
        assert_eq!(agent.activations(), 2);
    }
}

const TWO_ACTIVATED: Summary = Summary {
    activated: 2,
    skipped: 0,
};

#[test]
fn no_allocation_in_activate_all_pending() {
    for profile in PROFILES {
        let agent = demo(profile);
        agent.set_online_cpus(3);
        let mut client = Client::discover(&agent).unwrap();
        let (count, n) = measure(|| {
            client
                .activate_all_pending(&MeasuredThreads(3), |_| {})
                .unwrap()
        });
        assert_eq!((count, n), (TWO_ACTIVATED, 0), "{profile:?}");
        let agent = demo(profile);
        let mut client = Client::discover(&agent).unwrap().with_options(no_force());
        let (count, n) = measure(|| client.activate_all_pending(&OnlyCpu, |_| {}).unwrap());
        assert_eq!((count, n), (TWO_ACTIVATED, 0), "{profile:?}");
    }
}

#[test]
fn no_allocation_on_error_paths() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut client = Client::discover(&agent)
            .unwrap()
            .with_options(no_force().with_prime(RetryPolicy::rounds(1)));
        let ((), n) = measure(|| {
            let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
            let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
            let vendor = client.find(DEMO_VENDOR_UUID).unwrap().unwrap();
            // Timeout (RMM needs 3 PRIME rounds), then CANCEL.
            assert!(matches!(
                client.prime(&rmm).unwrap_err().detail(),
                ErrorDetail::Timeout { .. }
            ));
            // Not pending.
            assert!(matches!(
                client.prime(&vendor).unwrap_err().detail(),
                ErrorDetail::NotPending { .. }
            ));
            // Rendezvous required, refused and cancelled.
            assert!(matches!(
                client
                    .prime(&bl31)
                    .unwrap()
                    .activate_alone()
                    .unwrap_err()
                    .detail(),
                ErrorDetail::RendezvousRequired { .. }
            ));
            // Dropped primed activation.
            drop(client.prime(&bl31).unwrap());
            // PRIME and ACTIVATE failures.
            agent.inject(Fault::prime_fails_raw(-35)).unwrap();
            assert_eq!(
                client.prime(&bl31).unwrap_err().status(),
                Some(LfaError::Unknown(-35))
            );
            agent
                .inject(Fault::activate_fails(LfaError::CriticalError))
                .unwrap();
            assert_eq!(
                client
                    .prime(&bl31)
                    .unwrap()
                    .activate_with(&OnlyCpu)
                    .unwrap_err()
                    .status(),
                Some(LfaError::CriticalError)
            );
            // Stale after that ACTIVATE.
            assert!(matches!(
                client.prime(&bl31).unwrap_err().detail(),
                ErrorDetail::StaleComponent { .. }
            ));
            // GET_INFO status.
            agent
                .inject(Fault::reply(lfa_proto::FunctionId::GetInfo, LfaError::Busy))
                .unwrap();
            assert!(client.components().is_err());
        });
        assert_eq!(n, 0, "{profile:?}");
    }
    // No agent at all.
    let agent = Agent::new(Profile::TfA);
    let (e, n) = measure(|| Client::discover(&agent).unwrap_err());
    assert_eq!((e.detail(), n), (ErrorDetail::NoAgent { x0: u64::MAX }, 0));
}
