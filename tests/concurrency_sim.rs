// SPDX-License-Identifier: MIT OR Apache-2.0
//! Concurrency: several threads, each with its own client over one shared
//! conduit to the simulated agent, try to prime and activate at once.
//!
//! What must hold, and what each test shows:
//! - exactly one activation proceeds at a time: a linearised transcript of
//!   every call (which thread, what it sent, what came back) is replayed
//!   against an ownership model, and no thread's PRIME, ACTIVATE or CANCEL
//!   succeeds while another thread holds the agent;
//! - the others get a clear busy error: the agent's BUSY or WRONG_STATE,
//!   surfaced as `ErrorDetail::PrimeFailed` with that status (and the CANCEL the
//!   client then sends is answered INVALID_PARAMETERS, `NothingToCancel`: it
//!   cannot disturb the winner's activation);
//! - no primed component is left behind: the agent ends idle;
//! - the agent's state is never corrupted: every component is activated
//!   exactly once, to its staged version, and no rendezvous CPU hangs.
//!
//! Every test runs under a watchdog ([`WATCHDOG`]): a deadlock fails it
//! instead of hanging the test run. Every retry loop is bounded.

use lfa_client::ErrorDetail;
use std::sync::mpsc;
use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use lfa_client::{CancelOutcome, Client, Error, Options, ThreadRendezvous};
use lfa_proto::{
    FirmwareVersion, FunctionId, LfaError, ProgressFlags, Regs, SeqId, Uuid, decode_status,
};
use lfa_sim::{Phase, Profile, SimAgent, SimComponent};
use lfa_smccc::Conduit;

/// A run that takes longer than this has deadlocked or livelocked: fail.
const WATCHDOG: Duration = Duration::from_secs(60);
/// Client threads racing in each test.
const THREADS: usize = 4;
/// How many times one thread tries before giving up (a bound, not a timing).
const MAX_ATTEMPTS: u32 = 1_000_000;

type Agent = SimAgent<8, 16>;

const OLD: FirmwareVersion = FirmwareVersion::new(1, 0);

fn uuid(n: usize) -> Uuid {
    Uuid::from_u128(0xc0c0_0000_0000_4000_8000_0000_0000_0000 + n as u128)
}

fn new_version(n: usize) -> FirmwareVersion {
    FirmwareVersion::new(2, n as u32)
}

/// `THREADS` components, one per thread, each with CALL_AGAIN rounds so the
/// windows of different threads overlap.
fn agent(profile: Profile, rendezvous: bool) -> Agent {
    let agent = Agent::new(profile);
    for n in 0..THREADS {
        let mut c = SimComponent::new(uuid(n))
            .capable()
            .current(OLD)
            .pending(new_version(n))
            .prime_rounds(3)
            .activate_rounds(2);
        if !rendezvous {
            c = c.rendezvous_optional();
        }
        agent.add_component(c).unwrap();
    }
    // A partial rendezvous gives up (and fails the test) instead of spinning.
    agent.set_spin_budget(1 << 26);
    agent.set_spin_relax(Some(thread::yield_now));
    agent
}

/// Runs `f` on a thread and fails if it does not finish within the watchdog.
fn with_watchdog<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> (T, Duration) {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(out) => (out, start.elapsed()),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("deadlock: no result after {WATCHDOG:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test thread panicked"),
    }
}

/// One call as the agent answered it, in the order the agent answered.
#[derive(Clone, Copy, Debug)]
struct Entry {
    thread: usize,
    request: Regs,
    response: Regs,
}

/// The shared conduit: the agent, with every call recorded in the order the
/// agent saw it (the recorder's lock is held across the call, which the
/// agent's own lock serialises anyway). Not for rendezvous activations,
/// whose CPUs must be inside the agent at once.
struct Recorder<'a> {
    agent: &'a Agent,
    transcript: Mutex<Vec<Entry>>,
}

impl<'a> Recorder<'a> {
    /// A recorder of every call to `agent`, with an empty transcript.
    fn new(agent: &'a Agent) -> Self {
        Self {
            agent,
            transcript: Mutex::new(Vec::new()),
        }
    }

    /// One conduit per thread, each tagged with its thread number.
    fn conduits(&'a self) -> Vec<Tagged<'a>> {
        (0..THREADS)
            .map(|thread| Tagged {
                recorder: self,
                thread,
            })
            .collect()
    }
}

/// One thread's conduit: the shared recorder, tagged with the thread.
struct Tagged<'a> {
    recorder: &'a Recorder<'a>,
    thread: usize,
}

impl Conduit for Tagged<'_> {
    fn call(&self, args: &Regs) -> Regs {
        let response = {
            let mut transcript = self.recorder.transcript.lock().unwrap();
            let response = self.recorder.agent.call(args);
            transcript.push(Entry {
                thread: self.thread,
                request: *args,
                response,
            });
            response
        };
        // Let another thread in between any two calls.
        thread::yield_now();
        response
    }
}

/// Replays the transcript: which thread holds the agent after each call.
/// A thread holds it from its first successful PRIME until its activation
/// completes or its CANCEL succeeds; no other thread's PRIME, ACTIVATE or
/// CANCEL may succeed meanwhile. Returns the number of completed
/// activations.
fn check_mutual_exclusion(transcript: &[Entry], profile: Profile) -> Result<u32, String> {
    let mut owner: Option<(usize, u64)> = None;
    let mut done = 0;
    for (n, e) in transcript.iter().enumerate() {
        let f = FunctionId::try_from(e.request.x[0]).map_err(|_| format!("call {n}: not LFA"))?;
        let me = (e.thread, e.request.x[1]);
        let ok = decode_status(e.response.x[0]).is_ok();
        let again = ProgressFlags::from_bits_retain(e.response.x[1]).call_again();
        if !ok
            || !matches!(
                f,
                FunctionId::Prime | FunctionId::Activate | FunctionId::Cancel
            )
        {
            continue;
        }
        match (f, owner) {
            // TF-A answers PRIME with 0 once a prime is complete, for any
            // component, changing nothing: not a second owner.
            (FunctionId::Prime, Some(o)) if o != me && profile == Profile::TfA => {}
            (FunctionId::Prime, None) => owner = Some(me),
            (_, Some(o)) if o == me => {
                if f == FunctionId::Activate && !again {
                    done += 1;
                    // TF-A keeps the activated component current until it is
                    // cancelled; the clean agent is idle again.
                    if profile == Profile::Clean {
                        owner = None;
                    }
                }
                if f == FunctionId::Cancel {
                    owner = None;
                }
            }
            (_, o) => {
                return Err(format!(
                    "call {n}: thread {} got {f} of id {} through while {o:?} held the agent",
                    e.thread, e.request.x[1]
                ));
            }
        }
    }
    match owner {
        None => Ok(done),
        Some(o) => Err(format!(
            "the transcript ends with {o:?} still holding the agent"
        )),
    }
}

/// What one racing thread saw.
#[derive(Debug, Default)]
struct Seen {
    activated: u32,
    busy: u32,
    wrong_state: u32,
    attempts: u32,
}

/// The errors a thread may see while another holds the agent: PRIME refused
/// with BUSY or WRONG_STATE, and the CANCEL that follows answered with
/// INVALID_PARAMETERS, "nothing to cancel" (it was not the agent's current
/// component, so it cannot disturb the holder).
fn expect_busy(e: &Error, seen: &mut Seen) {
    match e.detail() {
        ErrorDetail::PrimeFailed {
            status,
            rounds: 1,
            cancel: CancelOutcome::NothingToCancel,
            ..
        } => match status {
            LfaError::Busy => seen.busy += 1,
            LfaError::WrongState => seen.wrong_state += 1,
            other => panic!("PRIME refused with {other}, not BUSY or WRONG_STATE: {e}"),
        },
        other => panic!("unexpected error while racing: {other}"),
    }
}

/// Each of `THREADS` threads: find its component, prime it, activate it (alone
/// or through a two-CPU rendezvous), retrying on a busy agent.
fn race<C: Conduit + Sync>(
    conduits: &[C],
    barrier: &Barrier,
    rendezvous: Option<ThreadRendezvous>,
) -> Vec<Seen> {
    thread::scope(|s| {
        let handles: Vec<_> = conduits
            .iter()
            .enumerate()
            .map(|(n, conduit)| {
                s.spawn(move || {
                    let options = Options::DEFAULT.with_force_rendezvous(rendezvous.is_some());
                    let mut client = Client::discover(conduit).unwrap().with_options(options);
                    let mut seen = Seen::default();
                    barrier.wait();
                    while seen.activated == 0 {
                        seen.attempts += 1;
                        assert!(
                            seen.attempts <= MAX_ATTEMPTS,
                            "thread {n} never got through"
                        );
                        let mine = client.find(uuid(n)).unwrap().unwrap();
                        let outcome = client.prime(&mine).and_then(|primed| match rendezvous {
                            Some(hook) => primed.activate_with(&hook),
                            None => primed.activate_alone(),
                        });
                        match outcome {
                            Ok(done) => {
                                assert_eq!(done.new_version(), Some(new_version(n)));
                                seen.activated += 1;
                            }
                            Err(e) => {
                                expect_busy(&e, &mut seen);
                                thread::yield_now();
                            }
                        }
                    }
                    seen
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The agent after the race: idle, each component activated once to its
/// staged version, no hang.
fn check_agent(agent: &Agent) {
    assert_eq!(agent.phase(), Phase::Idle, "a component was left behind");
    assert_eq!(agent.activations(), THREADS as u32);
    assert_eq!(agent.hangs(), 0);
    agent.inspect_components(|components| {
        assert_eq!(components.len(), THREADS);
        for (n, c) in components.iter().enumerate() {
            assert_eq!(c.uuid, uuid(n));
            assert!(!c.is_pending());
            assert_eq!(c.current_version, new_version(n));
        }
    });
}

fn report(name: &str, seen: &[Seen]) {
    let busy: u32 = seen.iter().map(|s| s.busy).sum();
    let wrong: u32 = seen.iter().map(|s| s.wrong_state).sum();
    let attempts: u32 = seen.iter().map(|s| s.attempts).sum();
    println!(
        "{name}: {THREADS} threads, {attempts} attempts, {busy} BUSY and {wrong} WRONG_STATE \
         refusals, {} activations",
        seen.iter().map(|s| s.activated).sum::<u32>()
    );
}

/// Threads activating alone (skip rendezvous), every call recorded in agent
/// order: mutual exclusion checked call by call. Repeated to shake out
/// interleavings; each round is bounded.
#[test]
fn racing_clients_activate_one_at_a_time() {
    const ROUNDS: usize = 200;
    let ((), elapsed) = with_watchdog(|| {
        let mut totals = Vec::new();
        for _ in 0..ROUNDS {
            let agent = agent(Profile::Clean, false);
            let recorder = Recorder::new(&agent);
            let conduits = recorder.conduits();
            let barrier = Barrier::new(THREADS);
            let seen = race(&conduits, &barrier, None);
            for s in &seen {
                assert_eq!(s.activated, 1);
            }
            let transcript = recorder.transcript.into_inner().unwrap();
            let done = check_mutual_exclusion(&transcript, Profile::Clean).unwrap();
            assert_eq!(done, THREADS as u32);
            check_agent(&agent);
            totals.extend(seen);
        }
        report("skip-rendezvous race", &totals);
    });
    println!("racing_clients_activate_one_at_a_time: {elapsed:?}");
}

/// Threads activating through a two-CPU rendezvous each (so up to three
/// threads are inside the agent at once: one client's two CPUs, and other
/// clients' PRIMEs), no recorder in between: the agent's end state and every
/// thread's errors show the exclusion.
#[test]
fn racing_clients_with_rendezvous_never_corrupt_the_agent() {
    const ROUNDS: usize = 100;
    let ((), elapsed) = with_watchdog(|| {
        let mut totals = Vec::new();
        for _ in 0..ROUNDS {
            let agent = agent(Profile::Clean, true);
            agent.set_online_cpus(2);
            let conduits = vec![&agent; THREADS];
            let barrier = Barrier::new(THREADS);
            let seen = race(&conduits, &barrier, Some(ThreadRendezvous::new(2)));
            for s in &seen {
                assert_eq!(s.activated, 1);
            }
            check_agent(&agent);
            totals.extend(seen);
        }
        report("rendezvous race", &totals);
    });
    println!("racing_clients_with_rendezvous_never_corrupt_the_agent: {elapsed:?}");
}

/// Deterministic: while one client holds a primed component, every other
/// client's attempt is refused with WRONG_STATE (and while it activates,
/// BUSY), and its CANCEL does not release the holder's prime.
#[test]
fn a_held_prime_refuses_every_other_client() {
    let agent = agent(Profile::Clean, false);
    let mut holder = Client::discover(&agent)
        .unwrap()
        .with_options(Options::DEFAULT.with_force_rendezvous(false));
    let mine = holder.find(uuid(0)).unwrap().unwrap();
    let primed = holder.prime(&mine).unwrap();
    assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
    for n in 1..THREADS {
        let mut other = Client::discover(&agent).unwrap();
        let theirs = other.find(uuid(n)).unwrap().unwrap();
        let e = other.prime(&theirs).unwrap_err();
        let mut seen = Seen::default();
        expect_busy(&e, &mut seen);
        assert_eq!(seen.wrong_state, 1, "{e}");
        // Still the holder's.
        assert_eq!(agent.phase(), Phase::Primed { seq_id: SeqId(0) });
    }
    primed.activate_alone().unwrap();
    assert_eq!(agent.phase(), Phase::Idle);
    // Now the others get through, one after the other.
    for n in 1..THREADS {
        let mut other = Client::discover(&agent)
            .unwrap()
            .with_options(Options::DEFAULT.with_force_rendezvous(false));
        let theirs = other.find(uuid(n)).unwrap().unwrap();
        other.prime(&theirs).unwrap().activate_alone().unwrap();
    }
    check_agent(&agent);
}

/// TF-A's measured agent, raced. It keeps an activated component current
/// until that component is cancelled, and answers PRIME with 0 for any
/// component once a prime is complete; so a client that does not release
/// after its activation blocks every other client for the rest of the boot.
/// Here each winner calls `Client::release` right after its activation, and
/// every thread gets through, one at a time. The others see the agent's
/// refusals surfaced as such: PRIME refused with BUSY or WRONG_STATE, or
/// (after TF-A's PRIME said 0 for someone else's prime) ACTIVATE refused
/// with INVALID_PARAMETERS, with nothing of theirs to cancel.
#[test]
fn tfa_agent_race_with_release_activates_everyone_one_at_a_time() {
    const ROUNDS: usize = 50;
    let ((), elapsed) = with_watchdog(|| {
        let mut refusals = [0u32; 3];
        for _ in 0..ROUNDS {
            let agent = agent(Profile::TfA, false);
            let recorder = Recorder::new(&agent);
            let conduits = recorder.conduits();
            let barrier = Barrier::new(THREADS);
            let seen: Vec<[u32; 3]> = thread::scope(|s| {
                let handles: Vec<_> = conduits
                    .iter()
                    .enumerate()
                    .map(|(n, conduit)| {
                        let barrier = &barrier;
                        s.spawn(move || {
                            let mut client = Client::discover(conduit)
                                .unwrap()
                                .with_options(Options::DEFAULT.with_force_rendezvous(false));
                            barrier.wait();
                            let mut refused = [0u32; 3];
                            for _ in 0..MAX_ATTEMPTS {
                                let mine = client.find(uuid(n)).unwrap().unwrap();
                                match client
                                    .prime(&mine)
                                    .and_then(|p| p.activate_alone())
                                    .map_err(|e| e.detail())
                                {
                                    Ok(done) => {
                                        // TF-A does not report versions.
                                        assert_eq!(done.new_version(), None);
                                        assert!(!done.now().unwrap().is_pending());
                                        client.release().unwrap();
                                        return refused;
                                    }
                                    Err(ErrorDetail::PrimeFailed {
                                        status: LfaError::Busy,
                                        ..
                                    }) => refused[0] += 1,
                                    Err(ErrorDetail::PrimeFailed {
                                        status: LfaError::WrongState,
                                        ..
                                    }) => refused[1] += 1,
                                    Err(ErrorDetail::ActivateFailed {
                                        status: LfaError::InvalidParameters,
                                        rounds: 1,
                                        cancel: CancelOutcome::NothingToCancel,
                                        ..
                                    }) => refused[2] += 1,
                                    Err(e) => panic!("thread {n}: unexpected {e}"),
                                }
                                thread::yield_now();
                            }
                            panic!("thread {n} never got through");
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for s in seen {
                for (total, n) in refusals.iter_mut().zip(s) {
                    *total += n;
                }
            }
            let transcript = recorder.transcript.into_inner().unwrap();
            let done = check_mutual_exclusion(&transcript, Profile::TfA).unwrap();
            assert_eq!(done, THREADS as u32);
            check_agent(&agent);
        }
        println!(
            "TF-A race with release: {ROUNDS} rounds of {THREADS} threads, all activated; \
             refusals: {} PRIME BUSY, {} PRIME WRONG_STATE, {} ACTIVATE INVALID_PARAMETERS",
            refusals[0], refusals[1], refusals[2]
        );
    });
    println!("tfa_agent_race_with_release_activates_everyone_one_at_a_time: {elapsed:?}");
}

/// The exclusion checker catches an interleaving where a second thread's
/// PRIME succeeds while the first holds the agent.
#[test]
fn the_exclusion_checker_rejects_two_holders() {
    use lfa_proto::{PrimeRequest, Request};
    let prime = |thread: usize, id: u32| Entry {
        thread,
        request: PrimeRequest::new(SeqId(id)).encode(),
        response: Regs::ZERO,
    };
    let err = check_mutual_exclusion(&[prime(0, 0), prime(1, 1)], Profile::Clean).unwrap_err();
    assert!(err.contains("thread 1 got LFA_PRIME"), "{err}");
    let err = check_mutual_exclusion(&[prime(0, 0)], Profile::Clean).unwrap_err();
    assert!(err.contains("still holding"), "{err}");
}

thread_local! {
    /// Whether this thread is the CPU that is slow to leave the pen.
    static SLOW: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
/// Holds the slow CPU inside its pen poll while set.
static HOLD_SLOW: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// The pen's relax hook: the slow CPU stays in it while `HOLD_SLOW` is set
/// (as a CPU that is descheduled, or takes an interrupt, right when its
/// round ends); the others just yield.
fn relax_unless_slow() {
    if SLOW.with(std::cell::Cell::get) {
        while HOLD_SLOW.load(std::sync::atomic::Ordering::SeqCst) {
            thread::yield_now();
        }
    }
    thread::yield_now();
}

/// Regression (found by the rendezvous race under load): a CPU whose
/// rendezvous round has ended but which is slow to leave the pen must get
/// that round's answer, however many later rounds other CPUs complete
/// meanwhile. The simulator kept the answers of only the last 8 rounds, so
/// such a CPU read "no answer" and reported a hang (x0 = HANG_STATUS)
/// although its round had completed.
#[test]
fn a_cpu_slow_to_leave_the_pen_still_gets_its_rounds_answer() {
    use lfa_proto::{ActivateFlags, ActivateRequest, PrimeRequest, Request};
    use std::sync::atomic::Ordering::SeqCst;

    let ((), _) = with_watchdog(|| {
        let agent: &'static Agent = Box::leak(Box::new(Agent::new(Profile::Clean)));
        // 20 CALL_AGAIN rounds: far more than the 8 answers kept before.
        agent
            .add_component(
                SimComponent::new(uuid(0))
                    .capable()
                    .current(OLD)
                    .pending(new_version(0))
                    .activate_rounds(20),
            )
            .unwrap();
        agent.set_online_cpus(2);
        agent.set_spin_budget(1 << 26);
        agent.set_spin_relax(Some(relax_unless_slow));
        assert_eq!(
            decode_status(agent.call(&PrimeRequest::new(SeqId(0)).encode()).x[0]),
            Ok(())
        );
        let activate = ActivateRequest {
            seq_id: SeqId(0),
            flags: ActivateFlags::empty(),
            entry_point: 0,
            context_id: 0,
        }
        .encode();
        let waiting = |n: u32| {
            while !matches!(agent.phase(), Phase::Activating { waiting, .. } if waiting == n) {
                thread::yield_now();
            }
        };

        // Round 1: the slow CPU waits in the pen, this CPU completes the round.
        let slow = thread::spawn(move || {
            SLOW.with(|s| s.set(true));
            agent.call(&activate)
        });
        waiting(1);
        let first = agent.call(&activate);
        assert!(ProgressFlags::from_bits_retain(first.x[1]).call_again());
        // Rounds 2..=21 with another CPU, while the slow one is still in the
        // pen's poll of round 1.
        for round in 2..=21 {
            let other = thread::spawn(move || agent.call(&activate));
            waiting(1);
            let mine = agent.call(&activate);
            let theirs = other.join().unwrap();
            assert_eq!(mine.x[..2], theirs.x[..2], "round {round}");
            assert_eq!(decode_status(mine.x[0]), Ok(()), "round {round}");
        }
        assert_eq!(agent.activations(), 1);
        // Now the slow CPU leaves: it must see round 1's answer (CALL_AGAIN).
        HOLD_SLOW.store(false, SeqCst);
        let late = slow.join().unwrap();
        assert_eq!(decode_status(late.x[0]), Ok(()), "{late:?}");
        assert_eq!(late.x[1], first.x[1]);
        assert_eq!(agent.hangs(), 0);
    });
}
