#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Runs the host test suites of lfa-proto and lfa-client under Miri (the
# nightly toolchain's interpreter that detects undefined behaviour, data
# races on the rendezvous threads, leaks and invalid memory accesses).
#
#   scripts/miri.sh            # lfa-proto + lfa-client: unit tests (lfa-proto's
#                              # property tests with few cases: slow in Miri) and doctests
#
# Not part of scripts/test.sh: it needs nightly and takes minutes. It
# installs what it needs (the nightly toolchain's miri and rust-src).
# Set CARGO_TARGET_DIR to keep Miri's build apart from yours.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup run nightly rustc --version >/dev/null 2>&1 ||
    rustup toolchain install nightly --profile minimal --no-self-update
rustup component add miri rust-src --toolchain nightly >/dev/null
cargo +nightly miri setup >/dev/null

# Proptest keeps failure files on disk; isolation would refuse that. Miri is
# about 1000x slower than native code, so property tests run fewer cases.
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}"
export PROPTEST_CASES="${PROPTEST_CASES:-8}"

start=$SECONDS
cargo +nightly miri test -p lfa-proto -p lfa-client --features lfa-client/std
printf '\nMiri: no undefined behaviour found (%d s).\n' $((SECONDS - start))
