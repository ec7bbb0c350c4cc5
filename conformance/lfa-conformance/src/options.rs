// SPDX-License-Identifier: MIT OR Apache-2.0
//! The image's options: words from `LFA_CONFORMANCE_ARGS` (build time), then
//! from the semihosting command line (later words win).
//!
//! | Word | Meaning (default) |
//! |---|---|
//! | `conduit=smc` / `conduit=hvc` | instruction that reaches the agent and PSCI (`smc`) |
//! | `activate` | also run the checks that really activate firmware (off) |
//! | `no-prime` | read-only: skip every check that sends PRIME, ACTIVATE or CANCEL |
//! | `cpus=N` | run at most N CPUs in all, the boot CPU included (8); without a device tree or `mpidrs=`, start Aff0 = 0..N-1 |
//! | `mpidrs=A,B,...` | MPIDRs (hex) to start with `CPU_ON`, instead of those of the device tree |
//! | `dtb=ADDR` / `dtb=none` | where the device tree is (default: x0 at entry, then the base of RAM) / use none |
//! | `rounds=N` | bound of every CALL_AGAIN loop (1000) |
//! | `retry-ms=N` | pause between two tries of a CALL_AGAIN loop, in ms (1; never inside a rendezvous) |
//! | `wait-ms=N` | bound of every wait for another CPU, in ms (2000) |
//!
//! Every word is printed with what it did; a word that is not an option
//! is a notice (the QEMU firmware's `profile=...` shares the command line).
//! The first semihosting word is the image path only when it looks like one
//! (a `/` or a `.`, no `=`): QEMU puts the `-kernel` path first, while
//! `-semihosting-config arg=...` passes exactly the words given.

use lfa_smccc::Method;

use crate::cpus::MAX_CPUS;
use crate::report;

/// Parsed options.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The conduit.
    pub conduit: Method,
    /// Run the activation checks.
    pub activate: bool,
    /// Run the checks that prime and cancel (not `no-prime`).
    pub prime: bool,
    /// CPUs to run in all (1..=[`MAX_CPUS`]).
    pub cpus: usize,
    /// Explicit MPIDRs of the secondaries, `mpidr_count` of them.
    pub mpidrs: [u64; MAX_CPUS],
    /// How many of `mpidrs` are set (0: from the device tree).
    pub mpidr_count: usize,
    /// Whether `cpus=` was given (then, without a device tree or
    /// `mpidrs=`, Aff0 = 0..N-1 are started).
    pub cpus_given: bool,
    /// `dtb=`: where to look for the device tree.
    pub dtb: Dtb,
    /// CALL_AGAIN bound.
    pub rounds: u32,
    /// Pause between CALL_AGAIN tries (ms).
    pub retry_ms: u64,
    /// Bound of waits for other CPUs (ms).
    pub wait_ms: u64,
    /// Words not understood.
    pub ignored: u32,
}

impl Options {
    /// The defaults.
    pub const DEFAULT: Self = Self {
        conduit: Method::Smc,
        activate: false,
        prime: true,
        cpus: MAX_CPUS,
        mpidrs: [0; MAX_CPUS],
        mpidr_count: 0,
        cpus_given: false,
        dtb: Dtb::Auto,
        rounds: 1000,
        retry_ms: 1,
        wait_ms: 2000,
        ignored: 0,
    };

    /// Applies the space-separated words of `line` (from `source`), printing
    /// each with what it did if `print`. With `path_first`, a first word that looks
    /// like a file path is taken as the image path QEMU put there.
    pub fn apply(&mut self, line: &[u8], source: &str, path_first: bool, print: bool) {
        let words = line
            .split(|&b| b == b' ' || b == b'\n' || b == b'\t' || b == 0)
            .filter(|w| !w.is_empty());
        for (index, word) in words.enumerate() {
            let shown = core::str::from_utf8(word).unwrap_or("(not UTF-8)");
            if index == 0 && path_first && looks_like_path(word) {
                if !print {
                    continue;
                }
                report::info(
                    "option",
                    format_args!("`{shown}` ({source}): the image path, not an option"),
                );
                continue;
            }
            match self.word(word) {
                Some(_) if !print => {}
                Some(effect) => {
                    report::info("option", format_args!("`{shown}` ({source}): {effect}"));
                }
                None => {
                    self.ignored += 1;
                    if !print {
                        continue;
                    }
                    report::info(
                        "notice",
                        format_args!(
                            "`{shown}` ({source}) is not an option of this image, or its value is malformed: ignored (the firmware's words share the line)"
                        ),
                    );
                }
            }
        }
    }

    /// Applies one word: what it did, or `None` if it is not an option of
    /// the image (or its value is malformed).
    fn word(&mut self, word: &[u8]) -> Option<&'static str> {
        let (key, value) = match word.iter().position(|&b| b == b'=') {
            Some(at) => (word.get(..at).unwrap_or_default(), word.get(at + 1..)),
            None => (word, None),
        };
        let effect = match (key, value) {
            (b"activate", None) => {
                self.activate = true;
                "run the activation checks"
            }
            (b"no-prime", None) => {
                self.prime = false;
                "read-only run: no PRIME, ACTIVATE or CANCEL"
            }
            (b"conduit", Some(b"smc")) => {
                self.conduit = Method::Smc;
                "calls over smc"
            }
            (b"conduit", Some(b"hvc")) => {
                self.conduit = Method::Hvc;
                "calls over hvc"
            }
            (b"cpus", Some(v)) => {
                let n = number(v)?;
                self.cpus = usize::try_from(n).unwrap_or(MAX_CPUS).clamp(1, MAX_CPUS);
                self.cpus_given = true;
                "at most this many CPUs in all (capped to 1..=8)"
            }
            (b"rounds", Some(v)) => {
                self.rounds = number(v).and_then(|n| u32::try_from(n).ok())?.max(1);
                "bound of every CALL_AGAIN loop"
            }
            (b"retry-ms", Some(v)) => {
                self.retry_ms = number(v)?;
                "pause between CALL_AGAIN tries (ms)"
            }
            (b"wait-ms", Some(v)) => {
                self.wait_ms = number(v)?.max(1);
                "bound of every wait for another CPU (ms)"
            }
            (b"dtb", Some(b"none")) => {
                self.dtb = Dtb::None;
                "no device tree is read"
            }
            (b"dtb", Some(v)) => {
                self.dtb = Dtb::At(number(v)?);
                "the device tree is read at this address"
            }
            (b"mpidrs", Some(v)) => {
                let mut mpidrs = [0; MAX_CPUS];
                let mut count = 0;
                for item in v.split(|&b| b == b',') {
                    let slot = mpidrs.get_mut(count)?;
                    *slot = number(item)?;
                    count += 1;
                }
                self.mpidrs = mpidrs;
                self.mpidr_count = count;
                "the MPIDRs to start with CPU_ON (the device tree is not used)"
            }
            _ => return None,
        };
        Some(effect)
    }
}

/// Where the device tree is looked for (`dtb=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtb {
    /// x0 at entry, then the base of RAM (QEMU `virt`, TF-A's QEMU port).
    Auto,
    /// At this address.
    At(u64),
    /// Not at all.
    None,
}

/// A first word that names a file: a `/` or a `.`, and no `=`.
fn looks_like_path(word: &[u8]) -> bool {
    !word.contains(&b'=') && (word.contains(&b'/') || word.contains(&b'.'))
}

/// A decimal or `0x` hexadecimal number.
fn number(text: &[u8]) -> Option<u64> {
    let text = core::str::from_utf8(text).ok()?;
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
