// SPDX-License-Identifier: MIT OR Apache-2.0
//! Which SMC Calling Convention the firmware implements, and a policy for
//! requiring one: `PSCI_FEATURES(SMCCC_VERSION)`, then `SMCCC_VERSION` (both
//! SMC32, read from w0), as PSCI describes and Linux does; no answer means v1.0.
//! [`SmcccCheck::Assume`] skips the question where the platform is known. The
//! reasons are in the repository's `docs/conduits.md`.
//!
//! ```
//! use lfa_smccc::{Conduit, Regs, SmcccCheck, SmcccError, SmcccVersion, smccc_version};
//!
//! /// Firmware like QEMU's built-in PSCI: every call is NOT_SUPPORTED.
//! struct OldFirmware;
//! impl Conduit for OldFirmware {
//!     fn call(&self, _: &Regs) -> Regs {
//!         Regs::with_x0(u64::MAX) // -1
//!     }
//! }
//!
//! assert_eq!(smccc_version(&OldFirmware), SmcccVersion::V1_0);
//! assert_eq!(
//!     SmcccCheck::Require1_2.check(&OldFirmware),
//!     Err(SmcccError::NotAdvertised { status: -1 })
//! );
//! // The integrator knows better: no call is made.
//! assert_eq!(
//!     SmcccCheck::Assume(SmcccVersion::V1_2).check(&OldFirmware),
//!     Ok(SmcccVersion::V1_2)
//! );
//! ```

use lfa_proto::Regs;

use crate::Conduit;

/// `PSCI_FEATURES` (PSCI 1.0 and later), SMC32 fast call: x1 = a function ID;
/// w0 = 0 (or feature flags) if that function is implemented, else
/// `NOT_SUPPORTED` (-1).
pub const PSCI_FEATURES: u32 = 0x8400_000A;

/// `SMCCC_VERSION` (SMCCC 1.1 and later), SMC32 fast call: w0 = the version,
/// bits 30:16 major and 15:0 minor, or `NOT_SUPPORTED` (-1).
pub const SMCCC_VERSION: u32 = 0x8000_0000;

/// `NOT_SUPPORTED`, the status both calls use for "no such function".
pub const NOT_SUPPORTED: i32 = -1;

/// A version of the SMC Calling Convention, as `SMCCC_VERSION` reports it.
///
/// Ordered by (major, minor); shown as `major.minor`.
///
/// ```
/// use lfa_smccc::SmcccVersion;
///
/// assert_eq!(SmcccVersion::from_w0(0x1_0002), Some(SmcccVersion::V1_2));
/// assert_eq!(SmcccVersion::V1_2.to_w0(), 0x1_0002);
/// assert!(SmcccVersion::new(1, 3) > SmcccVersion::V1_2);
/// assert_eq!(SmcccVersion::new(1, 2).to_string(), "1.2");
/// assert_eq!(SmcccVersion::from_w0(0xFFFF_FFFF), None); // NOT_SUPPORTED
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SmcccVersion {
    major: u16,
    minor: u16,
}

impl SmcccVersion {
    /// SMCCC v1.0: what a firmware without `SMCCC_VERSION` implements.
    pub const V1_0: Self = Self::new(1, 0);
    /// SMCCC v1.1: adds `SMCCC_VERSION`; x4..x17 preserved.
    pub const V1_1: Self = Self::new(1, 1);
    /// SMCCC v1.2: x0..x17 carry arguments and results (LFA's transport).
    pub const V1_2: Self = Self::new(1, 2);
    /// SMCCC v1.3: adds the SVE live-state hint (function ID bit 16).
    pub const V1_3: Self = Self::new(1, 3);

    /// The largest major version the 15-bit field holds.
    pub const MAX_MAJOR: u16 = 0x7FFF;

    /// A version.
    ///
    /// # Panics
    ///
    /// If `major` is larger than [`Self::MAX_MAJOR`] (it would not fit in bits
    /// 30:16). This is a caller bug; values read from firmware never panic.
    #[must_use]
    pub const fn new(major: u16, minor: u16) -> Self {
        assert!(major <= Self::MAX_MAJOR, "SMCCC major version has 15 bits");
        Self { major, minor }
    }

    /// A version, or `None` if `major` does not fit in 15 bits: the form
    /// that never panics.
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

    /// Decodes the w0 that `SMCCC_VERSION` returns: `None` if bit 31 is set
    /// (a negative status) or the major version is 0 (no such version).
    #[must_use]
    pub const fn from_w0(w0: u32) -> Option<Self> {
        let [lo0, lo1, hi0, hi1] = w0.to_le_bytes();
        let major = u16::from_le_bytes([hi0, hi1]);
        if major == 0 || major > Self::MAX_MAJOR {
            return None;
        }
        Some(Self {
            major,
            minor: u16::from_le_bytes([lo0, lo1]),
        })
    }

    /// The w0 value `SMCCC_VERSION` returns for this version.
    #[must_use]
    pub const fn to_w0(self) -> u32 {
        let [hi0, hi1] = self.major.to_le_bytes();
        let [lo0, lo1] = self.minor.to_le_bytes();
        u32::from_le_bytes([lo0, lo1, hi0, hi1])
    }
}

impl core::fmt::Display for SmcccVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Why the SMCCC version could not be established, or is not enough.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SmcccError {
    /// `PSCI_FEATURES(SMCCC_VERSION)` returned a negative w0 (normally
    /// `NOT_SUPPORTED`): the firmware implements SMCCC v1.0, or has no PSCI
    /// 1.0. QEMU `virt` without EL3 answers this way.
    NotAdvertised {
        /// w0 as a signed status.
        status: i32,
    },
    /// `PSCI_FEATURES` advertised `SMCCC_VERSION`, but `SMCCC_VERSION`
    /// returned a negative w0. SMCCC reads `NOT_SUPPORTED` here as v1.0.
    VersionCallFailed {
        /// w0 as a signed status.
        status: i32,
    },
    /// `SMCCC_VERSION` returned a non-negative w0 with major version 0,
    /// which no SMCCC revision is.
    InvalidVersion {
        /// w0 as returned.
        w0: u32,
    },
    /// The firmware reports an older version than required.
    TooOld {
        /// What the firmware reported.
        found: SmcccVersion,
        /// What the check required.
        required: SmcccVersion,
    },
}

// A template per variant, its holes written by lfa-proto's number writer
// (statuses as a sign and a magnitude), is the smaller code in an image that
// prints its errors.
impl core::fmt::Display for SmcccError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let template = match self {
            Self::NotAdvertised { .. } => {
                "PSCI_FEATURES(SMCCC_VERSION) returned {s}: firmware implements SMCCC 1.0 only"
            }
            Self::VersionCallFailed { .. } => "SMCCC_VERSION returned status {s}",
            Self::InvalidVersion { .. } => "SMCCC_VERSION returned {x}, which is not a version",
            Self::TooOld { .. } => "firmware implements SMCCC {f}, at least {r} is required",
        };
        lfa_proto::text::write(f, template, self)
    }
}

// The holes of the templates above: `{s}` the status, `{x}` w0 in hex, `{f}`
// and `{r}` the versions found and required.
impl lfa_proto::text::Holes for SmcccError {
    fn write_hole(&self, f: &mut core::fmt::Formatter<'_>, hole: u8) -> core::fmt::Result {
        match (hole, *self) {
            (_, Self::TooOld { found, required }) => {
                let version = if hole == b'f' { found } else { required };
                core::fmt::Display::fmt(&version, f)
            }
            (_, Self::InvalidVersion { w0 }) => lfa_proto::text::write_hex(f, u64::from(w0)),
            (_, Self::NotAdvertised { status } | Self::VersionCallFailed { status }) => {
                lfa_proto::text::write_signed(f, i64::from(status))
            }
        }
    }
}

impl core::error::Error for SmcccError {}

/// w0 of a result, as a signed status or value.
const fn w0(regs: &Regs) -> i32 {
    let [b0, b1, b2, b3, _, _, _, _] = regs.x[0].to_le_bytes();
    i32::from_le_bytes([b0, b1, b2, b3])
}

/// Asks the firmware for its SMCCC version and says exactly what it answered.
///
/// Makes one call, `PSCI_FEATURES` with x1 = `SMCCC_VERSION`, and if that
/// returns a non-negative w0, a second one, `SMCCC_VERSION`. Every other
/// argument register is zero. Never panics, whatever the registers hold.
///
/// # Errors
///
/// [`SmcccError::NotAdvertised`], [`SmcccError::VersionCallFailed`] or
/// [`SmcccError::InvalidVersion`], as the firmware answered. (Never
/// [`SmcccError::TooOld`]: nothing is required here.)
pub fn query_smccc_version<C: Conduit + ?Sized>(conduit: &C) -> Result<SmcccVersion, SmcccError> {
    let mut features = Regs::with_x0(u64::from(PSCI_FEATURES));
    features.x[1] = u64::from(SMCCC_VERSION);
    let status = w0(&conduit.call(&features));
    if status < 0 {
        return Err(SmcccError::NotAdvertised { status });
    }

    let version = conduit.call(&Regs::with_x0(u64::from(SMCCC_VERSION)));
    let w0 = w0(&version);
    if w0 < 0 {
        return Err(SmcccError::VersionCallFailed { status: w0 });
    }
    let w0 = w0.unsigned_abs();
    SmcccVersion::from_w0(w0).ok_or(SmcccError::InvalidVersion { w0 })
}

/// The SMCCC version the firmware implements, as Linux decides it: whatever
/// `SMCCC_VERSION` reports if `PSCI_FEATURES` advertises it and the answer is
/// a version, otherwise [`SmcccVersion::V1_0`].
///
/// Makes the same one or two calls as [`query_smccc_version`], which tells
/// the cases apart.
pub fn smccc_version<C: Conduit + ?Sized>(conduit: &C) -> SmcccVersion {
    query_smccc_version(conduit).unwrap_or(SmcccVersion::V1_0)
}

/// How a client establishes the SMCCC version before it relies on SMCCC v1.2.
///
/// ```
/// use lfa_smccc::{SmcccCheck, SmcccVersion};
///
/// assert_eq!(SmcccCheck::default(), SmcccCheck::Require1_2);
/// // "I know this firmware does 1.2" (QEMU, old TF-A builds):
/// let policy = SmcccCheck::Assume(SmcccVersion::V1_2);
/// # let _ = policy;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SmcccCheck {
    /// Ask the firmware ([`query_smccc_version`]) and require at least
    /// SMCCC v1.2.
    #[default]
    Require1_2,
    /// Make no call and take this version as the firmware's. For platforms
    /// known to implement v1.2 semantics while reporting less.
    Assume(SmcccVersion),
}

impl SmcccCheck {
    /// Applies the policy through `conduit`.
    ///
    /// `Require1_2` makes the one or two calls of [`query_smccc_version`];
    /// `Assume(v)` makes none and returns `Ok(v)`.
    ///
    /// # Errors
    ///
    /// For `Require1_2`: the errors of [`query_smccc_version`], or
    /// [`SmcccError::TooOld`] if the firmware reports a version below 1.2.
    pub fn check<C: Conduit + ?Sized>(self, conduit: &C) -> Result<SmcccVersion, SmcccError> {
        match self {
            Self::Assume(version) => Ok(version),
            Self::Require1_2 => {
                let found = query_smccc_version(conduit)?;
                if found < SmcccVersion::V1_2 {
                    return Err(SmcccError::TooOld {
                        found,
                        required: SmcccVersion::V1_2,
                    });
                }
                Ok(found)
            }
        }
    }
}
