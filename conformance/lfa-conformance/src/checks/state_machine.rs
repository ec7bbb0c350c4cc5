// SPDX-License-Identifier: MIT OR Apache-2.0
//! PRIME / ACTIVATE / CANCEL: the state machine and the error code of every
//! misuse, with only the boot CPU on. A correct agent activates nothing
//! here; every check leaves the agent idle (it cancels what it primed).
//!
//! Components that may reset CPUs are never used (an activation by a broken
//! agent would reset the checker).

use lfa_proto::{ActivateFlags, FunctionId, InventoryFlags};

use super::{Call, Check, Ctx, Entry, Group, MAX_ENTRIES, S, call_again, lfa, none_to, send};
use crate::outcome;
use crate::report::Outcome;

/// A component a check may prime: capable, pending, no CPU reset.
fn primable(e: &Entry) -> bool {
    e.activatable() && !e.flags.contains(InventoryFlags::MAY_RESET_CPU)
}

/// `LFA_ACTIVATE(seq_id)` once, with skip_cpu_rendezvous if `skip`.
pub(super) fn activate_once(seq_id: u32, skip: bool) -> Call {
    let flags = if skip {
        ActivateFlags::SKIP_CPU_RENDEZVOUS.bits()
    } else {
        0
    };
    send(
        FunctionId::Activate.to_x0(),
        [u64::from(seq_id), flags, 0, 0],
    )
}

/// Primes a component whose first PRIME answers CALL_AGAIN and leaves it
/// mid-prime: the entry and that first call.
fn mid_prime(ctx: &Ctx<'_>) -> Option<(Entry, Call)> {
    for e in ctx.entries().filter(primable) {
        let first = lfa(FunctionId::Prime, u64::from(e.seq_id));
        if first.status() == 0 && call_again(&first.got) {
            return Some((e, first));
        }
        let _ = ctx.cancel(e.seq_id);
    }
    None
}

pub(super) const PRM_01: Check = Check {
    id: "PRM-01",
    title: "PRIME needs no earlier GET_INVENTORY",
    rule: "docs/protocol.md#state-machine: IDLE --PRIME(i), i pending--> PRIMING; no other precondition. TF-A answers WRONG_STATE until GET_INVENTORY read that id (measured)",
    group: Group::Prime,
    run: prm_01,
};

fn prm_01(ctx: &mut Ctx<'_>) -> Outcome {
    let count = ctx.count.unwrap_or(0);
    let mut first: [Option<Call>; MAX_ENTRIES] = [None; MAX_ENTRIES];
    let mut cancel_failed = None;
    for (seq_id, slot) in (0..count).zip(first.iter_mut()) {
        let call = lfa(FunctionId::Prime, u64::from(seq_id));
        if call.status() == 0 {
            if call_again(&call.got) {
                let _ = ctx.repeat(&call.sent);
            }
            let cancel = ctx.cancel(seq_id);
            if cancel.status() != 0 {
                cancel_failed.get_or_insert(cancel);
            }
        }
        *slot = Some(call);
    }
    if let Err(outcome) = ctx.refresh() {
        return outcome;
    }
    if let Some(cancel) = cancel_failed {
        return outcome!(
            Fail,
            "CANCEL after a successful PRIME answered {}",
            S(cancel.status())
        )
        .with(format_args!("LFA_CANCEL"), &cancel.sent, &cancel.got);
    }
    let mut worked = 0;
    let mut refused = None;
    for e in ctx.entries().filter(primable) {
        let Some(Some(call)) = usize::try_from(e.seq_id).ok().and_then(|i| first.get(i)) else {
            continue;
        };
        match call.status() {
            0 => worked += 1,
            -7 => {
                refused.get_or_insert((e, *call));
            }
            other => {
                return outcome!(
                    Fail,
                    "{} is capable and pending, but PRIME answered {}",
                    e.name(),
                    S(other)
                )
                .with(
                    format_args!("LFA_PRIME({})", e.seq_id),
                    &call.sent,
                    &call.got,
                );
            }
        }
    }
    match refused {
        Some((e, call)) => outcome!(
            Warn,
            "{} is capable and pending, but PRIME before its GET_INVENTORY answered -7 WRONG_STATE (TF-A loads the pending flag only in GET_INVENTORY): clients must read the entry right before PRIME",
            e.name()
        )
        .with(format_args!("LFA_PRIME({}) before GET_INVENTORY", e.seq_id), &call.sent, &call.got),
        None if worked == 0 => none_to("capable and pending component"),
        None => outcome!(Pass, "{worked} capable and pending component(s) primed (then cancelled) before any GET_INVENTORY"),
    }
}

pub(super) const PRM_02: Check = Check {
    id: "PRM-02",
    title: "PRIME refuses ids >= count",
    rule: "docs/protocol.md#status-codes: seq id out of range is INVALID_PARAMETERS (-8)",
    group: Group::Prime,
    run: prm_02,
};

fn prm_02(ctx: &mut Ctx<'_>) -> Outcome {
    let count = ctx.count.unwrap_or(0);
    for id in [count, u32::MAX] {
        let call = lfa(FunctionId::Prime, u64::from(id));
        let label = crate::label!("LFA_PRIME({id:#x})");
        match call.status() {
            -8 => {}
            0 => {
                let _ = ctx.cancel(id);
                return outcome!(
                    Fail,
                    "id {id:#x} of {count}: SUCCESS for a component that does not exist"
                )
                .with(label, &call.sent, &call.got);
            }
            other => {
                return outcome!(
                    Warn,
                    "id {id:#x}: {}, expected -8 INVALID_PARAMETERS",
                    S(other)
                )
                .with(label, &call.sent, &call.got);
            }
        }
    }
    outcome!(Pass, "ids {count} and 0xffffffff: INVALID_PARAMETERS")
}

pub(super) const PRM_03: Check = Check {
    id: "PRM-03",
    title: "PRIME of a component with nothing pending",
    rule: "docs/protocol.md#status-codes: WRONG_STATE (-7) for PRIME with nothing pending",
    group: Group::Prime,
    run: prm_03,
};

fn prm_03(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(e) = ctx.pick(
        |e| {
            e.flags.contains(InventoryFlags::ACTIVATION_CAPABLE)
                && !e.flags.contains(InventoryFlags::ACTIVATION_PENDING)
        },
        &[],
    ) else {
        return none_to("capable component with nothing pending");
    };
    let call = lfa(FunctionId::Prime, u64::from(e.seq_id));
    let label = crate::label!("LFA_PRIME({})", e.seq_id);
    match call.status() {
        -7 => outcome!(Pass, "{}: WRONG_STATE", e.name()).with(label, &call.sent, &call.got),
        0 => {
            let _ = ctx.cancel(e.seq_id);
            outcome!(Fail, "{}: SUCCESS though nothing is pending", e.name())
                .with(label, &call.sent, &call.got)
        }
        other => outcome!(Warn, "{}: {}, expected -7 WRONG_STATE", e.name(), S(other))
            .with(label, &call.sent, &call.got),
    }
}

pub(super) const PRM_04: Check = Check {
    id: "PRM-04",
    title: "PRIME of a component that is not activation_capable",
    rule: "docs/protocol.md#status-codes: NOT_SUPPORTED (-1) when the component has no activator; with nothing pending either, WRONG_STATE (-7) is as right (TF-A checks pending first)",
    group: Group::Prime,
    run: prm_04,
};

fn prm_04(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(e) = ctx.pick(
        |e| !e.flags.contains(InventoryFlags::ACTIVATION_CAPABLE),
        &[],
    ) else {
        return none_to("component that is not activation_capable");
    };
    let pending = e.flags.contains(InventoryFlags::ACTIVATION_PENDING);
    let call = lfa(FunctionId::Prime, u64::from(e.seq_id));
    let label = crate::label!("LFA_PRIME({})", e.seq_id);
    match call.status() {
        -1 => outcome!(Pass, "{}: NOT_SUPPORTED", e.name()).with(label, &call.sent, &call.got),
        -7 if !pending => outcome!(Pass, "{}: WRONG_STATE (nothing pending either)", e.name())
            .with(label, &call.sent, &call.got),
        0 => {
            let _ = ctx.cancel(e.seq_id);
            outcome!(
                Fail,
                "{}: SUCCESS for a component that cannot be activated",
                e.name()
            )
            .with(label, &call.sent, &call.got)
        }
        other => outcome!(
            Warn,
            "{}: {}, expected -1 NOT_SUPPORTED",
            e.name(),
            S(other)
        )
        .with(label, &call.sent, &call.got),
    }
}

pub(super) const PRM_08: Check = Check {
    id: "PRM-08",
    title: "PRIME of a pending component that is not activation_capable",
    rule: "docs/protocol.md#status-codes: NOT_SUPPORTED (-1) when the component has no activator, also while an update is pending (TF-A: pending is checked first, then capable: -1, measured)",
    group: Group::Prime,
    run: prm_08,
};

fn prm_08(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(e) = ctx.pick(
        |e| {
            !e.flags.contains(InventoryFlags::ACTIVATION_CAPABLE)
                && e.flags.contains(InventoryFlags::ACTIVATION_PENDING)
        },
        &[],
    ) else {
        return none_to("component that is pending but not activation_capable");
    };
    // TF-A loads the pending flag in GET_INVENTORY: read the entry first so
    // that only "capable" decides.
    let _ = lfa(FunctionId::GetInventory, u64::from(e.seq_id));
    let call = lfa(FunctionId::Prime, u64::from(e.seq_id));
    let label = crate::label!("LFA_PRIME({}) right after its GET_INVENTORY", e.seq_id);
    match call.status() {
        -1 => outcome!(Pass, "{}: NOT_SUPPORTED", e.name()).with(label, &call.sent, &call.got),
        0 => {
            let cancel = ctx.cancel(e.seq_id);
            outcome!(
                Fail,
                "{}: SUCCESS for a component that cannot be activated (CANCEL afterwards: {})",
                e.name(),
                S(cancel.status())
            )
            .with(label, &call.sent, &call.got)
        }
        other => outcome!(
            Fail,
            "{}: {}, expected -1 NOT_SUPPORTED: the component is pending, so only its missing activator can refuse it; clients read a different error as a transient state",
            e.name(),
            S(other)
        )
        .with(label, &call.sent, &call.got),
    }
}

pub(super) const PRM_05: Check = Check {
    id: "PRM-05",
    title: "PRIME CALL_AGAIN rounds, then CANCEL when primed",
    rule: "docs/protocol.md#call_again (repeat the same call until x1 bit0 is clear) and #state-machine: PRIMED --CANCEL--> IDLE, the component still pending",
    group: Group::Prime,
    run: prm_05,
};

fn prm_05(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(e) = ctx.pick(primable, &[]) else {
        return none_to("capable and pending component");
    };
    let prime = ctx.prime(e.seq_id);
    let label = crate::label!("LFA_PRIME({}), round {}", e.seq_id, prime.rounds);
    if !prime.done() {
        let cancel = ctx.cancel(e.seq_id);
        let why = if prime.out_of_rounds {
            "still CALL_AGAIN"
        } else {
            "failed"
        };
        return outcome!(
            Fail,
            "{}: PRIME {why} after {} round(s) ({}); CANCEL answered {}",
            e.name(),
            prime.rounds,
            S(prime.status()),
            S(cancel.status())
        )
        .with(label, &prime.last.sent, &prime.last.got);
    }
    let reserved = prime.last.got.x[1] & !1;
    let cancel = ctx.cancel(e.seq_id);
    if cancel.status() != 0 {
        return outcome!(
            Fail,
            "{}: CANCEL of the primed component answered {}",
            e.name(),
            S(cancel.status())
        )
        .with(
            format_args!("LFA_CANCEL({})", e.seq_id),
            &cancel.sent,
            &cancel.got,
        );
    }
    let again = ctx.cancel(e.seq_id);
    if again.status() != -8 {
        return outcome!(
            Fail,
            "{}: a second CANCEL answered {}: the agent did not go back to idle (expected -8, nothing current)",
            e.name(),
            S(again.status())
        )
        .with(format_args!("LFA_CANCEL({}) again", e.seq_id), &again.sent, &again.got);
    }
    let entry = lfa(FunctionId::GetInventory, u64::from(e.seq_id));
    if entry.status() != 0 || entry.got.x[3] & InventoryFlags::ACTIVATION_PENDING.bits() == 0 {
        return outcome!(
            Fail,
            "{}: no longer pending after a cancelled PRIME",
            e.name()
        )
        .with(
            format_args!("LFA_GET_INVENTORY({})", e.seq_id),
            &entry.sent,
            &entry.got,
        );
    }
    if reserved != 0 {
        return outcome!(
            Warn,
            "{}: the last PRIME set reserved bits {reserved:#x} of x1 (only bit 0 is defined)",
            e.name()
        )
        .with(label, &prime.last.sent, &prime.last.got);
    }
    outcome!(
        Pass,
        "{}: PRIME done after {} round(s) with the same registers, CANCEL 0, CANCEL again -8, still pending",
        e.name(),
        prime.rounds
    )
    .with(label, &prime.last.sent, &prime.last.got)
}

pub(super) const PRM_06: Check = Check {
    id: "PRM-06",
    title: "Only one component primed at a time (primed)",
    rule: "docs/protocol.md#state-machine: only one component is primed or activated at a time; #status-codes: WRONG_STATE (-7) while another component is primed",
    group: Group::Prime,
    run: prm_06,
};

fn prm_06(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(a) = ctx.pick(primable, &[]) else {
        return none_to("capable and pending component");
    };
    let Some(b) = ctx.pick(primable, &[a.uuid]) else {
        return none_to("second capable and pending component");
    };
    if let Err(skip) = ctx.prime_or_skip(&a, ": see PRM-05") {
        return skip;
    }
    let other = lfa(FunctionId::Prime, u64::from(b.seq_id));
    let cancel_b = ctx.cancel(b.seq_id);
    let cancel_a = ctx.cancel(a.seq_id);
    let label = crate::label!("LFA_PRIME({}) while {} is primed", b.seq_id, a.seq_id);
    match other.status() {
        -7 if cancel_a.status() == 0 => outcome!(
            Pass,
            "PRIME of {} while {} is primed: WRONG_STATE; {} was still primed (CANCEL 0)",
            b.name(),
            a.name(),
            a.name()
        )
        .with(label, &other.sent, &other.got),
        0 => outcome!(
            Fail,
            "PRIME of {} answered SUCCESS while {} is primed, but the agent kept {} (CANCEL of {}: {}, of {}: {}): a client believes it primed a component that is not (TF-A treats any PRIME as complete once one is)",
            b.name(),
            a.name(),
            a.name(),
            b.name(),
            S(cancel_b.status()),
            a.name(),
            S(cancel_a.status())
        )
        .with(label, &other.sent, &other.got),
        -7 => outcome!(
            Fail,
            "WRONG_STATE as expected, but CANCEL of {} then answered {}",
            a.name(),
            S(cancel_a.status())
        )
        .with(format_args!("LFA_CANCEL({})", a.seq_id), &cancel_a.sent, &cancel_a.got),
        status => outcome!(Warn, "PRIME of {}: {}, expected -7 WRONG_STATE", b.name(), S(status))
            .with(label, &other.sent, &other.got),
    }
}

pub(super) const PRM_07: Check = Check {
    id: "PRM-07",
    title: "Only one component primed at a time (mid-prime)",
    rule: "docs/protocol.md#trusted-firmware-a-measured / #status-codes: PRIME of another id while one is mid-prime is WRONG_STATE (-7)",
    group: Group::Prime,
    run: prm_07,
};

fn prm_07(ctx: &mut Ctx<'_>) -> Outcome {
    let Some((a, _)) = mid_prime(ctx) else {
        return none_to("component whose PRIME answers CALL_AGAIN");
    };
    let Some(b) = ctx.pick(primable, &[a.uuid]) else {
        let _ = ctx.cancel(a.seq_id);
        return none_to("second capable and pending component");
    };
    let other = lfa(FunctionId::Prime, u64::from(b.seq_id));
    if other.status() == 0 {
        let _ = ctx.cancel(b.seq_id);
    }
    let cancel_a = ctx.cancel(a.seq_id);
    let label = crate::label!("LFA_PRIME({}) while {} is mid-prime", b.seq_id, a.seq_id);
    match other.status() {
        -7 => outcome!(
            Pass,
            "PRIME of {} while {} waits for CALL_AGAIN: WRONG_STATE (CANCEL of {}: {})",
            b.name(),
            a.name(),
            a.name(),
            S(cancel_a.status())
        )
        .with(label, &other.sent, &other.got),
        0 => outcome!(
            Fail,
            "PRIME of {} answered SUCCESS while {} is mid-prime",
            b.name(),
            a.name()
        )
        .with(label, &other.sent, &other.got),
        status => outcome!(
            Warn,
            "PRIME of {}: {}, expected -7 WRONG_STATE",
            b.name(),
            S(status)
        )
        .with(label, &other.sent, &other.got),
    }
}

pub(super) const CAN_01: Check = Check {
    id: "CAN-01",
    title: "CANCEL with nothing primed",
    rule: "docs/protocol.md#trusted-firmware-a-measured: CANCEL with nothing current is INVALID_PARAMETERS (-8); so is an id out of range",
    group: Group::Prime,
    run: can_01,
};

fn can_01(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(e) = ctx.entries().next() else {
        return none_to("component");
    };
    let count = ctx.count.unwrap_or(0);
    for id in [e.seq_id, count] {
        let call = ctx.cancel(id);
        let label = crate::label!("LFA_CANCEL({id})");
        match call.status() {
            -8 => {}
            0 => {
                return outcome!(
                    Fail,
                    "CANCEL({id}) with nothing primed answered SUCCESS: a client cannot tell a cancel from a no-op"
                )
                .with(label, &call.sent, &call.got);
            }
            other => {
                return outcome!(
                    Warn,
                    "CANCEL({id}) with nothing primed: {}, expected -8",
                    S(other)
                )
                .with(label, &call.sent, &call.got);
            }
        }
    }
    outcome!(
        Pass,
        "CANCEL({}) and CANCEL({count}): INVALID_PARAMETERS",
        e.seq_id
    )
}

pub(super) const CAN_02: Check = Check {
    id: "CAN-02",
    title: "CANCEL mid-prime",
    rule: "docs/protocol.md#state-machine: CANCEL of the current component is 0 in any phase before the activation is committed; the agent is idle after it",
    group: Group::Prime,
    run: can_02,
};

fn can_02(ctx: &mut Ctx<'_>) -> Outcome {
    let Some((a, _)) = mid_prime(ctx) else {
        return none_to("component whose PRIME answers CALL_AGAIN");
    };
    let cancel = ctx.cancel(a.seq_id);
    let again = ctx.cancel(a.seq_id);
    let label = crate::label!("LFA_CANCEL({}) mid-prime", a.seq_id);
    if cancel.status() != 0 {
        return outcome!(
            Fail,
            "{}: CANCEL mid-prime answered {}",
            a.name(),
            S(cancel.status())
        )
        .with(label, &cancel.sent, &cancel.got);
    }
    if again.status() != -8 {
        return outcome!(
            Fail,
            "{}: a second CANCEL answered {}: not idle after CANCEL",
            a.name(),
            S(again.status())
        )
        .with(
            format_args!("LFA_CANCEL({}) again", a.seq_id),
            &again.sent,
            &again.got,
        );
    }
    outcome!(Pass, "{}: CANCEL 0, then idle (CANCEL again -8)", a.name()).with(
        label,
        &cancel.sent,
        &cancel.got,
    )
}

pub(super) const CAN_03: Check = Check {
    id: "CAN-03",
    title: "CANCEL of an id that is not the primed one",
    rule: "docs/protocol.md#status-codes: ACTIVATE/CANCEL of an id that is not the primed one is INVALID_PARAMETERS (-8); the primed component stays primed",
    group: Group::Prime,
    run: can_03,
};

fn can_03(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(a) = ctx.pick(primable, &[]) else {
        return none_to("capable and pending component");
    };
    let Some(b) = ctx.pick(|_| true, &[a.uuid]) else {
        return none_to("second component");
    };
    if let Err(skip) = ctx.prime_or_skip(&a, ": see PRM-05") {
        return skip;
    }
    let wrong = ctx.cancel(b.seq_id);
    let right = ctx.cancel(a.seq_id);
    let label = crate::label!("LFA_CANCEL({}) while {} is primed", b.seq_id, a.seq_id);
    match (wrong.status(), right.status()) {
        (-8, 0) => outcome!(
            Pass,
            "CANCEL of {}: INVALID_PARAMETERS; {} stayed primed (CANCEL 0)",
            b.name(),
            a.name()
        )
        .with(label, &wrong.sent, &wrong.got),
        (0, r) => outcome!(
            Fail,
            "CANCEL of {} answered SUCCESS while {} is primed (CANCEL of {} then: {})",
            b.name(),
            a.name(),
            a.name(),
            S(r)
        )
        .with(label, &wrong.sent, &wrong.got),
        (-8, r) => outcome!(
            Fail,
            "CANCEL of the primed {} then answered {}",
            a.name(),
            S(r)
        )
        .with(
            format_args!("LFA_CANCEL({})", a.seq_id),
            &right.sent,
            &right.got,
        ),
        (w, _) => outcome!(Warn, "CANCEL of {}: {}, expected -8", b.name(), S(w)).with(
            label,
            &wrong.sent,
            &wrong.got,
        ),
    }
}

pub(super) const ACT_01: Check = Check {
    id: "ACT-01",
    title: "ACTIVATE with nothing primed",
    rule: "docs/protocol.md#status-codes: COMPONENT_WRONG_STATE (-9) for ACTIVATE before PRIME completed. TF-A answers INVALID_PARAMETERS (-8) for anything but the current component (measured)",
    group: Group::Prime,
    run: act_01,
};

fn act_01(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(e) = ctx.pick(primable, &[]) else {
        return none_to("capable and pending component");
    };
    let call = activate_once(e.seq_id, !e.rendezvous_required());
    let label = crate::label!("LFA_ACTIVATE({}) with nothing primed", e.seq_id);
    match call.status() {
        -9 => outcome!(Pass, "{}: COMPONENT_WRONG_STATE", e.name()).with(label, &call.sent, &call.got),
        -8 => outcome!(
            Warn,
            "{}: INVALID_PARAMETERS instead of -9 COMPONENT_WRONG_STATE: the agent does not say the component is not primed (TF-A); clients must not rely on -9",
            e.name()
        )
        .with(label, &call.sent, &call.got),
        0 => {
            let _ = ctx.cancel(e.seq_id);
            outcome!(Fail, "{}: SUCCESS without PRIME: the agent activated (or claims to)", e.name())
                .with(label, &call.sent, &call.got)
        }
        other => outcome!(Warn, "{}: {}, expected -9", e.name(), S(other)).with(label, &call.sent, &call.got),
    }
}

pub(super) const ACT_02: Check = Check {
    id: "ACT-02",
    title: "ACTIVATE refuses ids >= count",
    rule: "docs/protocol.md#status-codes: seq id out of range is INVALID_PARAMETERS (-8)",
    group: Group::Prime,
    run: act_02,
};

fn act_02(ctx: &mut Ctx<'_>) -> Outcome {
    let count = ctx.count.unwrap_or(0);
    for id in [count, u32::MAX] {
        let call = activate_once(id, true);
        let label = crate::label!("LFA_ACTIVATE({id:#x})");
        match call.status() {
            -8 => {}
            0 => return outcome!(Fail, "id {id:#x}: SUCCESS").with(label, &call.sent, &call.got),
            other => {
                return outcome!(Warn, "id {id:#x}: {}, expected -8", S(other))
                    .with(label, &call.sent, &call.got);
            }
        }
    }
    outcome!(Pass, "ids {count} and 0xffffffff: INVALID_PARAMETERS")
}

pub(super) const ACT_03: Check = Check {
    id: "ACT-03",
    title: "ACTIVATE of another component than the primed one",
    rule: "docs/protocol.md#status-codes: ACTIVATE of an id that is not the primed one is INVALID_PARAMETERS (-8)",
    group: Group::Prime,
    run: act_03,
};

fn act_03(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(a) = ctx.pick(primable, &[]) else {
        return none_to("capable and pending component");
    };
    let Some(b) = ctx.pick(primable, &[a.uuid]) else {
        return none_to("second capable and pending component");
    };
    if let Err(skip) = ctx.prime_or_skip(&a, ": see PRM-05") {
        return skip;
    }
    let call = activate_once(b.seq_id, !b.rendezvous_required());
    let cancel = ctx.cancel(a.seq_id);
    let label = crate::label!("LFA_ACTIVATE({}) while {} is primed", b.seq_id, a.seq_id);
    match call.status() {
        -8 => outcome!(
            Pass,
            "{}: INVALID_PARAMETERS (CANCEL of {} then: {})",
            b.name(),
            a.name(),
            S(cancel.status())
        )
        .with(label, &call.sent, &call.got),
        0 => outcome!(
            Fail,
            "{}: SUCCESS, though {} is the primed component",
            b.name(),
            a.name()
        )
        .with(label, &call.sent, &call.got),
        other => outcome!(Warn, "{}: {}, expected -8", b.name(), S(other))
            .with(label, &call.sent, &call.got),
    }
}

pub(super) const ACT_04: Check = Check {
    id: "ACT-04",
    title: "ACTIVATE while PRIME is still CALL_AGAIN",
    rule: "docs/protocol.md#status-codes: COMPONENT_WRONG_STATE (-9) for ACTIVATE before PRIME completed",
    group: Group::Prime,
    run: act_04,
};

fn act_04(ctx: &mut Ctx<'_>) -> Outcome {
    let Some((a, _)) = mid_prime(ctx) else {
        return none_to("component whose PRIME answers CALL_AGAIN");
    };
    let call = activate_once(a.seq_id, !a.rendezvous_required());
    let cancel = ctx.cancel(a.seq_id);
    let label = crate::label!("LFA_ACTIVATE({}) mid-prime", a.seq_id);
    match call.status() {
        -9 => outcome!(
            Pass,
            "{}: COMPONENT_WRONG_STATE (CANCEL then: {})",
            a.name(),
            S(cancel.status())
        )
        .with(label, &call.sent, &call.got),
        0 => outcome!(Fail, "{}: SUCCESS before PRIME completed", a.name())
            .with(label, &call.sent, &call.got),
        other => outcome!(Warn, "{}: {}, expected -9", a.name(), S(other))
            .with(label, &call.sent, &call.got),
    }
}

pub(super) const ACT_05: Check = Check {
    id: "ACT-05",
    title: "skip_cpu_rendezvous refused where the rendezvous is required",
    rule: "docs/protocol.md#rendezvous: asking to skip for a component that requires rendezvous is INVALID_PARAMETERS (-8)",
    group: Group::Prime,
    run: act_05,
};

fn act_05(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(r) = ctx.pick(|e| primable(e) && e.rendezvous_required(), &[]) else {
        return none_to("capable and pending component that requires the rendezvous");
    };
    if let Err(skip) = ctx.prime_or_skip(&r, ": see PRM-05") {
        return skip;
    }
    let call = activate_once(r.seq_id, true);
    let cancel = ctx.cancel(r.seq_id);
    let label = crate::label!("LFA_ACTIVATE({}, skip_cpu_rendezvous)", r.seq_id);
    match call.status() {
        -8 => outcome!(
            Pass,
            "{}: INVALID_PARAMETERS (CANCEL then: {})",
            r.name(),
            S(cancel.status())
        )
        .with(label, &call.sent, &call.got),
        0 => outcome!(
            Fail,
            "{}: SUCCESS: activated from one CPU though every CPU must rendezvous",
            r.name()
        )
        .with(label, &call.sent, &call.got),
        other => outcome!(Warn, "{}: {}, expected -8", r.name(), S(other))
            .with(label, &call.sent, &call.got),
    }
}
