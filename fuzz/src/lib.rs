// SPDX-License-Identifier: MIT OR Apache-2.0
//! Helpers shared by the fuzz targets: reading fuzzer bytes as values.

use lfa_proto::Regs;

/// Reads values from the fuzzer's bytes; past the end every value is 0, so
/// any input (even empty) is a complete test case.
pub struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    /// Reads from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The next byte.
    pub fn u8(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    /// The next 8 bytes, little-endian.
    pub fn u64(&mut self) -> u64 {
        let mut v = [0u8; 8];
        for b in &mut v {
            *b = self.u8();
        }
        u64::from_le_bytes(v)
    }

    /// A register value: a byte chooses a small number, a status, a boundary
    /// or 8 raw bytes, so that short inputs reach interesting values.
    pub fn reg(&mut self) -> u64 {
        match self.u8() {
            0..=63 => u64::from(self.u8() % 8),
            64..=95 => (-(i64::from(self.u8() % 16))) as u64,
            96..=103 => u64::from(u32::MAX),
            104..=111 => u64::MAX,
            112..=119 => 0xC400_02E0 + u64::from(self.u8() % 8),
            _ => self.u64(),
        }
    }

    /// A whole register block.
    pub fn regs(&mut self) -> Regs {
        let mut regs = Regs::ZERO;
        for r in &mut regs.x {
            *r = self.reg();
        }
        regs
    }

    /// Up to `max` bytes.
    pub fn take(&mut self, max: usize) -> &'a [u8] {
        let n = usize::from(self.u8()).min(max).min(self.bytes.len());
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        head
    }
}
