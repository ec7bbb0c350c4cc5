#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# No-panic evidence for the aarch64 client image.
#
#   scripts/panic-check.sh
#
# Builds lfa-flow-image (profile panic-check: release, LTO, panic=abort) for
# aarch64-unknown-none: an image holding every lfa-client flow (blocking and
# stepped, timed by GenericTimerClock) over the real smc/hvc conduits, the
# simulated agent's call handler, and lfa-agent's handler with the QEMU
# platform of lfa-qemu. Its panic handler
# references a symbol defined nowhere, so:
#   1. the image links only if no panic path is reachable from LFA code
#      (otherwise: "undefined symbol: lfa_panic_is_reachable");
#   2. the symbol table of the linked image is checked for any symbol of the
#      panic machinery (core::panicking, panic_fmt, panic_bounds_check, ...).
set -euo pipefail
cd "$(dirname "$0")/../lfa-flow-image"

rustup target add aarch64-unknown-none >/dev/null 2>&1 || true
rustup component add llvm-tools >/dev/null 2>&1 || true

# The bare-metal workspace's target directory (lfa-baremetal/Cargo.toml).
target_dir=${CARGO_TARGET_DIR:-../lfa-baremetal/target}
image="$target_dir/aarch64-unknown-none/panic-check/lfa-flow-image"
sysroot=$(rustc --print sysroot)
nm=$(find "$sysroot" -name llvm-nm -type f | head -1)
objdump=$(find "$sysroot" -name llvm-objdump -type f | head -1)
[[ -n $nm ]] || nm=nm
[[ -n $objdump ]] || objdump=objdump

if ! out=$(cargo build --profile panic-check 2>&1); then
    echo "$out" | tail -30
    grep -q lfa_panic_is_reachable <<<"$out" || exit 1
    echo "FAIL: a panic path is reachable from LFA code. Functions that call the panic machinery:"
    cargo build --profile panic-check --features find-panics >/dev/null 2>&1
    "$objdump" -d --demangle "$image" | awk '
        /^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn) }
        /\tbl?\t/ && /<(core::panicking|[^>]*(unwrap|expect)_failed|[^>]*index_(order_)?fail|[^>]*panic_(fmt|bounds_check))/ {
            callee = $0; sub(/.*</, "", callee); sub(/>.*/, "", callee)
            if (fn !~ /^core::/) print "  " fn " -> " callee
        }' | sort -u
    exit 1
fi

symbols=$("$nm" --demangle "$image")
total=$(wc -l <<<"$symbols")
lfa=$(grep -c -E 'lfa_(client|proto|smccc|agent)|lfa_client_flows|lfa_sim_handle|lfa_agent_handle|QemuPlatform' <<<"$symbols" || true)
# A vacuous pass (the flows optimised away) would prove nothing: the image
# must hold the client's state machine (the prime's and the activation's
# `advance`, one instance per conduit), the generic timer clock, the simulated agent's
# ACTIVATE handling, and lfa-agent's handler with the QEMU platform (its code
# and the SHA-256 of its PRIME check).
for pattern in 'lfa_client::op::ActivationOp::advance' 'lfa_client::op::PrimeOp::advance' \
    'GenericTimerClock.*delay' 'lfa_sim::state::State.*::(activate|finish_step)::' \
    'lfa_agent_handle' 'lfa_agent::' 'QemuPlatform' 'sha2::sha256::compress256'; do
    if ! grep -q -E "$pattern" <<<"$symbols"; then
        echo "FAIL: no symbol matches $pattern: the image does not hold what it should check."
        exit 1
    fi
done
if grep -i -E 'panic|unwrap_failed|expect_failed|bounds_check|slice_(start|end)_index|str_index_overflow' <<<"$symbols"; then
    echo "FAIL: the image references the panic machinery (symbols above)."
    exit 1
fi
size=$(stat -c %s "$image")
printf 'OK: %s links with an undefined panic symbol; %d symbols (%d of LFA code), none of the panic machinery; %d bytes.\n' \
    "$image" "$total" "$lfa" "$size"
