// SPDX-License-Identifier: MIT OR Apache-2.0
//! CPUs: their index, their stacks, parking, and a bounded barrier.

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::timer::Deadline;

/// CPUs with a stack (MPIDR.Aff0 0..3); higher ones never leave `_start`.
pub const MAX_CPUS: usize = 4;
/// Bytes of each stack; one per CPU and exception level (EL3, EL2, EL1).
/// Must match `boot.S` and `link.ld`.
pub const STACK_SIZE: usize = 0x1_0000;

unsafe extern "C" {
    /// Start of the stacks area (`link.ld`).
    static __stacks_start: u8;
    /// Parks the calling CPU for good (`boot.S`).
    fn lfa_qemu_park() -> !;
}

/// This CPU's index: MPIDR_EL1.Aff0 (QEMU `virt` numbers CPUs 0, 1, ...).
#[must_use]
pub fn index() -> usize {
    let mpidr: u64;
    // SAFETY: Reading MPIDR_EL1 has no side effects and is allowed at EL1 and
    // above (at NS-EL1 it reads VMPIDR_EL2, which the boot code sets to the
    // real value).
    unsafe { asm!("mrs {}, mpidr_el1", out(reg) mpidr, options(nomem, nostack, preserves_flags)) };
    let [aff0, ..] = mpidr.to_le_bytes();
    usize::from(aff0)
}

/// The initial stack pointer for `cpu` at `el` (the same arithmetic as
/// `boot.S`): slot `cpu * 3 + (3 - el)`, growing down from the slot's end.
#[must_use]
pub fn stack_top(cpu: usize, el: u64) -> u64 {
    let level_slot = match el {
        3 => 0,
        2 => 1,
        _ => 2,
    };
    let slot = cpu.min(MAX_CPUS - 1) * 3 + level_slot;
    let base = (&raw const __stacks_start) as usize;
    // Bounded by MAX_CPUS * 3 slots of STACK_SIZE: no overflow.
    (base + (slot + 1) * STACK_SIZE) as u64
}

/// Stops this CPU for good (`wfi` in a loop, with interrupts masked).
pub fn park() -> ! {
    // SAFETY: `lfa_qemu_park` is an assembly loop around `wfi` that touches
    // no memory and never returns.
    unsafe { lfa_qemu_park() }
}

/// A reusable barrier for a fixed number of CPUs whose wait is bounded.
///
/// ```ignore
/// static ALL: Barrier = Barrier::new(4);
/// ALL.wait(1_000).expect("all four CPUs within 1 s");
/// ```
pub struct Barrier {
    cpus: usize,
    arrived: AtomicUsize,
    round: AtomicUsize,
}

/// The barrier's wait ran out: `arrived` of the CPUs had come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierTimeout {
    /// CPUs that had arrived when the time ran out.
    pub arrived: usize,
}

impl Barrier {
    /// A barrier for `cpus` CPUs.
    #[must_use]
    pub const fn new(cpus: usize) -> Self {
        Self {
            cpus,
            arrived: AtomicUsize::new(0),
            round: AtomicUsize::new(0),
        }
    }

    /// Waits until all CPUs have called `wait` for this round, for at most
    /// `limit_ms` milliseconds.
    ///
    /// # Errors
    ///
    /// [`BarrierTimeout`] if the time ran out; the barrier is then unusable.
    pub fn wait(&self, limit_ms: u64) -> Result<(), BarrierTimeout> {
        let round = self.round.load(Ordering::Acquire);
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.cpus {
            self.arrived.store(0, Ordering::Relaxed);
            self.round.fetch_add(1, Ordering::AcqRel);
            return Ok(());
        }
        let deadline = Deadline::after_ms(limit_ms);
        while self.round.load(Ordering::Acquire) == round {
            if deadline.expired() {
                return Err(BarrierTimeout {
                    arrived: self.arrived.load(Ordering::Acquire),
                });
            }
            core::hint::spin_loop();
        }
        Ok(())
    }
}
