// SPDX-License-Identifier: MIT OR Apache-2.0
//! Running the lfactl binary in tests.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use lfa_sysfs::FileAccess;

/// The built binary. When `LFACTL_TEST_RUNNER` is set (for example
/// `qemu-aarch64` for a cross-built binary with no binfmt_misc), the binary
/// is started through it.
pub fn lfactl() -> Command {
    let bin = env!("CARGO_BIN_EXE_lfactl");
    match std::env::var_os("LFACTL_TEST_RUNNER") {
        Some(runner) if !runner.is_empty() => {
            let mut c = Command::new(runner);
            c.arg(bin);
            c
        }
        _ => Command::new(bin),
    }
}

/// What one run gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout parsed as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", self.stdout))
    }

    /// stdout read as a table: one row per line (the header included), cells
    /// separated by two or more spaces.
    pub fn table(&self) -> Vec<Vec<&str>> {
        self.stdout
            .lines()
            .map(|l| {
                l.split("  ")
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .collect()
    }

    /// stdout parsed as JSON lines.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
            .collect()
    }
}

fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

/// Runs lfactl with `args` and no standard input.
pub fn run(args: &[&str]) -> Run {
    run_with_input(args, "")
}

/// Runs lfactl with `args`, feeding `input` on standard input.
pub fn run_with_input(args: &[&str], input: &str) -> Run {
    let mut child = lfactl()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lfactl");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    finish(child.wait_with_output().expect("wait lfactl"))
}

/// The options that keep a test away from the machine's own state:
/// `--root ROOT`, and the state directory and kernel log beside the root.
fn isolated(root: &Path) -> Vec<String> {
    let beside = root.parent().expect("the root has a parent");
    vec![
        "--root".into(),
        root.display().to_string(),
        "--state-dir".into(),
        beside.join("state").display().to_string(),
        "--kmsg".into(),
        beside.join("kmsg").display().to_string(),
    ]
}

/// Runs lfactl on the tree at `root`.
pub fn on(root: &Path, args: &[&str]) -> Run {
    on_with_input(root, args, "")
}

/// Runs lfactl on the tree at `root` with standard input.
pub fn on_with_input(root: &Path, args: &[&str], input: &str) -> Run {
    let isolated = isolated(root);
    let mut all: Vec<&str> = isolated.iter().map(String::as_str).collect();
    all.extend_from_slice(args);
    run_with_input(&all, input)
}

/// A shared buffer a captured stream writes into.
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).expect("utf-8 output")
    }
}

/// Runs lfactl's code in this process, on the tree at `root` reached
/// through `access` (an emulated driver), with `kmsg` as the kernel log and
/// the state directory beside the root; `input` on stdin.
pub fn in_process(
    access: &dyn FileAccess,
    root: &Path,
    kmsg: &Path,
    args: &[&str],
    input: &str,
) -> Run {
    let beside = root.parent().expect("the root has a parent");
    let (out, err) = (Buffer::default(), Buffer::default());
    let console = lfactl::Console::new(
        Box::new(out.clone()),
        Box::new(err.clone()),
        Box::new(std::io::Cursor::new(input.as_bytes().to_vec())),
    );
    let system = lfactl::System {
        access,
        root: root.to_path_buf(),
        kmsg: kmsg.to_path_buf(),
        state_dir: beside.join("state"),
        boot_id: beside.join("boot_id"),
        console: &console,
    };
    let mut all = vec!["lfactl"];
    all.extend_from_slice(args);
    let code = lfactl::run(all, &system);
    Run {
        code: i32::from(code),
        stdout: out.text(),
        stderr: err.text(),
    }
}

/// Exit codes, as `lfactl --help` documents them.
pub const OK: i32 = 0;
pub const REFUSED: i32 = 1;
pub const USAGE: i32 = 2;
pub const NOTHING: i32 = 3;
pub const SYSTEM: i32 = 4;
pub const NOT_CONFIRMED: i32 = 5;
pub const UNSUPPORTED: i32 = 6;
