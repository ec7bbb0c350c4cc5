// SPDX-License-Identifier: MIT OR Apache-2.0
//! AArch64 only: the real conduits, `smc #0` and `hvc #0`, and the generic timer.
//!
//! Each call passes x0..x17 in and reads x0..x17 back (SMCCC v1.2, SMC64/HVC64);
//! why the `asm!` blocks look as they do is in the repository's
//! `docs/conduits.md`. The module also reads the generic timer ([`counter`],
//! [`counter_frequency`]), for callers that need a clock without an OS.

use core::arch::asm;

use lfa_proto::Regs;

pub use crate::generic_timer::{counter, counter_frequency};
use crate::{Conduit, Method};

/// Issues `$insn` with all of x0..x17 as inputs from `$args` and returns them
/// as a new [`Regs`].
macro_rules! smccc_1_2_call {
    ($insn:literal, $args:expr) => {{
        let [
            mut x0,
            mut x1,
            mut x2,
            mut x3,
            mut x4,
            mut x5,
            mut x6,
            mut x7,
            mut x8,
            mut x9,
            mut x10,
            mut x11,
            mut x12,
            mut x13,
            mut x14,
            mut x15,
            mut x16,
            mut x17,
        ] = $args.x;
        // SAFETY: Under SMCCC the firmware changes at most x0..x17 (all in/out
        // operands here) and returns to the next instruction, preserving x18..x30,
        // SP and SIMD/FP; no stack is used and memory counts as clobbered (not
        // `nomem`). With no firmware at that EL the instruction is UNDEFINED and
        // traps to the caller's vector before any operand is written.
        unsafe {
            asm!(
                $insn,
                inout("x0") x0,
                inout("x1") x1,
                inout("x2") x2,
                inout("x3") x3,
                inout("x4") x4,
                inout("x5") x5,
                inout("x6") x6,
                inout("x7") x7,
                inout("x8") x8,
                inout("x9") x9,
                inout("x10") x10,
                inout("x11") x11,
                inout("x12") x12,
                inout("x13") x13,
                inout("x14") x14,
                inout("x15") x15,
                inout("x16") x16,
                inout("x17") x17,
                options(nostack),
            );
        }
        Regs {
            x: [
                x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, x16, x17,
            ],
        }
    }};
}

/// The `smc #0` conduit: Secure Monitor Calls to EL3 firmware (or to a
/// hypervisor that traps them with `HCR_EL2.TSC`).
///
/// Zero-sized and stateless; one value can be shared by every CPU.
///
/// ```no_run
/// use lfa_smccc::{Conduit, Regs, Smc};
///
/// let answer = Smc.call(&Regs::with_x0(0xC400_02E0)); // LFA_VERSION
/// # let _ = answer;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(docsrs, doc(cfg(target_arch = "aarch64")))]
pub struct Smc;

/// The `hvc #0` conduit: Hypervisor Calls to EL2 (a hypervisor, or QEMU's
/// built-in PSCI on a `virt` machine without EL3).
///
/// Zero-sized and stateless; one value can be shared by every CPU.
///
/// ```no_run
/// use lfa_smccc::{Conduit, Hvc, Regs};
///
/// let answer = Hvc.call(&Regs::with_x0(0xC400_02E0)); // LFA_VERSION
/// # let _ = answer;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(docsrs, doc(cfg(target_arch = "aarch64")))]
pub struct Hvc;

// Both are pure markers: no state, nothing to share or lock.
const _: () = assert!(core::mem::size_of::<Smc>() == 0 && core::mem::size_of::<Hvc>() == 0);

impl Conduit for Smc {
    /// Executes `smc #0` with x0..x17 from `args`; returns x0..x17.
    #[inline(always)]
    fn call(&self, args: &Regs) -> Regs {
        smccc_1_2_call!("smc #0", args)
    }
}

impl Conduit for Hvc {
    /// Executes `hvc #0` with x0..x17 from `args`; returns x0..x17.
    #[inline(always)]
    fn call(&self, args: &Regs) -> Regs {
        smccc_1_2_call!("hvc #0", args)
    }
}

#[cfg_attr(docsrs, doc(cfg(target_arch = "aarch64")))]
impl Conduit for Method {
    /// Executes `smc #0` or `hvc #0`, as this value says.
    #[inline(always)]
    fn call(&self, args: &Regs) -> Regs {
        match self {
            Self::Smc => Smc.call(args),
            Self::Hvc => Hvc.call(args),
        }
    }
}

impl From<Smc> for Method {
    fn from(_: Smc) -> Self {
        Self::Smc
    }
}

impl From<Hvc> for Method {
    fn from(_: Hvc) -> Self {
        Self::Hvc
    }
}
