// SPDX-License-Identifier: MIT OR Apache-2.0
//! lfactl end to end on fake sysfs trees: every command, output, exit codes
//! and `--json` parsed back.

mod support;
#[path = "../../../tests/sysfs_support.rs"]
mod tree;

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use lfa_proto::components::{BL33, TF_RMM, TFA_BL31};
use serde_json::{Value, json};
use support::*;
use tree::{FakeComponent, FakeTree, VENDOR};

const RMM: &str = "6c0762a6-12f2-4b56-92cb-ba8f633606d9";

#[test]
fn list_prints_a_table_of_every_component() {
    let tree = FakeTree::demo();
    let r = on(&tree.root(), &["list"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(r.stderr, "");
    let lines = r.table();
    assert_eq!(
        lines,
        [
            vec![
                "UUID",
                "NAME",
                "CAPABLE",
                "PENDING",
                "RENDEZVOUS",
                "CURRENT",
                "STAGED",
                "FORCE-RV",
                "AUTO"
            ],
            vec![
                "47d4086d-4cfe-9846-9b95-2950cbbd5a00",
                "TF-A BL31 runtime",
                "yes",
                "yes",
                "required",
                "2.12",
                "2.13",
                "on",
                "off"
            ],
            vec![
                RMM, "TF-RMM", "yes", "yes", "optional", "0.7", "0.8", "on", "off"
            ],
            vec![
                "7a1e5c0d-e000-4f1a-8bad-5eed00000001",
                "-",
                "yes",
                "no",
                "required",
                "1.0",
                "-",
                "on",
                "off"
            ],
            vec![
                "d6d0eea7-fcea-d54b-9782-9934f234b6e4",
                "BL33 non-secure payload",
                "no",
                "no",
                "required",
                "2024.1",
                "-",
                "on",
                "off"
            ],
        ]
    );
}

#[test]
fn list_json_has_the_documented_schema() {
    let tree = FakeTree::demo();
    let r = on(&tree.root(), &["--json", "list"]);
    assert_eq!(r.code, OK, "{r:?}");
    let v = r.json();
    assert_eq!(v["schema"], "lfactl/1");
    assert_eq!(v["backend"], "sysfs");
    let list = v["components"].as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(
        list[1],
        json!({
            "uuid": RMM,
            "name": "TF-RMM",
            "activation_capable": true,
            "activation_pending": true,
            "may_reset_cpu": false,
            "cpu_rendezvous": false,
            "current_version": "0.7",
            "pending_version": "0.8",
            "versions_reported": true,
            "force_cpu_rendezvous": true,
            "auto_activate": false,
            "seq_id": null,
        })
    );
    assert_eq!(
        list[2]["name"],
        Value::Null,
        "the vendor component has no name"
    );
}

#[test]
fn list_on_an_older_abi_shows_what_is_missing() {
    let tree = FakeTree::with(&[FakeComponent::new(TF_RMM.uuid, "TF-RMM")
        .pending("0.7", "0.8")
        .older_abi()]);
    let r = on(&tree.root(), &["list"]);
    assert_eq!(r.code, OK, "{r:?}");
    let row = r.stdout.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            RMM, "TF-RMM", "yes", "yes", "required", "n/a", "n/a", "on", "n/a"
        ]
    );

    let v = on(&tree.root(), &["list", "--json"]).json();
    let c = &v["components"][0];
    assert_eq!(c["versions_reported"], false);
    assert_eq!(c["current_version"], Value::Null);
    assert_eq!(c["auto_activate"], Value::Null);
}

#[test]
fn no_tree_is_a_system_error_also_in_json() {
    let tree = FakeTree::new();
    let nowhere = tree.outside("nowhere");
    let r = on(&nowhere, &["list"]);
    assert_eq!(r.code, SYSTEM, "{r:?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "lfactl: {} does not exist: the kernel has no LFA driver loaded, or the firmware has no LFA agent\n",
            nowhere.display()
        )
    );
    let r = on(&nowhere, &["--json", "show", "tf-rmm"]);
    assert_eq!(r.code, SYSTEM);
    let v = r.json();
    assert_eq!(v["schema"], "lfactl/1");
    assert_eq!(v["error"]["kind"], "system");
    assert_eq!(v["error"]["exit_code"], SYSTEM);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no LFA driver loaded")
    );
}

#[test]
fn garbage_is_a_system_error_naming_the_file() {
    let tree = FakeTree::demo();
    tree.write(TF_RMM.uuid, "current_version", "seven\n");
    let r = on(&tree.root(), &["list"]);
    assert_eq!(r.code, SYSTEM, "{r:?}");
    assert!(r.stderr.contains(&format!(
        "{} holds \"seven\", not maj.min or N/A",
        tree.path(TF_RMM.uuid, "current_version").display()
    )));
}

#[test]
fn an_empty_tree_lists_nothing() {
    let tree = FakeTree::new();
    let r = on(&tree.root(), &["list"]);
    assert_eq!((r.code, r.stdout.as_str()), (OK, "no LFA components\n"));
    assert_eq!(
        on(&tree.root(), &["list", "--json"]).json()["components"],
        json!([])
    );
    let r = on(&tree.root(), &["auto-activate", "on"]);
    assert_eq!(r.code, NOTHING, "{r:?}");
}

#[test]
fn show_by_name_uuid_and_prefix_and_the_usage_errors() {
    let tree = FakeTree::demo();
    let by_name = on(&tree.root(), &["show", "tf-rmm"]);
    assert_eq!(by_name.code, OK, "{by_name:?}");
    assert_eq!(
        by_name.stdout,
        format!(
            "uuid:                 {RMM}\n\
             name:                 TF-RMM\n\
             activation capable:   yes\n\
             activation pending:   yes\n\
             may reset CPUs:       no\n\
             CPU rendezvous:       optional\n\
             current version:      0.7\n\
             pending version:      0.8\n\
             force CPU rendezvous: on\n\
             auto activate:        off\n"
        )
    );
    assert_eq!(
        on(&tree.root(), &["show", &RMM.to_uppercase()]).stdout,
        by_name.stdout
    );
    assert_eq!(
        on(&tree.root(), &["show", "BL33"]).code,
        OK,
        "unique prefix"
    );

    let v = on(&tree.root(), &["show", "--json", "TF-A BL31 runtime"]).json();
    assert_eq!(v["component"]["uuid"], TFA_BL31.uuid.to_string());
    assert_eq!(v["component"]["cpu_rendezvous"], true);

    let r = on(&tree.root(), &["show", "nothing-like-this"]);
    assert_eq!(r.code, USAGE, "{r:?}");
    assert!(
        r.stderr
            .contains("no LFA component matches \"nothing-like-this\"")
    );

    let two = FakeTree::with(&[
        FakeComponent::new(VENDOR, "Vendor A"),
        FakeComponent::new(BL33.uuid, "Vendor B"),
    ]);
    let r = on(&two.root(), &["--json", "show", "vendor"]);
    assert_eq!(r.code, USAGE, "{r:?}");
    assert_eq!(r.json()["error"]["kind"], "usage");
    assert!(r.stderr.contains("matches 2 components"));
}

#[test]
fn activate_with_yes_writes_1_and_reports() {
    let tree = FakeTree::demo();
    let r = on(&tree.root(), &["activate", "--yes", "tf-rmm"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(tree.read(TF_RMM.uuid, "activate"), "1");
    assert_eq!(
        tree.read(TFA_BL31.uuid, "activate"),
        "",
        "only that component"
    );
    assert!(
        r.stderr
            .starts_with(&format!("lfactl: activating TF-RMM ({RMM})\n")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&format!(
        "writing 1 to {} (the kernel primes, then activates with every CPU in a rendezvous)",
        tree.path(TF_RMM.uuid, "activate").display()
    )));
    // A file does not change by itself: the tree still says pending.
    assert_eq!(
        r.stdout,
        format!(
            "activated TF-RMM ({RMM}): the version still reads 0.7; activation is still pending\n"
        )
    );
}

#[test]
fn activate_json_reports_before_and_after() {
    let tree = FakeTree::demo();
    tree.write(TF_RMM.uuid, "force_cpu_rendezvous", "0\n");
    let r = on(&tree.root(), &["--json", "-y", "activate", RMM]);
    assert_eq!(r.code, OK, "{r:?}");
    assert!(r.stderr.contains("activates from one CPU)"), "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["command"], "activate");
    assert_eq!(v["result"], "activated");
    assert_eq!(v["before"]["uuid"], RMM);
    assert_eq!(v["after"]["uuid"], RMM);
    assert!(v["elapsed_ms"].is_u64());
}

#[test]
fn activate_asks_and_only_yes_goes_on() {
    for (input, code, written) in [
        ("y\n", OK, "1"),
        ("YES\n", OK, "1"),
        ("n\n", NOT_CONFIRMED, ""),
        ("\n", NOT_CONFIRMED, ""),
        ("", NOT_CONFIRMED, ""),
        ("maybe\n", NOT_CONFIRMED, ""),
    ] {
        let tree = FakeTree::demo();
        let r = on_with_input(&tree.root(), &["activate", "TF-RMM"], input);
        assert_eq!(r.code, code, "{input:?}: {r:?}");
        assert_eq!(tree.read(TF_RMM.uuid, "activate"), written, "{input:?}");
        assert!(r.stderr.starts_with(&format!(
            "Activate TF-RMM ({RMM}) now (0.7 -> 0.8, every CPU stops for a rendezvous)? The new firmware starts running at once. [y/N] "
        )), "{}", r.stderr);
        if code == NOT_CONFIRMED {
            assert!(r.stderr.contains("not confirmed; nothing was done"));
        }
    }
}

#[test]
fn activate_nothing_pending_or_not_capable_writes_nothing() {
    let tree = FakeTree::demo();
    let before = tree.snapshot();
    let r = on(&tree.root(), &["activate", "--yes", &VENDOR.to_string()]);
    assert_eq!(r.code, NOTHING, "{r:?}");
    assert!(r.stderr.contains("nothing to do:"));
    let r = on(&tree.root(), &["--json", "activate", "--yes", "bl33"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert_eq!(r.json()["error"]["kind"], "refused");
    assert!(r.stderr.contains("is not activation capable"));
    assert_eq!(tree.snapshot(), before);
}

#[test]
fn activate_failing_to_write_is_a_system_error() {
    let tree = FakeTree::demo();
    // A directory where the attribute should be: the write fails (EISDIR).
    let activate = tree.path(TF_RMM.uuid, "activate");
    fs::remove_file(&activate).unwrap();
    fs::create_dir(&activate).unwrap();
    let r = on(&tree.root(), &["activate", "--yes", "tf-rmm"]);
    assert_eq!(r.code, SYSTEM, "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("I/O error writing {}", activate.display()))
    );
}

#[test]
fn cancel_one_or_every_capable_component() {
    let tree = FakeTree::demo();
    let r = on(&tree.root(), &["cancel", "TF-RMM"]);
    assert_eq!(r.code, OK, "{r:?}");
    // A file accepts every write: all lfactl knows is that the write was
    // accepted; it never claims that something was stopped.
    assert_eq!(
        r.stdout,
        format!(
            "TF-RMM ({RMM}): the kernel accepted the cancel; no activation was in progress as far as lfactl can tell (no lfactl activation is running, and lfactl has no record of one for it in this boot)\n"
        )
    );
    // A plain tree has no kernel log: one line says so.
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.contains("the kernel log could not be read"))
            .count(),
        1,
        "{}",
        r.stderr
    );
    assert_eq!(tree.read(TF_RMM.uuid, "cancel"), "1");
    assert_eq!(tree.read(TFA_BL31.uuid, "cancel"), "");

    let tree = FakeTree::demo();
    let r = on(&tree.root(), &["--json", "cancel"]);
    assert_eq!(r.code, OK, "{r:?}");
    let results = r.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 3, "BL33 is not capable");
    assert!(results.iter().all(|x| x["result"] == "accepted"));
    for (uuid, written) in [
        (TFA_BL31.uuid, "1"),
        (TF_RMM.uuid, "1"),
        (VENDOR, "1"),
        (BL33.uuid, ""),
    ] {
        assert_eq!(tree.read(uuid, "cancel"), written, "{uuid}");
    }
}

#[test]
fn auto_activate_and_force_rendezvous_write_the_files() {
    let tree = FakeTree::demo();
    let r = on(&tree.root(), &["auto-activate", "on"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(r.stdout.lines().count(), 4);
    for c in tree::demo_components() {
        assert_eq!(tree.read(c.uuid, "auto_activate"), "1");
    }
    let r = on(
        &tree.root(),
        &["--json", "force-rendezvous", "off", "tf-rmm"],
    );
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(
        r.json(),
        json!({
            "schema": "lfactl/1", "backend": "sysfs", "command": "force-rendezvous",
            "value": false, "components": [RMM],
        })
    );
    assert_eq!(tree.read(TF_RMM.uuid, "force_cpu_rendezvous"), "0");
    assert_eq!(
        tree.read(TFA_BL31.uuid, "force_cpu_rendezvous"),
        "1\n",
        "untouched"
    );
    let r = on(&tree.root(), &["auto-activate", "off", "TF-RMM"]);
    assert_eq!(
        (r.code, tree.read(TF_RMM.uuid, "auto_activate").as_str()),
        (OK, "0")
    );
}

#[test]
fn auto_activate_on_an_older_kernel_is_not_supported() {
    let tree = FakeTree::with(&[
        FakeComponent::new(TF_RMM.uuid, "TF-RMM").older_abi(),
        FakeComponent::new(VENDOR, "Vendor"),
    ]);
    let before = tree.snapshot();
    let r = on(&tree.root(), &["auto-activate", "on", "tf-rmm"]);
    assert_eq!(r.code, UNSUPPORTED, "{r:?}");
    assert_eq!(
        r.stderr,
        format!(
            "lfactl: auto-activate is not supported by this kernel: its LFA driver has no auto_activate file for TF-RMM ({RMM}); nothing was written\n"
        )
    );
    // Every component: refused before any write, also the one that has it.
    let r = on(&tree.root(), &["--json", "auto-activate", "on"]);
    assert_eq!(r.code, UNSUPPORTED, "{r:?}");
    let v = r.json();
    assert_eq!(v["error"]["kind"], "unsupported");
    assert_eq!(v["error"]["exit_code"], UNSUPPORTED);
    assert_eq!(tree.snapshot(), before);
    assert!(!tree.path(TF_RMM.uuid, "auto_activate").exists());
}

#[test]
fn watch_lists_then_stops_after_count() {
    let tree = FakeTree::demo();
    let r = on(
        &tree.root(),
        &["watch", "--count", "2", "--interval-ms", "1"],
    );
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(
        r.stdout,
        format!(
            "TF-A BL31 runtime (47d4086d-4cfe-9846-9b95-2950cbbd5a00): listed, activation pending\n\
             TF-RMM ({RMM}): listed, activation pending\n\
             7a1e5c0d-e000-4f1a-8bad-5eed00000001: listed, activation not pending\n\
             BL33 non-secure payload (d6d0eea7-fcea-d54b-9782-9934f234b6e4): listed, activation not pending\n"
        )
    );
    let r = on(&tree.root(), &["watch", "--count", "1", "--json"]);
    let events = r.json_lines();
    assert_eq!(events.len(), 4);
    assert_eq!(
        events[1],
        json!({"schema": "lfactl/1", "event": "appeared", "uuid": RMM, "name": "TF-RMM", "activation_pending": true})
    );
}

/// The change is made while watch runs (atomically, as the kernel's values
/// change); the watch is bounded (its --count), so a missed change ends the
/// output and fails the test instead of hanging.
#[test]
fn watch_reports_a_pending_change_while_running() {
    let tree = FakeTree::with(&[FakeComponent::new(VENDOR, "Vendor")]);
    let root = tree.root();
    let mut child = lfactl()
        .args([
            "--root",
            root.to_str().unwrap(),
            "watch",
            "--interval-ms",
            "20",
            "--count",
            "3000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    assert_eq!(
        first,
        format!("Vendor ({VENDOR}): listed, activation not pending")
    );
    tree.replace(VENDOR, "activation_pending", "1\n");
    let second = lines
        .next()
        .expect("the change before the watch ends")
        .unwrap();
    assert_eq!(second, format!("Vendor ({VENDOR}): activation now pending"));
    tree.take_out(VENDOR);
    let third = lines
        .next()
        .expect("the removal before the watch ends")
        .unwrap();
    assert_eq!(third, format!("Vendor ({VENDOR}): no longer listed"));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn usage_errors_exit_2_and_help_documents_everything() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["--simulate", "--root", "/tmp", "list"],
        &["auto-activate", "maybe"],
        &["activate"],
        &["watch", "--count", "-1"],
    ] {
        let r = run(args);
        assert_eq!(r.code, USAGE, "{args:?}: {r:?}");
    }
    let r = run(&["--help"]);
    assert_eq!(r.code, OK);
    for needle in [
        "list",
        "show",
        "activate",
        "cancel",
        "auto-activate",
        "force-rendezvous",
        "watch",
        "--root",
        "--simulate",
        "--json",
        "--yes",
        "Exit codes:",
        "1  refused",
        "2  usage",
        "3  nothing to do",
        "4  system error",
        "5  activation not confirmed",
        "6  not supported by this kernel",
        "--state-dir",
        "--kmsg",
        "--release-previous",
        "lfactl/1",
        "lfactl --simulate list",
    ] {
        assert!(r.stdout.contains(needle), "--help lacks {needle:?}");
    }
    for command in [
        "list",
        "show",
        "activate",
        "cancel",
        "auto-activate",
        "force-rendezvous",
        "watch",
    ] {
        let r = run(&[command, "--help"]);
        assert_eq!(r.code, OK, "{command}");
        assert!(
            r.stdout.contains("Examples:\n  "),
            "{command} --help has no example"
        );
    }
}

/// Unknown versions are said in words, never as "reads unknown version".
#[test]
fn activate_on_a_kernel_without_versions_says_so_in_words() {
    let tree = FakeTree::with(&[FakeComponent::new(TF_RMM.uuid, "TF-RMM")
        .set("activation_pending", "1\n")
        .older_abi()]);
    let r = on_with_input(&tree.root(), &["activate", "tf-rmm"], "y\n");
    assert_eq!(r.code, OK, "{r:?}");
    assert!(
        r.stderr.starts_with(&format!(
            "Activate TF-RMM ({RMM}) now (unknown -> unknown, every CPU stops"
        )),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stdout,
        format!(
            "activated TF-RMM ({RMM}); the kernel shows no version for it; activation is still pending\n"
        )
    );
    assert!(!r.stdout.contains("unknown version"));
}
