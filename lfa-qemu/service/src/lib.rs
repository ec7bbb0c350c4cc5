// SPDX-License-Identifier: MIT OR Apache-2.0
//! The "LFA demo service" of the lfa-qemu EL3 firmware: SiP call
//! `0xC200_0001` answers x0 = the service's version (major << 16 | minor)
//! and x1 = a value it computes from the caller's x1, differently per
//! version.
//!
//! Each version is a bin of this crate, linked on its own (`link.ld`) to run
//! at the same EL3 address, entry first. The firmware calls the entry as
//! `extern "C" fn(u64) -> Answer` (AAPCS64 returns the two words in x0 and
//! x1) on the calling CPU's EL3 stack. The code uses no data of the
//! firmware and keeps no state, so replacing the whole region while no CPU
//! runs it (every CPU parked in the LFA agent's pen) is a complete switch.
#![no_std]

/// What the service answers: x0 and x1 of the SMC's result.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The service's version, `major << 16 | minor`.
    pub version: u64,
    /// The value computed from the caller's x1.
    pub value: u64,
}

/// Version 1.0's computation: `3 * x + 1` (wrapping).
#[must_use]
pub const fn v1_value(x: u64) -> u64 {
    x.wrapping_mul(3).wrapping_add(1)
}

/// Version 2.0's computation: `x * x + 0x200` (wrapping).
#[must_use]
pub const fn v2_value(x: u64) -> u64 {
    x.wrapping_mul(x).wrapping_add(0x200)
}

/// Stops the CPU: the service has no panic path (its code is two
/// arithmetic operations), and must not unwind into the firmware.
pub fn halt() -> ! {
    loop {
        core::hint::spin_loop();
    }
}
