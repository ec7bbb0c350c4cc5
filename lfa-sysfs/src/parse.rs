// SPDX-License-Identifier: MIT OR Apache-2.0
//! Parsing the content of the kernel's attribute files.
//!
//! The kernel prints every value with a trailing newline (`sysfs_emit(buf,
//! "%d\n", ...)`); parsing trims ASCII whitespace at both ends and is strict
//! about the rest.

use lfa_proto::{FirmwareVersion, Uuid};

/// What a version file held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VersionText {
    /// `maj.min`.
    Version(FirmwareVersion),
    /// `N/A`: the kernel has no version to show.
    NotAvailable,
}

/// The text of a file, trimmed; `None` if it is not UTF-8.
pub(crate) fn text(bytes: &[u8]) -> Option<&str> {
    core::str::from_utf8(bytes).ok().map(str::trim)
}

/// `0` or `1` (the kernel prints a C bool with `%d`).
pub(crate) fn boolean(bytes: &[u8]) -> Option<bool> {
    match text(bytes)? {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

/// `maj.min` (two unsigned 32-bit decimal numbers, as the kernel prints
/// `%u.%u`) or `N/A`.
pub(crate) fn version(bytes: &[u8]) -> Option<VersionText> {
    let text = text(bytes)?;
    if text.eq_ignore_ascii_case("N/A") {
        return Some(VersionText::NotAvailable);
    }
    let (major, minor) = text.split_once('.')?;
    Some(VersionText::Version(FirmwareVersion::new(
        decimal_u32(major)?,
        decimal_u32(minor)?,
    )))
}

/// Only ASCII digits (`u32::from_str` would also take a leading `+`).
fn decimal_u32(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The component name the kernel shows, or `None` when it shows a
/// placeholder instead of a name: nothing, `(unknown)` (the January 2026
/// posting), or the component's own UUID (the review's proposal). `Err(())`
/// if the content is not UTF-8.
pub(crate) fn name(bytes: &[u8], uuid: Uuid) -> Result<Option<&str>, ()> {
    let name = text(bytes).ok_or(())?;
    let placeholder = name.is_empty()
        || name == "(unknown)"
        || Uuid::parse_str(name).is_ok_and(|parsed| parsed == uuid);
    Ok((!placeholder).then_some(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn booleans() {
        assert_eq!(boolean(b"1\n"), Some(true));
        assert_eq!(boolean(b" 0 \n"), Some(false));
        for bad in [&b""[..], b"2\n", b"true\n", b"01\n", b"\xff"] {
            assert_eq!(boolean(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn versions() {
        assert_eq!(
            version(b"2.13\n"),
            Some(VersionText::Version(FirmwareVersion::new(2, 13)))
        );
        assert_eq!(
            version(b"4294967295.0"),
            Some(VersionText::Version(FirmwareVersion::new(u32::MAX, 0)))
        );
        assert_eq!(version(b"N/A\n"), Some(VersionText::NotAvailable));
        for bad in [
            &b""[..],
            b"2\n",
            b"2.\n",
            b".1\n",
            b"+2.1\n",
            b"2.1.3\n",
            b"4294967296.0\n",
            b"-1.0\n",
            b"v2.1\n",
        ] {
            assert_eq!(version(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn names() {
        let uuid = Uuid::from_u128(0x1234);
        assert_eq!(name(b"TF-RMM\n", uuid), Ok(Some("TF-RMM")));
        assert_eq!(name(b"(unknown)\n", uuid), Ok(None));
        assert_eq!(name(b"\n", uuid), Ok(None));
        assert_eq!(name(uuid.to_string().as_bytes(), uuid), Ok(None));
        assert_eq!(
            name(b"00000000-0000-0000-0000-000000000001", uuid),
            Ok(Some("00000000-0000-0000-0000-000000000001"))
        );
        assert_eq!(name(b"\xff\xfe", uuid), Err(()));
    }
}
