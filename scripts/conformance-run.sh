#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Builds lfa-conformance and the QEMU EL3 firmware (conformance) and
# boots the checker as the firmware's non-secure payload:
#
#   scripts/conformance-run.sh [--profile clean|tfa|broken] [--el1] [--no-build] [--raw] [--no-dtb] [--] [word...]
#
#   --profile   the simulated agent the firmware runs (default clean)
#   --el1       enter the checker at NS-EL1 (the firmware serves hvc at EL2);
#               default NS-EL2
#   --no-build  use the images already built
#   --raw       load the checker as a raw binary (llvm-objcopy -O binary), the
#               way a BL33 .bin is loaded, instead of as an ELF
#   --no-dtb    do not load QEMU's device tree (the checker then finds no
#               CPU description unless given mpidrs= or cpus=)
#   word...     options of the checker (activate, conduit=hvc, no-prime,
#               cpus=N, rounds=N, wait-ms=N; see conformance/README.md)
#
# QEMU: -machine virt,secure=on,virtualization=on -cpu max -smp ${QEMU_SMP:-4}
# -m 1G, the firmware as -kernel (EL3), the checker loaded at 0x6000_0000 with
# -device loader, and QEMU's own DTB for that machine (dumped with dumpdtb=)
# loaded at 0x4800_0000, whose address the firmware passes to the checker in x0. The report goes to stdout; the exit status is QEMU's
# (0: no check failed, 1: a check failed, 2: panic, 3: unexpected exception,
# 124: killed after ${QEMU_TIMEOUT:-60} s).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
root=$LFA_ROOT
profile=clean
el1=""
build=1
raw=0
dtb=1
while [ $# -gt 0 ]; do
    case $1 in
        --profile) profile=${2:?--profile needs a value}; shift 2 ;;
        --profile=*) profile=${1#--profile=}; shift ;;
        --el1) el1=payload-el1; shift ;;
        --no-build) build=0; shift ;;
        --raw) raw=1; shift ;;
        --no-dtb) dtb=0; shift ;;
        --) shift; break ;;
        -h|--help) sed -n '3,24p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
case $profile in clean|tfa|broken) ;; *) echo "unknown profile: $profile" >&2; exit 2 ;; esac

target=${CARGO_TARGET_DIR:-$root/conformance/target}
if [ "$build" -eq 1 ]; then
    (cd "$root/conformance/lfa-conformance" && CARGO_TARGET_DIR=$target \
        cargo build --release -q -p lfa-conformance -p lfa-conformance-firmware) || exit 2
fi
images=$target/aarch64-unknown-none/release
firmware=$images/lfa-conformance-firmware
checker=$images/lfa-conformance
for f in "$firmware" "$checker"; do
    [ -f "$f" ] || { echo "missing image: $f (build first)" >&2; exit 2; }
done

payload=(-device "loader,file=$checker")
if [ "$raw" -eq 1 ]; then
    objcopy=$(command -v llvm-objcopy || command -v rust-objcopy \
        || ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/llvm-objcopy 2>/dev/null | head -1)
    [ -n "$objcopy" ] || { echo "no llvm-objcopy (rustup component add llvm-tools)" >&2; exit 2; }
    "$objcopy" -O binary "$checker" "$checker.bin" || exit 2
    payload=(-device "loader,file=$checker.bin,addr=0x60000000,force-raw=on")
fi

machine=virt,secure=on,virtualization=on
smp=${QEMU_SMP:-4}
if [ "$dtb" -eq 1 ]; then
    blob=$target/qemu-virt-smp$smp.dtb
    qemu_args "$machine,dumpdtb=$blob" "$smp" 1G
    qemu_exec 60 "${QEMU_ARGS[@]}" >/dev/null 2>&1
    [ -s "$blob" ] || { echo "could not dump QEMU's device tree to $blob" >&2; exit 2; }
    payload+=(-device "loader,file=$blob,addr=0x48000000,force-raw=on")
fi

words="profile=$profile $el1 $*"
qemu_args "$machine" "$smp" 1G
qemu_exec "${QEMU_TIMEOUT:-60}" "${QEMU_ARGS[@]}" -semihosting \
    -kernel "$firmware" "${payload[@]}" -append "$words"
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "conformance-run: killed after ${QEMU_TIMEOUT:-60}s (hung guest)" >&2
fi
exit "$status"
