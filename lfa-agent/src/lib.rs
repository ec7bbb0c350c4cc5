// SPDX-License-Identifier: MIT OR Apache-2.0
//! An Arm Live Firmware Activation agent for Rust EL3 firmware (Arm DEN0147,
//! LFA v1.0): the state machine and holding pen behind the seven LFA SMC
//! calls (DEN0147 chapter 3), driven by a [`Platform`] that knows the
//! components and how to load and switch them. `no_std`, no allocation, no
//! `unsafe`; every request is decoded and every answer encoded by
//! `lfa-proto`.
//!
//! ```
//! use lfa_agent::{Activated, Agent, Component, Exit, FirmwareVersion, LfaError, Platform, Regs, Step, Uuid};
//! use core::sync::atomic::{AtomicBool, Ordering};
//!
//! /// One component, 1.0 running and 1.1 staged, activated by one CPU.
//! struct Board { staged: AtomicBool }
//!
//! impl Platform for Board {
//!     fn component_count(&self) -> u32 { 1 }
//!     fn component(&self, _: u32) -> Option<Component> {
//!         let c = Component::new(Uuid::from_u128(0x1234)).capable().current(FirmwareVersion::new(1, 0));
//!         Some(if self.staged.load(Ordering::Relaxed) { c.pending(FirmwareVersion::new(1, 1)) } else { c })
//!     }
//!     fn prime(&self, _: u32) -> Result<Step, LfaError> { Ok(Step::Done) } // load + verify
//!     fn activate(&self, _: u32, _: u64, _: u64) -> Result<Activated, LfaError> {
//!         self.staged.store(false, Ordering::Relaxed); // switch to the new image
//!         Ok(Activated::Return)
//!     }
//! }
//!
//! static AGENT: Agent<Board, 8> = Agent::new(Board { staged: AtomicBool::new(true) });
//!
//! // What an SMC handler does with the trapped registers:
//! let mut regs = Regs::with_x0(0xC400_02E4); // LFA_PRIME, x1 = 0
//! assert_eq!(AGENT.handle(&mut regs), Exit::Return);
//! assert_eq!(regs.x[..2], [0, 0]); // done, no CALL_AGAIN
//!
//! let mut regs = Regs::with_x0(0xC400_02E5); // LFA_ACTIVATE, x1 = 0, rendezvous
//! assert_eq!(AGENT.handle(&mut regs), Exit::Return); // one CPU on: it is the whole rendezvous
//! assert_eq!(regs.x[0], 0);
//! assert_eq!(AGENT.phase(), lfa_agent::Phase::Idle);
//! ```
//!
//! # Behaviour
//!
//! Every call writes x0..x3 (the ones it does not define as 0; an error is
//! x0 and x1..x3 = 0), GET_INVENTORY also x4/x5 (x5 = 0 when nothing is
//! pending or its version is unknown), and x6..x17 come back as sent
//! (SMCCC v1.2). A function id that is not LFA's is NOT_SUPPORTED in x0
//! only. VERSION is 1.0; FEATURES is 0 for the seven LFA ids. Ids and
//! selectors are checked on all 64 bits. The first failing check wins:
//!
//! | Call | Checks, in order |
//! |---|---|
//! | any | malformed request (id over 32 bits, selector != 0, reserved ACTIVATE flags) -8 |
//! | GET_INVENTORY | id out of range -8 |
//! | PRIME | activation running -2, id -8, not capable -1, not pending -7, another component current -7 (the same one already primed: 0) |
//! | ACTIVATE | id -8, nothing current -9, another current -8, not primed or not pending -9, skip where the rendezvous is required -8, the other kind of activation running -2, bad entry point (`may_reset_cpu`) -10, CPU index >= `CPUS` -11, CPU already in the pen -2 |
//! | CANCEL | id -8, not the current component -8, committed -2 |
//!
//! A successful activation leaves the agent [`Phase::Idle`]. An activation
//! is *committed* (CANCEL answers BUSY) from the start when it skips the
//! rendezvous and once a rendezvous round has been answered CALL_AGAIN;
//! before that CANCEL runs the platform's hook (if any), releases the CPUs
//! waiting in the pen with ACTIVATION_FAILED (-11) and answers 0.
//!
//! # The holding pen and its bound
//!
//! A rendezvous ACTIVATE counts arrivals against [`Platform::cpus_on`]
//! (asked at every arrival). The last CPU to arrive runs
//! [`Platform::activate`] with the lock held; the others wait outside the
//! lock, polling an atomic round counter, [`Platform::now`] and
//! [`Platform::relax`]. Each CPU keeps a seat holding its round's outcome
//! until it has read it, so a slow CPU always gets the right answer even if
//! later rounds have started. The wait is bounded: once `now()` has moved
//! [`Platform::rendezvous_timeout`] ticks past the round's first arrival (or
//! the clock has not moved for that many polls in a row), the round ends and
//! every waiting CPU returns ACTIVATION_FAILED (-11), x1 = 0. An
//! uncommitted activation then goes back to [`Phase::Primed`] (CANCEL and
//! PRIME work); a committed one stays [`Phase::Activating`] with nobody
//! waiting, to be retried. The default bound is
//! [`DEFAULT_RENDEZVOUS_TIMEOUT`]; a platform sets its own by overriding the
//! method.
//!
//! # Embedding
//!
//! An EL3 runtime's SMC handler asks [`owns`] for x0, calls
//! [`Agent::handle`] with the trapped registers, and acts on the [`Exit`].
//! In Rusted Firmware-A's shape, a runtime service says which function ids
//! it owns and handles a call on `&self` with the register block; the agent
//! is one such service (RF-A is not a crate, so the trait here is a local
//! stand-in for its service trait):
//!
//! ```
//! use lfa_agent::{Agent, Exit, Platform, Regs};
//!
//! /// The dispatcher's view of a runtime service.
//! trait Service: Sync {
//!     fn owns(&self, function_id: u64) -> bool;
//!     fn handle_smc(&self, regs: &mut Regs) -> Exit;
//! }
//!
//! struct Lfa<P: Platform>(Agent<P>);
//!
//! impl<P: Platform> Service for Lfa<P> {
//!     fn owns(&self, function_id: u64) -> bool {
//!         self.0.owns(function_id)
//!     }
//!     fn handle_smc(&self, regs: &mut Regs) -> Exit {
//!         self.0.handle(regs)
//!     }
//! }
//!
//! /// Called from the EL3 synchronous exception vector with the saved x0..x17.
//! fn dispatch(services: &[&dyn Service], regs: &mut Regs) {
//!     let Some(service) = services.iter().find(|s| s.owns(regs.x[0])) else {
//!         regs.x[0] = u64::MAX; // SMCCC "unknown function" (-1)
//!         return; // eret to the caller
//!     };
//!     match service.handle_smc(regs) {
//!         Exit::Return => {} // eret with the updated registers
//!         Exit::Resume { entry_point, context_id } => {
//!             // Set ELR_EL3 = entry_point, x0 = context_id, the caller's
//!             // SCTLR with the MMU off, then eret (as PSCI CPU_ON does).
//!             let _ = (entry_point, context_id);
//!         }
//!     }
//! }
//!
//! struct NoComponents;
//! impl Platform for NoComponents {}
//! static LFA: Lfa<NoComponents> = Lfa(Agent::new(NoComponents));
//!
//! let mut regs = Regs::with_x0(0xC400_02E0); // LFA_VERSION
//! dispatch(&[&LFA], &mut regs);
//! assert_eq!(regs.x[0], 0x1_0000);
//! let mut regs = Regs::with_x0(0x8400_0000); // PSCI_VERSION: not this service
//! dispatch(&[&LFA], &mut regs);
//! assert_eq!(regs.x[0], u64::MAX);
//! ```
//!
//! The agent's lock is a spin lock and needs working exclusives (or LSE
//! atomics): on AArch64, the agent must sit in Normal cacheable memory (MMU
//! and data cache on at EL3).
//!
//! # Differences from TF-A's agent
//!
//! Trusted Firmware-A's C agent (`services/std_svc/lfa`) behaves differently
//! in these measured cases; this agent does what the specification intends:
//!
//! - **A partial rendezvous ends.** TF-A spins in EL3 forever when fewer
//!   CPUs than are on call ACTIVATE; here the round ends at the platform's
//!   bound with -11 on every waiting CPU, because a hung EL3 takes the whole
//!   machine with it.
//! - **A CPU that was started but never arrives is not waited for forever.**
//!   TF-A counts such a CPU and every later rendezvous hangs; here it only
//!   makes that round time out, and the next one counts `cpus_on` again.
//! - **Idle after success.** TF-A keeps the activated component current, so
//!   a second activation fails until a CANCEL; here the agent is idle, so a
//!   second activation in one boot needs nothing special.
//! - **Ids on 64 bits.** TF-A uses the low 32 bits of x1, so
//!   `0x1_0000_0001` names component 1; here it is -8, because a caller
//!   that sent it meant something else.
//! - **Versions reported.** TF-A never writes x4/x5 of GET_INVENTORY;
//!   here they carry the current and pending versions.
//! - **PRIME needs no earlier GET_INVENTORY.** TF-A answers -7 until the
//!   component's inventory was read; here the platform is asked directly.
//! - **CANCEL releases waiting CPUs without a cancel hook.** TF-A leaves
//!   them stranded in the pen when the component has no hook; here the
//!   agent owns the pen, so it releases them (-11) either way.

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

#[cfg(loom)]
extern crate std;

mod agent;
mod platform;
mod sync;

pub use agent::{Agent, Exit, Phase, owns};
pub use lfa_proto::{FirmwareVersion, LfaError, Regs, Uuid};
pub use platform::{Activated, Component, DEFAULT_RENDEZVOUS_TIMEOUT, Platform, Step};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
