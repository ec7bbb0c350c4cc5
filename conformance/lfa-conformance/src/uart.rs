// SPDX-License-Identifier: MIT OR Apache-2.0
//! Output on the PL011 (`LFA_CONFORMANCE_UART`, default QEMU `virt` UART0),
//! through [`lfa_baremetal::pl011::Console`].
//!
//! The firmware has set the UART up (TF-A leaves its console configured);
//! the image only writes. [`println!`](crate::println) serialises whole lines
//! between CPUs with a spin lock, which needs the MMU on.

use core::fmt;

use lfa_baremetal::pl011::Console;

use crate::config::UART_BASE;

static CONSOLE: Console = Console::new(UART_BASE);

/// Prints `args` under the output lock.
pub fn print(args: fmt::Arguments<'_>) {
    CONSOLE.print(args);
}

/// Prints `args` without the lock (fault paths, MMU possibly off).
pub fn print_unlocked(args: fmt::Arguments<'_>) {
    CONSOLE.print_unlocked(args);
}

/// Prints a line (see [`print`]).
#[macro_export]
macro_rules! println {
    () => {
        $crate::uart::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::uart::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
