// SPDX-License-Identifier: MIT OR Apache-2.0
//! lfactl end to end on the simulated agent (`--simulate`): the full
//! PRIME/ACTIVATE flow through lfa-client, output, exit codes, JSON.

mod support;

use serde_json::json;
use support::*;

const RMM: &str = "6c0762a6-12f2-4b56-92cb-ba8f633606d9";
const BL31: &str = "47d4086d-4cfe-9846-9b95-2950cbbd5a00";
const VENDOR: &str = "7a1e5c0d-e000-4f1a-8bad-5eed00000001";

#[test]
fn simulate_list_shows_the_demo_population() {
    let r = run(&["--simulate", "list"]);
    assert_eq!(r.code, OK, "{r:?}");
    let rows = &r.table()[1..];
    assert_eq!(
        rows,
        [
            vec![
                BL31,
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
            vec![
                VENDOR, "-", "yes", "no", "required", "1.0", "-", "on", "off"
            ],
        ]
    );
}

#[test]
fn simulate_list_json_has_sequence_ids() {
    let v = run(&["--simulate", "--json", "list"]).json();
    assert_eq!(v["backend"], "simulate");
    let ids: Vec<u64> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["seq_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [0, 1, 2, 3]);
}

#[test]
fn simulate_activate_runs_prime_and_a_rendezvous_and_shows_new_versions() {
    let r = run(&["--simulate", "activate", "--yes", "tf-rmm"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert_eq!(r.stdout, format!("activated TF-RMM ({RMM}): 0.7 -> 0.8\n"));
    assert_eq!(
        r.stderr,
        format!(
            "lfactl: activating TF-RMM ({RMM})\n\
             lfactl:   LFA_PRIME (repeated while the agent answers CALL_AGAIN)\n\
             lfactl:   primed after 3 LFA_PRIME call(s)\n\
             lfactl:   LFA_ACTIVATE on every CPU: a rendezvous of 4 simulated CPUs\n\
             lfactl:   activated after 1 LFA_ACTIVATE call(s) per CPU on 4 CPU(s); inventory re-read\n"
        )
    );
    let v = run(&["--simulate", "--json", "-y", "activate", "TF-A"]).json();
    assert_eq!(v["result"], "activated");
    assert_eq!(v["before"]["uuid"], BL31);
    assert_eq!(v["before"]["current_version"], "2.12");
    assert_eq!(v["after"]["current_version"], "2.13");
    assert_eq!(v["after"]["activation_pending"], false);
    assert_eq!(v["after"]["pending_version"], json!(null));
}

#[test]
fn simulate_activate_asks_first() {
    let r = run_with_input(&["--simulate", "activate", "tf-rmm"], "no\n");
    assert_eq!(r.code, NOT_CONFIRMED, "{r:?}");
    assert_eq!(r.stdout, "");
    let r = run_with_input(&["--simulate", "activate", "tf-rmm"], "y\n");
    assert_eq!(r.code, OK, "{r:?}");
    assert!(r.stdout.contains("0.7 -> 0.8"));
}

#[test]
fn simulate_refusals_and_nothing_to_do() {
    let r = run(&["--simulate", "activate", "-y", "BL33"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(r.stderr.contains("is not activation capable"));
    let r = run(&["--simulate", "--json", "activate", "-y", VENDOR]);
    assert_eq!(r.code, NOTHING, "{r:?}");
    assert_eq!(r.json()["error"]["kind"], "nothing-to-do");
    // A fresh simulated agent has nothing primed.
    let r = run(&["--simulate", "cancel", "tf-rmm"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (
            NOTHING,
            &*format!("TF-RMM ({RMM}): nothing to cancel: the firmware holds nothing for it\n")
        )
    );
    // One JSON object for the run: the error, with the per-component results.
    let r = run(&["--simulate", "--json", "cancel"]);
    assert_eq!(r.code, NOTHING, "{r:?}");
    let v = r.json();
    assert_eq!(v["error"]["kind"], "nothing-to-do");
    assert_eq!(v["error"]["exit_code"], NOTHING);
    assert_eq!(v["command"], "cancel");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["result"] == "nothing-to-cancel"));
}

#[test]
fn simulate_show_settings_and_watch() {
    let r = run(&["--simulate", "show", "TF-RMM"]);
    assert_eq!(r.code, OK, "{r:?}");
    assert!(
        r.stdout
            .ends_with("auto activate:        off\nsequence id:          1\n"),
        "{}",
        r.stdout
    );
    let v = run(&["--simulate", "--json", "auto-activate", "on"]).json();
    assert_eq!(v["components"].as_array().unwrap().len(), 4);
    assert_eq!(v["value"], true);
    let r = run(&[
        "--simulate",
        "--json",
        "watch",
        "--count",
        "2",
        "--interval-ms",
        "1",
    ]);
    assert_eq!(r.code, OK, "{r:?}");
    let events = r.json_lines();
    assert_eq!(events.len(), 4, "the second poll changes nothing");
    assert!(events.iter().all(|e| e["event"] == "appeared"));
}
