#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Loom models of lfa-agent's holding pen and shared state
# (lfa-agent/tests/loom.rs): three CPUs through one rendezvous, a CANCEL
# while two wait, a timeout. Builds with `--cfg loom` into its own target
# directory so the normal builds are not invalidated.
#
#   scripts/loom.sh
#
# Measured on the 2-core dev machine: 78 s from a cold target/loom (71 s of
# it building loom), 9 s warm (the three models take 6-9 s).
#
# LOOM_MAX_PREEMPTIONS (default 3 in the models) bounds the interleavings
# explored (every interleaving with at most that many preemptions).
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="--cfg loom" cargo test -p lfa-agent --test loom --release --target-dir target/loom --locked "$@"
