# SPDX-License-Identifier: MIT OR Apache-2.0
# Shared by the check scripts (source it: `. "$(dirname "$0")/lib.sh"`):
# the step banner, tool installation, what Cargo knows about the workspaces
# (through `cargo metadata` and `--message-format=json`, read with jq; never
# sed over Cargo.toml or cargo's human output), and the one place that builds
# a QEMU command line.

# The repository root.
LFA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# step TEXT...: the banner before each step of a script.
step() { printf '\n==> %s\n' "$*"; }

# need_tool COMMAND PACKAGE: installs the Debian PACKAGE (apt-get, with sudo
# when not root) unless COMMAND is on PATH already.
need_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$2"
}

# need_jq: jq reads cargo's JSON for the functions below.
need_jq() { need_tool jq jq; }

# msrv MANIFEST: the exact toolchain release of the first package in
# MANIFEST's workspace that declares a rust-version ("1.85" -> "1.85.0":
# rustup's channel "1.85" is not that release and lacks some targets' std).
msrv() {
    need_jq
    local v
    v=$(cargo metadata --manifest-path "$1" --no-deps --format-version 1 --offline 2>/dev/null \
        || cargo metadata --manifest-path "$1" --no-deps --format-version 1)
    v=$(jq -r '[.packages[].rust_version | select(. != null)][0] // empty' <<<"$v")
    [ -n "$v" ] || { echo "no rust-version in $1's workspace" >&2; return 1; }
    [[ $v == *.*.* ]] || v="$v.0"
    printf '%s\n' "$v"
}

# test_targets MANIFEST PACKAGE: the names of PACKAGE's [[test]] targets, in
# the order of its manifest.
test_targets() {
    need_jq
    cargo metadata --manifest-path "$1" --no-deps --format-version 1 |
        jq -r --arg p "$2" '.packages[] | select(.name == $p) | .targets[]
            | select(.kind | index("test")) | .name'
}

# test_executable NAME JSON: the executable of test target NAME in the
# output of `cargo test --no-run --message-format=json` (JSON, one message a
# line; other lines are ignored).
test_executable() {
    need_jq
    grep '^{' <<<"$2" | jq -r --arg n "$1" 'select(.reason == "compiler-artifact"
        and .target.name == $n and .executable != null) | .executable' | tail -1
}

# qemu_args MACHINE SMP MEMORY: sets the array QEMU_ARGS to the part of the
# command line every run shares: `virt` with the given options, `-cpu max`,
# no display and no monitor. Callers add -semihosting, -kernel, loaders.
qemu_args() {
    QEMU_ARGS=(-machine "$1" -cpu "${QEMU_CPU:-max}" -smp "$2" -m "$3"
        -nographic -monitor none)
}

# qemu_exec SECONDS ARGS...: runs qemu-system-aarch64 with ARGS, stdin from
# /dev/null (QEMU leaves the terminal alone, and a guest waiting for input
# cannot hang the run), killed after SECONDS; returns QEMU's status (124 or
# 137 when killed).
qemu_exec() {
    local limit=$1
    shift
    timeout -k 5 "$limit" qemu-system-aarch64 "$@" </dev/null
}

# need_qemu_system: qemu-system-aarch64 (Debian package qemu-system-arm).
need_qemu_system() {
    need_tool qemu-system-aarch64 qemu-system-arm
    qemu-system-aarch64 --version | head -1
}
