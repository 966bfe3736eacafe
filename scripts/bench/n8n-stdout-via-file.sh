#!/usr/bin/env bash
# Runs the n8n CLI with its stdout going to a file, then prints the file. `n8n execute --rawOutput`
# of a few thousand items is megabytes of JSON, and n8n exits before a pipe has taken all of it
# (the e2e harness reads stdout through a pipe): through a file nothing is cut off.
set -uo pipefail
out="$(mktemp "${TMPDIR:-/tmp}/meta-token-bench-stdout-XXXXXX")"
"$BENCH_N8N_NODE" "$BENCH_N8N_BIN" "$@" >"$out"
code=$?
cat "$out"
rm -f "$out"
exit $code
