// SPDX-License-Identifier: MIT OR Apache-2.0
//! The few PSCI calls the image makes, through the same conduit as LFA.

use lfa_proto::Regs;
use lfa_proto::regs::as_signed;
use lfa_smccc::Conduit;

/// `PSCI_VERSION` (SMC32).
pub const PSCI_VERSION: u64 = 0x8400_0000;
/// `PSCI_FEATURES` (SMC32).
pub const PSCI_FEATURES: u64 = 0x8400_000A;
/// `CPU_ON` (SMC64).
pub const CPU_ON: u64 = 0xC400_0003;
/// `SYSTEM_OFF` (SMC32).
pub const SYSTEM_OFF: u64 = 0x8400_0008;

/// `SYSTEM_RESET` (SMC32).
pub const SYSTEM_RESET: u64 = 0x8400_0009;

/// PSCI `INVALID_PARAMETERS`: no such CPU.
pub const INVALID_PARAMETERS: i64 = -2;
/// PSCI `NOT_PRESENT`.
pub const NOT_PRESENT: i64 = -7;

/// w0 of an SMC32 result as a signed value.
fn w0(regs: &Regs) -> i64 {
    let [b0, b1, b2, b3, ..] = regs.x[0].to_le_bytes();
    i64::from(i32::from_le_bytes([b0, b1, b2, b3]))
}

/// `PSCI_VERSION`: w0 (bits 30:16 major, 15:0 minor, or a negative status).
pub fn version(conduit: &dyn Conduit) -> i64 {
    w0(&conduit.call(&Regs::with_x0(PSCI_VERSION)))
}

/// `PSCI_FEATURES(function)`: w0, 0 or flags if implemented, else negative.
pub fn features(conduit: &dyn Conduit, function: u64) -> i64 {
    let mut args = Regs::with_x0(PSCI_FEATURES);
    args.x[1] = function;
    w0(&conduit.call(&args))
}

/// `CPU_ON(mpidr, entry, context)`: x0 as a status.
pub fn cpu_on(conduit: &dyn Conduit, mpidr: u64, entry: u64, context: u64) -> i64 {
    let mut args = Regs::with_x0(CPU_ON);
    args.x[1] = mpidr;
    args.x[2] = entry;
    args.x[3] = context;
    as_signed(conduit.call(&args).x[0])
}

/// `SYSTEM_OFF`; returns only if the firmware refused.
pub fn system_off(conduit: &dyn Conduit) {
    let _ = conduit.call(&Regs::with_x0(SYSTEM_OFF));
}

/// `SYSTEM_RESET`; returns only if the firmware refused.
pub fn system_reset(conduit: &dyn Conduit) {
    let _ = conduit.call(&Regs::with_x0(SYSTEM_RESET));
}
