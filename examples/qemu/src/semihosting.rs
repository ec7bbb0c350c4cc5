//! Arm semihosting (QEMU `-semihosting`): exit status and command line.
//!
//! A semihosting call is `hlt #0xf000` with the operation in x0 and a pointer
//! to its parameter block in x1; QEMU performs it and returns in x0. It works
//! from EL1, EL2 and EL3.

use core::arch::asm;

/// `SYS_EXIT`: end the program.
const SYS_EXIT: u64 = 0x18;
/// `SYS_GET_CMDLINE`: the `-kernel` path and the `-append` string.
const SYS_GET_CMDLINE: u64 = 0x15;
/// `ADP_Stopped_ApplicationExit`: with it, QEMU exits with the given code.
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x2_0026;

/// Issues one semihosting call.
fn call(operation: u64, block: *mut u64) -> u64 {
    let result: u64;
    // SAFETY: `hlt #0xf000` is intercepted by QEMU (started with
    // `-semihosting`) and performs `operation` on the parameter block at
    // `block`, which the callers below point at a live, suitably sized local
    // array. Only x0 is written.
    unsafe {
        asm!(
            "hlt #0xf000",
            inout("x0") operation => result,
            in("x1") block,
            options(nostack),
        );
    }
    result
}

/// Stops QEMU; it exits with status `code & 0xff`.
pub fn exit(code: u8) -> ! {
    let mut block = [ADP_STOPPED_APPLICATION_EXIT, u64::from(code)];
    call(SYS_EXIT, block.as_mut_ptr());
    // Without `-semihosting` the call is an exception instead, reported by
    // the vectors; if anything returns, keep this CPU here.
    crate::cpu::park()
}

/// Copies the command line (`<image path> <-append string>`) into `buf` and
/// returns its length, or `None` if the host refused (no `-semihosting`, or a
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
