// SPDX-License-Identifier: MIT OR Apache-2.0
//! The kernel's own `Arm LFA:` lines for one attempt, read from `/dev/kmsg`
//! (or any file in its format): a mark taken just before a write, then the
//! records logged after it, read without blocking and within bounds.
//!
//! `/dev/kmsg` gives one record per `read(2)`: `prio,seq,usec,flags;text`,
//! then optional continuation lines that start with a space. Opened with
//! `O_NONBLOCK` and positioned at its end (`SEEK_END` is "the next record"),
//! a later read returns only what was logged since, and `EAGAIN` when
//! nothing more is there: no read waits. A regular file in the same format
//! (tests) behaves alike, ending at end of file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::fs::{Mode, OFlags};

/// The system's kernel log device.
pub const DEFAULT_KMSG: &str = "/dev/kmsg";

/// The Linux driver's message prefix (`pr_fmt`).
pub const PREFIX: &str = "Arm LFA: ";

/// At most this many records are read after a mark.
pub const MAX_RECORDS: usize = 1024;

/// Reading after a mark stops after this long, whatever is left.
pub const MAX_TIME: Duration = Duration::from_millis(500);

/// The kernel's largest record (`CONSOLE_EXT_LOG_MAX`): one read needs a
/// buffer this large, or `/dev/kmsg` answers `EINVAL`.
const RECORD_BUFFER: usize = 8192;

/// A position in the kernel log: what is logged after it can be read.
pub struct Mark {
    file: File,
    path: PathBuf,
}

/// What was read after a mark.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capture {
    /// The driver's lines (`Arm LFA: ...`), in order, without the record
    /// header.
    pub lines: Vec<String>,
    /// Why the lines are missing or may be incomplete, if they are.
    pub note: Option<String>,
    /// Whether the log could be read at all.
    pub readable: bool,
}

impl Capture {
    /// No log: `why` says why.
    #[must_use]
    pub fn unavailable(why: String) -> Self {
        Self {
            lines: Vec::new(),
            note: Some(why),
            readable: false,
        }
    }

    /// Whether a line contains `needle`.
    #[must_use]
    pub fn mentions(&self, needle: &str) -> bool {
        self.lines.iter().any(|l| l.contains(needle))
    }
}

/// Marks the end of the log at `path`, to read what comes after it.
///
/// # Errors
///
/// A one-line reason when the log cannot be opened or positioned (not
/// root, no such device).
pub fn mark(path: &Path) -> Result<Mark, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!("the kernel log could not be read ({}: {e})", path.display())
    };
    let fd: OwnedFd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| unreadable(&io::Error::from(e)))?;
    let mut file = File::from(fd);
    file.seek(SeekFrom::End(0)).map_err(|e| unreadable(&e))?;
    Ok(Mark {
        file,
        path: path.to_path_buf(),
    })
}

impl Mark {
    /// The driver's lines logged since the mark, at most [`MAX_RECORDS`]
    /// records and [`MAX_TIME`] of reading.
    #[must_use]
    pub fn read(self) -> Capture {
        self.read_bounded(MAX_RECORDS, MAX_TIME)
    }

    /// As [`Mark::read`] with other bounds.
    #[must_use]
    pub fn read_bounded(mut self, max_records: usize, max_time: Duration) -> Capture {
        let deadline = Instant::now() + max_time;
        let mut bytes = Vec::new();
        let mut buffer = vec![0u8; RECORD_BUFFER];
        let mut records = 0usize;
        let mut note = None;
        loop {
            if Instant::now() >= deadline {
                note = Some(format!(
                    "lfactl stopped reading the kernel log after {} ms ({records} records); later lines are not shown",
                    max_time.as_millis()
                ));
                break;
            }
            match self.file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    let chunk = buffer.get(..n).unwrap_or_default();
                    records += chunk
                        .split(|b| *b == b'\n')
                        .filter(|l| !l.is_empty() && !l.starts_with(b" "))
                        .count();
                    bytes.extend_from_slice(chunk);
                    if records >= max_records {
                        note = Some(format!(
                            "lfactl stopped reading the kernel log after {records} records; later lines are not shown"
                        ));
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // EPIPE: records were overwritten before they were read; the
                // next read goes on with the oldest one still there.
                Err(e) if e.raw_os_error() == Some(32) => {
                    note = Some(
                        "some kernel log records were overwritten before lfactl read them"
                            .to_owned(),
                    );
                }
                Err(e) => {
                    note = Some(format!(
                        "reading the kernel log ({}) stopped: {e}",
                        self.path.display()
                    ));
                    break;
                }
            }
        }
        Capture {
            lines: driver_lines(&bytes),
            note,
            readable: true,
        }
    }
}

/// The text of every record in `bytes` that the driver logged.
fn driver_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(record_text)
        .filter(|text| text.starts_with(PREFIX))
        .map(str::to_owned)
        .collect()
}

/// The text of one `prio,seq,usec,flags;text` record line.
fn record_text(line: &str) -> Option<&str> {
    let (header, text) = line.split_once(';')?;
    let mut fields = header.split(',');
    let numeric =
        |f: Option<&str>| f.is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    (numeric(fields.next()) && numeric(fields.next()) && numeric(fields.next())).then_some(text)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::Duration;

    use super::{driver_lines, mark};

    #[test]
    fn only_driver_records_after_the_mark_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kmsg");
        std::fs::write(&path, "3,1,10,-;Arm LFA: before the mark\n").unwrap();
        let m = mark(&path).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(
            b"6,2,11,-;usb 1-1: new device\n\
              3,3,12,-;Arm LFA: LFA_PRIME for image TF-RMM failed: LFA_NOT_SUPPORTED\n \
              SUBSYSTEM=firmware\n\
              3,4,13,c;Arm LFA: Firmware prime failed: LFA_NOT_SUPPORTED\n",
        )
        .unwrap();
        let c = m.read();
        assert!(c.readable);
        assert_eq!(c.note, None);
        assert_eq!(
            c.lines,
            [
                "Arm LFA: LFA_PRIME for image TF-RMM failed: LFA_NOT_SUPPORTED",
                "Arm LFA: Firmware prime failed: LFA_NOT_SUPPORTED"
            ]
        );
    }

    #[test]
    fn reading_is_bounded_in_records_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kmsg");
        std::fs::write(&path, "").unwrap();
        let many: String = (0..20)
            .map(|i| format!("3,{i},0,-;Arm LFA: line {i}\n"))
            .collect();
        let m = mark(&path).unwrap();
        std::fs::write(&path, &many).unwrap();
        // A file gives everything in one read; the bound stops the next.
        let c = m.read_bounded(5, Duration::from_secs(3600));
        assert_eq!(c.lines.len(), 20);
        assert_eq!(
            c.note.as_deref(),
            Some(
                "lfactl stopped reading the kernel log after 20 records; later lines are not shown"
            )
        );
        let m = mark(&path).unwrap();
        std::fs::write(&path, format!("{many}{many}")).unwrap();
        let c = m.read_bounded(1000, Duration::ZERO);
        assert!(c.lines.is_empty(), "no time: nothing read");
        assert_eq!(
            c.note.as_deref(),
            Some(
                "lfactl stopped reading the kernel log after 0 ms (0 records); later lines are not shown"
            )
        );
    }

    #[test]
    fn a_missing_log_is_one_line_of_reason() {
        let e = mark("/nonexistent/kmsg".as_ref()).err().unwrap();
        assert!(
            e.starts_with("the kernel log could not be read (/nonexistent/kmsg: "),
            "{e}"
        );
        assert!(!e.contains('\n'));
    }

    #[test]
    fn malformed_records_are_skipped() {
        assert_eq!(
            driver_lines(b"Arm LFA: no header\nx,1,2,-;Arm LFA: bad prio\n6,1,2,-;Arm LFA: ok\n"),
            ["Arm LFA: ok"]
        );
    }
}
