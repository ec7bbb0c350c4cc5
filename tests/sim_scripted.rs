// SPDX-License-Identifier: MIT OR Apache-2.0
//! The scripted conduit: replay, recording, overrun, sharing between threads.

use std::collections::HashSet;
use std::thread;

use lfa_proto::{LfaError, PrimeRequest, Regs, Request, SeqId};
use lfa_sim::scripted::ScriptedConduit;
use lfa_smccc::Conduit;

fn numbered(n: u64) -> Regs {
    let mut r = Regs::with_x0(0);
    r.x[1] = n;
    r.x[17] = !n;
    r
}

#[test]
fn replays_in_order_and_records_each_request() {
    let script = [numbered(1), numbered(2), numbered(3)];
    let mut record = [Regs::ZERO; 8];
    let requests: Vec<Regs> = (0..3)
        .map(|n| PrimeRequest::new(SeqId(n)).encode())
        .collect();
    {
        let conduit = ScriptedConduit::new(&script, &mut record);
        for (n, req) in requests.iter().enumerate() {
            assert_eq!(conduit.remaining(), 3 - n);
            assert_eq!(
                conduit.call(req),
                script[n],
                "response {n} exactly as scripted"
            );
        }
        assert_eq!(
            (conduit.calls(), conduit.recorded(), conduit.overruns()),
            (3, 3, 0)
        );
        assert_eq!(conduit.request(1), Some(requests[1]));
        assert_eq!(conduit.request(3), None);
        conduit.with_recorded(|r| assert_eq!(r, &requests[..]));
    }
    assert_eq!(record[..3], requests[..]);
    assert_eq!(record[3], Regs::ZERO, "nothing else written");
}

#[test]
fn overrun_returns_the_fallback_and_counts() {
    let script = [numbered(1)];
    let conduit = ScriptedConduit::replay(&script);
    assert_eq!(conduit.call(&Regs::ZERO), numbered(1));
    for n in 1..=3 {
        let out = conduit.call(&Regs::ZERO);
        assert_eq!(out, Regs::with_x0(LfaError::NotSupported.to_x0()));
        assert_eq!(conduit.overruns(), n);
    }
    assert_eq!(
        (conduit.calls(), conduit.recorded()),
        (4, 0),
        "replay records nothing"
    );

    let custom = Regs::with_x0(LfaError::Busy.to_x0());
    let conduit = ScriptedConduit::replay(&[]).with_fallback(custom);
    assert_eq!(conduit.call(&Regs::ZERO), custom);
    assert_eq!(conduit.overruns(), 1);
}

#[test]
fn a_full_record_buffer_still_counts_calls() {
    let script = [numbered(1), numbered(2), numbered(3)];
    let mut record = [Regs::ZERO; 2];
    {
        let conduit = ScriptedConduit::new(&script, &mut record);
        for n in 0..3 {
            conduit.call(&numbered(10 + n));
        }
        assert_eq!((conduit.calls(), conduit.recorded()), (3, 2));
    }
    assert_eq!(record, [numbered(10), numbered(11)]);
}

#[test]
fn shared_between_threads_each_response_is_used_once() {
    let script: Vec<Regs> = (0..100).map(numbered).collect();
    let mut record = vec![Regs::ZERO; 100];
    let seen: Vec<u64> = {
        let conduit = ScriptedConduit::new(&script, &mut record);
        let seen = thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    let conduit = &conduit;
                    s.spawn(move || {
                        (0..25)
                            .map(|_| conduit.call(&numbered(1000 + t)).x[1])
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert_eq!(
            (conduit.calls(), conduit.overruns(), conduit.remaining()),
            (100, 0, 0)
        );
        assert_eq!(
            conduit.call(&Regs::ZERO).x[0],
            LfaError::NotSupported.to_x0()
        );
        assert_eq!(conduit.overruns(), 1);
        seen
    };
    let unique: HashSet<u64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), 100, "no response given twice");
    // Every request was recorded: 25 from each thread.
    for t in 0..4 {
        assert_eq!(record.iter().filter(|r| r.x[1] == 1000 + t).count(), 25);
    }
}
