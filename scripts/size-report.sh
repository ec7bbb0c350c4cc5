#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Size report: bytes of .text that lfa-proto, lfa-smccc and lfa-client
# contribute to a bare-metal client image (release build).
#
#   scripts/size-report.sh            # the table
#   scripts/size-report.sh --symbols  # also every lfa_* symbol with its size
#   SIZE_REPORT_TEST=cost_flow scripts/size-report.sh  # another client image
#
# Then the EL3 side of the `live_activation` image (release, same flags):
# the .text of lfa-agent (its handler and state machine, instantiated with
# the QEMU platform), of the platform (lfa_qemu::platform) and of sha2.
#
# The image is lfa-qemu's `client_image` test: the client side alone
# (lfa-client over `smc`, with a hand-written EL3 stub instead of the
# simulator), so every lfa_* symbol in it is client-side code. It is built in
# release with v0 symbol mangling (`-C symbol-mangling-version=v0`, which
# changes symbol names only, not code) in its own target directory, so that
# generic instantiations demangle with their full path, e.g.
# `<lfa_client::client::Client<lfa_smccc::aarch64::Smc>>::components`.
#
# Attribution, per .text symbol (llvm-nm --print-size, demangled): the crate
# that starts the symbol's path; for `<Type as Trait>::f` and `<Type>::f`, the
# crate of Type (behind any & / &mut / * / [ ). So a generic of lfa-client
# instantiated with lfa-smccc's `Smc` counts for lfa-client, and core's
# `<&T as Debug>::fmt` for an lfa type counts for that type's crate. Code that
# the optimiser inlined into a caller counts for the caller's crate (the
# `Smc` conduit is `#[inline(always)]`, so lfa-smccc shows little or nothing;
# its `smc` instruction sits inside lfa-client's functions). Assembly without
# a symbol size (boot.S) and alignment padding are in neither column. The
# "fmt impls" column is the part of a row that is `Display`/`Debug` code
# (`<T as core::fmt::Display>::fmt`), linked because the image prints errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LFA_ROOT/lfa-qemu"

symbols=false
if [ "${1:-}" = "--symbols" ]; then symbols=true; fi
# The client image measured (an lfa-qemu [[test]]); scripts/cost-report.sh
# measures cost_flow and cost_flow_display.
client_test=${SIZE_REPORT_TEST:-client_image}

rustup component add llvm-tools >/dev/null 2>&1 || true
bin="$(rustc --print sysroot)/lib/rustlib/$(rustc --print host-tuple)/bin"
nm="$bin/llvm-nm"
size="$bin/llvm-size"
if [ ! -x "$nm" ] || [ ! -x "$size" ]; then
    nm=$(command -v llvm-nm || true)
    size=$(command -v llvm-size || true)
fi
if [ -z "$nm" ] || [ -z "$size" ]; then
    echo "size-report: llvm-nm/llvm-size not found (rustup component add llvm-tools)" >&2
    exit 1
fi

target_dir="target/size-report"
out=$(RUSTFLAGS="-C symbol-mangling-version=v0" CARGO_TARGET_DIR="$target_dir" \
    cargo test --release --no-run --test "$client_test" --message-format=json 2>&1) || {
    printf '%s\n' "$out" >&2
    exit 1
}
image=$(test_executable "$client_test" "$out")
image=${image#"$PWD/"}
if [ -z "$image" ] || [ ! -f "$image" ]; then
    printf '%s\n' "$out" >&2
    echo "size-report: could not find the $client_test executable" >&2
    exit 1
fi

text=$("$size" -A "$image" | awk '$1 == ".text" { print $2 }')
echo "image: lfa-qemu/$image (release, client side only)"
echo "rustc: $(rustc --version)"
echo

# "<size> <type> <demangled name>" (decimal sizes) for every .text symbol (t/T/w/W).
"$nm" --print-size --size-sort --radix=d --demangle "$image" |
    awk 'NF >= 4 && $3 ~ /^[tTwW]$/ { size = $2; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); print size "\t" $0 }' |
    awk -F '\t' -v text="$text" -v symbols="$symbols" '
    function crate_of(name,    s) {
        s = name
        # <Type as Trait>::f and <Type>::f: the crate of Type.
        while (substr(s, 1, 1) == "<") {
            s = substr(s, 2)
            sub(/^(&mut |&|\*const |\*mut |\[|dyn )+/, "", s)
        }
        if (match(s, /^[A-Za-z_][A-Za-z0-9_]*::/)) {
            return substr(s, 1, RLENGTH - 2)
        }
        # A primitive type (<char>::f, <u32 as core::fmt::Debug>::fmt) or a
        # bare symbol: core for the former, "asm" for assembly labels.
        if (match(s, /^(bool|char|str|[iu](8|16|32|64|128|size)|f(32|64))[ >]/)) return "core"
        if (s ~ /^mem(cpy|move|set|cmp)$/) return "compiler_builtins"
        if (s ~ /^\(/) return "core"  # a tuple type
        if (s ~ /^lfa_qemu_/) return "lfa_qemu"  # its #[no_mangle] entries
        return "(no path: " s ")"
    }
    {
        bytes = $1 + 0
        if (bytes == 0) next
        crate = crate_of($2)
        is_fmt = ($2 ~ / as core::fmt::[A-Za-z]+>::fmt$/)
        if (crate ~ /^lfa_(proto|smccc|client)$/) {
            group = crate
            if (symbols == "true") lines[group] = lines[group] sprintf("    %6d  %s\n", bytes, $2)
        } else if (crate ~ /^(lfa_qemu|client_image|cost_flow|cost_flow_display|__rustc)$/) {
            # __rustc::rust_begin_unwind is lfa_qemu'"'"'s #[panic_handler].
            group = "image (lfa_qemu boot code, test body)"
        } else if (crate ~ /^(core|compiler_builtins|spin|uuid|bitflags|zerocopy)$/) {
            group = "dependencies (" crate ")"
        } else {
            group = "other (" crate ")"
        }
        total[group] += bytes
        count[group] += 1
        if (is_fmt) fmt[group] += bytes
        all += bytes
    }
    END {
        printf "%-44s %8s %8s %7s %10s\n", "contributor (by symbol path)", "symbols", "bytes", ".text", "fmt impls"
        n = split("lfa_proto lfa_smccc lfa_client", lfa, " ")
        client = 0
        for (i = 1; i <= n; i++) {
            g = lfa[i]
            printf "%-44s %8d %8d %6.1f%% %10d\n", g, count[g], total[g], 100 * total[g] / text, fmt[g]
            client += total[g]
            client_fmt += fmt[g]
        }
        printf "%-44s %8s %8d %6.1f%% %10d\n", "lfa-rs crates together", "", client, 100 * client / text, client_fmt
        m = 0
        for (g in total) {
            if (g !~ /^lfa_(proto|smccc|client)$/) rest[++m] = g
        }
        for (i = 2; i <= m; i++) {  # insertion sort: a stable order
            for (j = i; j > 1 && rest[j - 1] > rest[j]; j--) {
                t = rest[j]; rest[j] = rest[j - 1]; rest[j - 1] = t
            }
        }
        for (i = 1; i <= m; i++) {
            g = rest[i]
            printf "%-44s %8d %8d %6.1f%% %10d\n", g, count[g], total[g], 100 * total[g] / text, fmt[g]
        }
        printf "%-44s %8s %8d %6.1f%%\n", "no symbol size (assembly, padding)", "", text - all, 100 * (text - all) / text
        printf "%-44s %8s %8d\n", "total .text", "", text
        if (symbols == "true") {
            for (i = 1; i <= n; i++) {
                printf "\n%s:\n%s", lfa[i], lines[lfa[i]]
            }
        }
    }'

# The EL3 side of the live_activation image: lfa-agent, the QEMU platform,
# sha2 (attributed as above: `<Agent<QemuPlatform> as LfaAgent>::handle` is
# lfa-agent's; Debug impls of lfa-agent types that only the test body's
# checks print are left out).
out=$(RUSTFLAGS="-C symbol-mangling-version=v0" CARGO_TARGET_DIR="$target_dir" \
    cargo test --release --no-run --test live_activation --message-format=json 2>&1) || {
    printf '%s\n' "$out" >&2
    exit 1
}
image=$(test_executable live_activation "$out")
image=${image#"$PWD/"}
if [ -z "$image" ] || [ ! -f "$image" ]; then
    echo "size-report: could not find the live_activation executable" >&2
    exit 1
fi
text=$("$size" -A "$image" | awk '$1 == ".text" { print $2 }')
echo
echo "image: lfa-qemu/$image (release, EL3 firmware with lfa-agent and the test body)"
"$nm" --print-size --size-sort --radix=d --demangle "$image" |
    awk 'NF >= 4 && $3 ~ /^[tTwW]$/ { size = $2; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); print size "\t" $0 }' |
    awk -F '\t' -v text="$text" '
    {
        s = $2
        while (substr(s, 1, 1) == "<") { s = substr(s, 2); sub(/^(&mut |&|\*const |\*mut |\[|dyn )+/, "", s) }
        if (s ~ /^lfa_agent::/ && $2 !~ / as core::fmt::[A-Za-z]+>::fmt/) g = "lfa_agent (handler, state machine, pen)"
        else if (s ~ /^lfa_qemu::platform::/) g = "lfa_qemu::platform (QEMU platform)"
        else if (s ~ /^sha2::/) g = "sha2 (SHA-256 of PRIME)"
        else next
        total[g] += $1; count[g] += 1
    }
    END {
        printf "%-44s %8s %8s %7s\n", "EL3 LFA code (by symbol path)", "symbols", "bytes", ".text"
        n = split("lfa_agent (handler, state machine, pen)|lfa_qemu::platform (QEMU platform)|sha2 (SHA-256 of PRIME)", rows, "|")
        for (i = 1; i <= n; i++) printf "%-44s %8d %8d %6.1f%%\n", rows[i], count[rows[i]], total[rows[i]], 100 * total[rows[i]] / text
        printf "%-44s %8s %8d\n", "total .text", "", text
    }'
