// SPDX-License-Identifier: MIT OR Apache-2.0
//! The call log: exact registers of each call and retry, counts, and what
//! happens when it is full.

mod sim_support;

use std::thread;

use lfa_proto::{FunctionId, Regs};
use lfa_sim::{Profile, SimAgent};
use lfa_smccc::Conduit;
use sim_support::*;

#[test]
fn records_exact_registers_of_every_retry() {
    for p in PROFILES {
        let agent = agent_with(p, &[activatable(UUID_A).prime_rounds(2).activate_rounds(1)]);
        let pr = painted(prime(0), 6);
        read(&agent, 0);
        let answers: Vec<Regs> = (0..3).map(|_| agent.call(&pr)).collect();
        let ac = painted(activate(0, false), 6);
        let answers2: Vec<Regs> = (0..2).map(|_| agent.call(&ac)).collect();

        let log = agent.log();
        assert_eq!(log.len(), 6);
        assert_eq!(log.total(), 6);
        assert_eq!(log.count(FunctionId::GetInventory), 1);
        assert_eq!(log.count(FunctionId::Prime), 3);
        assert_eq!(log.count(FunctionId::Activate), 2);
        assert_eq!(log.get(0).unwrap().request, get_inventory(0));
        for (n, record) in log.iter().skip(1).take(3).enumerate() {
            assert_eq!(record.request, pr, "{p:?}: PRIME retry {n} sent unchanged");
            assert_eq!(record.response, answers[n]);
            assert_eq!(
                record.response.x[1],
                u64::from(n < 2),
                "CALL_AGAIN, CALL_AGAIN, done"
            );
        }
        for (n, record) in log.iter().skip(4).enumerate() {
            assert_eq!(record.request, ac);
            assert_eq!(
                record.request.x[3..5],
                [0x4008_0000, 0xC0DE],
                "entry point, context id"
            );
            assert_eq!(record.response, answers2[n]);
        }
        assert_eq!(log.last().unwrap().status(), 0);
        assert_eq!(agent.call_count(), 6);
        agent.with_log(|l| assert_eq!(l.records().len(), 6));
    }
}

#[test]
fn a_full_log_keeps_the_first_calls_and_counts_the_rest() {
    let agent = SimAgent::<4, 3>::new(Profile::Clean)
        .with_component(activatable(UUID_A))
        .unwrap();
    let sent: Vec<Regs> = (0..5).map(get_inventory).collect();
    for r in &sent {
        agent.call(r);
    }
    let log = agent.log();
    assert_eq!(
        (log.len(), log.capacity(), log.total(), log.dropped()),
        (3, 3, 5, 2)
    );
    let kept: Vec<Regs> = log.iter().map(|r| r.request).collect();
    assert_eq!(kept, sent[..3]);
    assert_eq!(agent.call_count(), 5);
    agent.clear_log();
    assert!(agent.log().is_empty());
    assert_eq!(agent.call_count(), 0);
    agent.call(&version());
    assert_eq!(agent.log().get(0).unwrap().request, version());
}

#[test]
fn non_lfa_calls_are_logged_too() {
    let agent = four(Profile::TfA);
    agent.call(&Regs::with_x0(0x8400_0000));
    let log = agent.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log.get(0).unwrap().function(), None);
    assert_eq!(log.get(0).unwrap().status(), -1);
}

/// A large log is too big for a test thread's stack; a `static` works, since
/// `SimAgent::new` is `const`, as it would for a bare-metal agent.
static BIG: SimAgent<4, 1024> = SimAgent::new(Profile::Clean);

#[test]
fn concurrent_calls_are_all_counted() {
    BIG.add_component(activatable(UUID_A)).unwrap();
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..100 {
                    assert_eq!(BIG.call(&version()).x[0], 0x1_0000);
                }
            });
        }
    });
    BIG.with_log(|log| {
        assert_eq!((log.len(), log.total()), (800, 800));
        assert_eq!(log.count(FunctionId::Version), 800);
    });
}
