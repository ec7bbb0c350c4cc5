//! Exit codes and the one failure type of lfactl.

use std::fmt::Display;

use lfa_client::sysfs::{ErrorClass, SysfsError};

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
}

impl Failure {
    /// A failure with `exit` and `message`.
    pub fn new(exit: Exit, message: impl Display) -> Self {
        Self {
            exit,
            message: message.to_string(),
        }
    }
}

impl From<SysfsError> for Failure {
    fn from(e: SysfsError) -> Self {
        let exit = match e.class() {
            ErrorClass::Usage => Exit::Usage,
            ErrorClass::Refused => Exit::Refused,
            _ => Exit::System,
        };
        Self::new(exit, e)
    }
}

impl From<lfa_client::Error> for Failure {
    fn from(e: lfa_client::Error) -> Self {
        use lfa_client::Error as E;
        let exit = match e {
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
