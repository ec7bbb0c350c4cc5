#!/usr/bin/env bash
# Checks lfa-conformance (examples/conformance) end to end under QEMU and
# fails if anything is off. scripts/test.sh calls it after qemu-test.sh.
#
#   scripts/conformance-test.sh
#
# Steps: rustfmt, clippy (-D warnings), rustdoc (-D warnings) and an MSRV
# build of the examples/conformance workspace; a release build of the checker and of its
# EL3 firmware; then runs, each compared check by check (ID and verdict)
# with a file in examples/conformance/expected/ and with the exit status:
#
#   clean  + activate, NS-EL2, smc       expected/clean.txt            status 0
#   tfa    + activate                    expected/tfa.txt              status 1
#   broken + activate                    expected/broken.txt           status 1
#   clean  + activate, NS-EL1, hvc       expected/clean.txt            status 0
#   clean, no options (read-only+prime)  expected/clean-no-activate.txt status 0
#   clean  + activate, as a raw .bin     expected/clean.txt            status 0
#   clean  + activate, -smp 1            clean.txt with CAN-04 SKIP    status 0
#   a build without semihosting (options baked in, exit by PSCI SYSTEM_OFF)
#
# Every non-PASS line of the tfa and broken runs must carry its explanation
# (a detail and a rule). Logs are kept in $CONFORMANCE_LOGS (default a temp
# directory) and their tables printed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/examples/conformance/target}
logs=${CONFORMANCE_LOGS:-$(mktemp -d)}
mkdir -p "$logs"
expected=$root/examples/conformance/expected

step() { printf '\n==> %s\n' "$*"; }

if ! command -v qemu-system-aarch64 >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q qemu-system-arm
fi
rustup target add aarch64-unknown-none >/dev/null 2>&1 || true

(
    cd examples/conformance
    step "rustfmt (examples/conformance)"
    cargo fmt --all --check
    step "clippy (examples/conformance, aarch64-unknown-none)"
    cargo clippy --all-targets -- -D warnings
    step "rustdoc (examples/conformance), warnings denied"
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --document-private-items
    msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
    [[ $msrv == *.*.* ]] || msrv="$msrv.0"
    step "MSRV $msrv build (examples/conformance)"
    rustup toolchain install "$msrv" --profile minimal --no-self-update >/dev/null 2>&1 || true
    rustup target add --toolchain "$msrv" aarch64-unknown-none >/dev/null 2>&1 || true
    CARGO_TARGET_DIR=$CARGO_TARGET_DIR/msrv cargo "+$msrv" build --release
    step "build the checker and its QEMU firmware (release)"
    cargo build --release
)

failed=()
summary=()

# run NAME EXPECTED-FILE WANT-STATUS [conformance-run.sh arguments...]
run() {
    local name=$1 want_file=$2 want_status=$3
    shift 3
    step "$name"
    local log=$logs/$name.log status=0
    scripts/conformance-run.sh --no-build "$@" >"$log" 2>&1 || status=$?
    scripts/conformance-table.sh "$log" || true
    local problems=()
    if [ "$status" -ne "$want_status" ]; then
        problems+=("exit status $status, expected $want_status")
    fi
    if ! diff <(grep -v '^#' "$want_file" | sed 's/ *#.*//' | grep -v '^$') \
              <(scripts/conformance-table.sh --verdicts "$log" 2>/dev/null) >"$logs/$name.diff"; then
        problems+=("verdicts differ from $(basename "$want_file"): $(tr '\n' ' ' <"$logs/$name.diff")")
    fi
    # Every non-PASS check explains itself: a detail and, in the human form, a rule.
    local unexplained
    unexplained=$(tr -d '\r' <"$log" | grep '^{"lfac":"check"' | grep -v '"verdict":"PASS"' | grep -c '"detail":""' || true)
    if [ "$unexplained" -ne 0 ]; then
        problems+=("$unexplained non-PASS check(s) without a detail")
    fi
    local non_pass rules
    non_pass=$(tr -d '\r' <"$log" | grep -cE '^\[(WARN|FAIL|SKIP)\]' || true)
    rules=$(tr -d '\r' <"$log" | grep -c '^         rule: ' || true)
    if [ "$non_pass" -ne "$rules" ]; then
        problems+=("$non_pass non-PASS check(s) but $rules rule line(s)")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        summary+=("$(printf '%-22s ok   (%s)' "$name" "$(basename "$want_file")")")
    else
        printf 'PROBLEM: %s\n' "${problems[@]}"
        summary+=("$(printf '%-22s FAIL %s' "$name" "${problems[*]}")")
        failed+=("$name")
    fi
}

run clean-activate "$expected/clean.txt" 0 --profile clean -- activate
run tfa-activate "$expected/tfa.txt" 1 --profile tfa -- activate
run broken-activate "$expected/broken.txt" 1 --profile broken -- activate
run clean-el1-hvc "$expected/clean.txt" 0 --profile clean --el1 -- conduit=hvc activate
if ! tr -d '\r' <"$logs/clean-el1-hvc.log" | grep -q '^{"lfac":"start".*"el":1,"conduit":"hvc"'; then
    summary+=("clean-el1-hvc          FAIL the checker did not run at NS-EL1 over hvc")
    failed+=("clean-el1-hvc:start")
fi
run clean-no-activate "$expected/clean-no-activate.txt" 0 --profile clean
run clean-raw-binary "$expected/clean.txt" 0 --profile clean --raw -- activate
sed 's/^CAN-04 PASS$/CAN-04 SKIP/' "$expected/clean.txt" >"$logs/clean-smp1.expected"
QEMU_SMP=1 run clean-smp1 "$logs/clean-smp1.expected" 0 --profile clean -- activate

step "self-test: the comparison can fail (the clean run against tfa.txt)"
if diff <(grep -v '^#' "$expected/tfa.txt" | sed 's/ *#.*//' | grep -v '^$') \
        <(scripts/conformance-table.sh --verdicts "$logs/clean-activate.log") >/dev/null; then
    summary+=("$(printf '%-22s FAIL the clean run matched tfa.txt' self-test)")
    failed+=("self-test")
else
    summary+=("$(printf '%-22s ok   (the clean run does not match tfa.txt)' self-test)")
fi

step "a build without semihosting: options from LFA_CONFORMANCE_ARGS, exit by PSCI SYSTEM_OFF"
nosemi=$CARGO_TARGET_DIR/no-semihosting
(cd examples/conformance && LFA_CONFORMANCE_ARGS="activate" CARGO_TARGET_DIR=$nosemi \
    cargo build --release -q -p lfa-conformance --no-default-features)
images=$CARGO_TARGET_DIR/aarch64-unknown-none/release
status=0
timeout -k 5 60 qemu-system-aarch64 -machine virt,secure=on,virtualization=on -cpu max -smp 4 -m 1G \
    -nographic -monitor none -semihosting \
    -kernel "$images/lfa-conformance-firmware" \
    -device loader,file="$nosemi/aarch64-unknown-none/release/lfa-conformance" \
    </dev/null >"$logs/no-semihosting.log" 2>&1 || status=$?
tr -d '\r' <"$logs/no-semihosting.log" | grep -E '^==|SYSTEM_OFF' || true
if [ "$status" -eq 0 ] \
    && diff <(grep -v '^#' "$expected/clean.txt" | sed 's/ *#.*//' | grep -v '^$') \
            <(scripts/conformance-table.sh --verdicts "$logs/no-semihosting.log") >/dev/null \
    && tr -d '\r' <"$logs/no-semihosting.log" | grep -q 'firmware: PSCI SYSTEM_OFF'; then
    summary+=("$(printf '%-22s ok   (clean.txt, ended by PSCI SYSTEM_OFF)' no-semihosting)")
else
    summary+=("$(printf '%-22s FAIL status %s, see %s' no-semihosting "$status" "$logs/no-semihosting.log")")
    failed+=("no-semihosting")
fi

step "summary (logs in $logs)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    printf '\nFAILED: %s\n' "${failed[*]}"
    exit 1
fi
printf '\nlfa-conformance: every profile gave the expected verdicts.\n'
