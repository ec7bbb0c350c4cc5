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
