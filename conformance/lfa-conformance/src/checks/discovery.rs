// SPDX-License-Identifier: MIT OR Apache-2.0
//! Discovery: SMCCC version, LFA_VERSION, LFA_FEATURES, unassigned IDs,
//! LFA_GET_INFO.

use lfa_proto::{FunctionId, LfaVersion};
use lfa_smccc::{SmcccVersion, query_smccc_version};

use super::{Check, Ctx, Group, S, conduit, lfa, send};
use crate::outcome;
use crate::report::Outcome;

/// LFA_VERSION over SMC32 (the IDs are SMC64 only).
const SMC32_VERSION: u64 = 0x8400_02E0;

pub(super) const SMCCC_01: Check = Check {
    id: "SMCCC-01",
    title: "SMCCC version is 1.2 or later",
    rule: "docs/protocol.md#transport: LFA uses SMCCC v1.2 calls (x0..x17); discovered with PSCI_FEATURES(SMCCC_VERSION) then SMCCC_VERSION",
    group: Group::Read,
    run: smccc_01,
};

fn smccc_01(_: &mut Ctx<'_>) -> Outcome {
    match query_smccc_version(conduit()) {
        Ok(v) if v >= SmcccVersion::V1_2 => outcome!(Pass, "SMCCC {v}"),
        Ok(v) => outcome!(
            Warn,
            "the firmware reports SMCCC {v}: LFA needs v1.2 register use (x4..x17 preserved); a client must be told to assume it"
        ),
        Err(e) => outcome!(
            Warn,
            "{e}; a client that requires SMCCC 1.2 refuses this firmware unless told to assume it"
        ),
    }
}

pub(super) const DISC_01: Check = Check {
    id: "DISC-01",
    title: "LFA_VERSION reports version 1.x",
    rule: "docs/protocol.md#function-ids-and-registers: LFA_VERSION x0 = bits[30:16] major, bits[15:0] minor, bit 31 clear; an absent agent returns NOT_SUPPORTED",
    group: Group::Read,
    run: disc_01,
};

fn disc_01(ctx: &mut Ctx<'_>) -> Outcome {
    let call = lfa(FunctionId::Version, 0);
    let x0 = call.got.x[0];
    let label = crate::label!("LFA_VERSION");
    if x0 == call.sent.x[0] {
        return outcome!(
            Fail,
            "x0 came back unchanged (the function ID): no LFA service (TF-A with no component registered does this)"
        )
        .with(label, &call.sent, &call.got);
    }
    match LfaVersion::decode(x0) {
        Ok(v) => {
            ctx.agent = true;
            if v.major() == 1 {
                outcome!(Pass, "LFA {v}").with(label, &call.sent, &call.got)
            } else {
                outcome!(
                    Warn,
                    "LFA {v}: this checker knows major version 1 only; results may not apply"
                )
                .with(label, &call.sent, &call.got)
            }
        }
        Err(_) => outcome!(Fail, "no LFA agent: x0 = {}", S(call.status()))
            .with(label, &call.sent, &call.got),
    }
}

pub(super) const DISC_02: Check = Check {
    id: "DISC-02",
    title: "SMC32 LFA_VERSION is not answered",
    rule: "docs/protocol.md#transport: function IDs are SMC64 fast calls; TF-A answers the SMC32 IDs 0x840002Ex with NOT_SUPPORTED",
    group: Group::Read,
    run: disc_02,
};

fn disc_02(_: &mut Ctx<'_>) -> Outcome {
    let call = send(SMC32_VERSION, [0; 4]);
    let label = crate::label!("SMC32 LFA_VERSION ({SMC32_VERSION:#x})");
    if call.status() == -1 {
        outcome!(Pass, "NOT_SUPPORTED").with(label, &call.sent, &call.got)
    } else {
        outcome!(
            Warn,
            "answered x0 = {:#x}: an early draft used SMC32 IDs; clients use the SMC64 ones only",
            call.got.x[0]
        )
        .with(label, &call.sent, &call.got)
    }
}

pub(super) const FEAT_01: Check = Check {
    id: "FEAT-01",
    title: "LFA_FEATURES reports every LFA function",
    rule: "docs/protocol.md#function-ids-and-registers: LFA_FEATURES(x1 = function ID) x0 = 0 if implemented; all seven functions are needed for an activation",
    group: Group::Read,
    run: feat_01,
};

fn feat_01(_: &mut Ctx<'_>) -> Outcome {
    let mut missing = 0;
    let mut first = None;
    let mut last = None;
    for function in FunctionId::ALL {
        let call = lfa(FunctionId::Features, function.to_x0());
        if call.status() != 0 {
            missing += 1;
            first.get_or_insert((function, call));
        }
        last = Some(call);
    }
    match (first, last) {
        (Some((function, call)), _) => outcome!(
            Fail,
            "{missing} of 7 functions not reported, first {} ({})",
            function.name(),
            S(call.status())
        )
        .with(
            format_args!("LFA_FEATURES({})", function.name()),
            &call.sent,
            &call.got,
        ),
        (None, Some(call)) => outcome!(Pass, "all 7 functions implemented").with(
            format_args!("LFA_FEATURES(LFA_CANCEL)"),
            &call.sent,
            &call.got,
        ),
        (None, None) => outcome!(Fail, "no call made"),
    }
}

/// Function IDs that are not LFA functions, for FEATURES and direct calls.
const UNASSIGNED: [u64; 5] = [
    0xC400_02E7,   // the next ID of the LFA block
    0xC400_02DF,   // the one before it
    0x8400_02E1,   // SMC32 LFA_FEATURES
    0x1_C400_02E1, // LFA_FEATURES with bits 63:32 set: compared on 64 bits
    0,
];

pub(super) const FEAT_02: Check = Check {
    id: "FEAT-02",
    title: "LFA_FEATURES refuses unassigned IDs",
    rule: "docs/protocol.md#function-ids-and-registers: LFA_FEATURES answers NOT_SUPPORTED for anything that is not one of its functions; IDs compare on all 64 bits (TF-A, measured)",
    group: Group::Read,
    run: feat_02,
};

fn feat_02(_: &mut Ctx<'_>) -> Outcome {
    for id in UNASSIGNED {
        let call = lfa(FunctionId::Features, id);
        let label = crate::label!("LFA_FEATURES({id:#x})");
        match call.status() {
            -1 => {}
            0 => {
                return outcome!(
                    Fail,
                    "claims the unassigned function {id:#x}: a client would call something that does not exist"
                )
                .with(label, &call.sent, &call.got);
            }
            other => {
                return outcome!(Warn, "{id:#x}: {} instead of -1 NOT_SUPPORTED", S(other))
                    .with(label, &call.sent, &call.got);
            }
        }
    }
    outcome!(
        Pass,
        "NOT_SUPPORTED for all {} unassigned IDs",
        UNASSIGNED.len()
    )
}

pub(super) const FUNC_01: Check = Check {
    id: "FUNC-01",
    title: "Unassigned LFA-block IDs are NOT_SUPPORTED",
    rule: "SMCCC: an unknown function ID returns NOT_SUPPORTED (-1) in x0; docs/protocol.md#status-codes",
    group: Group::Read,
    run: func_01,
};

fn func_01(_: &mut Ctx<'_>) -> Outcome {
    for id in [0xC400_02E7_u64, 0xC400_02EF, 0xC400_02FF] {
        let call = send(id, [0; 4]);
        if call.status() != -1 {
            return outcome!(Fail, "{id:#x} answered {}", S(call.status())).with(
                format_args!("function {id:#x}"),
                &call.sent,
                &call.got,
            );
        }
    }
    outcome!(Pass, "0xc40002e7, 0xc40002ef, 0xc40002ff: NOT_SUPPORTED")
}

pub(super) const INFO_01: Check = Check {
    id: "INFO-01",
    title: "LFA_GET_INFO(0) status, count and x2",
    rule: "docs/protocol.md#function-ids-and-registers: LFA_GET_INFO x1 = 0: x0 status, x1 = number of components (ids 0..n-1), x2 = 0",
    group: Group::Read,
    run: info_01,
};

fn info_01(ctx: &mut Ctx<'_>) -> Outcome {
    let call = lfa(FunctionId::GetInfo, 0);
    let label = crate::label!("LFA_GET_INFO(0)");
    if call.status() != 0 {
        return outcome!(Fail, "{}", S(call.status())).with(label, &call.sent, &call.got);
    }
    let [_, count, x2, ..] = call.got.x;
    ctx.count = u32::try_from(count).ok();
    if count == 0 {
        return outcome!(
            Warn,
            "no components: nothing to activate, most checks will SKIP"
        )
        .with(label, &call.sent, &call.got);
    }
    if count > 64 {
        return outcome!(
            Warn,
            "{count} components: implausibly many (a status read as a count?); clients bound it"
        )
        .with(label, &call.sent, &call.got);
    }
    if x2 != 0 {
        return outcome!(Warn, "{count} components, but x2 = {x2:#x} (should be 0)")
            .with(label, &call.sent, &call.got);
    }
    outcome!(Pass, "{count} components, x2 = 0").with(label, &call.sent, &call.got)
}

pub(super) const INFO_02: Check = Check {
    id: "INFO-02",
    title: "LFA_GET_INFO refuses selectors other than 0",
    rule: "docs/protocol.md#function-ids-and-registers: only selector 0 is defined in v1.0; selector != 0 is INVALID_PARAMETERS; compared on all 64 bits (TF-A, measured)",
    group: Group::Read,
    run: info_02,
};

fn info_02(_: &mut Ctx<'_>) -> Outcome {
    for selector in [1_u64, 0xFFFF_FFFF, 1 << 32, u64::MAX] {
        let call = lfa(FunctionId::GetInfo, selector);
        if call.status() != -8 {
            let verdict = if call.status() == 0 {
                "answered SUCCESS: a client cannot tell unknown selectors from selector 0"
            } else {
                "expected -8 INVALID_PARAMETERS"
            };
            return outcome!(
                Fail,
                "selector {selector:#x}: {}; {verdict}",
                S(call.status())
            )
            .with(
                format_args!("LFA_GET_INFO({selector:#x})"),
                &call.sent,
                &call.got,
            );
        }
    }
    outcome!(
        Pass,
        "selectors 1, 0xffffffff, 1<<32, u64::MAX: INVALID_PARAMETERS"
    )
}
