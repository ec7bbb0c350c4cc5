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
//! # API summary
//!
//! - Build: [`SimAgent::new`]`(profile)` (`const`), [`SimAgent::with_component`]
//!   / [`SimAgent::with_components`] (builder, `Result`), [`SimAgent::add_component`]
//!   (`&self`), [`SimAgent::demo`] / [`SimAgent::demo_with`] ([`DEMO_COMPONENTS`]),
//!   `Default` (= `demo()`). Capacities: `SimAgent<N = 8, L = 128>` holds `N`
//!   components and logs `L` calls; adding past `N` is [`SimError::Full`].
//! - Components: [`SimComponent::new`]`(uuid)` then `.capable()`,
//!   `.pending(version)`, `.current(version)`, `.rendezvous_optional()`,
//!   `.may_reset_cpu()`, `.prime_rounds(n)`, `.prime_again_per_boot(n)`,
//!   `.activate_rounds(n)`, `.activation_time(polls)`,
//!   `.resets_agent_after_activation()`, `.without_cancel_hook()`,
//!   `.reserved_flags(bits)`.
//! - Calls: [`SimAgent::handle`] (= [`Conduit::call`](lfa_smccc::Conduit::call)).
//! - Configure at run time: [`SimAgent::set_online_cpus`],
//!   [`SimAgent::set_spin_budget`], [`SimAgent::set_spin_relax`],
//!   [`SimAgent::inject`]`(`[`Fault`]`)`, [`SimAgent::clear_faults`],
//!   [`SimAgent::set_quirks`]`(`[`Quirks`]`)`,
//!   [`SimAgent::set_post_activation`]`(`[`InventoryChange`]`)`,
//!   [`SimAgent::stage`], [`SimAgent::unstage`].
//! - Inspect: [`SimAgent::phase`] ([`Phase`]), [`SimAgent::component`],
//!   [`SimAgent::component_by_uuid`], [`SimAgent::component_count`],
//!   [`SimAgent::inspect_components`], [`SimAgent::inventory_read`],
//!   [`SimAgent::activations`], [`SimAgent::hang_detected`] /
//!   [`SimAgent::hangs`], [`SimAgent::faults_fired`],
//!   [`SimAgent::log`] / [`SimAgent::with_log`] ([`CallLog`] of
//!   [`CallRecord`]), [`SimAgent::call_count`], [`SimAgent::clear_log`],
//!   [`SimAgent::service_available`], [`SimAgent::smccc_version`],
//!   [`SimAgent::stranded_cpus`], [`SimAgent::calls_in_progress`].
//!
//! # Profiles
//!
//! Both profiles answer VERSION with 1.0, FEATURES with 0 for the seven LFA
//! functions and -1 otherwise, any non-LFA function ID (the SMC32 IDs
//! included) with -1 in x0 only, and GET_INFO with selector != 0 with -8.
//! Both keep x6..x17 as sent. They differ here:
//!
//! | Behaviour | [`Profile::TfA`] (measured) | [`Profile::Clean`] (spec intent) |
//! |---|---|---|
//! | Registers written on success | only those the call defines; GET_INVENTORY x0..x3 (x4/x5 echoed) | x0..x3 always (undefined ones 0); GET_INVENTORY also x4/x5 |
//! | Registers written on error | x0 only (x1 echoed); ACTIVATE also x1 = 0, except BUSY | x0, and x1..x3 = 0 |
//! | Id with bits 63:32 set | truncated to 32 bits | -8 INVALID_PARAMETERS |
//! | ACTIVATE x2 reserved bits | ignored (inferred) | -8 |
//! | No component registered | -1 for every call | VERSION works, GET_INFO says 0, ids are -8 |
//! | PRIME before GET_INVENTORY of that id (since the last inventory change or [`SimAgent::stage`]) | -7 WRONG_STATE | allowed |
//! | PRIME check order | busy -2, id -8, not pending -7, not capable -1, other mid-prime -7 | busy -2, id -8, not capable -1, not pending -7, other mid-prime or primed -7 |
//! | PRIME once a prime is complete (primed, rendezvous running, activated) | the named component's image load runs (CALL_AGAIN rounds too), 0; the current component stays. -2 only from the lock of a skip activation or running activation step | 0 for the same one, -7 for another; -2 during any activation |
//! | Late skip ACTIVATE while a rendezvous round gathers | -2 with x1 = 0 | -2 |
//! | ACTIVATE naming no current component | -8 | -9 COMPONENT_WRONG_STATE (before any PRIME); -8 if another is current or the id is out of range |
//! | After a successful activation | component stays current ([`Phase::Activated`]): ACTIVATE -9, CANCEL 0 resets (-2 while CPUs of the round are still leaving the pen); with [`SimComponent::resets_agent_after_activation`] as clean | agent back to [`Phase::Idle`]; CANCEL -8 |
//! | Partial rendezvous (fewer CPUs than online) | the waiting CPUs give up after their spin budget with [`HANG_STATUS`] (TF-A spins forever) | every waiting CPU gets -11 ACTIVATION_FAILED once the bound is reached; the agent is [`Phase::Primed`] again |
//! | CANCEL while CPUs wait, component without a cancel hook | 0; the waiting CPUs stay in the pen ([`SimAgent::stranded_cpus`]) and count in the next round, or give up after their spin budget ([`HANG_STATUS`]) | 0, the waiting CPUs get -11 |
//! | Activation step that takes time ([`SimComponent::activation_time`]) | lock held: PRIME, CANCEL, skip ACTIVATE -2 (x1 kept), GET_INVENTORY works, a rendezvous ACTIVATE waits (bounded) and then gets its answer (-9) | `lfa-agent`'s lock: every other call waits |
//! | `SMCCC_VERSION` ([`SimAgent::smccc_version`], for the wrapper that answers it) | 1.5 | 1.2 |
//!
//! Common rules: ACTIVATE or CANCEL of an id that is not the current one is
//! -8; ACTIVATE while the current one is mid-prime or no longer pending is
//! -9; skip_cpu_rendezvous on a component that requires the rendezvous is -8;
//! a rendezvous ACTIVATE between the CALL_AGAIN rounds of a skip activation
//! is -2. CANCEL is 0 in any phase before the activation is committed and
//! resets the agent; it is -2 once it is committed (during a skip-rendezvous
//! activation, or after a rendezvous round was answered with CALL_AGAIN).
//! The image load's "again" answers are the platform's: per PRIME sequence
//! ([`SimComponent::prime_rounds`]) or per boot, restored by an accepted
//! CANCEL of that component ([`SimComponent::prime_again_per_boot`]).
//!
//! # Rendezvous
//!
//! An ACTIVATE without skip_cpu_rendezvous joins a round that completes when
//! [`SimAgent::online_cpus`] CPUs have called (1 by default, so a single
//! caller completes it, as with only the boot CPU on). The last CPU to arrive
//! performs the step with the lock held; the others wait outside it, spinning
//! on an atomic, and all return the same status. CANCEL while CPUs wait
//! releases them with ACTIVATION_FAILED (-11); in the TF-A profile only if
//! the component has a cancel hook: without one CANCEL returns 0 and the
//! waiting CPUs stay in the pen, counted in the next round.
//! A partial rendezvous is bounded by the spin budget: in the TF-A profile
//! (where TF-A spins forever) each waiting CPU gives up after that many polls
//! and returns x0 = [`HANG_STATUS`]; in the clean profile the agent ends the
//! round with ACTIVATION_FAILED once that many polls (by all waiting CPUs
//! together) have passed. Either way [`SimAgent::hang_detected`] becomes
//! true.
//!
//! # Faults and quirks
//!
//! [`Fault`]s make a call answer a status at once (BUSY, unknown codes) or
//! make the PRIME / ACTIVATE step fail after its checks (AUTH_ERROR,
//! DEVICE_ERROR, ACTIVATION_FAILED, CRITICAL_ERROR, raw codes such as -35).
//! [`Quirks`] reproduce real agents' register habits in either profile.
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
