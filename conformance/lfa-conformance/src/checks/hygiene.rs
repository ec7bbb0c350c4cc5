// SPDX-License-Identifier: MIT OR Apache-2.0
//! SMCCC 1.2 register hygiene over every LFA call of the run (see
//! `probe`): success and error paths of every function, from every CPU.

use super::{Check, Ctx, Group};
use crate::outcome;
use crate::probe::{PROBE, Violations};
use crate::report::{Outcome, Verdict};

fn judge(violations: Violations, calls: u32, verdict: Verdict, what: &str, why: &str) -> Outcome {
    match violations.first {
        None => outcome!(Pass, "all {calls} LFA calls of the run"),
        Some((reg, observed)) => {
            let sent = observed.sent.x.get(reg).copied().unwrap_or(0);
            let got = observed.got.x.get(reg).copied().unwrap_or(0);
            let mut outcome = outcome!(
                Fail,
                "{} of {calls} LFA calls {what}; first: {} x{reg} sent {sent:#x}, got {got:#x}: {why}",
                violations.calls,
                observed.label.as_str(),
            );
            outcome.verdict = verdict;
            outcome.with_observed(Some(observed))
        }
    }
}

pub(super) const HYG_01: Check = Check {
    id: "HYG-01",
    title: "x6..x17 preserved by every LFA call",
    rule: "SMCCC v1.2: registers that carry no result are preserved; LFA uses x0..x5 only (docs/protocol.md#transport, #trusted-firmware-a-measured)",
    group: Group::Final,
    run: hyg_01,
};

fn hyg_01(_: &mut Ctx<'_>) -> Outcome {
    let h = PROBE.hygiene();
    judge(
        h.high,
        h.calls,
        Verdict::Fail,
        "changed x6..x17",
        "callers may keep live values there",
    )
}

pub(super) const HYG_02: Check = Check {
    id: "HYG-02",
    title: "x4/x5 preserved unless they are results",
    rule: "SMCCC v1.2: x4..x17 are preserved unless the function returns results in them; only a successful LFA_GET_INVENTORY does (x4/x5 versions)",
    group: Group::Final,
    run: hyg_02,
};

fn hyg_02(_: &mut Ctx<'_>) -> Outcome {
    let h = PROBE.hygiene();
    judge(
        h.x4_x5,
        h.calls,
        Verdict::Fail,
        "changed x4/x5 where they hold no result",
        "callers may keep live values there",
    )
}

pub(super) const HYG_03: Check = Check {
    id: "HYG-03",
    title: "Only defined results written to x1..x3",
    rule: "docs/protocol.md#trusted-firmware-a-measured: only the registers a call defines are written, only x0 on errors; x1..x3 otherwise come back as sent (TF-A) or zero",
    group: Group::Final,
    run: hyg_03,
};

fn hyg_03(_: &mut Ctx<'_>) -> Outcome {
    let h = PROBE.hygiene();
    judge(
        h.low,
        h.calls,
        Verdict::Warn,
        "wrote x1..x3 where they hold no result",
        "the agent leaks values into registers it does not define",
    )
}
