// SPDX-License-Identifier: MIT OR Apache-2.0
//! The catalogue of checks, and what they share.
//!
//! Checks run in catalogue order; each has an id, a title, the rule it checks
//! (a section of `docs/protocol.md`, the project's register-level reference, or
//! of SMCCC), and a group that says what it does to the agent:
//!
//! - **read**: only VERSION, FEATURES, GET_INFO, GET_INVENTORY and
//!   unassigned function IDs; always run;
//! - **prime**: also PRIME, CANCEL and ACTIVATE calls that a correct agent
//!   refuses; nothing is activated by a correct agent (skipped with
//!   `no-prime`);
//! - **activate**: starts the secondaries and really activates firmware
//!   (run only with `activate`);
//! - **final**: judges every call made during the run (register hygiene).
//!
//! Verdicts: PASS; WARN, a deviation a careful client copes with (the detail
//! says how); FAIL, a deviation that breaks clients; SKIP, not run (the
//! detail says why). Checks pick the components they need from the
//! inventory (capable, pending, rendezvous required or optional) and SKIP
//! when there is none.

mod activation;
mod discovery;
mod hygiene;
mod inventory;
mod state_machine;

use core::fmt;

use lfa_proto::regs::as_signed;
use lfa_proto::{FunctionId, InventoryFlags, LfaError, Regs, Uuid, components};
use lfa_smccc::Conduit;

use crate::options::Options;
use crate::outcome;
use crate::probe::PROBE;
use crate::report::{self, Outcome};
use crate::topology::Topology;

/// Entries of the inventory the checks keep (more are counted, not read).
pub const MAX_ENTRIES: usize = 32;

/// What a check does to the agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Read-only calls.
    Read,
    /// PRIME / CANCEL, and ACTIVATE that a correct agent refuses.
    Prime,
    /// Starts CPUs and activates firmware.
    Activate,
    /// Judges the whole run.
    Final,
}

/// One check of the catalogue.
pub struct Check {
    /// Stable identifier (`AREA-NN`).
    pub id: &'static str,
    /// What it checks, in a few words.
    pub title: &'static str,
    /// The rule and where it is written.
    pub rule: &'static str,
    /// What it does to the agent.
    pub group: Group,
    /// The check.
    pub run: fn(&mut Ctx<'_>) -> Outcome,
}

/// The catalogue, in run order.
pub const CATALOGUE: &[Check] = &[
    discovery::SMCCC_01,
    discovery::DISC_01,
    discovery::DISC_02,
    discovery::FEAT_01,
    discovery::FEAT_02,
    discovery::FUNC_01,
    discovery::INFO_01,
    discovery::INFO_02,
    state_machine::PRM_01,
    inventory::INV_01,
    inventory::INV_02,
    inventory::INV_03,
    inventory::INV_04,
    inventory::INV_05,
    inventory::INV_06,
    state_machine::PRM_02,
    state_machine::PRM_03,
    state_machine::PRM_04,
    state_machine::PRM_08,
    state_machine::PRM_05,
    state_machine::PRM_06,
    state_machine::PRM_07,
    state_machine::CAN_01,
    state_machine::CAN_02,
    state_machine::CAN_03,
    state_machine::ACT_01,
    state_machine::ACT_02,
    state_machine::ACT_03,
    state_machine::ACT_04,
    state_machine::ACT_05,
    activation::CPU_01,
    activation::ACT_10,
    activation::ACT_11,
    activation::CAN_06,
    activation::ACT_12,
    activation::CAN_05,
    activation::ACT_13,
    activation::CAN_04,
    activation::ACT_14,
    activation::CAN_07,
    activation::ACT_15,
    hygiene::HYG_01,
    hygiene::HYG_02,
    hygiene::HYG_03,
];

/// One inventory entry as GET_INVENTORY returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The id it was read at.
    pub seq_id: u32,
    /// x1:x2.
    pub uuid: Uuid,
    /// x3, reserved bits kept.
    pub flags: InventoryFlags,
    /// x4.
    pub current: u64,
    /// x5.
    pub pending: u64,
}

impl Entry {
    /// activation_capable and activation_pending.
    #[must_use]
    pub fn activatable(&self) -> bool {
        self.flags.is_activatable()
    }

    /// cpu_rendezvous_optional clear.
    #[must_use]
    pub fn rendezvous_required(&self) -> bool {
        self.flags.rendezvous_required()
    }

    /// For messages: the well-known name or the UUID, and the id.
    #[must_use]
    pub fn name(&self) -> Name {
        Name(*self)
    }
}

/// An entry's name for messages.
pub struct Name(Entry);

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match components::known_component(self.0.uuid) {
            Some(known) => write!(f, "{} (#{})", known.name, self.0.seq_id),
            None => write!(f, "{} (#{})", self.0.uuid, self.0.seq_id),
        }
    }
}

/// A status value for messages: `-8 INVALID_PARAMETERS`, `0 SUCCESS`,
/// `-35 (not an LFA status)`.
pub struct S(pub i64);

impl fmt::Display for S {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match LfaError::from_code(self.0) {
            None => f.write_str("0 SUCCESS"),
            Some(LfaError::Unknown(code)) if code > 0 => write!(f, "{code:#x} (not a status)"),
            Some(LfaError::Unknown(code)) => write!(f, "{code} (not an LFA status)"),
            Some(e) => write!(f, "{} {}", e.code(), e.name()),
        }
    }
}

/// x0 of a result as a status.
#[must_use]
pub fn status(regs: &Regs) -> i64 {
    as_signed(regs.x[0])
}

/// Whether x1 bit 0 (CALL_AGAIN) is set.
#[must_use]
pub fn call_again(regs: &Regs) -> bool {
    regs.x[1] & 1 != 0
}

/// A call: the registers sent and returned.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// x0..x17 as sent (x6..x17 the probe's sentinels).
    pub sent: Regs,
    /// x0..x17 returned.
    pub got: Regs,
}

impl Call {
    /// x0 as a status.
    #[must_use]
    pub fn status(&self) -> i64 {
        status(&self.got)
    }
}

/// Sends `x0` with x1..x4 as given (everything else zero) through the probe.
pub fn send(x0: u64, args: [u64; 4]) -> Call {
    let mut sent = Regs::with_x0(x0);
    let [x1, x2, x3, x4] = args;
    sent.x[1] = x1;
    sent.x[2] = x2;
    sent.x[3] = x3;
    sent.x[4] = x4;
    let (sent, got) = PROBE.exchange(&sent);
    Call { sent, got }
}

/// An LFA call with x1 (everything else zero).
pub fn lfa(function: FunctionId, x1: u64) -> Call {
    send(function.to_x0(), [x1, 0, 0, 0])
}

/// How a CALL_AGAIN loop ended.
#[derive(Clone, Copy, Debug)]
pub struct Loop {
    /// The last call.
    pub last: Call,
    /// Calls made.
    pub rounds: u32,
    /// Still CALL_AGAIN when the bound was reached.
    pub out_of_rounds: bool,
}

impl Loop {
    /// x0 of the last call.
    #[must_use]
    pub fn status(&self) -> i64 {
        self.last.status()
    }

    /// SUCCESS with CALL_AGAIN clear.
    #[must_use]
    pub fn done(&self) -> bool {
        self.status() == 0 && !self.out_of_rounds
    }
}

/// Everything checks share: options, what earlier checks found.
pub struct Ctx<'a> {
    /// The image's options.
    pub options: &'a Options,
    /// The level the image runs at.
    pub el: u64,
    /// The boot CPU's MPIDR.
    pub mpidr: u64,
    /// LFA_VERSION answered with a version.
    pub agent: bool,
    /// The inventory as last read.
    pub entries: [Option<Entry>; MAX_ENTRIES],
    /// The count GET_INFO last returned.
    pub count: Option<u32>,
    /// Whether GET_INVENTORY writes x4/x5 (INV-04), once known.
    pub versions: Option<bool>,
    /// The component the last completed activation was of, and its id then.
    pub last_activated: Option<Entry>,
    /// Whether the activation checks started the secondaries.
    pub cpus_started: bool,
    /// The secondaries the platform describes.
    pub topology: &'a Topology,
}

impl Ctx<'_> {
    /// `LFA_PRIME(seq_id)` until CALL_AGAIN is clear, an error, or the bound.
    pub fn prime(&self, seq_id: u32) -> Loop {
        self.repeat(&lfa(FunctionId::Prime, u64::from(seq_id)).sent)
    }

    /// Primes `entry` as [`Ctx::prime`] does; if that does not end in
    /// SUCCESS, cancels it and gives the SKIP for the caller to return:
    /// "`<name>` could not be primed (`<status>`)`<note>`".
    // No heap: the outcome travels by value, once per check.
    #[allow(clippy::result_large_err)]
    pub fn prime_or_skip(&self, entry: &Entry, note: &str) -> Result<Loop, Outcome> {
        let prime = self.prime(entry.seq_id);
        if !prime.done() {
            let _ = self.cancel(entry.seq_id);
            return Err(outcome!(
                Skip,
                "{} could not be primed ({}){note}",
                entry.name(),
                S(prime.status())
            ));
        }
        Ok(prime)
    }

    /// Sends `sent` until CALL_AGAIN is clear, an error, or the bound
    /// (`rounds` option), the same registers every time, `retry-ms` apart.
    pub fn repeat(&self, sent: &Regs) -> Loop {
        let mut rounds = 0;
        loop {
            if rounds > 0 {
                crate::time::delay_ms(self.options.retry_ms);
            }
            let (with_sentinels, got) = PROBE.exchange(sent);
            rounds += 1;
            let last = Call {
                sent: with_sentinels,
                got,
            };
            if status(&got) != 0 || !call_again(&got) {
                return Loop {
                    last,
                    rounds,
                    out_of_rounds: false,
                };
            }
            if rounds >= self.options.rounds {
                return Loop {
                    last,
                    rounds,
                    out_of_rounds: true,
                };
            }
        }
    }

    /// `LFA_CANCEL(seq_id)`.
    pub fn cancel(&self, seq_id: u32) -> Call {
        lfa(FunctionId::Cancel, u64::from(seq_id))
    }

    /// Reads GET_INFO and every entry (up to [`MAX_ENTRIES`]).
    ///
    /// # Errors
    ///
    /// A FAIL outcome naming the call that failed.
    // No heap: the FAIL outcome travels by value, once per check.
    #[allow(clippy::result_large_err)]
    pub fn refresh(&mut self) -> Result<u32, Outcome> {
        let info = lfa(FunctionId::GetInfo, 0);
        if info.status() != 0 {
            return Err(
                outcome!(Fail, "LFA_GET_INFO(0) failed: {}", S(info.status())).with(
                    format_args!("LFA_GET_INFO(0)"),
                    &info.sent,
                    &info.got,
                ),
            );
        }
        let count = u32::try_from(info.got.x[1]).unwrap_or(u32::MAX);
        self.count = Some(count);
        self.entries = [None; MAX_ENTRIES];
        for (seq_id, slot) in (0..count).zip(self.entries.iter_mut()) {
            let call = lfa(FunctionId::GetInventory, u64::from(seq_id));
            if call.status() != 0 {
                return Err(outcome!(
                    Fail,
                    "LFA_GET_INVENTORY({seq_id}) of {count} components failed: {}",
                    S(call.status())
                )
                .with(
                    format_args!("LFA_GET_INVENTORY({seq_id})"),
                    &call.sent,
                    &call.got,
                ));
            }
            let [_, x1, x2, x3, x4, x5, ..] = call.got.x;
            *slot = Some(Entry {
                seq_id,
                uuid: lfa_proto::uuid_from_regs(x1, x2),
                flags: InventoryFlags::from_bits_retain(x3),
                current: x4,
                pending: x5,
            });
        }
        Ok(count)
    }

    /// The entries read, in id order.
    pub fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.entries.iter().flatten().copied()
    }

    /// The first entry that satisfies `want`, other than `not`.
    pub fn pick(&self, want: impl Fn(&Entry) -> bool, not: &[Uuid]) -> Option<Entry> {
        self.entries().find(|e| want(e) && !not.contains(&e.uuid))
    }

    /// The entry with `uuid`, as last read.
    pub fn by_uuid(&self, uuid: Uuid) -> Option<Entry> {
        self.entries().find(|e| e.uuid == uuid)
    }
}

/// A check's SKIP for a missing kind of component.
#[must_use]
pub fn none_to(what: &str) -> Outcome {
    outcome!(Skip, "the agent lists no {what}")
}

/// Runs the catalogue and prints the summary; whether no check failed.
pub fn run(options: &Options, el: u64, mpidr: u64, topology: &Topology) -> bool {
    let mut ctx = Ctx {
        options,
        el,
        mpidr,
        agent: false,
        entries: [None; MAX_ENTRIES],
        count: None,
        versions: None,
        last_activated: None,
        cpus_started: false,
        topology,
    };
    report::info(
        "scope",
        format_args!(
            "read-only checks{}{}",
            if options.prime {
                ", PRIME/CANCEL checks"
            } else {
                " only (no-prime)"
            },
            if options.activate && options.prime {
                ", activation checks (activate)"
            } else {
                "; activation checks skipped (add `activate` to run them)"
            }
        ),
    );
    for check in CATALOGUE {
        let outcome = if !ctx.agent
            && check.id != discovery::SMCCC_01.id
            && check.id != discovery::DISC_01.id
        {
            outcome!(Skip, "no LFA agent (see DISC-01)")
        } else {
            match check.group {
                Group::Prime if !options.prime => outcome!(Skip, "no-prime: read-only run"),
                Group::Activate if !options.prime || !options.activate => {
                    outcome!(
                        Skip,
                        "activates firmware: runs only with the `activate` option"
                    )
                }
                _ => (check.run)(&mut ctx),
            }
        };
        report::record(check.id, check.title, check.rule, &outcome);
    }
    report::summary()
}

/// The conduit as a trait object (for `lfa_smccc` helpers).
#[must_use]
pub fn conduit() -> &'static dyn Conduit {
    &PROBE
}
