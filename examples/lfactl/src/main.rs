//! `lfactl`, the operator's tool for Arm Live Firmware Activation on Linux.
//!
//! ```text
//! lfactl --simulate list
//! lfactl show TF-RMM
//! sudo lfactl activate TF-RMM
//! ```
//!
//! A thin layer over `lfa_client::sysfs` (the kernel's `/sys/firmware/lfa`
//! tree, or another root with `--root`) and over `lfa_client::Client` on the
//! simulated agent (`--simulate`). `lfactl --help` documents the commands,
//! the exit codes and the JSON output.

mod backend;
mod cli;
mod exit;
mod output;

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use lfa_client::sysfs::{ComponentInfo, DEFAULT_ROOT, Watcher};
use serde_json::json;

use backend::{Backend, CancelResult, SimBackend, SysfsBackend};
use cli::{Cli, Command, OnOff};
use exit::{Exit, Failure};
use output::{ComponentJson, SCHEMA, print_json};

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit 2, --help 0
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("lfactl: {}", failure.message);
            if json {
                print_json(&json!({
                    "schema": SCHEMA,
                    "error": {
                        "kind": failure.exit.kind(),
                        "exit_code": failure.exit.code(),
                        "message": failure.message,
                    }
                }));
            }
            ExitCode::from(failure.exit.code())
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let mut backend: Box<dyn Backend> = if cli.simulate {
        Box::new(SimBackend::new())
    } else {
        let root = cli.root.as_deref().unwrap_or(Path::new(DEFAULT_ROOT));
        Box::new(SysfsBackend::new(root))
    };
    let backend = backend.as_mut();
    let json = cli.json;
    match cli.command {
        Command::List => list(backend, json),
        Command::Show { component } => show(backend, &component, json),
        Command::Activate { component } => activate(backend, &component, json, cli.yes),
        Command::Cancel { component } => cancel(backend, component.as_deref(), json),
        Command::AutoActivate { state, component } => set(
            backend,
            Setting::AutoActivate,
            state,
            component.as_deref(),
            json,
        ),
        Command::ForceRendezvous { state, component } => set(
            backend,
            Setting::ForceRendezvous,
            state,
            component.as_deref(),
            json,
        ),
        Command::Watch { interval_ms, count } => watch(backend, interval_ms, count, json),
    }
}

fn list(backend: &mut dyn Backend, json: bool) -> Result<(), Failure> {
    let components = backend.list()?;
    if json {
        let list: Vec<ComponentJson> = components.iter().map(ComponentJson::from).collect();
        print_json(&json!({ "schema": SCHEMA, "backend": backend.kind(), "components": list }));
    } else if components.is_empty() {
        println!("no LFA components");
    } else {
        println!("{}", output::table(&components));
    }
    Ok(())
}

fn show(backend: &mut dyn Backend, query: &str, json: bool) -> Result<(), Failure> {
    let component = backend.find(query)?;
    if json {
        print_json(&json!({
            "schema": SCHEMA,
            "backend": backend.kind(),
            "component": ComponentJson::from(&component),
        }));
    } else {
        print!("{}", output::details(&component));
    }
    Ok(())
}

fn activate(backend: &mut dyn Backend, query: &str, json: bool, yes: bool) -> Result<(), Failure> {
    let before = backend.find(query)?;
    let label = output::label(&before);
    if !before.is_capable() {
        return Err(Failure::new(
            Exit::Refused,
            format!("{label} is not activation capable: the firmware cannot activate it live"),
        ));
    }
    if !before.is_pending() {
        return Err(Failure::new(
            Exit::NothingToDo,
            format!("nothing to do: {label} has no pending activation"),
        ));
    }
    if !yes {
        confirm(&before)?;
    }
    eprintln!("lfactl: activating {label}");
    let start = Instant::now();
    backend.activate(&before, &mut |step| eprintln!("lfactl:   {step}"))?;
    let elapsed = start.elapsed();
    let after = backend.refresh(before.uuid())?;
    if json {
        print_json(&json!({
            "schema": SCHEMA,
            "backend": backend.kind(),
            "command": "activate",
            "result": "activated",
            "before": ComponentJson::from(&before),
            "after": after.as_ref().map(ComponentJson::from),
            "elapsed_ms": u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        }));
    } else {
        println!("{}", activation_summary(&label, &before, after.as_ref()));
    }
    Ok(())
}

/// "activated X: 0.7 -> 0.8", or what else the tree says after the write.
fn activation_summary(
    label: &str,
    before: &ComponentInfo,
    after: Option<&ComponentInfo>,
) -> String {
    let old = version_text(before.current_version());
    let Some(now) = after else {
        return format!("activated {label} (was {old}); it is no longer listed");
    };
    let new = version_text(now.current_version());
    let mut line = if now.current_version() == before.current_version() {
        format!("activated {label}: the version still reads {old}")
    } else {
        format!("activated {label}: {old} -> {new}")
    };
    if now.is_pending() {
        line.push_str("; activation is still pending");
    }
    line
}

/// Asks on stderr, reads one line from stdin: `y` or `yes` goes on.
fn confirm(c: &ComponentInfo) -> Result<(), Failure> {
    eprint!(
        "Activate {} now ({} -> {}, {})? The new firmware starts running at once. [y/N] ",
        output::label(c),
        version_text(c.current_version()),
        version_text(c.pending_version()),
        if c.activates_with_rendezvous() {
            "every CPU stops for a rendezvous"
        } else {
            "one CPU"
        }
    );
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    let answer = answer.trim();
    if read.is_ok() && (answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes")) {
        Ok(())
    } else {
        eprintln!();
        Err(Failure::new(
            Exit::NotConfirmed,
            "not confirmed; nothing was done (use --yes to skip the question)",
        ))
    }
}

fn cancel(backend: &mut dyn Backend, query: Option<&str>, json: bool) -> Result<(), Failure> {
    let targets = match query {
        Some(query) => vec![backend.find(query)?],
        None => backend
            .list()?
            .into_iter()
            .filter(ComponentInfo::is_capable)
            .collect(),
    };
    let mut results = Vec::new();
    for c in &targets {
        let result = backend.cancel(c)?;
        let (word, message) = match &result {
            CancelResult::Cancelled => ("cancelled", "cancelled".to_owned()),
            CancelResult::NothingToCancel => ("nothing-to-cancel", "nothing to cancel".to_owned()),
            CancelResult::Refused(why) => ("refused", why.clone()),
        };
        if !json {
            println!("{}: {message}", output::label(c));
        }
        results.push((c.uuid(), word, message, result));
    }
    if json {
        let list: Vec<_> = results
            .iter()
            .map(|(uuid, word, message, _)| {
                json!({ "uuid": uuid.to_string(), "result": word, "message": message })
            })
            .collect();
        print_json(&json!({
            "schema": SCHEMA,
            "backend": backend.kind(),
            "command": "cancel",
            "results": list,
        }));
    }
    let any = |want: fn(&CancelResult) -> bool| results.iter().any(|(.., r)| want(r));
    if any(|r| *r == CancelResult::Cancelled) {
        Ok(())
    } else if any(|r| matches!(r, CancelResult::Refused(_))) {
        Err(Failure::new(
            Exit::Refused,
            "the kernel or firmware refused to cancel",
        ))
    } else {
        Err(Failure::new(Exit::NothingToDo, "nothing to cancel"))
    }
}

#[derive(Clone, Copy)]
enum Setting {
    AutoActivate,
    ForceRendezvous,
}

fn set(
    backend: &mut dyn Backend,
    setting: Setting,
    state: OnOff,
    query: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let targets = match query {
        Some(query) => vec![backend.find(query)?],
        None => backend.list()?,
    };
    if targets.is_empty() {
        return Err(Failure::new(Exit::NothingToDo, "no LFA components"));
    }
    let (command, file) = match setting {
        Setting::AutoActivate => ("auto-activate", "auto_activate"),
        Setting::ForceRendezvous => ("force-rendezvous", "force_cpu_rendezvous"),
    };
    let on = state.is_on();
    for c in &targets {
        match setting {
            Setting::AutoActivate => backend.set_auto_activate(c, on)?,
            Setting::ForceRendezvous => backend.set_force_rendezvous(c, on)?,
        }
        if !json {
            println!(
                "{}: {file} = {}",
                output::label(c),
                if on { "on" } else { "off" }
            );
        }
    }
    if json {
        let uuids: Vec<String> = targets.iter().map(|c| c.uuid().to_string()).collect();
        print_json(&json!({
            "schema": SCHEMA,
            "backend": backend.kind(),
            "command": command,
            "value": on,
            "components": uuids,
        }));
    }
    Ok(())
}

fn watch(
    backend: &mut dyn Backend,
    interval_ms: u64,
    count: u64,
    json: bool,
) -> Result<(), Failure> {
    let mut watcher = Watcher::new();
    let mut polls: u64 = 0;
    loop {
        let components = backend.list()?;
        for change in watcher.observe(&components) {
            if json {
                print_json(&output::change_json(&change));
            } else {
                println!("{}", output::change_text(&change));
            }
        }
        polls = polls.saturating_add(1);
        if count != 0 && polls >= count {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(interval_ms));
    }
}

fn version_text(v: Option<lfa_proto::FirmwareVersion>) -> String {
    v.map_or_else(|| "unknown version".to_owned(), |v| v.to_string())
}
