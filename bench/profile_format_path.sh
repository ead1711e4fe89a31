#!/usr/bin/env bash
# Profiles the release server on the cheapest request (400 invalid_code_format on
# /api/login/challenge: framework + middleware only, no storage) — the evidence behind (4a) in
# docs/benchmarks.md. Usage: bench/profile_format_path.sh [info|warn]   (TWOFA_LOG level)
# Needs: cargo build --release -p twofa-api -p twofa-bench; perf (optional: NOPERF=1 skips it).
set -euo pipefail
target=${CARGO_TARGET_DIR:-/var/cache/twofa/target}/release
work=$(mktemp -d /tmp/twofa-profile-XXXXXX)
mkdir "$work/data"
TWOFA_BIND=127.0.0.1:0 TWOFA_DATA_DIR="$work/data" TWOFA_LOG="${1:-info}" \
  "$target/twofa" serve > "$work/out.txt" 2> "$work/err.txt" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$work/out.txt" && break; sleep 0.1; done
addr=$(grep -o '127.0.0.1:[0-9]*' "$work/out.txt")
"$target/twofa-bench" drive "$addr" --secs 3 --conns 64 > /dev/null   # warm-up
recorder=
if [ -z "${NOPERF:-}" ] && command -v perf > /dev/null; then
  perf record -F 999 -g -p "$server" -o "$work/perf.data" -- sleep 8 > /dev/null 2>&1 &
  recorder=$!
fi
"$target/twofa-bench" drive "$addr" --secs 8 --conns 64
if [ -n "$recorder" ]; then
  wait "$recorder"
  echo "profile: perf report -i $work/perf.data --children --sort sym"
fi
