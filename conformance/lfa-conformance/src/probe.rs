// SPDX-License-Identifier: MIT OR Apache-2.0
//! The conduit every call of the image goes through: it fills the registers
//! a call does not use with sentinels and judges, after every LFA call, what
//! the agent wrote (SMCCC 1.2 register hygiene).
//!
//! Before each call x6..x17 get values unique to the register and the call.
//! After an LFA call (any function ID 0xC40002E0..=0xC40002FF):
//!
//! - x6..x17 must come back as sent (SMCCC 1.2 section 2.7: registers that
//!   hold no result are preserved) — a violation fails `HYG-01`;
//! - x4 and x5 must come back as sent unless they are results, which they
//!   are only for a successful `LFA_GET_INVENTORY` — `HYG-02`;
//! - x1..x3 that the call does not define as results (all of them on an
//!   error, where only x0 is defined) must come back as sent or as zero:
//!   anything else leaks values of the agent — `HYG-03`.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use lfa_proto::regs::as_signed;
use lfa_proto::{FunctionId, Regs};
use lfa_smccc::{Conduit, Hvc, Method, Smc};

use crate::report::{Observed, Text};

/// First and last function ID judged as LFA (the 0x2E0 block of OEN 4).
const LFA_IDS: core::ops::RangeInclusive<u64> = 0xC400_02E0..=0xC400_02FF;

/// One kind of register violation: how many calls, and the first one.
#[derive(Clone, Copy, Debug, Default)]
pub struct Violations {
    /// Calls that broke the rule.
    pub calls: u32,
    /// The first of them: the register and the call.
    pub first: Option<(usize, Observed)>,
}

impl Violations {
    const NONE: Self = Self {
        calls: 0,
        first: None,
    };

    fn add(&mut self, reg: usize, sent: &Regs, got: &Regs) {
        self.calls = self.calls.saturating_add(1);
        if self.first.is_none() {
            let mut label = Text::new();
            let name =
                FunctionId::try_from(sent.x[0]).map_or("unassigned LFA ID", FunctionId::name);
            let _ =
                core::fmt::Write::write_fmt(&mut label, format_args!("{name} ({:#x})", sent.x[0]));
            self.first = Some((
                reg,
                Observed {
                    label,
                    sent: *sent,
                    got: *got,
                },
            ));
        }
    }
}

/// What the probe saw over the whole run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hygiene {
    /// LFA calls judged.
    pub calls: u32,
    /// x6..x17 changed.
    pub high: Violations,
    /// x4/x5 changed where they are no result.
    pub x4_x5: Violations,
    /// x1..x3 written with something other than the sent value or zero.
    pub low: Violations,
}

/// The probing conduit (one for the whole image, shared by every CPU).
pub struct Probe {
    hvc: AtomicBool,
    serial: AtomicU64,
    hygiene: spin::Mutex<Hygiene>,
}

/// The image's probe.
pub static PROBE: Probe = Probe {
    hvc: AtomicBool::new(false),
    serial: AtomicU64::new(0),
    hygiene: spin::Mutex::new(Hygiene {
        calls: 0,
        high: Violations::NONE,
        x4_x5: Violations::NONE,
        low: Violations::NONE,
    }),
};

impl Probe {
    /// Chooses the instruction.
    pub fn set_method(&self, method: Method) {
        self.hvc.store(method == Method::Hvc, Ordering::Release);
    }

    /// The instruction in use.
    #[must_use]
    pub fn method(&self) -> Method {
        if self.hvc.load(Ordering::Acquire) {
            Method::Hvc
        } else {
            Method::Smc
        }
    }

    /// Everything judged so far.
    #[must_use]
    pub fn hygiene(&self) -> Hygiene {
        *self.hygiene.lock()
    }

    fn judge(&self, sent: &Regs, got: &Regs) {
        let function = FunctionId::try_from(sent.x[0]).ok();
        let x0 = got.x[0];
        let success = match function {
            // VERSION returns the version in x0: success is bit 31 clear.
            Some(FunctionId::Version) => x0 >> 31 == 0,
            _ => as_signed(x0) == 0,
        };
        // Result registers besides x0, on success.
        let defined: &[usize] = match (function, success) {
            (Some(FunctionId::GetInfo), true) => &[1, 2],
            (Some(FunctionId::GetInventory), true) => &[1, 2, 3, 4, 5],
            (Some(FunctionId::Prime | FunctionId::Activate), true) => &[1],
            _ => &[],
        };
        let mut hygiene = self.hygiene.lock();
        hygiene.calls = hygiene.calls.saturating_add(1);
        if let Some(reg) = (6..18).find(|&n| sent.x.get(n) != got.x.get(n)) {
            hygiene.high.add(reg, sent, got);
        }
        if let Some(reg) = (4..6).find(|&n| !defined.contains(&n) && sent.x.get(n) != got.x.get(n))
        {
            hygiene.x4_x5.add(reg, sent, got);
        }
        if let Some(reg) = (1..4).find(|&n| {
            let (s, g) = (sent.x.get(n), got.x.get(n));
            !defined.contains(&n) && s != g && g != Some(&0)
        }) {
            hygiene.low.add(reg, sent, got);
        }
    }
}

impl Probe {
    /// Makes the call `args` (x6..x17 replaced by sentinels); returns the
    /// registers as sent and as returned.
    pub fn exchange(&self, args: &Regs) -> (Regs, Regs) {
        let serial = self.serial.fetch_add(1, Ordering::AcqRel) & 0xFF_FFFF_FFFF;
        let mut sent = *args;
        for (n, reg) in (6_u64..).zip(sent.x.iter_mut().skip(6)) {
            *reg = 0x5E00_0000_0000_0000 | (n << 48) | serial;
        }
        let got = match self.method() {
            Method::Smc => Smc.call(&sent),
            Method::Hvc => Hvc.call(&sent),
        };
        if LFA_IDS.contains(&sent.x[0]) {
            self.judge(&sent, &got);
        }
        (sent, got)
    }
}

impl Conduit for Probe {
    fn call(&self, args: &Regs) -> Regs {
        self.exchange(args).1
    }
}
