// SPDX-License-Identifier: MIT OR Apache-2.0
//! Helpers shared by the `sim_*` integration tests: raw register requests
//! built with lfa-proto's request types, and a few components.
#![allow(dead_code)]

use lfa_proto::{
    ActivateFlags, ActivateRequest, CancelRequest, FeaturesRequest, FirmwareVersion, FunctionId,
    GetInfoRequest, GetInventoryRequest, LfaError, PrimeRequest, Regs, Request, SeqId,
    VersionRequest, regs::as_signed,
};
use lfa_sim::{Profile, SimAgent, SimComponent};
use lfa_smccc::Conduit;
use uuid::Uuid;

pub const PROFILES: [Profile; 2] = [Profile::TfA, Profile::Clean];

pub const UUID_A: Uuid = Uuid::from_u128(0xaaaa_aaaa_0000_4000_8000_0000_0000_000a);
pub const UUID_B: Uuid = Uuid::from_u128(0xbbbb_bbbb_0000_4000_8000_0000_0000_000b);
pub const UUID_C: Uuid = Uuid::from_u128(0xcccc_cccc_0000_4000_8000_0000_0000_000c);
pub const UUID_D: Uuid = Uuid::from_u128(0xdddd_dddd_0000_4000_8000_0000_0000_000d);

pub const V1_0: FirmwareVersion = FirmwareVersion::new(1, 0);
pub const V1_1: FirmwareVersion = FirmwareVersion::new(1, 1);

/// Capable, 1.0 -> 1.1, rendezvous required.
pub const fn activatable(uuid: Uuid) -> SimComponent {
    SimComponent::new(uuid)
        .capable()
        .current(V1_0)
        .pending(V1_1)
}

/// An agent with the given components.
pub fn agent_with(profile: Profile, components: &[SimComponent]) -> SimAgent {
    SimAgent::new(profile).with_components(components).unwrap()
}

/// A (activatable, rendezvous required), B (activatable, rendezvous
/// optional), C (capable, nothing pending), D (pending, not capable).
pub fn four(profile: Profile) -> SimAgent {
    agent_with(
        profile,
        &[
            activatable(UUID_A),
            activatable(UUID_B).rendezvous_optional(),
            SimComponent::new(UUID_C).capable().current(V1_0),
            SimComponent::new(UUID_D).current(V1_0).pending(V1_1),
        ],
    )
}

pub fn version() -> Regs {
    VersionRequest.encode()
}
pub fn features(function_id: u64) -> Regs {
    FeaturesRequest { function_id }.encode()
}
pub fn get_info() -> Regs {
    GetInfoRequest.encode()
}
pub fn get_inventory(id: u32) -> Regs {
    GetInventoryRequest::new(SeqId(id)).encode()
}
pub fn prime(id: u32) -> Regs {
    PrimeRequest::new(SeqId(id)).encode()
}
pub fn cancel(id: u32) -> Regs {
    CancelRequest::new(SeqId(id)).encode()
}
pub fn activate(id: u32, skip: bool) -> Regs {
    ActivateRequest {
        seq_id: SeqId(id),
        flags: if skip {
            ActivateFlags::SKIP_CPU_RENDEZVOUS
        } else {
            ActivateFlags::empty()
        },
        entry_point: 0x4008_0000,
        context_id: 0xC0DE,
    }
    .encode()
}

/// x0 of a response as a signed status.
pub fn status(regs: &Regs) -> i64 {
    as_signed(regs.x[0])
}

/// x0 as an `Err` for an error, `Ok(x1)` for success.
pub fn result(regs: &Regs) -> Result<u64, LfaError> {
    lfa_proto::decode_status(regs.x[0]).map(|()| regs.x[1])
}

/// Sends `regs` and returns the status (as `Result`, with x1 on success).
pub fn send(agent: &impl Conduit, regs: Regs) -> Result<u64, LfaError> {
    result(&agent.call(&regs))
}

/// Reads the inventory of `id` (TF-A needs this before PRIME).
pub fn read(agent: &impl Conduit, id: u32) {
    assert_eq!(
        status(&agent.call(&get_inventory(id))),
        0,
        "GET_INVENTORY({id})"
    );
}

/// PRIME until done; returns the number of calls.
pub fn prime_fully(agent: &impl Conduit, id: u32) -> u32 {
    for n in 1..=100 {
        match send(agent, prime(id)) {
            Ok(1) => continue,
            Ok(0) => return n,
            other => panic!("PRIME({id}) answered {other:?}"),
        }
    }
    panic!("PRIME({id}) never completed");
}

/// ACTIVATE until done; returns the number of calls.
pub fn activate_fully(agent: &impl Conduit, id: u32, skip: bool) -> u32 {
    for n in 1..=100 {
        match send(agent, activate(id, skip)) {
            Ok(1) => continue,
            Ok(0) => return n,
            other => panic!("ACTIVATE({id}) answered {other:?}"),
        }
    }
    panic!("ACTIVATE({id}) never completed");
}

/// `regs` with x6..x17 (and x1..x5 where given) set to a recognisable
/// pattern, to check which registers the agent writes.
pub fn painted(mut regs: Regs, from: usize) -> Regs {
    for n in from..18 {
        regs.x[n] = 0x5A5A_0000_0000_0000 | (n as u64);
    }
    regs
}

/// Every LFA function ID.
pub fn lfa_ids() -> impl Iterator<Item = FunctionId> {
    FunctionId::ALL.into_iter()
}

/// Sends `regs` and returns only the status in x0 (for calls whose x1 is not
/// a result: FEATURES, CANCEL, and any call on error).
pub fn check(agent: &impl Conduit, regs: Regs) -> Result<(), LfaError> {
    lfa_proto::decode_status(agent.call(&regs).x[0])
}
