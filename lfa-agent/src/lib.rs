// SPDX-License-Identifier: MIT OR Apache-2.0
//! An LFA agent for Rust EL3 firmware.

#![no_std]
#![forbid(unsafe_code)]

mod agent;
mod platform;

pub use agent::{Agent, Exit, Phase, owns};
pub use lfa_proto::{FirmwareVersion, LfaError, Regs, Uuid};
pub use platform::{Activated, Component, Platform, Step};
