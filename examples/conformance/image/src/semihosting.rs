//! Arm semihosting (`hlt #0xf000`): the command line and the exit status.
//! Compiled in with the `semihosting` feature (the default); without it the
//! image has no command line and never issues `hlt`.

#[cfg(feature = "semihosting")]
use core::arch::asm;

/// `SYS_EXIT`.
#[cfg(feature = "semihosting")]
const SYS_EXIT: u64 = 0x18;
/// `SYS_GET_CMDLINE`.
#[cfg(feature = "semihosting")]
const SYS_GET_CMDLINE: u64 = 0x15;
/// `ADP_Stopped_ApplicationExit`: the host exits with the given code.
#[cfg(feature = "semihosting")]
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x2_0026;

#[cfg(feature = "semihosting")]
fn call(operation: u64, block: *mut u64) -> u64 {
    let result: u64;
    // SAFETY: `hlt #0xf000` is the semihosting trap; the host performs
    // `operation` on the parameter block at `block`, which the callers point
    // at a live local array of the size the operation needs. Only x0 is
    // written. (Without a semihosting host the instruction is an exception
    // that the image's vectors report.)
    unsafe {
        asm!("hlt #0xf000", inout("x0") operation => result, in("x1") block, options(nostack));
    }
    result
}

/// Ends the run with status `code` if semihosting is compiled in; returns
/// if the host did not stop (or semihosting is off).
pub fn exit(code: u8) {
    #[cfg(feature = "semihosting")]
    {
        let mut block = [ADP_STOPPED_APPLICATION_EXIT, u64::from(code)];
        call(SYS_EXIT, block.as_mut_ptr());
    }
    #[cfg(not(feature = "semihosting"))]
    let _ = code;
}

/// Copies the command line into `buf`; its length, or `None` without
/// semihosting or when the host refuses.
pub fn command_line(buf: &mut [u8]) -> Option<usize> {
    #[cfg(feature = "semihosting")]
    {
        let capacity = u64::try_from(buf.len()).ok()?;
        let mut block = [buf.as_mut_ptr() as u64, capacity];
        if call(SYS_GET_CMDLINE, block.as_mut_ptr()) != 0 {
            return None;
        }
        let [_, length] = block;
        usize::try_from(length).ok().filter(|&n| n <= buf.len())
    }
    #[cfg(not(feature = "semihosting"))]
    {
        let _ = buf;
        None
    }
}
