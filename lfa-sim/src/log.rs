// SPDX-License-Identifier: MIT OR Apache-2.0
//! The call log: every request the agent answered, with its response.

use lfa_proto::{FunctionId, Regs, regs::as_signed};

/// One answered call: the registers as the caller sent them and as the agent
/// returned them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallRecord {
    /// x0..x17 as sent.
    pub request: Regs,
    /// x0..x17 as returned.
    pub response: Regs,
}

impl CallRecord {
    const EMPTY: Self = Self {
        request: Regs::ZERO,
        response: Regs::ZERO,
    };

    /// The LFA function called, if x0 of the request was one.
    #[must_use]
    pub fn function(&self) -> Option<FunctionId> {
        FunctionId::try_from(self.request.x[0]).ok()
    }

    /// x0 of the response as a signed value (the status of most calls).
    #[must_use]
    pub const fn status(&self) -> i64 {
        as_signed(self.response.x[0])
    }
}

/// A fixed-capacity log of the calls an agent answered, in the order they
/// were answered.
///
/// **When full** it keeps the first `L` records and drops later ones, counting
/// them: [`CallLog::total`] is every call answered since the last
/// [`CallLog::clear`], [`CallLog::len`] the records kept, [`CallLog::dropped`]
/// the difference. Keeping the first records means a test still sees the
/// beginning of a sequence exactly, and can tell from `dropped` that it was
/// longer than the log.
///
/// The order is the order of *answers*: a CPU waiting in a rendezvous is
/// logged when it leaves the holding pen, after the CPU that released it.
///
/// ```
/// use lfa_proto::{FunctionId, Regs};
/// use lfa_sim::CallLog;
///
/// let mut log = CallLog::<2>::new();
/// for _ in 0..3 {
///     log.push(Regs::with_x0(FunctionId::Version.to_x0()), Regs::with_x0(0x1_0000));
/// }
/// assert_eq!((log.len(), log.total(), log.dropped()), (2, 3, 1));
/// assert_eq!(log.count(FunctionId::Version), 2);
/// assert_eq!(log.get(0).map(|r| r.status()), Some(0x1_0000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallLog<const L: usize> {
    records: [CallRecord; L],
    len: usize,
    total: u64,
}

impl<const L: usize> Default for CallLog<L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const L: usize> CallLog<L> {
    /// An empty log.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            records: [CallRecord::EMPTY; L],
            len: 0,
            total: 0,
        }
    }

    /// Records one call (or only counts it when the log is full).
    pub fn push(&mut self, request: Regs, response: Regs) {
        if let Some(slot) = self.records.get_mut(self.len) {
            *slot = CallRecord { request, response };
            self.len += 1;
        }
        self.total = self.total.saturating_add(1);
    }

    /// The records kept.
    #[must_use]
    pub fn records(&self) -> &[CallRecord] {
        self.records.get(..self.len).unwrap_or(&[])
    }

    /// Record `index` (0 = the first call), if it was kept.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<&CallRecord> {
        self.records().get(index)
    }

    /// The last record kept.
    #[must_use]
    pub fn last(&self) -> Option<&CallRecord> {
        self.records().last()
    }

    /// The records kept, oldest first.
    pub fn iter(&self) -> core::slice::Iter<'_, CallRecord> {
        self.records().iter()
    }

    /// How many records are kept (at most `L`).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether no record is kept.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The capacity, `L`.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        L
    }

    /// Every call answered since the log was created or cleared, kept or not.
    #[must_use]
    pub const fn total(&self) -> u64 {
        self.total
    }

    /// Calls answered but not kept because the log was full.
    #[must_use]
    pub fn dropped(&self) -> u64 {
        // `len` <= L fits in u64 on every target Rust supports.
        self.total
            .saturating_sub(u64::try_from(self.len).unwrap_or(u64::MAX))
    }

    /// How many kept records called `function`.
    #[must_use]
    pub fn count(&self, function: FunctionId) -> usize {
        self.iter()
            .filter(|r| r.function() == Some(function))
            .count()
    }

    /// Forgets every record and resets the counts.
    pub fn clear(&mut self) {
        self.len = 0;
        self.total = 0;
    }
}

impl<'a, const L: usize> IntoIterator for &'a CallLog<L> {
    type Item = &'a CallRecord;
    type IntoIter = core::slice::Iter<'a, CallRecord>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
