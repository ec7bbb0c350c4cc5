#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Short, bounded fuzz runs of every target in fuzz/ (cargo-fuzz, libFuzzer),
# starting from the committed seed corpus, and a summary per target:
# executions, time, crashes.
#
#   scripts/fuzz.sh              # every target, 60 s each
#   scripts/fuzz.sh 300          # every target, 300 s each
#   scripts/fuzz.sh 30 sim_agent # one target
#
# Needs the nightly toolchain (libFuzzer instrumentation) and cargo-fuzz;
# both are installed on first use. Not part of scripts/test.sh. New inputs
# that add coverage go to fuzz/corpus/<target>/ (not committed by default);
# a crash is written to fuzz/artifacts/<target>/ and makes this script fail:
# turn it into a regression test before fixing it.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(proto_decode sim_agent client_conduit sysfs_parse agent_handle fdt_cpus)

rustup run nightly rustc --version >/dev/null 2>&1 ||
    rustup toolchain install nightly --profile minimal --no-self-update
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

cargo +nightly fuzz build -O
status=0
summary=()
for target in "${TARGETS[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log=$(mktemp)
    start=$SECONDS
    # -rss_limit_mb: the targets allocate little; -timeout: one input must
    # not take more than 10 s (a hang is a finding too).
    if cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1; then
        crashes=0
    else
        crashes=$(find "artifacts/$target" -type f | wc -l)
        [[ $crashes -gt 0 ]] || crashes="run failed"
        status=1
        tail -40 "$log"
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    summary+=("$(printf '%-15s %12s execs %5d s  coverage %6s  crashes %s' \
        "$target" "${execs:-?}" $((SECONDS - start)) "${cov:-?}" "$crashes")")
    rm -f "$log"
done
printf '\n'
printf '%s\n' "${summary[@]}"
exit $status
