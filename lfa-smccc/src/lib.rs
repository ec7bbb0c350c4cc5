//! SMCCC v1.2 conduits for Arm Live Firmware Activation.
#![no_std]

mod conduit;

pub use conduit::Conduit;
pub use lfa_proto::Regs;
