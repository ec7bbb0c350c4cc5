// SPDX-License-Identifier: MIT OR Apache-2.0
//! lfactl against an emulation of the real Linux driver on TF-A
//! (`tests/sysfs_support.rs`, [`EmulatedDriver`]): errno on writes, firmware
//! state kept until a cancel, the driver's `Arm LFA:` kernel log lines.
//! lfactl's own code runs in this process with that file access (a fake
//! tree's regular files cannot answer a write with ECANCELED).

mod support;
#[path = "../../../tests/sysfs_support.rs"]
mod tree;

use std::sync::mpsc;

use lfa_proto::Uuid;
use lfa_proto::components::{TF_RMM, TFA_BL31};
use serde_json::Value;
use support::*;
use tree::{ECANCELED, EINVAL, EmulatedDriver, FakeTree, Held};

const RMM: &str = "6c0762a6-12f2-4b56-92cb-ba8f633606d9";
const BL31: &str = "47d4086d-4cfe-9846-9b95-2950cbbd5a00";

/// A demo tree behind the emulated driver.
struct Bench {
    tree: FakeTree,
    driver: EmulatedDriver,
}

impl Bench {
    fn demo() -> Self {
        let tree = FakeTree::demo();
        let driver = EmulatedDriver::new(&tree);
        Self { tree, driver }
    }

    fn run(&self, args: &[&str]) -> Run {
        in_process(
            &self.driver,
            &self.tree.root(),
            &self.driver.kmsg(),
            args,
            "",
        )
    }

    /// As `run`, with a kernel log that cannot be opened.
    fn run_without_log(&self, args: &[&str]) -> Run {
        let nowhere = self.tree.outside("no-kmsg");
        in_process(&self.driver, &self.tree.root(), &nowhere, args, "")
    }
}

/// stdout is exactly one JSON value (trailing text, a second object, or
/// nothing at all fail to parse).
fn one_json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stdout is not exactly one JSON value ({e}): {r:?}"))
}

fn kernel_lines(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter_map(|l| l.strip_prefix("lfactl:   kernel: "))
        .collect()
}

fn writes(b: &Bench) -> Vec<(Uuid, String, Option<i32>)> {
    b.driver.writes()
}

fn w(uuid: Uuid, file: &str, errno: Option<i32>) -> (Uuid, String, Option<i32>) {
    (uuid, file.to_owned(), errno)
}

#[test]
fn ecanceled_after_a_failed_prime_says_only_what_is_known_and_how_to_recover() {
    let b = Bench::demo();
    b.driver.prime_calls_again(TF_RMM.uuid);
    let r = b.run(&["activate", "--yes", "tf-rmm"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains(&format!(
            "lfactl: the kernel reported that the activation of TF-RMM ({RMM}) was not completed (ECANCELED); the kernel does not say whether it cancelled anything\n"
        )),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("was cancelled"), "{}", r.stderr);
    // The driver's own lines for this write, nothing from before or from
    // other drivers.
    assert_eq!(
        kernel_lines(&r),
        [
            "Arm LFA: LFA_PRIME for image TF-RMM failed: LFA_NOT_SUPPORTED",
            "Arm LFA: Firmware prime failed: LFA_NOT_SUPPORTED",
        ]
    );
    assert!(
        r.stderr.contains("the firmware may be left mid-prime for this component and refuse to prime any other until its cancel is written"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "lfactl: a cancel may be needed before a retry: `lfactl cancel tf-rmm` writes it; `lfactl activate --recover tf-rmm` writes it and then retries"
        ),
        "{}",
        r.stderr
    );
    // The firmware really is left mid-prime: nobody cancelled.
    assert_eq!(b.driver.held(), Some(Held::MidPrime(TF_RMM.uuid)));
    assert_eq!(writes(&b), [w(TF_RMM.uuid, "activate", Some(ECANCELED))]);

    // The same in JSON: one object, the kernel lines as an array.
    let r = b.run(&["--json", "activate", "--yes", "tf-rmm"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    let v = one_json(&r);
    assert_eq!(v["error"]["kind"], "refused");
    assert_eq!(v["error"]["errno"], ECANCELED);
    assert_eq!(v["command"], "activate");
    assert_eq!(
        v["kernel_log"],
        serde_json::json!([
            "Arm LFA: LFA_PRIME for image TF-RMM failed: LFA_NOT_SUPPORTED",
            "Arm LFA: Firmware prime failed: LFA_NOT_SUPPORTED",
        ])
    );
    assert_eq!(v["kernel_log_readable"], true);
    let recovery: Vec<&str> = v["recovery"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert!(
        recovery
            .iter()
            .any(|h| h.contains("`lfactl cancel tf-rmm`")),
        "{recovery:?}"
    );

    // The recovery: its cancel, accepted; then nothing is held.
    let r = b.run(&["cancel", "tf-rmm"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(
        r.stdout,
        format!(
            "TF-RMM ({RMM}): the kernel accepted the cancel; the firmware no longer holds what was left of a failed activation attempt (ECANCELED) by lfactl in this boot\n"
        )
    );
    assert_eq!(
        kernel_lines(&r),
        ["Arm LFA: Activation cancelled for image TF-RMM"]
    );
    assert_eq!(b.driver.held(), None);
}

#[test]
fn a_failed_prime_blocks_other_components_until_release_previous() {
    let b = Bench::demo();
    b.driver.prime_calls_again(TF_RMM.uuid);
    assert_eq!(b.run(&["activate", "-y", "tf-rmm"]).code, REFUSED);

    // TF-A refuses to prime another component while TF-RMM is mid-prime.
    let r = b.run(&["activate", "-y", "tf-a"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert_eq!(
        kernel_lines(&r),
        [
            "Arm LFA: LFA_PRIME for image TF-A BL31 runtime failed: LFA_WRONG_STATE",
            "Arm LFA: Firmware prime failed: LFA_WRONG_STATE",
        ]
    );
    assert!(
        r.stderr
            .contains("its log says LFA_PRIME answered LFA_WRONG_STATE: the firmware is still busy with another component"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("mid-prime for this component"));
    assert!(
        r.stderr.contains(&format!(
            "lfactl's record of this boot lists TF-RMM ({RMM}) (a failed activation attempt (ECANCELED)) with no cancel accepted since"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("`lfactl activate --release-previous tf-a`")
    );

    // lfactl's recovery path: TF-RMM's cancel first, then BL31 activates.
    let r = b.run(&["activate", "-y", "--release-previous", "tf-a"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "lfactl: writing cancel for TF-RMM ({RMM}) first\n"
        )),
        "{}",
        r.stderr
    );
    assert_eq!(
        kernel_lines(&r),
        [
            "Arm LFA: Activation cancelled for image TF-RMM",
            "Arm LFA: Firmware activation succeeded",
        ]
    );
    assert_eq!(
        r.stdout,
        format!("activated TF-A BL31 runtime ({BL31}): 2.12 -> 2.13\n")
    );
    assert_eq!(
        writes(&b),
        [
            w(TF_RMM.uuid, "activate", Some(ECANCELED)),
            w(TFA_BL31.uuid, "activate", Some(ECANCELED)),
            w(TF_RMM.uuid, "cancel", None),
            w(TFA_BL31.uuid, "activate", None),
        ]
    );
    assert_eq!(b.driver.held(), Some(Held::Activated(TFA_BL31.uuid)));
}

#[test]
fn a_second_activation_is_refused_until_the_first_is_released() {
    let b = Bench::demo();
    let r = b.run(&["activate", "-y", "tf-rmm"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(r.stdout, format!("activated TF-RMM ({RMM}): 0.7 -> 0.8\n"));
    assert_eq!(kernel_lines(&r), ["Arm LFA: Firmware activation succeeded"]);
    assert_eq!(b.driver.held(), Some(Held::Activated(TF_RMM.uuid)));

    // TF-A still holds TF-RMM: BL31's ACTIVATE fails on every CPU.
    let r = b.run(&["--json", "activate", "-y", "tf-a"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    let v = one_json(&r);
    let log: Vec<&str> = v["kernel_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(
        log,
        [
            "Arm LFA: ACTIVATE for image TF-A BL31 runtime failed: LFA_INVALID_PARAMETERS",
            "Arm LFA: ACTIVATE for image TF-A BL31 runtime failed: LFA_INVALID_PARAMETERS",
            "Arm LFA: ACTIVATE for image TF-A BL31 runtime failed: LFA_INVALID_PARAMETERS",
            "Arm LFA: ACTIVATE for image TF-A BL31 runtime failed: LFA_INVALID_PARAMETERS",
            "Arm LFA: Firmware activation could not be cancelled: LFA_INVALID_PARAMETERS",
            "Arm LFA: Firmware activation failed: \\x8c\\x01",
        ]
    );
    let recovery = v["recovery"].to_string();
    assert!(
        recovery.contains(
            "lists TF-RMM (6c0762a6-12f2-4b56-92cb-ba8f633606d9) (a completed activation)"
        ),
        "{recovery}"
    );
    assert!(recovery.contains("`lfactl activate --release-previous tf-a`"));
    assert_eq!(b.driver.held(), Some(Held::Activated(TF_RMM.uuid)));

    // Retrying without a release fails the same way; with it, it works.
    assert_eq!(b.run(&["activate", "-y", "tf-a"]).code, REFUSED);
    let r = b.run(&["--json", "activate", "-y", "--release-previous", "tf-a"]);
    assert_eq!(r.code, OK, "{r:?}");
    let v = one_json(&r);
    assert_eq!(v["result"], "activated");
    assert_eq!(v["released"][0]["uuid"], RMM);
    assert_eq!(v["released"][0]["result"], "accepted");
    assert_eq!(
        v["released"][0]["kernel_log"],
        serde_json::json!(["Arm LFA: Activation cancelled for image TF-RMM"])
    );
    assert_eq!(
        v["kernel_log"],
        serde_json::json!(["Arm LFA: Firmware activation succeeded"])
    );
    assert_eq!(v["after"]["current_version"], "2.13");
    assert_eq!(b.driver.held(), Some(Held::Activated(TFA_BL31.uuid)));
    assert_eq!(
        writes(&b),
        [
            w(TF_RMM.uuid, "activate", None),
            w(TFA_BL31.uuid, "activate", Some(ECANCELED)),
            w(TFA_BL31.uuid, "activate", Some(ECANCELED)),
            w(TF_RMM.uuid, "cancel", None),
            w(TFA_BL31.uuid, "activate", None),
        ]
    );
}

#[test]
fn previous_names_a_component_another_tool_activated() {
    let b = Bench::demo();
    // Activated with `echo 1 > activate`: lfactl has no record of it.
    lfa_sysfs::FileAccess::write(&b.driver, &b.tree.path(TF_RMM.uuid, "activate"), b"1").unwrap();
    let r = b.run(&["activate", "-y", "tf-a"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(
        r.stderr.contains("lfactl has no record of one in this boot: if another tool activated one, `lfactl activate --release-previous --previous <that component> tf-a` writes its cancel first"),
        "{}",
        r.stderr
    );
    let r = b.run(&["activate", "-y", "--release-previous", "tf-a"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(r.stderr.contains("nothing to release: lfactl's record of this boot lists no other component (name one with --previous COMPONENT)"));
    let r = b.run(&[
        "activate",
        "-y",
        "--release-previous",
        "--previous",
        "tf-rmm",
        "tf-a",
    ]);
    assert_eq!(r.code, OK, "{r:?}");
    assert!(r.stderr.contains(
        "the kernel accepted the cancel; no activation was in progress as far as lfactl can tell"
    ));
    assert_eq!(b.driver.held(), Some(Held::Activated(TFA_BL31.uuid)));
    // --previous without --release-previous is a usage error.
    let r = b.run(&["activate", "-y", "--previous", "tf-rmm", "tf-a"]);
    assert_eq!(r.code, USAGE, "{r:?}");
}

#[test]
fn a_refused_release_stops_before_the_activate_write() {
    let b = Bench::demo();
    assert_eq!(b.run(&["activate", "-y", "tf-rmm"]).code, OK);
    // Without a kernel log lfactl cannot tell "holds nothing" from "too
    // late", so a refused release stops it.
    let r = b.run_without_log(&[
        "--json",
        "activate",
        "-y",
        "--release-previous",
        "--previous",
        BL31,
        "tf-rmm",
    ]);
    assert_eq!(r.code, NOTHING, "TF-RMM is no longer pending: {r:?}");
    b.tree.write(TF_RMM.uuid, "activation_pending", "1\n");
    let r = b.run_without_log(&[
        "--json",
        "activate",
        "-y",
        "--release-previous",
        "--previous",
        BL31,
        "tf-rmm",
    ]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    let v = one_json(&r);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("stopped before activating TF-RMM"),
        "{v}"
    );
    assert_eq!(v["released"][0]["result"], "refused");
    assert_eq!(v["released"][0]["kernel_log_readable"], false);
    assert_eq!(
        writes(&b),
        [
            w(TF_RMM.uuid, "activate", None),
            w(TFA_BL31.uuid, "cancel", Some(EINVAL)),
        ],
        "no second activate write"
    );
}

#[test]
fn recover_writes_the_components_own_cancel_then_retries() {
    let b = Bench::demo();
    b.driver.prime_calls_again(TF_RMM.uuid);
    assert_eq!(b.run(&["activate", "-y", "tf-rmm"]).code, REFUSED);
    let r = b.run(&["activate", "-y", "--recover", "tf-rmm"]);
    // The cancel resets the firmware; this platform's image load still
    // answers "again", so this driver fails the same way: honest ECANCELED.
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert_eq!(
        kernel_lines(&r),
        [
            "Arm LFA: Activation cancelled for image TF-RMM",
            "Arm LFA: LFA_PRIME for image TF-RMM failed: LFA_NOT_SUPPORTED",
            "Arm LFA: Firmware prime failed: LFA_NOT_SUPPORTED",
        ]
    );
    assert_eq!(
        writes(&b),
        [
            w(TF_RMM.uuid, "activate", Some(ECANCELED)),
            w(TF_RMM.uuid, "cancel", None),
            w(TF_RMM.uuid, "activate", Some(ECANCELED)),
        ]
    );
}

#[test]
fn cancel_after_a_finished_activation_does_not_claim_to_stop_anything() {
    let b = Bench::demo();
    assert_eq!(b.run(&["activate", "-y", "tf-rmm"]).code, OK);
    let r = b.run(&["cancel", "tf-rmm"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(
        r.stdout,
        format!(
            "TF-RMM ({RMM}): the kernel accepted the cancel; lfactl's activation of it in this boot had completed, so nothing was stopped: the firmware no longer holds that activation\n"
        )
    );
    assert_eq!(b.driver.held(), None);

    // Again: the firmware holds nothing; the log says so; exit 3.
    let r = b.run(&["--json", "cancel", "tf-rmm"]);
    assert_eq!(r.code, NOTHING, "{r:?}");
    let v = one_json(&r);
    assert_eq!(v["error"]["kind"], "nothing-to-do");
    assert_eq!(v["results"][0]["result"], "nothing-to-cancel");
    assert_eq!(
        v["results"][0]["kernel_log"],
        serde_json::json!([
            "Arm LFA: Firmware activation could not be cancelled: LFA_INVALID_PARAMETERS"
        ])
    );

    // Without a readable log EINVAL is ambiguous: refused, said so.
    let r = b.run_without_log(&["cancel", "tf-rmm"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(r.stdout.contains("refused: the kernel refused writing"));
    assert!(
        r.stdout
            .contains("the kernel does not say whether nothing was held or it was too late")
    );
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.contains("the kernel log could not be read"))
            .count(),
        1,
        "{}",
        r.stderr
    );
}

#[test]
fn cancel_of_every_component_is_one_json_object() {
    let b = Bench::demo();
    assert_eq!(b.run(&["activate", "-y", "tf-rmm"]).code, OK);
    let r = b.run(&["--json", "cancel"]);
    assert_eq!(r.code, OK, "{r:?}");
    let v = one_json(&r);
    let results: Vec<(&str, &str)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uuid"].as_str().unwrap(), r["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        results,
        [
            (BL31, "nothing-to-cancel"),
            (RMM, "accepted"),
            ("7a1e5c0d-e000-4f1a-8bad-5eed00000001", "nothing-to-cancel"),
        ]
    );
}

/// Every failing run prints exactly one JSON value, an error object whose
/// exit code is the process's.
#[test]
fn every_failing_case_prints_exactly_one_json_object() {
    type Setup = fn(&Bench);
    let none: Setup = |_| {};
    let cases: &[(&str, Setup, &[&str], i32)] = &[
        (
            "failed prime",
            |b| b.driver.prime_calls_again(TF_RMM.uuid),
            &["activate", "-y", "tf-rmm"],
            REFUSED,
        ),
        (
            "busy",
            |b| b.driver.busy(),
            &["activate", "-y", "tf-rmm"],
            REFUSED,
        ),
        (
            "not root",
            |b| b.driver.unprivileged(),
            &["activate", "-y", "tf-rmm"],
            SYSTEM,
        ),
        (
            "not root, cancel",
            |b| b.driver.unprivileged(),
            &["cancel", "tf-rmm"],
            SYSTEM,
        ),
        (
            "not root, setting",
            |b| b.driver.unprivileged(),
            &["force-rendezvous", "off"],
            SYSTEM,
        ),
        (
            "may reset CPUs",
            |b| b.tree.write(TF_RMM.uuid, "may_reset_cpu", "1\n"),
            &["activate", "-y", "tf-rmm"],
            REFUSED,
        ),
        ("not capable", none, &["activate", "-y", "bl33"], REFUSED),
        (
            "nothing pending",
            none,
            &["activate", "-y", "7a1e5c0d-e000-4f1a-8bad-5eed00000001"],
            NOTHING,
        ),
        ("usage: no component", none, &["activate"], USAGE),
        ("usage: no such command", none, &["frobnicate"], USAGE),
        (
            "no such component",
            none,
            &["activate", "-y", "nope"],
            USAGE,
        ),
        (
            "not confirmed",
            none,
            &["activate", "tf-rmm"],
            NOT_CONFIRMED,
        ),
        ("nothing to cancel", none, &["cancel", "tf-rmm"], NOTHING),
        ("nothing to cancel anywhere", none, &["cancel"], NOTHING),
        (
            "auto-activate unsupported",
            |b| std::fs::remove_file(b.tree.path(TF_RMM.uuid, "auto_activate")).unwrap(),
            &["auto-activate", "on"],
            UNSUPPORTED,
        ),
        (
            "no tree",
            |b| std::fs::remove_dir_all(b.tree.root()).unwrap(),
            &["cancel"],
            SYSTEM,
        ),
    ];
    for (what, setup, args, code) in cases {
        let b = Bench::demo();
        setup(&b);
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = b.run(&all);
        assert_eq!(r.code, *code, "{what}: {r:?}");
        let v = one_json(&r);
        assert_eq!(v["schema"], "lfactl/1", "{what}");
        assert_eq!(v["error"]["exit_code"], *code, "{what}: {v}");
        assert!(v["error"]["message"].is_string(), "{what}");
    }
}

#[test]
fn errno_from_the_driver_maps_to_its_meaning() {
    let b = Bench::demo();
    b.driver.busy();
    let r = b.run(&["activate", "-y", "tf-rmm"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(r.stderr.contains("answered EBUSY writing"), "{}", r.stderr);
    assert!(r.stderr.contains("another activation is running"));

    let b = Bench::demo();
    b.tree.write(TF_RMM.uuid, "may_reset_cpu", "1\n");
    let r = b.run(&["activate", "-y", "tf-rmm"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert_eq!(
        kernel_lines(&r),
        ["Arm LFA: CPU reset not supported by kernel driver"]
    );
    assert!(r.stderr.contains("EINVAL"), "{}", r.stderr);

    let b = Bench::demo();
    b.driver.unprivileged();
    let r = b.run(&["activate", "-y", "tf-rmm"]);
    assert_eq!(r.code, SYSTEM, "{r:?}");
    assert!(
        r.stderr.contains("permission denied writing"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("run as root"));
    // Refused before anything started: no cancel is owed.
    let r = b.run(&["activate", "-y", "tf-a"]);
    assert!(!r.stderr.contains("may still hold"), "{}", r.stderr);
}

/// While one lfactl's activate write is in the kernel, another lfactl
/// writes nothing: not the cancel, not a release.
#[test]
fn never_disturbs_an_activation_in_flight() {
    let b = Bench::demo();
    let (entered_tx, entered) = mpsc::channel();
    let (proceed, proceed_rx) = mpsc::channel();
    b.driver.gate(entered_tx, proceed_rx);
    std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            let r = b.run(&["activate", "-y", "tf-rmm"]);
            b.driver.ungate(); // if the gate was never reached, end the wait below
            r
        });
        entered
            .recv()
            .expect("the first activation reached the kernel");
        for args in [
            &["cancel", "tf-rmm"][..],
            &["cancel"],
            &[
                "activate",
                "-y",
                "--release-previous",
                "--previous",
                "tf-rmm",
                "tf-a",
            ],
        ] {
            let r = b.run(args);
            assert_eq!(r.code, REFUSED, "{args:?}: {r:?}");
            assert!(
                r.stderr.contains(&format!(
                    "another lfactl is writing activate or cancel (pid {}: activate tf-rmm); an activation may be in flight, so nothing was written",
                    std::process::id()
                )),
                "{}",
                r.stderr
            );
        }
        assert_eq!(b.driver.writes(), [], "nothing written while in flight");
        proceed.send(()).unwrap();
        let r = first.join().unwrap();
        assert_eq!(r.code, OK, "{r:?}");
    });
    assert_eq!(writes(&b), [w(TF_RMM.uuid, "activate", None)]);
    // Free again afterwards.
    assert_eq!(b.run(&["cancel", "tf-rmm"]).code, OK);
}

#[test]
fn the_confirmation_names_what_is_released_first() {
    let b = Bench::demo();
    assert_eq!(b.run(&["activate", "-y", "tf-rmm"]).code, OK);
    let r = in_process(
        &b.driver,
        &b.tree.root(),
        &b.driver.kmsg(),
        &["activate", "--release-previous", "tf-a"],
        "n\n",
    );
    assert_eq!(r.code, NOT_CONFIRMED, "{r:?}");
    assert!(
        r.stderr.starts_with(&format!(
            "First write cancel for TF-RMM ({RMM}). Activate TF-A BL31 runtime ({BL31}) now (2.12 -> 2.13, every CPU stops for a rendezvous)?"
        )),
        "{}",
        r.stderr
    );
    assert_eq!(writes(&b).len(), 1, "nothing written after no");
}

/// The driver reports success when LFA_ACTIVATE failed and its own
/// LFA_CANCEL was accepted; lfactl believes its log and activation_pending.
#[test]
fn success_from_the_kernel_with_a_failed_activate_in_its_log_is_not_completed() {
    let b = Bench::demo();
    b.driver.activate_fails(TF_RMM.uuid);
    let r = b.run(&["--json", "activate", "-y", "tf-rmm"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    let v = one_json(&r);
    assert_eq!(
        v["error"]["errno"],
        Value::Null,
        "the write itself succeeded"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().starts_with(&format!(
            "the kernel reported success, but its log for this write says LFA_ACTIVATE failed and TF-RMM ({RMM}) still reads pending: the activation was not completed"
        )),
        "{v}"
    );
    assert_eq!(v["kernel_log"].as_array().unwrap().len(), 6);
    assert_eq!(b.driver.held(), None);
    // Nothing is owed: the next activation gets no release advice.
    let r = b.run(&["activate", "-y", "tf-a"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert!(!r.stderr.contains("may still hold"), "{}", r.stderr);
}
