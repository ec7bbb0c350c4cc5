// SPDX-License-Identifier: MIT OR Apache-2.0
//! The client against a conduit whose every answer comes from the fuzzer:
//! every flow ends in a value or a typed error, within a bounded number of
//! calls, and never panics. (The property test `tests/adversarial_client.rs`
//! checks the same and more on generated transcripts; this target lets
//! libFuzzer's coverage guidance search for what generation misses.)
#![no_main]

use std::sync::Mutex;
use std::time::Duration;

use lfa_client::{
    Client, CpuJob, CpuOutcome, CpuReset, OnlyCpu, Options, Rendezvous, RendezvousError,
    RetryPolicy,
};
use lfa_fuzz::Input;
use lfa_proto::{
    FunctionId, LfaVersion, Regs, Uuid, components::TF_RMM, regs::from_signed, uuid_to_regs,
};
use lfa_smccc::Conduit;
use libfuzzer_sys::fuzz_target;

/// Far above any bound the options below allow.
const HARD_CAP: u32 = 100_000;

const POOL: [Uuid; 3] = [TF_RMM.uuid, Uuid::from_u128(1), Uuid::from_u128(2)];

struct Fuzzed<'a> {
    input: Mutex<(Input<'a>, u32)>,
}

impl Conduit for Fuzzed<'_> {
    fn call(&self, args: &Regs) -> Regs {
        let mut guard = self.input.lock().unwrap();
        let (input, calls) = &mut *guard;
        *calls += 1;
        assert!(*calls < HARD_CAP, "unbounded: {calls} calls");
        let mut out = *args;
        let kind = input.u8();
        if kind >= 240 {
            // Any registers at all.
            return input.regs();
        }
        if kind >= 224 {
            out.x[0] = from_signed(-(i64::from(input.u8())));
            return out;
        }
        out.x[0] = 0;
        match FunctionId::try_from(args.x[0]) {
            Ok(FunctionId::Version) => {
                out.x[0] = LfaVersion::new(1 + u16::from(kind & 1), u16::from(input.u8())).encode();
            }
            Ok(FunctionId::GetInfo) => out.x[1] = u64::from(input.u8() % 8),
            Ok(FunctionId::GetInventory) => {
                let (x1, x2) = uuid_to_regs(POOL[usize::from(input.u8() % 3)]);
                out.x[1] = x1;
                out.x[2] = x2;
                out.x[3] = input.reg();
                out.x[4] = input.reg();
                out.x[5] = input.reg();
            }
            Ok(FunctionId::Prime | FunctionId::Activate) => out.x[1] = u64::from(kind & 1),
            _ => {}
        }
        out
    }
}

/// "CPUs" calling one after the other on this thread.
struct InTurn(u8);

impl<C: Conduit + ?Sized> Rendezvous<C> for InTurn {
    fn run_on_every_cpu(
        &self,
        conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        if self.0 == 0 {
            return Err(RendezvousError("no CPU"));
        }
        for _ in 0..self.0 {
            collect(job.run(conduit));
        }
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let setup = input.u8();
    let options = Options::DEFAULT
        .with_prime(RetryPolicy::rounds(u32::from(input.u8() % 16)))
        .with_activate(RetryPolicy {
            max_rounds: u32::from(input.u8() % 16),
            timeout: Duration::from_millis(100),
            delay: Duration::from_millis(1),
        })
        .with_force_rendezvous(setup & 1 != 0)
        .with_cpu_reset((setup & 2 != 0).then_some(CpuReset {
            entry_point: 0x8000_0000,
            context_id: 7,
        }))
        .with_max_components(u32::from(input.u8() % 32))
        .with_max_activations(u32::from(input.u8() % 4));
    let flow = input.u8();
    let conduit = Fuzzed {
        input: Mutex::new((input, 0)),
    };
    let Ok(client) = Client::discover(&conduit) else {
        return;
    };
    let mut client = client.with_options(options);
    let result = match flow % 4 {
        0 => client.components().map(|c| c.count() as u32),
        1 => client.require_all_functions().map(|()| 0),
        2 => client
            .activate_all_pending(&InTurn(flow / 64), |_| {})
            .map(|summary| summary.activated)
            .map_err(|stopped| stopped.error),
        _ => (|| {
            let Some(c) = client.find(POOL[usize::from(flow / 4 % 3)])? else {
                return Ok(0);
            };
            let primed = client.prime(&c)?;
            let done = if flow & 0x80 != 0 {
                primed.activate_with(&OnlyCpu)?
            } else {
                primed.activate_alone()?
            };
            Ok(done.activate_rounds())
        })(),
    };
    if let Err(e) = result {
        let _ = (
            e.to_string(),
            e.call(),
            e.status(),
            e.component(),
            e.cancel(),
        );
    }
});
