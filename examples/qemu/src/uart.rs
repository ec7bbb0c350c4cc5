//! Output on QEMU's PL011 UART0 (stdio with `-nographic`).
//!
//! [`println!`](crate::println) takes a spin lock so that lines from several
//! CPUs do not interleave; the lock needs the MMU on (exclusives), which
//! [`crate::mmu::enable`] does before any output. The panic and
//! unexpected-exception paths print without the lock.

use core::fmt::{self, Write};

/// PL011 UART0 of QEMU's `virt` machine.
const UART0: usize = 0x0900_0000;
/// Data register.
const DR: usize = 0x000;
/// Flag register.
const FR: usize = 0x018;
/// FR: transmit FIFO full.
const FR_TXFF: u32 = 1 << 5;

/// Serialises whole lines between CPUs (and between the worlds: EL3, EL2 and
/// EL1 all print through the same UART).
static LOCK: spin::Mutex<()> = spin::Mutex::new(());

/// The UART as a [`fmt::Write`] sink.
struct Pl011;

impl Pl011 {
    fn put(byte: u8) {
        let fr = (UART0 + FR) as *const u32;
        let dr = (UART0 + DR) as *mut u32;
        // SAFETY: 0x0900_0000 is the PL011 of QEMU's `virt` machine, mapped
        // as Device memory by `mmu` (or accessed with the MMU off, which is
        // Device too). FR and DR are 32-bit registers at aligned offsets;
        // reading FR has no side effect and writing DR queues one byte.
        unsafe {
            // QEMU's PL011 never fills up; the bound only documents that a
            // full FIFO is waited for, not forever.
            let mut spins = 0_u32;
            while fr.read_volatile() & FR_TXFF != 0 && spins < 1_000_000 {
                spins += 1;
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

/// Prints `args` while holding the output lock.
pub fn print(args: fmt::Arguments<'_>) {
    let _guard = LOCK.lock();
    // `Pl011::write_str` never fails.
    let _ = Pl011.write_fmt(args);
}

/// Prints `args` without the lock: for the panic and fault paths, which must
/// not wait on a lock their own CPU may hold, and may run with the MMU off.
pub fn print_unlocked(args: fmt::Arguments<'_>) {
    let _ = Pl011.write_fmt(args);
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
