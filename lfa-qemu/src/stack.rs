// SPDX-License-Identifier: MIT OR Apache-2.0
//! Stack high-water marks by painting: [`measure`] fills the free stack
//! below the caller's stack pointer with a pattern, runs a closure, and
//! finds the lowest word that is no longer the pattern. Target-faithful (the
//! code measured is the image's own, at its own EL) and needs no nightly
//! compiler; the cost report (`scripts/cost-report.sh`) prints the figures.

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::cpu::{self, MAX_CPUS, STACK_SIZE};
use crate::exception_level;

/// What the free stack is painted with.
const PATTERN: u64 = 0x57AC_C0DE_57AC_C0DE;

/// Runs `f` and returns its result and the bytes of stack it used below the
/// caller's stack pointer (its frames and those of everything it called),
/// or `None` when it used all of the `paint` bytes painted (the figure
/// could not be measured: paint more).
///
/// `f` runs through a trampoline that is never inlined, so that its frames
/// cannot merge into the caller's (unmeasured) frame; the trampoline's own
/// frame record (16 bytes) is part of the figure. `paint` is clamped to the
/// free part of this CPU's stack for the current EL. Nothing else may run
/// on this stack meanwhile (no interrupts are taken on these images'
/// stacks).
#[inline(always)]
pub fn measure<R>(paint: usize, f: impl FnOnce() -> R) -> (R, Option<usize>) {
    let top: usize;
    // SAFETY: Reads SP into a register; no memory access.
    unsafe { asm!("mov {}, sp", out(reg) top, options(nomem, nostack, preserves_flags)) };
    let base = usize::try_from(cpu::stack_top(cpu::index(), exception_level::current()))
        .unwrap_or(0)
        .saturating_sub(STACK_SIZE);
    // Word-aligned, inside [base, top): the free part of this CPU's stack.
    let low = top.saturating_sub(paint).max(base).next_multiple_of(8);
    if low < top {
        // SAFETY: Writes the pattern to [low, top): below SP (memory no live
        // frame uses on AArch64, which has no red zone in this target) and
        // at or above the base of this CPU's stack for this EL (`base`, as
        // boot.S lays the stacks out), so it stays inside `.stacks`. SP is
        // not moved.
        unsafe {
            asm!(
                "2:",
                "str {pattern}, [{p}, #-8]!",
                "cmp {p}, {low}",
                "b.hi 2b",
                p = inout(reg) top => _,
                low = in(reg) low,
                pattern = in(reg) PATTERN,
                options(nostack),
            );
        }
    }
    let result = trampoline(f);
    let first_used: usize;
    // SAFETY: Reads words of [low, top) (painted above, inside this CPU's
    // stack) from the bottom up until one is not the pattern; no writes.
    unsafe {
        asm!(
            "2:",
            "cmp {p}, {top}",
            "b.hs 3f",
            "ldr {t}, [{p}]",
            "cmp {t}, {pattern}",
            "b.ne 3f",
            "add {p}, {p}, #8",
            "b 2b",
            "3:",
            p = inout(reg) low => first_used,
            top = in(reg) top,
            t = out(reg) _,
            pattern = in(reg) PATTERN,
            options(nostack, readonly),
        );
    }
    let used = top.saturating_sub(first_used);
    (result, (first_used > low).then_some(used))
}

/// Calls `f` in a frame of its own below the measuring caller's.
#[inline(never)]
fn trampoline<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// The stack pointer where this is inlined.
#[inline(always)]
#[must_use]
pub fn sp() -> usize {
    let sp: usize;
    // SAFETY: Reads SP into a register; no memory access.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// Per CPU, the lowest stack pointer [`note_depth`] saw since
/// [`take_lowest`].
static LOWEST: [AtomicUsize; MAX_CPUS] = [const { AtomicUsize::new(usize::MAX) }; MAX_CPUS];

/// Notes this CPU's stack pointer (a probe at the start of a callback: how
/// deep its caller's frames reach, the callback's own first frame included).
#[inline(always)]
pub fn note_depth() {
    if let Some(lowest) = LOWEST.get(cpu::index()) {
        lowest.fetch_min(sp(), Ordering::Relaxed);
    }
}

/// The lowest stack pointer [`note_depth`] saw on this CPU since the last
/// call (`usize::MAX`: none), and starts over.
pub fn take_lowest() -> usize {
    LOWEST
        .get(cpu::index())
        .map_or(usize::MAX, |l| l.swap(usize::MAX, Ordering::Relaxed))
}
