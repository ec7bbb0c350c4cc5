//! A flat identity map and the MMU switch, at whichever EL is running.
//!
//! With the MMU off every data access is Device memory: unaligned accesses
//! fault and exclusives (`ldxr`/`stxr`, so `compare_exchange` and spin locks)
//! are not reliable. Each EL that runs Rust therefore turns its MMU on first,
//! with one level-1 table of 1 GiB blocks over a 32-bit address space:
//!
//! | VA = PA               | memory                                   |
//! |-----------------------|------------------------------------------|
//! | 0x0000_0000..4000_0000 | Device-nGnRnE, never executable (UART)  |
//! | 0x4000_0000..8000_0000 | Normal write-back, inner shareable (RAM) |
//! | 0x8000_0000..          | unmapped (a fault)                       |

use core::arch::asm;

/// One level-1 translation table: four 1 GiB entries cover the 32-bit space.
#[repr(C, align(4096))]
struct Table([u64; 4]);

/// Descriptor bits [1:0]: a block.
const BLOCK: u64 = 0b01;
/// AttrIndx = 0: MAIR attribute 0, Device-nGnRnE.
const ATTR_DEVICE: u64 = 0 << 2;
/// AttrIndx = 1: MAIR attribute 1, Normal write-back.
const ATTR_NORMAL: u64 = 1 << 2;
/// AP[1], RES1 in the one-privilege-level regimes (EL2, EL3).
const AP1_RES1: u64 = 1 << 6;
/// SH = 0b11: inner shareable.
const INNER_SHAREABLE: u64 = 0b11 << 8;
/// AF: accessed (otherwise the first access faults).
const AF: u64 = 1 << 10;
/// PXN (EL1&0 regime only; RES0 at EL2 and EL3).
const PXN: u64 = 1 << 53;
/// XN at EL2/EL3, UXN at EL1&0.
const XN: u64 = 1 << 54;

const DEVICE_GIB_0: u64 = BLOCK | ATTR_DEVICE | AF | XN;
const RAM_GIB_1: u64 = 0x4000_0000 | BLOCK | ATTR_NORMAL | INNER_SHAREABLE | AF;

/// The map for the EL2 and EL3 regimes.
static TABLE_EL2_EL3: Table = Table([DEVICE_GIB_0 | AP1_RES1, RAM_GIB_1 | AP1_RES1, 0, 0]);
/// The map for the EL1&0 regime (AP = 0b00: EL1 read/write, EL0 none).
static TABLE_EL1: Table = Table([DEVICE_GIB_0 | PXN, RAM_GIB_1, 0, 0]);

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

/// Programs MAIR, TCR and TTBR0 of one EL, invalidates its TLBs and sets
/// SCTLR.{M, C, I}. `$el` is the register suffix, `$tlbi` the TLBI operation
/// for that EL's regime.
macro_rules! switch_on {
    ($el:literal, $tlbi:literal, $table:expr) => {
        // SAFETY: Only `enable` uses this, with the suffix of the current EL.
        // The table is a static in RAM and identity-maps the code, data,
        // stacks and UART this image uses with the attributes they had with
        // the MMU off or better, so execution continues at the next
        // instruction with the same addresses. The TLBs are invalidated
        // before the switch; the table is never written.
        unsafe {
            asm!(
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

/// Turns the MMU and caches on at `el` (the current EL) with the map above.
pub fn enable(el: u64) {
    match el {
        3 => switch_on!("el3", "alle3", &raw const TABLE_EL2_EL3),
        2 => switch_on!("el2", "alle2", &raw const TABLE_EL2_EL3),
        _ => switch_on!("el1", "vmalle1", &raw const TABLE_EL1),
    }
}
