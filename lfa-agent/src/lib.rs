// SPDX-License-Identifier: MIT OR Apache-2.0
//! An LFA agent for Rust EL3 firmware.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(loom)]
extern crate std;

mod agent;
mod platform;
mod sync;

pub use agent::{Agent, Exit, Phase, owns};
pub use lfa_proto::{FirmwareVersion, LfaError, Regs, Uuid};
pub use platform::{Activated, Component, DEFAULT_RENDEZVOUS_TIMEOUT, Platform, Step};
