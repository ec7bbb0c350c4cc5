// SPDX-License-Identifier: MIT OR Apache-2.0
//! SMCCC v1.2 conduits for Arm Live Firmware Activation.
//!
//! # Portable code
//!
//! The conduits that execute an instruction exist only where the instruction
//! does: `Smc` and `Hvc`, and the [`Conduit`] implementation of
//! [`Method`], are compiled only for `target_arch = "aarch64"` (bare metal,
//! hypervisors and Linux user space alike). Everything else in this crate
//! (the [`Conduit`] trait, [`Method`] parsing from a device tree `method`
//! property or the ACPI FADT flags, SMCCC version discovery with
//! [`SmcccCheck`]) builds and is tested on every target. The simulated LFA
//! agent and the scripted conduit, test doubles implementing [`Conduit`],
//! live in the `lfa-sim` crate.
//!
//! Code that should build on a development host too chooses its conduit with
//! `cfg`; since high-level code is generic over [`Conduit`], only that choice
//! differs:
//!
//! ```
//! use lfa_proto::{LfaVersion, Request, Response, VersionRequest, VersionResponse};
//! use lfa_smccc::{Conduit, Method, MethodError};
//!
//! cfg_if::cfg_if! {
//!     if #[cfg(target_arch = "aarch64")] {
//!         /// The firmware, through the instruction the device tree names.
//!         fn conduit(dt_method: &[u8]) -> Result<Method, MethodError> {
//!             Method::from_dt_method(dt_method)
//!         }
//!     } else {
//!         /// Elsewhere, a stand-in answers instead (after the same check
//!         /// of the device tree value): here one that knows only VERSION;
//!         /// the `lfa-sim` crate has a whole simulated agent.
//!         fn conduit(dt_method: &[u8]) -> Result<VersionOnly, MethodError> {
//!             Method::from_dt_method(dt_method)?;
//!             Ok(VersionOnly)
//!         }
//!     }
//! }
//!
//! /// Answers LFA_VERSION with 1.0 and everything else with NOT_SUPPORTED.
//! struct VersionOnly;
//!
//! impl Conduit for VersionOnly {
//!     fn call(&self, args: &lfa_proto::Regs) -> lfa_proto::Regs {
//!         if args.x[0] == VersionRequest.encode().x[0] {
//!             lfa_proto::Regs::with_x0(0x1_0000)
//!         } else {
//!             lfa_proto::Regs::with_x0(lfa_proto::LfaError::NotSupported.to_x0())
//!         }
//!     }
//! }
//!
//! /// Portable code: generic over the conduit, the same on every target.
//! fn lfa_version(conduit: &impl Conduit) -> Option<LfaVersion> {
//!     let response = conduit.call(&VersionRequest.encode());
//!     VersionResponse::decode(&response).ok().map(|r| r.version)
//! }
//!
//! let conduit = conduit(b"smc\0")?;
//! // On an AArch64 host this would execute a real `smc` (in user space, the
//! // kernel answers with SIGILL), so the example calls only the stand-in.
//! if cfg!(not(target_arch = "aarch64")) {
//!     assert_eq!(lfa_version(&conduit), Some(LfaVersion::V1_0));
//! }
//! # Ok::<(), MethodError>(())
//! ```
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(target_arch = "aarch64")]
#[cfg_attr(docsrs, doc(cfg(target_arch = "aarch64")))]
pub mod aarch64;
mod conduit;
#[cfg(target_arch = "aarch64")]
mod generic_timer;
mod method;
mod smccc_version;

#[cfg(target_arch = "aarch64")]
#[cfg_attr(docsrs, doc(cfg(target_arch = "aarch64")))]
pub use aarch64::{Hvc, Smc};
pub use conduit::Conduit;
pub use lfa_proto::Regs;
pub use method::{Method, MethodError};
pub use smccc_version::{
    NOT_SUPPORTED, PSCI_FEATURES, SMCCC_VERSION, SmcccCheck, SmcccError, SmcccVersion,
    query_smccc_version, smccc_version,
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
