// SPDX-License-Identifier: MIT OR Apache-2.0
//! A flat identity map and the MMU switch, at whichever EL is running.
//!
//! With the MMU off every data access is Device memory: unaligned accesses
//! fault and exclusives (`ldxr`/`stxr`, so `compare_exchange` and spin locks)
//! are not reliable. Each EL that runs Rust therefore turns its MMU on first
//! ([`lfa_baremetal::mmu::enable`]), with one level-1 table of 1 GiB blocks
//! over a 32-bit address space:
//!
//! | VA = PA               | memory                                   |
//! |-----------------------|------------------------------------------|
//! | 0x0000_0000..4000_0000 | Device-nGnRnE, never executable (UART)  |
//! | 0x4000_0000..8000_0000 | Normal write-back, inner shareable (RAM) |
//! | 0x8000_0000..          | unmapped (a fault)                       |

use lfa_baremetal::mmu::{Table, device_block, normal_block};

/// QEMU `virt` RAM starts at 1 GiB.
const RAM: u64 = 0x4000_0000;

/// The map for the EL2 and EL3 regimes.
static TABLE_EL2_EL3: Table = Table::new([device_block(0, 2), normal_block(RAM, 2), 0, 0]);
/// The map for the EL1&0 regime (AP = 0b00: EL1 read/write, EL0 none).
static TABLE_EL1: Table = Table::new([device_block(0, 1), normal_block(RAM, 1), 0, 0]);

/// Turns the MMU and caches on at `el` (the current EL) with the map above.
pub fn enable(el: u64) {
    let table = if el >= 2 { &TABLE_EL2_EL3 } else { &TABLE_EL1 };
    // SAFETY: `lfa_qemu_start` passes the EL it runs at (and `firmware`
    // clears HCR_EL2, so E2H = 0, before entering EL2). The tables identity-map the code, data,
    // stacks (RAM, Normal) and the UART (Device) this image uses with the
    // attributes they had with the MMU off or better, and are never written.
    unsafe { lfa_baremetal::mmu::enable(el, table) }
}
