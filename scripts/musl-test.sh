#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# lfactl for arm64 Linux servers: builds it as a static
# aarch64-unknown-linux-musl binary, checks with `file` that it is static,
# and runs lfa-sysfs's and lfactl's tests for that target under
# qemu-aarch64 user mode. Installs what it needs first (the rustup target;
# qemu-user and file through apt-get, as root or with sudo).
#
#   scripts/musl-test.sh
#
# Linking uses rustup's rust-lld and test binaries run under qemu-aarch64,
# both set in .cargo/config.toml. lfactl's CLI tests start the lfactl binary
# themselves; without binfmt_misc the host cannot execute an aarch64 binary,
# so LFACTL_TEST_RUNNER=qemu-aarch64 tells them to start it through qemu.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LFA_ROOT"

TARGET=aarch64-unknown-linux-musl
start=$SECONDS

step "toolchain and tools: rustup target $TARGET, qemu-aarch64, file"
rustup target add "$TARGET"
need_tool qemu-aarch64 qemu-user
need_tool file file

step "static lfactl for $TARGET (release)"
cargo build -p lfactl --release --target "$TARGET" --locked
bin="${CARGO_TARGET_DIR:-target}/$TARGET/release/lfactl"
description=$(file -b "$bin")
echo "$bin: $description"
if [[ $description != *"ARM aarch64"* || $description != *"statically linked"* ]]; then
    echo "error: $bin is not a static aarch64 executable" >&2
    exit 1
fi
qemu-aarch64 "$bin" --simulate list

step "lfa-sysfs and lfactl tests for $TARGET under qemu-aarch64"
export LFACTL_TEST_RUNNER=qemu-aarch64
cargo test --locked --target "$TARGET" -p lfa-sysfs --lib
cargo test --locked --target "$TARGET" -p lfa-tests --test sysfs_tree --test sysfs_faults --test sysfs_driver
cargo test --locked --target "$TARGET" -p lfactl

printf '\nmusl checks passed in %d s.\n' $((SECONDS - start))
