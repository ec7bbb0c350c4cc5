// SPDX-License-Identifier: MIT OR Apache-2.0
//! Output on a PL011 UART that someone (QEMU, or the firmware) has already
//! set up: this module only writes bytes.
//!
//! [`Console::print`] takes a spin lock so that lines from several CPUs do
//! not interleave; the lock needs the MMU on (exclusives). The fault paths
//! use [`Console::print_unlocked`], which must not wait on a lock their own
//! CPU may hold and may run with the MMU off.

use core::fmt::{self, Write};

/// Data register.
const DR: usize = 0x000;
/// Flag register.
const FR: usize = 0x018;
/// FR.TXFF: transmit FIFO full.
const FR_TXFF: u32 = 1 << 5;
/// How long one byte may wait for room in the FIFO (polls). QEMU's PL011
/// never fills up; the bound only says that a full FIFO is waited for, not
/// forever.
pub const FIFO_POLLS: u32 = 1_000_000;

/// A PL011 at `base`, as a [`fmt::Write`] sink; `\n` goes out as `\r\n`.
#[derive(Clone, Copy, Debug)]
pub struct Pl011 {
    base: usize,
}

impl Pl011 {
    /// The PL011 whose registers start at `base`. Writing through it is
    /// only sound if `base` is a PL011 mapped as Device memory (or the MMU
    /// is off); the images pass their platform's UART.
    #[must_use]
    pub const fn new(base: usize) -> Self {
        Self { base }
    }

    fn put(self, byte: u8) {
        let fr = (self.base + FR) as *const u32;
        let dr = (self.base + DR) as *mut u32;
        // SAFETY: `base` is the platform's PL011 (see `new`; both images pass
        // a build-time constant), mapped as Device memory by their MMU set-up
        // or accessed with the MMU off, Device too. FR and DR are aligned
        // 32-bit registers; reading FR has no side effect, writing DR queues
        // one byte.
        unsafe {
            let mut polls = 0_u32;
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
                self.put(b'\r');
            }
            self.put(byte);
        }
        Ok(())
    }
}

/// A PL011 with a lock that serialises whole prints between CPUs (and
/// between the exception levels that share the UART).
#[derive(Debug)]
pub struct Console {
    uart: Pl011,
    lock: spin::Mutex<()>,
}

impl Console {
    /// The console on the PL011 at `base` (see [`Pl011::new`]).
    #[must_use]
    pub const fn new(base: usize) -> Self {
        Self {
            uart: Pl011::new(base),
            lock: spin::Mutex::new(()),
        }
    }

    /// Prints `args` while holding the lock.
    pub fn print(&self, args: fmt::Arguments<'_>) {
        let _guard = self.lock.lock();
        let mut uart = self.uart;
        // `Pl011::write_str` never fails.
        let _ = uart.write_fmt(args);
    }

    /// Prints `args` without the lock: for the panic and fault paths.
    pub fn print_unlocked(&self, args: fmt::Arguments<'_>) {
        let mut uart = self.uart;
        let _ = uart.write_fmt(args);
    }
}
