// SPDX-License-Identifier: MIT OR Apache-2.0
//! SMCCC version discovery (`lfa_smccc::smccc_version`, `query_smccc_version`,
//! `SmcccCheck`) against a recording test conduit: exact registers sent, exact
//! call counts, and the answer for each firmware behaviour.

use std::cell::RefCell;

use lfa_smccc::{
    Conduit, NOT_SUPPORTED, PSCI_FEATURES, Regs, SMCCC_VERSION, SmcccCheck, SmcccError,
    SmcccVersion, query_smccc_version, smccc_version,
};
use proptest::prelude::*;

/// A firmware stand-in: answers `PSCI_FEATURES` and `SMCCC_VERSION` with fixed
/// x0 values, anything else with `NOT_SUPPORTED`, and records every call.
///
/// Like a conforming agent it writes only x0 and returns the other registers
/// as they were sent.
struct Firmware {
    features_x0: u64,
    version_x0: u64,
    calls: RefCell<Vec<Regs>>,
}

impl Firmware {
    fn new(features_x0: u64, version_x0: u64) -> Self {
        Self {
            features_x0,
            version_x0,
            calls: RefCell::new(Vec::new()),
        }
    }

    fn calls(&self) -> Vec<Regs> {
        self.calls.borrow().clone()
    }
}

impl Conduit for Firmware {
    fn call(&self, args: &Regs) -> Regs {
        self.calls.borrow_mut().push(*args);
        let mut out = *args;
        out.x[0] = if args.x[0] == u64::from(PSCI_FEATURES) {
            self.features_x0
        } else if args.x[0] == u64::from(SMCCC_VERSION) {
            self.version_x0
        } else {
            u64::MAX
        };
        out
    }
}

/// x0 for a signed status, sign-extended as SMCCC firmware returns it.
fn status(code: i64) -> u64 {
    code as u64
}

/// The exact PSCI_FEATURES(SMCCC_VERSION) request: x0, x1, and zeros.
fn features_request() -> Regs {
    let mut r = Regs::ZERO;
    r.x[0] = 0x8400_000A;
    r.x[1] = 0x8000_0000;
    r
}

/// The exact SMCCC_VERSION request: x0 and zeros.
fn version_request() -> Regs {
    Regs::with_x0(0x8000_0000)
}

#[test]
fn function_ids_are_the_specified_ones() {
    assert_eq!(PSCI_FEATURES, 0x8400_000A);
    assert_eq!(SMCCC_VERSION, 0x8000_0000);
    assert_eq!(NOT_SUPPORTED, -1);
}

#[test]
fn features_not_supported_means_1_0_after_one_call() {
    // QEMU virt without EL3: PSCI_FEATURES(SMCCC_VERSION) is NOT_SUPPORTED.
    let fw = Firmware::new(status(-1), 0x1_0002);
    assert_eq!(
        query_smccc_version(&fw),
        Err(SmcccError::NotAdvertised { status: -1 })
    );
    assert_eq!(fw.calls(), vec![features_request()]);

    let fw = Firmware::new(status(-1), 0x1_0002);
    assert_eq!(smccc_version(&fw), SmcccVersion::V1_0);
    // SMCCC_VERSION is never called when it is not advertised.
    assert_eq!(fw.calls(), vec![features_request()]);

    let fw = Firmware::new(status(-1), 0x1_0002);
    assert_eq!(
        SmcccCheck::Require1_2.check(&fw),
        Err(SmcccError::NotAdvertised { status: -1 })
    );
    assert_eq!(fw.calls().len(), 1);
}

#[test]
fn version_0x10002_is_1_2_after_two_exact_calls() {
    let fw = Firmware::new(0, 0x1_0002);
    assert_eq!(smccc_version(&fw), SmcccVersion::V1_2);
    assert_eq!(fw.calls(), vec![features_request(), version_request()]);

    let fw = Firmware::new(0, 0x1_0002);
    assert_eq!(SmcccCheck::Require1_2.check(&fw), Ok(SmcccVersion::V1_2));
    assert_eq!(fw.calls(), vec![features_request(), version_request()]);
}

#[test]
fn newer_versions_pass_the_1_2_requirement() {
    for (x0, want) in [
        (0x1_0003, SmcccVersion::V1_3),
        (0x1_0005, SmcccVersion::new(1, 5)),
        (0x2_0000, SmcccVersion::new(2, 0)),
    ] {
        let fw = Firmware::new(0, x0);
        assert_eq!(SmcccCheck::Require1_2.check(&fw), Ok(want));
        assert_eq!(fw.calls().len(), 2);
    }
}

#[test]
fn older_versions_fail_the_1_2_requirement() {
    for (x0, found) in [
        (0x1_0001, SmcccVersion::V1_1),
        (0x1_0000, SmcccVersion::V1_0),
    ] {
        let fw = Firmware::new(0, x0);
        assert_eq!(
            SmcccCheck::Require1_2.check(&fw),
            Err(SmcccError::TooOld {
                found,
                required: SmcccVersion::V1_2
            })
        );
        assert_eq!(fw.calls().len(), 2);
        // The lenient query reports the version as it is.
        assert_eq!(smccc_version(&Firmware::new(0, x0)), found);
    }
}

#[test]
fn negative_smccc_version_is_an_error_or_1_0() {
    for code in [-1, -2, -3, i64::from(i32::MIN)] {
        let fw = Firmware::new(0, status(code));
        assert_eq!(
            query_smccc_version(&fw),
            Err(SmcccError::VersionCallFailed {
                status: i32::try_from(code).unwrap()
            }),
            "{code}"
        );
        assert_eq!(fw.calls(), vec![features_request(), version_request()]);
        assert_eq!(
            smccc_version(&Firmware::new(0, status(code))),
            SmcccVersion::V1_0
        );
        assert_eq!(
            SmcccCheck::Require1_2.check(&Firmware::new(0, status(code))),
            Err(SmcccError::VersionCallFailed {
                status: i32::try_from(code).unwrap()
            })
        );
    }
}

#[test]
fn only_w0_counts_because_both_calls_are_smc32() {
    // NOT_SUPPORTED written as a 32-bit value, not sign-extended.
    let fw = Firmware::new(0xFFFF_FFFF, 0x1_0002);
    assert_eq!(
        query_smccc_version(&fw),
        Err(SmcccError::NotAdvertised { status: -1 })
    );
    assert_eq!(fw.calls().len(), 1);

    // Garbage in bits 63:32 does not change the answer.
    let fw = Firmware::new(0xDEAD_BEEF_0000_0000, 0xFFFF_FFFF_0001_0002);
    assert_eq!(query_smccc_version(&fw), Ok(SmcccVersion::V1_2));
    let fw = Firmware::new(0, 0x0000_0001_FFFF_FFFF);
    assert_eq!(
        query_smccc_version(&fw),
        Err(SmcccError::VersionCallFailed { status: -1 })
    );
}

#[test]
fn positive_features_flags_still_advertise() {
    let fw = Firmware::new(1, 0x1_0002);
    assert_eq!(query_smccc_version(&fw), Ok(SmcccVersion::V1_2));
    assert_eq!(fw.calls().len(), 2);
}

#[test]
fn firmware_echoing_the_function_id_is_not_advertising() {
    // An agent with no such service can return x0 unchanged (TF-A does so
    // for LFA when no component is registered). 0x8400_000A is negative as w0.
    let fw = Firmware::new(0x8400_000A, 0x1_0002);
    assert_eq!(
        query_smccc_version(&fw),
        Err(SmcccError::NotAdvertised {
            status: 0x8400_000A_u32 as i32
        })
    );
    assert_eq!(fw.calls().len(), 1);

    // Echoing SMCCC_VERSION's ID (0x8000_0000, i32::MIN) is a failed call.
    let fw = Firmware::new(0, 0x8000_0000);
    assert_eq!(
        query_smccc_version(&fw),
        Err(SmcccError::VersionCallFailed { status: i32::MIN })
    );
}

#[test]
fn major_version_zero_is_invalid() {
    for x0 in [0, 5, 0xFFFF] {
        let fw = Firmware::new(0, x0);
        assert_eq!(
            query_smccc_version(&fw),
            Err(SmcccError::InvalidVersion {
                w0: u32::try_from(x0).unwrap()
            })
        );
        assert_eq!(smccc_version(&Firmware::new(0, x0)), SmcccVersion::V1_0);
    }
}

#[test]
fn assume_makes_no_call_and_returns_the_given_version() {
    for assumed in [
        SmcccVersion::V1_0,
        SmcccVersion::V1_2,
        SmcccVersion::new(3, 7),
    ] {
        // The firmware would say NOT_SUPPORTED; the override is respected.
        let fw = Firmware::new(status(-1), status(-1));
        assert_eq!(SmcccCheck::Assume(assumed).check(&fw), Ok(assumed));
        assert!(fw.calls().is_empty());
    }
}

#[test]
fn default_policy_is_to_require_1_2() {
    assert_eq!(SmcccCheck::default(), SmcccCheck::Require1_2);
}

#[test]
fn works_through_a_trait_object() {
    let fw = Firmware::new(0, 0x1_0002);
    let dyn_conduit: &dyn Conduit = &fw;
    assert_eq!(smccc_version(dyn_conduit), SmcccVersion::V1_2);
    assert_eq!(fw.calls().len(), 2);
}

#[test]
fn error_messages() {
    assert_eq!(
        SmcccError::NotAdvertised { status: -1 }.to_string(),
        "PSCI_FEATURES(SMCCC_VERSION) returned -1: firmware implements SMCCC 1.0 only"
    );
    assert_eq!(
        SmcccError::VersionCallFailed { status: -2 }.to_string(),
        "SMCCC_VERSION returned status -2"
    );
    assert_eq!(
        SmcccError::InvalidVersion { w0: 5 }.to_string(),
        "SMCCC_VERSION returned 0x5, which is not a version"
    );
    assert_eq!(
        SmcccError::TooOld {
            found: SmcccVersion::V1_1,
            required: SmcccVersion::V1_2
        }
        .to_string(),
        "firmware implements SMCCC 1.1, at least 1.2 is required"
    );
}

#[test]
fn version_encoding() {
    assert_eq!(SmcccVersion::V1_0.to_w0(), 0x1_0000);
    assert_eq!(SmcccVersion::V1_1.to_w0(), 0x1_0001);
    assert_eq!(SmcccVersion::V1_2.to_w0(), 0x1_0002);
    assert_eq!(SmcccVersion::V1_3.to_w0(), 0x1_0003);
    assert_eq!(SmcccVersion::new(0x7FFF, 0xFFFF).to_w0(), 0x7FFF_FFFF);
    assert_eq!(SmcccVersion::from_w0(0x8000_0000), None);
    assert_eq!(SmcccVersion::from_w0(0x1234), None);
    assert!(SmcccVersion::V1_1 < SmcccVersion::V1_2);
    assert!(SmcccVersion::new(1, 0xFFFF) < SmcccVersion::new(2, 0));
}

#[test]
#[should_panic(expected = "SMCCC major version has 15 bits")]
fn version_major_over_15_bits_is_a_caller_bug() {
    let _ = SmcccVersion::new(0x8000, 0);
}

proptest! {
    /// Whatever the firmware answers: no panic, one call if not advertised and
    /// two otherwise, and the lenient answer is the strict one or 1.0.
    #[test]
    fn any_answers_are_handled(features_x0: u64, version_x0: u64) {
        let fw = Firmware::new(features_x0, version_x0);
        let strict = query_smccc_version(&fw);
        let advertised = (features_x0 as u32 as i32) >= 0;
        prop_assert_eq!(fw.calls().len(), if advertised { 2 } else { 1 });
        prop_assert_eq!(fw.calls()[0], features_request());
        if advertised {
            prop_assert_eq!(fw.calls()[1], version_request());
        }
        prop_assert_eq!(
            smccc_version(&Firmware::new(features_x0, version_x0)),
            strict.unwrap_or(SmcccVersion::V1_0)
        );
        if let Ok(v) = strict {
            prop_assert_eq!(u64::from(v.to_w0()), version_x0 & 0xFFFF_FFFF);
        }
    }

    /// Every valid w0 round-trips through `SmcccVersion`.
    #[test]
    fn w0_roundtrip(major in 1_u16..=0x7FFF, minor: u16) {
        let v = SmcccVersion::new(major, minor);
        prop_assert_eq!(SmcccVersion::from_w0(v.to_w0()), Some(v));
        prop_assert_eq!((v.major(), v.minor()), (major, minor));
    }
}

#[test]
fn smccc_version_try_new_never_panics() {
    assert_eq!(SmcccVersion::try_new(1, 2), Some(SmcccVersion::V1_2));
    assert_eq!(
        SmcccVersion::try_new(0x7FFF, 0xFFFF),
        Some(SmcccVersion::new(0x7FFF, 0xFFFF))
    );
    assert_eq!(SmcccVersion::try_new(0x8000, 0), None);
}
