// SPDX-License-Identifier: MIT OR Apache-2.0
//! An out-of-tree style adopter of `lfa-client`, as a hypervisor that parks
//! its own CPUs would write it, with no `unsafe` and `lfa-client` as its only
//! LFA dependency:
//!
//! - [`parked::ParkedCpus`]: a bare-metal rendezvous hook. The CPUs that are
//!   not driving the client wait in [`parked::ParkedCpus::park`]; the hook
//!   publishes the client's [`lfa_client::CpuJob`] (an owned `Copy` value)
//!   through a `static`, every CPU runs it, and CPUs that the firmware resets
//!   report from their resume code ([`parked::ParkedCpus::report_reset`]).
//! - [`logging::LoggingConduit`]: a conduit that records every call in a
//!   fixed ring of atomics ([`logging::Ring`]).
//! - [`handler::Activator`]: a notification handler's state, driving a prime
//!   and an activation one firmware call per tick.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod handler;
pub mod logging;
pub mod parked;
