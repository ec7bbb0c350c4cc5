// SPDX-License-Identifier: MIT OR Apache-2.0
//! Errors of configuring the simulator.

/// A configuration request the simulator cannot honour. Calls into the agent
/// (its [`Conduit`](lfa_smccc::Conduit) side) never fail this way: they answer with
/// a status in x0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SimError {
    /// The component table is full (its capacity is the agent's `N`).
    Full {
        /// The capacity.
        capacity: usize,
    },
    /// All fault slots are armed ([`MAX_FAULTS`](crate::MAX_FAULTS)).
    FaultsFull,
    /// No component has this UUID.
    NoSuchComponent,
}

impl core::fmt::Display for SimError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Full { capacity } => {
                write!(f, "the simulated agent holds at most {capacity} components")
            }
            Self::FaultsFull => write!(
                f,
                "at most {} faults can be armed at once",
                crate::MAX_FAULTS
            ),
            Self::NoSuchComponent => f.write_str("no simulated component has this UUID"),
        }
    }
}

impl core::error::Error for SimError {}
