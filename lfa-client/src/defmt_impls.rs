// SPDX-License-Identifier: MIT OR Apache-2.0
//! `defmt::Format` for the public types (feature `defmt`). Protocol values
//! are shown as numbers: UUIDs in hex, statuses signed, function IDs in hex.

use defmt::{Format, Formatter, write};
use lfa_proto::{FirmwareVersion, FunctionId, LfaError, Uuid, regs::as_signed};

use crate::{
    Activated, CancelOutcome, Component, ComponentRef, CpuJob, CpuOutcome, CpuReset, CpuResult,
    Error, ErrorDetail, Next, Options, RendezvousError, RetryPolicy, Step, Summary,
    activate_all::Stopped,
};

fn uuid(f: Formatter<'_>, uuid: Uuid) {
    write!(f, "{=u128:x}", uuid.as_u128());
}

fn status(f: Formatter<'_>, status: LfaError) {
    write!(f, "{=i64}", as_signed(status.to_x0()));
}

fn function(f: Formatter<'_>, function: FunctionId) {
    write!(f, "{=u64:#x}", function.to_x0());
}

fn version(f: Formatter<'_>, version: Option<FirmwareVersion>) {
    match version {
        Some(v) => write!(f, "{=u32}.{=u32}", v.major, v.minor),
        None => write!(f, "unknown"),
    }
}

fn millis(d: core::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Format for ComponentRef {
    fn format(&self, f: Formatter<'_>) {
        uuid(f, self.uuid);
        write!(f, " (#{=u32})", self.seq_id.0);
    }
}

impl Format for Component {
    fn format(&self, f: Formatter<'_>) {
        self.to_ref().format(f);
        write!(f, " flags={=u64:#x} current=", self.flags().bits());
        version(f, self.current_version());
        write!(f, " pending=");
        version(f, self.pending_version());
    }
}

impl Format for CancelOutcome {
    fn format(&self, f: Formatter<'_>) {
        match self {
            Self::Cancelled => write!(f, "Cancelled"),
            Self::NothingToCancel => write!(f, "NothingToCancel"),
            Self::Failed(e) => {
                write!(f, "Failed(");
                status(f, *e);
                write!(f, ")");
            }
        }
    }
}

impl Format for CpuResult {
    fn format(&self, f: Formatter<'_>) {
        match self {
            Self::Done => write!(f, "Done"),
            Self::Reset => write!(f, "Reset"),
            Self::Failed(e) => {
                write!(f, "Failed(");
                status(f, *e);
                write!(f, ")");
            }
            Self::OutOfRounds => write!(f, "OutOfRounds"),
        }
    }
}

impl Format for CpuOutcome {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{} after {=u32} rounds", self.result(), self.rounds());
    }
}

impl Format for CpuJob {
    fn format(&self, f: Formatter<'_>) {
        let r = self.activate_request();
        write!(
            f,
            "LFA_ACTIVATE #{=u32} flags={=u64:#x} entry={=u64:#x} context={=u64:#x} max_rounds={=u32}",
            r.seq_id.0,
            r.flags.bits(),
            r.entry_point,
            r.context_id,
            self.max_rounds()
        );
    }
}

impl Format for RendezvousError {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{=str}", self.0);
    }
}

impl Format for CpuReset {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "entry={=u64:#x} context={=u64:#x}",
            self.entry_point, self.context_id
        );
    }
}

impl Format for RetryPolicy {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "max_rounds={=u32} timeout={=u64}ms delay={=u64}ms",
            self.max_rounds,
            millis(self.timeout),
            millis(self.delay)
        );
    }
}

impl Format for Options {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "prime: {}, activate: {}, force_rendezvous={=bool}, cpu_reset={}, max_components={=u32}, max_activations={=u32}",
            self.prime,
            self.activate,
            self.force_rendezvous,
            self.cpu_reset,
            self.max_components,
            self.max_activations
        );
    }
}

impl Format for Summary {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "activated={=u32} skipped={=u32}",
            self.activated, self.skipped
        );
    }
}

impl Format for Stopped {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{} ({})", self.error, self.summary);
    }
}

impl Format for Next {
    fn format(&self, f: Formatter<'_>) {
        match self {
            Self::Release => write!(f, "Release"),
            Self::Refresh => write!(f, "Refresh"),
            Self::Prime { round } => write!(f, "Prime round {=u32}", round),
            Self::Activate { round } => write!(f, "Activate round {=u32}", round),
            Self::Rendezvous => write!(f, "Rendezvous"),
            Self::Cancel => write!(f, "Cancel"),
            Self::Reenumerate { read } => write!(f, "Reenumerate ({=u32} read)", read),
        }
    }
}

impl<T: Format> Format for Step<T> {
    fn format(&self, f: Formatter<'_>) {
        match self {
            Self::Pending { next, wait } => write!(
                f,
                "Pending: {}, wait {=u64}ms",
                next,
                wait.map_or(0, millis)
            ),
            Self::Done(result) => write!(f, "Done: {}", result),
        }
    }
}

impl Format for Activated {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{} ", self.before().to_ref());
        version(f, self.old_version());
        write!(f, " -> ");
        version(f, self.new_version());
        write!(
            f,
            " (PRIME x{=u32}, ACTIVATE x{=u32}, {=usize} CPUs, {=usize} reset)",
            self.prime_rounds(),
            self.activate_rounds(),
            self.cpus(),
            self.cpus_reset()
        );
    }
}

impl Format for Error {
    /// The variant, then what the accessors give: call, component, status,
    /// cancel outcome.
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{=str}", self.detail().kind());
        if let Some(call) = self.call() {
            write!(f, " call=");
            function(f, call);
        }
        if let Some(component) = self.component() {
            write!(f, " component={}", component);
        }
        if let Some(s) = self.status() {
            write!(f, " status=");
            status(f, s);
        }
        if let Some(cancel) = self.cancel() {
            write!(f, " cancel={}", cancel);
        }
    }
}

impl ErrorDetail {
    /// The variant's name.
    const fn kind(&self) -> &'static str {
        match self {
            Self::NoAgent { .. } => "NoAgent",
            Self::UnsupportedVersion { .. } => "UnsupportedVersion",
            Self::SmcccVersion { .. } => "SmcccVersion",
            Self::MissingFunction { .. } => "MissingFunction",
            Self::Firmware { .. } => "Firmware",
            Self::InventoryFailed { .. } => "InventoryFailed",
            Self::Malformed { .. } => "Malformed",
            Self::AbsurdCount { .. } => "AbsurdCount",
            Self::StaleComponent { .. } => "StaleComponent",
            Self::ComponentGone { .. } => "ComponentGone",
            Self::ComponentMoved { .. } => "ComponentMoved",
            Self::NotCapable { .. } => "NotCapable",
            Self::NotPending { .. } => "NotPending",
            Self::PrimeFailed { .. } => "PrimeFailed",
            Self::ActivateFailed { .. } => "ActivateFailed",
            Self::Timeout { .. } => "Timeout",
            Self::RendezvousRequired { .. } => "RendezvousRequired",
            Self::CpuResetWithoutEntryPoint { .. } => "CpuResetWithoutEntryPoint",
            Self::RendezvousFailed { .. } => "RendezvousFailed",
            Self::RendezvousDisagreement { .. } => "RendezvousDisagreement",
            Self::StaleOperation => "StaleOperation",
            Self::PendingNeverClears { .. } => "PendingNeverClears",
        }
    }
}
