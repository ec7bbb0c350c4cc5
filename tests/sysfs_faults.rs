// SPDX-License-Identifier: MIT OR Apache-2.0
//! Error injection through the sysfs backend's file access layer: the errno
//! values the kernel returns from writes (EBUSY, ECANCELED, EINVAL, ENODEV),
//! permission errors (EACCES, EPERM, which a root test run cannot get from
//! mode bits) and other I/O errors, each to its typed error.

#[path = "sysfs_support.rs"]
mod support;

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use lfa_proto::components::TF_RMM;
use lfa_sysfs::{ErrorClass, FileAccess, Operation, RealFs, Sysfs, SysfsError};
use support::FakeTree;

const EPERM: i32 = 1;
const EIO: i32 = 5;
const EACCES: i32 = 13;
const EBUSY: i32 = 16;
const ENODEV: i32 = 19;
const EINVAL: i32 = 22;
const ECANCELED: i32 = 125;

/// The real file system, except that operations on files with a given name
/// fail with a given errno; records every write it is asked for.
#[derive(Default)]
struct Faulty {
    read_faults: Vec<(&'static str, i32)>,
    write_faults: Vec<(&'static str, i32)>,
    list_fault: Option<i32>,
    writes: Mutex<Vec<(PathBuf, Vec<u8>)>>,
}

impl Faulty {
    fn fail_write(file: &'static str, errno: i32) -> Self {
        Self {
            write_faults: vec![(file, errno)],
            ..Self::default()
        }
    }

    fn fail_read(file: &'static str, errno: i32) -> Self {
        Self {
            read_faults: vec![(file, errno)],
            ..Self::default()
        }
    }

    fn writes(&self) -> Vec<(PathBuf, Vec<u8>)> {
        self.writes.lock().unwrap().clone()
    }
}

fn fault(faults: &[(&'static str, i32)], path: &Path) -> Option<io::Error> {
    let name = path.file_name()?.to_str()?;
    faults
        .iter()
        .find(|(f, _)| *f == name)
        .map(|(_, errno)| io::Error::from_raw_os_error(*errno))
}

impl FileAccess for Faulty {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match fault(&self.read_faults, path) {
            Some(e) => Err(e),
            None => RealFs.read(path),
        }
    }

    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        self.writes
            .lock()
            .unwrap()
            .push((path.to_path_buf(), contents.to_vec()));
        match fault(&self.write_faults, path) {
            Some(e) => Err(e),
            None => RealFs.write(path, contents),
        }
    }

    fn subdirectories(&self, path: &Path) -> io::Result<Vec<OsString>> {
        match self.list_fault {
            Some(errno) => Err(io::Error::from_raw_os_error(errno)),
            None => RealFs.subdirectories(path),
        }
    }

    fn is_dir(&self, path: &Path) -> bool {
        RealFs.is_dir(path)
    }
}

fn activate_with(faulty: &Faulty) -> (FakeTree, SysfsError) {
    let tree = FakeTree::demo();
    let err = Sysfs::with_access(tree.root(), faulty)
        .activate(TF_RMM.uuid)
        .unwrap_err();
    (tree, err)
}

#[test]
fn ebusy_from_activate_is_busy_another_activation_running() {
    let faulty = Faulty::fail_write("activate", EBUSY);
    let (tree, err) = activate_with(&faulty);
    let path = tree.path(TF_RMM.uuid, "activate");
    assert!(
        matches!(&err, SysfsError::Busy { path: p } if *p == path),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Refused);
    assert_eq!(err.errno(), Some(EBUSY));
    assert_eq!(
        err.to_string(),
        format!(
            "the kernel answered EBUSY writing {}: another activation is running",
            path.display()
        )
    );
    // Exactly one write, of "1", to that component's activate file.
    assert_eq!(faulty.writes(), [(path, b"1".to_vec())]);
}

#[test]
fn ecanceled_from_activate_is_activation_failed() {
    let faulty = Faulty::fail_write("activate", ECANCELED);
    let (tree, err) = activate_with(&faulty);
    assert!(
        matches!(err, SysfsError::ActivationFailed { .. }),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Refused);
    assert_eq!(err.errno(), Some(ECANCELED));
    let message = err.to_string();
    assert!(
        message.contains("the activation was not completed"),
        "{message}"
    );
    assert!(
        message.contains("the kernel does not say whether it cancelled anything"),
        "{message}"
    );
    assert!(!message.contains("was cancelled"), "{message}");
    assert_eq!(faulty.writes().len(), 1);
    // The fake file was not written: the fault happened instead.
    assert_eq!(tree.read(TF_RMM.uuid, "activate"), "");
}

#[test]
fn eacces_and_eperm_from_writes_are_permission_denied() {
    for errno in [EACCES, EPERM] {
        let faulty = Faulty::fail_write("activate", errno);
        let (tree, err) = activate_with(&faulty);
        let path = tree.path(TF_RMM.uuid, "activate");
        assert!(
            matches!(&err, SysfsError::PermissionDenied { path: p, operation: Operation::Write } if *p == path),
            "{errno}: {err:?}"
        );
        assert_eq!(err.class(), ErrorClass::System);
        assert!(err.to_string().ends_with(": run as root"), "{err}");
    }
    for (file, call) in [
        (
            "cancel",
            (|l| l.cancel(TF_RMM.uuid)) as fn(&Sysfs<&Faulty>) -> Result<(), SysfsError>,
        ),
        ("auto_activate", |l| l.set_auto_activate(TF_RMM.uuid, true)),
        ("force_cpu_rendezvous", |l| {
            l.set_force_cpu_rendezvous(TF_RMM.uuid, false)
        }),
    ] {
        let faulty = Faulty::fail_write(file, EACCES);
        let tree = FakeTree::demo();
        let err = call(&Sysfs::with_access(tree.root(), &faulty)).unwrap_err();
        assert!(
            matches!(
                err,
                SysfsError::PermissionDenied {
                    operation: Operation::Write,
                    ..
                }
            ),
            "{file}: {err:?}"
        );
    }
}

#[test]
fn eacces_from_reads_and_listing_is_permission_denied() {
    let tree = FakeTree::demo();
    let faulty = Faulty::fail_read("activation_pending", EACCES);
    let lfa = Sysfs::with_access(tree.root(), &faulty);
    for err in [
        lfa.components().unwrap_err(),
        lfa.is_pending(TF_RMM.uuid).unwrap_err(),
        lfa.find("tf-rmm").unwrap_err(),
    ] {
        assert!(
            matches!(&err, SysfsError::PermissionDenied { path, operation: Operation::Read }
                if path.ends_with("activation_pending") && path.starts_with(tree.root())),
            "{err:?}"
        );
    }
    let faulty = Faulty {
        list_fault: Some(EACCES),
        ..Faulty::default()
    };
    let err = Sysfs::with_access(tree.root(), &faulty)
        .components()
        .unwrap_err();
    assert!(
        matches!(&err, SysfsError::PermissionDenied { path, operation: Operation::List } if *path == tree.root()),
        "{err:?}"
    );
}

#[test]
fn einval_and_enodev_are_refusals_with_their_errno() {
    let tree = FakeTree::demo();
    let faulty = Faulty::fail_write("cancel", EINVAL);
    let err = Sysfs::with_access(tree.root(), &faulty)
        .cancel(TF_RMM.uuid)
        .unwrap_err();
    assert!(
        matches!(err, SysfsError::Refused { errno: EINVAL, .. }),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::Refused);
    assert!(
        err.to_string()
            .contains("EINVAL: the firmware or the driver refused")
    );

    let faulty = Faulty::fail_write("activate", ENODEV);
    let (_, err) = activate_with(&faulty);
    assert!(
        matches!(err, SysfsError::Refused { errno: ENODEV, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("no longer valid; list again"));
}

#[test]
fn other_io_errors_are_io_with_the_operation_and_errno() {
    let faulty = Faulty::fail_write("activate", EIO);
    let (tree, err) = activate_with(&faulty);
    assert!(
        matches!(&err, SysfsError::Io { path, operation: Operation::Write, .. } if *path == tree.path(TF_RMM.uuid, "activate")),
        "{err:?}"
    );
    assert_eq!(err.errno(), Some(EIO));
    assert_eq!(err.class(), ErrorClass::System);

    let faulty = Faulty::fail_read("name", EIO);
    let err = Sysfs::with_access(tree.root(), &faulty)
        .component(TF_RMM.uuid)
        .unwrap_err();
    assert!(
        matches!(
            err,
            SysfsError::Io {
                operation: Operation::Read,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn faults_on_one_file_leave_the_others_working() {
    let tree = FakeTree::demo();
    let faulty = Faulty::fail_write("activate", EBUSY);
    let lfa = Sysfs::with_access(tree.root(), &faulty);
    assert_eq!(lfa.components().unwrap().len(), 4);
    lfa.cancel(TF_RMM.uuid).unwrap();
    assert_eq!(tree.read(TF_RMM.uuid, "cancel"), "1");
    assert!(matches!(
        lfa.activate(TF_RMM.uuid),
        Err(SysfsError::Busy { .. })
    ));
    assert_eq!(faulty.writes().len(), 2);
}
