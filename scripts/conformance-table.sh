#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Turns the JSON lines of an lfa-conformance run (the `{"lfac":...}` lines on
# its UART) into a table.
#
#   scripts/conformance-table.sh [--markdown | --verdicts] [--width N] [log]
#
# Reads the log file (or stdin). A record is a `{"lfac":...}` object that
# ends its line; text before it on the line (another CPU's or the firmware's
# output) is dropped, and lines without a record (the human report, firmware
# messages such as a debug TF-A's INFO/NOTICE lines, carriage returns) are
# ignored. A record cut or garbled by interleaved output (no closing brace,
# or an id or verdict that is not one) is skipped and counted on stderr.
# Formats:
#   default     aligned text: ID, VERDICT, TITLE, DETAIL (cut to --width, 0 = whole)
#   --markdown  a Markdown table with the same columns, details whole
#   --verdicts  "ID VERDICT" per check, in run order (what conformance-test.sh compares)
# Ends with the run's summary line; exits 1 if the log holds no check at all.
set -euo pipefail
format=table
width=90
while [ $# -gt 0 ]; do
    case $1 in
        --markdown) format=markdown; shift ;;
        --verdicts) format=verdicts; shift ;;
        --width) width=${2:?--width needs a number}; shift 2 ;;
        -h|--help) sed -n '3,15p' "$0"; exit 0 ;;
        *) break ;;
    esac
done

tr -d '\r' < "${1:-/dev/stdin}" | awk -v format="$format" -v width="$width" '
# The string value of "key" in a flat JSON object, unescaped (\" \\ \n \uXXXX
# of control characters are all the image writes).
function field(line, key,    start, i, c, out) {
    start = index(line, "\"" key "\":\"")
    if (start == 0) return ""
    i = start + length(key) + 4
    out = ""
    while (i <= length(line)) {
        c = substr(line, i, 1)
        if (c == "\\") {
            i++
            c = substr(line, i, 1)
            if (c == "n") c = " "
            else if (c == "u") { c = "?"; i += 4 }
        } else if (c == "\"") {
            break
        }
        out = out c
        i++
    }
    return out
}
function number(line, key,    start, rest) {
    start = index(line, "\"" key "\":")
    if (start == 0) return 0
    rest = substr(line, start + length(key) + 3)
    sub(/[^0-9].*/, "", rest)
    return rest + 0
}
function cut(s) {
    if (width > 0 && length(s) > width) return substr(s, 1, width - 3) "..."
    return s
}
{
    start = index($0, "{\"lfac\":\"")
    if (start == 0) next
    $0 = substr($0, start)
    if ($0 !~ /\}$/) { damaged++; next }
}
/^\{"lfac":"check"/ {
    if (field($0, "id") !~ /^[A-Z0-9]+-[0-9]+$/ || field($0, "verdict") !~ /^(PASS|WARN|FAIL|SKIP)$/) {
        damaged++
        next
    }
    n++
    id[n] = field($0, "id"); verdict[n] = field($0, "verdict")
    title[n] = field($0, "title"); detail[n] = field($0, "detail")
    if (length(id[n]) > w_id) w_id = length(id[n])
    if (length(title[n]) > w_title) w_title = length(title[n])
}
/^\{"lfac":"summary"/ {
    summary = sprintf("%s: %d pass, %d warn, %d fail, %d skip", field($0, "result"),
        number($0, "pass"), number($0, "warn"), number($0, "fail"), number($0, "skip"))
}
END {
    if (damaged > 0) printf "conformance-table: %d damaged lfac record(s) skipped (output of another CPU or the firmware interleaved)\n", damaged > "/dev/stderr"
    if (n == 0) { print "no lfa-conformance check lines found" > "/dev/stderr"; exit 1 }
    if (format == "verdicts") {
        for (i = 1; i <= n; i++) print id[i], verdict[i]
        exit 0
    }
    if (format == "markdown") {
        print "| ID | Verdict | Check | Detail |"
        print "|---|---|---|---|"
        for (i = 1; i <= n; i++) {
            d = detail[i]; gsub(/\|/, "\\|", d)
            printf "| %s | %s | %s | %s |\n", id[i], verdict[i], title[i], d
        }
    } else {
        printf "%-" w_id "s  %-7s  %-" w_title "s  %s\n", "ID", "VERDICT", "CHECK", "DETAIL"
        for (i = 1; i <= n; i++)
            printf "%-" w_id "s  %-7s  %-" w_title "s  %s\n", id[i], verdict[i], title[i], cut(detail[i])
    }
    if (summary != "") { print ""; print summary }
}'
