// SPDX-License-Identifier: MIT OR Apache-2.0
//! A rendezvous hook for hosted programs and tests: one std thread per "CPU".

use std::sync::{Condvar, Mutex, PoisonError};
use std::vec::Vec;

use lfa_smccc::Conduit;

use crate::{CpuJob, CpuOutcome, Rendezvous, RendezvousError};

/// Runs the job on `cpus` scoped std threads that start it together (a
/// gate), then reports their results in thread order. (Only with the `std`
/// feature.)
///
/// This is the hook for a simulated agent, which plays the part of
/// several CPUs when several threads call it at once. It is not a real
/// rendezvous of physical CPUs: on hardware, use your kernel's equivalent of
/// `stop_machine`, and read the [`Rendezvous`] contract.
///
/// The hook allocates (starting threads does); the [`CpuJob`] that each
/// thread runs does not.
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadRendezvous {
    cpus: usize,
}

impl ThreadRendezvous {
    /// A hook that plays `cpus` CPUs.
    #[must_use]
    pub const fn new(cpus: usize) -> Self {
        Self { cpus }
    }

    /// How many CPUs it plays.
    #[must_use]
    pub const fn cpus(&self) -> usize {
        self.cpus
    }
}

impl<C: Conduit + Sync + ?Sized> Rendezvous<C> for ThreadRendezvous {
    /// Starts every thread first, each waiting at a gate; opens the gate only
    /// when all have started, so a thread that fails to start means no thread
    /// calls at all (the contract's "all or none").
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        if self.cpus == 0 {
            return Err(RendezvousError("ThreadRendezvous with zero CPUs"));
        }
        let gate = Gate::default();
        let results: Vec<Option<CpuOutcome>> = std::thread::scope(|scope| {
            let mut handles = Vec::with_capacity(self.cpus);
            for _ in 0..self.cpus {
                let started = std::thread::Builder::new()
                    .spawn_scoped(scope, || gate.wait().then(|| job.run(conduit)));
                match started {
                    Ok(handle) => handles.push(handle),
                    Err(_) => {
                        gate.open(false);
                        return Vec::new();
                    }
                }
            }
            gate.open(true);
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        if results.len() != self.cpus {
            return Err(RendezvousError("could not start a thread for every CPU"));
        }
        for result in results {
            collect(result.ok_or(RendezvousError("a rendezvous thread panicked"))?);
        }
        Ok(())
    }
}

/// Holds threads until every one has started: `Some(true)` go, `Some(false)`
/// give up.
#[derive(Default)]
struct Gate {
    state: Mutex<Option<bool>>,
    changed: Condvar,
}

impl Gate {
    fn open(&self, go: bool) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = Some(go);
        self.changed.notify_all();
    }

    fn wait(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(go) = *state {
                return go;
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}
