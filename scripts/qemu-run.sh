#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Runs one bare-metal image from lfa-qemu under QEMU and exits with the
# guest's status (0 pass, non-zero fail). Cargo uses it as the runner for
# aarch64-unknown-none (lfa-qemu/.cargo/config.toml):
#
#   scripts/qemu-run.sh <image.elf> [word...]
#
# The words reach the guest as its command line (-append, read back through
# semihosting), e.g. `break-check`. The machine depends on the image name
# (cargo names test images <name>-<hash>):
#   no_agent*   plain `virt` (no EL3, QEMU's own PSCI), 1 CPU
#   otherwise   `virt,secure=on,virtualization=on` (boots at EL3), 4 CPUs
# Overrides: QEMU_MACHINE, QEMU_SMP, QEMU_CPU (default max), QEMU_TIMEOUT
# (seconds, default 30: a hung guest is killed and the run fails with 124).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if [ $# -lt 1 ]; then
    echo "usage: $0 <image.elf> [word...]" >&2
    exit 2
fi
image=$1
shift
name=$(basename "$image")
scenario=${name%-*}

machine=virt,secure=on,virtualization=on
smp=4
case $scenario in
    no_agent*) machine=virt; smp=1 ;;
esac
machine=${QEMU_MACHINE:-$machine}
smp=${QEMU_SMP:-$smp}
limit=${QEMU_TIMEOUT:-30}

qemu_args "$machine" "$smp" 256M
args=("${QEMU_ARGS[@]}" -semihosting -kernel "$image")
if [ $# -gt 0 ]; then
    args+=(-append "$*")
fi

qemu_exec "$limit" "${args[@]}"
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "qemu-run: $scenario killed after ${limit}s (hung guest): FAIL" >&2
fi
exit "$status"
