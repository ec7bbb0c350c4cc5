// SPDX-License-Identifier: MIT OR Apache-2.0
//! A bare-metal `stop_machine`: [`CpuRendezvous`] runs the client's
//! `LFA_ACTIVATE` call on every CPU of the image at once.
//!
//! CPU 0 drives the client; every other CPU sits in [`CpuRendezvous::serve`]
//! until CPU 0 hands it the client's [`CpuJob`] or says the work is over. A
//! job is run on all CPUs together: CPU 0 publishes it, runs it itself, and
//! waits for the others before it hands the outcomes to the client.
//!
//! The hook keeps the contract of [`lfa_client::Rendezvous`]: if not every
//! other CPU is waiting in `serve` within the bound, it returns an error
//! without running the job anywhere (a partial rendezvous would hang the
//! agent's holding pen). The job is an owned `Copy` value that borrows
//! nothing, so publishing it needs no `unsafe`, and if a CPU does not finish
//! within the bound CPU 0 can return an error instead of stopping the image.

use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use lfa_client::{CpuJob, CpuOutcome, Rendezvous, RendezvousError};
use lfa_smccc::Conduit;

use crate::check;
use crate::cpu::MAX_CPUS;
use crate::timer::{self, Deadline};

/// One CPU's view of the last job: its outcome and when it entered and left
/// the call (generic timer ticks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuRecord {
    /// What the CPU's `LFA_ACTIVATE` loop returned.
    pub outcome: Option<CpuOutcome>,
    /// Counter value just before the call.
    pub entered: u64,
    /// Counter value just after it.
    pub left: u64,
}

/// Runs a job on CPUs `0..cpus` at once; see the module documentation.
pub struct CpuRendezvous {
    cpus: usize,
    wait_ms: u64,
    /// Milliseconds CPU `n` waits before it calls (`n * stagger_ms`), to make
    /// the arrivals in the agent's holding pen visibly apart.
    stagger_ms: AtomicU64,
    /// Secondary CPUs waiting in `serve` for the next job.
    idle: AtomicUsize,
    /// Bumped (after `job` is set) to start a job.
    generation: AtomicUsize,
    /// Secondary CPUs done with the current job.
    done: AtomicUsize,
    /// Set when the work is over: `serve` returns.
    over: AtomicBool,
    job: spin::Mutex<Option<CpuJob>>,
    records: [spin::Mutex<CpuRecord>; MAX_CPUS],
    jobs: AtomicUsize,
}

impl CpuRendezvous {
    /// A rendezvous of CPUs `0..cpus` (at most [`MAX_CPUS`]) whose waits are
    /// bounded by `wait_ms` milliseconds each.
    #[must_use]
    pub const fn new(cpus: usize, wait_ms: u64) -> Self {
        Self {
            cpus: if cpus > MAX_CPUS { MAX_CPUS } else { cpus },
            wait_ms,
            stagger_ms: AtomicU64::new(0),
            idle: AtomicUsize::new(0),
            generation: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            over: AtomicBool::new(false),
            job: spin::Mutex::new(None),
            records: [const {
                spin::Mutex::new(CpuRecord {
                    outcome: None,
                    entered: 0,
                    left: 0,
                })
            }; MAX_CPUS],
            jobs: AtomicUsize::new(0),
        }
    }

    /// From now on CPU `n` waits `n * ms` milliseconds before it calls.
    pub fn set_stagger_ms(&self, ms: u64) {
        self.stagger_ms.store(ms, Ordering::Relaxed);
    }

    /// Jobs run so far.
    #[must_use]
    pub fn jobs(&self) -> usize {
        self.jobs.load(Ordering::Acquire)
    }

    /// What CPU `cpu` saw in the last job.
    #[must_use]
    pub fn record(&self, cpu: usize) -> CpuRecord {
        self.records.get(cpu).map(|r| *r.lock()).unwrap_or_default()
    }

    /// Secondary CPUs (`cpu` != 0): run jobs through `conduit` (the same
    /// kind of conduit as the client's) until [`end`](Self::end). Returns
    /// `false` (after a failed check) if neither a job nor the end came
    /// within the bound.
    pub fn serve<C: Conduit + ?Sized>(&self, cpu: usize, conduit: &C) -> bool {
        let mut seen = self.generation.load(Ordering::Acquire);
        loop {
            self.idle.fetch_add(1, Ordering::AcqRel);
            let deadline = Deadline::after_ms(self.wait_ms);
            loop {
                if self.over.load(Ordering::Acquire) {
                    self.idle.fetch_sub(1, Ordering::AcqRel);
                    return true;
                }
                if self.generation.load(Ordering::Acquire) != seen {
                    break;
                }
                if deadline.expired() {
                    self.idle.fetch_sub(1, Ordering::AcqRel);
                    return check!(
                        false,
                        "CPU {cpu}: a job or the end within {} ms",
                        self.wait_ms
                    );
                }
                core::hint::spin_loop();
            }
            self.idle.fetch_sub(1, Ordering::AcqRel);
            seen = self.generation.load(Ordering::Acquire);
            let job = *self.job.lock();
            if let Some(job) = job {
                self.run(cpu, job, conduit);
            }
            self.done.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// CPU 0: tells the serving CPUs the work is over.
    pub fn end(&self) {
        self.over.store(true, Ordering::Release);
    }

    /// Runs `job` on this CPU and records what happened.
    fn run<C: Conduit + ?Sized>(&self, cpu: usize, job: CpuJob, conduit: &C) {
        let stagger = self.stagger_ms.load(Ordering::Relaxed);
        if stagger > 0 {
            let until = Deadline::after_ms(stagger.saturating_mul(cpu as u64));
            while !until.expired() {
                core::hint::spin_loop();
            }
        }
        let entered = timer::ticks();
        let outcome = job.run(conduit);
        let left = timer::ticks();
        if let Some(record) = self.records.get(cpu) {
            *record.lock() = CpuRecord {
                outcome: Some(outcome),
                entered,
                left,
            };
        }
    }
}

impl<C: Conduit + ?Sized> Rendezvous<C> for CpuRendezvous {
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        let others = self.cpus.saturating_sub(1);
        let deadline = Deadline::after_ms(self.wait_ms);
        while self.idle.load(Ordering::Acquire) < others {
            if deadline.expired() {
                return Err(RendezvousError(
                    "not every CPU came to the rendezvous in time",
                ));
            }
            core::hint::spin_loop();
        }
        for record in &self.records {
            *record.lock() = CpuRecord::default();
        }
        *self.job.lock() = Some(job);
        self.done.store(0, Ordering::Release);
        self.generation.fetch_add(1, Ordering::AcqRel);

        self.run(0, job, conduit);

        let deadline = Deadline::after_ms(self.wait_ms);
        while self.done.load(Ordering::Acquire) < others {
            if deadline.expired() {
                // The job borrows nothing: giving up is safe. The client
                // cancels; the late CPU's record is not reported.
                *self.job.lock() = None;
                return Err(RendezvousError(
                    "a CPU did not finish the rendezvous job in time",
                ));
            }
            core::hint::spin_loop();
        }
        *self.job.lock() = None;
        self.jobs.fetch_add(1, Ordering::AcqRel);
        for record in self.records.iter().take(self.cpus) {
            if let Some(outcome) = record.lock().outcome {
                collect(outcome);
            }
        }
        Ok(())
    }
}
