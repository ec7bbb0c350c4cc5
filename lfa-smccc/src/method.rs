// SPDX-License-Identifier: MIT OR Apache-2.0
//! Choosing the conduit at run time: `smc` or `hvc`.
//!
//! Firmware tells the operating system which instruction reaches its SMCCC
//! services in one of two places, and LFA uses the same conduit as PSCI:
//!
//! - a device tree: the `method` property of the `/psci` node (and of the
//!   proposed `arm,lfa` node), the string `"smc"` or `"hvc"`;
//! - ACPI: the `ARM_BOOT_ARCH` field of the FADT (ACPI 6.x section 5.2.9.4),
//!   bit 0 `PSCI_COMPLIANT` and bit 1 `PSCI_USE_HVC`.
//!
//! [`Method`] is that choice as a value. It exists on every target, so the
//! parsing is the same (and tested) everywhere; on AArch64 it also implements
//! [`Conduit`](crate::Conduit) and issues the instruction it names.

/// The instruction that carries SMCCC calls to the firmware: `smc #0` or
/// `hvc #0`.
///
/// On `target_arch = "aarch64"` a `Method` is a [`Conduit`](crate::Conduit)
/// that issues its instruction (see `Smc` and `Hvc`); on other targets it is
/// only the parsed value, and code chooses another conduit (see the crate
/// documentation, "Portable code").
///
/// ```
/// use lfa_smccc::{Method, MethodError};
///
/// // A device tree property value, as the bytes of the blob (NUL included).
/// assert_eq!(Method::from_dt_method(b"hvc\0"), Ok(Method::Hvc));
/// assert_eq!(Method::from_dt_method("smc"), Ok(Method::Smc));
/// assert_eq!(Method::from_dt_method("SMC"), Err(MethodError::UnknownDtMethod));
///
/// // ACPI FADT ARM_BOOT_ARCH: PSCI_COMPLIANT | PSCI_USE_HVC, as QEMU's virt machine sets it.
/// assert_eq!(Method::from_fadt_arm_boot_flags(0b11), Ok(Method::Hvc));
/// assert_eq!(Method::from_fadt_arm_boot_flags(0b01), Ok(Method::Smc));
/// assert!(Method::from_fadt_arm_boot_flags(0b10).is_err()); // not PSCI compliant
/// assert_eq!(Method::Hvc.to_string(), "hvc");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `smc #0`: Secure Monitor Call, taken to EL3 (or trapped to EL2).
    Smc,
    /// `hvc #0`: Hypervisor Call, taken to EL2.
    Hvc,
}

impl Method {
    /// `ARM_BOOT_ARCH` bit 0, `PSCI_COMPLIANT`: PSCI is implemented.
    pub const FADT_PSCI_COMPLIANT: u16 = 1 << 0;

    /// `ARM_BOOT_ARCH` bit 1, `PSCI_USE_HVC`: use `hvc` instead of `smc`.
    pub const FADT_PSCI_USE_HVC: u16 = 1 << 1;

    /// Parses the value of a device tree `method` property.
    ///
    /// `value` is the property's bytes as they are stored in the blob (one
    /// string with its terminating NUL, such as `b"smc\0"`) or the string
    /// without the NUL (`"smc"`); a `&str`, `&[u8]` or byte array literal all
    /// work. The comparison is exact and case-sensitive, as the device tree
    /// binding defines exactly the values `"smc"` and `"hvc"`.
    ///
    /// # Errors
    ///
    /// - [`MethodError::EmptyDtMethod`] for an empty value (or a lone NUL);
    /// - [`MethodError::NotOneDtString`] if a NUL appears before the last
    ///   byte: a string list such as `b"smc\0hvc\0"`, or padding NULs;
    /// - [`MethodError::UnknownDtMethod`] for any other string.
    pub fn from_dt_method(value: impl AsRef<[u8]>) -> Result<Self, MethodError> {
        let bytes = value.as_ref();
        let string = match bytes.split_last() {
            None | Some((0, [])) => return Err(MethodError::EmptyDtMethod),
            Some((0, string)) => string,
            Some(_) => bytes,
        };
        if string.contains(&0) {
            return Err(MethodError::NotOneDtString);
        }
        match string {
            b"smc" => Ok(Self::Smc),
            b"hvc" => Ok(Self::Hvc),
            _ => Err(MethodError::UnknownDtMethod),
        }
    }

    /// Chooses the conduit from the ACPI FADT `ARM_BOOT_ARCH` flags (the
    /// 16-bit field at byte offset 129 of the FADT, little-endian).
    ///
    /// Bit 1 (`PSCI_USE_HVC`) selects `hvc`, otherwise `smc`. Bits 15:2 are
    /// reserved and ignored, so a later ACPI revision that defines them does
    /// not change the choice.
    ///
    /// # Errors
    ///
    /// [`MethodError::NotPsciCompliant`] if bit 0 (`PSCI_COMPLIANT`) is
    /// clear: the firmware declares no PSCI, so neither instruction is known
    /// to reach it (`PSCI_USE_HVC` means nothing then).
    pub const fn from_fadt_arm_boot_flags(arm_boot_flags: u16) -> Result<Self, MethodError> {
        if arm_boot_flags & Self::FADT_PSCI_COMPLIANT == 0 {
            return Err(MethodError::NotPsciCompliant { arm_boot_flags });
        }
        if arm_boot_flags & Self::FADT_PSCI_USE_HVC != 0 {
            Ok(Self::Hvc)
        } else {
            Ok(Self::Smc)
        }
    }

    /// The device tree spelling: `"smc"` or `"hvc"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Smc => "smc",
            Self::Hvc => "hvc",
        }
    }
}

impl core::fmt::Display for Method {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a device tree `method` value or FADT flags name no conduit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MethodError {
    /// The `method` property is empty, or holds only a NUL.
    EmptyDtMethod,
    /// The `method` property holds more than one string (a NUL before its
    /// last byte).
    NotOneDtString,
    /// The `method` property is a string other than `"smc"` or `"hvc"`.
    UnknownDtMethod,
    /// The FADT `ARM_BOOT_ARCH` flags lack `PSCI_COMPLIANT` (bit 0).
    NotPsciCompliant {
        /// The flags as given.
        arm_boot_flags: u16,
    },
}

impl core::fmt::Display for MethodError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::EmptyDtMethod => f.write_str("device tree `method` property is empty"),
            Self::NotOneDtString => {
                f.write_str("device tree `method` property holds more than one string")
            }
            Self::UnknownDtMethod => {
                f.write_str("device tree `method` property is neither \"smc\" nor \"hvc\"")
            }
            Self::NotPsciCompliant { arm_boot_flags } => write!(
                f,
                "FADT ARM_BOOT_ARCH {arm_boot_flags:#06x} lacks PSCI_COMPLIANT (bit 0): no PSCI conduit"
            ),
        }
    }
}

impl core::error::Error for MethodError {}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::{Method, MethodError};
    use std::string::ToString;

    #[test]
    fn dt_method_exact_strings() {
        assert_eq!(Method::from_dt_method("smc"), Ok(Method::Smc));
        assert_eq!(Method::from_dt_method("hvc"), Ok(Method::Hvc));
        assert_eq!(Method::from_dt_method(b"smc"), Ok(Method::Smc));
        assert_eq!(Method::from_dt_method(&b"hvc"[..]), Ok(Method::Hvc));
    }

    #[test]
    fn dt_method_with_terminating_nul_as_in_the_blob() {
        assert_eq!(Method::from_dt_method(b"smc\0"), Ok(Method::Smc));
        assert_eq!(Method::from_dt_method(b"hvc\0"), Ok(Method::Hvc));
        assert_eq!(Method::from_dt_method("hvc\0"), Ok(Method::Hvc));
    }

    #[test]
    fn dt_method_empty() {
        assert_eq!(Method::from_dt_method(""), Err(MethodError::EmptyDtMethod));
        assert_eq!(
            Method::from_dt_method(b"\0"),
            Err(MethodError::EmptyDtMethod)
        );
    }

    #[test]
    fn dt_method_more_than_one_string() {
        for bad in [&b"smc\0hvc\0"[..], b"smc\0\0", b"\0smc", b"\0\0", b"sm\0c"] {
            assert_eq!(
                Method::from_dt_method(bad),
                Err(MethodError::NotOneDtString),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn dt_method_unknown_strings() {
        for bad in [
            &b"SMC"[..],
            b"Hvc",
            b"smc ",
            b" smc",
            b"smcc",
            b"sm",
            b"svc",
            b"psci",
            b"smc\n",
            b"\xff\xfe",
            b"hvc\x01",
        ] {
            assert_eq!(
                Method::from_dt_method(bad),
                Err(MethodError::UnknownDtMethod),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn fadt_flags() {
        assert_eq!(Method::from_fadt_arm_boot_flags(0b01), Ok(Method::Smc));
        assert_eq!(Method::from_fadt_arm_boot_flags(0b11), Ok(Method::Hvc));
        // Reserved bits 15:2 do not change the choice.
        assert_eq!(Method::from_fadt_arm_boot_flags(0xFFFD), Ok(Method::Smc));
        assert_eq!(Method::from_fadt_arm_boot_flags(0xFFFF), Ok(Method::Hvc));
        for flags in [0, 0b10, 0xFFFE, 0xFFFC] {
            assert_eq!(
                Method::from_fadt_arm_boot_flags(flags),
                Err(MethodError::NotPsciCompliant {
                    arm_boot_flags: flags
                })
            );
        }
        assert_eq!(Method::FADT_PSCI_COMPLIANT, 1);
        assert_eq!(Method::FADT_PSCI_USE_HVC, 2);
    }

    #[test]
    fn names_and_messages() {
        assert_eq!(Method::Smc.to_string(), "smc");
        assert_eq!(Method::Hvc.name(), "hvc");
        // The name parses back to the same method.
        for m in [Method::Smc, Method::Hvc] {
            assert_eq!(Method::from_dt_method(m.name()), Ok(m));
        }
        assert_eq!(
            MethodError::NotPsciCompliant { arm_boot_flags: 2 }.to_string(),
            "FADT ARM_BOOT_ARCH 0x0002 lacks PSCI_COMPLIANT (bit 0): no PSCI conduit"
        );
        assert_eq!(
            MethodError::UnknownDtMethod.to_string(),
            "device tree `method` property is neither \"smc\" nor \"hvc\""
        );
    }
}
