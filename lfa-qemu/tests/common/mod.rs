// SPDX-License-Identifier: MIT OR Apache-2.0
//! The flow the smc, hvc and rendezvous images share: discover, list,
//! activate every pending component, list again, and cross-check what the
//! client saw with what the agent (in the same RAM) recorded.
#![allow(dead_code)] // not every image uses every helper

use lfa_client::{Client, Component, Progress, Rendezvous, Summary};
use lfa_proto::{FirmwareVersion, FunctionId, Uuid};
use lfa_qemu::{check, check_eq, cmdline, println};
use lfa_sim::{DEMO_COMPONENTS, Phase, Profile, SimAgent, SimComponent};
use lfa_smccc::Conduit;

/// The agent type of every image: 8 components, 256 log records.
pub type Agent = SimAgent<8, 256>;

/// A population in the shape of the simulator's demo one: #0 and #1 capable
/// and pending (activated in that order), #2 and #3 not activatable.
pub type Population = [SimComponent; 4];

/// The simulator's demo population: TF-A BL31 pending and requiring a
/// rendezvous, TF-RMM pending with two PRIME CALL_AGAIN rounds and optional
/// rendezvous, BL33 not capable, a vendor component capable but not pending.
pub const DEMO: Population = DEMO_COMPONENTS;

/// Adds `components` to the agent (from `Scenario::el3_init`).
pub fn add_components(agent: &Agent, components: &Population) {
    for component in components {
        if agent.add_component(*component).is_err() {
            println!("FAIL: the agent has no room for the demo components");
        }
    }
}

/// The LFA version the images expect, unless the command line says
/// `break-check`: then 1.1, which no agent reports, so the image must fail.
pub fn expected_lfa_version() -> (u16, u16) {
    if cmdline::has("break-check") {
        println!("break-check: expecting LFA 1.1 on purpose; this run must FAIL");
        (1, 1)
    } else {
        (1, 0)
    }
}

/// Prints one inventory line.
pub fn print_component(c: &Component) {
    println!(
        "  {} {:<10} {} capable={} pending={} rendezvous={} current={} pending_version={}",
        c.seq_id(),
        c.name().unwrap_or("(vendor)"),
        c.uuid(),
        u8::from(c.is_capable()),
        u8::from(c.is_pending()),
        u8::from(c.rendezvous_required()),
        Version(c.current_version()),
        Version(c.pending_version()),
    );
}

/// `maj.min`, or `N/A` as Linux prints an unknown version.
struct Version(Option<FirmwareVersion>);

impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{v}"),
            None => f.write_str("N/A"),
        }
    }
}

/// Lists the inventory through `client`, printing it; returns the components
/// (at most 8) and how many there were.
pub fn list<C: Conduit>(client: &Client<C>, label: &str) -> ([Option<Component>; 8], usize) {
    let mut found = [None; 8];
    let mut count = 0;
    println!("inventory ({label}):");
    match client.components() {
        Ok(components) => {
            for (slot, component) in found.iter_mut().zip(components) {
                match component {
                    Ok(c) => {
                        print_component(&c);
                        *slot = Some(c);
                        count += 1;
                    }
                    Err(e) => {
                        check!(false, "GET_INVENTORY: {e}");
                    }
                }
            }
        }
        Err(e) => {
            check!(false, "GET_INFO: {e}");
        }
    }
    (found, count)
}

/// What the client must report for `expected` (one of the agent's
/// components), given whether the agent's profile writes the versions.
pub fn check_component(got: Option<&Component>, expected: &SimComponent, versions: bool) {
    let uuid = expected.uuid;
    let Some(got) = got else {
        check!(false, "component {uuid} listed");
        return;
    };
    check_eq!(got.uuid(), uuid, "{}: UUID", got.seq_id());
    check_eq!(
        (
            got.is_capable(),
            got.is_pending(),
            got.rendezvous_required()
        ),
        (
            expected.is_capable(),
            expected.is_pending(),
            expected.rendezvous_required()
        ),
        "{} {}: capable, pending, rendezvous required",
        got.seq_id(),
        got.name().unwrap_or("(vendor)")
    );
    let want = if versions {
        (Some(expected.current_version), expected.pending_version())
    } else {
        // TF-A does not write x4/x5: the client reads back its own zeros.
        (None, None)
    };
    check_eq!(
        (got.current_version(), got.pending_version()),
        want,
        "{} {}: current and pending version",
        got.seq_id(),
        got.name().unwrap_or("(vendor)")
    );
}

/// The whole flow against `components` (as the agent holds them): discover, list, activate all
/// pending (through `rendezvous`), list again. `calls` counts the calls the
/// exception level of the agent took (smc at EL3 or hvc at EL2); `cpus` is
/// how many CPUs the rendezvous runs on.
pub fn demo_flow<C: Conduit + Sync, R: Rendezvous<C>>(
    conduit: C,
    method: &str,
    agent: &Agent,
    components: &Population,
    rendezvous: &R,
    cpus: usize,
    calls: fn() -> u64,
) {
    let profile = agent.profile();
    let versions = profile == Profile::Clean;
    println!("-- {method}: discover, list, activate, list ({profile:?} agent, {cpus} CPU(s))");
    let start = calls();
    let agent_start = agent.call_count();

    // Discover: exactly one LFA_VERSION.
    let client = match Client::discover(conduit) {
        Ok(client) => client,
        Err(e) => {
            check!(false, "discover over {method}: {e}");
            return;
        }
    };
    let (major, minor) = expected_lfa_version();
    check_eq!(
        (client.version().major(), client.version().minor()),
        (major, minor),
        "LFA_VERSION over {method}"
    );
    check_eq!(calls() - start, 1, "discovery is one call");
    let before = calls();
    check!(
        client.require_all_functions().is_ok(),
        "LFA_FEATURES: every function"
    );
    check_eq!(
        calls() - before,
        6,
        "LFA_FEATURES asked once for each of the 6 other functions"
    );

    // List: GET_INFO + one GET_INVENTORY per component.
    let before = calls();
    let (listed, count) = list(&client, "before");
    check_eq!(count, components.len(), "components listed");
    check_eq!(calls() - before, 1 + count as u64, "listing is 1 + N calls");
    for (n, expected) in components.iter().enumerate() {
        check_component(
            listed.get(n).copied().flatten().as_ref(),
            expected,
            versions,
        );
    }

    // Activate every capable, pending component (BL31, then TF-RMM).
    let mut client = client;
    let activations_before = agent.activations();
    let before = calls();
    let mut seen = [None::<Uuid>; 4];
    let mut n = 0_usize;
    let result = client.activate_all_pending(rendezvous, |progress: Progress<'_>| {
        let Progress::Activated(done) = progress else {
            check!(false, "no component is skipped: {progress:?}");
            return;
        };
        println!(
            "activated {}: {} -> {} (PRIME x{}, ACTIVATE x{} on {} CPU(s), rendezvous={})",
            done.before().name().unwrap_or("(vendor)"),
            Version(done.old_version()),
            Version(done.new_version()),
            done.prime_rounds(),
            done.activate_rounds(),
            done.cpus(),
            done.used_rendezvous(),
        );
        check_eq!(
            done.cpus(),
            cpus,
            "{}: every CPU reported",
            done.before().uuid()
        );
        check!(
            done.used_rendezvous(),
            "{}: activated through the rendezvous hook",
            done.before().uuid()
        );
        if let Some(slot) = seen.get_mut(n) {
            *slot = Some(done.before().uuid());
        }
        n += 1;
    });
    check_eq!(
        result,
        Ok(Summary {
            activated: 2,
            skipped: 0
        }),
        "activate_all_pending activated 2 components"
    );
    let [first, second, ..] = components;
    check_eq!(
        seen[..2],
        [Some(first.uuid), Some(second.uuid)],
        "#0 first, then #1"
    );
    check_eq!(
        agent.activations() - activations_before,
        2,
        "the agent performed 2 activations"
    );
    // The client's documented cost: find the first pending component (GET_INFO,
    // GET_INVENTORY #0); per component a refresh (GET_INVENTORY), PRIME rounds,
    // ACTIVATE rounds on every CPU, and a re-enumeration (1 + N); one CANCEL
    // of the first component before the second PRIME (TF-A keeps it current).
    let n = components.len() as u64;
    let cost = |c: &SimComponent| {
        1 + u64::from(c.prime_rounds + 1) + u64::from(c.activate_rounds + 1) * cpus as u64 + 1 + n
    };
    check_eq!(
        calls() - before,
        2 + cost(first) + 1 + cost(second),
        "activation calls: 2 + per component (1 + PRIME rounds + ACTIVATE rounds x {cpus} CPU(s) + 1 + N) + 1 CANCEL"
    );

    // List again: nothing pending; with versions, the pending ones are current.
    let (after, count) = list(&client, "after");
    check_eq!(
        count,
        components.len(),
        "components listed after activation"
    );
    check_eq!(
        after
            .iter()
            .flatten()
            .filter(|c| c.is_activatable())
            .count(),
        0,
        "nothing activatable any more"
    );
    if versions {
        let current = |uuid: Uuid| {
            after
                .iter()
                .flatten()
                .find(|c| c.uuid() == uuid)
                .and_then(Component::current_version)
        };
        check_eq!(
            current(first.uuid),
            first.pending_version(),
            "#0 runs its pending version"
        );
        check_eq!(
            current(second.uuid),
            second.pending_version(),
            "#1 runs its pending version"
        );
    }

    // Every call the client made reached the agent, exactly once, and each
    // PRIME / ACTIVATE retry sent the same registers as the first try.
    check_eq!(
        calls() - start,
        agent.call_count() - agent_start,
        "{method} calls taken = calls the agent answered"
    );
    agent.with_log(|log| {
        check_eq!(log.dropped(), 0, "the agent log kept every call");
        let activates = log.count(FunctionId::Activate);
        println!(
            "agent log: {} calls, {} PRIME, {} ACTIVATE, {} CANCEL",
            log.total(),
            log.count(FunctionId::Prime),
            activates,
            log.count(FunctionId::Cancel)
        );
        check_eq!(
            activates % cpus,
            0,
            "ACTIVATE came from all {cpus} CPU(s) in every round"
        );
        print_trace(log.iter().map(|r| r.function()));
        let mut retries = 0;
        let mut identical = true;
        for pair in log.records().windows(2) {
            let [first, next] = pair else { continue };
            let call_again = first.status() == 0 && first.response.x[1] & 1 == 1;
            if call_again && first.function() == Some(FunctionId::Prime) {
                retries += 1;
                identical &= next.request == first.request;
            }
        }
        check!(
            retries > 0,
            "the flow had {retries} PRIME retries after CALL_AGAIN"
        );
        check!(
            identical,
            "every PRIME retry after CALL_AGAIN repeated the same registers"
        );
    });
    let phase = agent.phase();
    match profile {
        Profile::TfA => check!(
            matches!(phase, Phase::Activated { .. }),
            "TF-A agent keeps the last activated component current ({phase:?})"
        ),
        Profile::Clean => check_eq!(phase, Phase::Idle, "clean agent is idle again"),
    };
}

/// Prints a call sequence run-length encoded: `LFA_VERSION, LFA_FEATURES x7, ...`.
pub fn print_trace(calls: impl Iterator<Item = Option<FunctionId>>) {
    let mut line = Line::default();
    let mut run: Option<(Option<FunctionId>, u32)> = None;
    for function in calls {
        run = match run {
            Some((f, n)) if f == function => Some((f, n + 1)),
            Some(done) => {
                line.push(done);
                Some((function, 1))
            }
            None => Some((function, 1)),
        };
    }
    if let Some(done) = run {
        line.push(done);
    }
}

/// Prints trace items, a few per line.
#[derive(Default)]
struct Line {
    items: usize,
}

impl Line {
    fn push(&mut self, (function, n): (Option<FunctionId>, u32)) {
        let name = function.map_or("(not LFA)", FunctionId::name);
        let sep = if self.items % 6 == 0 {
            "\n  trace: "
        } else {
            ", "
        };
        self.items += 1;
        if n == 1 {
            lfa_qemu::uart::print(format_args!("{sep}{name}"));
        } else {
            lfa_qemu::uart::print(format_args!("{sep}{name} x{n}"));
        }
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        lfa_qemu::uart::print(format_args!("\n"));
    }
}
