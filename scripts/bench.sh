#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Host benchmarks (divan): inventory enumeration for N = 1, 16, 256, 4096
# against the simulated agent, a full prime-then-activate, and the client's
# overhead per call against calling the conduit directly.
#
#   scripts/bench.sh             # all benchmarks
#   scripts/bench.sh enumerate   # those whose name contains "enumerate"
#
# Not part of scripts/test.sh (timing is not a test). The README's figures
# come from this command.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p lfa-benches --bench lfa -- "$@"
