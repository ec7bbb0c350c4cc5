#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Cost report: every figure of what the client and the agent
# cost, in one run, each with the command behind it. It prints figures and
# never judges them; it fails only when a figure cannot be measured.
#
#   scripts/cost-report.sh
#
# A shell script, like the other QEMU steps, because every figure comes from
# an existing command (the QEMU images through cargo's runner, llvm-nm
# through scripts/size-report.sh, one host program); it greps their
# `cost:` lines and the bench's client/raw lines into one table.
#
# 1. lfa-qemu `bench` image in release (`-smp 4`, real `smc` to a
#    simulated agent at EL3): client/raw per call and for the read-only flow
#    (median of blocks), and the stack each client entry point uses on CPU 0
#    (painted below SP: lfa_qemu::stack, the real code on the real target;
#    no nightly needed, unlike `-Z emit-stack-sizes`, which also cannot see
#    through indirect calls).
# 2. Host, release: `cargo run --release -p lfa-benches --bin cost`: the
#    client's ns per call against a conduit that costs nothing (counting
#    loop, median block) and size_of of the public state types.
# 3. .text per lfa crate of the client images `cost_flow` (the full flow,
#    errors never printed) and `cost_flow_display` (the same flow printing
#    every error with Display), and of lfa-agent and the QEMU platform in the
#    firmware image `live_activation` (scripts/size-report.sh, release, v0
#    symbols, target/size-report).
# 4. The `live_activation` image from that build, run: the stack of the
#    agent's handler per function (painted at EL3), GET_INVENTORY through the
#    agent against a bare `smc #1` round trip (generic timer ticks), and
#    size_of Agent<QemuPlatform, 4>.
#
# Time: about 45 s with warm caches (the release images and the host
# program are rebuilt only when the code changed).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
root=$LFA_ROOT
cd "$root"

missing=()
# field NAME TEXT PATTERN: the first match of sed PATTERN in TEXT (or "").
field() { printf '%s\n' "$2" | sed -n "$3" | head -1; }
need() { # need LABEL VALUE
    if [ -z "$2" ]; then missing+=("$1"); fi
}

step "QEMU bench, release: (cd lfa-qemu && cargo test --release --test bench)"
set +e
# (The guest's UART lines end in CR LF.)
bench=$(cd lfa-qemu && cargo test --release --test bench 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
status=$?
set -e
if [ "$status" -ne 0 ]; then
    printf '%s\n' "$bench" | grep -v '^\[cpu[0-9]\] ok ' >&2
    missing+=("bench image (failed, status $status)")
fi
printf '%s\n' "$bench" | grep -E 'client/raw|^smc #1|^cost: stack' || true

step "host, release: cargo run --release -p lfa-benches --bin cost"
set +e
host=$(cargo run --release --locked -q -p lfa-benches --bin cost 2>&1)
status=$?
set -e
printf '%s\n' "$host"
if [ "$status" -ne 0 ]; then missing+=("host program (status $status)"); fi

sizes() { # sizes TEST: size-report.sh output for that client image
    SIZE_REPORT_TEST=$1 "$root/scripts/size-report.sh"
}
step ".text, full client flow without Display: SIZE_REPORT_TEST=cost_flow scripts/size-report.sh"
plain=$(sizes cost_flow) || missing+=("size report of cost_flow")
printf '%s\n' "$plain"
step ".text, the same flow printing errors: SIZE_REPORT_TEST=cost_flow_display scripts/size-report.sh"
shown=$(sizes cost_flow_display) || missing+=("size report of cost_flow_display")
printf '%s\n' "$shown" | sed -n '/^contributor/,/^total .text/p'

step "agent figures: (cd lfa-qemu && RUSTFLAGS='-C symbol-mangling-version=v0' CARGO_TARGET_DIR=target/size-report cargo test --release --test live_activation)"
set +e
live=$(cd lfa-qemu && RUSTFLAGS="-C symbol-mangling-version=v0" CARGO_TARGET_DIR=target/size-report \
    cargo test --release --test live_activation 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}")
status=$?
set -e
if [ "$status" -ne 0 ]; then
    printf '%s\n' "$live" | grep -v '^\[cpu[0-9]\] ok ' >&2
    missing+=("live_activation image (failed, status $status)")
fi
printf '%s\n' "$live" | grep '^cost:' || true

# ---- the table ------------------------------------------------------------
ratio() { field "$1" "$bench" "s/^$2.*client\/raw \([0-9.]*\).*/\1/p"; }
r_version=$(ratio discover 'LFA_VERSION')
r_features=$(ratio supports 'LFA_FEATURES')
r_inventory=$(ratio components 'GET_INFO+GET_INVENTORY')
r_flow=$(ratio flow 'whole flow')
host_line=$(field host "$host" 's/^cost: host supports() \(.*\)/\1/p')
host_ratio=$(field host "$host" 's/.*client\/raw \([0-9.]*\).*/\1/p')
crate_bytes() { # crate_bytes TEXT CRATE
    field x "$1" "s/^$2  *[0-9][0-9]*  *\([0-9][0-9]*\) .*/\1/p"
}
lfa_plain=$(field x "$plain" 's/^lfa-rs crates together  *\([0-9][0-9]*\) .*/\1/p')
lfa_shown=$(field x "$shown" 's/^lfa-rs crates together  *\([0-9][0-9]*\) .*/\1/p')
total_plain=$(field x "$plain" '0,/^total .text/s/^total .text  *\([0-9][0-9]*\)$/\1/p')
total_shown=$(field x "$shown" '0,/^total .text/s/^total .text  *\([0-9][0-9]*\)$/\1/p')
agent_text=$(field x "$plain" 's/^lfa_agent (handler, state machine, pen)  *[0-9][0-9]*  *\([0-9][0-9]*\) .*/\1/p')
platform_text=$(field x "$plain" 's/^lfa_qemu::platform (QEMU platform)  *[0-9][0-9]*  *\([0-9][0-9]*\) .*/\1/p')
stacks=$(printf '%s\n' "$bench" | sed -n 's/^cost: stack \(.*\) \([0-9][0-9]*\)$/\2 \1/p')
deepest=$(printf '%s\n' "$stacks" | sort -n | tail -1)
agent_stack=$(field x "$live" 's/^cost: agent-stack max \([0-9][0-9]*\)$/\1/p')
agent_stacks=$(printf '%s\n' "$live" | sed -n 's/^cost: agent-stack \([A-Z_]*\) \([0-9][0-9]*\)$/\1 \2/p' | tr '\n' ' ')
agent_own=$(field x "$live" 's/^cost: agent-own-stack max \([0-9][0-9]*\)$/\1/p')
inventory=$(field x "$live" 's/^cost: agent-get-inventory \(.*\)$/\1/p')
agent_size=$(field x "$live" 's/^cost: size_of Agent<QemuPlatform, 4> \([0-9]*\)$/\1/p')
size_of() { field x "$host" "s/^cost: size_of $1 \([0-9]*\)$/\1/p"; }

for pair in "bench VERSION ratio:$r_version" "bench FEATURES ratio:$r_features" \
    "bench GET_INFO+GET_INVENTORY ratio:$r_inventory" "bench flow ratio:$r_flow" \
    "host ratio:$host_ratio" "lfa .text without Display:$lfa_plain" \
    "lfa .text with Display:$lfa_shown" "image .text without Display:$total_plain" \
    "image .text with Display:$total_shown" "lfa-agent .text:$agent_text" \
    "platform .text:$platform_text" "client stacks:$deepest" "agent stack:$agent_stack" \
    "agent own stack:$agent_own" "GET_INVENTORY vs smc #1:$inventory" "size_of Agent:$agent_size" \
    "size_of Primed:$(size_of "Primed<'_, C>")" "size_of Error:$(size_of Error)" \
    "size_of Component:$(size_of Component)"; do
    need "${pair%%:*}" "${pair#*:}"
done
if [ "$(printf '%s\n' "$stacks" | grep -c .)" -lt 11 ]; then missing+=("a client entry point's stack"); fi

step "cost report at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'), rustc $(rustc --version | cut -d' ' -f2)"
row() { printf '%-58s %s\n' "$1" "$2"; }
row "client/raw, QEMU bench median block (1 = raw smc):" ""
row "  LFA_VERSION / discover" "$r_version"
row "  LFA_FEATURES / supports" "$r_features"
row "  GET_INFO + GET_INVENTORY / components" "$r_inventory"
row "  read-only flow (12 calls)" "$r_flow"
row "host, against a free conduit (supports, success path)" "$host_ratio  ($host_line)"
row ".text of the lfa crates, full client flow, no Display" "$lfa_plain B  (image $total_plain B)"
if [ -n "$lfa_plain" ] && [ -n "$lfa_shown" ]; then
    row "  what printing errors with Display adds" "lfa crates +$((lfa_shown - lfa_plain)) B, image +$((total_shown - total_plain)) B"
fi
row "  per crate, no Display (proto / smccc / client)" \
    "$(crate_bytes "$plain" lfa_proto) / $(crate_bytes "$plain" lfa_smccc) / $(crate_bytes "$plain" lfa_client) B"
row "  per crate, with Display (proto / smccc / client)" \
    "$(crate_bytes "$shown" lfa_proto) / $(crate_bytes "$shown" lfa_smccc) / $(crate_bytes "$shown" lfa_client) B"
row "stack per client entry point (painted, CPU 0):" ""
printf '%s\n' "$stacks" | while read -r bytes name; do row "  $name" "$bytes B"; done
row "  deepest" "${deepest%% *} B"
row "lfa-agent in live_activation: .text" "$agent_text B (QEMU platform $platform_text B)"
row "  handler stack, deepest call (painted, EL3)" "$agent_stack B  (${agent_stacks% })"
row "  the agent's own frames (SP at the platform's callbacks)" "$agent_own B"
row "  GET_INVENTORY through the agent vs bare smc #1" "$inventory"
row "size_of (host, 64-bit):" ""
for t in "Primed<'_, C>" PrimeOp PrimedOp ActivationOp CpuJob Activated Error Component Summary Options "Client<C>"; do
    row "  $t" "$(size_of "$t") B"
done
row "  Agent<QemuPlatform, 4> (aarch64)" "$agent_size B"

if [ ${#missing[@]} -gt 0 ]; then
    printf '\ncost-report: could not measure: %s\n' "${missing[*]}" >&2
    exit 1
fi
