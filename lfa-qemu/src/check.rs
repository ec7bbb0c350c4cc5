// SPDX-License-Identifier: MIT OR Apache-2.0
//! Checks that print their result, and the image's exit status.
//!
//! Every [`check!`](macro@crate::check) and [`check_eq!`](macro@crate::check_eq) prints one
//! `ok` or `FAIL` line tagged with the CPU and counts towards the result;
//! [`finish`] (called by the boot code once every CPU is done) exits QEMU with
//! [`EXIT_PASS`] only if at least one check ran and none failed.

use core::fmt;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::{cpu, println, semihosting};

/// Exit status: every check passed.
pub const EXIT_PASS: u8 = 0;
/// Exit status: a check failed, or the boot code gave up waiting.
pub const EXIT_FAIL: u8 = 1;
/// Exit status: a panic.
pub const EXIT_PANIC: u8 = 2;
/// Exit status: an exception the image does not handle.
pub const EXIT_EXCEPTION: u8 = 3;

static PASSED: AtomicU32 = AtomicU32::new(0);
static FAILED: AtomicU32 = AtomicU32::new(0);

/// Records one check and prints its line; returns `ok`.
pub fn record(ok: bool, what: fmt::Arguments<'_>) -> bool {
    if ok {
        PASSED.fetch_add(1, Ordering::AcqRel);
        println!("[cpu{}] ok   {what}", cpu::index());
    } else {
        FAILED.fetch_add(1, Ordering::AcqRel);
        println!("[cpu{}] FAIL {what}", cpu::index());
    }
    ok
}

/// Records `left == right`, printing both values when they differ.
pub fn record_eq<T: PartialEq + fmt::Debug + ?Sized>(
    left: &T,
    right: &T,
    what: fmt::Arguments<'_>,
) -> bool {
    if left == right {
        record(true, what)
    } else {
        record(
            false,
            format_args!("{what}\n       got:      {left:?}\n       expected: {right:?}"),
        )
    }
}

/// Checks passed and failed so far.
#[must_use]
pub fn counts() -> (u32, u32) {
    (
        PASSED.load(Ordering::Acquire),
        FAILED.load(Ordering::Acquire),
    )
}

/// Prints the summary and exits QEMU: [`EXIT_PASS`] if no check failed and at
/// least one ran, [`EXIT_FAIL`] otherwise.
pub fn finish(name: &str) -> ! {
    let (passed, failed) = counts();
    if failed == 0 && passed > 0 {
        println!("== {name}: PASS ({passed} checks)");
        semihosting::exit(EXIT_PASS)
    } else {
        println!(
            "== {name}: FAIL ({failed} of {} checks failed)",
            passed + failed
        );
        semihosting::exit(EXIT_FAIL)
    }
}

/// Checks a condition: `check!(cond, "what {}", arg)`. Evaluates to `cond`.
#[macro_export]
macro_rules! check {
    ($cond:expr, $($what:tt)+) => {
        $crate::check::record($cond, format_args!($($what)+))
    };
}

/// Checks equality: `check_eq!(got, expected, "what {}", arg)`. Evaluates to
/// whether they are equal.
#[macro_export]
macro_rules! check_eq {
    ($left:expr, $right:expr, $($what:tt)+) => {
        $crate::check::record_eq(&$left, &$right, format_args!($($what)+))
    };
}
