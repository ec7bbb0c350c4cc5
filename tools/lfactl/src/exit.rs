// SPDX-License-Identifier: MIT OR Apache-2.0
//! Exit codes and the one failure type of lfactl.

use std::fmt::Display;

use lfa_sysfs::{ErrorClass, SysfsError};
use serde_json::{Map, Value};

/// lfactl's exit codes other than 0 (done), documented in `--help` and the
/// README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The firmware or the kernel refused or failed the request.
    Refused = 1,
    /// Bad arguments, or no (or more than one) component matches.
    Usage = 2,
    /// Nothing to do: nothing pending, nothing to cancel, no components.
    NothingToDo = 3,
    /// The system is not as expected: no LFA tree, missing or unparsable
    /// files, no permission, I/O errors.
    System = 4,
    /// The operator did not confirm an activation.
    NotConfirmed = 5,
    /// This kernel's driver does not have the feature (a file of a newer
    /// ABI, such as `auto_activate`).
    Unsupported = 6,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The name used in JSON output.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Refused => "refused",
            Self::Usage => "usage",
            Self::NothingToDo => "nothing-to-do",
            Self::System => "system",
            Self::NotConfirmed => "not-confirmed",
            Self::Unsupported => "unsupported",
        }
    }
}

/// Why a command did not succeed, and with which exit code.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// What to tell the operator.
    pub message: String,
    /// The kernel's error number, when a write failed with one.
    pub errno: Option<i32>,
    /// What the operator can do next, one line each (stderr, and
    /// `"recovery"` in JSON).
    pub hints: Vec<String>,
    /// More fields of the JSON error object (kernel log lines, results).
    pub details: Map<String, Value>,
}

impl Failure {
    /// A failure with `exit` and `message`.
    pub fn new(exit: Exit, message: impl Display) -> Self {
        Self {
            exit,
            message: message.to_string(),
            errno: None,
            hints: Vec::new(),
            details: Map::new(),
        }
    }

    /// Adds a JSON field to the error object.
    #[must_use]
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.details.insert(key.to_owned(), value);
        self
    }
}

impl From<SysfsError> for Failure {
    fn from(e: SysfsError) -> Self {
        let exit = match e.class() {
            ErrorClass::Usage => Exit::Usage,
            ErrorClass::Refused => Exit::Refused,
            _ => match &e {
                SysfsError::MissingFile {
                    file: "auto_activate",
                    ..
                } => Exit::Unsupported,
                _ => Exit::System,
            },
        };
        let errno = e.errno();
        let mut failure = Self::new(exit, e);
        failure.errno = errno;
        failure
    }
}

impl From<lfa_client::Error> for Failure {
    fn from(e: lfa_client::Error) -> Self {
        use lfa_client::ErrorDetail as E;
        let exit = match e.detail() {
            E::NotPending { .. } => Exit::NothingToDo,
            E::NoAgent { .. }
            | E::UnsupportedVersion { .. }
            | E::MissingFunction { .. }
            | E::Malformed { .. }
            | E::AbsurdCount { .. } => Exit::System,
            _ => Exit::Refused,
        };
        Self::new(exit, e)
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::path::PathBuf;

    use lfa_client::{CancelOutcome, ComponentRef};
    use lfa_proto::{LfaError, SeqId, Uuid};
    use lfa_sysfs::{Operation, SysfsError};

    use super::{Exit, Failure};

    fn exit_of(e: SysfsError) -> Exit {
        Failure::from(e).exit
    }

    /// The errno values a real kernel returns from writes, which a fake tree
    /// cannot produce, map to the documented exit codes.
    #[test]
    fn sysfs_errors_map_to_the_documented_exit_codes() {
        let path = PathBuf::from("/sys/firmware/lfa/x/activate");
        assert_eq!(
            exit_of(SysfsError::Busy { path: path.clone() }),
            Exit::Refused
        );
        assert_eq!(
            exit_of(SysfsError::ActivationFailed { path: path.clone() }),
            Exit::Refused
        );
        assert_eq!(
            exit_of(SysfsError::Refused {
                path: path.clone(),
                errno: 22,
                source: io::Error::from_raw_os_error(22),
            }),
            Exit::Refused
        );
        assert_eq!(
            exit_of(SysfsError::PermissionDenied {
                path: path.clone(),
                operation: Operation::Write,
            }),
            Exit::System
        );
        assert_eq!(
            exit_of(SysfsError::MissingFile {
                path: path.clone(),
                file: "auto_activate",
            }),
            Exit::Unsupported
        );
        assert_eq!(
            exit_of(SysfsError::MissingFile {
                path: path.clone(),
                file: "name",
            }),
            Exit::System
        );
        assert_eq!(
            Failure::from(SysfsError::ActivationFailed { path: path.clone() }).errno,
            Some(125)
        );
        assert_eq!(
            exit_of(SysfsError::NoSuchComponent {
                query: "x".into(),
                root: path.clone(),
            }),
            Exit::Usage
        );
        assert_eq!(
            exit_of(SysfsError::AmbiguousName {
                name: "x".into(),
                matches: vec![],
            }),
            Exit::Usage
        );
        assert_eq!(
            exit_of(SysfsError::NoLfaDirectory { root: path }),
            Exit::System
        );
    }

    #[test]
    fn client_errors_map_to_the_documented_exit_codes() {
        let component = ComponentRef {
            uuid: Uuid::from_u128(1),
            seq_id: SeqId(0),
        };
        let refused = lfa_client::ErrorDetail::PrimeFailed {
            component,
            status: LfaError::AuthError,
            rounds: 1,
            cancel: CancelOutcome::Cancelled,
        };
        let refused = lfa_client::Error::new(refused);
        assert_eq!(Failure::from(refused).exit, Exit::Refused);
        let nothing = lfa_client::Error::new(lfa_client::ErrorDetail::NotPending { component });
        assert_eq!(Failure::from(nothing).exit, Exit::NothingToDo);
        let no_agent = lfa_client::Error::new(lfa_client::ErrorDetail::NoAgent { x0: u64::MAX });
        assert_eq!(Failure::from(no_agent).exit, Exit::System);
    }

    #[test]
    fn codes_are_distinct() {
        let all = [
            Exit::Refused,
            Exit::Usage,
            Exit::NothingToDo,
            Exit::System,
            Exit::NotConfirmed,
            Exit::Unsupported,
        ];
        let codes: Vec<u8> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes, [1, 2, 3, 4, 5, 6]);
    }
}
