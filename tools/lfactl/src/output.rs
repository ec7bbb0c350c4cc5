// SPDX-License-Identifier: MIT OR Apache-2.0
//! Text tables and JSON.

use comfy_table::{ContentArrangement, Table, presets};
use lfa_proto::FirmwareVersion;
use lfa_sysfs::{Change, ComponentInfo};
use serde::Serialize;

use crate::console::Console;

/// The `schema` value of every JSON object lfactl prints.
pub const SCHEMA: &str = "lfactl/1";

/// One component in JSON.
#[derive(Debug, Serialize)]
pub struct ComponentJson {
    /// Lower-case hyphenated UUID.
    pub uuid: String,
    /// The name, or null.
    pub name: Option<String>,
    /// activation_capable.
    pub activation_capable: bool,
    /// activation_pending.
    pub activation_pending: bool,
    /// may_reset_cpu.
    pub may_reset_cpu: bool,
    /// cpu_rendezvous: every CPU must rendezvous.
    pub cpu_rendezvous: bool,
    /// "maj.min", or null when unknown.
    pub current_version: Option<String>,
    /// "maj.min" while pending and known, else null.
    pub pending_version: Option<String>,
    /// False when the kernel has no version files (older ABI).
    pub versions_reported: bool,
    /// force_cpu_rendezvous, or null when not available.
    pub force_cpu_rendezvous: Option<bool>,
    /// auto_activate, or null when not available (older kernel).
    pub auto_activate: Option<bool>,
    /// The firmware sequence id (simulated agent only), or null.
    pub seq_id: Option<u32>,
}

impl From<&ComponentInfo> for ComponentJson {
    fn from(c: &ComponentInfo) -> Self {
        Self {
            uuid: c.uuid().to_string(),
            name: c.name().map(str::to_owned),
            activation_capable: c.is_capable(),
            activation_pending: c.is_pending(),
            may_reset_cpu: c.may_reset_cpu(),
            cpu_rendezvous: c.rendezvous_required(),
            current_version: c.current_version().map(|v| v.to_string()),
            pending_version: c.pending_version().map(|v| v.to_string()),
            versions_reported: c.versions_reported(),
            force_cpu_rendezvous: c.force_cpu_rendezvous(),
            auto_activate: c.auto_activate(),
            seq_id: c.seq_id().map(|s| s.0),
        }
    }
}

/// Prints a JSON value on stdout, on one line.
pub fn print_json(console: &Console, value: &serde_json::Value) {
    console.out(value);
}

/// The list as a table.
pub fn table(components: &[ComponentInfo]) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header([
            "UUID",
            "NAME",
            "CAPABLE",
            "PENDING",
            "RENDEZVOUS",
            "CURRENT",
            "STAGED",
            "FORCE-RV",
            "AUTO",
        ]);
    for c in components {
        table.add_row([
            c.uuid().to_string(),
            label_name(c),
            yes_no(c.is_capable()).to_owned(),
            yes_no(c.is_pending()).to_owned(),
            rendezvous(c).to_owned(),
            version(c, c.current_version()),
            version(c, c.pending_version()),
            setting(c.force_cpu_rendezvous()).to_owned(),
            setting(c.auto_activate()).to_owned(),
        ]);
    }
    table.to_string()
}

/// One component as `key: value` lines.
pub fn details(c: &ComponentInfo) -> String {
    let mut lines = vec![
        ("uuid", c.uuid().to_string()),
        ("name", label_name(c)),
        ("activation capable", yes_no(c.is_capable()).to_owned()),
        ("activation pending", yes_no(c.is_pending()).to_owned()),
        ("may reset CPUs", yes_no(c.may_reset_cpu()).to_owned()),
        ("CPU rendezvous", rendezvous(c).to_owned()),
        ("current version", version(c, c.current_version())),
        ("pending version", version(c, c.pending_version())),
        (
            "force CPU rendezvous",
            setting(c.force_cpu_rendezvous()).to_owned(),
        ),
        ("auto activate", setting(c.auto_activate()).to_owned()),
    ];
    if let Some(seq_id) = c.seq_id() {
        lines.push(("sequence id", seq_id.0.to_string()));
    }
    lines
        .iter()
        .map(|(k, v)| format!("{:<21} {v}\n", format!("{k}:")))
        .collect()
}

/// "name (uuid)" or the UUID alone.
pub fn label(c: &ComponentInfo) -> String {
    match c.name() {
        Some(name) => format!("{name} ({})", c.uuid()),
        None => c.uuid().to_string(),
    }
}

/// One watch event as text.
pub fn change_text(change: &Change) -> String {
    let label = |uuid: &lfa_proto::Uuid, name: &Option<String>| match name {
        Some(name) => format!("{name} ({uuid})"),
        None => uuid.to_string(),
    };
    match change {
        Change::Appeared {
            uuid,
            name,
            pending,
        } => format!(
            "{}: listed, activation {}",
            label(uuid, name),
            if *pending { "pending" } else { "not pending" }
        ),
        Change::PendingChanged {
            uuid,
            name,
            pending: true,
        } => format!("{}: activation now pending", label(uuid, name)),
        Change::PendingChanged {
            uuid,
            name,
            pending: false,
        } => format!("{}: activation no longer pending", label(uuid, name)),
        Change::Disappeared { uuid, name } => format!("{}: no longer listed", label(uuid, name)),
    }
}

/// One watch event as JSON.
pub fn change_json(change: &Change) -> serde_json::Value {
    let (event, uuid, name, pending) = match change {
        Change::Appeared {
            uuid,
            name,
            pending,
        } => ("appeared", uuid, name, Some(*pending)),
        Change::PendingChanged {
            uuid,
            name,
            pending,
        } => ("pending-changed", uuid, name, Some(*pending)),
        Change::Disappeared { uuid, name } => ("disappeared", uuid, name, None),
    };
    serde_json::json!({
        "schema": SCHEMA,
        "event": event,
        "uuid": uuid.to_string(),
        "name": name,
        "activation_pending": pending,
    })
}

fn label_name(c: &ComponentInfo) -> String {
    c.name().unwrap_or("-").to_owned()
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn rendezvous(c: &ComponentInfo) -> &'static str {
    if c.rendezvous_required() {
        "required"
    } else {
        "optional"
    }
}

/// "maj.min", "-" when unknown, "n/a" when the kernel has no version files.
fn version(c: &ComponentInfo, v: Option<FirmwareVersion>) -> String {
    match v {
        Some(v) => v.to_string(),
        None if !c.versions_reported() => "n/a".to_owned(),
        None => "-".to_owned(),
    }
}

fn setting(s: Option<bool>) -> &'static str {
    match s {
        Some(true) => "on",
        Some(false) => "off",
        None => "n/a",
    }
}
