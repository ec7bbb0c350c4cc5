// SPDX-License-Identifier: MIT OR Apache-2.0
//! The commands: each returns the one JSON object of its run (printed with
//! `--json`) or a [`Failure`], which becomes the one error object.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use lfa_sysfs::{ComponentInfo, Watcher};
use serde_json::{Value, json};

use crate::System;
use crate::backend::{Backend, CancelResult, SimBackend, SysfsBackend};
use crate::cli::{Cli, Command, OnOff};
use crate::console::Console;
use crate::exit::{Exit, Failure};
use crate::kmsg::{self, Capture};
use crate::output::{self, ComponentJson, SCHEMA};
use crate::state::{Outcome, Record, StateDir};

/// `ECANCELED`.
const ECANCELED: i32 = 125;

/// Parses `args` and runs the command; the exit code.
pub fn main<I, T>(args: I, system: &System<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let console = system.console;
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            if !e.use_stderr() {
                console.out(text.trim_end()); // --help, --version
                return code;
            }
            console.ask(&text);
            // A usage error is a failing run too: one JSON object.
            let json = args
                .iter()
                .skip(1)
                .take_while(|a| *a != "--")
                .any(|a| a == "--json");
            if json {
                let message = text
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                output::print_json(
                    console,
                    &json!({
                        "schema": SCHEMA,
                        "error": {
                            "kind": Exit::Usage.kind(),
                            "exit_code": code,
                            "message": message,
                            "errno": null,
                        },
                        "recovery": ["lfactl --help lists the commands and options"],
                    }),
                );
            }
            return code;
        }
    };
    let json = cli.json;
    let mut ctx = Ctx::new(&cli, system);
    match run(cli, system, &mut ctx) {
        Ok(Some(value)) => {
            if json {
                output::print_json(console, &value);
            }
            0
        }
        Ok(None) => 0,
        Err(failure) => {
            console.err(format_args!("lfactl: {}", failure.message));
            for hint in &failure.hints {
                console.err(format_args!("lfactl: {hint}"));
            }
            if json {
                let mut object = serde_json::Map::new();
                object.insert("schema".into(), SCHEMA.into());
                if let Some(kind) = ctx.backend_kind {
                    object.insert("backend".into(), kind.into());
                }
                if let Some(command) = ctx.command {
                    object.insert("command".into(), command.into());
                }
                object.insert(
                    "error".into(),
                    json!({
                        "kind": failure.exit.kind(),
                        "exit_code": failure.exit.code(),
                        "message": failure.message,
                        "errno": failure.errno,
                    }),
                );
                object.insert("recovery".into(), json!(failure.hints));
                for (key, value) in failure.details {
                    object.insert(key, value);
                }
                output::print_json(console, &Value::Object(object));
            }
            failure.exit.code()
        }
    }
}

/// What every command needs besides the backend.
struct Ctx<'a> {
    console: &'a Console,
    json: bool,
    yes: bool,
    /// The kernel log (sysfs only).
    kmsg: Option<PathBuf>,
    /// The lock and record (sysfs only).
    state: Option<StateDir>,
    backend_kind: Option<&'static str>,
    command: Option<&'static str>,
}

impl<'a> Ctx<'a> {
    fn new(cli: &Cli, system: &System<'a>) -> Self {
        let sysfs = !cli.simulate;
        Self {
            console: system.console,
            json: cli.json,
            yes: cli.yes,
            kmsg: sysfs.then(|| cli.kmsg.clone().unwrap_or_else(|| system.kmsg.clone())),
            state: sysfs.then(|| {
                StateDir::new(
                    cli.state_dir
                        .clone()
                        .unwrap_or_else(|| system.state_dir.clone()),
                    &system.boot_id,
                )
            }),
            backend_kind: None,
            command: None,
        }
    }

    /// A result line on stdout, only without `--json`.
    fn text(&self, line: impl FnOnce() -> String) {
        if !self.json {
            self.console.out(line());
        }
    }

    fn note(&self, line: impl std::fmt::Display) {
        self.console.err(format_args!("lfactl: {line}"));
    }

    /// This boot's record (empty for the simulated agent).
    fn record(&self) -> Record {
        match &self.state {
            Some(state) => state.load(&mut |warning| self.note(warning)),
            None => Record::default(),
        }
    }

    fn save(&self, record: &Record) -> Result<(), Failure> {
        match &self.state {
            Some(state) => state.save(record),
            None => Ok(()),
        }
    }

    /// Runs `write` between a kernel log mark and the read of what the
    /// driver logged; shows the lines on stderr.
    fn logged<T>(&self, write: impl FnOnce() -> T) -> (T, Option<Capture>) {
        let Some(path) = &self.kmsg else {
            return (write(), None);
        };
        let mark = kmsg::mark(path);
        let result = write();
        let capture = match mark {
            Ok(mark) => mark.read(),
            Err(why) => Capture::unavailable(why),
        };
        if capture.readable {
            if capture.lines.is_empty() {
                self.note("  the kernel logged no `Arm LFA:` line for this write");
            }
            for line in &capture.lines {
                self.note(format_args!("  kernel: {line}"));
            }
            if let Some(note) = &capture.note {
                self.note(format_args!("  {note}"));
            }
        } else if let Some(note) = &capture.note {
            self.note(format_args!(
                "  {note}; the kernel's `Arm LFA:` lines there say what happened"
            ));
        }
        (result, Some(capture))
    }
}

/// The kernel log of one write as JSON fields.
fn log_fields(capture: Option<&Capture>) -> Value {
    match capture {
        Some(c) => {
            json!({ "kernel_log": c.lines, "kernel_log_readable": c.readable, "kernel_log_note": c.note })
        }
        None => {
            json!({ "kernel_log": [], "kernel_log_readable": false, "kernel_log_note": "no kernel log: simulated agent" })
        }
    }
}

fn merge(into: &mut serde_json::Map<String, Value>, fields: Value) {
    if let Value::Object(fields) = fields {
        into.extend(fields);
    }
}

fn run(cli: Cli, system: &System<'_>, ctx: &mut Ctx<'_>) -> Result<Option<Value>, Failure> {
    let mut backend: Box<dyn Backend + '_> = if cli.simulate {
        Box::new(SimBackend::new())
    } else {
        let root = cli.root.clone().unwrap_or_else(|| system.root.clone());
        Box::new(SysfsBackend::new(&root, system.access, system.console))
    };
    let backend = backend.as_mut();
    ctx.backend_kind = Some(backend.kind());
    match cli.command {
        Command::List => {
            ctx.command = Some("list");
            list(ctx, backend)
        }
        Command::Show { component } => {
            ctx.command = Some("show");
            show(ctx, backend, &component)
        }
        Command::Activate {
            component,
            release_previous,
            previous,
            recover,
        } => {
            ctx.command = Some("activate");
            let options = ActivateOptions {
                release_previous,
                previous,
                recover,
            };
            activate(ctx, backend, &component, &options)
        }
        Command::Cancel { component } => {
            ctx.command = Some("cancel");
            cancel(ctx, backend, component.as_deref())
        }
        Command::AutoActivate { state, component } => {
            ctx.command = Some("auto-activate");
            set(
                ctx,
                backend,
                Setting::AutoActivate,
                state,
                component.as_deref(),
            )
        }
        Command::ForceRendezvous { state, component } => {
            ctx.command = Some("force-rendezvous");
            set(
                ctx,
                backend,
                Setting::ForceRendezvous,
                state,
                component.as_deref(),
            )
        }
        Command::Watch { interval_ms, count } => {
            ctx.command = Some("watch");
            watch(ctx, backend, interval_ms, count, cli.json)
        }
    }
}

fn list(ctx: &Ctx<'_>, backend: &mut dyn Backend) -> Result<Option<Value>, Failure> {
    let components = backend.list()?;
    if components.is_empty() {
        ctx.text(|| "no LFA components".to_owned());
    } else {
        ctx.text(|| output::table(&components));
    }
    let list: Vec<ComponentJson> = components.iter().map(ComponentJson::from).collect();
    Ok(Some(
        json!({ "schema": SCHEMA, "backend": backend.kind(), "components": list }),
    ))
}

fn show(ctx: &Ctx<'_>, backend: &mut dyn Backend, query: &str) -> Result<Option<Value>, Failure> {
    let component = backend.find(query)?;
    ctx.text(|| output::details(&component).trim_end().to_owned());
    Ok(Some(json!({
        "schema": SCHEMA,
        "backend": backend.kind(),
        "component": ComponentJson::from(&component),
    })))
}

struct ActivateOptions {
    release_previous: bool,
    previous: Option<String>,
    recover: bool,
}

/// What one cancel write got, in words and as an exit code.
struct CancelReport {
    uuid: String,
    word: &'static str,
    message: String,
    exit: Option<Exit>,
    capture: Option<Capture>,
}

impl CancelReport {
    fn json(&self) -> Value {
        let mut object = serde_json::Map::new();
        object.insert("uuid".into(), self.uuid.clone().into());
        object.insert("result".into(), self.word.into());
        object.insert("message".into(), self.message.clone().into());
        merge(&mut object, log_fields(self.capture.as_ref()));
        Value::Object(object)
    }
}

/// Writes `c`'s cancel (the caller holds the lock) and says truthfully
/// what the answer means, from the kernel log and lfactl's record.
fn cancel_one(
    ctx: &Ctx<'_>,
    backend: &mut dyn Backend,
    c: &ComponentInfo,
    record: &mut Record,
) -> Result<CancelReport, Failure> {
    let (result, capture) = ctx.logged(|| backend.cancel(c));
    let result = result?;
    let held = record.get(c.uuid()).map(|h| h.outcome);
    let (word, message, exit) = match result {
        CancelResult::Accepted => {
            record.remove(c.uuid());
            let message = match held {
                Some(Outcome::Activated) => "the kernel accepted the cancel; lfactl's activation of it in this boot had completed, so nothing was stopped: the firmware no longer holds that activation".to_owned(),
                Some(outcome) => format!(
                    "the kernel accepted the cancel; the firmware no longer holds what was left of {} by lfactl in this boot",
                    outcome.describe()
                ),
                None => "the kernel accepted the cancel; no activation was in progress as far as lfactl can tell (no lfactl activation is running, and lfactl has no record of one for it in this boot)".to_owned(),
            };
            ("accepted", message, None)
        }
        CancelResult::NothingToCancel => {
            record.remove(c.uuid());
            (
                "nothing-to-cancel",
                "nothing to cancel: the firmware holds nothing for it".to_owned(),
                Some(Exit::NothingToDo),
            )
        }
        CancelResult::Refused(why) => {
            let log = capture.as_ref();
            if log.is_some_and(|l| l.mentions("LFA_INVALID_PARAMETERS")) {
                record.remove(c.uuid());
                (
                    "nothing-to-cancel",
                    "nothing to cancel: the kernel answered EINVAL and its log says the firmware answered LFA_INVALID_PARAMETERS: it holds nothing for this component".to_owned(),
                    Some(Exit::NothingToDo),
                )
            } else if log.is_some_and(|l| l.mentions("LFA_BUSY")) {
                (
                    "refused",
                    "refused: the kernel answered EINVAL and its log says the firmware answered LFA_BUSY: an activation is running or can no longer be cancelled".to_owned(),
                    Some(Exit::Refused),
                )
            } else {
                (
                    "refused",
                    format!(
                        "refused: {why}; the kernel does not say whether nothing was held or it was too late"
                    ),
                    Some(Exit::Refused),
                )
            }
        }
    };
    Ok(CancelReport {
        uuid: c.uuid().to_string(),
        word,
        message,
        exit,
        capture,
    })
}

/// How an operator names a component on the command line.
fn shell_word(text: &str) -> String {
    if text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn activate(
    ctx: &Ctx<'_>,
    backend: &mut dyn Backend,
    query: &str,
    options: &ActivateOptions,
) -> Result<Option<Value>, Failure> {
    let _lock = match &ctx.state {
        Some(state) => Some(state.lock(&format!("activate {query}"))?),
        None => None,
    };
    let mut record = ctx.record();
    let before = backend.find(query)?;
    let label = output::label(&before);
    let word = shell_word(query);
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

    // What to release first.
    let mut release: Vec<ComponentInfo> = Vec::new();
    if options.release_previous {
        if let Some(previous) = &options.previous {
            release.push(backend.find(previous)?);
        } else {
            let listed: Vec<String> = record.held.iter().map(|h| h.uuid.clone()).collect();
            for uuid in listed {
                let Ok(parsed) = uuid.parse::<lfa_proto::Uuid>() else {
                    continue;
                };
                if parsed == before.uuid() {
                    continue;
                }
                match backend.refresh(parsed)? {
                    Some(c) => release.push(c),
                    None => {
                        ctx.note(format_args!(
                            "{uuid} (in lfactl's record) is no longer listed; nothing to release there"
                        ));
                        record.remove(parsed);
                    }
                }
            }
            if release.is_empty() {
                ctx.note("nothing to release: lfactl's record of this boot lists no other component (name one with --previous COMPONENT)");
            }
        }
        release.retain(|c| c.uuid() != before.uuid());
    }
    if options.recover {
        release.push(before.clone());
    }

    if !ctx.yes {
        confirm(ctx, &before, &release)?;
    }
    let mut released = Vec::new();
    for c in &release {
        ctx.note(format_args!(
            "writing cancel for {} first",
            output::label(c)
        ));
        let report = cancel_one(ctx, backend, c, &mut record)?;
        ctx.note(format_args!("  {}", report.message));
        let stop = report.exit == Some(Exit::Refused);
        released.push(report.json());
        if stop {
            ctx.save(&record)?;
            let mut failure = Failure::new(
                Exit::Refused,
                format!(
                    "stopped before activating {label}: the cancel of {} was refused, so lfactl cannot tell that nothing is in flight; nothing more was written",
                    output::label(c)
                ),
            )
            .with("released", Value::Array(released));
            failure.hints.push(
                "check the kernel log, then retry, or activate without --release-previous/--recover".to_owned(),
            );
            return Err(failure);
        }
    }

    // Without --release-previous, say what lfactl's record knows.
    let previous: Vec<String> = record
        .held
        .iter()
        .filter(|h| h.uuid != before.uuid().to_string())
        .map(|h| format!("{} ({})", h.label(), h.outcome.describe()))
        .collect();
    if !previous.is_empty() {
        ctx.note(format_args!(
            "note: the firmware may still hold {} from earlier in this boot (no cancel accepted since); on TF-A this activation then fails until that cancel is written: `lfactl activate --release-previous {word}` writes it first",
            previous.join(", ")
        ));
    }

    record.set(before.uuid(), before.name(), Outcome::Started);
    ctx.save(&record)?;
    ctx.note(format_args!("activating {label}"));
    let start = Instant::now();
    let console = ctx.console;
    let (result, capture) = ctx.logged(|| {
        backend.activate(&before, &mut |step| {
            console.err(format_args!("lfactl:   {step}"));
        })
    });
    let elapsed = start.elapsed();
    // The driver answers success also when LFA_ACTIVATE failed and its own
    // LFA_CANCEL then succeeded: its log and activation_pending tell.
    let after = match &result {
        Ok(()) => Some(backend.refresh(before.uuid())),
        Err(_) => None,
    };
    let log_says_failed = capture
        .as_ref()
        .is_some_and(|c| c.mentions("ACTIVATE for image") && c.mentions(" failed"));
    let still_pending = matches!(&after, Some(Ok(Some(c))) if c.is_pending());
    let cancelled_by_kernel = log_says_failed
        && still_pending
        && capture
            .as_ref()
            .is_some_and(|c| c.mentions("Activation cancelled for image"));
    match &result {
        Ok(()) if cancelled_by_kernel => record.remove(before.uuid()),
        Ok(()) => record.set(before.uuid(), before.name(), Outcome::Activated),
        Err(f) if f.errno == Some(ECANCELED) => {
            record.set(before.uuid(), before.name(), Outcome::Failed);
        }
        // Refused before PRIME (EBUSY, EINVAL, ENODEV, EACCES) or the
        // simulated agent (nothing is kept between runs).
        Err(_) => record.remove(before.uuid()),
    }
    if ctx.state.is_none() {
        record.remove(before.uuid());
    }
    ctx.save(&record)?;

    let mut failure = match (result, after) {
        (Err(failure), _) if failure.errno == Some(ECANCELED) => {
            not_completed(failure, &label, &word, capture.as_ref(), &record, &before)
        }
        (Err(failure), _) => failure,
        (Ok(()), Some(Err(failure))) => failure,
        (Ok(()), _) if log_says_failed && still_pending => {
            let mut f = Failure::new(
                Exit::Refused,
                format!(
                    "the kernel reported success, but its log for this write says LFA_ACTIVATE failed and {label} still reads pending: the activation was not completed (this driver reports success when its own LFA_CANCEL after a failed LFA_ACTIVATE is accepted)"
                ),
            );
            f.hints.push(format!(
                "see the kernel lines above; `lfactl activate {word}` retries"
            ));
            f
        }
        (Ok(()), after) => {
            let after = after.and_then(Result::ok).flatten();
            return Ok(Some(activated(
                ctx,
                backend.kind(),
                &label,
                &before,
                after.as_ref(),
                elapsed,
                released,
                capture.as_ref(),
                log_says_failed,
            )));
        }
    };
    failure = failure.with("released", Value::Array(released));
    if let Value::Object(fields) = log_fields(capture.as_ref()) {
        failure.details.extend(fields);
    }
    Err(failure)
}

/// The report of a write the kernel answered with success.
#[allow(clippy::too_many_arguments)]
fn activated(
    ctx: &Ctx<'_>,
    kind: &str,
    label: &str,
    before: &ComponentInfo,
    after: Option<&ComponentInfo>,
    elapsed: Duration,
    released: Vec<Value>,
    capture: Option<&Capture>,
    log_says_failed: bool,
) -> Value {
    if log_says_failed {
        ctx.note("warning: the kernel reported success, but its log for this write says LFA_ACTIVATE failed; check the version below");
    }
    ctx.text(|| activation_summary(label, before, after));
    let mut object = serde_json::Map::new();
    merge(
        &mut object,
        json!({
            "schema": SCHEMA,
            "backend": kind,
            "command": "activate",
            "result": "activated",
            "before": ComponentJson::from(before),
            "after": after.map(ComponentJson::from),
            "elapsed_ms": u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            "released": released,
            "kernel_log_reports_failure": log_says_failed,
        }),
    );
    merge(&mut object, log_fields(capture));
    Value::Object(object)
}

/// The failure of an activate write answered with ECANCELED: only what is
/// known, and what the operator can do.
fn not_completed(
    failure: Failure,
    label: &str,
    word: &str,
    capture: Option<&Capture>,
    record: &Record,
    component: &ComponentInfo,
) -> Failure {
    let mut f = Failure::new(
        Exit::Refused,
        format!(
            "the kernel reported that the activation of {label} was not completed (ECANCELED); the kernel does not say whether it cancelled anything"
        ),
    );
    f.errno = failure.errno;
    if let Some(log) = capture {
        if log.mentions("LFA_PRIME") && log.mentions("LFA_WRONG_STATE") {
            f.hints.push(
                "its log says LFA_PRIME answered LFA_WRONG_STATE: the firmware is still busy with another component (left mid-prime, or an activation it still holds) until that component's cancel is written".to_owned(),
            );
        } else if log.mentions("LFA_PRIME") {
            f.hints.push(
                "its log says LFA_PRIME failed; the driver sends no LFA_CANCEL then, so the firmware may be left mid-prime for this component and refuse to prime any other until its cancel is written".to_owned(),
            );
        }
        if log.mentions("could not be cancelled") {
            f.hints.push(
                "its log says LFA_ACTIVATE failed and the kernel's own LFA_CANCEL was refused"
                    .to_owned(),
            );
        }
    }
    let previous: Vec<_> = record
        .held
        .iter()
        .filter(|h| h.uuid != component.uuid().to_string())
        .collect();
    if !previous.is_empty() {
        let names: Vec<String> = previous
            .iter()
            .map(|h| format!("{} ({})", h.label(), h.outcome.describe()))
            .collect();
        f.hints.push(format!(
            "lfactl's record of this boot lists {} with no cancel accepted since; firmware such as TF-A keeps that component until its cancel is written and refuses to activate another: `lfactl activate --release-previous {word}` writes that cancel first, then activates",
            names.join(", ")
        ));
    } else if capture
        .is_some_and(|l| l.mentions("ACTIVATE for image") && l.mentions("LFA_INVALID_PARAMETERS"))
    {
        f.hints.push(format!(
            "TF-A answers LFA_ACTIVATE so while it still holds another component's completed activation; lfactl has no record of one in this boot: if another tool activated one, `lfactl activate --release-previous --previous <that component> {word}` writes its cancel first"
        ));
    }
    f.hints.push(format!(
        "a cancel may be needed before a retry: `lfactl cancel {word}` writes it; `lfactl activate --recover {word}` writes it and then retries (both only while no other lfactl writes activate or cancel)"
    ));
    f
}

/// "activated X: 0.7 -> 0.8", or what else the tree says after the write.
fn activation_summary(
    label: &str,
    before: &ComponentInfo,
    after: Option<&ComponentInfo>,
) -> String {
    let Some(now) = after else {
        let was = before
            .current_version()
            .map_or_else(String::new, |v| format!(" (was {v})"));
        return format!("activated {label}{was}; it is no longer listed");
    };
    let mut line = match (before.current_version(), now.current_version()) {
        (Some(old), Some(new)) if old == new => {
            format!("activated {label}: the version still reads {old}")
        }
        (Some(old), Some(new)) => format!("activated {label}: {old} -> {new}"),
        (None, Some(new)) => format!("activated {label}: the version now reads {new}"),
        (Some(old), None) => {
            format!("activated {label} (was {old}); the kernel now shows no version")
        }
        (None, None) => format!("activated {label}; the kernel shows no version for it"),
    };
    if now.is_pending() {
        line.push_str("; activation is still pending");
    }
    line
}

/// Asks on stderr, reads one line from stdin: `y` or `yes` goes on.
fn confirm(ctx: &Ctx<'_>, c: &ComponentInfo, release: &[ComponentInfo]) -> Result<(), Failure> {
    let first = if release.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = release.iter().map(output::label).collect();
        format!("First write cancel for {}. ", names.join(", "))
    };
    ctx.console.ask(format_args!(
        "{first}Activate {} now ({} -> {}, {})? The new firmware starts running at once. [y/N] ",
        output::label(c),
        version_text(c.current_version()),
        version_text(c.pending_version()),
        if c.activates_with_rendezvous() {
            "every CPU stops for a rendezvous"
        } else {
            "one CPU"
        }
    ));
    let answer = ctx.console.read_line();
    let ok = answer
        .as_deref()
        .map(str::trim)
        .is_ok_and(|a| a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes"));
    if ok {
        Ok(())
    } else {
        ctx.console.err("");
        Err(Failure::new(
            Exit::NotConfirmed,
            "not confirmed; nothing was done (use --yes to skip the question)",
        ))
    }
}

fn cancel(
    ctx: &Ctx<'_>,
    backend: &mut dyn Backend,
    query: Option<&str>,
) -> Result<Option<Value>, Failure> {
    let _lock = match &ctx.state {
        Some(state) => Some(state.lock(&format!("cancel {}", query.unwrap_or("(all)")))?),
        None => None,
    };
    let mut record = ctx.record();
    let targets = match query {
        Some(query) => vec![backend.find(query)?],
        None => backend
            .list()?
            .into_iter()
            .filter(ComponentInfo::is_capable)
            .collect(),
    };
    let mut reports = Vec::new();
    for c in &targets {
        let report = match cancel_one(ctx, backend, c, &mut record) {
            Ok(report) => report,
            Err(failure) => {
                ctx.save(&record)?;
                let done: Vec<Value> = reports.iter().map(CancelReport::json).collect();
                return Err(failure.with("results", Value::Array(done)));
            }
        };
        ctx.text(|| format!("{}: {}", output::label(c), report.message));
        reports.push(report);
    }
    ctx.save(&record)?;
    let results: Vec<Value> = reports.iter().map(CancelReport::json).collect();
    let any = |exit: Option<Exit>| reports.iter().any(|r| r.exit == exit);
    if any(Some(Exit::Refused)) {
        Err(
            Failure::new(Exit::Refused, "the kernel or firmware refused a cancel")
                .with("results", Value::Array(results)),
        )
    } else if any(None) {
        Ok(Some(json!({
            "schema": SCHEMA,
            "backend": backend.kind(),
            "command": "cancel",
            "results": results,
        })))
    } else {
        Err(Failure::new(Exit::NothingToDo, "nothing to cancel")
            .with("results", Value::Array(results)))
    }
}

#[derive(Clone, Copy)]
enum Setting {
    AutoActivate,
    ForceRendezvous,
}

fn set(
    ctx: &Ctx<'_>,
    backend: &mut dyn Backend,
    setting: Setting,
    state: OnOff,
    query: Option<&str>,
) -> Result<Option<Value>, Failure> {
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
    if matches!(setting, Setting::AutoActivate) {
        let lacking: Vec<String> = targets
            .iter()
            .filter(|c| c.auto_activate().is_none())
            .map(output::label)
            .collect();
        if !lacking.is_empty() {
            return Err(Failure::new(
                Exit::Unsupported,
                format!(
                    "auto-activate is not supported by this kernel: its LFA driver has no auto_activate file for {}; nothing was written",
                    lacking.join(", ")
                ),
            ));
        }
    }
    let on = state.is_on();
    for c in &targets {
        match setting {
            Setting::AutoActivate => backend.set_auto_activate(c, on)?,
            Setting::ForceRendezvous => backend.set_force_rendezvous(c, on)?,
        }
        ctx.text(|| {
            format!(
                "{}: {file} = {}",
                output::label(c),
                if on { "on" } else { "off" }
            )
        });
    }
    let uuids: Vec<String> = targets.iter().map(|c| c.uuid().to_string()).collect();
    Ok(Some(json!({
        "schema": SCHEMA,
        "backend": backend.kind(),
        "command": command,
        "value": on,
        "components": uuids,
    })))
}

fn watch(
    ctx: &Ctx<'_>,
    backend: &mut dyn Backend,
    interval_ms: u64,
    count: u64,
    json: bool,
) -> Result<Option<Value>, Failure> {
    let mut watcher = Watcher::new();
    let mut polls: u64 = 0;
    loop {
        let components = backend.list()?;
        for change in watcher.observe(&components) {
            if json {
                output::print_json(ctx.console, &output::change_json(&change));
            } else {
                ctx.console.out(output::change_text(&change));
            }
        }
        polls = polls.saturating_add(1);
        if count != 0 && polls >= count {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(interval_ms));
    }
}

fn version_text(v: Option<lfa_proto::FirmwareVersion>) -> String {
    v.map_or_else(|| "unknown".to_owned(), |v| v.to_string())
}
