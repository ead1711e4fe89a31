#!/usr/bin/env bash
# Runs every fuzz target once, one after the other, on one core each (the machine is shared).
# Usage: fuzz/run-all.sh [seconds per target, default 600] [target ...]
# Needs a nightly toolchain (`cargo +nightly`) or RUSTC_BOOTSTRAP=1 on stable, and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi
mkdir -p target/logs
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "== $t: ${secs}s"
  if cargo "${toolchain[@]}" fuzz run --target-dir target "$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -print_final_stats=1 >"target/logs/$t.log" 2>&1; then
    result="no crash"
  else
    result="CRASH or error (see fuzz/target/logs/$t.log and fuzz/artifacts/$t)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "target/logs/$t.log" | grep -o '[0-9]*$' || echo "?")
  echo "$t: $result; corpus $(find "corpus/$t" -type f | wc -l) files; $runs executions"
done
exit $status
