// SPDX-License-Identifier: MIT OR Apache-2.0
//! A simulated LFA agent, for tests and for hosts without firmware.
//!
//! [`SimAgent`] answers LFA calls as an agent in EL3 would. In the
//! [`Profile::Clean`] profile the answers are those of the real agent,
//! `lfa_agent::Agent`, running on [`SimPlatform`] (the simulated components);
//! the faults, quirks, call log and inventory changes are the simulator's
//! layer around it. The [`Profile::TfA`] profile is the simulator's own model
//! of TF-A's agent (never a mode of `lfa-agent`). It is `no_std`, allocates
//! nothing (capacities are const generics), and uses only a `spin::Mutex` and
//! atomics, so the same code can also run as the agent of a bare-metal image,
//! called from an EL3 exception handler with the trapped registers, on
//! several CPUs. It implements [`Conduit`](lfa_smccc::Conduit), so `&SimAgent`
//! can be shared by many threads as one conduit. [`scripted::ScriptedConduit`]
//! is the other test double: it replays given answers.
//!
//! ```
//! use lfa_proto::{
//!     ActivateFlags, ActivateRequest, ActivateResponse, FirmwareVersion, GetInventoryRequest,
//!     InventoryResponse, PrimeRequest, PrimeResponse, Request, Response, SeqId,
//!     components::TF_RMM,
//! };
//! use lfa_sim::{Phase, Profile, SimAgent, SimComponent};
//!
//! let agent = SimAgent::<4>::new(Profile::Clean)
//!     .with_component(
//!         SimComponent::new(TF_RMM.uuid)
//!             .capable()
//!             .current(FirmwareVersion::new(1, 0))
//!             .pending(FirmwareVersion::new(1, 1))
//!             .rendezvous_optional()
//!             .prime_rounds(1),
//!     )?;
//!
//! let prime = PrimeRequest::new(SeqId(0)).encode();
//! assert!(PrimeResponse::decode(&agent.handle(&prime))?.call_again());
//! assert!(!PrimeResponse::decode(&agent.handle(&prime))?.call_again());
//! assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
//!
//! let activate = ActivateRequest {
//!     seq_id: SeqId(0),
//!     flags: ActivateFlags::SKIP_CPU_RENDEZVOUS,
//!     entry_point: 0,
//!     context_id: 0,
//! };
//! ActivateResponse::decode(&agent.handle(&activate.encode()))?;
//!
//! let rmm = InventoryResponse::decode(&agent.handle(&GetInventoryRequest::new(SeqId(0)).encode()))?;
//! assert_eq!(rmm.current_version, FirmwareVersion::new(1, 1));
//! assert_eq!(rmm.pending_version(), None);
//! assert_eq!(agent.log().len(), 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Profiles
//!
//! [`Profile::Clean`] answers as `lfa-agent` does (the specification's intent);
//! [`Profile::TfA`] reproduces Trusted Firmware-A's measured agent: which
//! registers it writes, its check order, a component kept current after its
//! activation, a partial rendezvous that would spin forever (bounded here by
//! [`SimAgent::set_spin_budget`], ending in [`HANG_STATUS`]). Both keep x6..x17
//! as sent. The repository's `docs/simulator.md` has the table of every
//! difference, the rendezvous rules and the faults.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod agent;
mod component;
mod error;
mod faults;
mod log;
mod platform;
mod profile;
mod rendezvous;
pub mod scripted;
mod state;

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;

pub use agent::{
    DEFAULT_COMPONENTS, DEFAULT_LOG, DEMO_COMPONENTS, DEMO_VENDOR_UUID, SimAgent,
    TFA_DEMO_COMPONENTS,
};
pub use component::{InventoryChange, SimComponent};
pub use error::SimError;
pub use faults::{Fault, FaultKind, MAX_FAULTS};
pub use log::{CallLog, CallRecord};
pub use platform::{SIM_CPUS, SimPlatform};
pub use profile::{Profile, Quirks};
pub use rendezvous::DEFAULT_SPIN_BUDGET;
pub use state::{ActivationMode, HANG_STATUS, Phase};
