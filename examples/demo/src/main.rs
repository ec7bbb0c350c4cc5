// SPDX-License-Identifier: MIT OR Apache-2.0
//! The lfa-rs main demo: the full LFA flow against the simulated agent.
//!
//! ```text
//! cargo run -p lfa-demo
//! ```
//!
//! It lists the inventory of the simulated agent's demo population, activates
//! every capable and pending component (TF-A BL31 through a rendezvous of four
//! std threads playing four CPUs, TF-RMM the same way, as Linux forces a
//! rendezvous by default), reports any component it had to skip, lists the
//! inventory again, and prints the old and new versions and how many
//! firmware calls it all took. It exits 0 on success and 1 on any error.

use std::process::ExitCode;

use lfa_client::{Activated, Client, Component, Progress, ThreadRendezvous};
use lfa_proto::{FirmwareVersion, FunctionId};
use lfa_sim::SimAgent;
use lfa_smccc::Conduit;

/// How many CPUs the simulated machine has online.
const CPUS: u32 = 4;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), lfa_client::Error> {
    let agent = SimAgent::demo();
    agent.set_online_cpus(CPUS);
    // Threads waiting in the simulated holding pen yield to the others.
    agent.set_spin_relax(Some(std::thread::yield_now));
    let rendezvous = ThreadRendezvous::new(usize::try_from(CPUS).unwrap_or(1));

    let mut client = Client::discover(&agent)?;
    println!(
        "LFA agent found: version {} (simulated, {CPUS} CPUs online)",
        client.version()
    );

    println!("\nInventory:");
    let before = agent.call_count();
    print_inventory(&client)?;
    let listing = agent.call_count() - before;

    println!("\nActivating every capable and pending component:");
    let before = agent.call_count();
    let mut done: Vec<Activated> = Vec::new();
    let summary = client.activate_all_pending(&rendezvous, |progress| match progress {
        Progress::Activated(activated) => {
            println!(
                "  {:<24} PRIME rounds: {}, ACTIVATE rounds: {}, {}",
                label(activated.before()),
                activated.prime_rounds(),
                activated.activate_rounds(),
                if activated.used_rendezvous() {
                    format!("rendezvous of {} CPUs", activated.cpus())
                } else {
                    "one CPU (rendezvous skipped)".to_owned()
                }
            );
            done.push(*activated);
        }
        Progress::Skipped { component, error } => {
            println!("  {:<24} skipped: {error}", label(component));
        }
        _ => {}
    })?;
    // The agent may keep the last activated component current (TF-A does):
    // release it now, so that another client could activate (dropping the
    // client would do the same).
    client.release()?;
    let activating = agent.call_count() - before;
    if summary.activated == 0 && summary.skipped == 0 {
        println!("  nothing pending");
    }
    let count = summary.activated;

    println!("\nInventory after activation:");
    print_inventory(&client)?;

    println!("\nVersions:");
    for activated in &done {
        println!(
            "  {:<24} {} -> {}",
            label(activated.before()),
            version(activated.old_version()),
            version(activated.new_version())
        );
    }

    println!(
        "\nFirmware calls: {} in all (listing {} components: {listing}; activating {count}, skipping {}, and the release CANCEL: {activating})",
        agent.call_count(),
        agent.component_count(),
        summary.skipped,
    );
    let log = agent.log();
    let by_function: Vec<String> = FunctionId::ALL
        .iter()
        .map(|&f| format!("{} {}", f.name().trim_start_matches("LFA_"), log.count(f)))
        .collect();
    println!("  by function: {}", by_function.join(", "));
    Ok(())
}

/// Prints the inventory as a table (N + 1 calls).
fn print_inventory<C: Conduit>(client: &Client<C>) -> Result<(), lfa_client::Error> {
    println!(
        "  {:<3} {:<24} {:<36} {:<7} {:<7} {:<10} {:<9} {:<9}",
        "id", "name", "uuid", "capable", "pending", "rendezvous", "current", "pending"
    );
    for component in client.components()? {
        let c = component?;
        println!(
            "  {:<3} {:<24} {:<36} {:<7} {:<7} {:<10} {:<9} {:<9}",
            c.seq_id().0,
            c.name().unwrap_or("(unknown)"),
            c.uuid(),
            yes_no(c.is_capable()),
            yes_no(c.is_pending()),
            if c.rendezvous_required() {
                "required"
            } else {
                "optional"
            },
            version(c.current_version()),
            version(c.pending_version()),
        );
    }
    Ok(())
}

fn label(c: &Component) -> String {
    c.name().map_or_else(|| c.uuid().to_string(), str::to_owned)
}

fn version(v: Option<FirmwareVersion>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}
