// SPDX-License-Identifier: MIT OR Apache-2.0
//! Requests: what a caller sends and an agent receives.
//!
//! Each LFA call has a request type implementing [`Request`]: the caller
//! [`encode`](Request::encode)s it into registers and the agent
//! [`decode`](Request::decode)s the same registers back. [`AnyRequest`] decodes a
//! register block whose function is not known in advance (the agent's entry
//! point). Registers a call does not define are sent as zero and ignored when
//! decoding, as SMCCC asks.

use crate::{ActivateFlags, DecodeError, FunctionId, Regs, response};

/// A component's position in the agent's inventory (`fw_seq_id`): valid ids
/// are `0..count`, where `count` comes from `LFA_GET_INFO`.
///
/// Sequence ids are only meaningful until the next activation: an agent may
/// renumber, add or drop components then. The id is 32 bits wide, because
/// Trusted Firmware-A looks only at the low 32 bits of x1; a caller that sent
/// wider values would address a different component there than it meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeqId(pub u32);

impl SeqId {
    /// Decodes a register holding a sequence id.
    ///
    /// # Errors
    ///
    /// [`DecodeError::SeqIdOutOfRange`] if any of bits 63:32 is set.
    pub fn decode(reg: u64) -> Result<Self, DecodeError> {
        u32::try_from(reg)
            .map(Self)
            .map_err(|_| DecodeError::SeqIdOutOfRange(reg))
    }

    /// The register value.
    #[must_use]
    pub const fn to_reg(self) -> u64 {
        // Widening u32 -> u64 cannot lose bits.
        self.0 as u64
    }
}

impl core::fmt::Display for SeqId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// One LFA call's request.
pub trait Request: Sized + Copy + core::fmt::Debug {
    /// The function this request calls.
    const FUNCTION: FunctionId;
    /// What a successful call returns.
    type Response: response::Response;

    /// The registers a caller sends: x0 = the function ID, the arguments in
    /// x1.., every other register zero.
    #[must_use]
    fn encode(&self) -> Regs;

    /// Decodes the registers an agent received.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnknownFunction`] or [`DecodeError::WrongFunction`] if x0
    /// is not [`Self::FUNCTION`]; otherwise an error for a malformed argument.
    fn decode(regs: &Regs) -> Result<Self, DecodeError>;
}

/// Checks that x0 is `expected`.
#[inline]
fn expect_function(regs: &Regs, expected: FunctionId) -> Result<(), DecodeError> {
    let [x0, ..] = regs.x;
    if x0 == expected.to_x0() {
        Ok(())
    } else {
        Err(not_function(x0, expected))
    }
}

/// Why `x0` is not `expected`'s id: not an LFA id at all, or another one.
#[cold]
#[inline(never)]
fn not_function(x0: u64, expected: FunctionId) -> DecodeError {
    match FunctionId::try_from(x0) {
        Err(e) => e,
        Ok(_) => DecodeError::WrongFunction {
            expected,
            found: x0,
        },
    }
}

/// `LFA_VERSION`: no arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct VersionRequest;

impl Request for VersionRequest {
    const FUNCTION: FunctionId = FunctionId::Version;
    type Response = response::VersionResponse;

    #[inline]
    fn encode(&self) -> Regs {
        Regs::with_x0(Self::FUNCTION.to_x0())
    }

    #[inline]
    fn decode(regs: &Regs) -> Result<Self, DecodeError> {
        expect_function(regs, Self::FUNCTION).map(|()| Self)
    }
}

/// `LFA_FEATURES`: x1 = the function ID asked about.
///
/// Any value may be asked about, so decoding accepts every x1; an agent answers
/// `NOT_SUPPORTED` for values that are not one of its functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FeaturesRequest {
    /// The function ID asked about (all 64 bits of x1).
    pub function_id: u64,
}

impl FeaturesRequest {
    /// A request asking about an LFA function.
    #[must_use]
    pub const fn new(function: FunctionId) -> Self {
        Self {
            function_id: function.to_x0(),
        }
    }

    /// The LFA function asked about.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnknownFunction`] if x1 is not an LFA function ID.
    pub fn function(&self) -> Result<FunctionId, DecodeError> {
        FunctionId::try_from(self.function_id)
    }
}

impl Request for FeaturesRequest {
    const FUNCTION: FunctionId = FunctionId::Features;
    type Response = response::FeaturesResponse;

    #[inline]
    fn encode(&self) -> Regs {
        let mut regs = Regs::with_x0(Self::FUNCTION.to_x0());
        regs.x[1] = self.function_id;
        regs
    }

    #[inline]
    fn decode(regs: &Regs) -> Result<Self, DecodeError> {
        expect_function(regs, Self::FUNCTION)?;
        Ok(Self {
            function_id: regs.x[1],
        })
    }
}

/// `LFA_GET_INFO` with information selector 0 (x1 = 0), the only selector LFA
/// v1.0 defines: it returns the number of components.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct GetInfoRequest;

impl Request for GetInfoRequest {
    const FUNCTION: FunctionId = FunctionId::GetInfo;
    type Response = response::GetInfoResponse;

    #[inline]
    fn encode(&self) -> Regs {
        Regs::with_x0(Self::FUNCTION.to_x0())
    }

    /// # Errors
    ///
    /// Also [`DecodeError::UnknownInfoSelector`] if x1 is not 0.
    #[inline]
    fn decode(regs: &Regs) -> Result<Self, DecodeError> {
        expect_function(regs, Self::FUNCTION)?;
        match regs.x[1] {
            0 => Ok(Self),
            other => Err(DecodeError::UnknownInfoSelector(other)),
        }
    }
}

/// Generates a request type whose only argument is a sequence id in x1.
macro_rules! seq_id_request {
    ($(#[$doc:meta])* $name:ident, $function:ident, $response:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name {
            /// x1: the component's sequence id.
            pub seq_id: SeqId,
        }

        impl $name {
            /// A request for the component at `seq_id`.
            #[must_use]
            pub const fn new(seq_id: SeqId) -> Self {
                Self { seq_id }
            }
        }

        impl Request for $name {
            const FUNCTION: FunctionId = FunctionId::$function;
            type Response = response::$response;


            #[inline]
            fn encode(&self) -> Regs {
                let mut regs = Regs::with_x0(Self::FUNCTION.to_x0());
                regs.x[1] = self.seq_id.to_reg();
                regs
            }

            /// # Errors
            ///
            /// Also [`DecodeError::SeqIdOutOfRange`] if x1 has bits 63:32 set.
            #[inline]
            fn decode(regs: &Regs) -> Result<Self, DecodeError> {
                expect_function(regs, Self::FUNCTION)?;
                SeqId::decode(regs.x[1]).map(Self::new)
            }
        }
    };
}

seq_id_request!(
    /// `LFA_GET_INVENTORY`: x1 = sequence id.
    GetInventoryRequest,
    GetInventory,
    InventoryResponse
);
seq_id_request!(
    /// `LFA_PRIME`: x1 = sequence id. Repeated, unchanged, while the response
    /// says CALL_AGAIN.
    PrimeRequest,
    Prime,
    PrimeResponse
);
seq_id_request!(
    /// `LFA_CANCEL`: x1 = sequence id of the component being primed or
    /// activated.
    CancelRequest,
    Cancel,
    CancelResponse
);

/// `LFA_ACTIVATE`: x1 = sequence id, x2 = flags, x3 = non-secure entry point,
/// x4 = context id. Repeated, unchanged, while the response says CALL_AGAIN.
///
/// The entry point and context id matter only for components that may reset
/// CPUs: a CPU that is reset comes back at `entry_point` with x0 = `context_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActivateRequest {
    /// x1: the sequence id of the primed component.
    pub seq_id: SeqId,
    /// x2: activation flags.
    pub flags: ActivateFlags,
    /// x3: where a reset CPU resumes.
    pub entry_point: u64,
    /// x4: the value of x0 when a reset CPU resumes.
    pub context_id: u64,
}

impl Request for ActivateRequest {
    const FUNCTION: FunctionId = FunctionId::Activate;
    type Response = response::ActivateResponse;

    #[inline]
    fn encode(&self) -> Regs {
        let mut regs = Regs::with_x0(Self::FUNCTION.to_x0());
        regs.x[1] = self.seq_id.to_reg();
        regs.x[2] = self.flags.bits();
        regs.x[3] = self.entry_point;
        regs.x[4] = self.context_id;
        regs
    }

    /// # Errors
    ///
    /// Also [`DecodeError::SeqIdOutOfRange`] for x1 and
    /// [`DecodeError::ReservedBits`] if x2 has any of bits 63:1 set.
    #[inline]
    fn decode(regs: &Regs) -> Result<Self, DecodeError> {
        expect_function(regs, Self::FUNCTION)?;
        let seq_id = SeqId::decode(regs.x[1])?;
        let flags = ActivateFlags::from_bits(regs.x[2]).ok_or(DecodeError::ReservedBits {
            function: Self::FUNCTION,
            reg: 2,
            bits: regs.x[2] & !ActivateFlags::all().bits(),
        })?;
        Ok(Self {
            seq_id,
            flags,
            entry_point: regs.x[3],
            context_id: regs.x[4],
        })
    }
}

/// Any LFA request: what an agent's dispatcher decodes from x0..x17.
///
/// ```
/// use lfa_proto::{AnyRequest, PrimeRequest, Request, SeqId, DecodeError, Regs, LfaError};
///
/// let regs = PrimeRequest::new(SeqId(2)).encode();
/// assert_eq!(AnyRequest::decode(&regs), Ok(AnyRequest::Prime(PrimeRequest::new(SeqId(2)))));
///
/// let err = AnyRequest::decode(&Regs::with_x0(0x8400_0000)).unwrap_err();
/// assert_eq!(err, DecodeError::UnknownFunction(0x8400_0000));
/// assert_eq!(err.agent_status(), LfaError::NotSupported);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnyRequest {
    /// `LFA_VERSION`.
    Version(VersionRequest),
    /// `LFA_FEATURES`.
    Features(FeaturesRequest),
    /// `LFA_GET_INFO`.
    GetInfo(GetInfoRequest),
    /// `LFA_GET_INVENTORY`.
    GetInventory(GetInventoryRequest),
    /// `LFA_PRIME`.
    Prime(PrimeRequest),
    /// `LFA_ACTIVATE`.
    Activate(ActivateRequest),
    /// `LFA_CANCEL`.
    Cancel(CancelRequest),
}

impl AnyRequest {
    /// Decodes a request of any LFA function.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnknownFunction`] if x0 is not an LFA function ID, or the
    /// error of that function's decoder.
    pub fn decode(regs: &Regs) -> Result<Self, DecodeError> {
        let [x0, ..] = regs.x;
        Ok(match FunctionId::try_from(x0)? {
            FunctionId::Version => Self::Version(VersionRequest::decode(regs)?),
            FunctionId::Features => Self::Features(FeaturesRequest::decode(regs)?),
            FunctionId::GetInfo => Self::GetInfo(GetInfoRequest::decode(regs)?),
            FunctionId::GetInventory => Self::GetInventory(GetInventoryRequest::decode(regs)?),
            FunctionId::Prime => Self::Prime(PrimeRequest::decode(regs)?),
            FunctionId::Activate => Self::Activate(ActivateRequest::decode(regs)?),
            FunctionId::Cancel => Self::Cancel(CancelRequest::decode(regs)?),
        })
    }

    /// Encodes the request.
    #[must_use]
    pub fn encode(&self) -> Regs {
        match self {
            Self::Version(r) => r.encode(),
            Self::Features(r) => r.encode(),
            Self::GetInfo(r) => r.encode(),
            Self::GetInventory(r) => r.encode(),
            Self::Prime(r) => r.encode(),
            Self::Activate(r) => r.encode(),
            Self::Cancel(r) => r.encode(),
        }
    }

    /// The function called.
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

    /// The sequence id the request names, for the calls that take one.
    #[must_use]
    pub const fn seq_id(&self) -> Option<SeqId> {
        match self {
            Self::GetInventory(GetInventoryRequest { seq_id })
            | Self::Prime(PrimeRequest { seq_id })
            | Self::Cancel(CancelRequest { seq_id })
            | Self::Activate(ActivateRequest { seq_id, .. }) => Some(*seq_id),
            Self::Version(_) | Self::Features(_) | Self::GetInfo(_) => None,
        }
    }
}
