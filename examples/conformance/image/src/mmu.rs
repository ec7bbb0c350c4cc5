//! A flat identity map and the MMU switch at the level the image runs at.
//!
//! With the MMU off every access is Device memory: exclusives (spin locks,
//! `compare_exchange`) are unreliable and unaligned accesses fault. The boot
//! CPU builds one level-1 table of four 1 GiB blocks (the low 4 GiB) at run
//! time: the block that holds the image is Normal write-back memory, every
//! other block Device-nGnRnE and never executable, which covers the UART and
//! whatever else the platform has below 4 GiB. Each CPU then turns its MMU
//! on with that table.

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering};

/// The level-1 table: four 1 GiB entries cover 32 bits of address.
#[repr(C, align(4096))]
struct Table([AtomicU64; 4]);

static TABLE: Table = Table([const { AtomicU64::new(0) }; 4]);

/// Descriptor bits \[1:0\]: a block.
const BLOCK: u64 = 0b01;
/// AttrIndx 0: MAIR attribute 0, Device-nGnRnE.
const ATTR_DEVICE: u64 = 0;
/// AttrIndx 1: MAIR attribute 1, Normal write-back.
const ATTR_NORMAL: u64 = 1 << 2;
/// AP\[1\]: RES1 in the EL2 regime; in EL1&0 it would grant EL0 access.
const AP1: u64 = 1 << 6;
/// Inner shareable.
const INNER_SHAREABLE: u64 = 0b11 << 8;
/// Access flag (otherwise the first access faults).
const AF: u64 = 1 << 10;
/// PXN (EL1&0 only; RES0 at EL2).
const PXN: u64 = 1 << 53;
/// XN at EL2, UXN at EL1&0.
const XN: u64 = 1 << 54;

/// MAIR: attribute 0 Device-nGnRnE, attribute 1 Normal write-back RW-allocate.
const MAIR: u64 = 0xFF00;
/// TCR for EL2 and EL1: T0SZ = 32, walks write-back inner shareable, 4 KiB
/// granule; bits 23 and 31 are RES1 at EL2 and EPD1 / TG1 = 4 KiB at EL1.
const TCR: u64 = 32 | (0b01 << 8) | (0b01 << 10) | (0b11 << 12) | (1 << 23) | (1 << 31);
/// SCTLR: M, C, I set.
const SCTLR_SET: u64 = (1 << 0) | (1 << 2) | (1 << 12);
/// SCTLR: A (alignment checks) and WXN cleared.
const SCTLR_CLEAR: u64 = (1 << 1) | (1 << 19);

/// Fills the table for an image at `image` running at `el` (boot CPU, MMU
/// off, before any other CPU runs).
pub fn build(image: u64, el: u64) {
    let image_block = image >> 30;
    let (device, normal) = if el == 2 {
        (
            BLOCK | ATTR_DEVICE | AF | XN | AP1,
            BLOCK | ATTR_NORMAL | INNER_SHAREABLE | AF | AP1,
        )
    } else {
        (
            BLOCK | ATTR_DEVICE | AF | XN | PXN,
            BLOCK | ATTR_NORMAL | INNER_SHAREABLE | AF,
        )
    };
    for (block, entry) in (0_u64..).zip(TABLE.0.iter()) {
        let attributes = if block == image_block { normal } else { device };
        entry.store((block << 30) | attributes, Ordering::Relaxed);
    }
}

/// Programs MAIR, TCR and TTBR0 of one level, invalidates its TLBs, sets
/// SCTLR.{M, C, I}.
macro_rules! switch_on {
    ($el:literal, $tlbi:literal) => {
        // SAFETY: Only `enable` uses this, with the register suffix of the
        // level this CPU runs at. The table identity-maps the image (code,
        // data, stacks) as Normal memory and the UART as Device memory, the
        // same or better attributes than with the MMU off, so execution goes
        // on at the next instruction. The `dsb` makes the table's stores
        // visible to the walker first; the table is never written again.
        unsafe {
            asm!(
                "dsb sy",
                concat!("msr mair_", $el, ", {mair}"),
                concat!("msr tcr_", $el, ", {tcr}"),
                concat!("msr ttbr0_", $el, ", {table}"),
                "isb",
                concat!("tlbi ", $tlbi),
                "dsb sy",
                "isb",
                concat!("mrs {tmp}, sctlr_", $el),
                "orr {tmp}, {tmp}, {set}",
                "bic {tmp}, {tmp}, {clear}",
                concat!("msr sctlr_", $el, ", {tmp}"),
                "isb",
                mair = in(reg) MAIR,
                tcr = in(reg) TCR,
                table = in(reg) &raw const TABLE,
                set = in(reg) SCTLR_SET,
                clear = in(reg) SCTLR_CLEAR,
                tmp = out(reg) _,
                options(nostack),
            );
        }
    };
}

/// Turns the MMU and caches on at `el` (the current level, 2 or 1).
pub fn enable(el: u64) {
    if el == 2 {
        // SAFETY: HCR_EL2 belongs to the image when it runs at EL2: E2H = 0
        // selects the EL2 translation regime `switch_on` programs, RW = 1
        // keeps a (never used) EL1 AArch64.
        unsafe { asm!("msr hcr_el2, {}", "isb", in(reg) 1_u64 << 31, options(nomem, nostack)) };
        switch_on!("el2", "alle2");
    } else {
        switch_on!("el1", "vmalle1");
    }
}
