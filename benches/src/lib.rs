// SPDX-License-Identifier: MIT OR Apache-2.0
//! Fixtures for the host benchmarks (`cargo bench -p lfa-benches`, or
//! `scripts/bench.sh`): simulated agents of any size and a conduit that
//! costs nothing, to measure the client's own overhead per call.

use lfa_proto::{FirmwareVersion, Regs, Uuid};
use lfa_sim::{Profile, SimAgent, SimComponent};
use lfa_smccc::Conduit;

/// The largest inventory benchmarked.
pub const MAX_COMPONENTS: usize = 4096;

/// A simulated agent with room for [`MAX_COMPONENTS`] and a one-entry log.
pub type BigAgent = SimAgent<MAX_COMPONENTS, 1>;

/// A boxed agent (it is large) holding `n` components, none pending except
/// the last, which is capable, pending and lets one CPU activate it.
pub fn agent_with(n: usize) -> Box<BigAgent> {
    let agent = Box::new(BigAgent::new(Profile::Clean));
    for i in 0..n {
        let uuid = Uuid::from_u128(0xbe0c_0000_0000_4000_8000_0000_0000_0000 | i as u128);
        let mut c = SimComponent::new(uuid)
            .capable()
            .current(FirmwareVersion::new(1, 0));
        if i + 1 == n {
            c = c.pending(FirmwareVersion::new(1, 1)).rendezvous_optional();
        }
        let _ = agent.add_component(c);
    }
    agent
}

/// The UUID of component `i` of [`agent_with`].
pub fn uuid_of(i: usize) -> Uuid {
    Uuid::from_u128(0xbe0c_0000_0000_4000_8000_0000_0000_0000 | i as u128)
}

/// A conduit that answers every call with the same registers at no cost
/// (x0 = 0: success, and for `LFA_VERSION` that reads as version 0.0, so it
/// is primed with 1.0 for discovery by [`Echo::new`]).
pub struct Echo {
    answer: Regs,
}

impl Echo {
    /// Answers `answer` to every call.
    pub const fn new(answer: Regs) -> Self {
        Self { answer }
    }
}

impl Conduit for Echo {
    #[inline(never)]
    fn call(&self, _args: &Regs) -> Regs {
        self.answer
    }
}
