// SPDX-License-Identifier: MIT OR Apache-2.0
//! Leaving EL3 for the non-secure world: EL3 -> NS-EL2 -> NS-EL1.
//!
//! Each step configures the lower level, gives it its own stack and `eret`s
//! into [`lfa_qemu_start`](crate) again, which sets the level up (MMU,
//! vectors) and goes on. The register values are the ones QEMU.md lists.

use core::arch::asm;

/// SCR_EL3: NS (bit 0), RES1 (bits 5:4), HCE (bit 8: `hvc` enabled), RW
/// (bit 10: EL2 is AArch64), APK and API (bits 16, 17: no pointer
/// authentication traps). SMD (bit 7) clear: `smc` enabled.
pub(crate) const SCR_EL3_NS_EL2: u64 = 0x3_0531;
/// SPSR for an `eret` to EL2h (SP_EL2) with D, A, I, F masked.
pub(crate) const SPSR_EL2H_MASKED: u64 = 0x3C9;
/// SPSR for an `eret` to EL1h (SP_EL1) with D, A, I, F masked.
pub(crate) const SPSR_EL1H_MASKED: u64 = 0x3C5;
/// CPTR_EL2 with only its RES1 bits: FP/SIMD not trapped (TFP = 0).
pub(crate) const CPTR_EL2_NO_TRAPS: u64 = 0x33FF;
/// SCTLR_EL2 with only its RES1 bits: MMU and caches off until EL2 sets them.
pub(crate) const SCTLR_EL2_RES1: u64 = 0x30C5_0830;
/// HCR_EL2: RW (bit 31, EL1 is AArch64). TSC clear: EL1 `smc` goes to EL3.
pub(crate) const HCR_EL2_RW: u64 = 1 << 31;
/// CNTHCTL_EL2: EL1PCTEN and EL1PCEN, EL1 may use the physical counter/timer.
pub(crate) const CNTHCTL_EL2_EL1_ACCESS: u64 = 0b11;
/// CPACR_EL1.FPEN = 0b11: FP/SIMD not trapped at EL1.
const CPACR_EL1_FP: u64 = 3 << 20;
/// SCTLR_EL1 with only its RES1 bits: MMU and caches off until EL1 sets them.
pub(crate) const SCTLR_EL1_RES1: u64 = 0x30D0_0800;

unsafe extern "C" {
    /// The Rust entry of every level, in `lib.rs`; `eret` targets it.
    fn lfa_qemu_start(cpu: usize, el: u64) -> !;
}

/// MIDR_EL1 and MPIDR_EL1 of this CPU, for VPIDR_EL2 and VMPIDR_EL2 (what
/// EL1 then reads).
pub(crate) fn midr_mpidr() -> (u64, u64) {
    let (midr, mpidr): (u64, u64);
    // SAFETY: Reading MIDR_EL1 and MPIDR_EL1 has no side effects.
    unsafe {
        asm!(
            "mrs {}, midr_el1",
            "mrs {}, mpidr_el1",
            out(reg) midr,
            out(reg) mpidr,
            options(nomem, nostack, preserves_flags),
        );
    }
    (midr, mpidr)
}

/// The current exception level (1, 2 or 3).
#[must_use]
pub fn current() -> u64 {
    let current_el: u64;
    // SAFETY: Reading CurrentEL has no side effects and works at EL1 and up.
    unsafe {
        asm!("mrs {}, CurrentEL", out(reg) current_el, options(nomem, nostack, preserves_flags))
    };
    (current_el >> 2) & 0b11
}

/// At EL3: configures the non-secure EL2 and drops to it; EL2 starts in
/// `lfa_qemu_start(cpu, 2)` on its own stack.
pub fn el3_enter_el2(cpu: usize) -> ! {
    let entry = lfa_qemu_start as *const () as usize;
    // SAFETY: Only `lib.rs::el3` calls this, at EL3. It sets up non-secure EL2
    // (MMU off, FP/SIMD untrapped, AArch64) on the (cpu, EL2) stack reserved in
    // `link.ld` and erets into `lfa_qemu_start(cpu, 2)`, which never returns;
    // nothing of this EL3 frame is used again (`mov sp` resets the stack).
    unsafe {
        asm!(
            "msr scr_el3, {scr}",
            "msr cptr_el2, {cptr}",
            "msr sctlr_el2, {sctlr}",
            "msr sp_el2, {sp_el2}",
            "msr elr_el3, {entry}",
            "msr spsr_el3, {spsr}",
            "isb",
            "mov sp, {sp_el3}",
            "eret",
            scr = in(reg) SCR_EL3_NS_EL2,
            cptr = in(reg) CPTR_EL2_NO_TRAPS,
            sctlr = in(reg) SCTLR_EL2_RES1,
            sp_el2 = in(reg) crate::cpu::stack_top(cpu, 2),
            entry = in(reg) entry,
            spsr = in(reg) SPSR_EL2H_MASKED,
            sp_el3 = in(reg) crate::cpu::stack_top(cpu, 3),
            in("x0") cpu,
            in("x1") 2_u64,
            options(noreturn),
        );
    }
}

/// At EL2: configures EL1 (AArch64, FP/SIMD and counter access, MMU off,
/// MPIDR as the hardware's) and drops to it; EL1 starts in
/// `lfa_qemu_start(cpu, 1)` on its own stack.
pub fn el2_enter_el1(cpu: usize) -> ! {
    let entry = lfa_qemu_start as *const () as usize;
    let (midr, mpidr) = midr_mpidr();
    // SAFETY: Runs at EL2 (`lfa_qemu_start` calls it for el == 2). It sets
    // EL1 up as the constants above describe, makes EL1 read this CPU's real
    // MIDR and MPIDR, gives EL1 the stack reserved for (cpu, EL1), and
    // returns into `lfa_qemu_start(cpu, 1)`, which never returns. As at EL3,
    // EL2's stack is reset to its top for the `hvc` handler.
    unsafe {
        asm!(
            "msr hcr_el2, {hcr}",
            "msr cnthctl_el2, {cnthctl}",
            "msr cntvoff_el2, xzr",
            "msr vpidr_el2, {midr}",
            "msr vmpidr_el2, {mpidr}",
            "msr cpacr_el1, {cpacr}",
            "msr sctlr_el1, {sctlr}",
            "msr sp_el1, {sp_el1}",
            "msr elr_el2, {entry}",
            "msr spsr_el2, {spsr}",
            "isb",
            "mov sp, {sp_el2}",
            "eret",
            hcr = in(reg) HCR_EL2_RW,
            cnthctl = in(reg) CNTHCTL_EL2_EL1_ACCESS,
            midr = in(reg) midr,
            mpidr = in(reg) mpidr,
            cpacr = in(reg) CPACR_EL1_FP,
            sctlr = in(reg) SCTLR_EL1_RES1,
            sp_el1 = in(reg) crate::cpu::stack_top(cpu, 1),
            entry = in(reg) entry,
            spsr = in(reg) SPSR_EL1H_MASKED,
            sp_el2 = in(reg) crate::cpu::stack_top(cpu, 2),
            in("x0") cpu,
            in("x1") 1_u64,
            options(noreturn),
        );
    }
}
