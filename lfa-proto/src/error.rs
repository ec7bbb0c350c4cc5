// SPDX-License-Identifier: MIT OR Apache-2.0
//! Errors of decoding registers.

use crate::{FunctionId, LfaError};

/// A register block that does not decode to the expected request or response.
///
/// Decoding never panics: every register pattern is either a value or one of
/// these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeError {
    /// x0 of a request is not an LFA function ID (all 64 bits compared).
    UnknownFunction(u64),
    /// x0 of a request is an LFA function, but not the one being decoded.
    WrongFunction {
        /// The function being decoded.
        expected: FunctionId,
        /// The value of x0.
        found: u64,
    },
    /// `LFA_GET_INFO` with an information selector other than 0.
    UnknownInfoSelector(u64),
    /// A component sequence id with any of bits 63:32 set.
    SeqIdOutOfRange(u64),
    /// A register of a request has reserved bits set.
    ReservedBits {
        /// The call.
        function: FunctionId,
        /// The register number.
        reg: u8,
        /// The reserved bits that are set.
        bits: u64,
    },
    /// `LFA_VERSION` returned a non-negative x0 with bit 31 or bits 63:32 set.
    InvalidVersion(u64),
    /// `LFA_FEATURES` returned a positive x0 (LFA defines only 0 and errors).
    InvalidFeatures(u64),
    /// `LFA_GET_INFO` returned a component count that does not fit in 32 bits,
    /// so some components could not be addressed by a sequence id.
    CountOutOfRange(u64),
}

// A template per variant, its holes written by `text` (one number writer),
// is the smaller code in an image that prints its errors.
impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let template = match self {
            Self::UnknownFunction(_) => "{x} is not an LFA function ID",
            Self::WrongFunction { .. } => "expected {k}, found function ID {x}",
            Self::UnknownInfoSelector(_) => "LFA_GET_INFO selector {x} is not defined (only 0 is)",
            Self::SeqIdOutOfRange(_) => "sequence id {x} does not fit in 32 bits",
            Self::ReservedBits { .. } => "{k}: reserved bits {x} set in x{r}",
            Self::InvalidVersion(_) => "x0 = {x} is neither a status nor an LFA version",
            Self::InvalidFeatures(_) => {
                "LFA_FEATURES returned {x}, which is neither 0 nor an error status"
            }
            Self::CountOutOfRange(_) => {
                "LFA_GET_INFO returned {x} components, more than 32-bit sequence ids can address"
            }
        };
        crate::text::write(f, template, self)
    }
}

// The holes of the templates above: `{k}` the function, `{x}` the value in
// hex, `{r}` the register number.
impl crate::text::Holes for DecodeError {
    fn write_hole(&self, f: &mut core::fmt::Formatter<'_>, hole: u8) -> core::fmt::Result {
        match (hole, *self) {
            (
                b'k',
                Self::WrongFunction {
                    expected: function, ..
                }
                | Self::ReservedBits { function, .. },
            ) => f.write_str(function.name()),
            (b'r', Self::ReservedBits { reg, .. }) => crate::text::write_decimal(f, u64::from(reg)),
            (
                _,
                Self::UnknownFunction(value)
                | Self::WrongFunction { found: value, .. }
                | Self::UnknownInfoSelector(value)
                | Self::SeqIdOutOfRange(value)
                | Self::ReservedBits { bits: value, .. }
                | Self::InvalidVersion(value)
                | Self::InvalidFeatures(value)
                | Self::CountOutOfRange(value),
            ) => crate::text::write_hex(f, value),
        }
    }
}

impl core::error::Error for DecodeError {}

impl DecodeError {
    /// The status an agent answers a request that fails to decode with:
    /// `NOT_SUPPORTED` for an unknown function, `INVALID_PARAMETERS` otherwise.
    #[must_use]
    pub const fn agent_status(self) -> LfaError {
        match self {
            Self::UnknownFunction(_) => LfaError::NotSupported,
            _ => LfaError::InvalidParameters,
        }
    }
}

/// Why a response did not decode to a success value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ResponseError {
    /// The agent returned an error status in x0.
    #[error("firmware returned {0}")]
    Status(#[from] LfaError),
    /// x0 said success, but the other registers are malformed.
    #[error("malformed response: {0}")]
    Malformed(#[from] DecodeError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn every_decode_error_message_is_exact() {
        let cases = [
            (
                DecodeError::UnknownFunction(0xC400_0999),
                "0xc4000999 is not an LFA function ID",
            ),
            (
                DecodeError::WrongFunction {
                    expected: FunctionId::Prime,
                    found: 0xC400_02E0,
                },
                "expected LFA_PRIME, found function ID 0xc40002e0",
            ),
            (
                DecodeError::UnknownInfoSelector(1),
                "LFA_GET_INFO selector 0x1 is not defined (only 0 is)",
            ),
            (
                DecodeError::SeqIdOutOfRange(u64::MAX),
                "sequence id 0xffffffffffffffff does not fit in 32 bits",
            ),
            (
                DecodeError::ReservedBits {
                    function: FunctionId::Activate,
                    reg: 255,
                    bits: 0x8000_0000_0000_0000,
                },
                "LFA_ACTIVATE: reserved bits 0x8000000000000000 set in x255",
            ),
            (
                DecodeError::InvalidVersion(0x8000_0000),
                "x0 = 0x80000000 is neither a status nor an LFA version",
            ),
            (
                DecodeError::InvalidFeatures(2),
                "LFA_FEATURES returned 0x2, which is neither 0 nor an error status",
            ),
            (
                DecodeError::CountOutOfRange(0x1_0000_0000),
                "LFA_GET_INFO returned 0x100000000 components, more than 32-bit sequence ids can address",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
