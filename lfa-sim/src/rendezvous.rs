// SPDX-License-Identifier: MIT OR Apache-2.0
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

/// How many ended rounds keep their outcome while CPUs that waited in them
/// have not read it yet. A slot is free again once every waiting CPU of its
/// round has read it, so 8 slots are exceeded only by 8 rounds that each
/// still have a CPU slow to leave; then the oldest is overwritten and its
/// late CPU reports a hang.
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

/// The outcomes of ended rounds, keyed by generation, each kept until every
/// CPU that waited in its round has read it (a CPU may be slow to leave the
/// pen while other CPUs complete any number of later rounds).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcomes {
    slots: [Option<Slot>; HISTORY],
}

/// One ended round.
#[derive(Clone, Copy, Debug)]
struct Slot {
    generation: u32,
    /// What every waiting CPU of the round returns.
    outcome: Reply,
    /// Waiting CPUs that have not read the outcome yet.
    unread: u32,
}

impl Outcomes {
    pub(crate) const fn new() -> Self {
        Self {
            slots: [None; HISTORY],
        }
    }

    /// Keeps the outcome of round `generation` for its `readers` waiting
    /// CPUs, in a free slot, or else over the oldest round's.
    pub(crate) fn push(&mut self, generation: u32, outcome: Reply, readers: u32) {
        let slot = Slot {
            generation,
            outcome,
            unread: readers,
        };
        let free = self
            .slots
            .iter()
            .position(|s| !s.is_some_and(|s| s.unread > 0));
        let oldest = self
            .slots
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| s.map_or(0, |s| generation.wrapping_sub(s.generation)))
            .map(|(i, _)| i);
        if let Some(target) = free.or(oldest).and_then(|i| self.slots.get_mut(i)) {
            *target = Some(slot);
        }
    }

    /// The outcome of round `generation`, read by one of its waiting CPUs.
    pub(crate) fn take(&mut self, generation: u32) -> Option<Reply> {
        let slot = self
            .slots
            .iter_mut()
            .flatten()
            .find(|s| s.generation == generation && s.unread > 0)?;
        slot.unread = slot.unread.saturating_sub(1);
        Some(slot.outcome)
    }

    /// CPUs released from ended rounds that have not left the pen yet.
    pub(crate) fn unread(&self) -> u32 {
        self.slots
            .iter()
            .flatten()
            .fold(0, |n, s| n.saturating_add(s.unread))
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
    fn outcomes_stay_until_every_waiting_cpu_has_read_them() {
        let mut o = Outcomes::new();
        // Round 0 has one slow reader; many later rounds are read at once.
        o.push(0, Reply::Hang, 1);
        for g in 1..100 {
            o.push(g, Reply::Hang, 2);
            assert!(o.take(g).is_some() && o.take(g).is_some());
            assert!(o.take(g).is_none(), "only two readers");
        }
        assert_eq!(o.unread(), 1, "round 0's reader");
        assert!(matches!(o.take(0), Some(Reply::Hang)));
        assert_eq!(o.unread(), 0);
        assert!(o.take(0).is_none());
    }

    #[test]
    fn outcomes_overwrite_the_oldest_when_every_slot_is_unread() {
        let mut o = Outcomes::new();
        let history = u32::try_from(HISTORY).unwrap();
        for g in 0..=history {
            o.push(g, Reply::Hang, 1);
        }
        assert!(o.take(0).is_none(), "round 0 was the oldest");
        for g in 1..=history {
            assert!(o.take(g).is_some(), "round {g}");
        }
    }
}
