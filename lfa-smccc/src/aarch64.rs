//! AArch64 only: the real conduits, `smc #0` and `hvc #0`, and the generic timer.
//!
//! Each call passes x0..x17 in and reads x0..x17 back, as SMCCC v1.2 defines
//! for SMC64/HVC64 calls. The callee preserves x18..x30, SP and the SIMD and
//! floating-point registers (SMCCC section 2.6 and 2.7), so those are not
//! operands; x18 is therefore not named even on targets that would allow it.
//! The generated code does rely on that rule: on `aarch64-unknown-none` x18 is
//! an ordinary register, and a release build keeps live values (for example
//! the address the results are stored to) in x18 and x19 across the
//! instruction. Declaring every one of x0..x17 as an output also covers
//! SMCCC 1.0 firmware, for which x4..x17 are unpredictable after the call.
//!
//! In a release build, a call with the arguments in memory compiles to nine
//! `ldp` loads of x0..x17, the `smc #0` or `hvc #0`, and nine `stp` stores of
//! the results: no stack access between the loads and the stores.
//!
//! The `asm!` blocks are `nostack` (the instruction sequence itself touches no
//! stack) but *not* `nomem` or `readonly`: firmware may read and write normal
//! world memory (shared buffers, staged images), so the compiler must not keep
//! memory values in registers across the call. They are not `preserves_flags`
//! either: nothing in SMCCC promises NZCV.
//!
//! Whether the call returns is up to the firmware: with nothing at the higher
//! exception level (no EL3 for `smc`, no EL2 for `hvc`, or `smc` disabled by
//! `SCR_EL3.SMD`) the instruction is UNDEFINED and the exception is taken at
//! the caller's own level (in Linux user space: `SIGILL`). LFA_ACTIVATE of a
//! component that may reset the CPU can resume at another entry point instead
//! of returning. Neither case lets this code observe a half-written result.

//!
//! The module also reads the generic timer ([`counter`],
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
        // SAFETY: The one instruction transfers control to the firmware at a
        // higher exception level, which returns to the next instruction.
        // Under SMCCC (every version) it changes at most x0..x17, which are
        // all declared here as in/out operands, and preserves x18..x30, SP and
        // the SIMD/FP registers, which are therefore not operands (x19 and
        // x29, reserved by LLVM, stay untouched as required). The block does
        // not use the stack (`nostack`); it is not `nomem`, so the compiler
        // assumes memory may have changed and reloads it after the call.
        // There is no Rust-visible memory access or pointer in the block
        // itself. If no firmware exists at the target level, the instruction
        // is UNDEFINED and the exception goes to the caller's own vector
        // before any operand is written, which is not undefined behaviour
        // here. The firmware honouring SMCCC is the platform's trust
        // assumption, as for every PSCI call.
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
