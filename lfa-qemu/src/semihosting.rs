// SPDX-License-Identifier: MIT OR Apache-2.0
//! Arm semihosting (QEMU `-semihosting`): exit status and command line,
//! through [`lfa_baremetal::semihosting`].

pub use lfa_baremetal::semihosting::command_line;

/// Stops QEMU; it exits with status `code & 0xff`.
pub fn exit(code: u8) -> ! {
    lfa_baremetal::semihosting::exit(code);
    // Without `-semihosting` the call is an exception instead, reported by
    // the vectors; if anything returns, keep this CPU here.
    crate::cpu::park()
}
