// SPDX-License-Identifier: MIT OR Apache-2.0
//! LFA function IDs and the anatomy of an SMCCC function ID.

use crate::DecodeError;

/// The seven LFA v1.0 functions (DEN0147 chapter 3; SMC64 fast calls owned by
/// the Standard Secure Service, numbers 0x2E0..=0x2E6).
///
/// Converting from a raw register is `TryFrom<u64>`; any value that is not one
/// of these exact 64-bit patterns is [`DecodeError::UnknownFunction`]. The SMC32
/// encodings of an early draft (0x8400_02Ex) are *not* accepted: LFA is SMC64
/// only.
///
/// ```
/// use lfa_proto::FunctionId;
///
/// assert_eq!(FunctionId::Prime.id(), 0xC400_02E4);
/// assert_eq!(FunctionId::try_from(0xC400_02E5_u64), Ok(FunctionId::Activate));
/// assert!(FunctionId::try_from(0x8400_02E0_u64).is_err());
/// assert_eq!(FunctionId::Activate.name(), "LFA_ACTIVATE");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[non_exhaustive]
pub enum FunctionId {
    /// `LFA_VERSION` (0xC400_02E0): the agent's LFA version.
    Version = 0xC400_02E0,
    /// `LFA_FEATURES` (0xC400_02E1): is a function implemented?
    Features = 0xC400_02E1,
    /// `LFA_GET_INFO` (0xC400_02E2): agent-wide information (component count).
    GetInfo = 0xC400_02E2,
    /// `LFA_GET_INVENTORY` (0xC400_02E3): one component's UUID, flags, versions.
    GetInventory = 0xC400_02E3,
    /// `LFA_PRIME` (0xC400_02E4): prepare a pending component for activation.
    Prime = 0xC400_02E4,
    /// `LFA_ACTIVATE` (0xC400_02E5): activate the primed component.
    Activate = 0xC400_02E5,
    /// `LFA_CANCEL` (0xC400_02E6): abandon a prime or an activation.
    Cancel = 0xC400_02E6,
}

impl FunctionId {
    /// Every LFA function, in numeric order.
    pub const ALL: [Self; 7] = [
        Self::Version,
        Self::Features,
        Self::GetInfo,
        Self::GetInventory,
        Self::Prime,
        Self::Activate,
        Self::Cancel,
    ];

    /// The 32-bit function ID.
    #[must_use]
    pub const fn id(self) -> u32 {
        self as u32
    }

    /// The function ID as it is placed in x0 (zero-extended).
    #[must_use]
    pub const fn to_x0(self) -> u64 {
        // Widening u32 -> u64 cannot lose bits.
        self.id() as u64
    }

    /// The name the specification uses, for example `"LFA_PRIME"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Version => "LFA_VERSION",
            Self::Features => "LFA_FEATURES",
            Self::GetInfo => "LFA_GET_INFO",
            Self::GetInventory => "LFA_GET_INVENTORY",
            Self::Prime => "LFA_PRIME",
            Self::Activate => "LFA_ACTIVATE",
            Self::Cancel => "LFA_CANCEL",
        }
    }

    /// The anatomy of this ID.
    #[must_use]
    pub const fn anatomy(self) -> SmcccFunctionId {
        SmcccFunctionId(self.id())
    }
}

impl core::fmt::Display for FunctionId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<u64> for FunctionId {
    type Error = DecodeError;

    /// Compares all 64 bits of the register, as Trusted Firmware-A does.
    #[inline]
    fn try_from(x0: u64) -> Result<Self, DecodeError> {
        // `ALL` is in id order from LFA_VERSION: one subtraction and a
        // bounds check instead of seven compares.
        x0.checked_sub(Self::Version.to_x0())
            .and_then(|offset| usize::try_from(offset).ok())
            .and_then(|offset| Self::ALL.get(offset))
            .copied()
            .ok_or(DecodeError::UnknownFunction(x0))
    }
}

impl TryFrom<u32> for FunctionId {
    type Error = DecodeError;

    fn try_from(id: u32) -> Result<Self, DecodeError> {
        Self::try_from(u64::from(id))
    }
}

impl From<FunctionId> for u32 {
    fn from(f: FunctionId) -> u32 {
        f.id()
    }
}

impl From<FunctionId> for u64 {
    fn from(f: FunctionId) -> u64 {
        f.to_x0()
    }
}

/// Who owns a range of SMCCC function IDs (SMCCC table 6-2, bits 29:24).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// 0: Arm Architecture calls.
    Arm,
    /// 1: CPU service calls.
    Cpu,
    /// 2: SiP service calls.
    Sip,
    /// 3: OEM service calls.
    Oem,
    /// 4: Standard Secure service calls (PSCI, LFA, ...).
    StandardSecure,
    /// 5: Standard Hypervisor service calls.
    StandardHypervisor,
    /// 6: Vendor specific Hypervisor service calls.
    VendorHypervisor,
    /// 7..=47 (reserved), 48..=49 (Trusted Applications), 50..=63 (Trusted OS):
    /// the raw owner number.
    Other(u8),
}

impl Owner {
    /// The 6-bit owner number.
    #[must_use]
    pub const fn number(self) -> u8 {
        match self {
            Self::Arm => 0,
            Self::Cpu => 1,
            Self::Sip => 2,
            Self::Oem => 3,
            Self::StandardSecure => 4,
            Self::StandardHypervisor => 5,
            Self::VendorHypervisor => 6,
            Self::Other(n) => n & 0x3F,
        }
    }

    const fn from_number(n: u8) -> Self {
        match n {
            0 => Self::Arm,
            1 => Self::Cpu,
            2 => Self::Sip,
            3 => Self::Oem,
            4 => Self::StandardSecure,
            5 => Self::StandardHypervisor,
            6 => Self::VendorHypervisor,
            other => Self::Other(other),
        }
    }
}

/// A raw 32-bit SMCCC function ID, taken apart (SMCCC section 2.5, table 2-1).
///
/// ```
/// use lfa_proto::{FunctionId, Owner, SmcccFunctionId};
///
/// let prime = FunctionId::Prime.anatomy();
/// assert!(prime.is_fast_call());
/// assert!(prime.is_smc64());
/// assert_eq!(prime.owner(), Owner::StandardSecure);
/// assert_eq!(prime.number(), 0x2E4);
/// assert_eq!(SmcccFunctionId::new(true, true, Owner::StandardSecure, 0x2E4), prime);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SmcccFunctionId(pub u32);

impl SmcccFunctionId {
    const FAST: u32 = 1 << 31;
    const SMC64: u32 = 1 << 30;

    /// Builds an ID from its fields; bits 23:16 are zero.
    #[must_use]
    pub const fn new(fast: bool, smc64: bool, owner: Owner, number: u16) -> Self {
        let mut id = 0;
        if fast {
            id |= Self::FAST;
        }
        if smc64 {
            id |= Self::SMC64;
        }
        // Widening u8 -> u32 and u16 -> u32 cannot lose bits.
        id |= (owner.number() as u32) << 24;
        id |= number as u32;
        Self(id)
    }

    /// Bit 31: a fast call (as opposed to a yielding call).
    #[must_use]
    pub const fn is_fast_call(self) -> bool {
        self.0 & Self::FAST != 0
    }

    /// Bit 30: the SMC64/HVC64 calling convention.
    #[must_use]
    pub const fn is_smc64(self) -> bool {
        self.0 & Self::SMC64 != 0
    }

    /// Bits 29:24: the service owner.
    #[must_use]
    pub const fn owner(self) -> Owner {
        let [_, _, _, top] = self.0.to_le_bytes();
        Owner::from_number(top & 0x3F)
    }

    /// Bits 23:16, which SMCCC reserves (MBZ) for fast calls, except bit 16
    /// (the SVE live-state hint of SMCCC 1.3).
    #[must_use]
    pub const fn reserved_bits(self) -> u8 {
        let [_, _, r, _] = self.0.to_le_bytes();
        r
    }

    /// Bits 15:0: the function number within the owner's range.
    #[must_use]
    pub const fn number(self) -> u16 {
        let [lo, hi, _, _] = self.0.to_le_bytes();
        u16::from_le_bytes([lo, hi])
    }
}

#[cfg(test)]
mod tests {
    use super::FunctionId;
    use crate::DecodeError;

    /// `try_from` indexes `ALL` by `x0 - LFA_VERSION`: every id maps to its
    /// own function, and nothing around the range or in the upper 32 bits
    /// maps to any.
    #[test]
    fn try_from_every_id_and_nothing_else() {
        for (offset, function) in (0_u64..).zip(FunctionId::ALL) {
            let x0 = 0xC400_02E0 + offset;
            assert_eq!(function.to_x0(), x0);
            assert_eq!(FunctionId::try_from(x0), Ok(function));
            assert_eq!(
                FunctionId::try_from(x0 | 1 << 32),
                Err(DecodeError::UnknownFunction(x0 | 1 << 32))
            );
        }
        for x0 in [0, 0xC400_02DF, 0xC400_02E7, 0x8400_02E0, u64::MAX] {
            assert_eq!(
                FunctionId::try_from(x0),
                Err(DecodeError::UnknownFunction(x0))
            );
        }
    }
}
