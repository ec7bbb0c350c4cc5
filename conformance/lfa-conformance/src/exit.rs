// SPDX-License-Identifier: MIT OR Apache-2.0
//! Ending the run: semihosting `SYS_EXIT` with the status where available,
//! else PSCI, with the verdict in the call: `SYSTEM_OFF` when no check
//! failed, `SYSTEM_RESET` otherwise (a firmware or test harness maps the two
//! to an exit status; the project's QEMU firmware exits with 0 and 1), else
//! a `wfi` loop.

use core::sync::atomic::{AtomicBool, Ordering};

use crate::probe::PROBE;
use crate::{psci, report, semihosting};

/// Status: no check failed.
pub const EXIT_PASS: u8 = 0;
/// Status: a check failed (or a bounded wait ran out).
pub const EXIT_FAIL: u8 = 1;
/// Status: a panic.
pub const EXIT_PANIC: u8 = 2;
/// Status: an exception the image does not take (an `smc`/`hvc` nobody
/// answers, a fault).
pub const EXIT_EXCEPTION: u8 = 3;

/// Set once the image is on its way out (an exception on the way, such as
/// `hlt` without a semihosting host, then just stops the CPU).
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Whether the run is already ending.
#[must_use]
pub fn stopping() -> bool {
    STOPPING.load(Ordering::Acquire)
}

/// Ends the run with `code`.
pub fn stop(code: u8) -> ! {
    if !STOPPING.swap(true, Ordering::AcqRel) {
        semihosting::exit(code);
        if code == EXIT_PASS {
            crate::uart::print_unlocked(format_args!(
                "== lfa-conformance: status {code}: ending with PSCI SYSTEM_OFF (no check failed)\n"
            ));
        } else {
            crate::uart::print_unlocked(format_args!(
                "== lfa-conformance: status {code}: ending with PSCI SYSTEM_RESET (the verdict is not PASS)\n"
            ));
            psci::system_reset(&PROBE);
        }
        psci::system_off(&PROBE);
    }
    crate::hang()
}

/// Ends the run after the summary: PASS if `ok`.
pub fn finish(ok: bool) -> ! {
    stop(if ok { EXIT_PASS } else { EXIT_FAIL })
}

/// Prints the summary of what ran so far (with a failure if `ok` is false)
/// and ends the run.
pub fn finish_now(ok: bool) -> ! {
    let clean = report::summary();
    finish(ok && clean)
}
