//! The image's options: words from `LFA_CONFORMANCE_ARGS` (build time), then
//! from the semihosting command line (later words win).
//!
//! | Word | Meaning (default) |
//! |---|---|
//! | `conduit=smc` / `conduit=hvc` | instruction that reaches the agent and PSCI (`smc`) |
//! | `activate` | also run the checks that really activate firmware (off) |
//! | `no-prime` | read-only: skip every check that sends PRIME, ACTIVATE or CANCEL |
//! | `cpus=N` | start at most N CPUs in all, the boot CPU included (8) |
//! | `mpidrs=A,B,...` | MPIDRs (hex) to start with `CPU_ON`, instead of Aff0 = 0, 1, 2, ... |
//! | `rounds=N` | bound of every CALL_AGAIN loop (1000) |
//! | `retry-ms=N` | pause between two tries of a CALL_AGAIN loop, in ms (1; never inside a rendezvous) |
//! | `wait-ms=N` | bound of every wait for another CPU, in ms (2000) |
//!
//! Other words are listed as ignored (the QEMU firmware's `profile=...`
//! shares the command line).

use lfa_smccc::Method;

use crate::cpus::MAX_CPUS;

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
    /// How many of `mpidrs` are set (0: sweep Aff0).
    pub mpidr_count: usize,
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
        rounds: 1000,
        retry_ms: 1,
        wait_ms: 2000,
        ignored: 0,
    };

    /// Applies the space-separated words of `line`.
    pub fn apply(&mut self, line: &[u8]) {
        for word in line.split(|&b| b == b' ' || b == b'\n' || b == b'\t') {
            if !word.is_empty() && !self.word(word) {
                self.ignored += 1;
            }
        }
    }

    /// Applies one word; `false` if it is not an option of the image.
    fn word(&mut self, word: &[u8]) -> bool {
        let (key, value) = match word.iter().position(|&b| b == b'=') {
            Some(at) => (word.get(..at).unwrap_or_default(), word.get(at + 1..)),
            None => (word, None),
        };
        match (key, value) {
            (b"activate", None) => self.activate = true,
            (b"no-prime", None) => self.prime = false,
            (b"conduit", Some(b"smc")) => self.conduit = Method::Smc,
            (b"conduit", Some(b"hvc")) => self.conduit = Method::Hvc,
            (b"cpus", Some(v)) => match number(v) {
                Some(n) => self.cpus = usize::try_from(n).unwrap_or(MAX_CPUS).clamp(1, MAX_CPUS),
                None => return false,
            },
            (b"rounds", Some(v)) => match number(v).and_then(|n| u32::try_from(n).ok()) {
                Some(n) => self.rounds = n.max(1),
                None => return false,
            },
            (b"retry-ms", Some(v)) => match number(v) {
                Some(n) => self.retry_ms = n,
                None => return false,
            },
            (b"wait-ms", Some(v)) => match number(v) {
                Some(n) => self.wait_ms = n.max(1),
                None => return false,
            },
            (b"mpidrs", Some(v)) => {
                self.mpidr_count = 0;
                for (slot, item) in self.mpidrs.iter_mut().zip(v.split(|&b| b == b',')) {
                    match number(item) {
                        Some(mpidr) => {
                            *slot = mpidr;
                            self.mpidr_count += 1;
                        }
                        None => return false,
                    }
                }
            }
            _ => return false,
        }
        true
    }
}

/// A decimal or `0x` hexadecimal number.
fn number(text: &[u8]) -> Option<u64> {
    let text = core::str::from_utf8(text).ok()?;
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
