// SPDX-License-Identifier: MIT OR Apache-2.0
//! A safe client for Arm Live Firmware Activation (LFA, Arm DEN0147):
//! discovery, a lazy typed inventory, and a prime-then-activate flow whose
//! types rule out the misuses the Linux driver's review found. `no_std`, no
//! allocation, no `unsafe`, generic over the [`Conduit`]
//! (`smc`, `hvc`, or the simulated agent of `lfa-sim`).
//!
//! The whole flow, against the simulated agent's demo population (TF-A BL31
//! and TF-RMM pending, BL33 and a vendor component not):
//!
//! ```
//! use lfa_client::{Client, OnlyCpu, Progress, Summary};
//! use lfa_sim::SimAgent;
//!
//! let agent = SimAgent::demo(); // one CPU online
//! // Discover: LFA_VERSION (NOT_SUPPORTED or x0 unchanged would be ErrorDetail::NoAgent).
//! let mut client = Client::discover(&agent)?;
//! assert_eq!(client.version().to_string(), "1.0");
//!
//! // List: LFA_GET_INFO, then one LFA_GET_INVENTORY per component, lazily.
//! for component in client.components()? {
//!     let c = component?;
//!     println!(
//!         "{} {:<24} capable={} pending={} current={:?} pending={:?}",
//!         c.seq_id(),
//!         c.name().unwrap_or("(unknown)"),
//!         c.is_capable(),
//!         c.is_pending(),
//!         c.current_version(),
//!         c.pending_version(),
//!     );
//! }
//!
//! // Activate everything that is capable and pending. On real hardware the
//! // hook runs LFA_ACTIVATE on every powered-on CPU at once (see Rendezvous);
//! // OnlyCpu is right only when this is the only CPU that is on.
//! // A component that fails alone is skipped (and reported); the others go on.
//! let summary = client.activate_all_pending(&OnlyCpu, |progress| match progress {
//!     Progress::Activated(done) => println!(
//!         "activated {}: {:?} -> {:?} (PRIME x{}, ACTIVATE x{}, {} CPU)",
//!         done.before().name().unwrap_or("(unknown)"),
//!         done.old_version(),
//!         done.new_version(),
//!         done.prime_rounds(),
//!         done.activate_rounds(),
//!         done.cpus(),
//!     ),
//!     Progress::Skipped { component, error } => println!("skipped {}: {error}", component.uuid()),
//!     _ => {} // Progress is #[non_exhaustive]
//! })?;
//! assert_eq!(summary, Summary { activated: 2, skipped: 0 });
//!
//! // List again: nothing is pending any more.
//! assert_eq!(client.components()?.activatable().count(), 0);
//! # Ok::<(), lfa_client::Error>(())
//! ```
//!
//! # One component, step by step
//!
//! ```
//! use lfa_client::{Client, ErrorDetail};
//! use lfa_proto::{FirmwareVersion, components::TF_RMM};
//! use lfa_sim::SimAgent;
//!
//! let agent = SimAgent::demo();
//! let mut client = Client::discover(&agent)?;
//! let rmm = client.find(TF_RMM.uuid)?.expect("listed");
//!
//! // prime() re-reads the entry, checks UUID, capable and pending, then
//! // sends LFA_PRIME until CALL_AGAIN is clear. The primed value borrows the
//! // client: nothing else can happen until it is activated or cancelled
//! // (dropping it cancels).
//! let primed = client.prime(&rmm)?;
//! // TF-RMM lets one CPU activate it, and we choose that explicitly
//! // (activate(&hook) would follow Options::force_rendezvous, as Linux does).
//! let done = primed.activate_alone()?; // LFA_ACTIVATE with skip_cpu_rendezvous, then re-enumerate
//! assert_eq!(done.new_version(), Some(FirmwareVersion::new(0, 8)));
//!
//! // The old value is from before the activation: sequence ids may have
//! // changed, so it cannot address firmware any more.
//! assert!(client.prime(&rmm).is_err_and(|e| e.needs_listing()));
//! assert!(matches!(client.prime(&rmm).unwrap_err().detail(), ErrorDetail::StaleComponent { .. }));
//! # Ok::<(), lfa_client::Error>(())
//! ```
//!
//! # Without blocking
//!
//! [`Client::prime_op`] starts the same flow as an owned value that borrows
//! nothing between steps ([`PrimeOp`], then [`PrimedOp`] and
//! [`ActivationOp`]): each `step` sends at most one firmware call and says
//! what comes next ([`Step`], [`Next`]) and how long to wait before it, so a
//! timer interrupt or a notification handler can drive an activation and
//! store its state in between. The blocking calls above drive exactly this
//! state machine. A rendezvous hook receives an owned [`CpuJob`], which
//! parked CPUs can pick up from a `static` without `unsafe`.
//!
//! # What each call costs
//!
//! - [`Client::discover`]: one `LFA_VERSION`.
//! - Listing N components ([`Client::components`]): N + 1 calls.
//! - Activating one ([`Client::prime`] then [`Primed::activate`],
//!   [`Primed::activate_alone`] or [`Primed::activate_with`]): one `LFA_GET_INVENTORY` (the refresh), k
//!   `LFA_PRIME` and m `LFA_ACTIVATE` rounds (per CPU in a rendezvous), then
//!   N + 1 for the re-enumeration. If the refreshed id holds another UUID,
//!   `prime` stops there ([`ErrorDetail::ComponentMoved`]).
//! - The release `LFA_CANCEL` (see [`Client`]): after an activation (TF-A
//!   keeps an activated component current until it is cancelled) or a
//!   cancel that failed, the client owes the agent one `LFA_CANCEL`, sent
//!   before its next `LFA_PRIME`, by [`Client::release`], or when the client
//!   is dropped. If the re-enumeration after that activation failed, the id
//!   is re-read first (one `LFA_GET_INVENTORY`, and a listing if it holds
//!   another UUID now).
//! - A failure after `LFA_PRIME`: one `LFA_CANCEL`, reported in the error
//!   ([`CancelOutcome`]).
//! - Every CALL_AGAIN retry sends the same, original registers.
//!
//! # Interoperability
//!
//! The client reads only the registers a call defines, and only x0 on an
//! error. It sends zeros in x4/x5 of `LFA_GET_INVENTORY` and reports a
//! version read back as `0.0` as unknown (`None`), since TF-A does not write
//! them. Sequence ids are 32-bit. `LFA_ACTIVATE` of a component that requires
//! a rendezvous is sent only through the [`Rendezvous`] hook: from fewer than
//! all powered-on CPUs it hangs TF-A in EL3.
//!
//! # One dependency
//!
//! The crate root re-exports what its API speaks, so the common case needs
//! no other LFA crate: the [`Conduit`] trait and (on AArch64) the `Smc`,
//! `Hvc` and [`Method`] conduits, [`Regs`], [`Uuid`], the versions, the
//! statuses ([`LfaError`]), the function IDs, the flags and the well-known
//! [`components`], and the SMCCC version policy ([`SmcccCheck`]).
//!
//! # Features
//!
//! - `std`: `ThreadRendezvous`, a rendezvous hook of std threads for hosted
//!   programs and tests (the simulated agent plays several CPUs). The Linux
//!   backend over `/sys/firmware/lfa` is its own crate, `lfa-sysfs`.
//! - `smccc`: `SmcccConduit`, a [`Conduit`] over the `smccc` crate's
//!   [`Call`](https://docs.rs/smccc) types (`smccc::Smc`, `smccc::Hvc`).
//! - `defmt`: `defmt::Format` for the public types, for logging on
//!   microcontroller-style targets.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

#[cfg(any(test, feature = "std"))]
extern crate std;

mod activate_all;
mod activation;
mod client;
mod component;
#[cfg(feature = "defmt")]
#[cfg_attr(docsrs, doc(cfg(feature = "defmt")))]
mod defmt_impls;
mod error;
#[cfg(any(test, target_arch = "aarch64"))]
mod generic_timer;
mod op;
mod rendezvous;
mod retry;
#[cfg(feature = "smccc")]
mod smccc_conduit;
#[cfg(feature = "std")]
mod thread_rendezvous;

pub use activate_all::{MAX_SKIPPED, Progress, Stopped, Summary};
pub use activation::{Activated, CpuReset, Primed};
pub use client::{Client, Components, Options};
pub use component::Component;
pub use error::{CancelOutcome, ComponentRef, Error, ErrorDetail};
#[cfg(target_arch = "aarch64")]
#[cfg_attr(docsrs, doc(cfg(target_arch = "aarch64")))]
pub use generic_timer::GenericTimerClock;
pub use op::{ActivationOp, Next, PrimeOp, PrimedOp, Step};
pub use rendezvous::{CpuJob, CpuOutcome, CpuResult, OnlyCpu, Rendezvous, RendezvousError};
pub use retry::{Clock, NoClock, RetryPolicy};
#[cfg(feature = "smccc")]
#[cfg_attr(docsrs, doc(cfg(feature = "smccc")))]
pub use smccc_conduit::SmcccConduit;

pub use lfa_proto::{
    ActivateFlags, ActivateRequest, FirmwareVersion, FunctionId, InventoryFlags, LfaError,
    LfaVersion, Regs, SeqId, Uuid, components,
};
pub use lfa_smccc::{Conduit, Method, MethodError, SmcccCheck, SmcccError, SmcccVersion};
#[cfg(target_arch = "aarch64")]
#[cfg_attr(docsrs, doc(cfg(target_arch = "aarch64")))]
pub use lfa_smccc::{Hvc, Smc};
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use thread_rendezvous::ThreadRendezvous;

#[cfg(test)]
mod tests;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
