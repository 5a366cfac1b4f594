#!/usr/bin/env bash
# Instructions per request for one server on the hello route, counted by valgrind (callgrind), with ab making a
# new connection per request, or (mode p10) autocannon keeping 100 connections with 10 requests pipelined on each:
# a measure that the noise of a shared machine does not move (unlike req/s).
# usage: bash bench/instructions.sh [rawpi|node|bare] [requests, default 6000] [ab|p10, default ab]   (after `make build`)
# WARMUP=N sets the requests made before counting (default 20000).
# node runs with --single-threaded, so garbage collection and compilation are counted on the one thread. The
# counts are of user-space instructions only (the kernel's socket work is not in them); a run takes one to three minutes.
set -euo pipefail
kind=${1:-rawpi}
requests=${2:-6000}
mode=${3:-ab}
# Warm-up before counting: enough requests that the JIT has compiled the hot code (with 4,000, compilation was
# still going on while counting, and the counts were a third higher and varied from run to run).
warmup=${WARMUP:-20000}
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
[ "$mode" = ab ] || [ "$mode" = p10 ] || { echo "instructions.sh: the mode is ab or p10, not $mode" >&2; exit 2; }
command -v ab >/dev/null || { echo "instructions.sh: ab is missing (apt-get install apache2-utils)" >&2; exit 2; }
[ -f dist/bench/serve-hello.js ] || { echo "instructions.sh: run make build first" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$work/cg" \
  node --single-threaded dist/bench/serve-hello.js "$kind" "$port" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 240); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.5; done
grep -q listening "$work/out" || { echo "instructions.sh: the server did not start: $(tail -3 "$work/err")" >&2; exit 1; }

autocannon=$(node -e "console.log(require.resolve('autocannon/autocannon.js'))")
load() { # load N: N requests; prints the failures
  if [ "$mode" = p10 ]; then
    # Under valgrind the server is slow: autocannon's 10 s timeout is raised so that no request times out.
    local out errors
    out=$(node "$autocannon" -c 100 -p 10 -t 120 -a "$1" "http://127.0.0.1:$port/" 2>&1)
    errors=$(echo "$out" | grep -oE '[0-9]+ errors' | head -1 || true)
    echo "${errors:-0 errors}"
  else
    ab -q -c10 -n "$1" "http://127.0.0.1:$port/" 2>&1 | awk '/Failed requests/ {print $3}'
  fi
}
load "$warmup" >/dev/null                                   # warm-up: the JIT settles
callgrind_control -z "$pid" >/dev/null 2>&1                 # counters to zero
failed=$(load "$requests")
callgrind_control -d "$pid" >/dev/null 2>&1                 # dump what the measured requests cost
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
dump=$(ls -t "$work"/cg.* 2>/dev/null | head -1)
total=$(awk '/^(summary|totals):/ {print $2; exit}' "$dump")
if [ "$mode" = p10 ]; then how="autocannon -c100 -p10 -a $requests, pipelined"; else how="ab -c10 -n $requests, a connection each"; fi
echo "$kind: $((total / requests)) instructions per request ($how, after $warmup to warm up; failed: ${failed:-?})"
