// SPDX-License-Identifier: MIT OR Apache-2.0
//! Errors of decoding registers.

use crate::{FunctionId, LfaError};

/// A register block that does not decode to the expected request or response.
///
/// Decoding never panics: every register pattern is either a value or one of
/// these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// x0 of a request is not an LFA function ID (all 64 bits compared).
    #[error("{0:#x} is not an LFA function ID")]
    UnknownFunction(u64),
    /// x0 of a request is an LFA function, but not the one being decoded.
    #[error("expected {expected}, found function ID {found:#x}")]
    WrongFunction {
        /// The function being decoded.
        expected: FunctionId,
        /// The value of x0.
        found: u64,
    },
    /// `LFA_GET_INFO` with an information selector other than 0.
    #[error("LFA_GET_INFO selector {0:#x} is not defined (only 0 is)")]
    UnknownInfoSelector(u64),
    /// A component sequence id with any of bits 63:32 set.
    #[error("sequence id {0:#x} does not fit in 32 bits")]
    SeqIdOutOfRange(u64),
    /// A register of a request has reserved bits set.
    #[error("{function}: reserved bits {bits:#x} set in x{reg}")]
    ReservedBits {
        /// The call.
        function: FunctionId,
        /// The register number.
        reg: u8,
        /// The reserved bits that are set.
        bits: u64,
    },
    /// `LFA_VERSION` returned a non-negative x0 with bit 31 or bits 63:32 set.
    #[error("x0 = {0:#x} is neither a status nor an LFA version")]
    InvalidVersion(u64),
    /// `LFA_FEATURES` returned a positive x0 (LFA defines only 0 and errors).
    #[error("LFA_FEATURES returned {0:#x}, which is neither 0 nor an error status")]
    InvalidFeatures(u64),
    /// `LFA_GET_INFO` returned a component count that does not fit in 32 bits,
    /// so some components could not be addressed by a sequence id.
    #[error("LFA_GET_INFO returned {0:#x} components, more than 32-bit sequence ids can address")]
    CountOutOfRange(u64),
}

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
