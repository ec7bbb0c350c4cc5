// SPDX-License-Identifier: MIT OR Apache-2.0
//! LFA status codes (x0 of every response).

use crate::regs::{as_signed, from_signed};

/// The value of `SUCCESS` in x0.
pub const SUCCESS: i64 = 0;

/// An error status returned by an LFA agent in x0 (DEN0147 table "Status
/// codes"; see also `docs/protocol.md#status-codes`).
///
/// Success is not a variant: a call's outcome is `Result<_, LfaError>`.
/// Every value other than 0 decodes to a variant; values outside the
/// specification's table (a newer revision, an early draft, a buggy agent, or
/// an activator's raw errno such as -35) are kept in [`LfaError::Unknown`] with
/// their exact value. A firmware value is never used as an index.
///
/// ```
/// use lfa_proto::LfaError;
///
/// assert_eq!(LfaError::from_code(-2), Some(LfaError::Busy));
/// assert_eq!(LfaError::from_code(0), None);
/// assert_eq!(LfaError::from_code(-35), Some(LfaError::Unknown(-35)));
/// assert_eq!(LfaError::Busy.code(), -2);
/// assert_eq!(
///     LfaError::InvalidParameters.to_string(),
///     "INVALID_PARAMETERS (-8): an argument is out of range or names the wrong component"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
// The discriminant of each defined status is its code, so that `code` and
// `from_code` compile to a compare and a select rather than a table.
#[repr(i64)]
pub enum LfaError {
    /// -1 `NOT_SUPPORTED`.
    NotSupported = -1,
    /// -2 `BUSY`.
    Busy = -2,
    /// -3 `AUTH_ERROR`.
    AuthError = -3,
    /// -4 `NO_MEMORY`.
    NoMemory = -4,
    /// -5 `CRITICAL_ERROR`.
    CriticalError = -5,
    /// -6 `DEVICE_ERROR`.
    DeviceError = -6,
    /// -7 `WRONG_STATE`.
    WrongState = -7,
    /// -8 `INVALID_PARAMETERS`.
    InvalidParameters = -8,
    /// -9 `COMPONENT_WRONG_STATE`.
    ComponentWrongState = -9,
    /// -10 `INVALID_ADDRESS`.
    InvalidAddress = -10,
    /// -11 `ACTIVATION_FAILED`.
    ActivationFailed = -11,
    /// Any other non-zero value of x0, kept exactly (as a signed 64-bit value).
    Unknown(i64) = 1,
}

impl LfaError {
    /// The eleven error codes the specification defines, from -1 to -11.
    pub const DEFINED: [Self; 11] = [
        Self::NotSupported,
        Self::Busy,
        Self::AuthError,
        Self::NoMemory,
        Self::CriticalError,
        Self::DeviceError,
        Self::WrongState,
        Self::InvalidParameters,
        Self::ComponentWrongState,
        Self::InvalidAddress,
        Self::ActivationFailed,
    ];

    /// The error for a status value, or `None` for `SUCCESS` (0).
    #[must_use]
    pub const fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => return None,
            -1 => Self::NotSupported,
            -2 => Self::Busy,
            -3 => Self::AuthError,
            -4 => Self::NoMemory,
            -5 => Self::CriticalError,
            -6 => Self::DeviceError,
            -7 => Self::WrongState,
            -8 => Self::InvalidParameters,
            -9 => Self::ComponentWrongState,
            -10 => Self::InvalidAddress,
            -11 => Self::ActivationFailed,
            other => Self::Unknown(other),
        })
    }

    /// The status value. `Unknown(0)` (which decoding never produces) gives 0.
    #[must_use]
    pub const fn code(self) -> i64 {
        match self {
            Self::NotSupported => -1,
            Self::Busy => -2,
            Self::AuthError => -3,
            Self::NoMemory => -4,
            Self::CriticalError => -5,
            Self::DeviceError => -6,
            Self::WrongState => -7,
            Self::InvalidParameters => -8,
            Self::ComponentWrongState => -9,
            Self::InvalidAddress => -10,
            Self::ActivationFailed => -11,
            Self::Unknown(code) => code,
        }
    }

    /// The status as it is placed in x0 (sign-extended).
    #[must_use]
    pub const fn to_x0(self) -> u64 {
        from_signed(self.code())
    }

    /// The name the specification uses, for example `"BUSY"`, or `"UNKNOWN"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::NotSupported => "NOT_SUPPORTED",
            Self::Busy => "BUSY",
            Self::AuthError => "AUTH_ERROR",
            Self::NoMemory => "NO_MEMORY",
            Self::CriticalError => "CRITICAL_ERROR",
            Self::DeviceError => "DEVICE_ERROR",
            Self::WrongState => "WRONG_STATE",
            Self::InvalidParameters => "INVALID_PARAMETERS",
            Self::ComponentWrongState => "COMPONENT_WRONG_STATE",
            Self::InvalidAddress => "INVALID_ADDRESS",
            Self::ActivationFailed => "ACTIVATION_FAILED",
            Self::Unknown(_) => "UNKNOWN",
        }
    }
}

/// The message of each defined status, at index `!code` (-1 is 0, -11 is 10):
/// a table rather than a `match` of format strings, which is the smaller code
/// in an image that prints its errors.
static MESSAGES: [&str; 11] = [
    "NOT_SUPPORTED (-1): the function or component is not supported, or there is no agent",
    "BUSY (-2): the agent is busy with another prime, cancel or activation",
    "AUTH_ERROR (-3): the staged image failed authentication",
    "NO_MEMORY (-4): the agent ran out of memory",
    "CRITICAL_ERROR (-5): activation failed after the old image was gone; only a reset recovers",
    "DEVICE_ERROR (-6): loading or checking the image failed",
    "WRONG_STATE (-7): the agent is not in a state that allows this call",
    "INVALID_PARAMETERS (-8): an argument is out of range or names the wrong component",
    "COMPONENT_WRONG_STATE (-9): the component is not primed or not pending",
    "INVALID_ADDRESS (-10): the entry point address is not valid",
    "ACTIVATION_FAILED (-11): the activation failed or was cancelled",
];

impl core::fmt::Display for LfaError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            // "unknown status <signed decimal> (<the 64 bits in hex>)", the
            // sign written apart so that only unsigned formatting is linked.
            Self::Unknown(code) => write!(
                f,
                "unknown status {}{} ({:#x})",
                if code < 0 { "-" } else { "" },
                code.unsigned_abs(),
                from_signed(code)
            ),
            defined => {
                let message = usize::try_from(!defined.code())
                    .ok()
                    .and_then(|index| MESSAGES.get(index));
                f.write_str(message.copied().unwrap_or_default())
            }
        }
    }
}

impl core::error::Error for LfaError {}

/// Decodes x0 as a status: `Ok(())` for `SUCCESS`, otherwise the error.
///
/// ```
/// use lfa_proto::{decode_status, LfaError};
///
/// assert_eq!(decode_status(0), Ok(()));
/// assert_eq!(decode_status(u64::MAX), Err(LfaError::NotSupported));
/// // TF-A with no components returns the function ID unchanged:
/// assert_eq!(decode_status(0xC400_02E0), Err(LfaError::Unknown(0xC400_02E0)));
/// ```
pub const fn decode_status(x0: u64) -> Result<(), LfaError> {
    match LfaError::from_code(as_signed(x0)) {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// Encodes a status into the value of x0.
#[must_use]
pub const fn encode_status(status: Result<(), LfaError>) -> u64 {
    match status {
        Ok(()) => 0,
        Err(e) => e.to_x0(),
    }
}
