// SPDX-License-Identifier: MIT OR Apache-2.0
//! A flat identity map of the low 4 GiB and the MMU switch, at whichever EL
//! the caller runs.
//!
//! With the MMU off every data access is Device memory: unaligned accesses
//! fault and exclusives (`ldxr`/`stxr`, so `compare_exchange` and spin
//! locks) are not reliable. Each EL that runs Rust therefore turns its MMU
//! on first, with one level-1 [`Table`] of four 1 GiB blocks whose entries
//! the image chooses with [`device_block`] and [`normal_block`] (the
//! attributes depend on the regime: EL2 and EL3 have one privilege level,
//! EL1&0 two).

use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering};

/// Descriptor bits \[1:0\]: a block.
const BLOCK: u64 = 0b01;
/// AttrIndx = 0: MAIR attribute 0, Device-nGnRnE.
const ATTR_DEVICE: u64 = 0;
/// AttrIndx = 1: MAIR attribute 1, Normal write-back.
const ATTR_NORMAL: u64 = 1 << 2;
/// AP\[1\]: RES1 in the one-privilege-level regimes (EL2, EL3); in EL1&0 it
/// would grant EL0 access.
const AP1_RES1: u64 = 1 << 6;
/// SH = 0b11: inner shareable.
const INNER_SHAREABLE: u64 = 0b11 << 8;
/// AF: accessed (otherwise the first access faults).
const AF: u64 = 1 << 10;
/// PXN (EL1&0 regime only; RES0 at EL2 and EL3).
const PXN: u64 = 1 << 53;
/// XN at EL2/EL3, UXN at EL1&0.
const XN: u64 = 1 << 54;

/// MAIR: attribute 0 = 0x00 (Device-nGnRnE), attribute 1 = 0xFF (Normal,
/// inner and outer write-back read/write-allocate).
const MAIR: u64 = 0xFF00;
/// TCR for all three ELs: T0SZ = 32 (4 GiB), walks inner/outer write-back
/// cacheable and inner shareable, 4 KiB granule, 32-bit physical addresses.
/// Bits 23 and 31 are RES1 in TCR_EL2/TCR_EL3; in TCR_EL1 the same bits are
/// EPD1 (no TTBR1 walks) and TG1 = 4 KiB.
const TCR: u64 = 32 | (0b01 << 8) | (0b01 << 10) | (0b11 << 12) | (1 << 23) | (1 << 31);
/// SCTLR bits set: M (MMU), C (data cache), I (instruction cache).
const SCTLR_SET: u64 = (1 << 0) | (1 << 2) | (1 << 12);
/// SCTLR bits cleared: A (alignment checks), WXN.
const SCTLR_CLEAR: u64 = (1 << 1) | (1 << 19);

/// The block entry that maps the 1 GiB at `address` (1 GiB aligned) as
/// Device-nGnRnE, never executable, in the regime of `el` (1, 2 or 3).
#[must_use]
pub const fn device_block(address: u64, el: u64) -> u64 {
    if el >= 2 {
        address | BLOCK | ATTR_DEVICE | AF | XN | AP1_RES1
    } else {
        address | BLOCK | ATTR_DEVICE | AF | XN | PXN
    }
}

/// The block entry that maps the 1 GiB at `address` (1 GiB aligned) as
/// Normal write-back, inner shareable memory, in the regime of `el` (1, 2
/// or 3; at EL1 AP = 0b00: EL1 read/write, EL0 none).
#[must_use]
pub const fn normal_block(address: u64, el: u64) -> u64 {
    if el >= 2 {
        address | BLOCK | ATTR_NORMAL | INNER_SHAREABLE | AF | AP1_RES1
    } else {
        address | BLOCK | ATTR_NORMAL | INNER_SHAREABLE | AF
    }
}

/// One level-1 translation table: four 1 GiB entries cover the 32-bit
/// space. The entries are atomics so that a table can be a `static` filled
/// at run time ([`Table::fill`]) as well as a constant one ([`Table::new`]).
#[derive(Debug)]
#[repr(C, align(4096))]
pub struct Table([AtomicU64; 4]);

impl Table {
    /// A table with these four entries (0 is unmapped).
    #[must_use]
    pub const fn new(entries: [u64; 4]) -> Self {
        let [a, b, c, d] = entries;
        Self([
            AtomicU64::new(a),
            AtomicU64::new(b),
            AtomicU64::new(c),
            AtomicU64::new(d),
        ])
    }

    /// Sets every entry to `entry(address)`, `address` being the start of
    /// the GiB the entry maps. Only before any CPU has turned its MMU on
    /// with this table.
    pub fn fill(&self, entry: impl Fn(u64) -> u64) {
        for (block, slot) in (0_u64..).zip(self.0.iter()) {
            slot.store(entry(block << 30), Ordering::Relaxed);
        }
    }
}

/// Programs MAIR, TCR and TTBR0 of one EL, invalidates its TLBs and sets
/// SCTLR.{M, C, I}. `$el` is the register suffix, `$tlbi` the TLBI operation
/// for that EL's regime.
macro_rules! switch_on {
    ($el:literal, $tlbi:literal, $table:expr) => {
        // SAFETY: `enable`'s caller promises the current EL's suffix and a table
        // that identity-maps all code, data, stacks and devices in use, so execution
        // continues at the same addresses; the `dsb` publishes the table to the
        // walker and the TLBs are invalidated before SCTLR is written.
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
                table = in(reg) $table,
                set = in(reg) SCTLR_SET,
                clear = in(reg) SCTLR_CLEAR,
                tmp = out(reg) _,
                options(nostack),
            );
        }
    };
}

/// Turns the MMU and caches on at `el` (3, 2, or anything else for EL1)
/// with `table`.
///
/// # Safety
///
/// `el` must be the EL this CPU runs at (at EL2 with HCR_EL2.E2H = 0), and
/// `table` must identity-map everything the program touches from here on
/// (code, data, stacks, devices) with attributes that work for it, and must
/// not change while any CPU uses it.
pub unsafe fn enable(el: u64, table: &'static Table) {
    let table: *const Table = table;
    match el {
        3 => switch_on!("el3", "alle3", table),
        2 => switch_on!("el2", "alle2", table),
        _ => switch_on!("el1", "vmalle1", table),
    }
}
