// SPDX-License-Identifier: MIT OR Apache-2.0
//! The message templates of the lfa crates' `Display` impls (for lfa-smccc
//! and lfa-client of the same release, which depend on this exact version;
//! not a stable API): text with holes `{x}`, each written by
//! the value's own code, and one number writer instead of a formatter per
//! integer type, so that an image which prints its errors stays small.
//!
//! Nothing here reads the `Formatter`'s flags or width: a message is the
//! same text however it is formatted.

use core::fmt::{Formatter, Result, Write};

/// A value whose message is a template: it writes the template's holes.
pub trait Holes {
    /// Writes the hole `{hole}` (the byte between the braces).
    fn write_hole(&self, f: &mut Formatter<'_>, hole: u8) -> Result;
}

/// Writes `template`, each `{x}` in it by `holes` (with `x`).
#[inline(never)]
pub fn write(f: &mut Formatter<'_>, template: &str, holes: &dyn Holes) -> Result {
    let mut rest = template;
    while let Some(at) = rest.bytes().position(|b| b == b'{') {
        let (text, hole) = rest.split_at_checked(at).unwrap_or((rest, ""));
        f.write_str(text)?;
        // `hole` is "{x}…": the hole's byte, then the rest of the text.
        let (name, after) = hole.split_at_checked(3).unwrap_or(("", ""));
        holes.write_hole(f, name.as_bytes().get(1).copied().unwrap_or_default())?;
        rest = after;
    }
    f.write_str(rest)
}

/// Writes `prefix`, then `value` in decimal, or in lowercase hexadecimal if
/// `hex`, with at least `digits` digits (zero-padded).
#[inline(never)]
pub fn write_number(
    f: &mut Formatter<'_>,
    prefix: &str,
    value: u64,
    hex: bool,
    digits: usize,
) -> Result {
    f.write_str(prefix)?;
    let radix: u64 = if hex { 16 } else { 10 };
    // The power of the radix of the first digit written.
    let mut power: u64 = 1;
    let mut width = 1;
    while width < digits || value.checked_div(power).unwrap_or_default() >= radix {
        power = power.wrapping_mul(radix);
        width += 1;
    }
    loop {
        #[allow(clippy::cast_possible_truncation)] // below 16
        let digit = (value.checked_div(power).unwrap_or_default() % radix) as u8;
        let ascii = if digit < 10 {
            b'0' + digit
        } else {
            b'a' - 10 + digit
        };
        f.write_char(char::from(ascii))?;
        if power < radix {
            return Ok(());
        }
        power /= radix;
    }
}

/// Writes `value` in decimal.
pub fn write_decimal(f: &mut Formatter<'_>, value: u64) -> Result {
    write_number(f, "", value, false, 1)
}

/// Writes `value` in hexadecimal with `0x`, as `{:#x}` does.
pub fn write_hex(f: &mut Formatter<'_>, value: u64) -> Result {
    write_number(f, "0x", value, true, 1)
}

/// Writes `value` in decimal with its sign, as `{}` of an `i64` does.
pub fn write_signed(f: &mut Formatter<'_>, value: i64) -> Result {
    let sign = if value < 0 { "-" } else { "" };
    write_number(f, sign, value.unsigned_abs(), false, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};

    struct Number(u64, bool, usize);
    impl core::fmt::Display for Number {
        fn fmt(&self, f: &mut Formatter<'_>) -> Result {
            write_number(f, "", self.0, self.1, self.2)
        }
    }

    struct Signed(i64);
    impl core::fmt::Display for Signed {
        fn fmt(&self, f: &mut Formatter<'_>) -> Result {
            write_signed(f, self.0)
        }
    }

    #[test]
    fn numbers_are_written_as_core_writes_them() {
        for value in [
            0,
            1,
            9,
            10,
            15,
            16,
            255,
            0xC400_02E0,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(Number(value, false, 1).to_string(), std::format!("{value}"));
            assert_eq!(
                Number(value, true, 1).to_string(),
                std::format!("{value:x}")
            );
            assert_eq!(
                Number(value, true, 2).to_string(),
                std::format!("{value:02x}")
            );
            assert_eq!(
                Number(value, false, 3).to_string(),
                std::format!("{value:03}")
            );
        }
        for value in [i64::MIN, -35, -1, 0, 1, i64::MAX] {
            assert_eq!(Signed(value).to_string(), std::format!("{value}"));
        }
    }

    #[test]
    fn holes_are_filled_in_order() {
        struct Letters;
        impl Holes for Letters {
            fn write_hole(&self, f: &mut Formatter<'_>, hole: u8) -> Result {
                write_hex(f, u64::from(hole))
            }
        }
        struct Template(&'static str);
        impl core::fmt::Display for Template {
            fn fmt(&self, f: &mut Formatter<'_>) -> Result {
                write(f, self.0, &Letters)
            }
        }
        assert_eq!(Template("a {a} b {b}").to_string(), "a 0x61 b 0x62");
        assert_eq!(Template("{a}{b}").to_string(), "0x610x62");
        assert_eq!(Template("no holes").to_string(), "no holes");
        // Flags and width do not reach the text.
        let padded: String = std::format!("{:>30}", Template("{a}"));
        assert_eq!(padded, "0x61");
    }
}
