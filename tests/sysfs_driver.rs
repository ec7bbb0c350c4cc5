// SPDX-License-Identifier: MIT OR Apache-2.0
//! The sysfs backend against the emulated Linux driver on TF-A
//! (`sysfs_support.rs`, `EmulatedDriver`): each errno the driver returns is
//! the typed error it means, and the firmware state the driver leaves
//! behind (a failed PRIME, a completed activation) holds until a cancel.

#[path = "sysfs_support.rs"]
mod support;

use lfa_proto::components::{BL33, TF_RMM, TFA_BL31};
use lfa_sysfs::{ErrorClass, FileAccess, Sysfs, SysfsError};
use support::{EACCES, ECANCELED, EINVAL, EmulatedDriver, FakeTree, Held};

fn bench() -> (FakeTree, EmulatedDriver) {
    let tree = FakeTree::demo();
    let driver = EmulatedDriver::new(&tree);
    (tree, driver)
}

#[test]
fn a_failed_prime_is_activation_failed_and_holds_until_its_cancel() {
    let (tree, driver) = bench();
    driver.prime_calls_again(TF_RMM.uuid);
    let lfa = Sysfs::with_access(tree.root(), &driver);
    let err = lfa.activate(TF_RMM.uuid).unwrap_err();
    assert!(
        matches!(err, SysfsError::ActivationFailed { .. }),
        "{err:?}"
    );
    assert_eq!(err.errno(), Some(ECANCELED));
    assert_eq!(driver.held(), Some(Held::MidPrime(TF_RMM.uuid)));
    // Another component cannot be primed meanwhile.
    let err = lfa.activate(TFA_BL31.uuid).unwrap_err();
    assert!(
        matches!(err, SysfsError::ActivationFailed { .. }),
        "{err:?}"
    );
    assert_eq!(
        driver.log()[2..],
        [
            "Arm LFA: LFA_PRIME for image TF-A BL31 runtime failed: LFA_WRONG_STATE",
            "Arm LFA: Firmware prime failed: LFA_WRONG_STATE",
        ]
    );
    // The other component's cancel is refused (EINVAL); the first one's
    // releases the firmware; then the other activates.
    let err = lfa.cancel(TFA_BL31.uuid).unwrap_err();
    assert!(
        matches!(err, SysfsError::Refused { errno: EINVAL, .. }),
        "{err:?}"
    );
    assert_eq!(driver.held(), Some(Held::MidPrime(TF_RMM.uuid)));
    lfa.cancel(TF_RMM.uuid).unwrap();
    assert_eq!(driver.held(), None);
    lfa.activate(TFA_BL31.uuid).unwrap();
    assert_eq!(driver.held(), Some(Held::Activated(TFA_BL31.uuid)));
    let bl31 = lfa.component(TFA_BL31.uuid).unwrap();
    assert!(!bl31.is_pending());
    assert_eq!(
        bl31.current_version().map(|v| v.to_string()).as_deref(),
        Some("2.13")
    );
}

#[test]
fn a_completed_activation_holds_until_its_cancel_also_after_completion() {
    let (tree, driver) = bench();
    let lfa = Sysfs::with_access(tree.root(), &driver);
    lfa.activate(TF_RMM.uuid).unwrap();
    assert!(!lfa.is_pending(TF_RMM.uuid).unwrap());
    let err = lfa.activate(TFA_BL31.uuid).unwrap_err();
    assert!(
        matches!(err, SysfsError::ActivationFailed { .. }),
        "{err:?}"
    );
    assert!(lfa.is_pending(TFA_BL31.uuid).unwrap(), "not activated");
    assert_eq!(driver.held(), Some(Held::Activated(TF_RMM.uuid)));
    lfa.cancel(TF_RMM.uuid).unwrap();
    lfa.activate(TFA_BL31.uuid).unwrap();
    // Nothing is held for TF-RMM any more: its second cancel is refused.
    let err = lfa.cancel(TF_RMM.uuid).unwrap_err();
    assert_eq!(err.class(), ErrorClass::Refused);
    assert_eq!(
        driver.log().last().map(String::as_str),
        Some("Arm LFA: Firmware activation could not be cancelled: LFA_INVALID_PARAMETERS")
    );
}

#[test]
fn eacces_ebusy_and_einval_are_typed() {
    let (tree, driver) = bench();
    let lfa = Sysfs::with_access(tree.root(), &driver);
    // A setting is written through; a value that is not a boolean and a
    // read-only attribute are refused as the kernel refuses them.
    lfa.set_force_cpu_rendezvous(TF_RMM.uuid, false).unwrap();
    assert_eq!(tree.read(TF_RMM.uuid, "force_cpu_rendezvous"), "0");
    let raw = |file: &str, value: &[u8]| {
        FileAccess::write(&driver, &tree.path(TF_RMM.uuid, file), value)
            .unwrap_err()
            .raw_os_error()
    };
    assert_eq!(raw("force_cpu_rendezvous", b"maybe"), Some(EINVAL));
    assert_eq!(raw("name", b"x"), Some(EACCES));
    assert_eq!(tree.read(TF_RMM.uuid, "name"), "TF-RMM\n");
    tree.write(BL33.uuid, "may_reset_cpu", "1\n");
    let err = lfa.activate(BL33.uuid).unwrap_err();
    assert!(
        matches!(err, SysfsError::Refused { errno: EINVAL, .. }),
        "{err:?}"
    );
    assert_eq!(
        driver.log(),
        ["Arm LFA: CPU reset not supported by kernel driver"]
    );
    driver.busy();
    let err = lfa.activate(TF_RMM.uuid).unwrap_err();
    assert!(matches!(err, SysfsError::Busy { .. }), "{err:?}");
    driver.unprivileged();
    let err = lfa.cancel(TF_RMM.uuid).unwrap_err();
    assert!(
        matches!(err, SysfsError::PermissionDenied { .. }),
        "{err:?}"
    );
    assert_eq!(driver.held(), None, "nothing started");
}
