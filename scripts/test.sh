#!/usr/bin/env bash
# Runs every test of twofa: lints, core unit tests, black-box API tests on SQLite and on PostgreSQL,
# the SPA's unit tests, the browser end-to-end run, and a smoke run of the benchmarks.
# Installs what is missing first (scripts/setup.sh test). Exit status is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh test || { echo "setup failed" >&2; exit 1; }

export CARGO_TERM_COLOR=never
bin_dir="${CARGO_TARGET_DIR:-/var/cache/twofa/target}/debug"
# Two copies of the server, so no later cargo command overwrites the one a test runs:
# twofa-testclock (feature test-clock, for the black-box tests) and twofa-plain (as shipped).
export TWOFA_TEST_BIN="$bin_dir/twofa-testclock"
export TWOFA_PLAIN_BIN="$bin_dir/twofa-plain"
pg_admin_url="postgres://postgres:postgres@127.0.0.1:5432/postgres"

passed=0; failed=0; failures=()
step() {
  local name="$1"; shift
  local t0=$SECONDS
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1)); echo "=== ok: $name ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== FAILED: $name ($((SECONDS - t0)) s)"
  fi
}

frontend() { (cd "$root/frontend" && "$@"); }

step "rustfmt" cargo fmt --all -- --check
step "clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
step "core unit tests" cargo test -p twofa-core --locked
step "api unit tests" cargo test -p twofa-api --locked
build_servers() {
  cargo build -p twofa-api --locked && cp "$bin_dir/twofa" "$TWOFA_PLAIN_BIN" &&
    cargo build -p twofa-api --features test-clock --locked && cp "$bin_dir/twofa" "$TWOFA_TEST_BIN"
}
step "build twofa (plain and test-clock)" build_servers
step "frontend install" frontend npm ci --no-audit --no-fund --loglevel=error
step "frontend build" frontend npm run build
step "api black-box (sqlite)" env TWOFA_TEST_BACKEND=sqlite cargo test -p twofa-tests --locked
step "api black-box (postgres)" env TWOFA_TEST_BACKEND=postgres TWOFA_TEST_DATABASE_URL="$pg_admin_url" \
  cargo test -p twofa-tests --locked
step "schemathesis (openapi.yaml vs the running server)" scripts/schemathesis.sh
step "core benchmark smoke" env TWOFA_BENCH_QUICK=1 cargo bench -p twofa-core --bench core --locked
step "benchmark harness smoke" cargo run -p twofa-bench --locked -- smoke --pg --pg-admin-url "$pg_admin_url"
step "frontend api types drift" frontend npm run check:api
step "frontend typecheck" frontend npm run typecheck
step "frontend unit tests" frontend npm test
step "browser end-to-end" frontend npm run e2e

echo
echo "steps: $passed passed, $failed failed"
for f in "${failures[@]}"; do echo "  failed: $f"; done
[ "$failed" -eq 0 ]
