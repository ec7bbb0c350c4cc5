// SPDX-License-Identifier: MIT OR Apache-2.0
//! The Arm Live Firmware Activation protocol
//! ([Arm DEN0147](https://developer.arm.com/documentation/den0147/latest/),
//! LFA v1.0 as implemented by Trusted Firmware-A v2.14 and the Linux driver)
//! as plain data: no I/O, no allocation, no `unsafe`.
//!
//! A caller *encodes* requests and *decodes* responses; an agent (EL3 firmware,
//! a hypervisor, a simulator) *decodes* requests and *encodes* responses, with
//! the same types. Decoding never panics: every register pattern is a value or
//! a typed error, and unknown status codes keep their value. Packing a value
//! that cannot be represented (an LFA major version over 15 bits) is a caller
//! bug and panics, as documented on the constructor that does it.
//!
//! ```
//! use lfa_proto::{
//!     AnyRequest, GetInventoryRequest, InventoryFlags, InventoryResponse, FirmwareVersion,
//!     Request, Response, SeqId, components::TF_RMM,
//! };
//!
//! // Caller: ask for component 0.
//! let request = GetInventoryRequest::new(SeqId(0));
//! let mut regs = request.encode();
//! assert_eq!(regs.x[0], 0xC400_02E3);
//!
//! // Agent: decode whatever arrived, answer in the same registers.
//! let AnyRequest::GetInventory(got) = AnyRequest::decode(&regs).unwrap() else { unreachable!() };
//! assert_eq!(got.seq_id, SeqId(0));
//! InventoryResponse {
//!     uuid: TF_RMM.uuid,
//!     flags: InventoryFlags::ACTIVATION_CAPABLE | InventoryFlags::ACTIVATION_PENDING,
//!     current_version: FirmwareVersion::new(1, 0),
//!     pending_version: FirmwareVersion::new(1, 1),
//! }
//! .encode_into(&mut regs);
//! assert_eq!((regs.x[1], regs.x[2]), (0x564b_f212_a662_076c, 0xd906_3663_8fba_cb92));
//!
//! // Caller: decode the answer.
//! let component = InventoryResponse::decode(&regs).unwrap();
//! assert_eq!(component.name(), Some("TF-RMM"));
//! assert_eq!(component.pending_version().map(|v| v.to_string()).as_deref(), Some("1.1"));
//!
//! // An error status reads only x0, and unknown codes keep their value.
//! regs.x[0] = (-35_i64) as u64;
//! assert_eq!(
//!     InventoryResponse::decode(&regs).unwrap_err().to_string(),
//!     "firmware returned unknown status -35 (0xffffffffffffffdd)"
//! );
//! ```
//!
//! The crate builds for every target (the protocol is data); only the conduit
//! that issues `smc`/`hvc` (in `lfa-smccc`) is AArch64-specific.

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

pub mod components;
mod error;
mod flags;
mod function_id;
pub mod regs;
pub mod request;
pub mod response;
mod status;
#[doc(hidden)]
pub mod text;
mod uuid_regs;
mod version;

pub use error::{DecodeError, ResponseError};
pub use flags::{ActivateFlags, InventoryFlags, ProgressFlags};
pub use function_id::{FunctionId, Owner, SmcccFunctionId};
pub use regs::Regs;
pub use request::{
    ActivateRequest, AnyRequest, CancelRequest, FeaturesRequest, GetInfoRequest,
    GetInventoryRequest, PrimeRequest, Request, SeqId, VersionRequest,
};
pub use response::{
    ActivateResponse, AnyResponse, CancelResponse, FeaturesResponse, GetInfoResponse,
    InventoryResponse, PrimeResponse, Response, VersionResponse, encode_error_into,
};
pub use status::{LfaError, SUCCESS, decode_status, encode_status};
pub use uuid_regs::{uuid_from_regs, uuid_to_regs};
pub use version::{FirmwareVersion, LfaVersion};

/// Re-exported so users name the same `Uuid` type this crate uses.
pub use uuid::Uuid;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;

#[cfg(test)]
extern crate std;
#[cfg(test)]
mod tests;
