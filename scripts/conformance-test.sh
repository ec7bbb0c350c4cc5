#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Checks lfa-conformance (conformance) end to end under QEMU and
# fails if anything is off. scripts/test.sh calls it after qemu-test.sh.
#
#   scripts/conformance-test.sh
#
# Steps: rustfmt, clippy (-D warnings), rustdoc (-D warnings) and an MSRV
# build of the two conformance packages; a release build of the checker and of its
# EL3 firmware; then runs, each compared check by check (ID and verdict)
# with a file in conformance/expected/ and with the exit status:
#
#   clean  + activate, NS-EL2, smc       expected/clean.txt            status 0
#   tfa    + activate                    expected/tfa.txt              status 1
#   broken + activate                    expected/broken.txt           status 1
#   clean  + activate, NS-EL1, hvc       expected/clean.txt            status 0
#   clean  + activate, rendezvous-ms=300 expected/clean.txt            status 0
#   clean, no options (read-only+prime)  expected/clean-no-activate.txt status 0
#   clean  + activate, as a raw .bin     expected/clean.txt            status 0
#   clean  + activate, -smp 1            clean.txt with CAN-04, CAN-07, ACT-14 SKIP  status 0
#   tfa + phantom CPUs, -smp 2, CPUs from the device tree: none started that
#     does not exist                     expected/tfa.txt              status 1
#   tfa + phantom CPUs, -smp 2, mpidrs= naming two that do not exist: CPU-01
#     FAIL, every rendezvous check SKIPs within the bound (no hang)   status 1
#   the README's "TF-A on QEMU" command line, our firmware in place of TF-A's
#     (no virtualization=on: NS-EL1; -semihosting-config arg=)  clean.txt  status 0
#   the tfa run's log with foreign lines interleaved: the same verdicts
#   a build without semihosting (options baked in): PSCI SYSTEM_OFF and
#     status 0 against the clean agent, SYSTEM_RESET and status 1 against tfa
#
# Before QEMU: the device tree reader (lfa-conformance/src/fdt.rs) as a host unit test.
#
# Every non-PASS line of the tfa and broken runs must carry its explanation
# (a detail and a rule). Logs are kept in $CONFORMANCE_LOGS (default a temp
# directory) and their tables printed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
root=$LFA_ROOT
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/conformance/target}
logs=${CONFORMANCE_LOGS:-$(mktemp -d)}
mkdir -p "$logs"
expected=$root/conformance/expected

# A log without CRs, for `lines LOG | grep -q ...`: grep -q stops at the first
# match, and the SIGPIPE that tr may then get must not fail the pipeline
# (pipefail) when the log is long.
lines() { tr -d '\r' <"$1" || true; }

need_qemu_system
rustup target add aarch64-unknown-none >/dev/null 2>&1 || true

(
    # The two packages in the bare-metal workspace (lfa-baremetal/Cargo.toml);
    # conformance/.cargo/config.toml sets the target.
    cd conformance/lfa-conformance
    pkgs=(-p lfa-conformance -p lfa-conformance-firmware)
    step "rustfmt (conformance)"
    cargo fmt "${pkgs[@]}" --check
    step "clippy (conformance, aarch64-unknown-none)"
    cargo clippy "${pkgs[@]}" --all-targets -- -D warnings
    step "rustdoc (conformance), warnings denied"
    RUSTDOCFLAGS="-D warnings" cargo doc "${pkgs[@]}" --no-deps --document-private-items
    msrv=$(msrv ../../lfa-baremetal/Cargo.toml)
    step "device tree reader: host unit tests (rustc --test lfa-conformance/src/fdt.rs)"
    rustc --edition 2024 --test src/fdt.rs -o "$logs/fdt-test"
    "$logs/fdt-test"
    step "MSRV $msrv build (conformance)"
    rustup toolchain install "$msrv" --profile minimal --no-self-update >/dev/null 2>&1 || true
    rustup target add --toolchain "$msrv" aarch64-unknown-none >/dev/null 2>&1 || true
    CARGO_TARGET_DIR=$CARGO_TARGET_DIR/msrv cargo "+$msrv" build --release "${pkgs[@]}"
    step "build the checker and its QEMU firmware (release)"
    cargo build --release "${pkgs[@]}"
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
# Every word is accounted for: the image path, the firmware's word as a
# notice, the option with what it did.
if ! { lines "$logs/clean-activate.log" | grep -q '^-- option: `/.*lfa-conformance-firmware` (semihosting): the image path' \
       && lines "$logs/clean-activate.log" | grep -q '^-- notice: `profile=clean` (semihosting) is not an option' \
       && lines "$logs/clean-activate.log" | grep -q '^-- option: `activate` (semihosting): run the activation checks'; }; then
    summary+=("clean-activate         FAIL the option words are not all listed with what they did")
    failed+=("clean-activate:words")
fi
run tfa-activate "$expected/tfa.txt" 1 --profile tfa -- activate tfa-debug-log
if ! lines "$logs/tfa-activate.log" | grep -q '^INFO:    LFA_GET_INVENTORY'; then
    summary+=("tfa-activate           FAIL the firmware printed no debug lines (tfa-debug-log)")
    failed+=("tfa-activate:debug-log")
fi
run broken-activate "$expected/broken.txt" 1 --profile broken -- activate
run clean-el1-hvc "$expected/clean.txt" 0 --profile clean --el1 -- conduit=hvc activate
if ! lines "$logs/clean-el1-hvc.log" | grep -q '^{"lfac":"start".*"el":1,"conduit":"hvc"'; then
    summary+=("clean-el1-hvc          FAIL the checker did not run at NS-EL1 over hvc")
    failed+=("clean-el1-hvc:start")
fi
# The firmware's rendezvous bound is an option word (clean profile: lfa-agent).
run clean-rendezvous-ms "$expected/clean.txt" 0 --profile clean -- activate rendezvous-ms=300
if ! lines "$logs/clean-rendezvous-ms.log" | grep -q '^firmware: LFA agent profile=clean (lfa-agent), .*rendezvous bound 300 ms'; then
    summary+=("clean-rendezvous-ms    FAIL the firmware did not take rendezvous-ms=300")
    failed+=("clean-rendezvous-ms:bound")
fi
run clean-no-activate "$expected/clean-no-activate.txt" 0 --profile clean
run clean-raw-binary "$expected/clean.txt" 0 --profile clean --raw -- activate
sed 's/^\(CAN-04\|CAN-07\|ACT-14\) PASS$/\1 SKIP/' "$expected/clean.txt" >"$logs/clean-smp1.expected"
QEMU_SMP=1 run clean-smp1 "$logs/clean-smp1.expected" 0 --profile clean -- activate

# A TF-A-like CPU_ON that accepts CPUs that do not exist (phantom-cpus): the
# device tree keeps the checker from naming them...
QEMU_SMP=2 QEMU_TIMEOUT=30 run tfa-phantom-dtb "$expected/tfa.txt" 1 \
    --profile tfa -- activate phantom-cpus
if lines "$logs/tfa-phantom-dtb.log" | grep -q 'phantom-cpus): it never arrives'; then
    summary+=("tfa-phantom-dtb        FAIL the checker started a CPU the device tree does not list")
    failed+=("tfa-phantom-dtb:cpu-on")
fi
# ...and when mpidrs= names them anyway they are lost: no rendezvous starts.
sed -e 's/^CPU-01 .*/CPU-01 FAIL/' -e 's/^\(ACT-12\|CAN-05\|ACT-13\|CAN-04\|CAN-07\|ACT-14\|ACT-15\) .*/\1 SKIP/' \
    "$expected/tfa.txt" >"$logs/tfa-phantom-mpidrs.expected"
QEMU_SMP=2 QEMU_TIMEOUT=30 run tfa-phantom-mpidrs "$logs/tfa-phantom-mpidrs.expected" 1 \
    --profile tfa -- activate phantom-cpus mpidrs=0x1,0x2,0x3 wait-ms=500
if [ "$(tr -d '\r' <"$logs/tfa-phantom-mpidrs.log" | grep -c '^\[SKIP\].*CPU 2 (MPIDR 0x2) is lost')" -ne 6 ]; then
    summary+=("tfa-phantom-mpidrs     FAIL ACT-12, ACT-13, CAN-04, CAN-07, ACT-14 and ACT-15 do not name the lost CPU")
    failed+=("tfa-phantom-mpidrs:reason")
fi

step "the README's TF-A command line, our firmware in place of TF-A (NS-EL1, -semihosting-config arg=)"
images=$CARGO_TARGET_DIR/aarch64-unknown-none/release
objcopy=$(command -v llvm-objcopy || command -v rust-objcopy \
    || ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/llvm-objcopy 2>/dev/null | head -1)
"$objcopy" -O binary "$images/lfa-conformance" "$logs/lfa-conformance.bin"
status=0
qemu_args virt,secure=on 4 1G
(cd "$logs" && qemu_exec 60 "${QEMU_ARGS[@]}" \
    -kernel "$images/lfa-conformance-firmware" \
    -device loader,file=lfa-conformance.bin,addr=0x60000000,force-raw=on \
    -semihosting-config enable=on,target=native,arg=activate,arg=cpus=4 \
    >"$logs/readme-tfa-line.log" 2>&1) || status=$?
scripts/conformance-table.sh "$logs/readme-tfa-line.log" || true
if [ "$status" -eq 0 ] \
    && diff <(grep -v '^#' "$expected/clean.txt" | sed 's/ *#.*//' | grep -v '^$') \
            <(scripts/conformance-table.sh --verdicts "$logs/readme-tfa-line.log") >/dev/null \
    && lines "$logs/readme-tfa-line.log" | grep -q '^{"lfac":"start".*"el":1,.*"activate":true'; then
    summary+=("$(printf '%-22s ok   (clean.txt at NS-EL1, options from arg=)' readme-tfa-line)")
else
    summary+=("$(printf '%-22s FAIL status %s, see %s' readme-tfa-line "$status" "$logs/readme-tfa-line.log")")
    failed+=("readme-tfa-line")
fi

step "the JSON-line reader skips foreign and damaged lines"
awk '{ print; print "NOTICE:  BL31: a line of another CPU\r" }
     NR == 30 { print "INFO:    LFA: {\"lfac\":\"check\",\"id\":\"ZZ-01\",\"verdi" }' \
    "$logs/tfa-activate.log" | sed 's/^{"lfac":"check","id":"INV-01"/INFO:    cut off&/' >"$logs/interleaved.log"
if diff <(scripts/conformance-table.sh --verdicts "$logs/tfa-activate.log" 2>/dev/null) \
        <(scripts/conformance-table.sh --verdicts "$logs/interleaved.log" 2>"$logs/interleaved.err") >/dev/null \
    && grep -q '1 damaged lfac record' "$logs/interleaved.err"; then
    summary+=("$(printf '%-22s ok   (same verdicts, 1 damaged record counted)' interleaved-log)")
else
    summary+=("$(printf '%-22s FAIL see %s' interleaved-log "$logs/interleaved.log")")
    failed+=("interleaved-log")
fi

step "self-test: the comparison can fail (the clean run against tfa.txt)"
if diff <(grep -v '^#' "$expected/tfa.txt" | sed 's/ *#.*//' | grep -v '^$') \
        <(scripts/conformance-table.sh --verdicts "$logs/clean-activate.log") >/dev/null; then
    summary+=("$(printf '%-22s FAIL the clean run matched tfa.txt' self-test)")
    failed+=("self-test")
else
    summary+=("$(printf '%-22s ok   (the clean run does not match tfa.txt)' self-test)")
fi

step "a build without semihosting: options from LFA_CONFORMANCE_ARGS, the verdict in the PSCI call"
nosemi=$CARGO_TARGET_DIR/no-semihosting
(cd conformance/lfa-conformance && LFA_CONFORMANCE_ARGS="activate" CARGO_TARGET_DIR=$nosemi \
    cargo build --release -q -p lfa-conformance --no-default-features)
# no_semihosting NAME PROFILE EXPECTED-FILE WANT-STATUS PSCI-CALL (with the
# DTB that conformance-run.sh dumped for -smp 4)
no_semihosting() {
    local name=$1 profile=$2 want_file=$3 want_status=$4 call=$5 status=0
    qemu_args virt,secure=on,virtualization=on 4 1G
    qemu_exec 60 "${QEMU_ARGS[@]}" -semihosting \
        -kernel "$images/lfa-conformance-firmware" \
        -device loader,file="$nosemi/aarch64-unknown-none/release/lfa-conformance" \
        -device loader,file="$CARGO_TARGET_DIR/qemu-virt-smp4.dtb",addr=0x48000000,force-raw=on \
        -append "profile=$profile" >"$logs/$name.log" 2>&1 || status=$?
    tr -d '\r' <"$logs/$name.log" | grep -E '^==|SYSTEM_OFF|SYSTEM_RESET' || true
    if [ "$status" -eq "$want_status" ] \
        && diff <(grep -v '^#' "$want_file" | sed 's/ *#.*//' | grep -v '^$') \
                <(scripts/conformance-table.sh --verdicts "$logs/$name.log") >/dev/null \
        && lines "$logs/$name.log" | grep -q "firmware: PSCI $call"; then
        summary+=("$(printf '%-22s ok   (%s, PSCI %s, status %s)' "$name" "$(basename "$want_file")" "$call" "$status")")
    else
        summary+=("$(printf '%-22s FAIL status %s, see %s' "$name" "$status" "$logs/$name.log")")
        failed+=("$name")
    fi
}
no_semihosting no-semihosting clean "$expected/clean.txt" 0 SYSTEM_OFF
no_semihosting no-semihosting-fail tfa "$expected/tfa.txt" 1 SYSTEM_RESET

step "summary (logs in $logs)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    printf '\nFAILED: %s\n' "${failed[*]}"
    exit 1
fi
printf '\nlfa-conformance: every profile gave the expected verdicts.\n'
