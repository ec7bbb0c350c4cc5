// SPDX-License-Identifier: MIT OR Apache-2.0
//! The LFA interface version and a component's firmware version.

use crate::DecodeError;

/// The version of the LFA interface an agent implements (`LFA_VERSION`, x0:
/// bits 30:16 major, bits 15:0 minor, bit 31 clear).
///
/// Ordered by (major, minor); shown as `major.minor`.
///
/// ```
/// use lfa_proto::LfaVersion;
///
/// let v = LfaVersion::decode(0x1_0000).unwrap();
/// assert_eq!(v, LfaVersion::V1_0);
/// assert_eq!(v.to_string(), "1.0");
/// assert!(LfaVersion::new(1, 1) > v);
/// // Bit 31 set is a (negative) status, never a version.
/// assert!(LfaVersion::decode(0x8000_0000).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LfaVersion {
    major: u16,
    minor: u16,
}

impl LfaVersion {
    /// LFA v1.0, the version TF-A's agent reports.
    pub const V1_0: Self = Self::new(1, 0);

    /// The largest major version the 15-bit field holds.
    pub const MAX_MAJOR: u16 = 0x7FFF;

    /// A version.
    ///
    /// # Panics
    ///
    /// If `major` is larger than [`Self::MAX_MAJOR`]: it would not fit in bits
    /// 30:16. This is a caller bug; values decoded from firmware never panic.
    /// [`Self::try_new`] returns `None` instead.
    #[must_use]
    pub const fn new(major: u16, minor: u16) -> Self {
        assert!(major <= Self::MAX_MAJOR, "LFA major version has 15 bits");
        Self { major, minor }
    }

    /// A version, or `None` if `major` is larger than [`Self::MAX_MAJOR`]:
    /// the form that never panics.
    #[must_use]
    pub const fn try_new(major: u16, minor: u16) -> Option<Self> {
        if major > Self::MAX_MAJOR {
            None
        } else {
            Some(Self { major, minor })
        }
    }

    /// The major version (bits 30:16).
    #[must_use]
    pub const fn major(self) -> u16 {
        self.major
    }

    /// The minor version (bits 15:0).
    #[must_use]
    pub const fn minor(self) -> u16 {
        self.minor
    }

    /// Decodes the value of x0 returned by `LFA_VERSION` on success.
    ///
    /// # Errors
    ///
    /// [`DecodeError::InvalidVersion`] if bit 31 or any of bits 63:32 is set.
    /// (A negative x0 is a status; [`VersionResponse`](crate::VersionResponse)'s decoder reports
    /// it as such before it gets here.)
    pub const fn decode(x0: u64) -> Result<Self, DecodeError> {
        if x0 > 0x7FFF_FFFF {
            return Err(DecodeError::InvalidVersion(x0));
        }
        let [lo0, lo1, hi0, hi1, _, _, _, _] = x0.to_le_bytes();
        Ok(Self {
            major: u16::from_le_bytes([hi0, hi1]),
            minor: u16::from_le_bytes([lo0, lo1]),
        })
    }

    /// The value of x0 for this version.
    #[must_use]
    pub const fn encode(self) -> u64 {
        // Widening u16 -> u64 cannot lose bits.
        ((self.major as u64) << 16) | self.minor as u64
    }
}

impl core::fmt::Display for LfaVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A component's firmware version as `LFA_GET_INVENTORY` reports it in x4
/// (current) and x5 (pending): bits 63:32 major, bits 31:0 minor.
///
/// Every 64-bit value is a valid version, so decoding cannot fail. Ordered by
/// (major, minor); shown as `major.minor`.
///
/// ```
/// use lfa_proto::FirmwareVersion;
///
/// let v = FirmwareVersion::from_reg(0x0000_0002_0000_000A);
/// assert_eq!((v.major, v.minor), (2, 10));
/// assert_eq!(v.to_string(), "2.10");
/// assert_eq!(v.to_reg(), 0x0000_0002_0000_000A);
/// assert!(FirmwareVersion::new(3, 0) > FirmwareVersion::new(2, u32::MAX));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FirmwareVersion {
    /// Bits 63:32.
    pub major: u32,
    /// Bits 31:0.
    pub minor: u32,
}

impl FirmwareVersion {
    /// A version.
    #[must_use]
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// Decodes a register.
    #[must_use]
    pub const fn from_reg(reg: u64) -> Self {
        let [a, b, c, d, e, f, g, h] = reg.to_le_bytes();
        Self {
            major: u32::from_le_bytes([e, f, g, h]),
            minor: u32::from_le_bytes([a, b, c, d]),
        }
    }

    /// Encodes into a register.
    #[must_use]
    pub const fn to_reg(self) -> u64 {
        // Widening u32 -> u64 cannot lose bits.
        ((self.major as u64) << 32) | self.minor as u64
    }

    /// `0.0`, which is what a caller reads back from an agent that leaves x4/x5
    /// as it sent them (zeros).
    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.major == 0 && self.minor == 0
    }
}

impl core::fmt::Display for FirmwareVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}
