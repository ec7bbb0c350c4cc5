#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Where the stack goes: the deepest chain of static frames under each
# function whose name matches a pattern, in a release image of lfa-qemu.
#
#   scripts/stack-chains.sh [TEST] [PATTERN...]
#   scripts/stack-chains.sh bench activate_all_dyn 'Primed.*run'
#
# Frame sizes come from each function's prologue (`sub sp` and pre-indexed
# stores of SP); the chain follows direct calls (`bl`/`b`) only, so indirect
# calls (a rendezvous hook, a `&dyn` conduit) end it. A development aid for
# finding the frames to shrink, not a measurement: the painted figures of
# scripts/cost-report.sh are the ones that count. Needs python3.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LFA_ROOT/lfa-qemu"
test=${1:-bench}
shift || true
[ "$#" -gt 0 ] || set -- 'activate_all_dyn' 'Primed.*::run' 'prime_to_op'
need_tool python3 python3

rustup component add llvm-tools >/dev/null 2>&1 || true
objdump="$(rustc --print sysroot)/lib/rustlib/$(rustc --print host-tuple)/bin/llvm-objdump"
[ -x "$objdump" ] || objdump=$(command -v llvm-objdump)
out=$(cargo test --release --no-run --test "$test" --message-format=json 2>/dev/null)
image=$(test_executable "$test" "$out")
[ -n "$image" ] || { echo "stack-chains: no executable for $test" >&2; exit 1; }

"$objdump" -d --no-show-raw-insn -C "$image" | python3 -c '
import functools, re, sys
frames, calls, cur = {}, {}, None
for line in sys.stdin:
    m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
    if m:
        cur = m.group(1)
        frames.setdefault(cur, 0)
        calls.setdefault(cur, set())
        continue
    if cur is None:
        continue
    m = re.search(r"sub\s+sp, sp, #(0x[0-9a-f]+|\d+)", line)
    if m:
        frames[cur] += int(m.group(1), 0)
    m = re.search(r"st[pr]\s+[xwdq]\d+(?:, [xwdq]\d+)?, \[sp, #-(0x[0-9a-f]+|\d+)\]!", line)
    if m:
        frames[cur] += int(m.group(1), 0)
    m = re.search(r"\s(?:bl|b)\s+0x[0-9a-f]+ <([^>+]*)", line)
    if m and m.group(1) != cur and m.group(1) not in ("memcpy", "memset"):
        calls[cur].add(m.group(1))

@functools.lru_cache(None)
def deepest(f, seen=()):
    best = (0, ())
    for c in calls.get(f, ()):
        if c not in seen:
            d = deepest(c, seen + (f,))
            if d[0] > best[0]:
                best = d
    return (frames.get(f, 0) + best[0], ((frames.get(f, 0), f),) + best[1])

def short(n):
    n = re.sub(r"::h[0-9a-f]{16}", "", n)
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$C$", ","), ("$RF$", "&"), ("..", "::")):
        n = n.replace(a, b)
    return n.lstrip("_")[:120]

for pattern in sys.argv[1:]:
    for f in sorted(frames):
        if re.search(pattern, f):
            total, path = deepest(f)
            print(f"{total:6d} B  {short(f)}")
            for size, name in path:
                print(f"      {size:6d}  {short(name)}")
' "$@"
