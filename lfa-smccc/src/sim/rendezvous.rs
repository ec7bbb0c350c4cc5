//! The holding pen of a rendezvous activation: CPUs that called ACTIVATE wait
//! here, outside the agent's lock, until the last one arrives (or a CANCEL
//! releases them, or their spin budget runs out).
//!
//! Only plain atomic loads and stores are used here; the generation is
//! changed only with the agent's lock held. (The lock itself, a
//! `spin::Mutex`, needs working exclusives or LSE atomics: on AArch64 bare
//! metal, memory must be Normal cacheable, i.e. the MMU on.)

use core::sync::atomic::{AtomicU32, Ordering};

use super::state::Reply;

/// How many past rounds keep their outcome for CPUs that are slow to leave
/// the pen. A round cannot resolve without every online CPU, so one CPU can
/// miss at most rounds resolved by CANCEL; 8 is far more than enough.
const HISTORY: usize = 8;

/// The default spin budget of a CPU waiting in the pen.
pub const DEFAULT_SPIN_BUDGET: u64 = 1 << 26;

/// The round counter CPUs in the pen watch.
#[derive(Debug)]
pub(crate) struct Pen {
    generation: AtomicU32,
}

impl Pen {
    pub(crate) const fn new() -> Self {
        Self {
            generation: AtomicU32::new(0),
        }
    }

    /// The round now gathering.
    pub(crate) fn generation(&self) -> u32 {
        self.generation.load(Ordering::Acquire)
    }

    /// Ends the round now gathering; its outcome must be stored first. Call
    /// only with the agent's lock held (so there is a single writer).
    pub(crate) fn release(&self) {
        let next = self.generation.load(Ordering::Relaxed).wrapping_add(1);
        self.generation.store(next, Ordering::Release);
    }

    /// Spins until round `generation` ends or `budget` spins have passed;
    /// returns whether it ended. `relax` runs after every spin.
    pub(crate) fn wait(&self, generation: u32, budget: u64, relax: Option<fn()>) -> bool {
        let mut spins = 0_u64;
        while spins < budget {
            if self.generation() != generation {
                return true;
            }
            core::hint::spin_loop();
            if let Some(relax) = relax {
                relax();
            }
            spins += 1;
        }
        self.generation() != generation
    }
}

/// How a round of the pen ended, for the CPUs that waited in it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RoundOutcome {
    /// Every waiting CPU returns this.
    Released(Reply),
    /// The round was abandoned (CANCEL without a cancel hook): the waiting
    /// CPUs would spin forever.
    Stuck,
}

/// The outcomes of the last few rounds, keyed by generation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcomes {
    slots: [Option<(u32, RoundOutcome)>; HISTORY],
    next: usize,
}

impl Outcomes {
    pub(crate) const fn new() -> Self {
        Self {
            slots: [None; HISTORY],
            next: 0,
        }
    }

    pub(crate) fn push(&mut self, generation: u32, outcome: RoundOutcome) {
        if let Some(slot) = self.slots.get_mut(self.next) {
            *slot = Some((generation, outcome));
        }
        self.next = (self.next + 1) % HISTORY;
    }

    pub(crate) fn find(&self, generation: u32) -> Option<RoundOutcome> {
        self.slots
            .iter()
            .flatten()
            .find(|(g, _)| *g == generation)
            .map(|&(_, outcome)| outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_reports_a_release_and_a_timeout() {
        let pen = Pen::new();
        let g = pen.generation();
        assert!(!pen.wait(g, 100, None), "nothing released: budget runs out");
        pen.release();
        assert!(pen.wait(g, 0, None), "already released");
        assert_eq!(pen.generation(), g.wrapping_add(1));
    }

    #[test]
    fn outcomes_keep_the_last_rounds() {
        let mut o = Outcomes::new();
        let history = u32::try_from(HISTORY).unwrap();
        for g in 0..history + 2 {
            o.push(g, RoundOutcome::Stuck);
        }
        assert!(o.find(0).is_none() && o.find(1).is_none());
        assert!(matches!(o.find(2), Some(RoundOutcome::Stuck)));
        assert!(o.find(history + 1).is_some());
    }
}
