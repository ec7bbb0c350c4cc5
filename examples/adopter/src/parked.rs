// SPDX-License-Identifier: MIT OR Apache-2.0
//! A bare-metal rendezvous hook: statics and atomics, no `unsafe`.
//!
//! One CPU drives the client; the others wait in [`ParkedCpus::park`]. The
//! hook publishes the client's [`CpuJob`] (an owned `Copy` value: nothing is
//! borrowed across CPUs), waits until every parked CPU has taken it, runs it
//! itself, and collects one [`CpuOutcome`] per CPU. A CPU that the firmware
//! resets never returns from [`CpuJob::run`]: its resume code calls
//! [`ParkedCpus::report_reset`] and parks again.
//!
//! Every wait is bounded by a number of polls given to [`ParkedCpus::new`]
//! (this crate has no clock); if not every CPU is parked within it, the hook
//! refuses without publishing the job, as the contract asks.

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

use lfa_client::{Conduit, CpuJob, CpuOutcome, Rendezvous, RendezvousError};

/// A rendezvous of the calling CPU and `N` parked CPUs (indices `0..N`).
#[derive(Debug)]
pub struct ParkedCpus<const N: usize> {
    /// The most polls of one wait.
    polls: u32,
    /// Parked CPUs waiting for a job.
    parked: AtomicUsize,
    /// Bumped (after `job` is set) to publish a job.
    posted: AtomicU32,
    /// Parked CPUs that reported an outcome for the current job.
    reported: AtomicUsize,
    job: spin::Mutex<Option<CpuJob>>,
    outcomes: [spin::Mutex<Option<CpuOutcome>>; N],
    /// Set when the work is over: `park` returns.
    over: AtomicBool,
}

impl<const N: usize> ParkedCpus<N> {
    /// A hook for `N` parked CPUs whose waits give up after `polls` polls.
    pub const fn new(polls: u32) -> Self {
        Self {
            polls,
            parked: AtomicUsize::new(0),
            posted: AtomicU32::new(0),
            reported: AtomicUsize::new(0),
            job: spin::Mutex::new(None),
            outcomes: [const { spin::Mutex::new(None) }; N],
            over: AtomicBool::new(false),
        }
    }

    /// A parked CPU (`cpu` in `0..N`): runs each published job through
    /// `conduit` until [`end`](Self::end). Returns `false` if `cpu` is out of
    /// range.
    pub fn park<C: Conduit + ?Sized>(&self, cpu: usize, conduit: &C) -> bool {
        let Some(slot) = self.outcomes.get(cpu) else {
            return false;
        };
        let mut seen = self.posted.load(Ordering::Acquire);
        self.parked.fetch_add(1, Ordering::AcqRel);
        loop {
            if self.over.load(Ordering::Acquire) {
                self.parked.fetch_sub(1, Ordering::AcqRel);
                return true;
            }
            let posted = self.posted.load(Ordering::Acquire);
            if posted == seen {
                core::hint::spin_loop();
                continue;
            }
            seen = posted;
            let job = *self.job.lock();
            if let Some(job) = job {
                self.parked.fetch_sub(1, Ordering::AcqRel);
                let outcome = job.run(conduit);
                *slot.lock() = Some(outcome);
                self.reported.fetch_add(1, Ordering::AcqRel);
                self.parked.fetch_add(1, Ordering::AcqRel);
            }
        }
    }

    /// The resume path of a CPU the firmware reset during the job (it came
    /// back at `Options::cpu_reset`'s entry point): reports its outcome, after
    /// `rounds` calls. The CPU then calls [`park`](Self::park) again.
    pub fn report_reset(&self, cpu: usize, rounds: u32) {
        if let Some(slot) = self.outcomes.get(cpu) {
            *slot.lock() = Some(CpuOutcome::after_reset(rounds));
            self.reported.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Ends the work: every parked CPU returns from `park`.
    pub fn end(&self) {
        self.over.store(true, Ordering::Release);
    }

    /// Polls `done` at most `self.polls` times.
    fn wait(&self, done: impl Fn() -> bool) -> bool {
        for _ in 0..self.polls {
            if done() {
                return true;
            }
            core::hint::spin_loop();
        }
        done()
    }
}

impl<C: Conduit + ?Sized, const N: usize> Rendezvous<C> for ParkedCpus<N> {
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        if !self.wait(|| self.parked.load(Ordering::Acquire) >= N) {
            return Err(RendezvousError("not every CPU is parked"));
        }
        for slot in &self.outcomes {
            *slot.lock() = None;
        }
        self.reported.store(0, Ordering::Release);
        *self.job.lock() = Some(job);
        self.posted.fetch_add(1, Ordering::AcqRel);
        let mine = job.run(conduit);
        // The job borrows nothing: giving up on a late CPU is safe.
        let all = self.wait(|| self.reported.load(Ordering::Acquire) >= N);
        *self.job.lock() = None;
        if !all {
            return Err(RendezvousError("a CPU did not report in time"));
        }
        collect(mine);
        for slot in &self.outcomes {
            if let Some(outcome) = *slot.lock() {
                collect(outcome);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use lfa_client::{ActivateFlags, ActivateRequest, CpuResult, Regs, SeqId};

    use super::*;

    /// Answers every call "done" and counts the calls.
    struct Done(AtomicUsize);
    impl Conduit for Done {
        fn call(&self, _: &Regs) -> Regs {
            self.0.fetch_add(1, Ordering::AcqRel);
            Regs::ZERO
        }
    }

    fn job() -> CpuJob {
        CpuJob::new(
            ActivateRequest {
                seq_id: SeqId(2),
                flags: ActivateFlags::empty(),
                entry_point: 0,
                context_id: 0,
            },
            5,
        )
    }

    static HOOK: ParkedCpus<3> = ParkedCpus::new(1 << 26);

    #[test]
    fn parked_cpus_pick_the_job_up_and_report() {
        let agent = Done(AtomicUsize::new(0));
        std::thread::scope(|s| {
            for cpu in 0..3 {
                let agent = &agent;
                s.spawn(move || assert!(HOOK.park(cpu, agent)));
            }
            let mut outcomes = Vec::new();
            HOOK.run_on_every_cpu(&agent, job(), &mut |o| outcomes.push(o))
                .unwrap();
            assert_eq!(outcomes.len(), 4);
            assert!(outcomes.iter().all(|o| o.result() == CpuResult::Done));
            HOOK.end();
        });
        assert_eq!(agent.0.load(Ordering::Acquire), 4, "one call per CPU");
    }

    #[test]
    fn without_every_cpu_nothing_is_sent() {
        let hook = ParkedCpus::<2>::new(1000);
        let agent = Done(AtomicUsize::new(0));
        let result = hook.run_on_every_cpu(&agent, job(), &mut |_| {});
        assert_eq!(result, Err(RendezvousError("not every CPU is parked")));
        assert_eq!(agent.0.load(Ordering::Acquire), 0);
    }

    #[test]
    fn reset_cpus_report_from_resume_code() {
        let hook = ParkedCpus::<1>::new(1 << 26);
        let agent = Done(AtomicUsize::new(0));
        // A parked CPU that "resets": it never runs the job; its resume code
        // reports instead.
        hook.parked.store(1, Ordering::Release);
        std::thread::scope(|s| {
            s.spawn(|| {
                while hook.job.lock().is_none() {
                    core::hint::spin_loop();
                }
                hook.report_reset(0, 1);
            });
            let mut outcomes = Vec::new();
            hook.run_on_every_cpu(&agent, job(), &mut |o| outcomes.push(o))
                .unwrap();
            assert_eq!(
                outcomes.iter().map(|o| o.result()).collect::<Vec<_>>(),
                [CpuResult::Done, CpuResult::Reset]
            );
        });
    }
}
