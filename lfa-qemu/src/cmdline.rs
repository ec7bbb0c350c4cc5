// SPDX-License-Identifier: MIT OR Apache-2.0
//! Options passed to an image: the runner turns cargo's arguments into QEMU's
//! `-append`, and the image reads them back with semihosting.
//!
//! `cargo test --test smc_flow -- break-check` runs the image with the word
//! `break-check` on its command line; [`has`] finds it.

/// Longest command line kept (the image path comes first).
const CAPACITY: usize = 512;

/// The command line and its length, read by CPU 0 during boot.
static LINE: spin::Mutex<([u8; CAPACITY], usize)> = spin::Mutex::new(([0; CAPACITY], 0));

/// Reads the command line through semihosting (the boot code calls this once,
/// on CPU 0, before the test body runs). An unreadable line counts as empty.
pub fn load() {
    let mut line = LINE.lock();
    let (buf, length) = &mut *line;
    *length = crate::semihosting::command_line(buf).unwrap_or(0);
}

/// Whether `word` is one of the space-separated words after the image path.
#[must_use]
pub fn has(word: &str) -> bool {
    let line = LINE.lock();
    let (buf, length) = &*line;
    buf.get(..*length)
        .unwrap_or_default()
        .split(|&b| b == b' ')
        .skip(1)
        .any(|w| w == word.as_bytes())
}

/// The decimal value of the first word `key=N` after the image path, or
/// `None` when there is none or `N` is not a decimal number.
#[must_use]
pub fn number(key: &str) -> Option<u64> {
    let line = LINE.lock();
    let (buf, length) = &*line;
    let value = buf
        .get(..*length)
        .unwrap_or_default()
        .split(|&b| b == b' ')
        .skip(1)
        .find_map(|w| w.strip_prefix(key.as_bytes())?.strip_prefix(b"="))?;
    core::str::from_utf8(value).ok()?.parse().ok()
}
