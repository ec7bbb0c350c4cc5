//! Output on the PL011 (`LFA_CONFORMANCE_UART`, default QEMU `virt` UART0).
//!
//! The firmware has set the UART up (TF-A leaves its console configured);
//! the image only writes. [`println!`](crate::println) serialises whole lines
//! between CPUs with a spin lock, which needs the MMU on.

use core::fmt::{self, Write};

use crate::config::UART_BASE;

/// Data register.
const DR: usize = 0x000;
/// Flag register.
const FR: usize = 0x018;
/// FR.TXFF: transmit FIFO full.
const FR_TXFF: u32 = 1 << 5;
/// How long one byte may wait for room in the FIFO (polls).
const FIFO_POLLS: u32 = 1_000_000;

static LOCK: spin::Mutex<()> = spin::Mutex::new(());

struct Pl011;

impl Pl011 {
    fn put(byte: u8) {
        let fr = (UART_BASE + FR) as *const u32;
        let dr = (UART_BASE + DR) as *mut u32;
        // SAFETY: UART_BASE is the platform's PL011 (a build-time setting),
        // mapped as Device memory by `mmu` (or accessed with the MMU off,
        // Device too). FR and DR are aligned 32-bit registers; reading FR has
        // no side effect, writing DR queues one byte.
        unsafe {
            let mut polls = 0;
            while fr.read_volatile() & FR_TXFF != 0 && polls < FIFO_POLLS {
                polls += 1;
                core::hint::spin_loop();
            }
            dr.write_volatile(u32::from(byte));
        }
    }
}

impl Write for Pl011 {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for byte in s.bytes() {
            if byte == b'\n' {
                Self::put(b'\r');
            }
            Self::put(byte);
        }
        Ok(())
    }
}

/// Prints `args` under the output lock.
pub fn print(args: fmt::Arguments<'_>) {
    let _guard = LOCK.lock();
    let _ = Pl011.write_fmt(args);
}

/// Prints `args` without the lock (fault paths, MMU possibly off).
pub fn print_unlocked(args: fmt::Arguments<'_>) {
    let _ = Pl011.write_fmt(args);
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
