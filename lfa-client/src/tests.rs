// SPDX-License-Identifier: MIT OR Apache-2.0
//! Unit tests against a private scripted conduit: the exact registers the
//! client sends and reads, call by call.

use core::cell::RefCell;
use std::string::ToString;
use std::vec::Vec;

use lfa_proto::{
    FunctionId, InventoryFlags, InventoryResponse, LfaError, Regs, Response, SeqId, Uuid,
};
use lfa_smccc::Conduit;

use crate::{CancelOutcome, Client, ErrorDetail, OnlyCpu, Options, RetryPolicy};

/// Replies in order; records every request.
#[derive(Debug)]
struct Script {
    replies: RefCell<Vec<Regs>>,
    sent: RefCell<Vec<Regs>>,
}

impl Script {
    fn new(replies: &[Regs]) -> Self {
        let mut r = replies.to_vec();
        r.reverse();
        Self {
            replies: RefCell::new(r),
            sent: RefCell::new(Vec::new()),
        }
    }
    fn functions(&self) -> Vec<FunctionId> {
        self.sent
            .borrow()
            .iter()
            .map(|r| FunctionId::try_from(r.x[0]).unwrap())
            .collect()
    }
    fn done(&self) -> bool {
        self.replies.borrow().is_empty()
    }
}

impl Conduit for Script {
    fn call(&self, args: &Regs) -> Regs {
        self.sent.borrow_mut().push(*args);
        let mut out = *args;
        let reply = self.replies.borrow_mut().pop().expect("unscripted call");
        // The scripted reply defines x0..x5; x6..x17 are echoed.
        out.x[..6].copy_from_slice(&reply.x[..6]);
        out
    }
}

const A: Uuid = Uuid::from_u128(0xA);
const B: Uuid = Uuid::from_u128(0xB);

fn ok(x1: u64) -> Regs {
    let mut r = Regs::ZERO;
    r.x[1] = x1;
    r
}
fn status(e: LfaError) -> Regs {
    Regs::with_x0(e.to_x0())
}
fn version() -> Regs {
    Regs::with_x0(0x1_0000)
}
fn entry(uuid: Uuid, flags: InventoryFlags) -> Regs {
    InventoryResponse {
        uuid,
        flags,
        current_version: lfa_proto::FirmwareVersion::new(0, 0),
        pending_version: lfa_proto::FirmwareVersion::new(0, 0),
    }
    .encode()
}
const PENDING: InventoryFlags = InventoryFlags::ACTIVATION_CAPABLE
    .union(InventoryFlags::ACTIVATION_PENDING)
    .union(InventoryFlags::CPU_RENDEZVOUS_OPTIONAL);

fn no_force() -> Options {
    Options {
        force_rendezvous: false,
        ..Options::DEFAULT
    }
}

#[test]
fn discovery_reads_version_and_detects_no_agent() {
    let s = Script::new(&[version()]);
    let c = Client::discover(&s).unwrap();
    assert_eq!(c.version().to_string(), "1.0");
    assert_eq!(*s.sent.borrow(), [Regs::with_x0(0xC400_02E0)]);

    let s = Script::new(&[status(LfaError::NotSupported)]);
    assert_eq!(
        Client::discover(&s).unwrap_err(),
        ErrorDetail::NoAgent { x0: u64::MAX }
    );
    // x0 came back unchanged (TF-A with no components).
    let s = Script::new(&[Regs::with_x0(0xC400_02E0)]);
    let e = Client::discover(&s).unwrap_err();
    assert_eq!(e, ErrorDetail::NoAgent { x0: 0xC400_02E0 });
    assert!(e.to_string().contains("x0 came back unchanged"), "{e}");
    // Another status is reported as such; a major version 2 is refused.
    let s = Script::new(&[status(LfaError::Busy)]);
    assert_eq!(
        Client::discover(&s).unwrap_err().status(),
        Some(LfaError::Busy)
    );
    let s = Script::new(&[Regs::with_x0(0x2_0000)]);
    assert!(matches!(
        Client::discover(&s).unwrap_err().detail(),
        ErrorDetail::UnsupportedVersion { .. }
    ));
}

#[test]
fn features_true_false_and_missing() {
    let s = Script::new(&[version(), ok(0), status(LfaError::NotSupported)]);
    let c = Client::discover(&s).unwrap();
    assert!(c.supports(FunctionId::Prime).unwrap());
    assert!(!c.supports(FunctionId::Cancel).unwrap());
    assert_eq!(s.sent.borrow()[1].x[1], 0xC400_02E4);

    let s = Script::new(&[version(), ok(0), ok(0), status(LfaError::NotSupported)]);
    let c = Client::discover(&s).unwrap();
    assert_eq!(
        c.require_all_functions().unwrap_err(),
        ErrorDetail::MissingFunction {
            function: FunctionId::GetInventory
        }
    );
}

#[test]
fn inventory_is_lazy_and_takes_n_plus_one_calls() {
    let s = Script::new(&[
        version(),
        ok(2),
        entry(A, PENDING),
        entry(B, InventoryFlags::empty()),
    ]);
    let c = Client::discover(&s).unwrap();
    let mut it = c.components().unwrap();
    assert_eq!(s.sent.borrow().len(), 2, "GET_INFO only, nothing else yet");
    let a = it.next().unwrap().unwrap();
    assert_eq!(
        (a.uuid(), a.seq_id(), a.is_activatable()),
        (A, SeqId(0), true)
    );
    assert_eq!(a.current_version(), None, "0.0 echoed back is unknown");
    let b = it.next().unwrap().unwrap();
    assert_eq!((b.uuid(), b.seq_id()), (B, SeqId(1)));
    assert!(it.next().is_none());
    assert_eq!(s.sent.borrow().len(), 4);
    assert_eq!(s.sent.borrow()[3].x[1], 1);
    assert!(s.done());
}

#[test]
fn inventory_error_ends_the_iterator() {
    let s = Script::new(&[
        version(),
        ok(3),
        entry(A, PENDING),
        status(LfaError::InvalidParameters),
    ]);
    let c = Client::discover(&s).unwrap();
    let mut it = c.components().unwrap();
    assert!(it.next().unwrap().is_ok());
    assert_eq!(
        it.next().unwrap().unwrap_err(),
        ErrorDetail::InventoryFailed {
            seq_id: SeqId(1),
            status: LfaError::InvalidParameters
        }
    );
    assert!(it.next().is_none());
}

#[test]
fn absurd_count_is_an_error() {
    let s = Script::new(&[version(), ok(5000)]);
    let c = Client::discover(&s).unwrap();
    assert_eq!(
        c.components().unwrap_err(),
        ErrorDetail::AbsurdCount {
            count: 5000,
            max: 1024
        }
    );
}

#[test]
fn prime_refreshes_then_primes_and_drop_cancels() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING), // refresh
        ok(1),             // PRIME: CALL_AGAIN
        ok(0),             // PRIME: done
        ok(0),             // CANCEL from drop
    ]);
    let mut c = Client::discover(&s).unwrap().with_options(no_force());
    let a = c.find(A).unwrap().unwrap();
    let primed = c.prime(&a).unwrap();
    assert_eq!(primed.prime_rounds(), 2);
    drop(primed);
    use FunctionId::*;
    assert_eq!(
        s.functions(),
        [
            Version,
            GetInfo,
            GetInventory,
            GetInventory,
            Prime,
            Prime,
            Cancel
        ]
    );
    let sent = s.sent.borrow();
    assert_eq!(sent[4], sent[5], "the retry carries the original registers");
    assert_eq!(sent[6].x[1], 0);
}

#[test]
fn prime_refuses_a_component_whose_id_moved_or_vanished() {
    // N1: the refreshed id holds another UUID, or is out of range: refused
    // with ComponentMoved after the one refresh, nothing primed, no search.
    let s = Script::new(&[
        version(),
        ok(2),
        entry(B, PENDING),
        entry(A, PENDING),
        entry(B, PENDING),                   // refresh of #1 now holds B
        status(LfaError::InvalidParameters), // refresh of #1: out of range
    ]);
    let mut c = Client::discover(&s).unwrap();
    let a = c.find(A).unwrap().unwrap();
    assert_eq!(a.seq_id(), SeqId(1));
    let e = c.prime(&a).unwrap_err();
    assert_eq!(
        e,
        ErrorDetail::ComponentMoved {
            component: a.to_ref(),
            found: B
        }
    );
    assert_eq!(
        e.to_string(),
        "component 00000000-0000-0000-0000-00000000000a (#1) has moved: its sequence id now \
         holds component 00000000-0000-0000-0000-00000000000b; list the inventory again"
    );
    let e = c.prime(&a).unwrap_err();
    assert_eq!(
        e,
        ErrorDetail::ComponentMoved {
            component: a.to_ref(),
            found: Uuid::nil()
        }
    );
    assert!(
        e.to_string().contains("now holds nothing (out of range)"),
        "{e}"
    );
    use FunctionId::*;
    assert_eq!(s.functions()[4..], [GetInventory, GetInventory]);
    assert!(s.done());
    drop(c); // owes nothing: no call
    assert_eq!(s.sent.borrow().len(), 6);
}

#[test]
fn prime_refuses_not_capable_and_not_pending_without_priming() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, InventoryFlags::ACTIVATION_PENDING),
        entry(A, InventoryFlags::ACTIVATION_CAPABLE),
    ]);
    let mut c = Client::discover(&s).unwrap();
    let a = c.find(A).unwrap().unwrap();
    assert!(matches!(
        c.prime(&a).unwrap_err().detail(),
        ErrorDetail::NotCapable { .. }
    ));
    assert!(matches!(
        c.prime(&a).unwrap_err().detail(),
        ErrorDetail::NotPending { .. }
    ));
    assert!(!s.functions().contains(&FunctionId::Prime));
}

#[test]
fn failed_prime_cancels_and_reports_both() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING),
        status(LfaError::AuthError),
        status(LfaError::Busy),              // CANCEL fails
        status(LfaError::InvalidParameters), // release before the next prime
        entry(A, PENDING),
        ok(0),
        ok(0), // the release CANCEL when the client is dropped
    ]);
    let mut c = Client::discover(&s).unwrap();
    let a = c.find(A).unwrap().unwrap();
    let e = c.prime(&a).unwrap_err();
    assert_eq!(e.status(), Some(LfaError::AuthError));
    assert_eq!(e.cancel(), Some(CancelOutcome::Failed(LfaError::Busy)));
    // The failed cancel is retried before the next PRIME, to the same id
    // without a re-read (no activation since it was read).
    let p = c.prime(&a).unwrap();
    core::mem::forget(p);
    use FunctionId::*;
    assert_eq!(
        s.functions()[3..],
        [GetInventory, Prime, Cancel, Cancel, GetInventory, Prime]
    );
    // The forgotten prime is still owed: the client's drop cancels it.
    drop(c);
    assert_eq!(s.functions()[9..], [Cancel]);
    assert!(s.done());
}

#[test]
fn cancel_answered_invalid_parameters_is_nothing_to_cancel_and_settles_the_release() {
    // B3: the agent dropped the prime when PRIME failed; CANCEL of the id just
    // primed answers -8. Reported as NothingToCancel, and no second CANCEL
    // follows before the next PRIME (or on drop).
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING),
        status(LfaError::DeviceError),
        status(LfaError::InvalidParameters), // CANCEL: nothing to cancel
        entry(A, PENDING),                   // the next prime: refresh at once
        ok(0),
        status(LfaError::InvalidParameters), // Primed::cancel: nothing either
    ]);
    let mut c = Client::discover(&s).unwrap();
    let a = c.find(A).unwrap().unwrap();
    let e = c.prime(&a).unwrap_err();
    assert_eq!(e.cancel(), Some(CancelOutcome::NothingToCancel));
    assert!(
        e.to_string()
            .ends_with("; the agent had already abandoned it (LFA_CANCEL: nothing to cancel)"),
        "{e}"
    );
    c.prime(&a).unwrap().cancel().unwrap();
    drop(c);
    use FunctionId::*;
    assert_eq!(
        s.functions()[3..],
        [GetInventory, Prime, Cancel, GetInventory, Prime, Cancel]
    );
    assert!(s.done());
}

#[test]
fn release_after_a_failed_relisting_rereads_the_id_first() {
    // B1: the re-enumeration after the activation fails, so the release id
    // (#0, read before ACTIVATE) is not confirmed: release() re-reads #0;
    // it holds B now, so a listing finds A at #1, and CANCEL goes to #1.
    let s = Script::new(&[
        version(),
        ok(2),
        entry(A, PENDING),      // find(A) stops here
        entry(A, PENDING),      // refresh
        ok(0),                  // PRIME
        ok(0),                  // ACTIVATE
        status(LfaError::Busy), // GET_INFO of the re-enumeration
        entry(B, PENDING),      // release: #0 holds B now
        ok(2),
        entry(B, PENDING),
        entry(A, InventoryFlags::ACTIVATION_CAPABLE), // A is #1
        ok(0),                                        // CANCEL #1
    ]);
    let mut c = Client::discover(&s).unwrap().with_options(no_force());
    let a = c.find(A).unwrap().unwrap();
    let done = c.prime(&a).unwrap().activate_alone().unwrap();
    assert_eq!(
        done.now().unwrap_err(),
        &ErrorDetail::Firmware {
            call: FunctionId::GetInfo,
            component: None,
            status: LfaError::Busy
        }
    );
    c.release().unwrap();
    c.release().unwrap(); // settled: nothing sent
    use FunctionId::*;
    assert_eq!(
        s.functions()[6..],
        [
            GetInfo,
            GetInventory,
            GetInfo,
            GetInventory,
            GetInventory,
            Cancel
        ]
    );
    let sent = s.sent.borrow();
    assert_eq!(
        (sent[7].x[1], sent[11].x[1]),
        (0, 1),
        "re-read #0, CANCEL #1"
    );
    drop(sent);
    drop(c);
    assert!(s.done());
}

#[test]
fn release_of_an_unconfirmed_id_that_still_holds_the_uuid_is_one_reread_and_cancel() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING),                   // refresh
        ok(0),                               // PRIME
        ok(0),                               // ACTIVATE
        status(LfaError::Busy),              // GET_INFO of the re-enumeration
        entry(A, InventoryFlags::empty()),   // release: #0 is still A
        status(LfaError::InvalidParameters), // CANCEL: nothing held (fine)
    ]);
    let mut c = Client::discover(&s).unwrap().with_options(no_force());
    let a = c.find(A).unwrap().unwrap();
    let _done = c.prime(&a).unwrap().activate_alone().unwrap();
    drop(c); // the drop releases
    use FunctionId::*;
    assert_eq!(s.functions()[6..], [GetInfo, GetInventory, Cancel]);
    assert!(s.done());
}

#[test]
fn release_of_a_uuid_that_is_gone_sends_no_cancel_and_is_dropped() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING),                   // refresh
        ok(0),                               // PRIME
        ok(0),                               // ACTIVATE
        status(LfaError::Busy),              // GET_INFO of the re-enumeration
        status(LfaError::InvalidParameters), // release: #0 is out of range
        ok(1),
        entry(B, PENDING), // listing: no A
    ]);
    let mut c = Client::discover(&s).unwrap().with_options(no_force());
    let a = c.find(A).unwrap().unwrap();
    let _done = c.prime(&a).unwrap().activate_alone().unwrap();
    c.release().unwrap();
    drop(c); // dropped debt: nothing more
    use FunctionId::*;
    assert_eq!(
        s.functions()[6..],
        [GetInfo, GetInventory, GetInfo, GetInventory]
    );
    assert!(s.done());
}

#[test]
fn a_failing_release_is_an_error_and_stays_owed() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING), // refresh
        ok(0),             // PRIME
        ok(0),             // ACTIVATE
        ok(1),
        entry(A, InventoryFlags::ACTIVATION_CAPABLE), // re-enumeration
        status(LfaError::Busy),                       // release(): BUSY
        ok(0),                                        // drop: CANCEL succeeds
    ]);
    let mut c = Client::discover(&s).unwrap().with_options(no_force());
    let a = c.find(A).unwrap().unwrap();
    let _done = c.prime(&a).unwrap().activate_alone().unwrap();
    assert_eq!(
        c.release().unwrap_err(),
        ErrorDetail::Firmware {
            call: FunctionId::Cancel,
            component: Some(a.to_ref()),
            status: LfaError::Busy
        }
    );
    drop(c);
    use FunctionId::*;
    assert_eq!(s.functions()[8..], [Cancel, Cancel]);
    assert!(s.done());
}

#[test]
fn activate_alone_sends_skip_then_reenumerates_and_bumps_generation() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING),
        ok(0), // PRIME
        ok(1), // ACTIVATE: again
        ok(0), // ACTIVATE: done
        ok(1), // GET_INFO
        entry(A, InventoryFlags::ACTIVATION_CAPABLE),
        status(LfaError::InvalidParameters), // release CANCEL when dropped
    ]);
    let mut c = Client::discover(&s).unwrap().with_options(no_force());
    let a = c.find(A).unwrap().unwrap();
    let done = c.prime(&a).unwrap().activate_alone().unwrap();
    assert_eq!(
        (done.prime_rounds(), done.activate_rounds(), done.cpus()),
        (1, 2, 1)
    );
    assert!(!done.now().unwrap().is_pending());
    assert!(done.next_pending().is_none());
    let sent = s.sent.borrow();
    let mut expected = Regs::with_x0(0xC400_02E5);
    expected.x[2] = 1;
    assert_eq!((sent[5], sent[6]), (expected, expected));
    drop(sent);
    // A component from before the activation is refused, without a call.
    let calls = s.sent.borrow().len();
    assert!(matches!(
        c.prime(&a).unwrap_err().detail(),
        ErrorDetail::StaleComponent { .. }
    ));
    assert_eq!(s.sent.borrow().len(), calls);
    // Dropped, the client sends the release CANCEL of A (#0, confirmed by
    // the re-enumeration): one call.
    drop(c);
    assert_eq!(s.sent.borrow().len(), calls + 1);
    assert_eq!(s.sent.borrow()[calls], {
        let mut cancel = Regs::with_x0(0xC400_02E6);
        cancel.x[1] = 0;
        cancel
    });
    assert!(s.done());
}

#[test]
fn rendezvous_required_is_refused_alone_and_cancelled() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(
            A,
            InventoryFlags::ACTIVATION_CAPABLE | InventoryFlags::ACTIVATION_PENDING,
        ),
        entry(
            A,
            InventoryFlags::ACTIVATION_CAPABLE | InventoryFlags::ACTIVATION_PENDING,
        ),
        ok(0), // PRIME
        ok(0), // CANCEL
    ]);
    let mut c = Client::discover(&s).unwrap().with_options(no_force());
    let a = c.find(A).unwrap().unwrap();
    let e = c.prime(&a).unwrap().activate_alone().unwrap_err();
    assert!(matches!(
        e.detail(),
        ErrorDetail::RendezvousRequired {
            cancel: CancelOutcome::Cancelled,
            ..
        }
    ));
    assert!(!s.functions().contains(&FunctionId::Activate));
}

#[test]
fn cpu_reset_needs_an_entry_point() {
    let flags = PENDING | InventoryFlags::MAY_RESET_CPU;
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, flags),
        entry(A, flags),
        ok(0),
        ok(0),
    ]);
    let mut c = Client::discover(&s).unwrap().with_options(no_force());
    let a = c.find(A).unwrap().unwrap();
    let e = c.prime(&a).unwrap().activate_alone().unwrap_err();
    assert!(matches!(
        e.detail(),
        ErrorDetail::CpuResetWithoutEntryPoint { .. }
    ));
    assert!(!s.functions().contains(&FunctionId::Activate));
}

#[test]
fn activate_timeout_cancels() {
    let s = Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING),
        ok(0),
        ok(1),
        ok(1),
        ok(1),
        ok(0), // CANCEL
    ]);
    let options = Options {
        force_rendezvous: false,
        activate: RetryPolicy::rounds(3),
        ..Options::DEFAULT
    };
    let mut c = Client::discover(&s).unwrap().with_options(options);
    let a = c.find(A).unwrap().unwrap();
    let e = c.prime(&a).unwrap().activate_alone().unwrap_err();
    assert!(matches!(
        e.detail(),
        ErrorDetail::Timeout {
            call: FunctionId::Activate,
            rounds: 3,
            cancel: CancelOutcome::Cancelled,
            ..
        }
    ));
    assert!(s.done());
}

#[test]
fn only_cpu_rendezvous_sends_no_skip() {
    // The hook needs a Sync conduit: the script behind a mutex.
    #[derive(Debug)]
    struct Agent(std::sync::Mutex<Script>);
    impl Conduit for Agent {
        fn call(&self, args: &Regs) -> Regs {
            self.0.lock().unwrap().call(args)
        }
    }
    let agent = Agent(std::sync::Mutex::new(Script::new(&[
        version(),
        ok(1),
        entry(A, PENDING),
        entry(A, PENDING),
        ok(0),
        ok(0),
        ok(1),
        entry(A, InventoryFlags::ACTIVATION_CAPABLE),
        ok(0), // release CANCEL when the client is dropped
    ])));
    let mut c = Client::discover(&agent).unwrap();
    let a = c.find(A).unwrap().unwrap();
    let done = c.prime(&a).unwrap().activate_with(&OnlyCpu).unwrap();
    assert!(done.used_rendezvous());
    let script = agent.0.lock().unwrap();
    let sent = script.sent.borrow();
    // ACTIVATE of #0 with skip_cpu_rendezvous clear, no entry point.
    assert_eq!(sent[5], Regs::with_x0(0xC400_02E5));
    assert_eq!(sent.len(), 8);
    drop(sent);
    drop(script);
    drop(c);
    assert!(
        agent.0.lock().unwrap().done(),
        "the drop sent the release CANCEL"
    );
}

#[test]
fn cpu_outcome_keeps_every_status_code_exactly() {
    use crate::{CpuOutcome, CpuResult};
    for status in [
        LfaError::Busy,
        LfaError::ActivationFailed,
        LfaError::Unknown(-35),
        LfaError::Unknown(7),
        LfaError::Unknown(i64::MIN),
        LfaError::Unknown(i64::MAX),
        LfaError::Unknown(0x1_0000_0000),
        LfaError::Unknown(-0x1_0000_0001),
    ] {
        let outcome = CpuOutcome::new(CpuResult::Failed(status), 9);
        assert_eq!(outcome.result(), CpuResult::Failed(status));
        assert_eq!(outcome.rounds(), 9);
    }
    for result in [CpuResult::Done, CpuResult::Reset, CpuResult::OutOfRounds] {
        assert_eq!(CpuOutcome::new(result, u32::MAX).result(), result);
    }
    assert_ne!(
        CpuOutcome::new(CpuResult::Failed(LfaError::Unknown(0x1_0000_0002)), 1),
        CpuOutcome::new(CpuResult::Failed(LfaError::Unknown(2)), 1)
    );
    assert_eq!(core::mem::size_of::<CpuOutcome>(), 16);
}

/// `client::send` passes only x0..x4 of a request: every request the client
/// sends must leave x5..x17 zero, with any field values.
#[test]
fn every_request_leaves_x5_to_x17_zero() {
    use lfa_proto::{
        ActivateFlags, ActivateRequest, CancelRequest, FeaturesRequest, GetInfoRequest,
        GetInventoryRequest, PrimeRequest, Request, VersionRequest,
    };
    let max = SeqId(u32::MAX);
    let blocks = [
        VersionRequest.encode(),
        FeaturesRequest::new(FunctionId::Cancel).encode(),
        GetInfoRequest.encode(),
        GetInventoryRequest::new(max).encode(),
        PrimeRequest::new(max).encode(),
        CancelRequest::new(max).encode(),
        ActivateRequest {
            seq_id: max,
            flags: ActivateFlags::all(),
            entry_point: u64::MAX,
            context_id: u64::MAX,
        }
        .encode(),
    ];
    for regs in blocks {
        assert_eq!(regs.x[5..], [0; 13], "{regs:x?}");
    }
}
