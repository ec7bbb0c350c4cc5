// SPDX-License-Identifier: MIT OR Apache-2.0
//! Arm semihosting (`hlt #0xf000`): the command line and the exit status,
//! through [`lfa_baremetal::semihosting`]. Compiled in with the
//! `semihosting` feature (the default); without it the image has no command
//! line and never issues `hlt`.

/// Ends the run with status `code` if semihosting is compiled in; returns
/// if the host did not stop (or semihosting is off).
pub fn exit(code: u8) {
    #[cfg(feature = "semihosting")]
    lfa_baremetal::semihosting::exit(code);
    #[cfg(not(feature = "semihosting"))]
    let _ = code;
}

/// Copies the command line into `buf`; its length, or `None` without
/// semihosting or when the host refuses.
pub fn command_line(buf: &mut [u8]) -> Option<usize> {
    #[cfg(feature = "semihosting")]
    {
        lfa_baremetal::semihosting::command_line(buf)
    }
    #[cfg(not(feature = "semihosting"))]
    {
        let _ = buf;
        None
    }
}
