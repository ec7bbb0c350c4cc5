// SPDX-License-Identifier: MIT OR Apache-2.0
//! The sysfs backend against fake trees: the current ABI, an older ABI
//! without the newer files, garbage content, odd trees, writes, real
//! permission bits (when not root), and the same component model as the
//! SMCCC client.

#[path = "sysfs_support.rs"]
mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use lfa_client::Client;
use lfa_proto::components::{BL33, TF_RMM, TFA_BL31};
use lfa_proto::{FirmwareVersion, InventoryFlags, Uuid};
use lfa_sim::SimAgent;
use lfa_sysfs::{Change, ComponentInfo, ErrorClass, Operation, Sysfs, SysfsError, Watcher, select};
use support::{FakeComponent, FakeTree, VENDOR, running_as_root};

const CAPABLE: InventoryFlags = InventoryFlags::ACTIVATION_CAPABLE;
const PENDING: InventoryFlags = InventoryFlags::ACTIVATION_PENDING;
const OPTIONAL: InventoryFlags = InventoryFlags::CPU_RENDEZVOUS_OPTIONAL;

#[test]
fn current_abi_lists_every_component_sorted_with_every_field() {
    let tree = FakeTree::demo();
    let list = Sysfs::new(tree.root()).components().unwrap();
    let uuids: Vec<Uuid> = list.iter().map(ComponentInfo::uuid).collect();
    assert_eq!(uuids, [TFA_BL31.uuid, TF_RMM.uuid, VENDOR, BL33.uuid]);

    let [bl31, rmm, vendor, bl33] = <[ComponentInfo; 4]>::try_from(list).unwrap();
    assert_eq!(bl31.name(), Some("TF-A BL31 runtime"));
    assert_eq!(bl31.flags(), CAPABLE | PENDING);
    assert!(bl31.rendezvous_required() && bl31.is_activatable());
    assert_eq!(bl31.current_version(), Some(FirmwareVersion::new(2, 12)));
    assert_eq!(bl31.pending_version(), Some(FirmwareVersion::new(2, 13)));
    assert!(bl31.versions_reported());
    assert_eq!(bl31.force_cpu_rendezvous(), Some(true));
    assert_eq!(bl31.auto_activate(), Some(false));
    assert_eq!(bl31.seq_id(), None, "the kernel hides sequence ids");

    assert_eq!(rmm.flags(), CAPABLE | PENDING | OPTIONAL);
    assert!(!rmm.rendezvous_required());
    assert!(rmm.activates_with_rendezvous(), "forced by default");

    // The kernel shows the GUID as the name of an unknown component: no name.
    assert_eq!(vendor.name(), None);
    assert_eq!(vendor.flags(), CAPABLE);
    assert_eq!(vendor.pending_version(), None, "N/A");

    assert_eq!(bl33.flags(), InventoryFlags::empty());
    assert_eq!(bl33.current_version(), Some(FirmwareVersion::new(2024, 1)));
}

#[test]
fn may_reset_cpu_and_settings_are_read() {
    let tree = FakeTree::with(&[FakeComponent::new(VENDOR, "Vendor")
        .set("may_reset_cpu", "1\n")
        .set("cpu_rendezvous", "0\n")
        .set("force_cpu_rendezvous", "0\n")
        .set("auto_activate", "1\n")]);
    let c = Sysfs::new(tree.root()).component(VENDOR).unwrap();
    assert_eq!(
        c.flags(),
        CAPABLE | InventoryFlags::MAY_RESET_CPU | OPTIONAL
    );
    assert_eq!(c.force_cpu_rendezvous(), Some(false));
    assert_eq!(c.auto_activate(), Some(true));
    assert!(!c.activates_with_rendezvous());
}

#[test]
fn name_placeholders_are_no_name_and_known_uuids_keep_theirs() {
    for placeholder in ["(unknown)\n", "\n", ""] {
        let tree = FakeTree::with(&[
            FakeComponent::new(VENDOR, "x").set("name", placeholder),
            FakeComponent::new(TF_RMM.uuid, "x").set("name", placeholder),
        ]);
        let lfa = Sysfs::new(tree.root());
        assert_eq!(
            lfa.component(VENDOR).unwrap().name(),
            None,
            "{placeholder:?}"
        );
        // The kernel gave no name; the UUID is well known.
        assert_eq!(lfa.component(TF_RMM.uuid).unwrap().name(), Some("TF-RMM"));
    }
    // Upper-case GUID as the name is still the GUID.
    let tree = FakeTree::with(&[FakeComponent::new(
        VENDOR,
        &VENDOR.to_string().to_uppercase(),
    )]);
    assert_eq!(
        Sysfs::new(tree.root()).component(VENDOR).unwrap().name(),
        None
    );
}

#[test]
fn versions_zero_and_not_pending_are_unknown_as_in_the_smccc_client() {
    let tree = FakeTree::with(&[
        // TF-A leaves x4/x5 alone: the kernel prints 0.0.
        FakeComponent::new(VENDOR, "Vendor").pending("0.0", "0.0"),
        // A stale pending version while nothing is pending is not shown.
        FakeComponent::new(TF_RMM.uuid, "TF-RMM").set("pending_version", "9.9\n"),
    ]);
    let lfa = Sysfs::new(tree.root());
    let vendor = lfa.component(VENDOR).unwrap();
    assert_eq!(
        (vendor.current_version(), vendor.pending_version()),
        (None, None)
    );
    assert!(vendor.versions_reported());
    let rmm = lfa.component(TF_RMM.uuid).unwrap();
    assert_eq!(rmm.current_version(), Some(FirmwareVersion::new(1, 0)));
    assert_eq!(rmm.pending_version(), None);
}

#[test]
fn whitespace_around_values_is_accepted() {
    let tree = FakeTree::with(&[FakeComponent::new(VENDOR, "  Vendor X \n")
        .set("activation_pending", " 1 \n\n")
        .set("current_version", "\t3.4  \n")
        .set("pending_version", "3.5")]);
    let c = Sysfs::new(tree.root()).component(VENDOR).unwrap();
    assert_eq!(c.name(), Some("Vendor X"));
    assert!(c.is_pending());
    assert_eq!(c.current_version(), Some(FirmwareVersion::new(3, 4)));
    assert_eq!(c.pending_version(), Some(FirmwareVersion::new(3, 5)));
}

#[test]
fn older_abi_lists_without_versions_and_auto_activate() {
    let tree = FakeTree::with(&[FakeComponent::new(TF_RMM.uuid, "TF-RMM")
        .pending("0.7", "0.8")
        .older_abi()]);
    let lfa = Sysfs::new(tree.root());
    let rmm = lfa.component(TF_RMM.uuid).unwrap();
    assert!(rmm.is_activatable());
    assert!(!rmm.versions_reported());
    assert_eq!((rmm.current_version(), rmm.pending_version()), (None, None));
    assert_eq!(rmm.auto_activate(), None);
    assert_eq!(rmm.force_cpu_rendezvous(), Some(true));

    let err = lfa.auto_activate(TF_RMM.uuid).unwrap_err();
    assert!(
        matches!(&err, SysfsError::MissingFile { file: "auto_activate", path } if *path == tree.path(TF_RMM.uuid, "auto_activate")),
        "{err:?}"
    );
    assert!(err.to_string().contains("older ABI"), "{err}");
    assert_eq!(err.class(), ErrorClass::System);

    let before = tree.snapshot();
    let err = lfa.set_auto_activate(TF_RMM.uuid, true).unwrap_err();
    assert!(
        matches!(
            err,
            SysfsError::MissingFile {
                file: "auto_activate",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(tree.snapshot(), before, "no file was created");
}

#[test]
fn a_missing_required_file_is_an_error_naming_it() {
    for file in [
        "name",
        "activation_capable",
        "activation_pending",
        "may_reset_cpu",
        "cpu_rendezvous",
        "force_cpu_rendezvous",
    ] {
        let tree = FakeTree::with(&[FakeComponent::new(VENDOR, "Vendor").without(file)]);
        let err = Sysfs::new(tree.root()).components().unwrap_err();
        match &err {
            SysfsError::MissingFile { file: f, path } => {
                assert_eq!(*f, file);
                assert_eq!(*path, tree.path(VENDOR, file));
            }
            other => panic!("{file}: {other:?}"),
        }
        assert!(
            err.to_string()
                .contains("every version of the LFA driver has it")
        );
    }
}

#[test]
fn garbage_content_is_unparsable_with_path_content_and_expectation() {
    let cases: [(&str, &[u8], &str); 9] = [
        ("activation_capable", b"2\n", "0 or 1"),
        ("activation_pending", b"yes\n", "0 or 1"),
        ("may_reset_cpu", b"\n", "0 or 1"),
        ("cpu_rendezvous", b"-1\n", "0 or 1"),
        ("force_cpu_rendezvous", b"true", "0 or 1"),
        ("auto_activate", b"on\n", "0 or 1"),
        ("current_version", b"1.x\n", "maj.min or N/A"),
        ("pending_version", b"4294967296.0\n", "maj.min or N/A"),
        ("name", b"\xff\xfe\n", "UTF-8 text"),
    ];
    for (file, content, expected) in cases {
        let tree = FakeTree::with(&[FakeComponent::new(VENDOR, "Vendor")]);
        fs::write(tree.path(VENDOR, file), content).unwrap();
        let err = Sysfs::new(tree.root()).component(VENDOR).unwrap_err();
        match &err {
            SysfsError::Unparsable {
                path,
                content: c,
                expected: e,
            } => {
                assert_eq!(*path, tree.path(VENDOR, file), "{file}");
                assert_eq!(*e, expected, "{file}");
                assert_eq!(*c, String::from_utf8_lossy(content).trim(), "{file}");
            }
            other => panic!("{file}: {other:?}"),
        }
        assert_eq!(err.class(), ErrorClass::System);
    }
}

#[test]
fn no_root_a_file_as_root_and_an_empty_root() {
    let tree = FakeTree::new();
    let missing = Sysfs::new(tree.outside("nowhere"));
    let err = missing.components().unwrap_err();
    assert!(matches!(err, SysfsError::NoLfaDirectory { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("no LFA driver loaded, or the firmware has no LFA agent")
    );
    assert!(matches!(
        missing.component(VENDOR),
        Err(SysfsError::NoLfaDirectory { .. })
    ));
    assert!(matches!(
        missing.activate(VENDOR),
        Err(SysfsError::NoLfaDirectory { .. })
    ));

    fs::write(tree.outside("file"), "").unwrap();
    assert!(matches!(
        Sysfs::new(tree.outside("file")).components(),
        Err(SysfsError::NoLfaDirectory { .. })
    ));

    assert_eq!(Sysfs::new(tree.root()).components().unwrap(), []);
}

#[test]
fn a_directory_not_named_by_a_uuid_is_an_error_and_files_are_ignored() {
    let tree = FakeTree::demo();
    fs::write(tree.root().join("README"), "not a component").unwrap();
    assert_eq!(Sysfs::new(tree.root()).components().unwrap().len(), 4);
    fs::create_dir(tree.root().join("not-a-uuid")).unwrap();
    let err = Sysfs::new(tree.root()).components().unwrap_err();
    assert!(
        matches!(&err, SysfsError::BadEntryName { path } if *path == tree.root().join("not-a-uuid")),
        "{err:?}"
    );
}

#[test]
fn find_by_uuid_name_and_prefix_and_the_errors() {
    let tree = FakeTree::with(&[
        FakeComponent::new(TF_RMM.uuid, "TF-RMM"),
        FakeComponent::new(VENDOR, "Vendor A"),
        FakeComponent::new(Uuid::from_u128(2), "Vendor B"),
    ]);
    let lfa = Sysfs::new(tree.root());
    assert_eq!(
        lfa.find(&TF_RMM.uuid.to_string()).unwrap().uuid(),
        TF_RMM.uuid
    );
    let upper_simple = TF_RMM.uuid.simple().to_string().to_uppercase();
    assert_eq!(lfa.find(&upper_simple).unwrap().uuid(), TF_RMM.uuid);
    assert_eq!(lfa.find("tf-rmm").unwrap().uuid(), TF_RMM.uuid);
    assert_eq!(lfa.find(" vendor a ").unwrap().uuid(), VENDOR);
    assert_eq!(lfa.find("TF").unwrap().uuid(), TF_RMM.uuid, "unique prefix");

    let err = lfa.find("vendor").unwrap_err();
    match &err {
        SysfsError::AmbiguousName { name, matches } => {
            assert_eq!(name, "vendor");
            assert_eq!(*matches, [Uuid::from_u128(2), VENDOR]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.class(), ErrorClass::Usage);

    let err = lfa.find("BL31").unwrap_err();
    assert!(matches!(&err, SysfsError::NoSuchComponent { query, .. } if query == "BL31"));
    assert_eq!(err.class(), ErrorClass::Usage);
    let absent = Uuid::from_u128(99);
    assert!(matches!(
        lfa.find(&absent.to_string()),
        Err(SysfsError::NoSuchComponent { .. })
    ));
    assert!(matches!(
        lfa.cancel(absent),
        Err(SysfsError::NoSuchComponent { .. })
    ));
}

#[test]
fn activation_pending_is_read_afresh_every_time() {
    let tree = FakeTree::with(&[FakeComponent::new(VENDOR, "Vendor")]);
    let lfa = Sysfs::new(tree.root());
    assert!(!lfa.is_pending(VENDOR).unwrap());
    tree.write(VENDOR, "activation_pending", "1\n");
    assert!(lfa.is_pending(VENDOR).unwrap());
    assert!(lfa.component(VENDOR).unwrap().is_pending());
    tree.write(VENDOR, "activation_pending", "0\n");
    assert!(!lfa.find("vendor").unwrap().is_pending());
}

#[test]
fn writes_go_to_exactly_one_file_with_exactly_the_value() {
    let tree = FakeTree::demo();
    let lfa = Sysfs::new(tree.root());
    type Write = fn(&Sysfs) -> Result<(), SysfsError>;
    let cases: [(&str, &str, Write); 6] = [
        ("activate", "1", |l| l.activate(TF_RMM.uuid)),
        ("cancel", "1", |l| l.cancel(TF_RMM.uuid)),
        ("force_cpu_rendezvous", "0", |l| {
            l.set_force_cpu_rendezvous(TF_RMM.uuid, false)
        }),
        ("force_cpu_rendezvous", "1", |l| {
            l.set_force_cpu_rendezvous(TF_RMM.uuid, true)
        }),
        ("auto_activate", "1", |l| {
            l.set_auto_activate(TF_RMM.uuid, true)
        }),
        ("auto_activate", "0", |l| {
            l.set_auto_activate(TF_RMM.uuid, false)
        }),
    ];
    for (file, value, op) in cases {
        let before = tree.snapshot();
        op(&lfa).unwrap();
        let after = tree.snapshot();
        let changed: Vec<_> = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| b != a)
            .map(|(_, a)| a.clone())
            .collect();
        let expected_change = before
            .iter()
            .any(|(p, c)| *p == tree.path(TF_RMM.uuid, file) && c != value.as_bytes());
        if expected_change {
            assert_eq!(
                changed,
                [(tree.path(TF_RMM.uuid, file), value.as_bytes().to_vec())]
            );
        } else {
            assert!(changed.is_empty());
        }
        assert_eq!(tree.read(TF_RMM.uuid, file), value, "{file}");
    }
    assert!(lfa.force_cpu_rendezvous(TF_RMM.uuid).unwrap());
    assert!(!lfa.auto_activate(TF_RMM.uuid).unwrap());
}

#[test]
fn a_missing_activate_file_is_missing_file_not_a_new_file() {
    let tree = FakeTree::with(&[FakeComponent::new(VENDOR, "Vendor").without("activate")]);
    let err = Sysfs::new(tree.root()).activate(VENDOR).unwrap_err();
    assert!(
        matches!(
            err,
            SysfsError::MissingFile {
                file: "activate",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!tree.path(VENDOR, "activate").exists());
}

#[test]
fn real_permission_bits_deny_reads_and_writes_when_not_root() {
    if running_as_root() {
        println!(
            "note: running as root, where mode bits do not deny access; real permission bits are \
             not tested here (EACCES is injected through the access layer in sysfs_faults)"
        );
        return;
    }
    let tree = FakeTree::demo();
    let lfa = Sysfs::new(tree.root());
    let pending = tree.path(TF_RMM.uuid, "activation_pending");
    fs::set_permissions(&pending, fs::Permissions::from_mode(0o000)).unwrap();
    let err = lfa.component(TF_RMM.uuid).unwrap_err();
    assert!(
        matches!(&err, SysfsError::PermissionDenied { path, operation: Operation::Read } if *path == pending),
        "{err:?}"
    );
    assert!(err.to_string().contains("run as root"));

    let activate = tree.path(TF_RMM.uuid, "activate");
    fs::set_permissions(&activate, fs::Permissions::from_mode(0o444)).unwrap();
    let err = lfa.activate(TF_RMM.uuid).unwrap_err();
    assert!(
        matches!(&err, SysfsError::PermissionDenied { path, operation: Operation::Write } if *path == activate),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::System);
}

#[test]
fn the_watcher_reports_pending_changes_appearances_and_disappearances() {
    let tree = FakeTree::with(&[
        FakeComponent::new(TF_RMM.uuid, "TF-RMM"),
        FakeComponent::new(VENDOR, "Vendor"),
    ]);
    let lfa = Sysfs::new(tree.root());
    let mut watcher = Watcher::new();
    let first = watcher.observe(&lfa.components().unwrap());
    assert_eq!(
        first,
        [
            Change::Appeared {
                uuid: TF_RMM.uuid,
                name: Some("TF-RMM".into()),
                pending: false
            },
            Change::Appeared {
                uuid: VENDOR,
                name: Some("Vendor".into()),
                pending: false
            },
        ]
    );
    assert_eq!(watcher.observe(&lfa.components().unwrap()), []);

    tree.write(TF_RMM.uuid, "activation_pending", "1\n");
    assert_eq!(
        watcher.observe(&lfa.components().unwrap()),
        [Change::PendingChanged {
            uuid: TF_RMM.uuid,
            name: Some("TF-RMM".into()),
            pending: true
        }]
    );

    // After an activation the kernel re-enumerates: one goes, one comes.
    tree.remove(VENDOR);
    tree.add(&FakeComponent::new(BL33.uuid, BL33.name).pending("1.0", "1.1"));
    tree.write(TF_RMM.uuid, "activation_pending", "0\n");
    assert_eq!(
        watcher.observe(&lfa.components().unwrap()),
        [
            Change::PendingChanged {
                uuid: TF_RMM.uuid,
                name: Some("TF-RMM".into()),
                pending: false
            },
            Change::Appeared {
                uuid: BL33.uuid,
                name: Some(BL33.name.into()),
                pending: true
            },
            Change::Disappeared {
                uuid: VENDOR,
                name: Some("Vendor".into())
            },
        ]
    );
}

/// The kernel's view of the simulated agent's inventory, written in the
/// kernel's formats, reads back as the same `ComponentInfo` the SMCCC client
/// gives for it: one model for both backends.
#[test]
fn sysfs_and_smccc_client_give_the_same_component_model() {
    let agent = SimAgent::demo();
    let client = Client::discover(&agent).unwrap();
    let from_client: Vec<ComponentInfo> = client
        .components()
        .unwrap()
        .map(|c| ComponentInfo::from(&c.unwrap()))
        .collect();
    assert_eq!(from_client.len(), 4);

    let tree = FakeTree::new();
    for c in &from_client {
        let f = |b: bool| if b { "1\n" } else { "0\n" };
        let v = |v: Option<FirmwareVersion>| v.map_or("N/A\n".to_owned(), |v| format!("{v}\n"));
        let name = c.name().map_or(c.uuid().to_string(), str::to_owned);
        tree.add(
            &FakeComponent::new(c.uuid(), &name)
                .set("activation_capable", f(c.is_capable()))
                .set("activation_pending", f(c.is_pending()))
                .set("may_reset_cpu", f(c.may_reset_cpu()))
                .set("cpu_rendezvous", f(c.rendezvous_required()))
                .set("current_version", &v(c.current_version()))
                .set("pending_version", &v(c.pending_version())),
        );
    }
    let lfa = Sysfs::new(tree.root());
    for expected in &from_client {
        let got = lfa.component(expected.uuid()).unwrap();
        assert_eq!(got.uuid(), expected.uuid());
        assert_eq!(got.name(), expected.name());
        assert_eq!(got.flags(), expected.flags());
        assert_eq!(got.current_version(), expected.current_version());
        assert_eq!(got.pending_version(), expected.pending_version());
        // What only one side knows.
        assert_eq!(
            (got.seq_id(), expected.force_cpu_rendezvous()),
            (None, None)
        );
        assert!(expected.seq_id().is_some() && got.force_cpu_rendezvous().is_some());
    }
    // And select() finds the same component in either list.
    let by_name = select(from_client, "tf-rmm", "sim".as_ref()).unwrap();
    assert_eq!(by_name.uuid(), lfa.find("tf-rmm").unwrap().uuid());
}

/// A directory listed but gone before its files are read (the kernel
/// re-enumerating after an activation) is left out of the list, while a
/// component asked for by UUID is `NoSuchComponent`.
#[test]
fn a_component_that_vanishes_while_listing_is_left_out() {
    use lfa_sysfs::{FileAccess, RealFs};
    use std::ffi::OsString;
    use std::io;
    use std::path::{Path, PathBuf};

    /// Lists one more directory than there is.
    struct Phantom(PathBuf);
    impl FileAccess for Phantom {
        fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
            RealFs.read(path)
        }
        fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
            RealFs.write(path, contents)
        }
        fn subdirectories(&self, path: &Path) -> io::Result<Vec<OsString>> {
            let mut names = RealFs.subdirectories(path)?;
            names.push(self.0.clone().into_os_string());
            Ok(names)
        }
        fn is_dir(&self, path: &Path) -> bool {
            RealFs.is_dir(path)
        }
    }

    let tree = FakeTree::with(&[FakeComponent::new(TF_RMM.uuid, "TF-RMM")]);
    let lfa = Sysfs::with_access(tree.root(), Phantom(VENDOR.to_string().into()));
    assert_eq!(lfa.uuids().unwrap(), [TF_RMM.uuid, VENDOR]);
    let list = lfa.components().unwrap();
    assert_eq!(
        list.iter().map(ComponentInfo::uuid).collect::<Vec<_>>(),
        [TF_RMM.uuid]
    );
    assert!(matches!(
        lfa.component(VENDOR),
        Err(SysfsError::NoSuchComponent { .. })
    ));
}
