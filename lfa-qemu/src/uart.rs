// SPDX-License-Identifier: MIT OR Apache-2.0
//! Output on QEMU's PL011 UART0 (stdio with `-nographic`), through
//! [`lfa_baremetal::pl011::Console`].
//!
//! [`println!`](crate::println) takes a spin lock so that lines from several
//! CPUs (and the worlds: EL3, EL2 and EL1 all print through the same UART)
//! do not interleave; the lock needs the MMU on (exclusives), which
//! [`crate::mmu::enable`] does before any output. The panic and
//! unexpected-exception paths print without the lock.

use core::fmt;

use lfa_baremetal::pl011::Console;

/// PL011 UART0 of QEMU's `virt` machine.
const UART0: usize = 0x0900_0000;

/// The console on UART0.
static CONSOLE: Console = Console::new(UART0);

/// Prints `args` while holding the output lock.
pub fn print(args: fmt::Arguments<'_>) {
    CONSOLE.print(args);
}

/// Prints `args` without the lock: for the panic and fault paths, which must
/// not wait on a lock their own CPU may hold, and may run with the MMU off.
pub fn print_unlocked(args: fmt::Arguments<'_>) {
    CONSOLE.print_unlocked(args);
}

/// Prints a line on the UART (see [`print`]).
#[macro_export]
macro_rules! println {
    () => {
        $crate::uart::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::uart::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
