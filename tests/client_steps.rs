// SPDX-License-Identifier: MIT OR Apache-2.0
//! The non-blocking form (`PrimeOp`, `PrimedOp`, `ActivationOp`): one call
//! per step at most, the very calls of the blocking flow, stale operations
//! refused without a call, the CANCEL owed after an abandoned one; the
//! stale-value protection across clients; a CPU reset reported from resume
//! code; and the sizes of the state types.

#[path = "client_support.rs"]
mod support;

use lfa_client::ErrorDetail;
use std::time::Duration;

use lfa_client::{
    ActivationOp, CancelOutcome, Client, Component, CpuJob, CpuOutcome, CpuReset, CpuResult, Error,
    Next, Options, PrimeOp, Primed, PrimedOp, Rendezvous, RendezvousError, Step, ThreadRendezvous,
};
use lfa_proto::{
    FirmwareVersion, FunctionId, Regs,
    components::{TF_RMM, TFA_BL31},
};
use lfa_sim::{Phase, SimAgent, SimComponent};
use lfa_smccc::Conduit;
use support::*;

use FunctionId::{Activate, Cancel, GetInventory, Prime};

const V1: FirmwareVersion = FirmwareVersion::new(1, 0);
const V2: FirmwareVersion = FirmwareVersion::new(2, 0);

/// Capable, pending, rendezvous optional, with CALL_AGAIN rounds.
fn optional_slow() -> SimComponent {
    SimComponent::new(TF_RMM.uuid)
        .capable()
        .current(V1)
        .pending(V2)
        .rendezvous_optional()
        .prime_rounds(2)
        .activate_rounds(2)
}

/// Steps `step` to the end, checking that every step makes at most one call;
/// returns the result and the `Next` of every pending step.
fn drive<T>(agent: &Agent, mut step: impl FnMut() -> Step<T>) -> (T, Vec<Next>) {
    let mut seen = Vec::new();
    loop {
        let before = agent.call_count();
        let s = step();
        assert!(
            agent.call_count() - before <= 1,
            "a step made more than one call"
        );
        match s {
            Step::Done(result) => return (result, seen),
            Step::Pending { next, .. } => seen.push(next),
        }
    }
}

#[test]
fn steps_send_exactly_what_the_blocking_flow_sends() {
    for profile in PROFILES {
        let blocking = sim(profile, &[optional_slow()]);
        let mut client = connect(&blocking, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        blocking.clear_log();
        let done = client.prime(&rmm).unwrap().activate_alone().unwrap();
        let blocking_log: Vec<Regs> = blocking.with_log(|l| l.iter().map(|r| r.request).collect());

        let stepped = sim(profile, &[optional_slow()]);
        let mut client = connect(&stepped, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        stepped.clear_log();
        let mut op = client.prime_op(&rmm).unwrap();
        assert_eq!(op.next(), Some(Next::Release));
        // Nothing owed: the first step goes on to the refresh.
        let (primed, nexts) = drive(&stepped, || op.step(&mut client));
        let primed = primed.unwrap();
        assert_eq!(
            nexts,
            [
                Next::Prime { round: 1 },
                Next::Prime { round: 2 },
                Next::Prime { round: 3 },
            ],
            "{profile:?}"
        );
        assert_eq!(primed.prime_rounds(), 3);
        assert_eq!(op.next(), None);
        let mut activation = primed.activate_alone();
        let (activated, nexts) = drive(&stepped, || activation.step(&mut client));
        let activated = activated.unwrap();
        assert_eq!(
            &nexts[..4],
            [
                Next::Activate { round: 2 },
                Next::Activate { round: 3 },
                Next::Reenumerate { read: 0 },
                Next::Reenumerate { read: 1 },
            ]
        );
        assert_eq!(nexts.len(), 4, "GET_INFO, then the one entry ends it");
        let stepped_log: Vec<Regs> = stepped.with_log(|l| l.iter().map(|r| r.request).collect());
        assert_eq!(stepped_log, blocking_log, "{profile:?}: the same calls");
        assert_eq!(
            calls(&stepped),
            [
                vec![GetInventory],
                times(Prime, 3),
                times(Activate, 3),
                listing(1)
            ]
            .concat()
        );
        let report = |a: &lfa_client::Activated| {
            (
                a.before().to_ref(),
                a.now().unwrap().to_ref(),
                a.old_version(),
                a.new_version(),
                (a.prime_rounds(), a.activate_rounds(), a.cpus()),
            )
        };
        assert_eq!(
            report(&activated),
            report(&done),
            "{profile:?}: the same report"
        );
    }
}

#[test]
fn retry_steps_say_how_long_to_wait() {
    let agent = sim(lfa_sim::Profile::Clean, &[optional_slow()]);
    let mut client = connect(&agent, no_force());
    let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
    let mut op = client.prime_op(&rmm).unwrap();
    let mut waits = Vec::new();
    let primed = loop {
        match op.step(&mut client) {
            Step::Pending { wait, .. } => waits.push(wait),
            Step::Done(r) => break r.unwrap(),
        }
    };
    let delay = Some(Duration::from_millis(10));
    assert_eq!(
        waits,
        [None, delay, delay],
        "refresh, PRIME 1, 2 (3 is done)"
    );
    primed.cancel(&mut client).unwrap();
    assert_eq!(agent.phase(), Phase::Idle);
}

#[test]
fn a_stale_or_finished_operation_sends_nothing() {
    let agent = demo(lfa_sim::Profile::TfA);
    let mut client = connect(&agent, no_force());
    let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
    let mut first = client.prime_op(&rmm).unwrap();
    let mut second = client.prime_op(&rmm).unwrap();
    agent.clear_log();
    assert_eq!(
        first.step(&mut client),
        Step::Done(Err(Error::new(ErrorDetail::StaleOperation)))
    );
    assert_eq!(agent.call_count(), 0);
    let (primed, _) = drive(&agent, || second.step(&mut client));
    let primed = primed.unwrap();
    assert_eq!(
        second.step(&mut client),
        Step::Done(Err(Error::new(ErrorDetail::StaleOperation))),
        "finished"
    );
    // Release makes the primed value stale too (and cancels it).
    let count = agent.call_count();
    client.release().unwrap();
    assert_eq!(calls(&agent)[count as usize..], [Cancel]);
    let count = agent.call_count();
    let mut activation = primed.activate_alone();
    assert_eq!(
        activation.step(&mut client),
        Step::Done(Err(Error::new(ErrorDetail::StaleOperation)))
    );
    assert_eq!(agent.call_count(), count, "nothing sent");
    assert_eq!(agent.phase(), Phase::Idle);
}

#[test]
fn an_operation_on_another_client_is_stale() {
    let agent = demo(lfa_sim::Profile::Clean);
    let mut a = connect(&agent, no_force());
    let rmm = a.find(TF_RMM.uuid).unwrap().unwrap();
    let (primed, _) = {
        let mut op = a.prime_op(&rmm).unwrap();
        drive(&agent, || op.step(&mut a))
    };
    let primed = primed.unwrap();
    let mut b = Client::discover(&agent).unwrap();
    let count = agent.call_count();
    assert_eq!(
        primed.cancel(&mut b),
        Err(Error::new(ErrorDetail::StaleOperation))
    );
    // A component value of `a` is refused by `b` too, without a call.
    let e = b.prime(&rmm).unwrap_err();
    assert!(
        matches!(e.detail(), ErrorDetail::StaleComponent { generation, current, .. }
            if generation == a.generation() && current == b.generation()),
        "{e}"
    );
    assert_ne!(a.generation(), b.generation());
    assert_eq!(agent.call_count(), count);
    drop(b);
    drop(a); // owes the CANCEL of the abandoned prime
    assert_eq!(agent.phase(), Phase::Idle);
}

#[test]
fn an_abandoned_prime_is_cancelled_before_the_next() {
    for profile in PROFILES {
        let agent = sim(profile, &[optional_slow()]);
        let mut client = connect(&agent, no_force());
        let rmm = client.find(TF_RMM.uuid).unwrap().unwrap();
        agent.clear_log();
        let mut op = client.prime_op(&rmm).unwrap();
        // Release (nothing owed, no call), refresh, one PRIME: then dropped.
        let _ = op.step(&mut client);
        let _ = op.step(&mut client);
        assert_eq!(calls(&agent), [GetInventory, Prime]);
        drop(op);
        agent.clear_log();
        let done = client.prime(&rmm).unwrap().activate_alone().unwrap();
        assert_eq!(done.prime_rounds(), 3);
        assert_eq!(
            calls(&agent)[..3],
            [Cancel, GetInventory, Prime],
            "{profile:?}: the owed CANCEL first"
        );
    }
}

#[test]
fn a_rendezvous_needs_step_with() {
    for profile in PROFILES {
        let agent = demo(profile);
        let mut client = connect(&agent, Options::DEFAULT);
        let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
        let (primed, _) = {
            let mut op = client.prime_op(&bl31).unwrap();
            drive(&agent, || op.step(&mut client))
        };
        agent.clear_log();
        let mut activation: ActivationOp = primed.unwrap().activate();
        let (e, _) = drive(&agent, || activation.step(&mut client));
        assert!(
            matches!(
                e.map_err(|e| e.detail()),
                Err(ErrorDetail::RendezvousFailed {
                    cancel: CancelOutcome::Cancelled,
                    ..
                })
            ),
            "{e:?}"
        );
        assert_eq!(calls(&agent), [Cancel], "{profile:?}: no LFA_ACTIVATE");

        // With the hook: the window is one step.
        let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
        let (primed, _) = {
            let mut op = client.prime_op(&bl31).unwrap();
            drive(&agent, || op.step(&mut client))
        };
        let mut activation = primed.unwrap().activate_with_rendezvous();
        assert_eq!(activation.next(), Some(Next::Rendezvous));
        let first = activation.step_with(&mut client, &ThreadRendezvous::new(1));
        assert_eq!(
            first,
            Step::Pending {
                next: Next::Reenumerate { read: 0 },
                wait: None
            }
        );
        loop {
            if let Step::Done(r) = activation.step_with(&mut client, &ThreadRendezvous::new(1)) {
                assert!(r.unwrap().used_rendezvous());
                break;
            }
        }
    }
}

/// A rendezvous of threads in which every CPU but the first is "reset" by
/// the firmware during its first LFA_ACTIVATE: its resume code reports
/// `CpuOutcome::after_reset`.
struct ResetAllButFirst(usize);

impl<C: Conduit + Sync + ?Sized> Rendezvous<C> for ResetAllButFirst {
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        let outcomes: Vec<CpuOutcome> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..self.0)
                .map(|cpu| {
                    s.spawn(move || {
                        if cpu == 0 {
                            job.run(conduit)
                        } else {
                            // The call "does not return": the CPU comes back
                            // at the entry point, whose code reports this.
                            let _lost = conduit.call(&job.request());
                            CpuOutcome::after_reset(1)
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for outcome in outcomes {
            collect(outcome);
        }
        Ok(())
    }
}

/// TF-A BL31, capable, pending, may reset CPUs; four CPUs online.
fn bl31_that_resets_four_cpus(profile: lfa_sim::Profile) -> Agent {
    let agent = sim(
        profile,
        &[SimComponent::new(TFA_BL31.uuid)
            .capable()
            .current(V1)
            .pending(V2)
            .may_reset_cpu()],
    );
    agent.set_online_cpus(4);
    agent
}

#[test]
fn cpu_reset_outcomes_from_resume_code_complete_the_activation() {
    let reset = CpuReset {
        entry_point: 0x4008_0000,
        context_id: 0xC0FFEE,
    };
    for profile in PROFILES {
        let agent = bl31_that_resets_four_cpus(profile);
        let mut client = connect(&agent, Options::DEFAULT.with_cpu_reset(Some(reset)));
        let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
        let done = client
            .prime(&bl31)
            .unwrap()
            .activate_with(&ResetAllButFirst(4))
            .unwrap();
        assert_eq!((done.cpus(), done.cpus_reset()), (4, 3), "{profile:?}");
        let activates = requests(&agent, Activate);
        assert_eq!(activates.len(), 4);
        for r in &activates {
            assert_eq!(
                (r.x[2], r.x[3], r.x[4]),
                (0, reset.entry_point, reset.context_id)
            );
        }
        assert!(!done.now().unwrap().is_pending(), "{profile:?}");
    }
    // A reset CPU agrees with a finished one, not with a failed one.
    assert!(CpuResult::Reset.completed() && CpuResult::Done.completed());
    assert!(!CpuResult::OutOfRounds.completed());
}

/// A rendezvous in which the firmware resets every CPU, the caller's
/// included: each sends its LFA_ACTIVATE and none returns from it. Here the
/// hook stands for the lost frames by giving up; the test then forgets the
/// client and the operation, as the reset CPU abandons its stack.
struct EveryCpuReset(usize);

impl<C: Conduit + Sync + ?Sized> Rendezvous<C> for EveryCpuReset {
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        _collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        std::thread::scope(|s| {
            for _ in 0..self.0 {
                s.spawn(move || conduit.call(&job.request()));
            }
        });
        Err(RendezvousError("every CPU was reset"))
    }
}

/// The resume code's hook: no call; `after_reset` for each CPU that came
/// back. It keeps the job it was given.
struct CameBack {
    cpus: usize,
    job: std::sync::Mutex<Option<CpuJob>>,
}

impl<C: Conduit + ?Sized> Rendezvous<C> for CameBack {
    fn run_on_every_cpu(
        &self,
        _conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        *self.job.lock().unwrap() = Some(job);
        for _ in 0..self.cpus {
            collect(CpuOutcome::after_reset(1));
        }
        Ok(())
    }
}

#[test]
fn every_cpu_reset_resumes_from_copies_of_the_client_and_the_op() {
    let reset = CpuReset {
        entry_point: 0x4008_0000,
        context_id: 0x5EED,
    };
    for profile in PROFILES {
        let agent = bl31_that_resets_four_cpus(profile);
        let mut client = connect(&agent, Options::DEFAULT.with_cpu_reset(Some(reset)));
        let bl31 = client.find(TFA_BL31.uuid).unwrap().unwrap();
        let mut op = client
            .prime(&bl31)
            .unwrap()
            .into_op()
            .activate_with_rendezvous();
        // Kept before the step that does not return.
        let (mut saved_client, mut saved_op) = (client.clone(), op.clone());
        let spare_op = op.clone();
        agent.clear_log();
        let lost = op.step_with(&mut client, &EveryCpuReset(4));
        assert!(
            matches!(
                lost,
                Step::Pending {
                    next: Next::Cancel,
                    ..
                }
            ),
            "{profile:?}: {lost:?}"
        );
        let activates = requests(&agent, Activate);
        assert_eq!(activates.len(), 4, "{profile:?}");
        for r in &activates {
            assert_eq!((r.x[3], r.x[4]), (reset.entry_point, reset.context_id));
        }
        drop(op);
        std::mem::forget(client);

        // The resume code: the copies, a hook that makes no call.
        agent.clear_log();
        let hook = CameBack {
            cpus: 4,
            job: std::sync::Mutex::new(None),
        };
        let (done, nexts) = drive(&agent, || saved_op.step_with(&mut saved_client, &hook));
        let done = done.unwrap();
        assert_eq!(
            nexts,
            [Next::Reenumerate { read: 0 }, Next::Reenumerate { read: 1 }],
            "{profile:?}"
        );
        assert_eq!(
            calls(&agent),
            listing(1),
            "{profile:?}: no ACTIVATE, no CANCEL"
        );
        let job = hook.job.lock().unwrap().unwrap();
        assert_eq!(job.request(), activates[0], "the hook saw the same job");
        assert_eq!(
            (done.cpus(), done.cpus_reset(), done.activate_rounds()),
            (4, 4, 1),
            "{profile:?}"
        );
        assert!(done.used_rendezvous());
        assert_eq!(done.before().uuid(), TFA_BL31.uuid);
        let now = done.now().unwrap();
        assert_eq!((now.uuid(), now.is_pending()), (TFA_BL31.uuid, false));
        if profile == lfa_sim::Profile::Clean {
            // (TF-A's agent reports no version for BL31.)
            assert_eq!(done.new_version(), Some(V2));
        }

        // Finished: the copy and any other copy of it are stale, no call.
        agent.clear_log();
        let before = agent.call_count();
        for mut op in [saved_op, spare_op] {
            assert_eq!(
                op.step_with(&mut saved_client, &hook),
                Step::Done(Err(Error::new(ErrorDetail::StaleOperation)))
            );
        }
        assert_eq!(agent.call_count(), before, "{profile:?}");
        // The resumed client owes the release, as after any activation.
        saved_client.release().unwrap();
        assert_eq!(agent.phase(), Phase::Idle, "{profile:?}");
    }
}

#[test]
fn sizes_of_the_state_types() {
    use std::mem::size_of;
    let primed = size_of::<Primed<'_, SimAgent>>();
    let error = size_of::<Error>();
    let component = size_of::<Component>();
    println!(
        "size_of: Primed {primed}, Error {error}, Component {component}, PrimeOp {}, PrimedOp {}, \
         ActivationOp {}, Activated {}, CpuJob {}",
        size_of::<PrimeOp>(),
        size_of::<PrimedOp>(),
        size_of::<ActivationOp>(),
        size_of::<lfa_client::Activated>(),
        size_of::<CpuJob>(),
    );
    assert!(primed <= 64, "Primed is {primed} bytes");
    assert!(component <= 48, "Component is {component} bytes");
}
