// SPDX-License-Identifier: MIT OR Apache-2.0
//! The errors of the sysfs backend.

use std::io;
use std::path::PathBuf;
use std::string::{String, ToString};
use std::vec::Vec;

use lfa_proto::Uuid;

/// `EBUSY` (asm-generic errno, as on arm64 and x86-64 Linux).
pub(crate) const EBUSY: i32 = 16;
/// `ENODEV`.
pub(crate) const ENODEV: i32 = 19;
/// `EINVAL`.
pub(crate) const EINVAL: i32 = 22;
/// `ECANCELED`.
pub(crate) const ECANCELED: i32 = 125;

/// What the backend was doing when a file operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Reading an attribute.
    Read,
    /// Writing an attribute.
    Write,
    /// Listing the components (the directory `lfa` itself).
    List,
}

impl core::fmt::Display for Operation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Read => "reading",
            Self::Write => "writing",
            Self::List => "listing",
        })
    }
}

/// Who is to blame for a [`SysfsError`], for callers (such as `lfactl`) that
/// map errors to exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The request named something that is not there: no such component, or
    /// a name that fits several.
    Usage,
    /// The kernel or the firmware refused or failed the request (`EBUSY`,
    /// `ECANCELED`, `EINVAL`, `ENODEV` from a write).
    Refused,
    /// The system is not as the ABI says: no `lfa` directory, a missing or
    /// unreadable file, unparsable content, no permission, other I/O errors.
    System,
}

/// Everything that can go wrong with `/sys/firmware/lfa`. Every variant
/// names the path involved and says what it probably means.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SysfsError {
    /// The root directory (normally `/sys/firmware/lfa`) does not exist or
    /// is not a directory.
    #[error(
        "{} does not exist: the kernel has no LFA driver loaded, or the firmware has no LFA agent",
        root.display()
    )]
    NoLfaDirectory {
        /// The root that was looked at.
        root: PathBuf,
    },
    /// No component matches a UUID or name.
    #[error("no LFA component matches {query:?} under {}", root.display())]
    NoSuchComponent {
        /// The UUID or name asked for.
        query: String,
        /// The root that was looked at.
        root: PathBuf,
    },
    /// A name matches several components; use a UUID.
    #[error("the name {name:?} matches {} components ({}); give a UUID", matches.len(), list_uuids(matches))]
    AmbiguousName {
        /// The name asked for.
        name: String,
        /// The UUIDs of the components it matches.
        matches: Vec<Uuid>,
    },
    /// A directory under the root is not named by a UUID (the kernel names
    /// every component directory by its GUID).
    #[error("{} is not a component directory: its name is not a UUID", path.display())]
    BadEntryName {
        /// The directory.
        path: PathBuf,
    },
    /// A component directory lacks a file of the ABI.
    #[error("{} is missing: {}", path.display(), missing_hint(file))]
    MissingFile {
        /// The file's path.
        path: PathBuf,
        /// The attribute's name (`current_version`, `auto_activate`, ...).
        file: &'static str,
    },
    /// A file holds something the ABI does not allow.
    #[error("{} holds {content:?}, not {expected}", path.display())]
    Unparsable {
        /// The file's path.
        path: PathBuf,
        /// Its content (lossily decoded, trimmed).
        content: String,
        /// What the ABI allows there.
        expected: &'static str,
    },
    /// The operating system denied access (`EACCES`/`EPERM`): writing, and on
    /// some systems reading, the attributes needs root.
    #[error("permission denied {operation} {}: run as root", path.display())]
    PermissionDenied {
        /// The file.
        path: PathBuf,
        /// What was being done.
        operation: Operation,
    },
    /// `EBUSY` from `activate`: another activation is running.
    #[error("the kernel answered EBUSY writing {}: another activation is running", path.display())]
    Busy {
        /// The file.
        path: PathBuf,
    },
    /// `ECANCELED` from `activate`: the activation was not completed (the
    /// kernel's `LFA_PRIME` or `LFA_ACTIVATE` failed; its log says which
    /// firmware status). It does not say whether anything was cancelled: the
    /// January 2026 driver sends no `LFA_CANCEL` after a failed PRIME, so the
    /// firmware may still hold the component until its `cancel` is written.
    #[error(
        "the kernel answered ECANCELED writing {}: the activation was not completed; the kernel does not say whether it cancelled anything (its `Arm LFA:` log lines say why), and a cancel may be needed before a retry",
        path.display()
    )]
    ActivationFailed {
        /// The file.
        path: PathBuf,
    },
    /// Another error code from the kernel for a write it refused: `EINVAL`
    /// (the firmware refused `LFA_CANCEL`; a component that may reset CPUs;
    /// a value that is not a boolean), `ENODEV` (the component's sequence id
    /// is no longer valid).
    #[error("the kernel refused writing {}: {} ({source})", path.display(), refusal_hint(*errno))]
    Refused {
        /// The file.
        path: PathBuf,
        /// The error number.
        errno: i32,
        /// The error as the operating system describes it.
        source: io::Error,
    },
    /// Any other I/O error.
    #[error("I/O error {operation} {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        operation: Operation,
        /// The error.
        source: io::Error,
    },
}

impl SysfsError {
    /// Who is to blame: the request, the kernel or firmware, or the system.
    #[must_use]
    pub const fn class(&self) -> ErrorClass {
        match self {
            Self::NoSuchComponent { .. } | Self::AmbiguousName { .. } => ErrorClass::Usage,
            Self::Busy { .. } | Self::ActivationFailed { .. } | Self::Refused { .. } => {
                ErrorClass::Refused
            }
            _ => ErrorClass::System,
        }
    }

    /// The error number behind the error, if it came from the kernel.
    #[must_use]
    pub fn errno(&self) -> Option<i32> {
        match self {
            Self::Busy { .. } => Some(EBUSY),
            Self::ActivationFailed { .. } => Some(ECANCELED),
            Self::Refused { errno, .. } => Some(*errno),
            Self::Io { source, .. } => source.raw_os_error(),
            _ => None,
        }
    }
}

fn list_uuids(uuids: &[Uuid]) -> String {
    let mut out = String::new();
    for (i, uuid) in uuids.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&uuid.to_string());
    }
    out
}

fn missing_hint(file: &str) -> &'static str {
    match file {
        "current_version" | "pending_version" | "auto_activate" => {
            "this kernel's LFA driver predates it (an older ABI)"
        }
        _ => "every version of the LFA driver has it; is this a sysfs LFA tree?",
    }
}

fn refusal_hint(errno: i32) -> &'static str {
    match errno {
        EINVAL => "EINVAL: the firmware or the driver refused the request",
        ENODEV => "ENODEV: the component's sequence id is no longer valid; list again",
        _ => "unexpected error",
    }
}

/// Maps an I/O error of a write to the kernel's meaning.
pub(crate) fn from_write(path: PathBuf, error: io::Error) -> SysfsError {
    match error.raw_os_error() {
        Some(EBUSY) => SysfsError::Busy { path },
        Some(ECANCELED) => SysfsError::ActivationFailed { path },
        Some(errno @ (EINVAL | ENODEV)) => SysfsError::Refused {
            path,
            errno,
            source: error,
        },
        _ => from_io(path, Operation::Write, error),
    }
}

/// Maps an I/O error other than "not found" (handled by the caller).
pub(crate) fn from_io(path: PathBuf, operation: Operation, error: io::Error) -> SysfsError {
    if error.kind() == io::ErrorKind::PermissionDenied {
        SysfsError::PermissionDenied { path, operation }
    } else {
        SysfsError::Io {
            path,
            operation,
            source: error,
        }
    }
}
