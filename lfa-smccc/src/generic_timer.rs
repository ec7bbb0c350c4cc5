// SPDX-License-Identifier: MIT OR Apache-2.0
//! Reading the Arm generic timer: the virtual count and its frequency, for
//! callers that need a clock without an OS (see
//! `lfa_client::GenericTimerClock`). AArch64 only.

use core::arch::asm;

/// The generic timer's virtual count (`CNTVCT_EL0`), read after an `isb` so
/// that the read is not performed ahead of the instructions before it.
///
/// It counts up at [`counter_frequency`] ticks per second, from an
/// unspecified start; only differences between readings mean something.
/// Readable at EL1 and above; at EL0 (user space) only if the kernel allows
/// it (`CNTKCTL_EL1.EL0VCTEN`, which Linux sets), otherwise the read traps
/// and the OS handles it (`SIGILL` on Linux).
#[must_use]
#[inline]
pub fn counter() -> u64 {
    let count: u64;
    // SAFETY: `isb` and one `mrs` of CNTVCT_EL0 into `count`: no memory, stack
    // or flags touched (`nomem`, `nostack`, `preserves_flags`), no side effect;
    // where the EL may not read it, it traps before `count` is written.
    unsafe {
        asm!(
            "isb",
            "mrs {count}, cntvct_el0",
            count = out(reg) count,
            options(nomem, nostack, preserves_flags),
        );
    }
    count
}

/// The generic timer's frequency in ticks per second (`CNTFRQ_EL0`), as the
/// firmware programmed it at boot (62.5 MHz on QEMU `virt`, 1 GHz on Armv8.6
/// and later systems).
///
/// Firmware that forgot to program it leaves 0 (or garbage): a caller must
/// handle 0, as `lfa_client::GenericTimerClock` does.
#[must_use]
#[inline]
pub fn counter_frequency() -> u64 {
    let frequency: u64;
    // SAFETY: One `mrs` of CNTFRQ_EL0 into a register the compiler chose: no
    // memory, stack or flag access (`nomem`, `nostack`, `preserves_flags`),
    // no side effect; `frequency` is the only output. At EL0 without timer
    // access enabled it traps to the OS before writing `frequency`, which is
    // not undefined behaviour here.
    unsafe {
        asm!(
            "mrs {frequency}, cntfrq_el0",
            frequency = out(reg) frequency,
            options(nomem, nostack, preserves_flags),
        );
    }
    frequency
}
