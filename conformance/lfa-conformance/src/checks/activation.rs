// SPDX-License-Identifier: MIT OR Apache-2.0
//! Checks that start the secondaries and really activate firmware (only
//! with the `activate` option): reserved ACTIVATE flags, a skip-rendezvous
//! activation and a rendezvous of every CPU through `lfa-client`, a second
//! activation in the same boot (also two rendezvous ones), CANCEL after
//! completion and during a rendezvous (for every rendezvous component), and
//! a partial rendezvous that the agent must end within a bound.
//!
//! Each picks a capable and pending component with the property it needs
//! (rendezvous optional or required, never may_reset_cpu) from a fresh
//! listing, and SKIPs when there is none left: a platform needs several
//! pending components to run them all.

use core::time::Duration;

use lfa_client::{Client, Component, Options as ClientOptions, RetryPolicy};
use lfa_proto::{ActivateFlags, FirmwareVersion, FunctionId, InventoryFlags, Regs};

use super::state_machine::activate_once;
use super::{Check, Ctx, Entry, Group, Loop, S, call_again, lfa, none_to, send};
use crate::cpus::{CPUS, MAX_CPUS};
use crate::outcome;
use crate::probe::{PROBE, Probe};
use crate::psci;
use crate::report::{Outcome, Verdict};
use crate::time::Timer;
use crate::topology::Source;

/// Capable, pending, no CPU reset, with the rendezvous `required` or not.
fn activatable(e: &Entry, required: bool) -> bool {
    e.activatable()
        && !e.flags.contains(InventoryFlags::MAY_RESET_CPU)
        && e.rendezvous_required() == required
}

/// `maj.min`, or `?` when the agent does not report versions.
struct V(Option<FirmwareVersion>);

impl core::fmt::Display for V {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{v}"),
            None => f.write_str("?"),
        }
    }
}

/// The client's retry bounds: `rounds` tries, `retry-ms` apart (with the
/// generic timer as the client's clock; never a pause inside a rendezvous).
fn client_options(ctx: &Ctx<'_>, force_rendezvous: bool) -> ClientOptions {
    let policy = RetryPolicy {
        delay: Duration::from_millis(ctx.options.retry_ms),
        ..RetryPolicy::rounds(ctx.options.rounds)
    };
    ClientOptions::DEFAULT
        .with_prime(policy)
        .with_activate(policy)
        .with_force_rendezvous(force_rendezvous)
}

/// lfa-client over the probe, with [`client_options`] and the generic timer
/// as its clock, and its view of `entry`; or the FAIL of the step that went
/// wrong (discovery, listing, `entry` missing).
// No heap: the outcome travels by value, once per check.
#[allow(clippy::result_large_err)]
fn client_for(
    ctx: &Ctx<'_>,
    entry: &Entry,
    force_rendezvous: bool,
) -> Result<(Client<&'static Probe, Timer>, Component), Outcome> {
    let client = match Client::discover(&PROBE) {
        Ok(client) => client,
        Err(e) => return Err(outcome!(Fail, "lfa-client discovery failed: {e}")),
    };
    let client = client
        .with_options(client_options(ctx, force_rendezvous))
        .with_clock(Timer);
    match client.find(entry.uuid) {
        Ok(Some(component)) => Ok((client, component)),
        Ok(None) => Err(outcome!(Fail, "lfa-client does not list {}", entry.name())),
        Err(e) => Err(outcome!(Fail, "lfa-client listing failed: {e}")),
    }
}

pub(super) const CPU_01: Check = Check {
    id: "CPU-01",
    title: "Secondary CPUs start with PSCI CPU_ON",
    rule: "docs/protocol.md#rendezvous: every powered-on CPU must call ACTIVATE; the CPUs are brought up with PSCI CPU_ON (the rendezvous size is the number of CPUs on)",
    group: Group::Activate,
    run: cpu_01,
};

fn cpu_01(ctx: &mut Ctx<'_>) -> Outcome {
    let conduit = super::conduit();
    let version = psci::version(conduit);
    let features = psci::features(conduit, psci::CPU_ON);
    if ctx.options.cpus <= 1 {
        return outcome!(Pass, "cpus=1: only the boot CPU runs the rendezvous checks");
    }
    if features < 0 {
        return outcome!(
            Skip,
            "PSCI_FEATURES(CPU_ON) = {features} (PSCI_VERSION {version:#x}): only the boot CPU runs the rendezvous checks"
        );
    }
    let topology = ctx.topology;
    if topology.count == 0 {
        return match topology.source {
            Source::None => outcome!(
                Skip,
                "nothing describes the CPUs (no device tree, mpidrs= or cpus=): only the boot CPU runs the rendezvous checks; CPU_ON never names a CPU the platform did not describe"
            ),
            _ => outcome!(
                Pass,
                "1 CPU on: the platform describes no CPU but the boot CPU (PSCI {}.{})",
                (version >> 16) & 0x7FFF,
                version & 0xFFFF
            ),
        };
    }
    let started = CPUS.start(topology.secondaries(), topology.source == Source::Sweep);
    ctx.cpus_started = true;
    let from = match topology.source {
        Source::Option => "mpidrs=",
        Source::DeviceTree(_) => "the device tree",
        Source::Sweep => "the cpus= sweep",
        Source::None => "nowhere",
    };
    if started.missing > 0 {
        return outcome!(
            Fail,
            "{} of the CPU(s) CPU_ON accepted (MPIDRs from {from}) did not arrive within {} ms: they are lost, the firmware counts them as on, and no rendezvous will be started",
            started.missing,
            ctx.options.wait_ms
        );
    }
    outcome!(
        Pass,
        "{} CPU(s) on: the boot CPU and {} started with CPU_ON, MPIDRs from {from} (PSCI {}.{}; last CPU_ON error {})",
        started.running,
        started.running - 1,
        (version >> 16) & 0x7FFF,
        version & 0xFFFF,
        started.last_status
    )
}

pub(super) const ACT_10: Check = Check {
    id: "ACT-10",
    title: "ACTIVATE refuses reserved flag bits in x2",
    rule: "docs/protocol.md#function-ids-and-registers: ACTIVATE x2 bit0 = skip_cpu_rendezvous; bits 63:1 reserved (TF-A ignores them, inferred)",
    group: Group::Activate,
    run: act_10,
};

fn act_10(ctx: &mut Ctx<'_>) -> Outcome {
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let Some(p) = ctx.pick(|e| activatable(e, false), &[]) else {
        return none_to("pending component with optional rendezvous");
    };
    if let Err(skip) = ctx.prime_or_skip(&p, "") {
        return skip;
    }
    let flags = ActivateFlags::SKIP_CPU_RENDEZVOUS.bits() | 0b10;
    let call = send(
        FunctionId::Activate.to_x0(),
        [u64::from(p.seq_id), flags, 0, 0],
    );
    let label = crate::label!("LFA_ACTIVATE({}, x2 = {flags:#x})", p.seq_id);
    match call.status() {
        -8 => {
            let cancel = ctx.cancel(p.seq_id);
            if cancel.status() == 0 {
                outcome!(
                    Pass,
                    "{}: INVALID_PARAMETERS, still primed (CANCEL 0)",
                    p.name()
                )
                .with(label, &call.sent, &call.got)
            } else {
                outcome!(
                    Fail,
                    "INVALID_PARAMETERS, but CANCEL of the primed {} then answered {}",
                    p.name(),
                    S(cancel.status())
                )
                .with(label, &call.sent, &call.got)
            }
        }
        0 => {
            let end = if call_again(&call.got) {
                ctx.repeat(&call.sent).status()
            } else {
                0
            };
            let cancel = ctx.cancel(p.seq_id);
            outcome!(
                Warn,
                "the agent ignored reserved bit 1 and activated {} (end: {}; CANCEL afterwards: {}); reserved bits should be refused so that later revisions can use them",
                p.name(),
                S(end),
                S(cancel.status())
            )
            .with(label, &call.sent, &call.got)
        }
        other => {
            let _ = ctx.cancel(p.seq_id);
            outcome!(Warn, "{}: {}, expected -8", p.name(), S(other))
                .with(label, &call.sent, &call.got)
        }
    }
}

pub(super) const ACT_11: Check = Check {
    id: "ACT-11",
    title: "Skip-rendezvous activation through lfa-client",
    rule: "docs/protocol.md#state-machine and #rendezvous: with cpu_rendezvous_optional one CPU may ACTIVATE with skip_cpu_rendezvous; afterwards the component is no longer pending and runs the pending version",
    group: Group::Activate,
    run: act_11,
};

fn act_11(ctx: &mut Ctx<'_>) -> Outcome {
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let Some(p) = ctx.pick(|e| activatable(e, false), &[]) else {
        return none_to("pending component with optional rendezvous left");
    };
    let (mut client, component) = match client_for(ctx, &p, false) {
        Ok(found) => found,
        Err(fail) => return fail,
    };
    let primed = match client.prime(&component) {
        Ok(primed) => primed,
        Err(e) => return outcome!(Fail, "{}: {e}", p.name()),
    };
    let prime_rounds = primed.prime_rounds();
    let done = match primed.activate_alone() {
        Ok(done) => done,
        Err(e) => return outcome!(Fail, "{}: {e}", p.name()),
    };
    let expected = FirmwareVersion::from_reg(p.pending);
    if let Ok(now) = done.now() {
        if now.is_pending() {
            return outcome!(
                Fail,
                "{}: still pending after a completed activation",
                p.name()
            );
        }
    }
    if ctx.versions == Some(true) && done.new_version() != Some(expected) {
        return outcome!(
            Fail,
            "{}: runs {} after the activation, the pending version was {expected}",
            p.name(),
            V(done.new_version())
        );
    }
    outcome!(
        Pass,
        "{}: {} -> {}, PRIME x{prime_rounds}, ACTIVATE x{} with skip_cpu_rendezvous from 1 of {} CPU(s), no longer pending",
        p.name(),
        V(done.old_version()),
        V(done.new_version()),
        done.activate_rounds(),
        CPUS.running()
    )
}

pub(super) const CAN_06: Check = Check {
    id: "CAN-06",
    title: "CANCEL between CALL_AGAIN rounds of a skip-rendezvous activation",
    rule: "docs/protocol.md#state-machine: PRIMED / ACTIVATING --CANCEL--> IDLE, BUSY once it can no longer be cancelled (TF-A: -2 while a skip-rendezvous activation runs); either the activation goes on to completion or it is abandoned cleanly",
    group: Group::Activate,
    run: can_06,
};

fn can_06(ctx: &mut Ctx<'_>) -> Outcome {
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let Some(p) = ctx.pick(|e| activatable(e, false), &[]) else {
        return none_to("pending component with optional rendezvous left");
    };
    if let Err(skip) = ctx.prime_or_skip(&p, "") {
        return skip;
    }
    let first = activate_once(p.seq_id, true);
    if first.status() != 0 || !call_again(&first.got) {
        let settle = ctx.cancel(p.seq_id);
        return outcome!(
            Skip,
            "ACTIVATE of {} answered {} without CALL_AGAIN: no round to cancel in (CANCEL afterwards: {})",
            p.name(),
            S(first.status()),
            S(settle.status())
        );
    }
    let cancel = ctx.cancel(p.seq_id);
    let label = crate::label!("LFA_CANCEL({}) between ACTIVATE rounds", p.seq_id);
    match cancel.status() {
        -2 => {
            let rest = ctx.repeat(&first.sent);
            // TF-A keeps the activated component current: leave it idle.
            let settle = ctx.cancel(p.seq_id);
            if rest.done() {
                outcome!(
                    Pass,
                    "{}: BUSY, and the activation went on to completion (ACTIVATE x{} more; CANCEL afterwards: {})",
                    p.name(),
                    rest.rounds,
                    S(settle.status())
                )
                .with(label, &cancel.sent, &cancel.got)
            } else {
                outcome!(
                    Fail,
                    "{}: CANCEL answered BUSY, but the activation then ended with {}",
                    p.name(),
                    S(rest.status())
                )
                .with(label, &cancel.sent, &cancel.got)
            }
        }
        0 => {
            let entry = lfa(FunctionId::GetInventory, u64::from(p.seq_id));
            let pending = entry.got.x[3] & InventoryFlags::ACTIVATION_PENDING.bits() != 0;
            let again = activate_once(p.seq_id, true);
            if again.status() == 0 {
                let _ = ctx.cancel(p.seq_id);
            }
            if pending && (again.status() == -8 || again.status() == -9) {
                outcome!(
                    Pass,
                    "{}: cancelled mid-activation; still pending, ACTIVATE again refused ({})",
                    p.name(),
                    S(again.status())
                )
                .with(label, &cancel.sent, &cancel.got)
            } else {
                outcome!(
                    Fail,
                    "{}: CANCEL answered 0, but afterwards pending = {pending} and ACTIVATE answered {}: the activation was not abandoned",
                    p.name(),
                    S(again.status())
                )
                .with(label, &cancel.sent, &cancel.got)
            }
        }
        other => {
            let _ = ctx.repeat(&first.sent);
            let _ = ctx.cancel(p.seq_id);
            outcome!(
                Fail,
                "{}: CANCEL answered {}, expected -2 BUSY or 0",
                p.name(),
                S(other)
            )
            .with(label, &cancel.sent, &cancel.got)
        }
    }
}

/// ACTIVATE of `e` until done: from this CPU with skip_cpu_rendezvous if
/// the rendezvous is optional, else from every CPU at once (the boot CPU's
/// result; `Err` if the CPUs disagree or one did not finish).
fn activate_all(ctx: &Ctx<'_>, e: &Entry) -> Result<Loop, &'static str> {
    if !e.rendezvous_required() {
        let first = activate_once(e.seq_id, true);
        if first.status() != 0 || !call_again(&first.got) {
            return Ok(Loop {
                last: first,
                rounds: 1,
                out_of_rounds: false,
            });
        }
        let rest = ctx.repeat(&first.sent);
        return Ok(Loop {
            rounds: rest.rounds + 1,
            ..rest
        });
    }
    let mut args = Regs::with_x0(FunctionId::Activate.to_x0());
    args.x[1] = u64::from(e.seq_id);
    let Ok(results) = CPUS.raw_rendezvous(args, ctx.options.rounds) else {
        return Err("a CPU that the firmware counts as on is lost: no rendezvous started");
    };
    let Some(Some(mine)) = results.first().copied() else {
        return Err("the boot CPU has no result");
    };
    for result in results.iter().take(CPUS.running().min(MAX_CPUS)) {
        match result {
            Some(r) if r.status() == mine.status() => {}
            Some(_) => return Err("the CPUs returned different statuses"),
            None => return Err("a CPU did not return from the rendezvous in time"),
        }
    }
    Ok(Loop {
        last: super::Call {
            sent: args,
            got: mine.regs,
        },
        rounds: mine.rounds,
        out_of_rounds: mine.status() == 0 && call_again(&mine.regs),
    })
}

pub(super) const ACT_12: Check = Check {
    id: "ACT-12",
    title: "Two activations in the same boot, without CANCEL",
    rule: "docs/protocol.md#state-machine: ACTIVATING --done--> IDLE, so the next PRIME/ACTIVATE needs nothing else. TF-A keeps the activated component current until CANCEL (measured)",
    group: Group::Activate,
    run: act_12,
};

/// Prefers a component with optional rendezvous (one CPU), else one that
/// requires it (every CPU), other than those in `not`.
fn next_pending(ctx: &Ctx<'_>, not: &[lfa_proto::Uuid]) -> Option<Entry> {
    ctx.pick(|e| activatable(e, false), not)
        .or_else(|| ctx.pick(|e| activatable(e, true), not))
}

fn act_12(ctx: &mut Ctx<'_>) -> Outcome {
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let Some(a) = next_pending(ctx, &[]) else {
        return none_to("pending component left");
    };
    let Some(b) = next_pending(ctx, &[a.uuid]) else {
        return none_to("second pending component left");
    };
    if let Some(blocker) = CPUS.rendezvous_blocker() {
        if a.rendezvous_required() || b.rendezvous_required() {
            return outcome!(
                Skip,
                "{} needs a rendezvous of every CPU, and {blocker}",
                if a.rendezvous_required() {
                    a.name()
                } else {
                    b.name()
                }
            );
        }
    }
    // The first activation, raw: no client that could CANCEL behind our back.
    let prime = ctx.prime(a.seq_id);
    let first = if prime.done() {
        activate_all(ctx, &a).ok()
    } else {
        None
    };
    if !first.is_some_and(|f| f.done()) {
        let _ = ctx.cancel(a.seq_id);
        return outcome!(
            Fail,
            "the first activation, of {}, did not complete (PRIME: {})",
            a.name(),
            S(prime.status())
        )
        .with(
            format_args!("LFA_PRIME({})", a.seq_id),
            &prime.last.sent,
            &prime.last.got,
        );
    }
    // The second one, right after it.
    let prime = ctx.prime(b.seq_id);
    if !prime.done() {
        let _ = ctx.cancel(b.seq_id);
        let _ = ctx.cancel(a.seq_id);
        return outcome!(
            Fail,
            "PRIME of {} after activating {}: {}",
            b.name(),
            a.name(),
            S(prime.status())
        )
        .with(
            format_args!("LFA_PRIME({})", b.seq_id),
            &prime.last.sent,
            &prime.last.got,
        );
    }
    let activation = match activate_all(ctx, &b) {
        Ok(activation) => activation,
        Err(why) => return outcome!(Fail, "ACTIVATE of {}: {why}", b.name()),
    };
    let label = crate::label!(
        "LFA_ACTIVATE({}) right after activating {}",
        b.seq_id,
        a.seq_id
    );
    if activation.done() {
        ctx.last_activated = Some(b);
        return outcome!(
            Pass,
            "{} then {} activated without a CANCEL in between (ACTIVATE x{} for the second)",
            a.name(),
            b.name(),
            activation.rounds
        )
        .with(label, &activation.last.sent, &activation.last.got);
    }
    // Find out whether a CANCEL of the first component lets it through.
    let cancel = ctx.cancel(a.seq_id);
    let retry_prime = ctx.prime(b.seq_id);
    let retry = if retry_prime.done() {
        activate_all(ctx, &b).ok()
    } else {
        None
    };
    let retried = retry.is_some_and(|r| r.done());
    if retried {
        ctx.last_activated = Some(b);
    } else {
        let _ = ctx.cancel(b.seq_id);
    }
    outcome!(
        Fail,
        "PRIME of {} answered SUCCESS, ACTIVATE {}: the agent still holds {} from the previous activation (TF-A keeps an activated component current until CANCEL), so a client that does not cancel after success cannot activate a second component; CANCEL({}) = {}, then the retry {}",
        b.name(),
        S(activation.status()),
        a.name(),
        a.seq_id,
        S(cancel.status()),
        if retried { "succeeded" } else { "failed too" }
    )
    .with(label, &activation.last.sent, &activation.last.got)
}

pub(super) const CAN_05: Check = Check {
    id: "CAN-05",
    title: "CANCEL after a completed activation",
    rule: "docs/protocol.md#state-machine: ACTIVATING --done--> IDLE; CANCEL with nothing current is INVALID_PARAMETERS (-8). TF-A answers 0 and only then resets (measured)",
    group: Group::Activate,
    run: can_05,
};

fn can_05(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(last) = ctx.last_activated.take() else {
        return outcome!(Skip, "no completed activation to cancel after (ACT-12)");
    };
    let call = ctx.cancel(last.seq_id);
    let label = crate::label!("LFA_CANCEL({}) after its activation", last.seq_id);
    match call.status() {
        -8 => outcome!(Pass, "{}: INVALID_PARAMETERS, nothing current: the agent went back to idle", last.name())
            .with(label, &call.sent, &call.got),
        0 => outcome!(
            Warn,
            "{}: SUCCESS: the agent kept the activated component current until this CANCEL (TF-A); clients must CANCEL after every activation or the next one fails (ACT-12)",
            last.name()
        )
        .with(label, &call.sent, &call.got),
        other => outcome!(Fail, "{}: {}", last.name(), S(other)).with(label, &call.sent, &call.got),
    }
}

pub(super) const ACT_13: Check = Check {
    id: "ACT-13",
    title: "Rendezvous activation of every CPU through lfa-client",
    rule: "docs/protocol.md#rendezvous: with cpu_rendezvous_optional clear every online CPU calls ACTIVATE (repeating CALL_AGAIN); all return the same status; the component is then no longer pending",
    group: Group::Activate,
    run: act_13,
};

fn act_13(ctx: &mut Ctx<'_>) -> Outcome {
    if let Some(blocker) = CPUS.rendezvous_blocker() {
        return outcome!(Skip, "no rendezvous while a CPU is lost: {blocker}");
    }
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let Some(r) = ctx.pick(|e| activatable(e, true), &[]) else {
        return none_to("pending component that requires the rendezvous left");
    };
    let (mut client, component) = match client_for(ctx, &r, true) {
        Ok(found) => found,
        Err(fail) => return fail,
    };
    let primed = match client.prime(&component) {
        Ok(primed) => primed,
        Err(e) => return outcome!(Fail, "{}: {e}", r.name()),
    };
    let prime_rounds = primed.prime_rounds();
    let result = primed.activate_with(&CPUS);
    // Leave the agent idle for the next check whatever happened (TF-A keeps
    // an activated component current; CAN-05 judged that already).
    let cancel = ctx.cancel(r.seq_id);
    let done = match result {
        Ok(done) => done,
        Err(e) => return outcome!(Fail, "{}: {e}", r.name()),
    };
    if let Ok(now) = done.now() {
        if now.is_pending() {
            return outcome!(
                Fail,
                "{}: still pending after a completed rendezvous activation",
                r.name()
            );
        }
    }
    let expected = FirmwareVersion::from_reg(r.pending);
    if ctx.versions == Some(true) && done.new_version() != Some(expected) {
        return outcome!(
            Fail,
            "{}: runs {} after the activation, the pending version was {expected}",
            r.name(),
            V(done.new_version())
        );
    }
    outcome!(
        Pass,
        "{}: {} -> {} on {} CPU(s), ACTIVATE x{} on each, PRIME x{prime_rounds}{} (CANCEL afterwards: {})",
        r.name(),
        V(done.old_version()),
        V(done.new_version()),
        done.cpus(),
        done.activate_rounds(),
        if done.cpus() == 1 {
            "; only the boot CPU was on"
        } else {
            ""
        },
        S(cancel.status())
    )
}

pub(super) const CAN_04: Check = Check {
    id: "CAN-04",
    title: "CANCEL while a CPU waits in the rendezvous",
    rule: "docs/protocol.md#trusted-firmware-a-measured: CANCEL from another CPU releases the CPUs waiting in ACTIVATE with ACTIVATION_FAILED (-11) (TF-A: only if the activator has a cancel hook; otherwise they stay stuck)",
    group: Group::Activate,
    run: can_04,
};

/// Attempts to catch CPU 1 in the holding pen, each waiting longer.
const PEN_DELAYS_MS: [u64; 3] = [50, 200, 800];

fn can_04(ctx: &mut Ctx<'_>) -> Outcome {
    if let Some(blocker) = CPUS.rendezvous_blocker() {
        return outcome!(Skip, "no rendezvous while a CPU is lost: {blocker}");
    }
    if CPUS.usable() < 2 {
        return outcome!(Skip, "needs a second CPU that can join (CPU-01)");
    }
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let Some(r) = ctx.pick(|e| activatable(e, true), &[]) else {
        return none_to("pending component that requires the rendezvous left");
    };
    cancel_while_waiting(ctx, &r)
}

/// Primes `r` (rendezvous required), catches CPU 1 in its holding pen and
/// CANCELs from the boot CPU: PASS when CPU 1 comes back with -11 and the
/// agent is idle with `r` still pending (CAN-04's procedure; CAN-07 runs it
/// on every such component).
fn cancel_while_waiting(ctx: &Ctx<'_>, r: &Entry) -> Outcome {
    let mut args = Regs::with_x0(FunctionId::Activate.to_x0());
    args.x[1] = u64::from(r.seq_id);
    for delay in PEN_DELAYS_MS {
        if let Err(skip) = ctx.prime_or_skip(r, "") {
            return skip;
        }
        if !CPUS.post_raw(1, args, 1) {
            let _ = ctx.cancel(r.seq_id);
            return outcome!(Skip, "CPU 1 cannot take a job");
        }
        let deadline = crate::time::Deadline::after_ms(ctx.options.wait_ms);
        while !CPUS.calling(1) && !deadline.expired() {
            core::hint::spin_loop();
        }
        crate::time::delay_ms(delay);
        if CPUS.finished(1) {
            let early = CPUS.wait_raw(1, 0).unwrap_or_default();
            let _ = ctx.cancel(r.seq_id);
            return outcome!(
                Fail,
                "ACTIVATE of {} from 1 of {} CPUs returned {} without waiting for the others",
                r.name(),
                CPUS.running(),
                S(early.status())
            )
            .with(
                format_args!("LFA_ACTIVATE({}) on CPU 1", r.seq_id),
                &args,
                &early.regs,
            );
        }
        let cancel = ctx.cancel(r.seq_id);
        let released = CPUS.wait_raw(1, ctx.options.wait_ms);
        let label = crate::label!("LFA_CANCEL({}) while CPU 1 waits", r.seq_id);
        if cancel.status() != 0 {
            return outcome!(
                Fail,
                "CANCEL while CPU 1 waits in the rendezvous answered {}; CPU 1 {}",
                S(cancel.status()),
                if released.is_some() {
                    "returned"
                } else {
                    "is stuck"
                }
            )
            .with(label, &cancel.sent, &cancel.got);
        }
        let Some(released) = released else {
            return outcome!(
                Fail,
                "CANCEL answered 0, but CPU 1 is still in LFA_ACTIVATE {} ms later: waiting CPUs are not released (TF-A without a cancel hook leaves them stuck for good); CPU 1 is given up",
                ctx.options.wait_ms
            )
            .with(label, &cancel.sent, &cancel.got);
        };
        match released.status() {
            -11 => {
                let entry = lfa(FunctionId::GetInventory, u64::from(r.seq_id));
                let idle = ctx.cancel(r.seq_id);
                let pending = entry.got.x[3] & InventoryFlags::ACTIVATION_PENDING.bits() != 0;
                return if pending && idle.status() == -8 {
                    outcome!(
                        Pass,
                        "{}: CANCEL 0 while CPU 1 waited; CPU 1 released with -11 ACTIVATION_FAILED; still pending, agent idle",
                        r.name()
                    )
                    .with(format_args!("LFA_ACTIVATE({}) on CPU 1", r.seq_id), &args, &released.regs)
                } else {
                    outcome!(
                        Fail,
                        "CPU 1 released with -11, but afterwards pending = {pending} and CANCEL = {}",
                        S(idle.status())
                    )
                };
            }
            -8 | -9 => {
                // CPU 1 called after the CANCEL: it was not in the pen yet.
                continue;
            }
            other => {
                return outcome!(
                    Fail,
                    "CPU 1 was released with {}, expected -11 ACTIVATION_FAILED",
                    S(other)
                )
                .with(
                    format_args!("LFA_ACTIVATE({}) on CPU 1", r.seq_id),
                    &args,
                    &released.regs,
                );
            }
        }
    }
    outcome!(
        Warn,
        "CPU 1 never reached the holding pen before the CANCEL; nothing could be observed"
    )
}

pub(super) const CAN_07: Check = Check {
    id: "CAN-07",
    title: "CANCEL releases waiting CPUs of every rendezvous component, cancel hook or not",
    rule: "docs/protocol.md#rendezvous and DEN0147 LFA_CANCEL: a CANCEL from another CPU ends the activation and the CPUs waiting in ACTIVATE return ACTIVATION_FAILED (-11), whatever the component's activator provides (TF-A releases them only through the activator's cancel hook and otherwise leaves them in EL3 for good)",
    group: Group::Activate,
    run: can_07,
};

fn can_07(ctx: &mut Ctx<'_>) -> Outcome {
    if let Some(blocker) = CPUS.rendezvous_blocker() {
        return outcome!(Skip, "no rendezvous while a CPU is lost: {blocker}");
    }
    if CPUS.usable() < 2 {
        return outcome!(Skip, "needs a second CPU that can join (CPU-01)");
    }
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let mut tried = 0_u32;
    let mut entries = [None; super::MAX_ENTRIES];
    for (slot, e) in entries
        .iter_mut()
        .zip(ctx.entries().filter(|e| activatable(e, true)))
    {
        *slot = Some(e);
    }
    for r in entries.iter().flatten() {
        let one = cancel_while_waiting(ctx, r);
        if one.verdict != Verdict::Pass {
            return Outcome::new(
                one.verdict,
                format_args!(
                    "{} (component {} of those tried): {}{}",
                    r.name(),
                    tried + 1,
                    one.detail,
                    if one.verdict == Verdict::Fail {
                        "; waiting CPUs must be released whether or not the component has a cancel hook (TF-A strands them without one)"
                    } else {
                        ""
                    }
                ),
            )
            .with_observed(one.observed);
        }
        tried += 1;
    }
    if tried == 0 {
        return none_to("pending component that requires the rendezvous left");
    }
    outcome!(
        Pass,
        "{tried} pending component(s) that require the rendezvous: for each, CANCEL 0 while CPU 1 waited in ACTIVATE, CPU 1 released with -11 ACTIVATION_FAILED, still pending, agent idle"
    )
}

pub(super) const ACT_14: Check = Check {
    id: "ACT-14",
    title: "A partial rendezvous ends with ACTIVATION_FAILED within a bound",
    rule: "docs/protocol.md#rendezvous and DEN0147 LFA_ACTIVATE: when fewer than all powered-on CPUs call ACTIVATE, the agent ends the round with ACTIVATION_FAILED (-11) on every waiting CPU within its bound, and then accepts PRIME and CANCEL (TF-A spins in EL3 forever, measured)",
    group: Group::Activate,
    run: act_14,
};

/// Milliseconds since `start` (generic timer ticks).
fn ms_since(start: u64) -> u64 {
    let ticks = crate::time::ticks().wrapping_sub(start);
    ticks.saturating_mul(1000) / crate::time::frequency()
}

fn act_14(ctx: &mut Ctx<'_>) -> Outcome {
    if let Some(blocker) = CPUS.rendezvous_blocker() {
        return outcome!(Skip, "no rendezvous while a CPU is lost: {blocker}");
    }
    if CPUS.usable() < 2 {
        return outcome!(
            Skip,
            "needs a second CPU that can join (CPU-01): with one CPU on, every rendezvous is complete"
        );
    }
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let Some(r) = ctx.pick(|e| activatable(e, true), &[]) else {
        return none_to("pending component that requires the rendezvous left");
    };
    if let Err(skip) = ctx.prime_or_skip(&r, "") {
        return skip;
    }
    let mut args = Regs::with_x0(FunctionId::Activate.to_x0());
    args.x[1] = u64::from(r.seq_id);
    // Every secondary calls; the boot CPU stays out, so the round is short
    // of one CPU however many are on.
    let mut posted = [false; MAX_CPUS];
    let start = crate::time::ticks();
    for (cpu, flag) in posted.iter_mut().enumerate().skip(1) {
        *flag = CPUS.post_raw(cpu, args, 1);
    }
    let waiting = posted.iter().filter(|&&p| p).count();
    if waiting == 0 {
        let _ = ctx.cancel(r.seq_id);
        return outcome!(Skip, "no secondary could take a job");
    }
    let bound = ctx.options.wait_ms;
    let deadline = crate::time::Deadline::after_ms(bound);
    let all_back = || {
        posted
            .iter()
            .enumerate()
            .all(|(cpu, &p)| !p || CPUS.finished(cpu))
    };
    while !all_back() && !deadline.expired() {
        core::hint::spin_loop();
    }
    let elapsed = ms_since(start);
    let label = crate::label!("LFA_CANCEL({}) after the partial rendezvous", r.seq_id);
    if !all_back() {
        // TF-A-like: nothing ends the round. Try to get the CPUs back.
        let stuck = posted
            .iter()
            .enumerate()
            .filter(|&(cpu, &p)| p && !CPUS.finished(cpu))
            .count();
        let cancel = ctx.cancel(r.seq_id);
        let mut back = 0;
        for (cpu, &p) in posted.iter().enumerate() {
            if p && CPUS.wait_raw(cpu, bound).is_some() {
                back += 1;
            }
        }
        return outcome!(
            Fail,
            "{}: {stuck} of the {waiting} CPU(s) that called ACTIVATE (of {} on) still waited after {bound} ms (wait-ms): the agent does not bound a partial rendezvous (TF-A spins in EL3 forever); CANCEL then answered {} and {back} of {waiting} came back{}",
            r.name(),
            CPUS.running(),
            S(cancel.status()),
            if back < waiting { " (the others are lost)" } else { "" }
        )
        .with(label, &cancel.sent, &cancel.got);
    }
    for (cpu, &p) in posted.iter().enumerate() {
        if !p {
            continue;
        }
        let result = CPUS.wait_raw(cpu, 0).unwrap_or_default();
        if result.status() != -11 || result.regs.x[1] != 0 {
            let cancel = ctx.cancel(r.seq_id);
            return outcome!(
                Fail,
                "{}: CPU {cpu} returned {} (x1 = {:#x}) from a partial rendezvous after {elapsed} ms, expected -11 ACTIVATION_FAILED, x1 = 0 (CANCEL afterwards: {})",
                r.name(),
                S(result.status()),
                result.regs.x[1],
                S(cancel.status())
            )
            .with(
                crate::label!("LFA_ACTIVATE({}) on CPU {cpu}", r.seq_id),
                &args,
                &result.regs,
            );
        }
    }
    // The agent must be usable again: still primed (PRIME 0), then CANCEL 0.
    let prime = ctx.prime(r.seq_id);
    let cancel = ctx.cancel(r.seq_id);
    let entry = lfa(FunctionId::GetInventory, u64::from(r.seq_id));
    let pending = entry.got.x[3] & InventoryFlags::ACTIVATION_PENDING.bits() != 0;
    if prime.done() && cancel.status() == 0 && pending {
        outcome!(
            Pass,
            "{}: ACTIVATE from {waiting} of {} CPUs on (the boot CPU stayed out): every waiting CPU returned -11 ACTIVATION_FAILED within {elapsed} ms (wait-ms {bound}); then PRIME 0, CANCEL 0, still pending",
            r.name(),
            CPUS.running()
        )
        .with(label, &cancel.sent, &cancel.got)
    } else {
        outcome!(
            Fail,
            "{}: the waiting CPUs returned -11 within {elapsed} ms, but then PRIME answered {}{} and CANCEL {} (pending = {pending}): the agent is not usable after a partial rendezvous",
            r.name(),
            S(prime.status()),
            if prime.out_of_rounds { " (still CALL_AGAIN)" } else { "" },
            S(cancel.status())
        )
        .with(
            format_args!("LFA_CANCEL({})", r.seq_id),
            &cancel.sent,
            &cancel.got,
        )
    }
}

pub(super) const ACT_15: Check = Check {
    id: "ACT-15",
    title: "Two rendezvous activations of every CPU in one boot, without CANCEL",
    rule: "docs/protocol.md#state-machine and #rendezvous: after a completed rendezvous activation the agent is idle, so PRIME and ACTIVATE of a second component (every CPU again) succeed with no CANCEL in between (TF-A keeps the activated component current until CANCEL, measured)",
    group: Group::Activate,
    run: act_15,
};

/// PRIME then the rendezvous ACTIVATE of `e` on every CPU; whether both
/// completed, and the ACTIVATE's last call (or the PRIME's if it failed).
fn prime_and_rendezvous(ctx: &Ctx<'_>, e: &Entry) -> (bool, super::Call) {
    let prime = ctx.prime(e.seq_id);
    if !prime.done() {
        return (false, prime.last);
    }
    match activate_all(ctx, e) {
        Ok(done) => (done.done(), done.last),
        Err(_) => (false, prime.last),
    }
}

fn act_15(ctx: &mut Ctx<'_>) -> Outcome {
    if let Some(blocker) = CPUS.rendezvous_blocker() {
        return outcome!(Skip, "no rendezvous while a CPU is lost: {blocker}");
    }
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    let Some(a) = ctx.pick(|e| activatable(e, true), &[]) else {
        return none_to("pending component that requires the rendezvous left");
    };
    let Some(b) = ctx.pick(|e| activatable(e, true), &[a.uuid]) else {
        return none_to("second pending component that requires the rendezvous left");
    };
    let (first, call) = prime_and_rendezvous(ctx, &a);
    if !first {
        let _ = ctx.cancel(a.seq_id);
        return outcome!(
            Fail,
            "the first rendezvous activation, of {}, did not complete on every CPU",
            a.name()
        )
        .with(
            format_args!("LFA_ACTIVATE({})", a.seq_id),
            &call.sent,
            &call.got,
        );
    }
    let (second, call) = prime_and_rendezvous(ctx, &b);
    let label = crate::label!(
        "LFA_ACTIVATE({}) right after activating {}",
        b.seq_id,
        a.seq_id
    );
    if !second {
        // TF-A-like: does a CANCEL of the first component let it through?
        let cancel = ctx.cancel(a.seq_id);
        let _ = ctx.cancel(b.seq_id);
        let (retried, _) = prime_and_rendezvous(ctx, &b);
        let settle = ctx.cancel(b.seq_id);
        return outcome!(
            Fail,
            "{} activated on every CPU, then {}'s PRIME + rendezvous ACTIVATE ended with {}: the agent still holds {} (TF-A keeps an activated component current until CANCEL); CANCEL({}) = {}, then the retry {} (CANCEL afterwards: {})",
            a.name(),
            b.name(),
            S(call.status()),
            a.name(),
            a.seq_id,
            S(cancel.status()),
            if retried { "succeeded" } else { "failed too" },
            S(settle.status())
        )
        .with(label, &call.sent, &call.got);
    }
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    for (old, what) in [(a, "first"), (b, "second")] {
        let Some(now) = ctx.by_uuid(old.uuid) else {
            return outcome!(
                Fail,
                "{} is missing from the inventory after the {what} activation",
                old.name()
            );
        };
        if now.flags.contains(InventoryFlags::ACTIVATION_PENDING) {
            return outcome!(
                Fail,
                "{}: still pending after the {what} activation completed",
                old.name()
            );
        }
        if ctx.versions == Some(true) && now.current != old.pending {
            return outcome!(
                Fail,
                "{}: runs {} after the {what} activation, the pending version was {}",
                old.name(),
                FirmwareVersion::from_reg(now.current),
                FirmwareVersion::from_reg(old.pending)
            );
        }
    }
    outcome!(
        Pass,
        "{} then {} activated, each by PRIME and ACTIVATE on all {} CPU(s), with no CANCEL in between; neither is pending any more",
        a.name(),
        b.name(),
        CPUS.running()
    )
    .with(label, &call.sent, &call.got)
}
