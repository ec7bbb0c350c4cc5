#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Runs every check of lfa-rs, installing what it needs first. This is the
# README's test command, and CI (.ci/run) calls exactly this.
#
#   scripts/test.sh
#
# Steps: toolchain setup, rustfmt, clippy (host and aarch64-unknown-none),
# bare-metal builds (aarch64 and 32-bit Arm), all tests, rustdoc with warnings
# denied, a build with the declared MSRV toolchain, and the bare-metal
# scenarios under QEMU (scripts/qemu-test.sh, which installs qemu-system-arm),
# and the static arm64 lfactl with its tests under qemu-aarch64
# (scripts/musl-test.sh, which installs qemu-user), and lfa-conformance
# against our EL3 agent in each profile (scripts/conformance-test.sh); the
# loom models of lfa-agent (scripts/loom.sh); and
# the no-panic check of an aarch64 release image (scripts/panic-check.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LFA_ROOT"

# The exact release of the declared rust-version (lib.sh: cargo metadata).
MSRV=$(msrv Cargo.toml)
NO_STD_CRATES=(-p lfa-proto -p lfa-smccc -p lfa-sim -p lfa-client -p lfa-agent)

step "toolchain: targets, components, MSRV $MSRV"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add aarch64-unknown-none thumbv7em-none-eabi
rustup toolchain install "$MSRV" --profile minimal --no-self-update
rustup target add --toolchain "$MSRV" aarch64-unknown-none

step "rustfmt"
cargo fmt --all --check

step "clippy (host, all targets)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (aarch64-unknown-none, library crates)"
cargo clippy "${NO_STD_CRATES[@]}" --target aarch64-unknown-none --locked -- -D warnings

step "lfa-client's optional features smccc and defmt (clippy host and aarch64, rustdoc, MSRV)"
cargo clippy -p lfa-client --features smccc,defmt --locked -- -D warnings
cargo clippy -p lfa-client --features smccc,defmt --target aarch64-unknown-none --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc -p lfa-client --features smccc,defmt --no-deps --locked
cargo "+$MSRV" build -p lfa-client --features smccc,defmt --target aarch64-unknown-none --locked

step "an out-of-tree style adopter (examples/adopter): no unsafe, aarch64-unknown-none, host tests"
(cd examples/adopter &&
    cargo clippy --all-targets --locked -- -D warnings &&
    cargo clippy --target aarch64-unknown-none --locked -- -D warnings &&
    cargo build --target aarch64-unknown-none --release --locked &&
    cargo test --locked)

step "build lfa-proto for 32-bit bare-metal Arm (thumbv7em-none-eabi)"
cargo build -p lfa-proto --target thumbv7em-none-eabi --locked

step "build the library crates for aarch64-unknown-none (release)"
cargo build "${NO_STD_CRATES[@]}" --target aarch64-unknown-none --release --locked

step "tests (unit, integration, doctests)"
cargo test --workspace --locked

step "loom models of lfa-agent's holding pen (scripts/loom.sh)"
scripts/loom.sh

step "rustdoc, warnings denied"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
# The AArch64-only items (Smc, Hvc, the generic timer clock) are documented too.
RUSTDOCFLAGS="-D warnings" cargo doc "${NO_STD_CRATES[@]}" --target aarch64-unknown-none --no-deps --locked
# An AArch64 Linux target documents the std items as well (lfa-client with
# every feature, ThreadRendezvous among them, and the lfa-sysfs crate) beside
# Smc, Hvc and the generic timer clock: what docs.rs shows for them.
rustup target add aarch64-unknown-linux-musl >/dev/null
RUSTDOCFLAGS="-D warnings" cargo doc -p lfa-client --all-features -p lfa-sysfs \
    --target aarch64-unknown-linux-musl --no-deps --locked

step "MSRV $MSRV build of the library crates (host, and aarch64-unknown-none with the real conduits)"
cargo "+$MSRV" build "${NO_STD_CRATES[@]}" -p lfa-sysfs --locked
cargo "+$MSRV" build "${NO_STD_CRATES[@]}" --target aarch64-unknown-none --locked

step "no panic path reachable from LFA code in an aarch64 release image"
scripts/panic-check.sh

step "lfactl and the sysfs backend on aarch64-unknown-linux-musl (static, tests under qemu-aarch64)"
scripts/musl-test.sh

step "bare-metal QEMU scenarios (smc, hvc, -smp 4 rendezvous, faults, no agent)"
scripts/qemu-test.sh

step "cost report: time, code, stack and state of the client and the agent (scripts/cost-report.sh)"
scripts/cost-report.sh

step "lfa-conformance under QEMU against the clean, TF-A and broken agent profiles"
scripts/conformance-test.sh

step "packages: cargo publish --dry-run of every publishable crate together, each with its licences and README"
# --workspace takes every member not marked `publish = false`, in dependency
# order; --allow-dirty so that the check also runs on a tree with edits.
# Cargo verifies each package against the others through a local registry.
# A registry version counts as immutable: its sources are unpacked once into
# $CARGO_HOME/registry/src/-*/ and its build is "fresh" by version alone, so
# a rerun after an API change would build against the first run's code.
# Remove those extracts of our crates (only the local registry's directories
# start with '-') and the builds of our crates in the target directory used
# for the check.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/lfa-*
publish_target=target/publish-check
cargo clean --target-dir "$publish_target" --locked \
    -p lfa-proto -p lfa-smccc -p lfa-agent -p lfa-sim -p lfa-client -p lfa-sysfs
publish_log=$(mktemp)
CARGO_TARGET_DIR=$publish_target \
    cargo publish --dry-run --workspace --allow-dirty --locked 2>&1 | tee "$publish_log"
mapfile -t published < <(awk '$1 == "Uploading" { print $2 }' "$publish_log")
rm -f "$publish_log"
[ "${#published[@]}" -gt 0 ] || { echo "cargo publish --dry-run uploaded nothing" >&2; exit 1; }
for crate in "${published[@]}"; do
    files=$(cargo package --list --allow-dirty --locked -p "$crate")
    for want in LICENSE-MIT LICENSE-APACHE README.md; do
        grep -qx "$want" <<<"$files" || { echo "$crate: the package lacks $want" >&2; exit 1; }
    done
    echo "$crate: $(wc -l <<<"$files") files, with LICENSE-MIT, LICENSE-APACHE and README.md"
done

step "no reference outside the repository in the tracked files"
# The parent directory's shared folder, the placeholder domain, this machine's
# work directory (written so that this line does not match itself).
leaks='\.\./shared|example\.invalid|/wor[k]/'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    found=$(git grep -nE "$leaks" || true)
else
    found=$(grep -rnE --exclude-dir=target "$leaks" . || true)
fi
[ -z "$found" ] || { printf '%s\n' "$found" >&2; echo "references outside the repository (above)" >&2; exit 1; }

printf '\nAll checks passed.\n'
