// SPDX-License-Identifier: MIT OR Apache-2.0
//! Verdicts, the text of a check's result, and the two report forms: one
//! human line per check (details indented under anything but PASS) and one
//! JSON object per line (`{"lfac":...}`) for scripts.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU32, Ordering};

use lfa_proto::Regs;

use crate::println;

/// A check's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The agent did what the rule says.
    Pass,
    /// The agent deviates from the rule in a way a careful client copes
    /// with (the detail says how).
    Warn,
    /// The agent breaks the rule in a way that breaks clients.
    Fail,
    /// Not run: an option left it out, or the agent lacks what it needs.
    Skip,
}

impl Verdict {
    /// `PASS`, `WARN`, `FAIL` or `SKIP`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Warn => "WARN",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
        }
    }
}

/// Text of fixed capacity; what does not fit is cut at a character boundary
/// and marked with `...`.
pub struct Text<const N: usize> {
    buf: [u8; N],
    len: usize,
    cut: bool,
}

impl<const N: usize> Text<N> {
    /// Empty text.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
            cut: false,
        }
    }

    /// The text so far.
    #[must_use]
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.get(..self.len).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or("(invalid text)")
    }

    /// Whether something was cut off.
    #[must_use]
    pub const fn was_cut(&self) -> bool {
        self.cut
    }
}

impl<const N: usize> Text<N> {
    /// The text of `args` (cut to fit).
    #[must_use]
    pub fn from_args(args: fmt::Arguments<'_>) -> Self {
        let mut text = Self::new();
        let _ = text.write_fmt(args);
        text
    }
}

impl<const N: usize> fmt::Display for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A call's label for [`Outcome::with`], kept by value (a stored
/// `format_args!` with placeholders needs a newer compiler than the MSRV).
#[macro_export]
macro_rules! label {
    ($($arg:tt)+) => {
        $crate::report::Text::<48>::from_args(format_args!($($arg)+))
    };
}

impl<const N: usize> Default for Text<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Write for Text<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let mut utf8 = [0; 4];
            let encoded = c.encode_utf8(&mut utf8).as_bytes();
            let end = self.len + encoded.len();
            match self.buf.get_mut(self.len..end) {
                Some(room) if end + 3 <= N => {
                    room.copy_from_slice(encoded);
                    self.len = end;
                }
                _ => {
                    if !self.cut {
                        self.cut = true;
                        if let Some(room) = self.buf.get_mut(self.len..self.len + 3) {
                            room.copy_from_slice(b"...");
                            self.len += 3;
                        }
                    }
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// The call a result shows: what was sent and what came back.
#[derive(Clone, Copy, Debug)]
pub struct Observed {
    /// Which call (for example `LFA_PRIME(#1)`).
    pub label: Text<48>,
    /// x0..x17 as sent.
    pub sent: Regs,
    /// x0..x17 as returned.
    pub got: Regs,
}

impl<const N: usize> Clone for Text<N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<const N: usize> Copy for Text<N> {}

impl<const N: usize> fmt::Debug for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// What one check found.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// What was seen, and for anything but PASS why it matters.
    pub detail: Text<480>,
    /// The call that decided the verdict, if one did.
    pub observed: Option<Observed>,
}

impl Outcome {
    /// An outcome with this verdict and detail.
    #[must_use]
    pub fn new(verdict: Verdict, detail: fmt::Arguments<'_>) -> Self {
        let mut text = Text::new();
        let _ = text.write_fmt(detail);
        Self {
            verdict,
            detail: text,
            observed: None,
        }
    }

    /// Attaches the call that decided the verdict.
    #[must_use]
    pub fn with(mut self, label: impl fmt::Display, sent: &Regs, got: &Regs) -> Self {
        let mut text = Text::new();
        let _ = write!(text, "{label}");
        self.observed = Some(Observed {
            label: text,
            sent: *sent,
            got: *got,
        });
        self
    }

    /// Attaches `observed` if there is one.
    #[must_use]
    pub fn with_observed(mut self, observed: Option<Observed>) -> Self {
        if observed.is_some() {
            self.observed = observed;
        }
        self
    }

    /// Appends more detail.
    pub fn add(&mut self, more: fmt::Arguments<'_>) {
        let _ = self.detail.write_fmt(more);
    }
}

/// `Outcome` with a verdict and `format!`-style detail.
#[macro_export]
macro_rules! outcome {
    ($verdict:ident, $($detail:tt)+) => {
        $crate::report::Outcome::new($crate::report::Verdict::$verdict, format_args!($($detail)+))
    };
}

static COUNTS: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];

fn slot(verdict: Verdict) -> usize {
    match verdict {
        Verdict::Pass => 0,
        Verdict::Warn => 1,
        Verdict::Fail => 2,
        Verdict::Skip => 3,
    }
}

/// Checks reported so far: (pass, warn, fail, skip).
#[must_use]
pub fn counts() -> (u32, u32, u32, u32) {
    let [p, w, f, s] = &COUNTS;
    (
        p.load(Ordering::Acquire),
        w.load(Ordering::Acquire),
        f.load(Ordering::Acquire),
        s.load(Ordering::Acquire),
    )
}

/// x0..x5 in hex, as the human report shows them.
struct Low(Regs);

impl fmt::Display for Low {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [x0, x1, x2, x3, x4, x5, ..] = self.0.x;
        write!(
            f,
            "x0={x0:#x} x1={x1:#x} x2={x2:#x} x3={x3:#x} x4={x4:#x} x5={x5:#x}"
        )
    }
}

/// A string as a JSON string literal.
struct Json<'a>(&'a str);

impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                c if u32::from(c) < 0x20 => write!(f, "\\u{:04x}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

/// x0..x17 as a JSON array of hex strings.
struct JsonRegs(Regs);

impl fmt::Display for JsonRegs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('[')?;
        for (n, r) in self.0.x.iter().enumerate() {
            if n > 0 {
                f.write_char(',')?;
            }
            write!(f, "\"{r:#x}\"")?;
        }
        f.write_char(']')
    }
}

/// Prints one check's result in both forms and counts it.
pub fn record(id: &str, title: &str, rule: &str, outcome: &Outcome) {
    if let Some(count) = COUNTS.get(slot(outcome.verdict)) {
        count.fetch_add(1, Ordering::AcqRel);
    }
    let verdict = outcome.verdict.name();
    let detail = outcome.detail.as_str();
    println!("[{verdict}] {id:<8} {title}: {detail}");
    if outcome.verdict != Verdict::Pass {
        println!("         rule: {rule}");
        if let Some(observed) = &outcome.observed {
            println!("         call: {}", observed.label.as_str());
            println!("         sent: {}", Low(observed.sent));
            println!("         got:  {}", Low(observed.got));
        }
    }
    match &outcome.observed {
        Some(observed) => println!(
            "{{\"lfac\":\"check\",\"id\":{},\"verdict\":\"{verdict}\",\"title\":{},\"rule\":{},\"detail\":{},\"call\":{},\"sent\":{},\"got\":{}}}",
            Json(id),
            Json(title),
            Json(rule),
            Json(detail),
            Json(observed.label.as_str()),
            JsonRegs(observed.sent),
            JsonRegs(observed.got),
        ),
        None => println!(
            "{{\"lfac\":\"check\",\"id\":{},\"verdict\":\"{verdict}\",\"title\":{},\"rule\":{},\"detail\":{}}}",
            Json(id),
            Json(title),
            Json(rule),
            Json(detail),
        ),
    }
}

/// Prints the summary in both forms; returns whether no check failed.
pub fn summary() -> bool {
    let (pass, warn, fail, skip) = counts();
    let result = if fail == 0 { "PASS" } else { "FAIL" };
    println!(
        "== lfa-conformance: {result}: {pass} pass, {warn} warn, {fail} fail, {skip} skip ({} checks)",
        pass + warn + fail + skip
    );
    println!(
        "{{\"lfac\":\"summary\",\"result\":\"{result}\",\"pass\":{pass},\"warn\":{warn},\"fail\":{fail},\"skip\":{skip}}}"
    );
    fail == 0
}

/// A human line and a JSON `info` record, for facts that are not checks.
pub fn info(key: &str, value: fmt::Arguments<'_>) {
    let mut text: Text<256> = Text::new();
    let _ = text.write_fmt(value);
    println!("-- {key}: {}", text.as_str());
    println!(
        "{{\"lfac\":\"info\",\"key\":{},\"value\":{}}}",
        Json(key),
        Json(text.as_str())
    );
}
