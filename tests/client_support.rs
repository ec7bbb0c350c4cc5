// SPDX-License-Identifier: MIT OR Apache-2.0
//! Helpers shared by the `client_*` integration tests (included with
//! `#[path]`; not a test of its own).

#![allow(dead_code)]

use lfa_client::{Client, Options};
use lfa_proto::{FunctionId, Regs};
use lfa_sim::{CallRecord, DEMO_COMPONENTS, Profile, SimAgent, SimComponent};

/// Every flow runs against both profiles of the simulated agent.
pub const PROFILES: [Profile; 2] = [Profile::Clean, Profile::TfA];

/// A simulated agent with a 256-call log.
pub type Agent = SimAgent<8, 256>;

/// An agent holding `components`, with a bounded spin budget so a partial
/// rendezvous fails a test instead of hanging it, and waiting threads that
/// yield.
pub fn sim(profile: Profile, components: &[SimComponent]) -> Agent {
    let agent = Agent::new(profile).with_components(components).unwrap();
    agent.set_spin_budget(1 << 24);
    agent.set_spin_relax(Some(std::thread::yield_now));
    agent
}

/// The demo population (BL31, TF-RMM, BL33, vendor).
pub fn demo(profile: Profile) -> Agent {
    sim(profile, &DEMO_COMPONENTS)
}

/// Options that let one CPU activate a rendezvous-optional component.
pub fn no_force() -> Options {
    Options::DEFAULT.with_force_rendezvous(false)
}

/// A client of `agent`, with the log cleared after discovery.
pub fn connect(agent: &Agent, options: Options) -> Client<&Agent> {
    let client = Client::discover(agent).unwrap().with_options(options);
    agent.clear_log();
    client
}

/// The functions of the logged calls, in order.
pub fn calls(agent: &Agent) -> Vec<FunctionId> {
    agent.with_log(|log| log.iter().map(|r| r.function().unwrap()).collect())
}

/// The logged requests of `function`, in order.
pub fn requests(agent: &Agent, function: FunctionId) -> Vec<Regs> {
    agent.with_log(|log| {
        log.iter()
            .filter(|r| r.function() == Some(function))
            .map(|r| r.request)
            .collect()
    })
}

/// `n` times `f`.
pub fn times(f: FunctionId, n: usize) -> Vec<FunctionId> {
    vec![f; n]
}

/// The calls of listing `n` components: GET_INFO, then n GET_INVENTORY.
pub fn listing(n: usize) -> Vec<FunctionId> {
    let mut v = vec![FunctionId::GetInfo];
    v.extend(times(FunctionId::GetInventory, n));
    v
}

/// A copy of the logged records (on the heap: the log is large).
pub fn records(agent: &Agent) -> Vec<CallRecord> {
    agent.with_log(|log| log.iter().copied().collect())
}

/// The last logged record.
pub fn last(agent: &Agent) -> CallRecord {
    agent.with_log(|log| *log.last().unwrap())
}
