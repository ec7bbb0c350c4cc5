// SPDX-License-Identifier: MIT OR Apache-2.0
//! Responses: what an agent returns and a caller receives.
//!
//! Each type's [`Response::encode_into`] writes only the registers the call
//! defines on success, leaving the others as they are in the block it is given
//! (an agent passes the request's block, so untouched registers are echoed, as
//! SMCCC requires for x6..x17). [`Response::decode`] reads only those registers,
//! and on an error status reads nothing but x0.

use uuid::Uuid;

use crate::{
    DecodeError, FirmwareVersion, FunctionId, InventoryFlags, LfaError, LfaVersion, ProgressFlags,
    Regs, ResponseError, components::known_component, decode_status, regs::as_signed,
    uuid_from_regs, uuid_to_regs,
};

/// One LFA call's successful response.
pub trait Response: Sized + Copy + core::fmt::Debug {
    /// Writes the registers this response defines (always including x0) and
    /// nothing else.
    fn encode_into(&self, regs: &mut Regs);

    /// The response in a block that is otherwise zero.
    #[must_use]
    #[inline]
    fn encode(&self) -> Regs {
        let mut regs = Regs::ZERO;
        self.encode_into(&mut regs);
        regs
    }

    /// Decodes the registers a caller received.
    ///
    /// # Errors
    ///
    /// [`ResponseError::Status`] with the agent's error status (any value of x0
    /// other than success, known or not), or [`ResponseError::Malformed`] if the
    /// status is success but a defined register is out of range.
    fn decode(regs: &Regs) -> Result<Self, ResponseError>;
}

/// Writes an error status into x0, the only register an error defines.
pub fn encode_error_into(error: LfaError, regs: &mut Regs) {
    regs.x[0] = error.to_x0();
}

/// `LFA_VERSION`: x0 = the version (bit 31 clear), or a negative status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VersionResponse {
    /// The agent's LFA version.
    pub version: LfaVersion,
}

impl Response for VersionResponse {
    #[inline]
    fn encode_into(&self, regs: &mut Regs) {
        regs.x[0] = self.version.encode();
    }

    /// A negative x0 is a status. A non-negative x0 that is not a version
    /// (bit 31 or bits 63:32 set, such as the function ID echoed back by an agent
    /// with no components) is [`DecodeError::InvalidVersion`].
    #[inline]
    fn decode(regs: &Regs) -> Result<Self, ResponseError> {
        let [x0, ..] = regs.x;
        if as_signed(x0) < 0 {
            decode_status(x0)?;
        }
        Ok(Self {
            version: LfaVersion::decode(x0)?,
        })
    }
}

/// `LFA_FEATURES`: x0 = 0, the function asked about is implemented. (An
/// unimplemented one is the status `NOT_SUPPORTED`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FeaturesResponse;

impl Response for FeaturesResponse {
    #[inline]
    fn encode_into(&self, regs: &mut Regs) {
        regs.x[0] = 0;
    }

    /// A positive x0 is [`DecodeError::InvalidFeatures`].
    #[inline]
    fn decode(regs: &Regs) -> Result<Self, ResponseError> {
        let [x0, ..] = regs.x;
        if as_signed(x0) > 0 {
            return Err(DecodeError::InvalidFeatures(x0).into());
        }
        decode_status(x0)?;
        Ok(Self)
    }
}

/// Decodes a status-only x0: success or an error (positive values included).
#[inline]
fn status_of(regs: &Regs) -> Result<(), LfaError> {
    let [x0, ..] = regs.x;
    decode_status(x0)
}

/// `LFA_GET_INFO`: x1 = the number of components, x2 = 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GetInfoResponse {
    /// The number of components; valid sequence ids are `0..component_count`.
    pub component_count: u32,
}

impl Response for GetInfoResponse {
    #[inline]
    fn encode_into(&self, regs: &mut Regs) {
        regs.x[0] = 0;
        regs.x[1] = u64::from(self.component_count);
        regs.x[2] = 0;
    }

    /// A count with bits 63:32 set is [`DecodeError::CountOutOfRange`]; x2 is
    /// not read.
    #[inline]
    fn decode(regs: &Regs) -> Result<Self, ResponseError> {
        status_of(regs)?;
        let count = regs.x[1];
        let component_count =
            u32::try_from(count).map_err(|_| DecodeError::CountOutOfRange(count))?;
        Ok(Self { component_count })
    }
}

/// `LFA_GET_INVENTORY`: x1:x2 = UUID, x3 = flags, x4 = current version,
/// x5 = pending version.
///
/// Every register pattern decodes. Agents that predate the version fields
/// (such as Trusted Firmware-A's) leave x4 and x5 as the caller sent them;
/// [`InventoryResponse::pending_version`] gives the pending version only when it
/// means something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InventoryResponse {
    /// The component's UUID (x1, x2).
    pub uuid: Uuid,
    /// Its flags (x3), reserved bits included.
    pub flags: InventoryFlags,
    /// The version running now (x4).
    pub current_version: FirmwareVersion,
    /// The version staged for activation (x5), raw.
    pub pending_version: FirmwareVersion,
}

impl InventoryResponse {
    /// The pending version, only when activation is pending and x5 is not 0.
    #[must_use]
    pub fn pending_version(&self) -> Option<FirmwareVersion> {
        (self.flags.contains(InventoryFlags::ACTIVATION_PENDING) && !self.pending_version.is_zero())
            .then_some(self.pending_version)
    }

    /// The well-known name of this component, if it has one.
    #[must_use]
    pub fn name(&self) -> Option<&'static str> {
        known_component(self.uuid).map(|c| c.name)
    }
}

impl Response for InventoryResponse {
    #[inline]
    fn encode_into(&self, regs: &mut Regs) {
        let (x1, x2) = uuid_to_regs(self.uuid);
        regs.x[0] = 0;
        regs.x[1] = x1;
        regs.x[2] = x2;
        regs.x[3] = self.flags.bits();
        regs.x[4] = self.current_version.to_reg();
        regs.x[5] = self.pending_version.to_reg();
    }

    #[inline]
    fn decode(regs: &Regs) -> Result<Self, ResponseError> {
        status_of(regs)?;
        let [_, x1, x2, x3, x4, x5, ..] = regs.x;
        Ok(Self {
            uuid: uuid_from_regs(x1, x2),
            flags: InventoryFlags::from_bits_retain(x3),
            current_version: FirmwareVersion::from_reg(x4),
            pending_version: FirmwareVersion::from_reg(x5),
        })
    }
}

/// Generates a response whose only field is the progress flags in x1.
macro_rules! progress_response {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
        pub struct $name {
            /// x1: CALL_AGAIN and reserved bits, as received.
            pub progress: ProgressFlags,
        }

        impl $name {
            /// Finished: CALL_AGAIN clear.
            pub const DONE: Self = Self { progress: ProgressFlags::empty() };
            /// Not finished: CALL_AGAIN set.
            pub const CALL_AGAIN: Self = Self { progress: ProgressFlags::CALL_AGAIN };

            /// Whether the caller must send the same call again.
            #[must_use]
            pub const fn call_again(&self) -> bool {
                self.progress.call_again()
            }
        }

        impl Response for $name {
            #[inline]
            fn encode_into(&self, regs: &mut Regs) {
                regs.x[0] = 0;
                regs.x[1] = self.progress.bits();
            }

            #[inline]
            fn decode(regs: &Regs) -> Result<Self, ResponseError> {
                status_of(regs)?;
                Ok(Self { progress: ProgressFlags::from_bits_retain(regs.x[1]) })
            }
        }
    };
}

progress_response!(
    /// `LFA_PRIME`: x1 bit 0 = CALL_AGAIN.
    PrimeResponse
);
progress_response!(
    /// `LFA_ACTIVATE`: x1 bit 0 = CALL_AGAIN.
    ActivateResponse
);

/// `LFA_CANCEL`: x0 = 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CancelResponse;

impl Response for CancelResponse {
    #[inline]
    fn encode_into(&self, regs: &mut Regs) {
        regs.x[0] = 0;
    }

    #[inline]
    fn decode(regs: &Regs) -> Result<Self, ResponseError> {
        status_of(regs)?;
        Ok(Self)
    }
}

/// Any LFA response. Decoding needs the function that was called, because the
/// registers alone do not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnyResponse {
    /// `LFA_VERSION`.
    Version(VersionResponse),
    /// `LFA_FEATURES`.
    Features(FeaturesResponse),
    /// `LFA_GET_INFO`.
    GetInfo(GetInfoResponse),
    /// `LFA_GET_INVENTORY`.
    GetInventory(InventoryResponse),
    /// `LFA_PRIME`.
    Prime(PrimeResponse),
    /// `LFA_ACTIVATE`.
    Activate(ActivateResponse),
    /// `LFA_CANCEL`.
    Cancel(CancelResponse),
}

impl AnyResponse {
    /// Decodes the response to a call of `function`.
    ///
    /// # Errors
    ///
    /// As that function's [`Response::decode`].
    pub fn decode(function: FunctionId, regs: &Regs) -> Result<Self, ResponseError> {
        Ok(match function {
            FunctionId::Version => Self::Version(VersionResponse::decode(regs)?),
            FunctionId::Features => Self::Features(FeaturesResponse::decode(regs)?),
            FunctionId::GetInfo => Self::GetInfo(GetInfoResponse::decode(regs)?),
            FunctionId::GetInventory => Self::GetInventory(InventoryResponse::decode(regs)?),
            FunctionId::Prime => Self::Prime(PrimeResponse::decode(regs)?),
            FunctionId::Activate => Self::Activate(ActivateResponse::decode(regs)?),
            FunctionId::Cancel => Self::Cancel(CancelResponse::decode(regs)?),
        })
    }

    /// Writes the registers this response defines.
    pub fn encode_into(&self, regs: &mut Regs) {
        match self {
            Self::Version(r) => r.encode_into(regs),
            Self::Features(r) => r.encode_into(regs),
            Self::GetInfo(r) => r.encode_into(regs),
            Self::GetInventory(r) => r.encode_into(regs),
            Self::Prime(r) => r.encode_into(regs),
            Self::Activate(r) => r.encode_into(regs),
            Self::Cancel(r) => r.encode_into(regs),
        }
    }

    /// The function this responds to.
    #[must_use]
    pub const fn function(&self) -> FunctionId {
        match self {
            Self::Version(_) => FunctionId::Version,
            Self::Features(_) => FunctionId::Features,
            Self::GetInfo(_) => FunctionId::GetInfo,
            Self::GetInventory(_) => FunctionId::GetInventory,
            Self::Prime(_) => FunctionId::Prime,
            Self::Activate(_) => FunctionId::Activate,
            Self::Cancel(_) => FunctionId::Cancel,
        }
    }
}
