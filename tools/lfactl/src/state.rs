// SPDX-License-Identifier: MIT OR Apache-2.0
//! What lfactl keeps between runs in one boot, in a state directory
//! (default `/run/lfactl`, a tmpfs that a reboot empties):
//!
//! - `lock`: held with `flock(LOCK_EX)` by every lfactl run that writes
//!   `activate` or `cancel`, for the whole write. The kernel releases it
//!   when the process ends, and a process blocked in a sysfs write does not
//!   end before the kernel's handler returns: a free lock means no lfactl
//!   write is in flight. Its content names the holder (pid, command).
//! - `record.json`: the components lfactl wrote `activate` for in this boot
//!   whose `cancel` it has not seen accepted since: the firmware may still
//!   hold them (TF-A keeps a completed activation, or a failed PRIME's state,
//!   until that component's cancel).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use lfa_proto::Uuid;
use rustix::fs::FlockOperation;
use serde::{Deserialize, Serialize};

use crate::exit::{Exit, Failure};

/// The default state directory.
pub const DEFAULT_STATE_DIR: &str = "/run/lfactl";

/// Where Linux gives this boot's random id.
pub const DEFAULT_BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

const LOCK: &str = "lock";
const RECORD: &str = "record.json";

/// The state directory.
pub struct StateDir {
    dir: PathBuf,
    boot_id: Option<String>,
}

/// The exclusive lock; released when dropped (or when the process ends).
pub struct Lock {
    _file: File,
}

/// How lfactl's last write of `activate` for a component ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The write was about to be made; lfactl did not see its answer.
    Started,
    /// The kernel reported success.
    Activated,
    /// The kernel answered ECANCELED: PRIME or ACTIVATE failed.
    Failed,
}

impl Outcome {
    /// For messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Started => "an activation whose answer lfactl did not see",
            Self::Activated => "a completed activation",
            Self::Failed => "a failed activation attempt (ECANCELED)",
        }
    }
}

/// One component the firmware may still hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// Its UUID (lower-case, hyphenated).
    pub uuid: String,
    /// Its name, for messages.
    pub name: Option<String>,
    /// How the write ended.
    pub outcome: Outcome,
    /// Seconds since the Unix epoch when the write was made.
    pub at: u64,
}

impl Held {
    /// "name (uuid)" or the UUID.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{name} ({})", self.uuid),
            None => self.uuid.to_string(),
        }
    }
}

/// The record file's content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The boot it belongs to (a record of another boot is ignored).
    pub boot_id: Option<String>,
    /// Oldest first.
    pub held: Vec<Held>,
}

impl Record {
    /// The entry for `uuid`.
    pub fn get(&self, uuid: Uuid) -> Option<&Held> {
        let uuid = uuid.to_string();
        self.held.iter().find(|h| h.uuid == uuid)
    }

    /// Records a write of `activate` (replacing an older entry).
    pub fn set(&mut self, uuid: Uuid, name: Option<&str>, outcome: Outcome) {
        self.remove(uuid);
        self.held.push(Held {
            uuid: uuid.to_string(),
            name: name.map(str::to_owned),
            outcome,
            at: now(),
        });
    }

    /// Forgets `uuid` (its cancel was accepted, or the firmware holds
    /// nothing for it).
    pub fn remove(&mut self, uuid: Uuid) {
        let uuid = uuid.to_string();
        self.held.retain(|h| h.uuid != uuid);
    }
}

impl StateDir {
    /// The state directory `dir`, for the boot whose id is read from
    /// `boot_id_path`.
    pub fn new(dir: impl Into<PathBuf>, boot_id_path: &Path) -> Self {
        let boot_id = fs::read_to_string(boot_id_path)
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        Self {
            dir: dir.into(),
            boot_id,
        }
    }

    /// Takes the exclusive lock without waiting.
    ///
    /// # Errors
    ///
    /// Exit 1 naming the holder when another lfactl holds it; exit 4 when
    /// the directory or the lock file cannot be made.
    pub fn lock(&self, what: &str) -> Result<Lock, Failure> {
        let system = |e: &dyn std::fmt::Display| {
            Failure::new(
                Exit::System,
                format!(
                    "cannot take lfactl's lock in {} ({e}); run as root, or give --state-dir",
                    self.dir.display()
                ),
            )
        };
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| system(&e))?;
        let path = self.dir.join(LOCK);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| system(&e))?;
        match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(Failure::new(
                    Exit::Refused,
                    format!(
                        "another lfactl is writing activate or cancel ({}); an activation may be in flight, so nothing was written; try again when it has finished",
                        if holder.is_empty() {
                            "holder unknown"
                        } else {
                            holder
                        }
                    ),
                ));
            }
            Err(e) => return Err(system(&std::io::Error::from(e))),
        }
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = write!(file, "pid {}: {what}", std::process::id());
        let _ = file.flush();
        Ok(Lock { _file: file })
    }

    /// The record of this boot (empty if there is none, if it belongs to
    /// another boot, or if it cannot be read: then `warn` says so).
    pub fn load(&self, warn: &mut dyn FnMut(String)) -> Record {
        let path = self.dir.join(RECORD);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Record::default(),
            Err(e) => {
                warn(format!(
                    "lfactl's record {} could not be read ({e}); going on without it",
                    path.display()
                ));
                return Record::default();
            }
        };
        match serde_json::from_str::<Record>(&text) {
            Ok(record) if record.boot_id == self.boot_id => record,
            Ok(_) => Record::default(),
            Err(e) => {
                warn(format!(
                    "lfactl's record {} is not valid ({e}); going on without it",
                    path.display()
                ));
                Record::default()
            }
        }
    }

    /// Writes the record (to a new file, then renamed over the old one).
    ///
    /// # Errors
    ///
    /// Exit 4 if it cannot be written.
    pub fn save(&self, record: &Record) -> Result<(), Failure> {
        let mut record = record.clone();
        record.boot_id.clone_from(&self.boot_id);
        let path = self.dir.join(RECORD);
        let aside = self.dir.join(".record.json.new");
        let text = serde_json::to_string_pretty(&record)
            .map_err(|e| Failure::new(Exit::System, format!("encoding lfactl's record: {e}")))?;
        fs::write(&aside, text + "\n")
            .and_then(|()| fs::rename(&aside, &path))
            .map_err(|e| {
                Failure::new(
                    Exit::System,
                    format!("writing lfactl's record {}: {e}", path.display()),
                )
            })
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use lfa_proto::Uuid;

    use super::{Outcome, Record, StateDir};

    #[test]
    fn the_lock_is_exclusive_and_names_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::new(dir.path().join("s"), "/nonexistent".as_ref());
        let held = state.lock("activate TF-RMM").unwrap();
        let second = StateDir::new(dir.path().join("s"), "/nonexistent".as_ref());
        let refused = second.lock("cancel").err().unwrap();
        assert_eq!(refused.exit.code(), 1);
        assert!(
            refused
                .message
                .contains(&format!("(pid {}: activate TF-RMM)", std::process::id())),
            "{}",
            refused.message
        );
        drop(held);
        assert!(second.lock("cancel").is_ok(), "free once dropped");
    }

    #[test]
    fn a_record_of_another_boot_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let boot = dir.path().join("boot_id");
        std::fs::write(&boot, "one\n").unwrap();
        let state = StateDir::new(dir.path(), &boot);
        let mut record = Record::default();
        record.set(Uuid::from_u128(1), Some("A"), Outcome::Activated);
        state.save(&record).unwrap();
        let loaded = state.load(&mut |w| panic!("{w}"));
        assert_eq!(loaded.held, record.held);
        assert_eq!(loaded.boot_id.as_deref(), Some("one"));

        std::fs::write(&boot, "two\n").unwrap();
        let next_boot = StateDir::new(dir.path(), &boot);
        assert_eq!(next_boot.load(&mut |w| panic!("{w}")), Record::default());
    }

    #[test]
    fn a_garbled_record_warns_and_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("record.json"), "{").unwrap();
        let state = StateDir::new(dir.path(), "/nonexistent".as_ref());
        let mut warnings = Vec::new();
        assert_eq!(state.load(&mut |w| warnings.push(w)), Record::default());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("is not valid"), "{warnings:?}");
    }
}
