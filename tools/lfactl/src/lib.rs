// SPDX-License-Identifier: MIT OR Apache-2.0
//! `lfactl`, the operator's tool for Arm Live Firmware Activation on Linux.
//!
//! ```text
//! lfactl --simulate list
//! lfactl show TF-RMM
//! sudo lfactl activate TF-RMM
//! ```
//!
//! A thin layer over `lfa_sysfs` (the kernel's `/sys/firmware/lfa`
//! tree, or another root with `--root`) and over `lfa_client::Client` on the
//! simulated agent (`--simulate`). `lfactl --help` documents the commands,
//! the exit codes and the JSON output.
//!
//! The binary is [`run`] on the real [`System`]; tests run the same code on
//! a [`System`] whose file access emulates the kernel driver (errno on
//! write, firmware state kept until a cancel), whose kernel log is a file and
//! whose output is captured.

mod app;
mod backend;
mod cli;
mod console;
mod exit;
mod kmsg;
mod output;
mod state;

use std::ffi::OsString;
use std::path::PathBuf;

use lfa_sysfs::{DEFAULT_ROOT, FileAccess, RealFs};

pub use console::Console;

/// What lfactl runs against: the sysfs file access, the default paths
/// (each overridden by its command-line option) and the console.
pub struct System<'a> {
    /// How sysfs files are read and written.
    pub access: &'a dyn FileAccess,
    /// The LFA tree (`--root`).
    pub root: PathBuf,
    /// The kernel log device (`--kmsg`).
    pub kmsg: PathBuf,
    /// lfactl's state directory (`--state-dir`).
    pub state_dir: PathBuf,
    /// This boot's id (a record of another boot is ignored).
    pub boot_id: PathBuf,
    /// stdout, stderr, stdin.
    pub console: &'a Console,
}

impl<'a> System<'a> {
    /// The real system: `/sys/firmware/lfa`, `/dev/kmsg`, `/run/lfactl`.
    #[must_use]
    pub fn real(console: &'a Console) -> Self {
        Self {
            access: &RealFs,
            root: PathBuf::from(DEFAULT_ROOT),
            kmsg: PathBuf::from(kmsg::DEFAULT_KMSG),
            state_dir: PathBuf::from(state::DEFAULT_STATE_DIR),
            boot_id: PathBuf::from(state::DEFAULT_BOOT_ID),
            console,
        }
    }
}

/// Runs lfactl with `args` (the first is the program name) and returns
/// its exit code.
pub fn run<I, T>(args: I, system: &System<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    app::main(args, system)
}
