// SPDX-License-Identifier: MIT OR Apache-2.0
//! The agent.

use core::marker::PhantomData;

use lfa_proto::{LfaError, Regs, encode_error_into};

use crate::Platform;

/// What the dispatcher does after `handle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Return to the caller.
    Return,
    /// Enter `entry_point` with x0 = `context_id`.
    Resume {
        /// Where.
        entry_point: u64,
        /// x0.
        context_id: u64,
    },
}

/// Where the agent is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing in progress.
    Idle,
    /// Priming.
    Priming {
        /// Component.
        index: u32,
        /// Rounds.
        rounds: u32,
    },
    /// Primed.
    Primed {
        /// Component.
        index: u32,
    },
    /// Activating.
    Activating {
        /// Component.
        index: u32,
        /// Skip rendezvous.
        skip_rendezvous: bool,
        /// Rounds.
        rounds: u32,
        /// Waiting CPUs.
        waiting: u32,
    },
}

/// The agent.
pub struct Agent<P: Platform, const CPUS: usize = 64> {
    platform: P,
    _cpus: PhantomData<[(); CPUS]>,
}

/// Is `function_id` one of LFA's seven.
#[must_use]
pub fn owns(function_id: u64) -> bool {
    lfa_proto::FunctionId::try_from(function_id).is_ok()
}

impl<P: Platform, const CPUS: usize> Agent<P, CPUS> {
    /// A new agent.
    pub const fn new(platform: P) -> Self {
        Self {
            platform,
            _cpus: PhantomData,
        }
    }

    /// The platform.
    pub const fn platform(&self) -> &P {
        &self.platform
    }

    /// Is `function_id` LFA's.
    #[must_use]
    pub fn owns(&self, function_id: u64) -> bool {
        owns(function_id)
    }

    /// Answers one call.
    pub fn handle(&self, regs: &mut Regs) -> Exit {
        encode_error_into(LfaError::NotSupported, regs);
        Exit::Return
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        Phase::Idle
    }
}
