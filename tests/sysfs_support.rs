// SPDX-License-Identifier: MIT OR Apache-2.0
//! Fake `/sys/firmware/lfa` trees in temporary directories, in the formats
//! of the Linux driver (`sysfs_emit(buf, "%d\n")`, `"%u.%u\n"`, ...).
//! Shared by the sysfs library tests and lfactl's CLI tests.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use lfa_proto::Uuid;
use lfa_proto::components::{BL33, TF_RMM, TFA_BL31};

/// A vendor component no table knows.
pub const VENDOR: Uuid = Uuid::from_u128(0x7a1e_5c0d_e000_4f1a_8bad_5eed_0000_0001);

/// One component directory: file names and contents.
#[derive(Clone, Debug)]
pub struct FakeComponent {
    pub uuid: Uuid,
    pub files: Vec<(&'static str, String)>,
}

impl FakeComponent {
    /// Every file of the current ABI, with the kernel's defaults: capable,
    /// not pending, no CPU reset, rendezvous required, forced rendezvous on,
    /// version 1.0, pending N/A, auto-activation off.
    pub fn new(uuid: Uuid, name: &str) -> Self {
        Self {
            uuid,
            files: vec![
                ("name", format!("{name}\n")),
                ("activation_capable", "1\n".into()),
                ("activation_pending", "0\n".into()),
                ("may_reset_cpu", "0\n".into()),
                ("cpu_rendezvous", "1\n".into()),
                ("force_cpu_rendezvous", "1\n".into()),
                ("current_version", "1.0\n".into()),
                ("pending_version", "N/A\n".into()),
                ("auto_activate", "0\n".into()),
                ("activate", String::new()),
                ("cancel", String::new()),
            ],
        }
    }

    /// Sets (or adds) a file's content.
    pub fn set(mut self, file: &'static str, content: &str) -> Self {
        self.files.retain(|(f, _)| *f != file);
        self.files.push((file, content.to_owned()));
        self
    }

    /// Leaves a file out.
    pub fn without(mut self, file: &str) -> Self {
        self.files.retain(|(f, _)| *f != file);
        self
    }

    /// Pending, with a staged version.
    pub fn pending(self, current: &str, staged: &str) -> Self {
        self.set("activation_pending", "1\n")
            .set("current_version", &format!("{current}\n"))
            .set("pending_version", &format!("{staged}\n"))
    }

    /// As the January 2026 driver shows it: no `auto_activate`, and (as the
    /// first postings) no version files either.
    pub fn older_abi(self) -> Self {
        self.without("current_version")
            .without("pending_version")
            .without("auto_activate")
    }
}

/// A temporary directory holding `lfa/` (the root).
pub struct FakeTree {
    dir: tempfile::TempDir,
}

impl FakeTree {
    /// An empty `lfa/` directory.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("lfa")).expect("mkdir lfa");
        Self { dir }
    }

    /// A tree with the given components.
    pub fn with(components: &[FakeComponent]) -> Self {
        let tree = Self::new();
        for c in components {
            tree.add(c);
        }
        tree
    }

    /// The demo population as the current kernel shows it: TF-A BL31 (2.12
    /// -> 2.13, rendezvous required), TF-RMM (0.7 -> 0.8, rendezvous
    /// optional), BL33 (2024.1, not capable), the vendor component (1.0,
    /// nothing pending; its name is the GUID).
    pub fn demo() -> Self {
        Self::with(&demo_components())
    }

    /// The root to give `Sysfs::new` or `lfactl --root`.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("lfa")
    }

    /// A path outside the tree in the same temporary directory.
    pub fn outside(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a component directory.
    pub fn add(&self, c: &FakeComponent) {
        let dir = self.dir_of(c.uuid);
        fs::create_dir_all(&dir).expect("mkdir component");
        for (file, content) in &c.files {
            fs::write(dir.join(file), content).expect("write file");
        }
    }

    /// The directory of a component.
    pub fn dir_of(&self, uuid: Uuid) -> PathBuf {
        self.root().join(uuid.to_string())
    }

    /// A file's path.
    pub fn path(&self, uuid: Uuid, file: &str) -> PathBuf {
        self.dir_of(uuid).join(file)
    }

    /// Sets a file's content.
    pub fn write(&self, uuid: Uuid, file: &str, content: &str) {
        fs::write(self.path(uuid, file), content).expect("write file");
    }

    /// Sets a file's content atomically (write aside, then rename), for a
    /// tree that a running lfactl reads at the same time.
    pub fn replace(&self, uuid: Uuid, file: &str, content: &str) {
        let aside = self.outside("replacement");
        fs::write(&aside, content).expect("write aside");
        fs::rename(&aside, self.path(uuid, file)).expect("rename into the tree");
    }

    /// Removes a component directory atomically (moves it out of the root).
    pub fn take_out(&self, uuid: Uuid) {
        fs::rename(self.dir_of(uuid), self.outside(&uuid.to_string())).expect("move out");
    }

    /// A file's content.
    pub fn read(&self, uuid: Uuid, file: &str) -> String {
        fs::read_to_string(self.path(uuid, file)).expect("read file")
    }

    /// Removes a component directory.
    pub fn remove(&self, uuid: Uuid) {
        fs::remove_dir_all(self.dir_of(uuid)).expect("rm component");
    }

    /// Every file's content under the root, sorted, to prove what changed.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        walk(&self.root(), &mut out);
        out.sort();
        out
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            let content = fs::read(&path).unwrap_or_default();
            out.push((path, content));
        }
    }
}

/// The components of [`FakeTree::demo`].
pub fn demo_components() -> Vec<FakeComponent> {
    vec![
        FakeComponent::new(TFA_BL31.uuid, TFA_BL31.name).pending("2.12", "2.13"),
        FakeComponent::new(TF_RMM.uuid, TF_RMM.name)
            .pending("0.7", "0.8")
            .set("cpu_rendezvous", "0\n"),
        FakeComponent::new(BL33.uuid, BL33.name)
            .set("activation_capable", "0\n")
            .set("current_version", "2024.1\n"),
        FakeComponent::new(VENDOR, &VENDOR.to_string()),
    ]
}

/// Whether this process runs as root (then permission bits do not deny).
pub fn running_as_root() -> bool {
    // /proc/self/status: "Uid:\t<real>\t<effective>...".
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// The January 2026 Linux driver on TF-A, emulated behind the sysfs
/// backend's file access layer: a regular file cannot answer a `write(2)`
/// with `ECANCELED`, so the backend (and lfactl) are handed this
/// [`FileAccess`] instead of the real file system. Reads, listings and the
/// files' contents stay the fake tree's; writes of `activate`, `cancel` and
/// `force_cpu_rendezvous` do what the driver does (the errno it returns, its
/// `Arm LFA:` lines appended to a `/dev/kmsg`-format file, the tree updated
/// on success), against an emulated agent that keeps TF-A's state until a
/// cancel:
///
/// - a PRIME whose image load answers "again" fails (the driver's retry
///   sends clobbered arguments: `LFA_NOT_SUPPORTED`), leaves the agent
///   mid-prime for that component (the driver sends no CANCEL), and answers
///   `ECANCELED`; PRIME of any other component then fails with
///   `LFA_WRONG_STATE` until the first one's cancel;
/// - a completed activation stays the agent's current component: the
///   activation of another then fails on every CPU (`LFA_INVALID_PARAMETERS`),
///   the driver's own CANCEL of it fails too, and the write answers
///   `ECANCELED`, until the first one's cancel;
/// - an LFA_ACTIVATE that fails after a good PRIME is followed by the
///   driver's own CANCEL, which succeeds, and the write reports success;
/// - a cancel of the current component (in any phase, also after its
///   activation completed) succeeds; any other answers `EINVAL`;
/// - `EACCES` for an unprivileged writer and for read-only attributes,
///   `EBUSY` while another activation runs, `EINVAL` for a component that
///   may reset CPUs and for a value that is not a boolean.
pub struct EmulatedDriver {
    root: PathBuf,
    kmsg: PathBuf,
    state: std::sync::Mutex<AgentState>,
}

/// The emulated agent's current component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held {
    /// A PRIME failed and nobody cancelled.
    MidPrime(Uuid),
    /// Its activation completed and nobody cancelled.
    Activated(Uuid),
}

#[derive(Default)]
struct AgentState {
    current: Option<Held>,
    calls_again: Vec<Uuid>,
    activate_fails: Vec<Uuid>,
    unprivileged: bool,
    busy: bool,
    cpus: u32,
    seq: u64,
    gate: Option<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>,
    writes: Vec<(Uuid, String, Option<i32>)>,
}

/// Linux errno values (asm-generic).
pub const EACCES: i32 = 13;
/// `EBUSY`.
pub const EBUSY: i32 = 16;
/// `EINVAL`.
pub const EINVAL: i32 = 22;
/// `ECANCELED`.
pub const ECANCELED: i32 = 125;

impl EmulatedDriver {
    /// The driver over `tree`, 4 CPUs, nothing held; its log goes to
    /// `tree.outside("kmsg")`, which starts with another driver's record.
    pub fn new(tree: &FakeTree) -> Self {
        let kmsg = tree.outside("kmsg");
        fs::write(&kmsg, "6,1,1000,-;usb 1-1: new high-speed USB device\n").expect("kmsg");
        Self {
            root: tree.root(),
            kmsg,
            state: std::sync::Mutex::new(AgentState {
                cpus: 4,
                seq: 1,
                ..AgentState::default()
            }),
        }
    }

    /// The kernel log file.
    pub fn kmsg(&self) -> PathBuf {
        self.kmsg.clone()
    }

    /// `uuid`'s image load answers "again" (so this driver's PRIME fails).
    pub fn prime_calls_again(&self, uuid: Uuid) {
        self.lock().calls_again.push(uuid);
    }

    /// `uuid`'s LFA_ACTIVATE fails (LFA_ACTIVATION_FAILED) after a good
    /// PRIME; the driver's own CANCEL then succeeds, and so does the write.
    pub fn activate_fails(&self, uuid: Uuid) {
        self.lock().activate_fails.push(uuid);
    }

    /// Every write fails with EACCES, as for a user who is not root.
    pub fn unprivileged(&self) {
        self.lock().unprivileged = true;
    }

    /// `activate` answers EBUSY, as while another activation runs.
    pub fn busy(&self) {
        self.lock().busy = true;
    }

    /// The next `activate` write sends on `entered`, then waits for
    /// `proceed` (an activation in flight, for as long as the test wants).
    pub fn gate(
        &self,
        entered: std::sync::mpsc::Sender<()>,
        proceed: std::sync::mpsc::Receiver<()>,
    ) {
        self.lock().gate = Some((entered, proceed));
    }

    /// Removes a gate that was not reached (so a waiting test ends).
    pub fn ungate(&self) {
        self.lock().gate = None;
    }

    /// What the agent holds now.
    pub fn held(&self) -> Option<Held> {
        self.lock().current
    }

    /// Every write of `activate` or `cancel`: component, file, errno.
    pub fn writes(&self) -> Vec<(Uuid, String, Option<i32>)> {
        self.lock().writes.clone()
    }

    /// The driver's lines in the kernel log so far (without headers).
    pub fn log(&self) -> Vec<String> {
        fs::read_to_string(&self.kmsg)
            .expect("kmsg")
            .lines()
            .filter_map(|l| l.split_once(';').map(|(_, t)| t.to_owned()))
            .filter(|t| t.starts_with("Arm LFA: "))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AgentState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn pr(&self, state: &mut AgentState, prio: u8, text: &str) {
        use std::io::Write as _;
        state.seq += 1;
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(&self.kmsg)
            .expect("kmsg");
        writeln!(
            f,
            "{prio},{},{},-;Arm LFA: {text}",
            state.seq,
            state.seq * 1000
        )
        .expect("kmsg");
    }

    fn read(&self, uuid: Uuid, file: &str) -> String {
        fs::read_to_string(self.root.join(uuid.to_string()).join(file))
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    fn set(&self, uuid: Uuid, file: &str, content: &str) {
        let path = self.root.join(uuid.to_string()).join(file);
        if path.exists() {
            fs::write(path, content).expect("update tree");
        }
    }

    /// The driver's activate_store: PRIME, then ACTIVATE (on every CPU),
    /// then its own CANCEL if ACTIVATE failed.
    fn activate(&self, state: &mut AgentState, uuid: Uuid) -> Result<(), i32> {
        if state.busy {
            return Err(EBUSY);
        }
        let name = self.read(uuid, "name");
        if self.read(uuid, "may_reset_cpu") == "1" {
            self.pr(state, 3, "CPU reset not supported by kernel driver");
            return Err(EINVAL);
        }
        let prime_failed = |s: &Self, state: &mut AgentState, status: &str| {
            s.pr(
                state,
                3,
                &format!("LFA_PRIME for image {name} failed: {status}"),
            );
            s.pr(state, 3, &format!("Firmware prime failed: {status}"));
            Err(ECANCELED)
        };
        match state.current {
            Some(Held::MidPrime(other)) if other != uuid => {
                return prime_failed(self, state, "LFA_WRONG_STATE");
            }
            _ => {}
        }
        if state.calls_again.contains(&uuid) {
            if state.current.is_none() {
                state.current = Some(Held::MidPrime(uuid));
            }
            return prime_failed(self, state, "LFA_NOT_SUPPORTED");
        }
        if let Some(Held::Activated(other)) = state.current {
            if other != uuid {
                // PRIME(uuid) returns 0, the agent keeps `other`: ACTIVATE
                // fails on every CPU, then the driver's CANCEL(uuid).
                for _ in 0..state.cpus {
                    self.pr(
                        state,
                        3,
                        &format!("ACTIVATE for image {name} failed: LFA_INVALID_PARAMETERS"),
                    );
                }
                self.pr(
                    state,
                    3,
                    "Firmware activation could not be cancelled: LFA_INVALID_PARAMETERS",
                );
                // The driver indexes its string table with -EINVAL.
                self.pr(state, 3, "Firmware activation failed: \\x8c\\x01");
                return Err(ECANCELED);
            }
        }
        if state.activate_fails.contains(&uuid) {
            for _ in 0..state.cpus {
                self.pr(
                    state,
                    3,
                    &format!("ACTIVATE for image {name} failed: LFA_ACTIVATION_FAILED"),
                );
            }
            // lfa_cancel of the primed component succeeds, and the driver
            // returns its 0 as the activation's result.
            state.current = None;
            self.pr(state, 6, &format!("Activation cancelled for image {name}"));
            self.pr(state, 6, "Firmware activation succeeded");
            return Ok(());
        }
        state.current = Some(Held::Activated(uuid));
        let staged = self.read(uuid, "pending_version");
        if !staged.is_empty() && staged != "N/A" {
            self.set(uuid, "current_version", &format!("{staged}\n"));
        }
        self.set(uuid, "pending_version", "N/A\n");
        self.set(uuid, "activation_pending", "0\n");
        self.pr(state, 6, "Firmware activation succeeded");
        Ok(())
    }

    /// The driver's cancel_store (lfa_cancel).
    fn cancel(&self, state: &mut AgentState, uuid: Uuid) -> Result<(), i32> {
        let current = match state.current {
            Some(Held::MidPrime(u) | Held::Activated(u)) => Some(u),
            None => None,
        };
        if current == Some(uuid) {
            state.current = None;
            let name = self.read(uuid, "name");
            self.pr(state, 6, &format!("Activation cancelled for image {name}"));
            Ok(())
        } else {
            self.pr(
                state,
                3,
                "Firmware activation could not be cancelled: LFA_INVALID_PARAMETERS",
            );
            Err(EINVAL)
        }
    }
}

impl lfa_sysfs::FileAccess for EmulatedDriver {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        lfa_sysfs::RealFs.read(path)
    }

    fn write(&self, path: &Path, contents: &[u8]) -> std::io::Result<()> {
        use lfa_sysfs::RealFs;
        let err = |errno| Err(std::io::Error::from_raw_os_error(errno));
        let uuid = path
            .parent()
            .filter(|dir| dir.parent() == Some(self.root.as_path()))
            .and_then(|dir| dir.file_name()?.to_str()?.parse::<Uuid>().ok());
        let (Some(uuid), Some(file)) = (uuid, path.file_name().and_then(|f| f.to_str())) else {
            return RealFs.write(path, contents);
        };
        if !path.exists() {
            return RealFs.write(path, contents); // NotFound, as the kernel
        }
        let mut state = self.lock();
        if state.unprivileged {
            return err(EACCES);
        }
        let result = match file {
            "activate" => {
                if let Some((entered, proceed)) = state.gate.take() {
                    drop(state);
                    let _ = entered.send(());
                    let _ = proceed.recv();
                    state = self.lock();
                }
                self.activate(&mut state, uuid)
            }
            "cancel" => self.cancel(&mut state, uuid),
            "force_cpu_rendezvous" | "auto_activate" => {
                let text = String::from_utf8_lossy(contents);
                return match text.trim() {
                    "0" | "1" | "y" | "n" | "on" | "off" => RealFs.write(path, contents),
                    _ => err(EINVAL),
                };
            }
            _ => return err(EACCES), // a read-only attribute
        };
        state.writes.push((uuid, file.to_owned(), result.err()));
        result.or_else(err)
    }

    fn subdirectories(&self, path: &Path) -> std::io::Result<Vec<std::ffi::OsString>> {
        lfa_sysfs::RealFs.subdirectories(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        lfa_sysfs::RealFs.is_dir(path)
    }
}
