// SPDX-License-Identifier: MIT OR Apache-2.0
//! The SMCCC 1.2 register block, x0..x17.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Number of general-purpose registers that carry arguments and results in an
/// SMCCC v1.2 call (x0..x17, SMCCC 1.2 section 2.6).
pub const REG_COUNT: usize = 18;

/// The registers x0..x17 of one SMCCC v1.2 call, in either direction.
///
/// Index `n` of [`Regs::x`] is register `xn`. The layout is `#[repr(C)]` and
/// free of padding, so a block can be viewed as bytes (and built from bytes)
/// with `zerocopy`, for example to place it in a save area that assembly fills.
///
/// LFA itself only uses x0..x5; an agent must preserve x6..x17, and a faithful
/// agent writes only the registers a call defines. The `encode_into` methods of
/// this crate's response types therefore write just those registers and leave
/// the rest of the block as it was.
///
/// ```
/// use lfa_proto::Regs;
/// use zerocopy::IntoBytes;
///
/// let mut regs = Regs::ZERO;
/// regs.x[0] = 0xC400_02E0;
/// assert_eq!(regs.as_bytes().len(), 18 * 8);
/// assert_eq!(regs.as_bytes()[..4], [0xE0, 0x02, 0x00, 0xC4]);
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Default, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Regs {
    /// x0..x17.
    pub x: [u64; REG_COUNT],
}

impl Regs {
    /// All registers zero.
    pub const ZERO: Self = Self { x: [0; REG_COUNT] };

    /// A block with x0 = `x0` and every other register zero.
    #[must_use]
    pub const fn with_x0(x0: u64) -> Self {
        let mut regs = Self::ZERO;
        regs.x[0] = x0;
        regs
    }
}

impl core::fmt::Debug for Regs {
    /// Prints only the registers LFA defines (x0..x5) in hex, followed by the
    /// others when any of them is non-zero.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [x0, x1, x2, x3, x4, x5, rest @ ..] = &self.x;
        write!(
            f,
            "Regs {{ x0: {x0:#x}, x1: {x1:#x}, x2: {x2:#x}, x3: {x3:#x}, x4: {x4:#x}, x5: {x5:#x}"
        )?;
        if rest.iter().any(|&r| r != 0) {
            for (n, r) in rest.iter().enumerate() {
                write!(f, ", x{}: {r:#x}", n + 6)?;
            }
        }
        f.write_str(" }")
    }
}

/// Reinterprets a register as the signed value SMCCC status codes use.
#[must_use]
pub const fn as_signed(reg: u64) -> i64 {
    i64::from_ne_bytes(reg.to_ne_bytes())
}

/// Reinterprets a signed SMCCC status value as a register (sign-extended).
#[must_use]
pub const fn from_signed(value: i64) -> u64 {
    u64::from_ne_bytes(value.to_ne_bytes())
}
