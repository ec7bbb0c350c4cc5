// SPDX-License-Identifier: MIT OR Apache-2.0
//! GET_INVENTORY: entries, UUIDs, flags, versions, id bounds.

use lfa_proto::{FirmwareVersion, FunctionId, InventoryFlags, uuid_from_regs};

use super::{Check, Ctx, Group, S, lfa};
use crate::outcome;
use crate::report::Outcome;

pub(super) const INV_01: Check = Check {
    id: "INV-01",
    title: "GET_INVENTORY answers every id 0..n-1",
    rule: "docs/protocol.md#function-ids-and-registers: LFA_GET_INVENTORY(x1 = id < count): x0 = 0, x1:x2 UUID, x3 flags, x4/x5 versions",
    group: Group::Read,
    run: inv_01,
};

fn inv_01(ctx: &mut Ctx<'_>) -> Outcome {
    let count = match ctx.refresh() {
        Ok(count) => count,
        Err(outcome) => return outcome,
    };
    if count == 0 {
        return outcome!(Skip, "GET_INFO lists no component");
    }
    for e in ctx.entries() {
        crate::println!(
            "   #{:<2} {} flags={:#x} ({}{}{}{}) x4={:#x} x5={:#x}",
            e.seq_id,
            e.uuid,
            e.flags.bits(),
            if e.flags.contains(InventoryFlags::ACTIVATION_CAPABLE) {
                "capable "
            } else {
                ""
            },
            if e.flags.contains(InventoryFlags::ACTIVATION_PENDING) {
                "pending "
            } else {
                ""
            },
            if e.flags.contains(InventoryFlags::MAY_RESET_CPU) {
                "may-reset "
            } else {
                ""
            },
            if e.rendezvous_required() {
                "rendezvous"
            } else {
                "rendezvous-optional"
            },
            e.current,
            e.pending,
        );
    }
    if let Some(nil) = ctx.entries().find(|e| e.uuid.is_nil()) {
        return outcome!(
            Fail,
            "entry #{} has the nil UUID: clients identify components by UUID",
            nil.seq_id
        );
    }
    let read = ctx.entries().count();
    if u32::try_from(read).unwrap_or(u32::MAX) < count {
        outcome!(
            Pass,
            "{count} entries (the first {read} kept for the other checks)"
        )
    } else {
        outcome!(Pass, "{count} entries read")
    }
}

pub(super) const INV_02: Check = Check {
    id: "INV-02",
    title: "Component UUIDs are unique",
    rule: "docs/protocol.md#sequence-ids: sequence ids are not stable; callers identify components by UUID only, so a UUID names one component",
    group: Group::Read,
    run: inv_02,
};

fn inv_02(ctx: &mut Ctx<'_>) -> Outcome {
    for a in ctx.entries() {
        if let Some(b) = ctx
            .entries()
            .find(|b| b.seq_id > a.seq_id && b.uuid == a.uuid)
        {
            return outcome!(
                Fail,
                "ids {} and {} have the same UUID {}: a client cannot tell which one it activates",
                a.seq_id,
                b.seq_id,
                a.uuid
            );
        }
    }
    outcome!(Pass, "{} distinct UUIDs", ctx.entries().count())
}

pub(super) const INV_03: Check = Check {
    id: "INV-03",
    title: "Inventory flags: reserved bits 63:4 are zero",
    rule: "docs/protocol.md#values: x3 bit0 activation_capable, bit1 activation_pending, bit2 may_reset_cpu, bit3 cpu_rendezvous_optional, bits 63..4 reserved",
    group: Group::Read,
    run: inv_03,
};

fn inv_03(ctx: &mut Ctx<'_>) -> Outcome {
    match ctx.entries().find(|e| e.flags.reserved() != 0) {
        Some(e) => outcome!(
            Fail,
            "{} reports reserved bits {:#x} in x3: a later revision may give them a meaning clients would misread",
            e.name(),
            e.flags.reserved()
        ),
        None => outcome!(
            Pass,
            "no reserved bit set in {} entries",
            ctx.entries().count()
        ),
    }
}

/// Values sent in x4/x5 to see whether GET_INVENTORY writes them.
const SENTINEL_X4: u64 = 0x5E04_0000_C0DE_0004;
const SENTINEL_X5: u64 = 0x5E05_0000_C0DE_0005;

pub(super) const INV_04: Check = Check {
    id: "INV-04",
    title: "GET_INVENTORY reports versions in x4/x5",
    rule: "docs/protocol.md#values (spec BET1): x4 current, x5 pending version (bits 63:32 major, 31:0 minor); pending means something while activation_pending is set",
    group: Group::Read,
    run: inv_04,
};

fn inv_04(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(first) = ctx.entries().next() else {
        return outcome!(Skip, "no entry to read");
    };
    let mut sent = lfa_proto::Regs::with_x0(FunctionId::GetInventory.to_x0());
    sent.x[1] = u64::from(first.seq_id);
    sent.x[4] = SENTINEL_X4;
    sent.x[5] = SENTINEL_X5;
    let (sent, got) = crate::probe::PROBE.exchange(&sent);
    let label = crate::label!(
        "LFA_GET_INVENTORY({}) with sentinels in x4/x5",
        first.seq_id
    );
    if super::status(&got) != 0 {
        ctx.versions = Some(false);
        return outcome!(
            Warn,
            "refused non-zero x4/x5 with {}: clients send zeros there, so versions cannot be told from echoes",
            S(super::status(&got))
        )
        .with(label, &sent, &got);
    }
    let [_, _, _, _, x4, x5, ..] = got.x;
    if x4 == SENTINEL_X4 && x5 == SENTINEL_X5 {
        ctx.versions = Some(false);
        return outcome!(
            Warn,
            "x4/x5 came back as sent: the agent does not report versions (TF-A does not fill them yet); clients that send zeros read 0.0 and must show the versions as unknown"
        )
        .with(label, &sent, &got);
    }
    ctx.versions = Some(true);
    if let Some(e) = ctx
        .entries()
        .find(|e| e.flags.contains(InventoryFlags::ACTIVATION_PENDING) && e.pending == 0)
    {
        return outcome!(
            Warn,
            "{} is pending but its pending version x5 is 0.0",
            e.name()
        )
        .with(label, &sent, &got);
    }
    let shown = FirmwareVersion::from_reg(first.current);
    outcome!(Pass, "written ({} current {shown})", first.name()).with(label, &sent, &got)
}

pub(super) const INV_05: Check = Check {
    id: "INV-05",
    title: "GET_INVENTORY refuses ids >= count",
    rule: "docs/protocol.md#status-codes: seq id out of range is INVALID_PARAMETERS (-8)",
    group: Group::Read,
    run: inv_05,
};

fn inv_05(ctx: &mut Ctx<'_>) -> Outcome {
    let count = u64::from(ctx.count.unwrap_or(0));
    for id in [count, 0xFFFF_FFFF] {
        let call = lfa(FunctionId::GetInventory, id);
        if call.status() != -8 {
            return outcome!(
                Fail,
                "id {id:#x}: {}, expected -8 INVALID_PARAMETERS",
                S(call.status())
            )
            .with(
                format_args!("LFA_GET_INVENTORY({id:#x})"),
                &call.sent,
                &call.got,
            );
        }
    }
    outcome!(Pass, "ids {count} and 0xffffffff: INVALID_PARAMETERS")
}

pub(super) const INV_06: Check = Check {
    id: "INV-06",
    title: "An id with bits 63:32 set is not id & 0xffffffff",
    rule: "docs/protocol.md#function-ids-and-registers: x1 = fw_seq_id; ids are 0..n-1, so 0x1_0000_0000 is out of range (-8). TF-A uses only the low 32 bits (measured)",
    group: Group::Read,
    run: inv_06,
};

fn inv_06(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(first) = ctx.entries().next() else {
        return outcome!(Skip, "no entry to compare with");
    };
    let id = (1_u64 << 32) | u64::from(first.seq_id);
    let call = lfa(FunctionId::GetInventory, id);
    let label = crate::label!("LFA_GET_INVENTORY({id:#x})");
    match call.status() {
        -8 => outcome!(Pass, "INVALID_PARAMETERS").with(label, &call.sent, &call.got),
        0 if uuid_from_regs(call.got.x[1], call.got.x[2]) == first.uuid => outcome!(
            Warn,
            "answered with entry #{}: only the low 32 bits of the id are used; clients must send 32-bit ids",
            first.seq_id
        )
        .with(label, &call.sent, &call.got),
        other => outcome!(Fail, "{}: neither -8 nor entry #{}", S(other), first.seq_id)
            .with(label, &call.sent, &call.got),
    }
}
