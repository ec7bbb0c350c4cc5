// SPDX-License-Identifier: MIT OR Apache-2.0
//! The simulated agent's request handling on any sequence of register
//! blocks, mostly well-formed LFA calls with fuzzed arguments, plus
//! injected faults, inventory changes and staging: it never panics, keeps
//! x6..x17 as sent, answers every call with a status (or a defined
//! response), and its state stays consistent.
#![no_main]

use lfa_fuzz::Input;
use lfa_proto::{
    ActivateFlags, ActivateRequest, CancelRequest, FeaturesRequest, FirmwareVersion, FunctionId,
    GetInfoRequest, GetInventoryRequest, LfaError, PrimeRequest, Regs, Request, SeqId, Uuid,
    VersionRequest,
};
use lfa_sim::{Fault, InventoryChange, Phase, Profile, Quirks, SimAgent, SimComponent};
use libfuzzer_sys::fuzz_target;

fn component(input: &mut Input<'_>) -> SimComponent {
    let bits = input.u8();
    let mut c = SimComponent::new(Uuid::from_u128(u128::from(input.u8() % 6)))
        .current(FirmwareVersion::new(1, 0))
        .prime_rounds(u32::from(input.u8() % 4))
        .activate_rounds(u32::from(input.u8() % 4));
    if bits & 1 != 0 {
        c = c.capable();
    }
    if bits & 2 != 0 {
        c = c.pending(FirmwareVersion::new(1, u32::from(bits)));
    }
    if bits & 4 != 0 {
        c = c.rendezvous_optional();
    }
    if bits & 8 != 0 {
        c = c.may_reset_cpu();
    }
    if bits & 16 != 0 {
        c = c.without_cancel_hook();
    }
    if bits & 32 != 0 {
        c = c.reserved_flags(input.u64());
    }
    c
}

fn call(input: &mut Input<'_>) -> Regs {
    let id = SeqId(u32::from(input.u8() % 8));
    let mut regs = match input.u8() % 10 {
        0 => VersionRequest.encode(),
        1 => FeaturesRequest {
            function_id: input.reg(),
        }
        .encode(),
        2 => GetInfoRequest.encode(),
        3 => GetInventoryRequest::new(id).encode(),
        4 => PrimeRequest::new(id).encode(),
        5 => ActivateRequest {
            seq_id: id,
            flags: ActivateFlags::from_bits_retain(u64::from(input.u8() & 1)),
            entry_point: input.reg(),
            context_id: input.reg(),
        }
        .encode(),
        6 => CancelRequest::new(id).encode(),
        7 => {
            // A well-formed call with one argument register overwritten.
            let mut r = PrimeRequest::new(id).encode();
            r.x[0] = 0xC400_02E0 + u64::from(input.u8() % 8);
            r.x[usize::from(input.u8() % 6)] = input.reg();
            r
        }
        _ => input.regs(),
    };
    // Registers no call defines, to check they come back unchanged.
    for r in regs.x.iter_mut().skip(6) {
        *r = input.reg();
    }
    regs
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let profile = if input.u8() & 1 == 0 {
        Profile::Clean
    } else {
        Profile::TfA
    };
    let agent = SimAgent::<6, 4>::new(profile);
    for _ in 0..input.u8() % 7 {
        let _ = agent.add_component(component(&mut input));
    }
    // One CPU: a rendezvous completes from the caller (no waiting thread).
    agent.set_spin_budget(16);
    let quirks = input.u8();
    agent.set_quirks(Quirks {
        echo_x0_when_empty: quirks & 1 != 0,
        leave_x4_x5: quirks & 2 != 0,
    });
    let mut calls = 0u64;
    while !input.is_empty() {
        match input.u8() % 16 {
            0 => {
                let function = FunctionId::ALL[usize::from(input.u8() % 7)];
                let fault = match input.u8() % 4 {
                    0 => Fault::reply(function, LfaError::Busy),
                    1 => Fault::reply_raw(function, input.reg()),
                    2 => Fault::prime_fails_raw(-35),
                    _ => Fault::activate_fails(LfaError::CriticalError),
                };
                let _ = agent.inject(fault);
            }
            1 => agent.set_post_activation(match input.u8() % 4 {
                0 => InventoryChange::Rotate,
                1 => InventoryChange::Add(component(&mut input)),
                2 => InventoryChange::Remove(Uuid::from_u128(u128::from(input.u8() % 6))),
                _ => InventoryChange::Unchanged,
            }),
            2 => {
                let uuid = Uuid::from_u128(u128::from(input.u8() % 6));
                let _ = if input.u8() & 1 == 0 {
                    agent.stage(uuid, FirmwareVersion::new(2, 0))
                } else {
                    agent.unstage(uuid)
                };
            }
            _ => {
                let request = call(&mut input);
                let response = agent.handle(&request);
                calls += 1;
                assert_eq!(
                    response.x[6..],
                    request.x[6..],
                    "x6..x17 changed: {request:?} -> {response:?}"
                );
            }
        }
        // The state is consistent after every step.
        let count = agent.component_count();
        if let Some(current) = agent.phase().current() {
            assert!(
                current.0 < count,
                "{:?} with {count} components",
                agent.phase()
            );
        }
        assert!(!matches!(agent.phase(), Phase::Activating { waiting, .. } if waiting > 0));
    }
    assert_eq!(agent.call_count(), calls);
    assert_eq!(agent.hangs(), 0);
});
