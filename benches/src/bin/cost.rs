// SPDX-License-Identifier: MIT OR Apache-2.0
//! The host figures of the cost report (`scripts/cost-report.sh`), in
//! release: the client's overhead per call against a conduit that costs
//! nothing (`Free` below), by a counting loop, and `size_of` of the
//! public state types. It prints figures and never judges them; it fails
//! only when a figure cannot be measured (a call that does not answer as
//! configured, a clock that does not advance).
//!
//!   cargo run --release -p lfa-benches --bin cost

use std::hint::black_box;
use std::mem::size_of;
use std::process::ExitCode;
use std::time::Instant;

use lfa_client::{
    Activated, ActivationOp, Client, Component, CpuJob, Error, Options, PrimeOp, Primed, PrimedOp,
    Summary,
};
use lfa_proto::{
    FeaturesRequest, FeaturesResponse, FunctionId, LfaVersion, Regs, Request, Response,
};
use lfa_smccc::Conduit;

/// Calls per block, and blocks per side (the fastest block is reported).
const CALLS: u32 = 200_000;
const BLOCKS: usize = 15;

/// A conduit that costs (almost) nothing and answers success: LFA 1.0 to
/// LFA_VERSION, x0 = 0 to anything else (LFA_FEATURES: implemented).
struct Free;

impl Conduit for Free {
    #[inline(never)]
    fn call(&self, args: &Regs) -> Regs {
        if args.x[0] == FunctionId::Version.to_x0() {
            Regs::with_x0(LfaVersion::V1_0.encode())
        } else {
            Regs::ZERO
        }
    }
}

/// A conduit with no state (for `size_of` of the generic types).
struct Zst;

impl Conduit for Zst {
    fn call(&self, _args: &Regs) -> Regs {
        Regs::ZERO
    }
}

/// Nanoseconds per call of the fastest block of `f` (which returns whether
/// the call answered as configured), or `None` if one did not.
fn per_call(mut f: impl FnMut() -> bool) -> Option<f64> {
    let mut blocks = [0_f64; BLOCKS];
    for block in &mut blocks {
        let start = Instant::now();
        let mut good = 0_u32;
        for _ in 0..CALLS {
            good += u32::from(f());
        }
        *block = start.elapsed().as_secs_f64() * 1e9 / f64::from(CALLS);
        if good != CALLS {
            return None;
        }
    }
    // The fastest block: the one a shared host disturbed least.
    blocks.sort_by(f64::total_cmp);
    blocks.first().copied().filter(|ns| *ns > 0.0)
}

fn main() -> ExitCode {
    // The success path of `supports` (LFA_FEATURES answered 0) on both
    // sides, over the same conduit.
    let conduit = Free;
    let Ok(client) = Client::discover(&conduit) else {
        eprintln!("cost: discover over the free conduit failed");
        return ExitCode::FAILURE;
    };
    let client_side = per_call(|| {
        matches!(
            black_box(client.supports(black_box(FunctionId::Prime))),
            Ok(true)
        )
    });
    let raw_side = per_call(|| {
        let r = conduit.call(&FeaturesRequest::new(black_box(FunctionId::Prime)).encode());
        black_box(FeaturesResponse::decode(&r)).is_ok()
    });
    let request = FeaturesRequest::new(FunctionId::Prime).encode();
    let conduit_only = per_call(|| black_box(conduit.call(black_box(&request))).x[0] == 0);
    let (Some(client_ns), Some(raw_ns), Some(floor_ns)) = (client_side, raw_side, conduit_only)
    else {
        eprintln!("cost: a host measurement failed (a call did not answer as configured)");
        return ExitCode::FAILURE;
    };
    println!(
        "cost: host supports() client {client_ns:.2} ns raw {raw_ns:.2} ns conduit-only {floor_ns:.2} ns client/raw {:.2} (+{:.2} ns per call)",
        client_ns / raw_ns,
        client_ns - raw_ns
    );
    for (name, size) in [
        ("Primed<'_, C>", size_of::<Primed<'static, Zst>>()),
        ("PrimeOp", size_of::<PrimeOp>()),
        ("PrimedOp", size_of::<PrimedOp>()),
        ("ActivationOp", size_of::<ActivationOp>()),
        ("CpuJob", size_of::<CpuJob>()),
        ("Activated", size_of::<Activated>()),
        ("Error", size_of::<Error>()),
        ("Component", size_of::<Component>()),
        ("Summary", size_of::<Summary>()),
        ("Options", size_of::<Options>()),
        ("Client<C>", size_of::<Client<Zst>>()),
        ("Regs", size_of::<Regs>()),
    ] {
        println!("cost: size_of {name} {size}");
    }
    ExitCode::SUCCESS
}
