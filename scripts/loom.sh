#!/usr/bin/env bash
# Exhaustive loom models of lfa-agent's holding pen and shared state
# (lfa-agent/tests/loom.rs): three CPUs through one rendezvous, a CANCEL
# while two wait, a timeout. Builds with `--cfg loom` into its own target
# directory so the normal builds are not invalidated.
#
#   scripts/loom.sh
#
# LOOM_MAX_PREEMPTIONS (default 3 in the models) bounds the interleavings
# explored; LOOM_LOG=trace shows them.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="--cfg loom" cargo test -p lfa-agent --test loom --release --target-dir target/loom --locked "$@"
