// SPDX-License-Identifier: MIT OR Apache-2.0
//! A flat identity map and the MMU switch at the level the image runs at.
//!
//! With the MMU off every access is Device memory: exclusives (spin locks,
//! `compare_exchange`) are unreliable and unaligned accesses fault. The boot
//! CPU builds one level-1 table of four 1 GiB blocks (the low 4 GiB) at run
//! time: the block that holds the image is Normal write-back memory, every
//! other block Device-nGnRnE and never executable, which covers the UART and
//! whatever else the platform has below 4 GiB. Each CPU then turns its MMU
//! on with that table ([`lfa_baremetal::mmu`]).

use core::arch::asm;

use lfa_baremetal::mmu::{Table, device_block, normal_block};

static TABLE: Table = Table::new([0; 4]);

/// Fills the table for an image at `image` running at `el` (boot CPU, MMU
/// off, before any other CPU runs).
pub fn build(image: u64, el: u64) {
    let image_block = image >> 30;
    TABLE.fill(|address| {
        if address >> 30 == image_block {
            normal_block(address, el)
        } else {
            device_block(address, el)
        }
    });
}

/// Turns the MMU and caches on at `el` (the current level, 2 or 1).
pub fn enable(el: u64) {
    if el == 2 {
        // SAFETY: HCR_EL2 belongs to the image when it runs at EL2: E2H = 0
        // selects the EL2 translation regime the switch below programs, RW = 1
        // keeps a (never used) EL1 AArch64.
        unsafe { asm!("msr hcr_el2, {}", "isb", in(reg) 1_u64 << 31, options(nomem, nostack)) };
    }
    // SAFETY: `el` is the level this CPU runs at (read from CurrentEL by the
    // callers), with E2H = 0 at EL2 (above). `build` has filled the table
    // before any CPU gets here: it identity-maps the image (code, data,
    // stacks) as Normal memory and the UART as Device memory, the same or
    // better attributes than with the MMU off, and is never written again.
    unsafe { lfa_baremetal::mmu::enable(el, &TABLE) }
}
