// SPDX-License-Identifier: MIT OR Apache-2.0
//! Which agent the simulator imitates, and the quirks that can be added.

/// The behaviour the simulated agent follows.
///
/// The differences are listed in the table of the [`sim`](crate) module
/// documentation; everything not listed there is the same in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Trusted Firmware-A's agent, register for register as measured
    /// (`docs/protocol.md#trusted-firmware-a-measured`).
    TfA,
    /// The specification's intent: every defined result register written,
    /// 64-bit ids checked, no GET_INVENTORY-before-PRIME rule, the agent reset
    /// after a successful activation, every rendezvous bounded. Served by
    /// `lfa_agent::Agent` on [`SimPlatform`](crate::SimPlatform).
    #[default]
    Clean,
}

/// Quirks of real agents that tests can switch on in either profile.
///
/// All are off by default (the [`Profile`] alone decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Quirks {
    /// With no component registered, every LFA call comes back exactly as it
    /// was sent: x0 still holds the function ID (seen on TF-A builds whose
    /// platform registers nothing). Takes precedence over the TF-A profile's
    /// "service gone" answer (-1).
    pub echo_x0_when_empty: bool,
    /// `LFA_GET_INVENTORY` leaves x4/x5 (the versions) as the caller sent them.
    /// The TF-A profile always does this; this flag adds it to the clean one.
    pub leave_x4_x5: bool,
}
