// SPDX-License-Identifier: MIT OR Apache-2.0
//! Arm semihosting (QEMU `-semihosting`, FVP with semihosting on): the exit
//! status and the command line.
//!
//! A semihosting call is `hlt #0xf000` with the operation in x0 and a
//! pointer to its parameter block in x1; the host performs it and returns in
//! x0. It works from EL1, EL2 and EL3. Without a semihosting host the
//! instruction is an exception, which the image's vectors report.

use core::arch::asm;

/// `SYS_EXIT`: end the program.
const SYS_EXIT: u64 = 0x18;
/// `SYS_GET_CMDLINE`: the image path and the `-append` string.
const SYS_GET_CMDLINE: u64 = 0x15;
/// `ADP_Stopped_ApplicationExit`: with it, the host exits with the given code.
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x2_0026;

/// Issues one semihosting call.
fn call(operation: u64, block: *mut u64) -> u64 {
    let result: u64;
    // SAFETY: `hlt #0xf000` is the semihosting trap; the host performs
    // `operation` on the parameter block at `block`, which the callers below
    // point at a live local array of the size the operation needs. Only x0
    // is written.
    unsafe {
        asm!("hlt #0xf000", inout("x0") operation => result, in("x1") block, options(nostack));
    }
    result
}

/// Asks the host to stop with status `code` (QEMU exits with `code & 0xff`).
/// Returns only if the host did not stop; the caller decides what then.
pub fn exit(code: u8) {
    let mut block = [ADP_STOPPED_APPLICATION_EXIT, u64::from(code)];
    call(SYS_EXIT, block.as_mut_ptr());
}

/// Copies the command line (`<image path> <-append string>`) into `buf` and
/// returns its length, or `None` if the host refused (no semihosting, or a
/// line longer than `buf`).
pub fn command_line(buf: &mut [u8]) -> Option<usize> {
    let capacity = u64::try_from(buf.len()).ok()?;
    let mut block = [buf.as_mut_ptr() as u64, capacity];
    if call(SYS_GET_CMDLINE, block.as_mut_ptr()) != 0 {
        return None;
    }
    let [_, length] = block;
    usize::try_from(length).ok().filter(|&n| n <= buf.len())
}
