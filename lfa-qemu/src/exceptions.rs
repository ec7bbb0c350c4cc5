// SPDX-License-Identifier: MIT OR Apache-2.0
//! Taking `smc` and `hvc` from the non-secure world, and reporting anything
//! else that traps.
//!
//! `boot.S` saves x0..x17 as a [`Regs`] block, and what SMCCC asks the
//! callee to preserve that Rust code may change (x18, x30, q0..q31, FPSR,
//! FPCR), then calls `lfa_qemu_lower_sync` with the block; the results are
//! whatever the block holds when it returns. An `smc` taken to EL3 and an `hvc` taken to EL2
//! return to the instruction after the call, so nothing else needs adjusting.

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering};

use lfa_proto::regs::from_signed;
use lfa_smccc::{NOT_SUPPORTED, Regs};

use crate::{check, cpu, println, semihosting, uart};

/// ESR_ELx.EC for an `hvc` from AArch64.
pub const EC_HVC64: u64 = 0x16;
/// ESR_ELx.EC for an `smc` from AArch64.
pub const EC_SMC64: u64 = 0x17;

/// `smc` calls served at EL3 since boot.
static SMC_CALLS: AtomicU64 = AtomicU64::new(0);
/// `hvc` calls served at EL2 since boot.
static HVC_CALLS: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" {
    static lfa_qemu_vectors_el3: u8;
    static lfa_qemu_vectors_el2: u8;
    static lfa_qemu_vectors_el1: u8;
}

/// Points VBAR of `el` (the current EL) at its table in `boot.S`.
pub fn install_vectors(el: u64) {
    match el {
        // SAFETY: Runs at EL3; the table is 2 KiB aligned code in `boot.S`
        // whose entries handle every exception this image can take there.
        3 => unsafe {
            asm!("msr vbar_el3, {}", "isb", in(reg) &raw const lfa_qemu_vectors_el3, options(nostack));
        },
        // SAFETY: As above, at EL2.
        2 => unsafe {
            asm!("msr vbar_el2, {}", "isb", in(reg) &raw const lfa_qemu_vectors_el2, options(nostack));
        },
        // SAFETY: As above, at EL1.
        _ => unsafe {
            asm!("msr vbar_el1, {}", "isb", in(reg) &raw const lfa_qemu_vectors_el1, options(nostack));
        },
    }
}

/// `smc` calls taken at EL3 since boot (every CPU, every function ID).
#[must_use]
pub fn smc_calls() -> u64 {
    SMC_CALLS.load(Ordering::Acquire)
}

/// `hvc` calls taken at EL2 since boot (every CPU, every function ID).
#[must_use]
pub fn hvc_calls() -> u64 {
    HVC_CALLS.load(Ordering::Acquire)
}

/// A synchronous exception from a lower EL, taken at `el`. An `smc #0` at EL3
/// goes to [`Scenario::el3_agent`](crate::Scenario::el3_agent), an `hvc #0`
/// at EL2 to [`Scenario::el2_agent`](crate::Scenario::el2_agent); without an
/// agent, or with an immediate other than 0, the answer is `NOT_SUPPORTED`
/// in x0 and every other register is preserved, as SMCCC asks of an unknown
/// function. Anything else stops the image.
#[unsafe(no_mangle)]
extern "C" fn lfa_qemu_lower_sync(regs: &mut Regs, esr: u64, el: u64) {
    let class = (esr >> 26) & 0x3F;
    let immediate = esr & 0xFFFF;
    let scenario = crate::scenario();
    let agent = match (el, class) {
        (3, EC_SMC64) => {
            SMC_CALLS.fetch_add(1, Ordering::AcqRel);
            scenario.el3_agent
        }
        (2, EC_HVC64) => {
            HVC_CALLS.fetch_add(1, Ordering::AcqRel);
            scenario.el2_agent
        }
        _ => stop(el, "synchronous exception from a lower EL", esr),
    };
    match agent {
        Some(agent) if immediate == 0 => *regs = agent.call(regs),
        _ => regs.x[0] = from_signed(i64::from(NOT_SUPPORTED)),
    }
}

/// Any other exception: report it and stop QEMU with
/// [`check::EXIT_EXCEPTION`]. `kind` is the vector entry (0..15).
#[unsafe(no_mangle)]
extern "C" fn lfa_qemu_unexpected(kind: u64, el: u64, esr: u64, elr: u64, far: u64) -> ! {
    const KINDS: [&str; 4] = ["synchronous", "IRQ", "FIQ", "SError"];
    const SOURCES: [&str; 4] = [
        "current EL with SP_EL0",
        "current EL with SP_ELx",
        "lower EL (AArch64)",
        "lower EL (AArch32)",
    ];
    let what = KINDS
        .get(usize::try_from(kind % 4).unwrap_or(0))
        .unwrap_or(&"?");
    let from = SOURCES
        .get(usize::try_from(kind / 4).unwrap_or(0))
        .unwrap_or(&"?");
    uart::print_unlocked(format_args!(
        "FAIL: unexpected {what} exception from {from} at EL{el} on CPU {}: \
         ESR {esr:#x} (EC {:#x}), ELR {elr:#x}, FAR {far:#x}\n",
        cpu::index(),
        (esr >> 26) & 0x3F,
    ));
    semihosting::exit(check::EXIT_EXCEPTION)
}

/// Reports a synchronous exception that is not a call and stops QEMU.
fn stop(el: u64, what: &str, esr: u64) -> ! {
    println!(
        "FAIL: {what} at EL{el} on CPU {}: ESR {esr:#x} (EC {:#x})",
        cpu::index(),
        (esr >> 26) & 0x3F
    );
    semihosting::exit(check::EXIT_EXCEPTION)
}

/// A hand-written `smc #IMM` with x0 = `function`, x1 = `arg` and x2..x17 = 0,
/// returning x0 and x1: the baseline the benchmarks compare the client with.
/// This image's EL3 handler passes `smc #0` to the agent and answers any
/// other immediate with NOT_SUPPORTED (the bare cost of the exception).
#[inline(always)]
pub fn raw_smc<const IMM: u16>(function: u64, arg: u64) -> (u64, u64) {
    let x0: u64;
    let x1: u64;
    // SAFETY: `smc` goes to this image's own EL3 handler, which preserves
    // x18..x30, SP and the SIMD/FP state (checked by the `boot` image) and
    // may write x0..x17, all of which are operands here. It is not `nomem`:
    // the agent writes memory that Rust code reads.
    unsafe {
        asm!(
            "smc #{imm}",
            imm = const IMM,
            inout("x0") function => x0,
            inout("x1") arg => x1,
            inout("x2") 0_u64 => _, inout("x3") 0_u64 => _,
            inout("x4") 0_u64 => _, inout("x5") 0_u64 => _,
            inout("x6") 0_u64 => _, inout("x7") 0_u64 => _,
            inout("x8") 0_u64 => _, inout("x9") 0_u64 => _,
            inout("x10") 0_u64 => _, inout("x11") 0_u64 => _,
            inout("x12") 0_u64 => _, inout("x13") 0_u64 => _,
            inout("x14") 0_u64 => _, inout("x15") 0_u64 => _,
            inout("x16") 0_u64 => _, inout("x17") 0_u64 => _,
            options(nostack),
        );
    }
    (x0, x1)
}
