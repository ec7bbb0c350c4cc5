// SPDX-License-Identifier: MIT OR Apache-2.0
//! Host benchmarks. Run: `scripts/bench.sh` (or
//! `cargo bench -p lfa-benches`). Figures and their ratios are in the
//! README, "Evidence: stress, fuzzing, no-panic, benchmarks".

use std::hint::black_box;

use divan::Bencher;
use lfa_benches::{Echo, agent_with, uuid_of};
use lfa_client::{Client, Options};
use lfa_proto::{
    FeaturesRequest, FeaturesResponse, FunctionId, GetInventoryRequest, InventoryResponse,
    LfaVersion, Regs, Request, Response, SeqId,
};
use lfa_sim::SimAgent;
use lfa_smccc::Conduit;

fn main() {
    divan::main();
}

const SIZES: [usize; 4] = [1, 16, 256, 4096];

/// Listing N components (N + 1 calls) through the client, against the
/// simulated agent: the time per component should not grow with N.
#[divan::bench(args = SIZES)]
fn enumerate_client(bencher: Bencher, n: usize) {
    let agent = agent_with(n);
    let client = Client::discover(&*agent)
        .unwrap()
        .with_options(Options::DEFAULT.with_max_components(4096));
    bencher.counter(n).bench_local(|| {
        let listed = client.components().unwrap().filter(Result::is_ok).count();
        assert_eq!(listed, n);
    });
}

/// The same N + 1 calls sent and decoded by hand, without the client.
#[divan::bench(args = SIZES)]
fn enumerate_raw(bencher: Bencher, n: usize) {
    let agent = agent_with(n);
    bencher.counter(n).bench_local(|| {
        let info = agent.call(&lfa_proto::GetInfoRequest.encode());
        let count = lfa_proto::GetInfoResponse::decode(&info)
            .unwrap()
            .component_count;
        let mut listed = 0;
        for id in 0..count {
            let r = agent.call(&GetInventoryRequest::new(SeqId(id)).encode());
            listed += usize::from(InventoryResponse::decode(&r).is_ok());
        }
        assert_eq!(listed, n);
    });
}

/// Finding the last of N components by UUID, priming it and activating it
/// (skip rendezvous): refresh, PRIME, ACTIVATE, then re-enumeration, on a
/// fresh agent each time (its construction is not timed).
#[divan::bench(args = [1, 16, 256])]
fn prime_then_activate(bencher: Bencher, n: usize) {
    bencher
        .with_inputs(|| agent_with(n))
        .bench_local_refs(|agent| {
            let mut client = Client::discover(&**agent).unwrap().with_options(
                Options::DEFAULT
                    .with_force_rendezvous(false)
                    .with_max_components(4096),
            );
            let c = client.find(uuid_of(n - 1)).unwrap().unwrap();
            let done = client.prime(&c).unwrap().activate_alone().unwrap();
            assert!(done.now().is_ok());
        });
}

/// The demo agent's full flow: activate both pending components.
#[divan::bench]
fn activate_all_pending_demo(bencher: Bencher) {
    bencher
        .with_inputs(SimAgent::demo)
        .bench_local_refs(|agent| {
            let mut client = Client::discover(&*agent)
                .unwrap()
                .with_options(Options::DEFAULT.with_force_rendezvous(false));
            let summary = client
                .activate_all_pending(&lfa_client::OnlyCpu, |_| {})
                .unwrap();
            assert_eq!(summary.activated, 2);
        });
}

/// One `LFA_FEATURES` call through the client, over a conduit that costs
/// nothing: the client's own overhead per call.
#[divan::bench]
fn per_call_client(bencher: Bencher) {
    let conduit = Echo::new(Regs::with_x0(LfaVersion::V1_0.encode()));
    let client = Client::discover(&conduit).unwrap();
    // From now on every answer is x0 = 0x10000: a positive LFA_FEATURES
    // answer (malformed); the work per call is the same as for success.
    bencher.bench_local(|| black_box(client.supports(black_box(FunctionId::Prime))));
}

/// The same call encoded, sent and decoded by hand.
#[divan::bench]
fn per_call_raw(bencher: Bencher) {
    let conduit = Echo::new(Regs::with_x0(LfaVersion::V1_0.encode()));
    bencher.bench_local(|| {
        let r = conduit.call(&FeaturesRequest::new(black_box(FunctionId::Prime)).encode());
        black_box(FeaturesResponse::decode(&r))
    });
}

/// The conduit call alone (the floor).
#[divan::bench]
fn per_call_conduit_only(bencher: Bencher) {
    let conduit = Echo::new(Regs::ZERO);
    let request = FeaturesRequest::new(FunctionId::Prime).encode();
    bencher.bench_local(|| black_box(conduit.call(black_box(&request))));
}

/// One call to the simulated agent (for scale: what a call costs there).
#[divan::bench]
fn per_call_sim_agent(bencher: Bencher) {
    let agent = SimAgent::demo();
    let request = FeaturesRequest::new(FunctionId::Prime).encode();
    bencher.bench_local(|| black_box(agent.call(black_box(&request))));
}

/// `supports` through the client against the simulated agent.
#[divan::bench]
fn per_call_client_sim_agent(bencher: Bencher) {
    let agent = SimAgent::demo();
    let client = Client::discover(&agent).unwrap();
    bencher.bench_local(|| black_box(client.supports(black_box(FunctionId::Prime)).unwrap()));
}
