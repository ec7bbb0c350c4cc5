// SPDX-License-Identifier: MIT OR Apache-2.0
//! Secondary CPUs: started with PSCI `CPU_ON`, then idle until the boot CPU
//! gives them a job.
//!
//! A job is either a *raw* `LFA_ACTIVATE` (registers owned by the job,
//! repeated while the agent says CALL_AGAIN, bounded), or the client's
//! [`CpuJob`] of a rendezvous ([`Rendezvous`] for `lfa-client`). Neither
//! borrows anything, so no `unsafe` is needed to hand one to a secondary.
//! The boot CPU may give up waiting for a raw job (a CPU stuck in the
//! agent's holding pen) and go on; such a CPU is *lost*, as is one that
//! `CPU_ON` accepted but that never arrived, and no later rendezvous is
//! attempted ([`Cpus::rendezvous_blocker`]). The client's rendezvous waits
//! for every CPU, and if one never returns the image stops with a failure
//! (see `run_on_every_cpu`).

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use lfa_client::{CpuJob, CpuOutcome, Rendezvous, RendezvousError};
use lfa_proto::regs::as_signed;
use lfa_proto::{ProgressFlags, Regs};
use lfa_smccc::Conduit;

use crate::probe::PROBE;
use crate::time::Deadline;
use crate::{exit, mmu, psci};

/// Logical CPUs with a stack (boot.S and link.ld.in agree).
pub const MAX_CPUS: usize = 8;

unsafe extern "C" {
    /// Where `CPU_ON` starts a secondary (boot.S), x0 = its logical index.
    fn lfac_secondary_entry();
}

/// What a secondary is asked to do.
#[derive(Clone, Copy)]
enum Job {
    /// `LFA_ACTIVATE` with these registers until CALL_AGAIN is clear or an
    /// error, at most `rounds` calls.
    Raw { args: Regs, rounds: u32 },
    /// The client's per-CPU job, run through [`PROBE`].
    Client(CpuJob),
}

/// What a raw job ended with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawResult {
    /// The last registers returned.
    pub regs: Regs,
    /// Calls made.
    pub rounds: u32,
}

impl RawResult {
    /// x0 as a status.
    #[must_use]
    pub fn status(&self) -> i64 {
        as_signed(self.regs.x[0])
    }
}

/// One CPU's mailbox.
struct Slot {
    mpidr: AtomicU64,
    /// `CPU_ON` accepted: the firmware counts it as on, arrived or not.
    started: AtomicBool,
    /// Started and running `secondary`.
    arrived: AtomicBool,
    /// Gave up on (stuck in firmware): never used again.
    lost: AtomicBool,
    /// Bumped by the boot CPU to start a job.
    posted: AtomicU32,
    /// Set to `posted` by the CPU when the job is done.
    done: AtomicU32,
    /// Set by the CPU just before its first call of the current job.
    calling: AtomicBool,
    job: spin::Mutex<Option<Job>>,
    raw: spin::Mutex<RawResult>,
    outcome: spin::Mutex<Option<CpuOutcome>>,
}

impl Slot {
    const fn new() -> Self {
        Self {
            mpidr: AtomicU64::new(0),
            started: AtomicBool::new(false),
            arrived: AtomicBool::new(false),
            lost: AtomicBool::new(false),
            posted: AtomicU32::new(0),
            done: AtomicU32::new(0),
            calling: AtomicBool::new(false),
            job: spin::Mutex::new(None),
            raw: spin::Mutex::new(RawResult {
                regs: Regs::ZERO,
                rounds: 0,
            }),
            outcome: spin::Mutex::new(None),
        }
    }

    fn usable(&self) -> bool {
        self.arrived.load(Ordering::Acquire) && !self.lost.load(Ordering::Acquire)
    }

    fn idle(&self) -> bool {
        self.done.load(Ordering::Acquire) == self.posted.load(Ordering::Acquire)
    }
}

/// The image's CPUs. Index 0 is the boot CPU.
pub struct Cpus {
    slots: [Slot; MAX_CPUS],
    /// Bound of every wait for a secondary (ms).
    wait_ms: AtomicU64,
}

/// The image's CPUs.
pub static CPUS: Cpus = Cpus {
    slots: [const { Slot::new() }; MAX_CPUS],
    wait_ms: AtomicU64::new(2000),
};

/// A CPU that keeps a rendezvous from starting (see
/// [`Cpus::rendezvous_blocker`]).
#[derive(Clone, Copy, Debug)]
pub struct Blocker {
    /// Its logical index.
    pub cpu: usize,
    /// The MPIDR it was started with.
    pub mpidr: u64,
    /// Whether it ever arrived (then it was given up on in the firmware).
    pub arrived: bool,
}

impl core::fmt::Display for Blocker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.arrived {
            write!(
                f,
                "CPU {} (MPIDR {:#x}) is lost: it did not come back from the firmware in time, and the firmware still counts it",
                self.cpu, self.mpidr
            )
        } else {
            write!(
                f,
                "CPU {} (MPIDR {:#x}) is lost: CPU_ON accepted it but it never arrived, and the firmware counts it as on (a rendezvous would wait for it forever)",
                self.cpu, self.mpidr
            )
        }
    }
}

/// How starting the secondaries went.
#[derive(Clone, Copy, Debug, Default)]
pub struct Started {
    /// CPUs running now, the boot CPU included.
    pub running: usize,
    /// `CPU_ON` calls that returned SUCCESS but whose CPU never arrived.
    pub missing: usize,
    /// The status that ended the sweep (0 if the list or the bound ended it).
    pub last_status: i64,
}

impl Cpus {
    /// Sets the bound of waits for secondaries.
    pub fn set_wait_ms(&self, ms: u64) {
        self.wait_ms.store(ms, Ordering::Release);
    }

    fn wait_ms(&self) -> u64 {
        self.wait_ms.load(Ordering::Acquire)
    }

    /// CPUs that can take part in a rendezvous: the boot CPU and every
    /// secondary that arrived and is not lost.
    #[must_use]
    pub fn usable(&self) -> usize {
        self.slots.iter().skip(1).filter(|s| s.usable()).count() + 1
    }

    /// CPUs the firmware considers on: the boot CPU and every CPU that
    /// `CPU_ON` accepted, whether it arrived or not (the firmware counts a
    /// CPU that never arrives too, and waits for it in a rendezvous).
    #[must_use]
    pub fn running(&self) -> usize {
        self.slots
            .iter()
            .skip(1)
            .filter(|s| s.started.load(Ordering::Acquire))
            .count()
            + 1
    }

    /// Why a rendezvous (raw or through the client) must not start: the
    /// first CPU that `CPU_ON` accepted and that never arrived, or that was
    /// given up on in the firmware. `None` when every started CPU is usable.
    #[must_use]
    pub fn rendezvous_blocker(&self) -> Option<Blocker> {
        self.slots.iter().enumerate().skip(1).find_map(|(cpu, s)| {
            if !s.started.load(Ordering::Acquire) {
                return None;
            }
            let mpidr = s.mpidr.load(Ordering::Acquire);
            if !s.arrived.load(Ordering::Acquire) {
                Some(Blocker {
                    cpu,
                    mpidr,
                    arrived: false,
                })
            } else if s.lost.load(Ordering::Acquire) {
                Some(Blocker {
                    cpu,
                    mpidr,
                    arrived: true,
                })
            } else {
                None
            }
        })
    }

    /// Whether a CPU was given up on.
    #[must_use]
    pub fn any_lost(&self) -> bool {
        self.slots.iter().any(|s| s.lost.load(Ordering::Acquire))
    }

    /// Starts the secondaries `mpidrs` with `CPU_ON`, in order, waiting up
    /// to `wait-ms` for each to arrive. With `stop_at_absent` (a sweep that
    /// guessed the MPIDRs) the first `INVALID_PARAMETERS` or `NOT_PRESENT`
    /// ends it.
    pub fn start(&self, mpidrs: &[u64], stop_at_absent: bool) -> Started {
        let conduit: &dyn Conduit = &PROBE;
        let entry = lfac_secondary_entry as *const () as usize as u64;
        let mut started = Started {
            running: 1,
            ..Started::default()
        };
        let mut next_index = 1_usize;
        for &mpidr in mpidrs {
            let Some(slot) = self.slots.get(next_index) else {
                break;
            };
            let context = u64::try_from(next_index).unwrap_or(0);
            let status = psci::cpu_on(conduit, mpidr, entry, context);
            if status != 0 {
                started.last_status = status;
                let absent = status == psci::INVALID_PARAMETERS || status == psci::NOT_PRESENT;
                if absent && stop_at_absent {
                    break;
                }
                continue;
            }
            slot.mpidr.store(mpidr, Ordering::Release);
            slot.started.store(true, Ordering::Release);
            next_index += 1;
            let deadline = Deadline::after_ms(self.wait_ms());
            while !slot.arrived.load(Ordering::Acquire) && !deadline.expired() {
                core::hint::spin_loop();
            }
            if slot.arrived.load(Ordering::Acquire) {
                started.running += 1;
            } else {
                // Lost for good: its slot stays reserved (it may still turn
                // up), and no rendezvous starts while it is (see
                // `rendezvous_blocker`).
                slot.lost.store(true, Ordering::Release);
                started.missing += 1;
            }
        }
        started
    }

    /// Gives CPU `cpu` (a usable secondary) a raw `LFA_ACTIVATE` job;
    /// `false` if it cannot take one now.
    pub fn post_raw(&self, cpu: usize, args: Regs, rounds: u32) -> bool {
        let Some(slot) = self.slots.get(cpu).filter(|s| s.usable() && s.idle()) else {
            return false;
        };
        slot.calling.store(false, Ordering::Release);
        *slot.job.lock() = Some(Job::Raw { args, rounds });
        slot.posted.fetch_add(1, Ordering::AcqRel);
        true
    }

    /// Whether CPU `cpu` has started the calls of its current job.
    #[must_use]
    pub fn calling(&self, cpu: usize) -> bool {
        self.slots
            .get(cpu)
            .is_some_and(|s| s.calling.load(Ordering::Acquire))
    }

    /// Whether CPU `cpu` has finished its current job.
    #[must_use]
    pub fn finished(&self, cpu: usize) -> bool {
        self.slots.get(cpu).is_some_and(Slot::idle)
    }

    /// Waits up to `ms` for CPU `cpu`'s raw job; its result, or `None` (then
    /// the CPU is marked lost).
    pub fn wait_raw(&self, cpu: usize, ms: u64) -> Option<RawResult> {
        let slot = self.slots.get(cpu)?;
        let deadline = Deadline::after_ms(ms);
        while !slot.idle() {
            if deadline.expired() {
                slot.lost.store(true, Ordering::Release);
                return None;
            }
            core::hint::spin_loop();
        }
        Some(*slot.raw.lock())
    }

    /// Runs a raw `LFA_ACTIVATE` on every usable CPU at once (the boot CPU
    /// too) and returns each CPU's result (`None`: did not finish within the
    /// bound, now lost; or not usable). Refuses, with the reason and
    /// without a call, while a started CPU is lost
    /// ([`rendezvous_blocker`](Self::rendezvous_blocker)): the firmware
    /// would wait for it.
    pub fn raw_rendezvous(
        &self,
        args: Regs,
        rounds: u32,
    ) -> Result<[Option<RawResult>; MAX_CPUS], Blocker> {
        if let Some(blocker) = self.rendezvous_blocker() {
            return Err(blocker);
        }
        let mut results = [None; MAX_CPUS];
        let mut posted = [false; MAX_CPUS];
        for (cpu, flag) in posted.iter_mut().enumerate().skip(1) {
            *flag = self.post_raw(cpu, args, rounds);
        }
        if let Some(first) = results.first_mut() {
            *first = Some(raw_activate(&args, rounds, None));
        }
        let wait = self.wait_ms();
        for (cpu, (result, was_posted)) in results.iter_mut().zip(posted).enumerate().skip(1) {
            if was_posted {
                *result = self.wait_raw(cpu, wait);
            }
        }
        Ok(results)
    }
}

/// `LFA_ACTIVATE` with `args` until CALL_AGAIN is clear or an error, at most
/// `rounds` calls; sets `calling` before the first call.
fn raw_activate(args: &Regs, rounds: u32, calling: Option<&AtomicBool>) -> RawResult {
    if let Some(flag) = calling {
        flag.store(true, Ordering::Release);
    }
    let mut result = RawResult::default();
    while result.rounds < rounds.max(1) {
        result.regs = PROBE.call(args);
        result.rounds += 1;
        let again = ProgressFlags::from_bits_retain(result.regs.x[1]).call_again();
        if result.status() != 0 || !again {
            break;
        }
    }
    result
}

impl<C: Conduit + ?Sized> Rendezvous<C> for Cpus {
    /// Runs the client's job on the boot CPU (through `conduit`) and every
    /// secondary (through [`PROBE`]). Refuses (nothing run) if a CPU is lost
    /// or not idle within the bound; once the job is out, waits for every
    /// CPU, and stops the image with a failure if one never returns.
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        if self.any_lost() || self.rendezvous_blocker().is_some() {
            return Err(RendezvousError(
                "a CPU that the firmware counts as on is lost (never arrived, or stuck in the firmware): it cannot join",
            ));
        }
        let deadline = Deadline::after_ms(self.wait_ms());
        while !self.slots.iter().skip(1).all(|s| !s.usable() || s.idle()) {
            if deadline.expired() {
                return Err(RendezvousError("a CPU did not become idle in time"));
            }
            core::hint::spin_loop();
        }
        let mut posted = [false; MAX_CPUS];
        for (slot, flag) in self.slots.iter().zip(posted.iter_mut()).skip(1) {
            if slot.usable() {
                *slot.outcome.lock() = None;
                *slot.job.lock() = Some(Job::Client(job));
                slot.posted.fetch_add(1, Ordering::AcqRel);
                *flag = true;
            }
        }
        let mine = job.run(conduit);
        let deadline = Deadline::after_ms(self.wait_ms());
        for (cpu, (slot, was_posted)) in self.slots.iter().zip(posted).enumerate() {
            if !was_posted {
                continue;
            }
            while !slot.idle() {
                if deadline.expired() {
                    crate::println!(
                        "FAIL: CPU {cpu} did not return from LFA_ACTIVATE within {} ms; stopping",
                        self.wait_ms()
                    );
                    exit::finish_now(false);
                }
                core::hint::spin_loop();
            }
            *slot.job.lock() = None;
        }
        collect(mine);
        for (slot, was_posted) in self.slots.iter().zip(posted) {
            if was_posted {
                if let Some(outcome) = *slot.outcome.lock() {
                    collect(outcome);
                }
            }
        }
        Ok(())
    }
}

/// A secondary, from boot.S through `lfac_start`: serve jobs forever.
pub fn secondary(cpu: usize, el: u64) -> ! {
    mmu::enable(el);
    crate::install_vectors(el);
    let Some(slot) = CPUS.slots.get(cpu) else {
        crate::hang()
    };
    slot.arrived.store(true, Ordering::Release);
    let mut seen = slot.posted.load(Ordering::Acquire);
    loop {
        // Idle: nothing to wait on but the boot CPU, which ends the run.
        while slot.posted.load(Ordering::Acquire) == seen {
            core::hint::spin_loop();
        }
        seen = slot.posted.load(Ordering::Acquire);
        let job = *slot.job.lock();
        match job {
            Some(Job::Raw { args, rounds }) => {
                let result = raw_activate(&args, rounds, Some(&slot.calling));
                *slot.raw.lock() = result;
            }
            Some(Job::Client(job)) => {
                slot.calling.store(true, Ordering::Release);
                let outcome = job.run(&PROBE);
                *slot.outcome.lock() = Some(outcome);
            }
            None => {}
        }
        slot.done.store(seen, Ordering::Release);
    }
}
